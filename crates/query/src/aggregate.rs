//! The aggregate form of a data read: group by some columns and count, sum, average or take
//! the extremes of others, over the reader's view (so over masked values where masked).

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::{avg, count, count_distinct, max, min, sum};
use datafusion::logical_expr::ident;

use datafusion::dataframe::DataFrame;

use crate::engine::{Batches, Engine};
use crate::error::QueryError;
use crate::executor::Lane;
use crate::filter::Filter;
use crate::rows::{OffsetPage, Page};
use crate::view::Dataset;

#[derive(Debug, Clone, Default)]
pub struct AggregateQuery {
    pub group_by: Vec<String>,
    pub measures: Vec<Measure>,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

/// One measure: `count` (rows), `count.col` (non-null values), `count_distinct.col`,
/// `sum.col`, `avg.col`, `min.col`, `max.col`. Its output column is named `count` or
/// `function_col`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub function: Function,
    pub column: Option<String>,
}

impl Measure {
    /// Reads a comma-separated list of measures.
    pub fn parse_list(spec: &str) -> Result<Vec<Self>, QueryError> {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Self::parse)
            .collect()
    }

    fn parse(spec: &str) -> Result<Self, QueryError> {
        let (name, column) = match spec.split_once('.') {
            Some((f, c)) => (f, Some(c.to_owned())),
            None => (spec, None),
        };
        let function = match name {
            "count" => Function::Count,
            "count_distinct" => Function::CountDistinct,
            "sum" => Function::Sum,
            "avg" => Function::Avg,
            "min" => Function::Min,
            "max" => Function::Max,
            other => {
                return Err(QueryError::BadAggregate(format!(
                    "`{other}`: use count, count_distinct, sum, avg, min or max"
                )));
            }
        };
        if column.is_none() && function != Function::Count {
            return Err(QueryError::BadAggregate(format!(
                "`{name}` needs a column: {name}.列名"
            )));
        }
        Ok(Self { function, column })
    }

    fn output_name(&self) -> String {
        let f = match self.function {
            Function::Count => "count",
            Function::CountDistinct => "count_distinct",
            Function::Sum => "sum",
            Function::Avg => "avg",
            Function::Min => "min",
            Function::Max => "max",
        };
        match &self.column {
            Some(c) => format!("{f}_{c}"),
            None => f.to_owned(),
        }
    }
}

impl Engine {
    /// Groups and measures, ordered by the group columns, for `reader`.
    pub async fn aggregate(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
    ) -> Result<Batches, QueryError> {
        self.run_aggregate(reader, dataset, query, None).await
    }

    /// One page of groups (they come in the order of the group columns, so offsets are
    /// stable).
    pub async fn aggregate_page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
        page: &OffsetPage,
    ) -> Result<Page, QueryError> {
        let (offset, limit) = page.bounds(self.limits().max_page_rows)?;
        let batches = self
            .run_aggregate(reader, dataset, query, Some((offset, limit + 1)))
            .await?;
        Page::at_offset(batches, offset, limit).await
    }

    async fn run_aggregate(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
        window: Option<(usize, usize)>,
    ) -> Result<Batches, QueryError> {
        if query.measures.is_empty() {
            return Err(QueryError::BadAggregate(
                "至少需要一个汇总项 / at least one measure".into(),
            ));
        }
        let (dataset, query) = (dataset.clone(), query.clone());
        self.run_frame(Lane::Rows, reader, window, move |engine| async move {
            engine.aggregate_frame(&dataset, &query).await
        })
        .await
    }

    async fn aggregate_frame(
        &self,
        dataset: &Dataset,
        query: &AggregateQuery,
    ) -> Result<DataFrame, QueryError> {
        let mut frame = self.frame(dataset).await?;
        for filter in &query.filters {
            let expr = filter.to_expr(frame.schema())?;
            frame = frame.filter(expr).map_err(|e| self.engine_error(e))?;
        }
        let schema = frame.schema().clone();
        let column_type = |c: &str| {
            schema
                .field_with_unqualified_name(c)
                .map(|f| f.data_type().clone())
                .map_err(|_| QueryError::UnknownColumn {
                    column: c.to_owned(),
                })
        };
        let mut groups = Vec::new();
        for g in &query.group_by {
            column_type(g)?;
            groups.push(ident(g));
        }
        let mut measures = Vec::new();
        for m in &query.measures {
            let expr = match &m.column {
                None => count_all(),
                Some(c) => {
                    let data_type = column_type(c)?;
                    let numeric = data_type.is_numeric();
                    if matches!(m.function, Function::Sum | Function::Avg) && !numeric {
                        return Err(QueryError::BadAggregate(format!(
                            "`{c}` ({}) is not a number; sum and avg need one",
                            describe(&data_type)
                        )));
                    }
                    let column = ident(c);
                    match m.function {
                        Function::Count => count(column),
                        Function::CountDistinct => count_distinct(column),
                        Function::Sum => sum(column),
                        Function::Avg => avg(column),
                        Function::Min => min(column),
                        Function::Max => max(column),
                    }
                }
            };
            measures.push(expr.alias(m.output_name()));
        }
        let order = query
            .group_by
            .iter()
            .map(|g| ident(g).sort(true, false))
            .collect();
        frame
            .aggregate(groups, measures)
            .and_then(|f| f.sort(order))
            .map_err(|e| self.engine_error(e))
    }
}

fn describe(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => "text".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(function: Function, column: Option<&str>) -> Measure {
        Measure {
            function,
            column: column.map(str::to_owned),
        }
    }

    #[test]
    fn reads_measures() {
        let m = Measure::parse_list("count, sum.je,count_distinct.qx").unwrap();
        assert_eq!(m[0], measure(Function::Count, None));
        assert_eq!(m[1], measure(Function::Sum, Some("je")));
        assert_eq!(m[2].output_name(), "count_distinct_qx");
        assert!(Measure::parse_list("median.x").is_err());
        assert!(Measure::parse_list("sum").is_err());
    }
}

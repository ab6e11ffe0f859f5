//! Aggregates planned: groups and measures over the reader's view, ordered by the group
//! columns.

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::{avg, count, count_distinct, max, min, sum};
use datafusion::logical_expr::ident;

use datafusion::dataframe::DataFrame;

use gongshu_query::{AggregateQuery, Batches, Dataset, Function, OffsetPage, Page, QueryError};

use crate::engine::Engine;
use crate::executor::Lane;
use crate::filter::filter_expr;

impl Engine {
    /// Groups and measures, ordered by the group columns, for `reader`.
    pub(crate) async fn aggregate(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
    ) -> Result<Batches, QueryError> {
        self.run_aggregate(reader, dataset, query, None).await
    }

    /// One page of groups (they come in the order of the group columns, so offsets are
    /// stable).
    pub(crate) async fn aggregate_page(
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
            let expr = filter_expr(filter, frame.schema())?;
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
        let order: Vec<_> = query
            .group_by
            .iter()
            .map(|g| ident(g).sort(true, false))
            .collect();
        // Measures without groups are one row: nothing to order (DataFusion refuses an empty
        // ORDER BY as an internal error).
        frame
            .aggregate(groups, measures)
            .and_then(|f| {
                if order.is_empty() {
                    Ok(f)
                } else {
                    f.sort(order)
                }
            })
            .map_err(|e| self.engine_error(e))
    }
}

fn describe(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => "text".to_owned(),
        other => other.to_string(),
    }
}

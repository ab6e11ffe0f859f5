//! The aggregate form of a data read as a reader asks for it: group by some columns and count,
//! sum, average or take the extremes of others.

use crate::error::QueryError;
use crate::filter::Filter;

/// Groups and measures over the reader's view (so over masked values where masked), ordered
/// by the group columns.
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

    /// The name of the measure's output column.
    pub fn output_name(&self) -> String {
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

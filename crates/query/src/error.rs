//! What can go wrong with a query, in terms a reader can act on. Engine errors are sorted here
//! into the reader's fault (bad SQL, a limit reached) and ours (anything else), so the HTTP
//! layer never answers a user's mistake with a 500.

use datafusion::error::DataFusionError;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("unknown column `{column}`")]
    UnknownColumn { column: String },
    #[error("filter on `{column}`: cannot read `{spec}`; write op.value with op one of {expected}")]
    BadFilter {
        column: String,
        spec: String,
        expected: &'static str,
    },
    #[error("filter on `{column}`: `{value}` is not a value of type {data_type}")]
    BadValue {
        column: String,
        value: String,
        data_type: String,
    },
    #[error("order: {0}")]
    BadOrder(String),
    #[error("the cursor is not one this query handed out")]
    BadCursor,
    #[error("aggregate: {0}")]
    BadAggregate(String),
    #[error("limit must be between 1 and {max}")]
    BadLimit { max: usize },
    #[error("unknown table `{table}` (or not readable by you)")]
    UnknownTable { table: String },
    #[error("only one SELECT statement is allowed: {0}")]
    NotAQuery(String),
    #[error("SQL: {0}")]
    Sql(String),
    #[error("the SQL text is longer than {max} bytes")]
    SqlTooLong { max: usize },
    #[error("the query ran longer than {seconds} s and was stopped")]
    Timeout { seconds: u64 },
    #[error("the query needs more memory than a query may use ({limit_mib} MiB)")]
    OutOfMemory { limit_mib: usize },
    #[error(
        "the result has more than {max} rows, the most an XLSX sheet holds; use csv or parquet"
    )]
    TooManyRowsForXlsx { max: usize },
    #[error("query engine: {0}")]
    Engine(String),
}

/// Who is to blame, which decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request is wrong: 400/422.
    Input,
    /// A limit was reached: the request may be fine but too big for the platform (413/408).
    Limit,
    /// Ours: 500.
    Internal,
}

impl QueryError {
    /// The stable problem code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownColumn { .. } => "unknown_column",
            Self::BadFilter { .. } => "invalid_filter",
            Self::BadValue { .. } => "invalid_filter_value",
            Self::BadOrder(_) => "invalid_order",
            Self::BadCursor => "invalid_cursor",
            Self::BadAggregate(_) => "invalid_aggregate",
            Self::BadLimit { .. } => "invalid_limit",
            Self::UnknownTable { .. } => "unknown_table",
            Self::NotAQuery(_) => "sql_not_allowed",
            Self::Sql(_) => "invalid_sql",
            Self::SqlTooLong { .. } => "sql_too_long",
            Self::Timeout { .. } => "query_timeout",
            Self::OutOfMemory { .. } => "query_out_of_memory",
            Self::TooManyRowsForXlsx { .. } => "too_many_rows_for_xlsx",
            Self::Engine(_) => "query_failed",
        }
    }

    pub fn fault(&self) -> Fault {
        match self {
            Self::Timeout { .. }
            | Self::OutOfMemory { .. }
            | Self::SqlTooLong { .. }
            | Self::TooManyRowsForXlsx { .. } => Fault::Limit,
            Self::Engine(_) => Fault::Internal,
            _ => Fault::Input,
        }
    }

    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Self::UnknownColumn { column } => format!("没有名为“{column}”的列（或您无权查看）"),
            Self::BadFilter {
                column,
                spec,
                expected,
            } => format!(
                "列“{column}”的筛选条件“{spec}”无法识别，应写作“运算符.值”，运算符可为 {expected}"
            ),
            Self::BadValue {
                column,
                value,
                data_type,
            } => format!("列“{column}”的筛选值“{value}”不是 {data_type} 类型的值"),
            Self::BadOrder(reason) => format!("排序参数有误：{reason}"),
            Self::BadCursor => "翻页游标无效，请从第一页重新查询".to_owned(),
            Self::BadAggregate(reason) => format!("汇总参数有误：{reason}"),
            Self::BadLimit { max } => format!("每页条数应在 1 到 {max} 之间"),
            Self::UnknownTable { table } => format!("没有名为“{table}”的数据表（或您无权读取）"),
            Self::NotAQuery(_) => "只允许一条 SELECT 查询语句，不能修改数据或结构".to_owned(),
            Self::Sql(reason) => format!("SQL 语句有误：{reason}"),
            Self::SqlTooLong { max } => format!("SQL 语句超过 {max} 字节"),
            Self::Timeout { seconds } => format!("查询超过 {seconds} 秒，已停止"),
            Self::OutOfMemory { limit_mib } => {
                format!("查询所需内存超过单次查询上限（{limit_mib} MiB），请缩小范围")
            }
            Self::TooManyRowsForXlsx { max } => {
                format!("结果超过 {max} 行，超出 Excel 工作表容量，请改用 CSV 或 Parquet 格式")
            }
            Self::Engine(_) => "查询执行失败".to_owned(),
        }
    }

    /// Sorts an engine error: planning and SQL errors are the reader's; exhausted memory is a
    /// limit; anything else is internal.
    pub(crate) fn from_engine(e: DataFusionError, memory_limit: usize) -> Self {
        use datafusion::arrow::error::ArrowError;
        use datafusion::parquet::errors::ParquetError;
        // With filter pushdown, an error of the reader's predicate comes wrapped by the
        // Parquet reader.
        if let DataFusionError::ParquetError(p) = e.find_root()
            && let ParquetError::External(inner) = p.as_ref()
            && let Some(arrow) = inner.downcast_ref::<ArrowError>()
            && matches!(
                arrow,
                ArrowError::CastError(_)
                    | ArrowError::ParseError(_)
                    | ArrowError::DivideByZero
                    | ArrowError::ArithmeticOverflow(_)
                    | ArrowError::ComputeError(_)
            )
        {
            return Self::Sql(first_line(&arrow.to_string()));
        }
        match e.find_root() {
            DataFusionError::ResourcesExhausted(_) => Self::OutOfMemory {
                limit_mib: memory_limit / (1024 * 1024),
            },
            DataFusionError::SQL(..)
            | DataFusionError::Plan(_)
            | DataFusionError::SchemaError(..) => Self::Sql(first_line(&e.find_root().to_string())),
            // SQL the engine does not support (a feature, not a stub of ours) is the reader's
            // to rewrite.
            DataFusionError::NotImplemented(m) => Self::Sql(first_line(m)),
            // A cast of a value the reader chose (CAST('abc' AS INT)) fails at execution.
            DataFusionError::ArrowError(inner, _)
                if matches!(
                    **inner,
                    datafusion::arrow::error::ArrowError::CastError(_)
                        | datafusion::arrow::error::ArrowError::ParseError(_)
                        | datafusion::arrow::error::ArrowError::DivideByZero
                        | datafusion::arrow::error::ArrowError::ArithmeticOverflow(_)
                ) =>
            {
                Self::Sql(first_line(&inner.to_string()))
            }
            DataFusionError::Execution(m) => Self::Sql(first_line(m)),
            other => Self::Engine(other.to_string()),
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}

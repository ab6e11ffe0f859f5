//! What can go wrong with a query, in terms a reader can act on: each error says whose fault
//! it is (the reader's input, a limit reached, a busy platform, or ours), so the HTTP layer
//! never answers a user's mistake with a 500. The engine sorts its own errors into these.

#[derive(Debug, Clone, thiserror::Error)]
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
    #[error("the function `{name}` is not among the functions a query may use")]
    FunctionNotAllowed { name: String },
    #[error(
        "`{function}` would build about {bytes} bytes, more than the {limit} bytes a value may grow by"
    )]
    ValueTooLarge {
        function: String,
        bytes: usize,
        limit: usize,
    },
    #[error(
        "a join without an equality condition would compare about {pairs} row pairs, more than the limit of {limit}; join on equal keys or filter first"
    )]
    JoinTooLarge { pairs: u64, limit: u64 },
    #[error("the query executor is busy; retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error("you already have {per_reader} queries running; wait for one to finish")]
    TooManyQueries { per_reader: usize },
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
    /// The platform is busy: 429 with `Retry-After`.
    Busy,
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
            Self::FunctionNotAllowed { .. } => "function_not_allowed",
            Self::ValueTooLarge { .. } => "value_too_large",
            Self::JoinTooLarge { .. } => "join_too_large",
            Self::Busy { .. } => "query_busy",
            Self::TooManyQueries { .. } => "too_many_queries",
            Self::Engine(_) => "query_failed",
        }
    }

    /// Seconds a refused query should wait before it is tried again.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Busy { retry_after_secs } => Some(*retry_after_secs),
            Self::TooManyQueries { .. } => Some(1),
            _ => None,
        }
    }

    pub fn fault(&self) -> Fault {
        match self {
            Self::Timeout { .. }
            | Self::OutOfMemory { .. }
            | Self::SqlTooLong { .. }
            | Self::TooManyRowsForXlsx { .. }
            | Self::ValueTooLarge { .. }
            | Self::JoinTooLarge { .. } => Fault::Limit,
            Self::Busy { .. } | Self::TooManyQueries { .. } => Fault::Busy,
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
            Self::FunctionNotAllowed { name } => {
                format!("函数“{name}”不在查询允许使用的函数之列")
            }
            Self::ValueTooLarge {
                function, limit, ..
            } => format!(
                "“{function}”生成的值过大，超过单个表达式允许增加的上限（{} MiB），请缩小范围",
                limit / (1024 * 1024)
            ),
            Self::JoinTooLarge { pairs, limit } => format!(
                "不带等值条件的连接约需比较 {pairs} 对行，超过上限 {limit}；请改用等值连接或先筛选"
            ),
            Self::Busy { retry_after_secs } => {
                format!("查询执行器繁忙，请 {retry_after_secs} 秒后重试")
            }
            Self::TooManyQueries { per_reader } => {
                format!("您已有 {per_reader} 个查询在执行，请等其完成后再提交")
            }
            Self::Engine(_) => "查询执行失败".to_owned(),
        }
    }
}

impl From<gongshu_domain::filter::BadFilter> for QueryError {
    fn from(e: gongshu_domain::filter::BadFilter) -> Self {
        QueryError::BadFilter {
            column: e.column,
            spec: e.spec,
            expected: e.expected,
        }
    }
}

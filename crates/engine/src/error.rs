//! DataFusion's errors sorted into [`QueryError`]s, in terms a reader can act on: planning and
//! SQL errors are the reader's fault, exhausted memory is a limit, anything else is ours.

use datafusion::error::DataFusionError;
use gongshu_query::QueryError;

/// Sorts an engine error (`memory_limit`: the pool's size, for the message).
pub(crate) fn from_engine(e: DataFusionError, memory_limit: usize) -> QueryError {
    use datafusion::arrow::error::ArrowError;
    use datafusion::parquet::errors::ParquetError;
    // With filter pushdown, an error of the reader's predicate comes wrapped by the
    // Parquet reader.
    if let DataFusionError::ParquetError(p) = e.find_root()
        && let ParquetError::External(inner) = p.as_ref()
        && let Some(arrow) = inner.downcast_ref::<ArrowError>()
        && readers_fault(arrow)
    {
        return QueryError::Sql(first_line(&arrow.to_string()));
    }
    // Our own refusals (functions, value sizes, joins) travel through the engine, and so
    // does a reader's bad pattern (`regexp_replace(x, '[', '')`).
    if let Some(ours) = cause::<QueryError>(&e) {
        return ours.clone();
    }
    let pattern = cause::<regex::Error>(&e)
        .map(ToString::to_string)
        .or_else(|| cause::<regex_syntax::Error>(&e).map(ToString::to_string));
    if let Some(pattern) = pattern {
        return QueryError::Sql(first_line(&pattern.replace('\n', " ")));
    }
    match e.find_root() {
        DataFusionError::ResourcesExhausted(_) => QueryError::OutOfMemory {
            limit_mib: memory_limit / (1024 * 1024),
        },
        DataFusionError::SQL(..) | DataFusionError::Plan(_) | DataFusionError::SchemaError(..) => {
            QueryError::Sql(first_line(&e.find_root().to_string()))
        }
        // SQL the engine does not support (a feature, not a stub of ours) is the reader's
        // to rewrite.
        DataFusionError::NotImplemented(m) => QueryError::Sql(first_line(m)),
        // A cast of a value the reader chose (CAST('abc' AS INT)) fails at execution.
        // What the reader's values or arguments caused: a failed cast, a bad pattern, an
        // overflow, an invalid argument (`regexp_like('a', '(')`, `abs(i64::MIN)`).
        DataFusionError::ArrowError(inner, _) if readers_fault(inner) => {
            QueryError::Sql(first_line(&inner.to_string()))
        }
        DataFusionError::Execution(m) => QueryError::Sql(first_line(m)),
        other => QueryError::Engine(other.to_string()),
    }
}

/// The first error of type `T` in the chain of causes, however the engine wrapped it.
fn cause<T: std::error::Error + 'static>(e: &DataFusionError) -> Option<&T> {
    let mut at: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = at {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(DataFusionError::External(inner)) = error.downcast_ref::<DataFusionError>()
            && let Some(found) = inner.downcast_ref::<T>()
        {
            return Some(found);
        }
        at = error.source();
    }
    None
}

/// Arrow errors a reader's expression causes with its own values or arguments.
fn readers_fault(e: &datafusion::arrow::error::ArrowError) -> bool {
    use datafusion::arrow::error::ArrowError as A;
    matches!(
        e,
        A::CastError(_)
            | A::ParseError(_)
            | A::DivideByZero
            | A::ArithmeticOverflow(_)
            | A::ComputeError(_)
            | A::InvalidArgumentError(_)
    )
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}

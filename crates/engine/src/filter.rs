//! Reader filters as DataFusion expressions: each value is read as the column's type before
//! the query runs, so a typo is a clear error instead of an empty page.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::expr::Like;
use datafusion::logical_expr::{Expr, cast, ident, lit};
use gongshu_query::{Filter, Op, QueryError};

/// The filter as an expression over `schema`, its values read as the column's type.
pub(crate) fn filter_expr(filter: &Filter, schema: &DFSchema) -> Result<Expr, QueryError> {
    let field = schema
        .field_with_unqualified_name(&filter.column)
        .map_err(|_| QueryError::UnknownColumn {
            column: filter.column.clone(),
        })?;
    let data_type = field.data_type();
    let column = ident(&filter.column);
    let value = |v: &str| typed(&filter.column, v, data_type);
    let expr = match &filter.op {
        Op::Eq(v) => column.eq(value(v)?),
        Op::Neq(v) => column.not_eq(value(v)?),
        Op::Lt(v) => column.lt(value(v)?),
        Op::Lte(v) => column.lt_eq(value(v)?),
        Op::Gt(v) => column.gt(value(v)?),
        Op::Gte(v) => column.gt_eq(value(v)?),
        Op::In(vs) => column.in_list(
            vs.iter().map(|v| value(v)).collect::<Result<_, _>>()?,
            false,
        ),
        Op::Like(p) => text(&filter.column, data_type, column)?.like(lit(pattern(p))),
        Op::ILike(p) => text(&filter.column, data_type, column)?.ilike(lit(pattern(p))),
        Op::IsNull => column.is_null(),
        Op::IsTrue | Op::IsFalse if *data_type != DataType::Boolean => {
            return Err(QueryError::BadValue {
                column: filter.column.clone(),
                value: if filter.op == Op::IsTrue {
                    "true"
                } else {
                    "false"
                }
                .to_owned(),
                data_type: data_type.to_string(),
            });
        }
        Op::IsTrue => column.is_true(),
        Op::IsFalse => column.is_false(),
    };
    Ok(if filter.negated { !expr } else { expr })
}

/// A literal of the column's type, or the reason it is not one.
fn typed(column: &str, value: &str, data_type: &DataType) -> Result<Expr, QueryError> {
    ScalarValue::try_from_string(value.to_owned(), data_type)
        .ok()
        .filter(|v| !v.is_null())
        .map(lit)
        .ok_or_else(|| QueryError::BadValue {
            column: column.to_owned(),
            value: value.to_owned(),
            data_type: data_type.to_string(),
        })
}

/// LIKE works on text; other columns are compared in their text form (a date as
/// `YYYY-MM-DD`), which is what the reader sees.
fn text(column: &str, data_type: &DataType, expr: Expr) -> Result<Expr, QueryError> {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(expr),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            Err(QueryError::BadValue {
                column: column.to_owned(),
                value: "like".to_owned(),
                data_type: data_type.to_string(),
            })
        }
        _ => Ok(cast(expr, DataType::Utf8)),
    }
}

/// Rows one of whose columns contains `needle` in the form the reader sees, ignoring case:
/// every column is compared as text (binary columns are not text and never match). The text
/// is matched literally: `%`, `_` and `\\` in it are escaped, not wildcards.
pub(crate) fn contains_expr(needle: &str, schema: &DFSchema) -> Expr {
    let mut escaped = String::with_capacity(needle.len() + 2);
    escaped.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    schema
        .fields()
        .iter()
        .filter_map(|field| {
            let column = text(field.name(), field.data_type(), ident(field.name())).ok()?;
            Some(Expr::Like(Like::new(
                false,
                Box::new(column),
                Box::new(lit(escaped.clone())),
                Some('\\'),
                true,
            )))
        })
        .reduce(Expr::or)
        .unwrap_or(lit(false))
}

/// `*` is the URL-friendly wildcard; SQL's `%` works too.
fn pattern(p: &str) -> String {
    p.replace('*', "%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_is_a_wildcard() {
        assert_eq!(pattern("110*002X"), "110%002X");
    }
}

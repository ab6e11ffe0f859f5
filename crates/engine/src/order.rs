//! Ordering and keyset paging. A page ends with a cursor that holds the sort-key values of its
//! last row; the next page starts right after them, so paging stays fast deep into a large
//! version and never skips or repeats a row while the data is unchanged. The sort key is the
//! requested order followed by every other visible column, which makes it total up to rows
//! that are identical in everything the reader sees; those are told apart by a count.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use datafusion::arrow::array::{Array, ArrayRef, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::{Expr, SortExpr, ident, lit};
use serde::{Deserialize, Serialize};

use gongshu_query::{OrderKey, QueryError};

/// The engine's sort expression of one key.
pub(crate) fn sort_expr(key: &OrderKey) -> SortExpr {
    ident(&key.column).sort(!key.descending, false)
}

/// The full sort key of a page query: what was asked, then every other column ascending.
pub(crate) fn total_order(
    requested: &[OrderKey],
    schema: &DFSchema,
) -> Result<Vec<OrderKey>, QueryError> {
    let mut keys = Vec::new();
    for key in requested {
        if schema.field_with_unqualified_name(&key.column).is_err() {
            return Err(QueryError::UnknownColumn {
                column: key.column.clone(),
            });
        }
        if !keys.iter().any(|k: &OrderKey| k.column == key.column) {
            keys.push(key.clone());
        }
    }
    for field in schema.fields() {
        if !keys.iter().any(|k| &k.column == field.name()) {
            keys.push(OrderKey {
                column: field.name().clone(),
                descending: false,
            });
        }
    }
    Ok(keys)
}

/// Where a page ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Cursor {
    /// The sort key it belongs to (`a.desc,b.asc,…`): a cursor is refused by another query.
    #[serde(rename = "k")]
    key: String,
    /// The last row's sort-key values in text form (NULL as `None`).
    #[serde(rename = "v")]
    values: Vec<Option<String>>,
    /// How many rows equal to `values` were already handed out.
    #[serde(rename = "s")]
    seen: usize,
}

fn key_signature(keys: &[OrderKey]) -> String {
    keys.iter()
        .map(|k| format!("{}.{}", k.column, if k.descending { "desc" } else { "asc" }))
        .collect::<Vec<_>>()
        .join(",")
}

impl Cursor {
    pub(crate) fn decode(text: &str, keys: &[OrderKey]) -> Result<Self, QueryError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| QueryError::BadCursor)?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| QueryError::BadCursor)?;
        // A forged count would become a negative OFFSET; no page holds a billion equal rows.
        if cursor.key != key_signature(keys)
            || cursor.values.len() != keys.len()
            || cursor.seen > 1_000_000_000
        {
            return Err(QueryError::BadCursor);
        }
        Ok(cursor)
    }

    pub(crate) fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor serialises"))
    }

    pub(crate) fn seen(&self) -> usize {
        self.seen
    }

    /// Rows at or after the cursor in the total order: `(k1, k2, …) >= (v1, v2, …)` spelled
    /// out column by column, with NULLs last in both directions.
    pub(crate) fn at_or_after(
        &self,
        keys: &[OrderKey],
        schema: &DFSchema,
    ) -> Result<Expr, QueryError> {
        let mut equal_so_far: Vec<Expr> = Vec::new();
        let mut alternatives: Vec<Expr> = Vec::new();
        for (key, value) in keys.iter().zip(&self.values) {
            let field = schema
                .field_with_unqualified_name(&key.column)
                .map_err(|_| QueryError::BadCursor)?;
            let column = ident(&key.column);
            let (after, equal) = match value {
                // Nothing sorts after NULL (NULLs are last); only NULL equals it here.
                None => (None, column.is_null()),
                Some(text) => {
                    let v = ScalarValue::try_from_string(text.clone(), field.data_type())
                        .map_err(|_| QueryError::BadCursor)?;
                    let beyond = if key.descending {
                        column.clone().lt(lit(v.clone()))
                    } else {
                        column.clone().gt(lit(v.clone()))
                    };
                    (Some(beyond.or(column.clone().is_null())), column.eq(lit(v)))
                }
            };
            if let Some(after) = after {
                alternatives.push(conjunction(equal_so_far.clone(), after));
            }
            equal_so_far.push(equal);
        }
        let all_equal = equal_so_far
            .into_iter()
            .reduce(Expr::and)
            .unwrap_or(lit(true));
        Ok(alternatives.into_iter().fold(all_equal, Expr::or))
    }
}

fn conjunction(prefix: Vec<Expr>, last: Expr) -> Expr {
    prefix.into_iter().rev().fold(last, |acc, e| e.and(acc))
}

/// The text form of each key column's value in one row, as the cursor stores it.
fn row_key(columns: &[StringArray], row: usize) -> Vec<Option<String>> {
    columns
        .iter()
        .map(|c| (!c.is_null(row)).then(|| c.value(row).to_owned()))
        .collect()
}

/// The cursor after `batches` (the rows of one page, in order), given the cursor the page
/// started from. `None` when the page was the last one.
pub(crate) fn next_cursor(
    batches: &[RecordBatch],
    keys: &[OrderKey],
    previous: Option<&Cursor>,
) -> Result<Cursor, QueryError> {
    let texts = |batch: &RecordBatch| -> Result<Vec<StringArray>, QueryError> {
        keys.iter()
            .map(|k| {
                let column: &ArrayRef = batch
                    .column_by_name(&k.column)
                    .ok_or(QueryError::BadCursor)?;
                let text =
                    cast(column, &DataType::Utf8).map_err(|e| QueryError::Engine(e.to_string()))?;
                Ok(text
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .expect("cast to Utf8 gives a StringArray")
                    .clone())
            })
            .collect()
    };
    let rows: Vec<(usize, usize)> = batches
        .iter()
        .enumerate()
        .flat_map(|(b, batch)| (0..batch.num_rows()).map(move |r| (b, r)))
        .collect();
    let columns: Vec<Vec<StringArray>> = batches.iter().map(texts).collect::<Result<_, _>>()?;
    let (lb, lr) = *rows.last().ok_or(QueryError::BadCursor)?;
    let last = row_key(&columns[lb], lr);
    let trailing_equal = rows
        .iter()
        .rev()
        .take_while(|(b, r)| row_key(&columns[*b], *r) == last)
        .count();
    let seen = match previous {
        // The whole page repeated the previous cursor's row: count on from it.
        Some(p) if trailing_equal == rows.len() && p.values == last => p.seen + trailing_equal,
        _ => trailing_equal,
    };
    Ok(Cursor {
        key: key_signature(keys),
        values: last,
        seen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_belongs_to_its_order() {
        let keys = OrderKey::parse_list("a,b").unwrap();
        let cursor = Cursor {
            key: key_signature(&keys),
            values: vec![Some("1".into()), None],
            seen: 2,
        };
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text, &keys).unwrap(), cursor);
        let other = OrderKey::parse_list("a.desc,b").unwrap();
        assert!(Cursor::decode(&text, &other).is_err());
        assert!(Cursor::decode("not a cursor", &keys).is_err());
    }
}

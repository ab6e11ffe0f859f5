//! The data preview as display text: a page of rows read under the viewer's policy, encoded
//! by the query engine as NDJSON and read back as strings, with the catalog's item names as
//! column headers and the masked columns marked. No Arrow types leave the query crate.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use gongshu_app::AppError;
use gongshu_app::data::DataPage;
use gongshu_query::{Format, encode_batches};
use serde::Serialize;
use serde_json::Value;

/// One column of the preview.
#[derive(Debug, Serialize)]
pub struct Column {
    pub code: String,
    /// The item's name in the catalog, or the code when the catalog has no such item.
    pub name: String,
    /// Shown masked under the viewer's policy.
    pub masked: bool,
}

/// The first rows of a version as the viewer's policy shows them.
#[derive(Debug, Serialize)]
pub struct Preview {
    pub version: i64,
    pub columns: Vec<Column>,
    /// Cells in column order; `None` is a null.
    pub rows: Vec<Vec<Option<String>>>,
    /// More rows follow the ones shown.
    pub more: bool,
}

impl Preview {
    /// Reads `page` into text; `names` maps item codes to their names.
    pub async fn read(page: DataPage, names: &HashMap<String, String>) -> Result<Self, AppError> {
        let columns: Vec<Column> = page
            .page
            .schema
            .fields()
            .iter()
            .map(|f| Column {
                code: f.name().clone(),
                name: names.get(f.name()).unwrap_or(f.name()).clone(),
                masked: page.masked.contains(f.name()),
            })
            .collect();
        let more = page.page.next_cursor.is_some();
        let encoded: Vec<u8> =
            encode_batches(page.page.batches, page.page.schema.clone(), Format::Ndjson)
                .await?
                .try_fold(Vec::new(), |mut all, chunk| async move {
                    all.extend_from_slice(&chunk);
                    Ok(all)
                })
                .await?;
        let rows = encoded
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| {
                let row: Value = serde_json::from_slice(line)
                    .map_err(|e| AppError::Internal(format!("preview row: {e}")))?;
                Ok(columns.iter().map(|c| cell(&row[&c.code])).collect())
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Preview {
            version: page.version,
            columns,
            rows,
            more,
        })
    }
}

/// A value as the page shows it.
fn cell(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(true) => Some("是".into()),
        Value::Bool(false) => Some("否".into()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::cell;

    #[test]
    fn cells_read_as_the_page_shows_them() {
        assert_eq!(cell(&json!(null)), None);
        assert_eq!(cell(&json!("张*")).as_deref(), Some("张*"));
        assert_eq!(cell(&json!(42)).as_deref(), Some("42"));
        assert_eq!(cell(&json!(true)).as_deref(), Some("是"));
    }
}

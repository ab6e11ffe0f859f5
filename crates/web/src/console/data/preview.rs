//! The data preview as the page shows it: the first rows the application read under the
//! viewer's policy, as text, with the catalog's item names as column headers and the masked
//! columns marked.

use std::collections::HashMap;

use gongshu_app::data::RowsPreview;
use serde::Serialize;

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
    /// The page's view of `rows`; `names` maps item codes to their names.
    pub fn new(rows: RowsPreview, names: &HashMap<String, String>) -> Self {
        Preview {
            version: rows.version,
            columns: rows
                .columns
                .into_iter()
                .map(|c| Column {
                    name: names.get(&c.code).unwrap_or(&c.code).clone(),
                    code: c.code,
                    masked: c.masked,
                })
                .collect(),
            rows: rows.rows,
            more: rows.more,
        }
    }
}

//! Column statistics for the data preview: how filled each column is, about how many distinct
//! values it has, and its smallest and largest value — all over the reader's view, so a masked
//! column's statistics are those of its masked values.

use serde::Serialize;

/// The statistics of one column of a reader's view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnStats {
    pub name: String,
    pub data_type: String,
    pub non_null: u64,
    pub nulls: u64,
    /// HyperLogLog estimate: exact enough to tell a key from a category.
    pub distinct_approx: u64,
    pub min: Option<String>,
    pub max: Option<String>,
}

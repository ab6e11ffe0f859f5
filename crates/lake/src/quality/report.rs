//! What the quality tally reports: per-item counts, the declared key's duplicates and the
//! worst rows, and the [`Tally`] the scores are computed from.

use gongshu_domain::quality::Tally;
use serde::Serialize;

use crate::report::SourcePosition;

/// How many worst rows a report keeps.
pub const WORST_ROWS: usize = 20;

/// What an ingest counted about the quality of its source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QualityReport {
    /// Data rows read, dropped ones included.
    pub rows: u64,
    /// One entry per item, in item order.
    pub items: Vec<ItemQuality>,
    /// Rows with the wrong number of fields.
    pub malformed_rows: u64,
    /// The item codes of the declared key (the items with a `unique` rule), in item order.
    pub key: Vec<String>,
    /// Rows whose key was complete and valid.
    pub key_rows: u64,
    /// Rows whose key an earlier row already had.
    pub duplicate_rows: u64,
    /// The rows with the most problems, most first (ties: earlier first); at most
    /// [`WORST_ROWS`].
    pub worst_rows: Vec<WorstRow>,
    /// Rules that no longer fit their item (its type changed, or it is gone) and were not
    /// checked.
    pub skipped_rules: Vec<String>,
}

/// The counts of one item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemQuality {
    pub code: String,
    /// Counted for completeness (a `required` rule, or a required item).
    pub required: bool,
    /// Part of the declared key.
    pub key: bool,
    /// Cells with a value (valid or not).
    pub filled: u64,
    /// Filled cells that failed coercion: wrong type, bad ID checksum, …
    pub invalid: u64,
    /// Valid cells outside the item's enumeration.
    pub not_in_enum: u64,
    /// Valid cells outside the item's range.
    pub out_of_range: u64,
    /// Valid cells that do not match the item's pattern.
    pub pattern_mismatch: u64,
}

impl QualityReport {
    /// The counts the scores are computed from (see `gongshu_domain::quality`).
    pub fn tally(&self) -> Tally {
        let required: Vec<&ItemQuality> = self.items.iter().filter(|i| i.required).collect();
        let expected: Vec<&ItemQuality> = if required.is_empty() {
            self.items.iter().collect()
        } else {
            required
        };
        let failed: u64 = self
            .items
            .iter()
            .map(|i| i.invalid + i.not_in_enum + i.out_of_range + i.pattern_mismatch)
            .sum();
        Tally {
            rows: self.rows,
            expected_cells: self.rows * expected.len() as u64,
            filled_cells: expected.iter().map(|i| i.filled.min(self.rows)).sum(),
            checked_cells: self.items.iter().map(|i| i.filled).sum::<u64>() + self.malformed_rows,
            failed_cells: failed + self.malformed_rows,
            key_rows: self.key_rows,
            duplicate_rows: self.duplicate_rows,
        }
    }
}

/// One of the worst rows: where it is in the source and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorstRow {
    /// 1-based data row, as in the bad-cell report.
    pub row: u64,
    pub source: SourcePosition,
    /// All problems of the row.
    pub problems: u32,
    /// The first of them, with reasons. The values themselves are left out: the report is
    /// shown to the reviewing authority, which holds no grant on the data.
    pub reasons: Vec<RowProblem>,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The item code; `None` for a problem of the whole row.
    pub item: Option<String>,
    /// A stable code: a bad-cell code (`bad_integer`, `bad_citizen_id`, …), `missing_required`,
    /// `not_in_enum`, `out_of_range`, `pattern_mismatch` or `duplicate_key`.
    pub code: String,
    pub zh: String,
    pub en: String,
}

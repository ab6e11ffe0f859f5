//! Data quality (数据质量, H11, H12, B11, B17): every committed version is scored on
//! completeness, validity, uniqueness and timeliness while it is ingested (the rules are in
//! `gongshu_domain::quality`, the counting in `gongshu_lake`); the owner agency adds rules per
//! data item beyond the automatic ones; the provider and the reviewing authority see the
//! scores and the worst rows; entries whose data is older than their update frequency allows
//! are listed as overdue (H12). What falls short — and what people report — becomes a quality
//! ticket (质量问题工单) addressed to the providing agency ([`tickets`]).

mod overdue;
mod report;
mod rules;
pub mod tickets;

use gongshu_domain::catalog::{DataType, UpdateFrequency, Vocabulary};
use gongshu_domain::quality::{QualityRule, Scores, Tally};
use gongshu_lake::{ItemRule, QualityReport};
use gongshu_store::quality::QualityRuleRow;
use serde::{Deserialize, Serialize};

pub use overdue::{OverdueEntry, OverduePage, OverdueParams, overdue_entries};
pub use report::{EntryQuality, entry_quality};
pub use rules::{QualityRuleView, RuleInput, create_rule, delete_rule, list_rules};
pub(crate) use tickets::open_for_version;

/// The four scores (0–100, rounded down to one decimal) and their mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QualityScores {
    /// Required items filled (every item when none is required).
    pub completeness: f64,
    /// Filled cells of the right type, checksum and within the item's rules.
    pub validity: f64,
    /// Rows whose declared key no earlier row had (100 without a declared key).
    pub uniqueness: f64,
    /// How the update kept to the entry's update frequency.
    pub timeliness: f64,
    /// The mean of the four.
    pub overall: f64,
}

impl From<Scores> for QualityScores {
    fn from(s: Scores) -> Self {
        Self {
            completeness: s.completeness,
            validity: s.validity,
            uniqueness: s.uniqueness,
            timeliness: s.timeliness,
            overall: s.overall,
        }
    }
}

/// The counts of one data item in one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemQualityView {
    pub code: String,
    /// Counted for completeness.
    pub required: bool,
    /// Part of the declared key.
    pub key: bool,
    pub filled: u64,
    /// Cells of the wrong type or with a bad ID checksum (rows dropped on upload).
    pub invalid: u64,
    pub not_in_enum: u64,
    pub out_of_range: u64,
    pub pattern_mismatch: u64,
}

/// One problem of one of the worst rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowProblemView {
    pub item: Option<String>,
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// One of the worst rows of a version, by its place in the uploaded file (values are left
/// out: the reviewing authority holds no grant on the data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorstRowView {
    /// The data row (1 is the first after the header).
    pub row: u64,
    /// Where it is in the uploaded file, as the uploader sees it (`第5行 line 5`).
    pub source: String,
    pub problems: u32,
    pub reasons: Vec<RowProblemView>,
}

/// The quality of one version, as stored in its manifest when it was committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionQuality {
    pub scores: QualityScores,
    /// The update frequency timeliness was measured against.
    pub update_frequency: String,
    /// Hours between this upload and the previous version in force (or the entry's
    /// publication, for a first version): the age timeliness was scored on.
    pub hours_since_previous_update: i64,
    /// The owner's rules in force at upload.
    pub rules: usize,
    pub rows: u64,
    pub expected_cells: u64,
    pub filled_cells: u64,
    pub checked_cells: u64,
    pub failed_cells: u64,
    /// The declared key (items with a `unique` rule).
    pub key: Vec<String>,
    pub key_rows: u64,
    pub duplicate_rows: u64,
    pub items: Vec<ItemQualityView>,
    pub worst_rows: Vec<WorstRowView>,
    /// Rules that did not fit their item at upload and were not checked.
    pub skipped_rules: Vec<String>,
}

impl VersionQuality {
    /// Scores a version from what ingest counted and the age of the data it replaces.
    pub(crate) fn score(
        report: &QualityReport,
        rules: usize,
        frequency: UpdateFrequency,
        since_previous: chrono::Duration,
    ) -> Self {
        let tally: Tally = report.tally();
        let timeliness = gongshu_domain::quality::timeliness(frequency, since_previous);
        VersionQuality {
            scores: Scores::of(&tally, timeliness).into(),
            update_frequency: frequency.code().to_owned(),
            hours_since_previous_update: since_previous.num_hours(),
            rules,
            rows: tally.rows,
            expected_cells: tally.expected_cells,
            filled_cells: tally.filled_cells,
            checked_cells: tally.checked_cells,
            failed_cells: tally.failed_cells,
            key: report.key.clone(),
            key_rows: tally.key_rows,
            duplicate_rows: tally.duplicate_rows,
            items: report
                .items
                .iter()
                .map(|i| ItemQualityView {
                    code: i.code.clone(),
                    required: i.required,
                    key: i.key,
                    filled: i.filled,
                    invalid: i.invalid,
                    not_in_enum: i.not_in_enum,
                    out_of_range: i.out_of_range,
                    pattern_mismatch: i.pattern_mismatch,
                })
                .collect(),
            worst_rows: report
                .worst_rows
                .iter()
                .map(|w| WorstRowView {
                    row: w.row,
                    source: w.source.to_string(),
                    problems: w.problems,
                    reasons: w
                        .reasons
                        .iter()
                        .map(|r| RowProblemView {
                            item: r.item.clone(),
                            code: r.code.clone(),
                            zh: r.zh.clone(),
                            en: r.en.clone(),
                        })
                        .collect(),
                })
                .collect(),
            skipped_rules: report.skipped_rules.clone(),
        }
    }

    /// Reads the manifest's JSON back; `None` for a version without quality (uploaded before
    /// scoring existed), shown as "not scored". A manifest that does not parse is an error,
    /// never "not scored": a damaged record is not passed off as a missing one.
    pub(crate) fn from_manifest(json: Option<&str>) -> crate::Result<Option<Self>> {
        json.map(serde_json::from_str)
            .transpose()
            .map_err(|e| crate::AppError::Internal(format!("stored quality manifest: {e}")))
    }
}

/// A stored rule back in domain form; `None` when its JSON no longer reads (it is then
/// skipped rather than enforced wrongly).
pub(crate) fn rule_of(row: &QualityRuleRow) -> Option<QualityRule> {
    serde_json::from_str(&row.params).ok()
}

/// The rules of an entry as ingest takes them.
pub(crate) async fn rules_for_ingest(
    conn: &mut gongshu_store::Conn,
    entry_id: &str,
) -> crate::Result<Vec<ItemRule>> {
    Ok(gongshu_store::quality::list_rules(conn, entry_id)
        .await?
        .iter()
        .filter_map(|r| {
            rule_of(r).map(|rule| ItemRule {
                item: r.item_code.clone(),
                rule,
            })
        })
        .collect())
}

/// Whether a stored data type takes a rule (unknown types take none).
pub(crate) fn fits(data_type: &str, rule: &QualityRule) -> bool {
    DataType::parse(data_type).is_ok_and(|t| rule.fits(t))
}

//! Quality tickets (质量问题工单, H11, H12, B11, B17): a quality finding addressed to the
//! providing agency, answered with a correction (a new data version that fixes it) or an
//! explanation, and then closed — or reopened — by the provider's reviewing authority.
//!
//! Findings come from four places: a committed version whose rule-driven scores fall short
//! ([`Evidence::FailedRules`]), data older than its update frequency allows
//! ([`Evidence::OverdueUpdate`], H12), a report by a platform user or the operator
//! ([`Evidence::Report`], B17), and the 一数一源 comparison of an element held by two entries
//! ([`Evidence::CrossSource`], H13). Each carries its evidence — the rule or dimension, the
//! rows by number (never a value), the version — and a finding key, so the platform never
//! keeps two active tickets for one finding on one entry.
//!
//! The life of a ticket is the smallest machine that lets the authority judge the answer:
//!
//! ```text
//!   open ──explain──▶ explained ──close──▶ closed
//!     │                   │
//!     └──correct──▶ corrected ──close──▶ closed
//!                         │
//!   open ◀──reopen── explained | corrected
//! ```
//!
//! Only the provider answers, and only an open ticket; only the authority closes or reopens,
//! and only an answered one. Closed is final: a problem that comes back is a new finding.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{UpdateFrequency, vocabulary};
use crate::{Violation, Violations};

/// Working days the provider has to answer a ticket, from its opening (or reopening). Neither
/// regulation sets a period for quality problems; five is the platform's answer period
/// everywhere else (a share request's decision, H21; a demand's review and answer, H22; the
/// authority's catalog review, H9), so agencies meet one rhythm, not several.
pub const TICKET_ANSWER_WORKING_DAYS: u32 = 5;

/// A committed version opens a ticket when completeness, validity or uniqueness scores below
/// this. Not 100: a single blank cell in a million rows is shown in the version's quality
/// report, but it is not worth a ticket the authority must follow up; a twentieth of the
/// cells or rows failing is.
pub const SCORE_THRESHOLD: f64 = 95.0;

/// The most keys a cross-source finding shows as its sample (masked).
pub const MAX_SAMPLE_KEYS: usize = 5;

/// The most row numbers a reporter may name.
pub const MAX_REPORTED_ROWS: usize = 20;

/// The most characters of a description, an answer or an authority's note.
pub const MAX_TICKET_TEXT_CHARS: usize = 2000;

vocabulary! {
    /// Where a finding came from.
    TicketKind, "kind", "问题来源" {
        FailedRules = "failed_rules", "质量规则检查未通过";
        OverdueUpdate = "overdue_update", "未按更新频率更新";
        Report = "report", "用户报告";
        CrossSource = "cross_source", "一数一源比对不一致";
    }
}

vocabulary! {
    /// Where a ticket stands.
    TicketState, "state", "工单状态" {
        Open = "open", "待答复";
        Explained = "explained", "已说明，待确认";
        Corrected = "corrected", "已整改，待确认";
        Closed = "closed", "已办结";
    }
}

vocabulary! {
    /// A scored dimension a version can fall short on (timeliness has its own finding,
    /// [`TicketKind::OverdueUpdate`]).
    Dimension, "dimension", "质量维度" {
        Completeness = "completeness", "完整性";
        Validity = "validity", "有效性";
        Uniqueness = "uniqueness", "唯一性";
    }
}

/// A step on a ticket: the provider answers, the authority judges the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketAction {
    /// Provider: the data is right, or cannot change, and here is why.
    Explain,
    /// Provider: a new version fixes it.
    Correct,
    /// Authority: the answer is accepted.
    Close,
    /// Authority: the answer is not accepted; the provider answers again.
    Reopen,
}

impl TicketAction {
    /// Whether the reviewing authority takes this step (else the provider does).
    pub fn by_authority(self) -> bool {
        matches!(self, TicketAction::Close | TicketAction::Reopen)
    }
}

impl TicketState {
    /// The state after `action`, or `None` when the action does not apply.
    pub fn next(self, action: TicketAction) -> Option<TicketState> {
        use TicketAction as A;
        use TicketState as S;
        match (self, action) {
            (S::Open, A::Explain) => Some(S::Explained),
            (S::Open, A::Correct) => Some(S::Corrected),
            (S::Explained | S::Corrected, A::Close) => Some(S::Closed),
            (S::Explained | S::Corrected, A::Reopen) => Some(S::Open),
            _ => None,
        }
    }

    /// Not closed: the finding is still being dealt with, so no second ticket is opened for it.
    pub fn is_active(self) -> bool {
        self != TicketState::Closed
    }
}

/// The three rule-driven scores of a version (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RuleScores {
    pub completeness: f64,
    pub validity: f64,
    pub uniqueness: f64,
}

impl RuleScores {
    pub fn score(&self, dimension: Dimension) -> f64 {
        match dimension {
            Dimension::Completeness => self.completeness,
            Dimension::Validity => self.validity,
            Dimension::Uniqueness => self.uniqueness,
        }
    }

    /// The dimensions below [`SCORE_THRESHOLD`]: a version with any opens a ticket.
    pub fn shortfalls(&self) -> Vec<Dimension> {
        [
            Dimension::Completeness,
            Dimension::Validity,
            Dimension::Uniqueness,
        ]
        .into_iter()
        .filter(|d| self.score(*d) < SCORE_THRESHOLD)
        .collect()
    }
}

/// What one data item failed in a version, counted while it was ingested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailures {
    pub code: String,
    /// Cells left blank of an item the owner requires.
    pub blank: u64,
    /// Cells of the wrong type or with a bad ID checksum.
    pub invalid: u64,
    pub not_in_enum: u64,
    pub out_of_range: u64,
    pub pattern_mismatch: u64,
}

impl ItemFailures {
    pub fn total(&self) -> u64 {
        self.blank + self.invalid + self.not_in_enum + self.out_of_range + self.pattern_mismatch
    }
}

/// One of a version's worst rows, by its number and place in the uploaded file, with what
/// was wrong in words (never its values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowFinding {
    /// The data row (1 is the first after the header).
    pub row: u64,
    /// Where it is in the uploaded file, as the uploader sees it (`第5行 line 5`).
    pub source: String,
    pub reasons: Vec<String>,
}

/// A committed version whose scores fall short.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleFindings {
    pub version: i64,
    pub rows: u64,
    pub scores: RuleScores,
    pub shortfalls: Vec<Dimension>,
    /// Items with at least one failed cell, in item order.
    pub items: Vec<ItemFailures>,
    /// Rows whose declared key an earlier row already had.
    pub duplicate_rows: u64,
    pub worst_rows: Vec<RowFinding>,
}

/// Data older than its update frequency allows (H12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staleness {
    pub update_frequency: UpdateFrequency,
    /// The current version; `None` when no data was ever supplied.
    pub last_version: Option<i64>,
    /// When it came into force (or the entry was published), as shown to people.
    pub last_update: String,
    pub due_at: String,
}

/// A problem reported by a person (a staff user, or the operator, B17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The data item the report is about, if it names one.
    pub item_code: Option<String>,
    /// The version the reporter looked at (the current one unless they named another).
    pub version: Option<i64>,
    /// Rows of the version the reporter names, by number (1 is the first data row).
    pub rows: Vec<u64>,
    /// Reported by the operator (运营单位), whose quality feedback goes to the authority (B17).
    pub by_operator: bool,
}

/// One item compared across two entries: the checked entry's item and the source entry's item
/// of the same name and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparedItem {
    pub name: String,
    pub code: String,
    pub source_code: String,
}

/// An element held by the source department's entry and by another entry, disagreeing on
/// rows with the same key (一数一源, H13, H14): a finding against the entry that is not the
/// source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    pub element_code: String,
    pub element_name: String,
    pub source_org_id: String,
    pub source_entry_code: String,
    pub source_version: i64,
    /// The version of the checked entry that was compared.
    pub version: i64,
    /// The key item of the checked entry (citizen ID or credit code).
    pub key_item: String,
    pub items: Vec<ComparedItem>,
    /// Rows of the checked version whose key the source version also holds.
    pub compared_rows: u64,
    /// Of those, rows where a compared item holds a value different from the source's.
    pub disagreeing_rows: u64,
    /// A few keys of disagreeing rows, masked as the catalog masks the key item.
    pub sample_keys: Vec<String>,
}

/// What a finding rests on, stored with the ticket as `{kind, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    FailedRules(RuleFindings),
    OverdueUpdate(Staleness),
    Report(Report),
    CrossSource(Disagreement),
}

impl Evidence {
    pub fn kind(&self) -> TicketKind {
        match self {
            Evidence::FailedRules(_) => TicketKind::FailedRules,
            Evidence::OverdueUpdate(_) => TicketKind::OverdueUpdate,
            Evidence::Report(_) => TicketKind::Report,
            Evidence::CrossSource(_) => TicketKind::CrossSource,
        }
    }

    /// The finding this evidence is of, per entry: one active ticket per finding. The
    /// platform's own checks find one thing per entry (its rule scores, its agreement with the
    /// source of an element); staleness is one finding per version that went stale (so a
    /// staleness the authority closed on an explanation is not found again until the next
    /// version goes stale too); a person's report is their own finding about an item (or the
    /// entry as a whole), so a second report of theirs while the first is active is refused,
    /// and another person's report is not.
    pub fn finding(&self, reporter_id: Option<&str>) -> String {
        match self {
            Evidence::FailedRules(_) => "failed_rules".into(),
            Evidence::OverdueUpdate(s) => {
                format!("overdue_update:v{}", s.last_version.unwrap_or(0))
            }
            Evidence::CrossSource(d) => format!("cross_source:{}", d.element_code),
            Evidence::Report(r) => format!(
                "report:{}:{}",
                reporter_id.unwrap_or_default(),
                r.item_code.as_deref().unwrap_or("*")
            ),
        }
    }

    /// The version the finding is about, if any.
    pub fn version(&self) -> Option<i64> {
        match self {
            Evidence::FailedRules(f) => Some(f.version),
            Evidence::OverdueUpdate(s) => s.last_version,
            Evidence::Report(r) => r.version,
            Evidence::CrossSource(d) => Some(d.version),
        }
    }
}

/// What a step of a ticket's history did: its opening, or one of the [`TicketAction`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStepAction {
    Open,
    Explain,
    Correct,
    Close,
    Reopen,
}

impl From<TicketAction> for TicketStepAction {
    fn from(action: TicketAction) -> Self {
        match action {
            TicketAction::Explain => Self::Explain,
            TicketAction::Correct => Self::Correct,
            TicketAction::Close => Self::Close,
            TicketAction::Reopen => Self::Reopen,
        }
    }
}

impl TicketStepAction {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Open => "立单",
            Self::Explain => "提供单位说明",
            Self::Correct => "提供单位整改",
            Self::Close => "主管部门确认办结",
            Self::Reopen => "主管部门退回重办",
        }
    }
}

/// One step of a ticket's history, stored (and shown) as `{at, by, action, note, version}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketStep {
    /// When, as shown to people (China time).
    pub at: String,
    /// The username of who took it; `system` for the platform's own findings.
    pub by: String,
    pub action: TicketStepAction,
    pub note: String,
    /// The correcting version, for a correction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A quality ticket as the platform keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityTicket {
    pub id: String,
    pub entry_id: String,
    /// The providing agency the ticket is addressed to (the entry's owner when it was opened).
    pub org_id: String,
    /// See [`Evidence::finding`].
    pub finding: String,
    pub state: TicketState,
    /// One line saying what was found, in Chinese.
    pub summary: String,
    /// The reporter's words, or the platform's longer account.
    pub description: String,
    pub evidence: Evidence,
    /// The version the finding is about, if any.
    pub version: Option<i64>,
    /// The account that reported it; `None` for the platform's own findings.
    pub reporter_id: Option<String>,
    pub reporter_org_id: Option<String>,
    /// The last day (China time, inclusive) the provider may answer an open ticket.
    pub due_date: NaiveDate,
    /// The version the provider's last correction named.
    pub fixed_version: Option<i64>,
    /// Oldest first; the opening is the first step.
    pub history: Vec<TicketStep>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl QualityTicket {
    pub fn kind(&self) -> TicketKind {
        self.evidence.kind()
    }

    /// Unanswered past its due date (the authority's overdue list). Answered tickets wait on
    /// the authority, not the provider, and are never overdue.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state == TicketState::Open && today > self.due_date
    }
}

/// A version offered as the correction of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub version: i64,
    /// When it came into force (µs since the epoch).
    pub in_force_at: i64,
}

/// Whether `candidate` can be the correction of `ticket`: it must be newer than the version the
/// finding is about and than any correction already offered, and have come into force after
/// the ticket was opened — a fix follows the finding.
pub fn check_correction(ticket: &QualityTicket, candidate: Candidate) -> Result<(), Violation> {
    let floor = ticket.version.max(ticket.fixed_version).unwrap_or(0);
    if candidate.version <= floor || candidate.in_force_at < ticket.created_at {
        return Err(Violation::new(
            "version",
            "not_a_correction",
            format!(
                "第{}版不能作为整改版本：整改版本应是工单立单后生效的新版本{}",
                candidate.version,
                if floor > 0 {
                    format!("（晚于第{floor}版）")
                } else {
                    String::new()
                }
            ),
            format!(
                "version {} cannot be the correction: it must be a version that came into force after the ticket was opened{}",
                candidate.version,
                if floor > 0 {
                    format!(" (newer than version {floor})")
                } else {
                    String::new()
                }
            ),
        ));
    }
    Ok(())
}

/// A required text of at most [`MAX_TICKET_TEXT_CHARS`], trimmed.
pub fn required_text(field: &str, zh_name: &str, text: &str) -> Result<String, Violations> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Violations(vec![Violation::required(field, zh_name)]));
    }
    optional_text(field, zh_name, text)
}

/// An optional text of at most [`MAX_TICKET_TEXT_CHARS`], trimmed.
pub fn optional_text(field: &str, zh_name: &str, text: &str) -> Result<String, Violations> {
    let text = text.trim();
    if text.chars().count() > MAX_TICKET_TEXT_CHARS {
        return Err(Violations(vec![Violation::too_long(
            field,
            zh_name,
            MAX_TICKET_TEXT_CHARS,
        )]));
    }
    Ok(text.to_owned())
}

/// Row numbers a reporter names: at most [`MAX_REPORTED_ROWS`], each from 1 (the first data
/// row) to the version's row count; returned sorted, without repeats.
pub fn check_rows(rows: &[u64], version_rows: u64) -> Result<Vec<u64>, Violations> {
    if rows.len() > MAX_REPORTED_ROWS {
        return Err(Violations(vec![Violation::new(
            "rows",
            "too_many",
            format!("最多列出{MAX_REPORTED_ROWS}个行号"),
            format!("list at most {MAX_REPORTED_ROWS} row numbers"),
        )]));
    }
    if let Some(bad) = rows.iter().find(|r| **r == 0 || **r > version_rows) {
        return Err(Violations(vec![Violation::new(
            "rows",
            "out_of_range",
            format!("行号{bad}不存在：该版本共{version_rows}行数据，行号从1开始"),
            format!(
                "row {bad} does not exist: the version has {version_rows} data rows, numbered from 1"
            ),
        )]));
    }
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ACTIONS: [TicketAction; 4] = [
        TicketAction::Explain,
        TicketAction::Correct,
        TicketAction::Close,
        TicketAction::Reopen,
    ];

    fn action() -> impl Strategy<Value = TicketAction> {
        prop::sample::select(ACTIONS.to_vec())
    }

    fn ticket(version: Option<i64>, fixed: Option<i64>) -> QualityTicket {
        QualityTicket {
            id: "t".into(),
            entry_id: "e".into(),
            org_id: "gaj".into(),
            finding: "failed_rules".into(),
            state: TicketState::Open,
            summary: String::new(),
            description: String::new(),
            evidence: Evidence::Report(Report {
                item_code: None,
                version: None,
                rows: Vec::new(),
                by_operator: false,
            }),
            version,
            reporter_id: None,
            reporter_org_id: None,
            due_date: NaiveDate::from_ymd_opt(2025, 9, 8).unwrap(),
            fixed_version: fixed,
            history: Vec::new(),
            created_at: 1_000,
            updated_at: 1_000,
        }
    }

    proptest! {
        /// H11, B17: whatever steps are tried, a ticket closes only after the provider
        /// answered since it was last (re)opened; closed is final; the provider acts only on
        /// an open ticket and the authority only on an answered one.
        #[test]
        fn h11_b17_a_ticket_closes_only_on_an_answer_and_stays_closed(
            actions in prop::collection::vec(action(), 0..16)
        ) {
            let mut state = TicketState::Open;
            let mut answered = false;
            for a in actions {
                let before = state;
                match state.next(a) {
                    Some(next) => {
                        prop_assert_ne!(before, TicketState::Closed);
                        if a.by_authority() {
                            prop_assert!(answered, "{:?} on an unanswered ticket", a);
                        } else {
                            prop_assert_eq!(before, TicketState::Open);
                        }
                        match next {
                            TicketState::Open => answered = false,
                            TicketState::Explained | TicketState::Corrected => answered = true,
                            TicketState::Closed => prop_assert!(answered),
                        }
                        state = next;
                    }
                    None => prop_assert!(
                        before == TicketState::Closed
                            || (a.by_authority() && before == TicketState::Open)
                            || (!a.by_authority() && before != TicketState::Open)
                    ),
                }
            }
            prop_assert_eq!(state.is_active(), state != TicketState::Closed);
        }

        /// H11: a correction is a version newer than the finding's and any earlier
        /// correction, in force after the ticket opened.
        #[test]
        fn h11_a_correction_is_newer_than_the_finding(
            version in prop::option::of(1i64..20),
            fixed in prop::option::of(1i64..20),
            candidate in 1i64..40,
            in_force_at in 0i64..2_000,
        ) {
            let t = ticket(version, fixed);
            let ok = check_correction(&t, Candidate { version: candidate, in_force_at }).is_ok();
            let floor = version.max(fixed).unwrap_or(0);
            prop_assert_eq!(ok, candidate > floor && in_force_at >= t.created_at);
        }

        /// H11: reported row numbers are kept in range, sorted and unique.
        #[test]
        fn h11_reported_rows_are_in_range(rows in prop::collection::vec(0u64..60, 0..25), total in 0u64..50) {
            match check_rows(&rows, total) {
                Ok(kept) => {
                    prop_assert!(rows.len() <= MAX_REPORTED_ROWS);
                    prop_assert!(kept.iter().all(|r| (1..=total).contains(r)));
                    prop_assert!(kept.windows(2).all(|w| w[0] < w[1]));
                }
                Err(_) => prop_assert!(
                    rows.len() > MAX_REPORTED_ROWS || rows.iter().any(|r| *r == 0 || *r > total)
                ),
            }
        }
    }

    // H11, B17: only the rule-driven dimensions below the threshold are shortfalls.
    #[test]
    fn h11_shortfalls_are_the_dimensions_below_the_threshold() {
        let s = RuleScores {
            completeness: 100.0,
            validity: 94.9,
            uniqueness: 95.0,
        };
        assert_eq!(s.shortfalls(), vec![Dimension::Validity]);
        let none = RuleScores {
            completeness: 95.0,
            validity: 99.0,
            uniqueness: 100.0,
        };
        assert!(none.shortfalls().is_empty());
    }

    // H11, H13: the stored evidence keeps its shape and reads back; an unknown kind does not.
    #[test]
    fn h11_evidence_reads_back_and_an_unknown_kind_fails() {
        let evidence = Evidence::CrossSource(Disagreement {
            element_code: "NP01".into(),
            element_name: "户籍登记".into(),
            source_org_id: "gaj".into(),
            source_entry_code: "101-0001".into(),
            source_version: 2,
            version: 4,
            key_item: "sfzh".into(),
            items: vec![ComparedItem {
                name: "姓名".into(),
                code: "xm".into(),
                source_code: "xm".into(),
            }],
            compared_rows: 10,
            disagreeing_rows: 3,
            sample_keys: vec!["150***********0012".into()],
        });
        let json = serde_json::to_string(&evidence).unwrap();
        assert!(json.starts_with(r#"{"kind":"cross_source""#), "{json}");
        assert_eq!(serde_json::from_str::<Evidence>(&json).unwrap(), evidence);
        assert_eq!(evidence.kind(), TicketKind::CrossSource);
        assert_eq!(evidence.finding(None), "cross_source:NP01");
        let unknown = json.replace("cross_source", "hearsay");
        assert!(serde_json::from_str::<Evidence>(&unknown).is_err());
        let stale = Evidence::OverdueUpdate(Staleness {
            update_frequency: UpdateFrequency::Monthly,
            last_version: Some(3),
            last_update: "2025-08-01 09:00:00".into(),
            due_at: "2025-09-01 09:00:00".into(),
        });
        let json = serde_json::to_string(&stale).unwrap();
        assert!(json.contains(r#""update_frequency":"monthly""#), "{json}");
        assert_eq!(stale.version(), Some(3));
        assert_eq!(stale.finding(None), "overdue_update:v3");
    }

    // H11, B17: a person's report is their own finding about an item.
    #[test]
    fn b17_reports_are_findings_of_their_reporter_and_item() {
        let report = |item: Option<&str>| {
            Evidence::Report(Report {
                item_code: item.map(str::to_owned),
                version: Some(1),
                rows: vec![],
                by_operator: true,
            })
        };
        assert_eq!(report(Some("xm")).finding(Some("u1")), "report:u1:xm");
        assert_eq!(report(None).finding(Some("u1")), "report:u1:*");
        assert_ne!(
            report(Some("xm")).finding(Some("u1")),
            report(Some("xm")).finding(Some("u2"))
        );
    }

    // H11: overdue means unanswered past the due date; an answered ticket waits on the
    // authority and is not the provider's delay.
    #[test]
    fn h11_only_an_open_ticket_past_its_due_date_is_overdue() {
        let mut t = ticket(None, None);
        let due = t.due_date;
        assert!(!t.is_overdue(due));
        assert!(t.is_overdue(due.succ_opt().unwrap()));
        t.state = TicketState::Explained;
        assert!(!t.is_overdue(due.succ_opt().unwrap()));
    }

    #[test]
    fn texts_are_trimmed_required_and_bounded() {
        assert_eq!(required_text("note", "说明", "  好 ").unwrap(), "好");
        assert!(required_text("note", "说明", "   ").is_err());
        let long = "字".repeat(MAX_TICKET_TEXT_CHARS + 1);
        assert!(optional_text("note", "说明", &long).is_err());
        assert_eq!(optional_text("note", "说明", "").unwrap(), "");
    }
}

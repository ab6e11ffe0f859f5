//! Share requests (共享申请, H17–H21): the life of a share request and of the grant it
//! produces, as pure rules. A request is decided once (approve, possibly narrower, or refuse
//! citing a legal basis); an approval becomes a grant at once or after a prepared delivery.
//! What a grant allows at an instant is a function of its state and its period, so expiry
//! stops access exactly when the period ends without any job having to run.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{ShareMode, ShareType};
use crate::error::{Violation, Violations};
use crate::grant::RowFilter;

/// Working days the source department has to decide a conditional request, and to deliver
/// after agreeing when delivery needs preparation (H21).
pub const DECISION_WORKING_DAYS: u32 = 5;
pub const DELIVERY_WORKING_DAYS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for the source department's decision.
    Pending,
    /// Approved; the source prepares the delivery (grant not yet active).
    Preparing,
    /// Approved and delivered: a grant exists.
    Granted,
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestAction {
    /// Unconditional entries: granted at once, still recorded as a request (H21).
    GrantAtOnce,
    Approve {
        prepare: bool,
    },
    Deliver,
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a share request that is {state:?}")]
pub struct RequestTransitionError {
    pub state: RequestState,
    pub action: RequestAction,
}

impl RequestTransitionError {
    pub fn zh(&self) -> String {
        format!(
            "申请当前状态为“{}”，不能执行“{}”",
            self.state.zh(),
            self.action.zh()
        )
    }
}

impl RequestState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Preparing => "preparing",
            Self::Granted => "granted",
            Self::Refused => "refused",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Pending, Self::Preparing, Self::Granted, Self::Refused]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Pending => "待答复",
            Self::Preparing => "已同意，准备交付",
            Self::Granted => "已授权",
            Self::Refused => "已拒绝",
        }
    }

    /// The state after `action`. Decisions are final: nothing leaves `Granted` or `Refused`
    /// (a grant ends by revocation or expiry, which are the grant's states, not the request's).
    pub fn next(self, action: RequestAction) -> Result<Self, RequestTransitionError> {
        use RequestAction as A;
        use RequestState as S;
        match (self, action) {
            (S::Pending, A::GrantAtOnce) => Ok(S::Granted),
            (S::Pending, A::Approve { prepare: true }) => Ok(S::Preparing),
            (S::Pending, A::Approve { prepare: false }) => Ok(S::Granted),
            (S::Preparing, A::Deliver) => Ok(S::Granted),
            (S::Pending, A::Refuse) => Ok(S::Refused),
            (state, action) => Err(RequestTransitionError { state, action }),
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Preparing)
    }
}

impl RequestAction {
    pub fn zh(self) -> &'static str {
        match self {
            Self::GrantAtOnce => "即时授权",
            Self::Approve { .. } => "同意",
            Self::Deliver => "交付",
            Self::Refuse => "拒绝",
        }
    }
}

/// The modes a request may ask for, by share type: not-shared data answers only verification
/// (核验比对), and only modes the catalog entry offers can be asked for.
pub fn check_modes(
    share_type: ShareType,
    offered: &[ShareMode],
    asked: &[ShareMode],
) -> Result<(), Violation> {
    if asked.is_empty() {
        return Err(Violation::required("modes", "共享方式"));
    }
    for mode in asked {
        if share_type == ShareType::NotShared && *mode != ShareMode::Verification {
            return Err(Violation::new(
                "modes",
                "not_shared_verification_only",
                "不予共享的数据只能申请核验比对",
                "data that is not shared can only be requested for verification",
            ));
        }
        if share_type != ShareType::NotShared && !offered.contains(mode) {
            return Err(Violation::new(
                "modes",
                "mode_not_offered",
                format!(
                    "该目录条目不提供“{}”方式",
                    crate::catalog::Vocabulary::zh(*mode)
                ),
                format!(
                    "this entry does not offer the mode {}",
                    crate::catalog::Vocabulary::code(*mode)
                ),
            ));
        }
    }
    Ok(())
}

/// What a requester asks for (H20): a subset of the entry's items until an end date, with
/// the commitments ticked.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    pub items: &'a [String],
    pub entry_items: &'a [String],
    pub until: NaiveDate,
    pub today: NaiveDate,
    pub commitments: Commitments,
}

/// The requester's commitments (H20): purpose-bound use, no onward transfer, security.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitments {
    pub purpose_bound: bool,
    pub no_onward_transfer: bool,
    pub security: bool,
}

/// The longest period one request may ask for: re-ask after three years.
pub const MAX_GRANT_DAYS: i64 = 3 * 366;

pub fn check_ask(ask: &Ask<'_>) -> Result<(), Violations> {
    let mut v = Violations::default();
    check_items("items", ask.items, ask.entry_items, &mut v);
    if ask.until < ask.today {
        v.push(Violation::new(
            "until",
            "until_in_past",
            "使用截止日期不能早于今天",
            "the end date cannot be in the past",
        ));
    } else if (ask.until - ask.today).num_days() > MAX_GRANT_DAYS {
        v.push(Violation::new(
            "until",
            "until_too_far",
            "使用期限最长三年",
            "the period of use is at most three years",
        ));
    }
    let c = ask.commitments;
    if !(c.purpose_bound && c.no_onward_transfer && c.security) {
        v.push(Violation::new(
            "commitments",
            "commitments_required",
            "须承诺按申请用途使用、不向第三方提供、落实安全保护措施",
            "the requester must commit to purpose-bound use, no onward transfer and security",
        ));
    }
    v.into_result()
}

fn check_items(field: &str, items: &[String], allowed: &[String], v: &mut Violations) {
    if items.is_empty() {
        v.push(Violation::required(field, "数据项"));
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if !allowed.contains(item) {
            v.push(Violation::new(
                format!("{field}[{i}]"),
                "unknown_item",
                format!("数据项“{item}”不在可选范围内"),
                format!("the item {item} is not one that can be chosen"),
            ));
        } else if items[..i].contains(item) {
            v.push(Violation::new(
                format!("{field}[{i}]"),
                "duplicate_item",
                format!("数据项“{item}”重复"),
                format!("the item {item} is listed twice"),
            ));
        }
    }
}

/// An approval may only narrow what was asked (H20: the minimum): fewer items, an earlier
/// end date, a row filter.
pub fn check_approval(
    requested: &[String],
    approved: &[String],
    requested_until: NaiveDate,
    approved_until: NaiveDate,
    today: NaiveDate,
) -> Result<(), Violations> {
    let mut v = Violations::default();
    check_items("items", approved, requested, &mut v);
    if approved_until > requested_until {
        v.push(Violation::new(
            "until",
            "until_beyond_request",
            "批准的截止日期不能晚于申请的截止日期",
            "the approved end date cannot be later than the one requested",
        ));
    } else if approved_until < today {
        v.push(Violation::new(
            "until",
            "until_in_past",
            "使用截止日期不能早于今天",
            "the end date cannot be in the past",
        ));
    }
    v.into_result()
}

/// A refusal must cite a legal basis (H21).
pub fn check_refusal(legal_basis: &str, reason: &str) -> Result<(), Violations> {
    let mut v = Violations::default();
    if legal_basis.trim().is_empty() {
        v.push(Violation::new(
            "legal_basis",
            "legal_basis_required",
            "拒绝共享必须说明法律法规依据",
            "a refusal must cite its legal basis",
        ));
    }
    if reason.trim().is_empty() {
        v.push(Violation::required("reason", "拒绝理由"));
    }
    v.into_result()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantState {
    Active,
    /// Stopped by the authority (H41); may be reinstated.
    Suspended,
    /// Ended by the source department; final.
    Revoked,
}

impl GrantState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Active, Self::Suspended, Self::Revoked]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// What a grant allows at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    Active,
    NotYetValid,
    Expired,
    Suspended,
    Revoked,
}

impl GrantStatus {
    /// The status of a grant in `state`, valid over `[from, until)` (micros), at `now`.
    pub fn at(state: GrantState, from: i64, until: i64, now: i64) -> Self {
        match state {
            GrantState::Revoked => Self::Revoked,
            GrantState::Suspended => Self::Suspended,
            GrantState::Active if now < from => Self::NotYetValid,
            GrantState::Active if now >= until => Self::Expired,
            GrantState::Active => Self::Active,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::NotYetValid => "not_yet_valid",
            Self::Expired => "expired",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Active => "有效",
            Self::NotYetValid => "未生效",
            Self::Expired => "已到期",
            Self::Suspended => "已暂停",
            Self::Revoked => "已撤销",
        }
    }
}

/// The calendar months (`YYYY-MM`) a grantee owes a usage report for (H34): every month that
/// overlaps the grant's days of use `[first, last]` and has ended before `today`.
pub fn usage_periods_due(first: NaiveDate, last: NaiveDate, today: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let mut month = first.with_day(1).expect("day 1 exists");
    while month <= last {
        let next = month
            .checked_add_months(chrono::Months::new(1))
            .expect("a month later exists");
        if next > today {
            break;
        }
        out.push(month.format("%Y-%m").to_string());
        month = next;
    }
    out
}

/// A share request as the platform keeps it, with the source's decision typed: the store
/// parses the stored JSON into these once, and a value that does not parse is an error there,
/// never a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRequest {
    pub id: String,
    pub entry_id: String,
    pub source_org_id: String,
    pub requester_org_id: String,
    pub requested_by: String,
    pub share_type: ShareType,
    pub items: Vec<String>,
    pub modes: Vec<ShareMode>,
    pub scenario: String,
    pub purpose: String,
    pub using_unit: String,
    /// Last day of use (inclusive, China time).
    pub until: NaiveDate,
    pub commitments: Commitments,
    pub state: RequestState,
    /// `None` while pending.
    pub decision: Option<Decision>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The source's answer (H21), stored as tagged JSON (`{"kind": "approved", …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// An unconditional entry: granted when asked, still on record (H21).
    GrantedAtOnce,
    /// Approved, possibly narrower than asked.
    Approved {
        items: Vec<String>,
        until: NaiveDate,
        row_filter: RowFilter,
        /// The grant starts when the source delivers (due 5 working days later).
        prepare: bool,
        note: String,
    },
    Refused {
        reason: String,
        /// The law and article the refusal rests on.
        legal_basis: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = RequestAction> {
        prop_oneof![
            Just(RequestAction::GrantAtOnce),
            Just(RequestAction::Approve { prepare: true }),
            Just(RequestAction::Approve { prepare: false }),
            Just(RequestAction::Deliver),
            Just(RequestAction::Refuse),
        ]
    }

    proptest! {
        /// H21: decisions are final — once granted or refused, no action changes the request.
        #[test]
        fn h21_decisions_are_final(actions in prop::collection::vec(action(), 0..12)) {
            let mut state = RequestState::Pending;
            let mut decided = false;
            for a in actions {
                match state.next(a) {
                    Ok(next) => {
                        prop_assert!(!decided, "{state:?} moved to {next:?}");
                        state = next;
                        decided = !state.is_open();
                    }
                    Err(e) => prop_assert_eq!(e.state, state),
                }
            }
        }

        /// H20/H21: a grant is active exactly within its period, unless suspended or revoked.
        #[test]
        fn h20_grant_is_active_exactly_within_its_period(from in 0i64..1000, len in 1i64..1000, now in -10i64..3000) {
            let until = from + len;
            let status = GrantStatus::at(GrantState::Active, from, until, now);
            prop_assert_eq!(status == GrantStatus::Active, from <= now && now < until);
            prop_assert_eq!(GrantStatus::at(GrantState::Suspended, from, until, now), GrantStatus::Suspended);
            prop_assert_eq!(GrantStatus::at(GrantState::Revoked, from, until, now), GrantStatus::Revoked);
        }
    }

    #[test]
    fn h21_prepared_delivery_goes_through_preparing() {
        let s = RequestState::Pending
            .next(RequestAction::Approve { prepare: true })
            .unwrap();
        assert_eq!(s, RequestState::Preparing);
        assert_eq!(
            s.next(RequestAction::Deliver).unwrap(),
            RequestState::Granted
        );
        assert!(s.next(RequestAction::Refuse).is_err());
    }

    #[test]
    fn h21_not_shared_data_answers_only_verification() {
        let all = [
            ShareMode::ApiQuery,
            ShareMode::BulkDownload,
            ShareMode::Verification,
        ];
        assert!(check_modes(ShareType::NotShared, &[], &[ShareMode::Verification]).is_ok());
        let e = check_modes(ShareType::NotShared, &all, &[ShareMode::ApiQuery]).unwrap_err();
        assert_eq!(e.code, "not_shared_verification_only");
        let e = check_modes(
            ShareType::Conditional,
            &[ShareMode::ApiQuery],
            &[ShareMode::BulkDownload],
        )
        .unwrap_err();
        assert_eq!(e.code, "mode_not_offered");
        assert!(check_modes(ShareType::Conditional, &all, &[]).is_err());
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn items(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn h20_an_ask_names_known_items_a_future_date_and_every_commitment() {
        let entry = items(&["a", "b", "c"]);
        let ok = Commitments {
            purpose_bound: true,
            no_onward_transfer: true,
            security: true,
        };
        let ask = |i: &[&str], until, commitments| {
            let wanted = items(i);
            check_ask(&Ask {
                items: &wanted,
                entry_items: &entry,
                until,
                today: day(10),
                commitments,
            })
        };
        assert!(ask(&["a", "b"], day(31), ok).is_ok());
        let codes = |r: Result<(), Violations>| -> Vec<&str> {
            r.unwrap_err().0.into_iter().map(|v| v.code).collect()
        };
        assert_eq!(codes(ask(&[], day(31), ok)), ["required"]);
        assert_eq!(codes(ask(&["z"], day(31), ok)), ["unknown_item"]);
        assert_eq!(codes(ask(&["a", "a"], day(31), ok)), ["duplicate_item"]);
        assert_eq!(codes(ask(&["a"], day(9), ok)), ["until_in_past"]);
        assert_eq!(
            codes(ask(&["a"], day(31), Commitments::default())),
            ["commitments_required"]
        );
    }

    #[test]
    fn h20_an_approval_only_narrows() {
        let asked = items(&["a", "b", "c"]);
        assert!(check_approval(&asked, &items(&["a", "c"]), day(31), day(20), day(10)).is_ok());
        assert!(check_approval(&asked, &items(&["d"]), day(31), day(20), day(10)).is_err());
        assert!(check_approval(&asked, &items(&["a"]), day(20), day(31), day(10)).is_err());
        assert!(check_approval(&asked, &items(&[]), day(20), day(20), day(10)).is_err());
    }

    #[test]
    fn h34_a_report_is_owed_for_each_ended_month_of_use() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // Used 2025-09-15 .. 2025-12-10; on 2025-11-01 September and October have ended.
        assert_eq!(
            usage_periods_due(d(2025, 9, 15), d(2025, 12, 10), d(2025, 11, 1)),
            ["2025-09", "2025-10"]
        );
        // On the last day of October, October has not ended yet.
        assert_eq!(
            usage_periods_due(d(2025, 9, 15), d(2025, 12, 10), d(2025, 10, 31)),
            ["2025-09"]
        );
        // Months after the grant ended are not owed.
        assert_eq!(
            usage_periods_due(d(2025, 9, 15), d(2025, 9, 20), d(2026, 3, 1)),
            ["2025-09"]
        );
        assert!(usage_periods_due(d(2025, 9, 15), d(2025, 12, 10), d(2025, 9, 30)).is_empty());
    }

    #[test]
    fn h21_a_refusal_cites_a_legal_basis() {
        let e = check_refusal("  ", "涉及个人隐私").unwrap_err();
        assert_eq!(e.0[0].code, "legal_basis_required");
        assert!(check_refusal("《中华人民共和国个人信息保护法》第十三条", "涉及个人隐私").is_ok());
    }

    #[test]
    fn h21_decisions_keep_their_stored_form() {
        let approved = r#"{"kind":"approved","items":["xm"],"until":"2027-03-31","row_filter":[["qx","eq.新城区"]],"prepare":false,"note":""}"#;
        let d: Decision = serde_json::from_str(approved).unwrap();
        assert!(
            matches!(&d, Decision::Approved { row_filter, .. } if row_filter.conditions().len() == 1)
        );
        assert_eq!(serde_json::to_string(&d).unwrap(), approved);
        let refused = r#"{"kind":"refused","reason":"涉及国家秘密","legal_basis":"《保守国家秘密法》第九条"}"#;
        assert_eq!(
            serde_json::to_string(&serde_json::from_str::<Decision>(refused).unwrap()).unwrap(),
            refused
        );
        assert_eq!(
            serde_json::from_str::<Decision>(r#"{"kind":"granted_at_once"}"#).unwrap(),
            Decision::GrantedAtOnce
        );
    }

    #[test]
    fn h21_a_damaged_decision_is_an_error_not_a_default() {
        for damaged in [
            // The fail-open case: a row filter that does not parse must not read as "none".
            r#"{"kind":"approved","items":["xm"],"until":"2027-03-31","row_filter":"qx=新城区","prepare":false,"note":""}"#,
            r#"{"kind":"approved","items":["xm"],"until":"2027-03-31","prepare":false,"note":""}"#,
            r#"{"kind":"approved","items":["xm"],"until":"someday","row_filter":[],"prepare":false,"note":""}"#,
            r#"{"kind":"maybe"}"#,
            "{}",
        ] {
            assert!(
                serde_json::from_str::<Decision>(damaged).is_err(),
                "{damaged}"
            );
        }
    }
}

//! Demand requests (需求申请, H22/H23): a request for data no catalog lists yet, reviewed by
//! the authority, answered by the source department it names, and delivered once agreed — as
//! a pure state machine whose every path ends exactly once. The demand as the platform keeps
//! it is typed here too: the store parses the stored row into [`DemandRequest`] once, and a
//! value that does not parse is an error there, never a default.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Working days for each step of a demand request for uncatalogued data (H22): the authority
/// reviews, the source department answers, and delivers after agreeing to share directly.
pub const DEMAND_REVIEW_WORKING_DAYS: u32 = 5;
pub const DEMAND_ANSWER_WORKING_DAYS: u32 = 5;
pub const DEMAND_DELIVERY_WORKING_DAYS: u32 = 7;

/// A demand request (需求申请, H22/H23) for data no catalog lists yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandState {
    /// Waiting for the authority's review.
    Submitted,
    /// The authority named a source department, which must answer.
    Assigned,
    /// The source agreed to share directly: it catalogs the data and delivers within 7 WD.
    Delivering,
    /// The source needs to process the data first and stated by when.
    Processing,
    /// The data sits in an upper-level (region / nation) system: an upward request is
    /// recorded and tracked by the authority (H22, H23).
    Upward,
    Delivered,
    /// Refused by the source with reason and legal basis, or rejected by the authority.
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandAction {
    /// Authority: name the source department.
    Assign,
    /// Authority: the data is national, regional or another city's; ask upward (H23).
    ForwardUpward,
    /// Authority: not a valid demand.
    Reject,
    /// Source answers.
    ShareDirectly,
    NeedsProcessing,
    HeldUpstream,
    Refuse,
    /// Source (or, for upward requests, the authority) records the delivery.
    Deliver,
}

/// A demand request as the platform keeps it: where it stands, who must act next and by
/// when, and every step taken so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandRequest {
    pub id: String,
    pub requester_org_id: String,
    pub requested_by: String,
    pub title: String,
    pub description: String,
    pub scenario: String,
    pub state: DemandState,
    /// The source department the authority named, once it has.
    pub source_org_id: Option<String>,
    /// The organisation that must act next, and the last day it may (inclusive, China time).
    pub assignee_org_id: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub reminded_at: Option<i64>,
    pub overdue_at: Option<i64>,
    /// The catalog entry the data was delivered as, once delivered.
    pub entry_code: Option<String>,
    /// Oldest first; the submission is the first step.
    pub history: Vec<DemandStep>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One step of a demand's history, stored (and shown) as `{at, by, action, note}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandStep {
    /// When, as shown to people (China time).
    pub at: String,
    /// The username of who took the step.
    pub by: String,
    pub action: DemandStepAction,
    pub note: String,
}

/// What a step of a demand's history did: the submission, or one of the [`DemandAction`]s.
/// The codes are those the history has always been written with, so older rows still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DemandStepAction {
    #[serde(rename = "submit")]
    Submit,
    #[serde(rename = "assign_demand")]
    Assign,
    #[serde(rename = "forward_demand_upward")]
    ForwardUpward,
    #[serde(rename = "reject_demand")]
    Reject,
    #[serde(rename = "answer_share")]
    ShareDirectly,
    #[serde(rename = "answer_needs_processing")]
    NeedsProcessing,
    #[serde(rename = "answer_held_upstream")]
    HeldUpstream,
    #[serde(rename = "answer_refuse")]
    Refuse,
    #[serde(rename = "deliver")]
    Deliver,
}

impl From<DemandAction> for DemandStepAction {
    fn from(action: DemandAction) -> Self {
        match action {
            DemandAction::Assign => Self::Assign,
            DemandAction::ForwardUpward => Self::ForwardUpward,
            DemandAction::Reject => Self::Reject,
            DemandAction::ShareDirectly => Self::ShareDirectly,
            DemandAction::NeedsProcessing => Self::NeedsProcessing,
            DemandAction::HeldUpstream => Self::HeldUpstream,
            DemandAction::Refuse => Self::Refuse,
            DemandAction::Deliver => Self::Deliver,
        }
    }
}

impl DemandState {
    pub const ALL: [Self; 7] = [
        Self::Submitted,
        Self::Assigned,
        Self::Delivering,
        Self::Processing,
        Self::Upward,
        Self::Delivered,
        Self::Refused,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Assigned => "assigned",
            Self::Delivering => "delivering",
            Self::Processing => "processing",
            Self::Upward => "upward",
            Self::Delivered => "delivered",
            Self::Refused => "refused",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Submitted => "待主管部门审核",
            Self::Assigned => "待数源部门答复",
            Self::Delivering => "同意共享，待交付",
            Self::Processing => "需加工处理",
            Self::Upward => "已向上级申请",
            Self::Delivered => "已交付",
            Self::Refused => "不予共享",
        }
    }

    pub fn next(self, action: DemandAction) -> Option<Self> {
        use DemandAction as A;
        use DemandState as S;
        match (self, action) {
            (S::Submitted, A::Assign) => Some(S::Assigned),
            (S::Submitted, A::ForwardUpward) => Some(S::Upward),
            (S::Submitted, A::Reject) => Some(S::Refused),
            (S::Assigned, A::ShareDirectly) => Some(S::Delivering),
            (S::Assigned, A::NeedsProcessing) => Some(S::Processing),
            (S::Assigned, A::HeldUpstream) => Some(S::Upward),
            (S::Assigned, A::Refuse) => Some(S::Refused),
            (S::Delivering | S::Processing | S::Upward, A::Deliver) => Some(S::Delivered),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn action_list() -> Vec<DemandAction> {
        use DemandAction as A;
        vec![
            A::Assign,
            A::ForwardUpward,
            A::Reject,
            A::ShareDirectly,
            A::NeedsProcessing,
            A::HeldUpstream,
            A::Refuse,
            A::Deliver,
        ]
    }

    fn action() -> impl Strategy<Value = DemandAction> {
        prop::sample::select(action_list())
    }

    /// H22: the history's JSON keeps the shape and codes it was always written with, so the
    /// steps of demands stored before it was typed still read; an unknown action does not.
    #[test]
    fn h22_stored_steps_read_back_and_unknown_actions_fail() {
        let stored = r#"[{"at":"2025-03-03 09:00:00","by":"mzj-staff","action":"submit","note":""},
            {"at":"2025-03-04 10:00:00","by":"dsj-admin","action":"assign_demand","note":"x"},
            {"at":"2025-03-05 11:00:00","by":"gaj-admin","action":"answer_needs_processing","note":""},
            {"at":"2025-03-06 12:00:00","by":"gaj-admin","action":"deliver","note":""}]"#;
        let steps: Vec<DemandStep> = serde_json::from_str(stored).unwrap();
        let actions: Vec<_> = steps.iter().map(|s| s.action).collect();
        assert_eq!(
            actions,
            [
                DemandStepAction::Submit,
                DemandStepAction::Assign,
                DemandStepAction::NeedsProcessing,
                DemandStepAction::Deliver
            ]
        );
        let written: serde_json::Value = serde_json::to_value(&steps).unwrap();
        let read: serde_json::Value = serde_json::from_str(stored).unwrap();
        assert_eq!(written, read);
        let unknown = stored.replace("assign_demand", "assign");
        assert!(serde_json::from_str::<Vec<DemandStep>>(&unknown).is_err());
        assert!(serde_json::from_str::<Vec<DemandStep>>(r#"[{"at":"x","by":"y"}]"#).is_err());
    }

    #[test]
    fn every_action_is_recorded_under_its_own_code() {
        let mut codes: Vec<String> = action_list()
            .into_iter()
            .map(|a| serde_json::to_string(&DemandStepAction::from(a)).unwrap())
            .collect();
        codes.push(serde_json::to_string(&DemandStepAction::Submit).unwrap());
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 9);
    }

    proptest! {
        /// H22: a demand ends delivered or refused and never moves again; every path to
        /// delivery passes an answer by the source or an upward request.
        #[test]
        fn h22_a_demand_ends_once(actions in prop::collection::vec(action(), 0..10)) {
            let mut state = DemandState::Submitted;
            let mut answered = false;
            for a in actions {
                if let Some(next) = state.next(a) {
                    prop_assert!(!matches!(state, DemandState::Delivered | DemandState::Refused));
                    answered |= matches!(next, DemandState::Delivering | DemandState::Processing | DemandState::Upward);
                    if next == DemandState::Delivered {
                        prop_assert!(answered);
                    }
                    state = next;
                }
            }
        }
    }
}

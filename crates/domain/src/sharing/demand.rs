//! Demand requests (需求申请, H22/H23): a request for data no catalog lists yet, reviewed by
//! the authority, answered by the source department it names, and delivered once agreed — as
//! a pure state machine whose every path ends exactly once.

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

    fn action() -> impl Strategy<Value = DemandAction> {
        use DemandAction as A;
        prop::sample::select(vec![
            A::Assign,
            A::ForwardUpward,
            A::Reject,
            A::ShareDirectly,
            A::NeedsProcessing,
            A::HeldUpstream,
            A::Refuse,
            A::Deliver,
        ])
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

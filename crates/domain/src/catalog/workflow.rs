//! The review workflow of one revision of a catalog entry (H8, H9): draft → submitted → published,
//! or returned with reasons. A published revision never changes again; a change to a published
//! entry is a new revision that goes through the same review, and publishing it supersedes the
//! old one (which stays readable).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Draft,
    Submitted,
    Returned,
    Published,
    Superseded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Edit,
    Submit,
    Approve,
    Return,
    Supersede,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a revision that is {state:?}")]
pub struct TransitionError {
    pub state: ReviewState,
    pub action: ReviewAction,
}

impl TransitionError {
    pub fn zh(&self) -> String {
        format!(
            "当前状态为“{}”，不能执行“{}”",
            self.state.zh(),
            self.action.zh()
        )
    }
}

impl ReviewState {
    pub const ALL: [ReviewState; 5] = [
        ReviewState::Draft,
        ReviewState::Submitted,
        ReviewState::Returned,
        ReviewState::Published,
        ReviewState::Superseded,
    ];

    /// The stable code kept in storage and shown by the API.
    pub fn code(self) -> &'static str {
        match self {
            ReviewState::Draft => "draft",
            ReviewState::Submitted => "submitted",
            ReviewState::Returned => "returned",
            ReviewState::Published => "published",
            ReviewState::Superseded => "superseded",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ReviewState::Draft => "草稿",
            ReviewState::Submitted => "待审核",
            ReviewState::Returned => "已退回",
            ReviewState::Published => "已发布",
            ReviewState::Superseded => "已被新版本取代",
        }
    }

    /// The state after `action`, or why it is not allowed.
    pub fn next(self, action: ReviewAction) -> Result<ReviewState, TransitionError> {
        use ReviewAction as A;
        use ReviewState as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Edit) => Ok(S::Draft),
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Approve) => Ok(S::Published),
            (S::Submitted, A::Return) => Ok(S::Returned),
            (S::Published, A::Supersede) => Ok(S::Superseded),
            (state, action) => Err(TransitionError { state, action }),
        }
    }

    /// Whether the revision's content may still change.
    pub fn is_editable(self) -> bool {
        matches!(self, ReviewState::Draft | ReviewState::Returned)
    }
}

impl ReviewAction {
    pub fn zh(self) -> &'static str {
        match self {
            ReviewAction::Edit => "修改",
            ReviewAction::Submit => "提交审核",
            ReviewAction::Approve => "审核通过并发布",
            ReviewAction::Return => "退回",
            ReviewAction::Supersede => "以新版本取代",
        }
    }

    pub const ALL: [ReviewAction; 5] = [
        ReviewAction::Edit,
        ReviewAction::Submit,
        ReviewAction::Approve,
        ReviewAction::Return,
        ReviewAction::Supersede,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // H8: the happy path and the return path.
    #[test]
    fn draft_to_published_and_back_through_return() {
        let s = ReviewState::Draft.next(ReviewAction::Submit).unwrap();
        assert_eq!(s.next(ReviewAction::Return).unwrap(), ReviewState::Returned);
        assert_eq!(
            s.next(ReviewAction::Approve).unwrap(),
            ReviewState::Published
        );
        assert_eq!(
            ReviewState::Returned.next(ReviewAction::Submit).unwrap(),
            ReviewState::Submitted
        );
    }

    #[test]
    fn illegal_transitions_are_refused() {
        assert!(ReviewState::Draft.next(ReviewAction::Approve).is_err());
        assert!(ReviewState::Submitted.next(ReviewAction::Edit).is_err());
        assert!(ReviewState::Published.next(ReviewAction::Edit).is_err());
        assert!(ReviewState::Published.next(ReviewAction::Submit).is_err());
        let err = ReviewState::Superseded
            .next(ReviewAction::Approve)
            .unwrap_err();
        assert!(err.zh().contains("已被新版本取代"));
    }

    proptest! {
        // H8, H9: whatever happens, a revision is published only by approving a submission, and
        // a published or superseded revision never becomes editable again.
        #[test]
        fn workflow_invariants(actions in proptest::collection::vec(0usize..5, 0..40)) {
            let mut state = ReviewState::Draft;
            let mut was_published = false;
            for a in actions {
                let action = ReviewAction::ALL[a];
                if let Ok(next) = state.next(action) {
                    if next == ReviewState::Published {
                        prop_assert_eq!(state, ReviewState::Submitted);
                        prop_assert_eq!(action, ReviewAction::Approve);
                    }
                    state = next;
                }
                was_published |= state == ReviewState::Published;
                if was_published {
                    prop_assert!(!state.is_editable());
                }
            }
        }
    }
}

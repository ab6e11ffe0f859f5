//! The review workflow of one revision of a catalog entry (H8, H9): draft → submitted →
//! published, or returned with reasons. 第八条 gives a county's catalog two reviews: the county
//! authority reviews its agencies' entries and reports them to the city authority, whose
//! approval publishes them city-wide; the city's own agencies have one review. The route is
//! part of the approval ([`ReviewAction::Approve`]), so a county entry cannot reach publication
//! without passing the city. A published revision never changes again; a change to a published
//! entry is a new revision that goes through the same review, and publishing it supersedes the
//! old one (which stays readable).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Draft,
    Submitted,
    /// Approved by the county authority and reported to the city authority (待市级审核): not
    /// yet published anywhere.
    CountyApproved,
    Returned,
    Published,
    Superseded,
}

/// Which reviews a revision passes before publication (第八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewRoute {
    /// The city's own agencies: the city authority reviews and publishes.
    OneLevel,
    /// A county's agencies: the county authority reviews, then the city authority.
    TwoLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewAction {
    Edit,
    Submit,
    /// The reviewer who holds the revision approves it; on a two-level route the first
    /// approval reports it to the city, the second publishes it.
    Approve(ReviewRoute),
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
    pub const ALL: [ReviewState; 6] = [
        ReviewState::Draft,
        ReviewState::Submitted,
        ReviewState::CountyApproved,
        ReviewState::Returned,
        ReviewState::Published,
        ReviewState::Superseded,
    ];

    /// The stable code kept in storage and shown by the API.
    pub fn code(self) -> &'static str {
        match self {
            ReviewState::Draft => "draft",
            ReviewState::Submitted => "submitted",
            ReviewState::CountyApproved => "county_approved",
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
            ReviewState::CountyApproved => "待市级审核",
            ReviewState::Returned => "已退回",
            ReviewState::Published => "已发布",
            ReviewState::Superseded => "已被新版本取代",
        }
    }

    /// The state after `action`, or why it is not allowed.
    pub fn next(self, action: ReviewAction) -> Result<ReviewState, TransitionError> {
        use ReviewAction as A;
        use ReviewRoute as R;
        use ReviewState as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Edit) => Ok(S::Draft),
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Approve(R::OneLevel)) => Ok(S::Published),
            (S::Submitted, A::Approve(R::TwoLevel)) => Ok(S::CountyApproved),
            (S::CountyApproved, A::Approve(R::TwoLevel)) => Ok(S::Published),
            (S::Submitted | S::CountyApproved, A::Return) => Ok(S::Returned),
            (S::Published, A::Supersede) => Ok(S::Superseded),
            (state, action) => Err(TransitionError { state, action }),
        }
    }

    /// Whether the revision's content may still change.
    pub fn is_editable(self) -> bool {
        matches!(self, ReviewState::Draft | ReviewState::Returned)
    }

    /// Whether a reviewer holds the revision (it has a review due date).
    pub fn is_under_review(self) -> bool {
        matches!(self, ReviewState::Submitted | ReviewState::CountyApproved)
    }
}

impl ReviewAction {
    pub fn zh(self) -> &'static str {
        match self {
            ReviewAction::Edit => "修改",
            ReviewAction::Submit => "提交审核",
            ReviewAction::Approve(_) => "审核通过",
            ReviewAction::Return => "退回",
            ReviewAction::Supersede => "以新版本取代",
        }
    }

    /// Every action a revision on `route` can be asked to take.
    pub fn all(route: ReviewRoute) -> [ReviewAction; 5] {
        [
            ReviewAction::Edit,
            ReviewAction::Submit,
            ReviewAction::Approve(route),
            ReviewAction::Return,
            ReviewAction::Supersede,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ONE: ReviewAction = ReviewAction::Approve(ReviewRoute::OneLevel);
    const TWO: ReviewAction = ReviewAction::Approve(ReviewRoute::TwoLevel);

    // H8: the happy path and the return path of a city agency's entry.
    #[test]
    fn draft_to_published_and_back_through_return() {
        let s = ReviewState::Draft.next(ReviewAction::Submit).unwrap();
        assert_eq!(s.next(ReviewAction::Return).unwrap(), ReviewState::Returned);
        assert_eq!(s.next(ONE).unwrap(), ReviewState::Published);
        assert_eq!(
            ReviewState::Returned.next(ReviewAction::Submit).unwrap(),
            ReviewState::Submitted
        );
    }

    // H8 (第八条): a county entry is approved by the county, then by the city, and only then
    // published; the city may return it, and it goes back to its agency.
    #[test]
    fn h8_a_county_entry_passes_the_county_and_then_the_city() {
        let submitted = ReviewState::Draft.next(ReviewAction::Submit).unwrap();
        let at_city = submitted.next(TWO).unwrap();
        assert_eq!(at_city, ReviewState::CountyApproved);
        assert!(at_city.is_under_review());
        assert!(!at_city.is_editable());
        assert_eq!(
            at_city.next(ReviewAction::Return).unwrap(),
            ReviewState::Returned
        );
        assert_eq!(at_city.next(TWO).unwrap(), ReviewState::Published);
        // A one-level approval cannot skip the city's review of a county revision.
        assert!(at_city.next(ONE).is_err());
        assert!(at_city.next(ReviewAction::Edit).is_err());
        assert!(at_city.next(ReviewAction::Submit).is_err());
        let err = at_city.next(ReviewAction::Edit).unwrap_err();
        assert!(err.zh().contains("待市级审核"), "{}", err.zh());
    }

    #[test]
    fn illegal_transitions_are_refused() {
        assert!(ReviewState::Draft.next(ONE).is_err());
        assert!(ReviewState::Draft.next(TWO).is_err());
        assert!(ReviewState::Submitted.next(ReviewAction::Edit).is_err());
        assert!(ReviewState::Published.next(ReviewAction::Edit).is_err());
        assert!(ReviewState::Published.next(ReviewAction::Submit).is_err());
        assert!(ReviewState::Published.next(ReviewAction::Return).is_err());
        let err = ReviewState::Superseded.next(ONE).unwrap_err();
        assert!(err.zh().contains("已被新版本取代"));
    }

    #[test]
    fn codes_round_trip() {
        for s in ReviewState::ALL {
            assert_eq!(ReviewState::parse(s.code()), Some(s));
        }
        assert_eq!(ReviewState::parse("approved"), None);
    }

    fn route() -> impl Strategy<Value = ReviewRoute> {
        prop_oneof![Just(ReviewRoute::OneLevel), Just(ReviewRoute::TwoLevel)]
    }

    proptest! {
        // H8, H9: whatever happens, a revision is published only by the last approval of its
        // route — a city revision's one approval of a submission, a county revision's city
        // approval after the county's — and a published or superseded revision never becomes
        // editable again.
        #[test]
        fn workflow_invariants(
            route in route(),
            actions in proptest::collection::vec(0usize..5, 0..40),
        ) {
            let mut state = ReviewState::Draft;
            let mut was_published = false;
            let mut county_approved_since_submission = false;
            for a in actions {
                let action = ReviewAction::all(route)[a];
                if let Ok(next) = state.next(action) {
                    prop_assert!(matches!(action, ReviewAction::Approve(r) if r == route)
                        || next != ReviewState::Published);
                    if next == ReviewState::Published {
                        match route {
                            ReviewRoute::OneLevel => prop_assert_eq!(state, ReviewState::Submitted),
                            ReviewRoute::TwoLevel => {
                                prop_assert_eq!(state, ReviewState::CountyApproved);
                                prop_assert!(county_approved_since_submission);
                            }
                        }
                    }
                    if next == ReviewState::CountyApproved {
                        prop_assert_eq!(route, ReviewRoute::TwoLevel);
                        prop_assert_eq!(state, ReviewState::Submitted);
                        county_approved_since_submission = true;
                    }
                    if next == ReviewState::Submitted || next == ReviewState::Returned {
                        county_approved_since_submission = false;
                    }
                    if next == ReviewState::Returned {
                        prop_assert!(state.is_under_review());
                    }
                    state = next;
                }
                was_published |= state == ReviewState::Published;
                if was_published {
                    prop_assert!(!state.is_editable());
                    prop_assert!(!state.is_under_review());
                }
            }
        }
    }
}

//! Confidentiality review (保密审查) before data is shared or opened (第三十四条: "健全公共数据
//! 共享、开放的保密审查等安全保障机制"). The organisation's security lead (安全管理责任人)
//! affirms each point of a checklist and signs; opening an entry to society, or approving a
//! share of sensitive personal information, is refused until such a review is on record.

use crate::catalog::OpenType;
use crate::{Violation, Violations};

/// The points a security lead affirms. Each must hold: a review that cannot affirm one is not
/// signed, and the step it guards stays refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checklist {
    /// The data contains no state secret (不涉及国家秘密).
    pub no_state_secret: bool,
    /// Personal information is masked or consented, and nothing goes beyond what is granted
    /// (个人信息已脱敏或取得授权，不超出授权范围).
    pub personal_information_protected: bool,
    /// The legal basis for sharing or opening was checked (法律依据已核实).
    pub legal_basis_checked: bool,
}

impl Checklist {
    /// Every point not affirmed, as a violation naming it.
    pub fn check(&self) -> Result<(), Violations> {
        let mut v = Violations::default();
        let points = [
            (
                self.no_state_secret,
                "no_state_secret",
                "涉及国家秘密的数据不得共享或开放",
                "data containing state secrets may not be shared or opened",
            ),
            (
                self.personal_information_protected,
                "personal_information_protected",
                "个人信息须已脱敏或取得授权，且不超出授权范围",
                "personal information must be masked or consented, and stay within the grant",
            ),
            (
                self.legal_basis_checked,
                "legal_basis_checked",
                "须核实共享、开放的法律依据",
                "the legal basis for sharing or opening must be checked",
            ),
        ];
        for (affirmed, field, zh, en) in points {
            if !affirmed {
                v.push(Violation::new(field, "not_affirmed", zh, en));
            }
        }
        v.into_result()
    }
}

/// What a review clears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// One revision of an entry as submitted for publication (`submitted_at`): a revision
    /// returned, edited and submitted again calls for a new review.
    EntryRevision {
        entry_id: String,
        revision: i64,
        submitted_at: i64,
    },
    ShareRequest {
        request_id: String,
    },
}

/// A signed review as the platform keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: String,
    pub org_id: String,
    pub subject: Subject,
    pub checklist: Checklist,
    /// The security lead's opinion (审查意见).
    pub opinion: String,
    pub signed_by: String,
    pub signed_by_name: String,
    pub signed_at: i64,
}

impl Review {
    /// Whether this review clears `revision` of its entry as submitted at `submitted_at`.
    pub fn covers(&self, revision: i64, submitted_at: Option<i64>) -> bool {
        matches!(self.subject, Subject::EntryRevision { revision: n, submitted_at: at, .. }
            if n == revision && Some(at) == submitted_at)
    }
}

/// Opening an entry to society, conditionally or not, needs a review of the revision submitted.
pub fn needed_to_open(open: OpenType) -> bool {
    open != OpenType::NotOpen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// H34: a checklist passes exactly when every point is affirmed, and each point not
        /// affirmed is named.
        #[test]
        fn h34_a_review_passes_only_when_every_point_is_affirmed(
            a in any::<bool>(), b in any::<bool>(), c in any::<bool>()
        ) {
            let list = Checklist {
                no_state_secret: a,
                personal_information_protected: b,
                legal_basis_checked: c,
            };
            match list.check() {
                Ok(()) => prop_assert!(a && b && c),
                Err(v) => {
                    let missing = [a, b, c].iter().filter(|x| !**x).count();
                    prop_assert_eq!(v.0.len(), missing);
                }
            }
        }
    }

    #[test]
    fn h34_opening_to_society_needs_a_review() {
        assert!(!needed_to_open(OpenType::NotOpen));
        assert!(needed_to_open(OpenType::Conditional));
        assert!(needed_to_open(OpenType::Unconditional));
    }
}

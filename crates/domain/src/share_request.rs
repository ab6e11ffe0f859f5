//! A share request (共享申请) as the platform keeps it, with the source's decision typed: the
//! store parses the stored JSON into these once, and a value that does not parse is an error
//! there, never a default.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{ShareMode, ShareType};
use crate::grant::RowFilter;
use crate::sharing::{Commitments, RequestState};

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

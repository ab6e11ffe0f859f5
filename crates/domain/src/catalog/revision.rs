//! A catalog revision (目录版本) as the platform keeps it: one reviewed version of an entry's
//! description with its workflow facts. The store parses the stored codes and JSON lists into
//! these types once; a stored value that does not parse is an error there, never a default, so
//! the rules that read a revision (who may request it, in which modes, whether it is open)
//! never see an empty list where the stored one was unreadable.

use super::entry::LegalBasis;
use super::kinds::{DataForm, NotOpenReason, OpenType, ShareMode, ShareType, UpdateFrequency};
use super::workflow::ReviewState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub entry_id: String,
    pub revision: i64,
    pub state: ReviewState,
    pub scheme_version: i64,
    pub name: String,
    pub summary: String,
    pub category_code: String,
    /// A grade code of the scheme in force when the revision was written; schemes may rename
    /// grades, so it stays the stored code and is labelled through the scheme.
    pub grade: String,
    pub data_form: DataForm,
    pub share_type: ShareType,
    pub share_conditions: String,
    pub share_scope: String,
    pub share_modes: Vec<ShareMode>,
    pub open_type: OpenType,
    pub open_conditions: String,
    pub not_open_reason: Option<NotOpenReason>,
    pub legal_bases: Vec<LegalBasis>,
    pub update_frequency: UpdateFrequency,
    /// Why the share or open type departs from the grade's suggested one (偏离理由, H36);
    /// empty when none was given (and in revisions written before the reason was asked).
    pub departure_reason: String,
    pub source_org_id: Option<String>,
    pub collecting_dept: String,
    pub approving_dept: String,
    pub providing_dept: String,
    /// Codes of related entries (关联目录).
    pub related_codes: Vec<String>,
    pub change_note: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    /// Review due date (YYYY-MM-DD, China time), set on submission.
    pub due_date: Option<String>,
    /// The due date was computed without next year's holiday calendar.
    pub due_provisional: bool,
    /// The authority that holds the review now: the county authority, then (第八条) the city
    /// authority once the county has approved a county revision.
    pub reviewer_org_id: Option<String>,
    /// The county authority's approval of a county revision, kept while the city reviews it
    /// and after; cleared when the revision is submitted again.
    pub county_approval: Option<CountyApproval>,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<String>,
    pub review_reasons: String,
    pub published_at: Option<i64>,
}

/// Who approved a county revision at the county level, and when (第八条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyApproval {
    pub org_id: String,
    pub by: String,
    pub at: i64,
}

//! The city catalog's submission to the autonomous region's authority (第八条: the city
//! authority "组织编制全市公共数据目录并报上级公共数据主管部门审核"). The city authority builds a
//! package of every published entry (`package`), hands it to the region through a connector
//! (`connector`; by hand today) and records the region's answer — accepted, or returned with
//! reasons (`answer`). Each submission keeps its package and SM3 digest; one awaits an answer
//! at a time. Every step is audited.

mod answer;
mod connector;
mod list;
mod package;
mod submit;

use gongshu_domain::catalog::{RegionAnswer, RegionSubmission};
use serde::Serialize;

pub use answer::{AnswerInput, record_answer};
pub use connector::{ManualConnector, RegionConnector};
pub use list::{SubmissionPage, download_package, get_submission, list_submissions};
pub use package::Package;
pub use submit::{SubmitInput, submit_catalog};

use crate::format_time;

/// A submission as the API and console show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    pub id: String,
    /// `submitted` (awaiting the region's answer), `accepted` or `returned`.
    pub state: String,
    pub state_zh: String,
    /// How the package travelled: `manual` (downloaded and sent by the city authority).
    pub connector: String,
    pub entry_count: i64,
    /// SM3 of the package as stored and downloadable, lowercase hex.
    pub package_sm3: String,
    pub package_bytes: i64,
    pub note: String,
    /// The date of the submission (YYYY-MM-DD, China time).
    pub submitted_on: String,
    pub submitted_at: String,
    pub submitted_by: String,
    /// The date of the region's answer.
    pub answered_on: Option<String>,
    pub answered_at: Option<String>,
    pub answered_by: Option<String>,
    /// The region's reasons for returning the catalog.
    pub answer_reasons: String,
}

impl From<&RegionSubmission> for SubmissionView {
    fn from(s: &RegionSubmission) -> Self {
        let state = s.state();
        let answer = s.answer.as_ref();
        Self {
            id: s.id.clone(),
            state: state.code().into(),
            state_zh: state.zh().into(),
            connector: s.connector.clone(),
            entry_count: s.entry_count,
            package_sm3: s.package_sm3.clone(),
            package_bytes: s.package_bytes,
            note: s.note.clone(),
            submitted_on: s.submitted_on.to_string(),
            submitted_at: format_time(s.submitted_at),
            submitted_by: s.submitted_by.clone(),
            answered_on: answer.map(|a| a.on.to_string()),
            answered_at: answer.map(|a| format_time(a.at)),
            answered_by: answer.map(|a| a.by.clone()),
            answer_reasons: match answer.map(|a| &a.answer) {
                Some(RegionAnswer::Returned { reasons }) => reasons.clone(),
                _ => String::new(),
            },
        }
    }
}

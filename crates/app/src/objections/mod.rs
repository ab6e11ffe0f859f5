//! Objections and risks that suspend an opening (异议与风险, H27, 第二十七条). Anyone files an
//! objection to an open dataset (contact required, login not), or the source agency flags a
//! risk; the case is recorded with its audit event in one transaction, and from its commit
//! every read of the dataset on the open basis is refused (`domain::access`, HTTP 451). The
//! source verifies and ends the case — withdraw, restore, or re-open after a new version — and
//! the objector is told: the answer is kept on the case, which the objector reads with the
//! receipt number they were given, and is addressed to the contact they left.

mod file;
mod list;
mod resolve;

use gongshu_domain::objection::{Case, CaseOutcome, Opening};
use gongshu_store::catalog::EntryRow;
use gongshu_store::{Conn, objections};
use serde::Serialize;

pub use file::{ObjectionInput, RiskInput, file_objection, flag_risk};
pub use list::{CaseList, CaseSide, get_case, list_cases};
pub use resolve::{ResolveInput, resolve_case};

use crate::{App, Result, format_time};

/// Working days the source has to verify a case (核实期限). The regulation says "at once"
/// (立即) for the suspension and sets no period for verifying; ten working days matches the
/// longest step of an open-data application and puts a late case on the overdue list.
pub const VERIFY_WORKING_DAYS: u32 = 10;

/// One case as the source agency, the authority or the objector with the receipt sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    /// The receipt number (受理编号) the objector keeps to follow the case.
    pub id: String,
    pub entry_code: String,
    pub entry_name: String,
    /// The source agency, which verifies and answers.
    pub org_id: String,
    pub provider_name: String,
    /// `objection` (异议) or `risk` (风险).
    pub kind: String,
    pub kind_zh: &'static str,
    /// `suspended` while being verified, then `withdrawn`, `restored` or `reopened`.
    pub state: &'static str,
    pub state_zh: &'static str,
    pub reason: String,
    pub item_code: Option<String>,
    pub filed_at: String,
    pub due_date: String,
    pub overdue: bool,
    pub answer: Option<String>,
    pub resolved_at: Option<String>,
    /// For a re-opening: the version that replaced the data.
    pub version: Option<i64>,
    /// How the objector was told of the outcome; `null` while being verified.
    pub feedback_zh: Option<String>,
    /// The objector's name and contact: for the source and the authority only.
    pub objector_name: Option<String>,
    pub contact: Option<String>,
}

/// The opening of an entry as its page shows it (H27), when something stands in its way.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpeningView {
    /// `suspended` (中止开放，核实中) or `withdrawn` (已撤回).
    pub state: &'static str,
    pub state_zh: &'static str,
    /// What suspended or withdrew it: `objection` or `risk`.
    pub kind: String,
    pub kind_zh: &'static str,
    pub since: String,
}

fn state_of(case: &Case) -> (&'static str, &'static str) {
    match case.resolution.as_ref().map(|r| r.outcome) {
        None => ("suspended", "中止开放，核实中"),
        Some(o @ CaseOutcome::Withdraw) => (o.code(), "已撤回数据"),
        Some(o @ CaseOutcome::Restore) => (o.code(), "已恢复开放"),
        Some(o @ CaseOutcome::Reopen) => (o.code(), "已依法处理后开放"),
    }
}

/// The case as shown; `private` adds the objector's name and contact.
pub(crate) fn view(
    app: &App,
    case: Case,
    entry: &EntryRow,
    entry_name: &str,
    provider: &str,
    private: bool,
) -> CaseView {
    let (state, state_zh) = state_of(&case);
    let today = crate::calendar::today(app);
    let feedback_zh = case.resolution.as_ref().map(|_| {
        match (&case.objector.account_id, &case.objector.contact) {
            (_, Some(contact)) if case.objector.account_id.is_none() => {
                format!(
                    "处理结果已登记，供以受理编号查询，并按联系方式（{}）反馈",
                    contact.as_str()
                )
            }
            (Some(_), _) => "处理结果已登记，异议人登录后可在“我的异议”中查看".to_owned(),
            _ => "处理结果已登记".to_owned(),
        }
    });
    CaseView {
        id: case.id,
        entry_code: entry.code.clone(),
        entry_name: entry_name.to_owned(),
        org_id: entry.org_id.clone(),
        provider_name: provider.to_owned(),
        kind: case.kind.code().into(),
        kind_zh: case.kind.zh(),
        state,
        state_zh,
        reason: case.reason,
        item_code: case.item_code,
        filed_at: format_time(case.filed_at),
        due_date: case.due_date.to_string(),
        overdue: case.resolution.is_none() && case.due_date < today,
        answer: case.resolution.as_ref().map(|r| r.answer.clone()),
        resolved_at: case.resolution.as_ref().map(|r| format_time(r.resolved_at)),
        version: case.resolution.as_ref().and_then(|r| r.version),
        feedback_zh,
        objector_name: case.objector.name.filter(|_| private),
        contact: case
            .objector
            .contact
            .filter(|_| private)
            .map(|c| c.as_str().to_owned()),
    }
}

/// What stands in the way of an entry's opening, if anything: asked by the entry's page and
/// by the search index (a withdrawn entry leaves the open list).
pub(crate) async fn opening_of(conn: &mut Conn, entry: &EntryRow) -> Result<Option<OpeningView>> {
    let Some(published) = entry.published_revision else {
        return Ok(None);
    };
    let cases = objections::cases_deciding_opening(conn, &entry.id).await?;
    let (case, state, state_zh) = match Opening::of(&cases, published) {
        Opening::Open => return Ok(None),
        Opening::Suspended(c) => (c, "suspended", "因异议或风险核实，已中止开放"),
        Opening::Withdrawn(c) => (c, "withdrawn", "经核实已撤回，不再开放"),
    };
    Ok(Some(OpeningView {
        state,
        state_zh,
        kind: case.kind.code().into(),
        kind_zh: case.kind.zh(),
        since: format_time(case.filed_at),
    }))
}

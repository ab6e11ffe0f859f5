//! 质量问题工单 in the console (H11, H12, B11, B17): the list of tickets the viewer sees (the
//! provider's own, an authority's in its scope, one's own reports), the authority's overdue
//! list, one ticket with its evidence and history — with the provider's answer form and the
//! authority's close and reopen forms — and the small "报告数据问题" form of an entry page.
//! Each page calls the same application commands as the JSON API.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::quality::tickets::{
    self, AnswerInput, JudgeInput, OverdueTicketParams, ReportInput, TicketParams,
};
use gongshu_domain::quality::ticket::TicketState;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::forms::{Fields, FormErrors, Params, form_errors};
use super::render::{PageError, done};
use crate::state::AppState;

const PER_PAGE: i64 = 30;

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ListParams {
    state: String,
    page: String,
}

impl ListParams {
    fn page(&self) -> i64 {
        self.page.trim().parse().unwrap_or(1)
    }
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<ListParams>,
) -> Result<Response, PageError> {
    let params = TicketParams {
        state: Some(q.state.clone()),
        page: Some(q.page()),
        per_page: Some(PER_PAGE),
        ..TicketParams::default()
    };
    let page = tickets::list_tickets(&state.app, viewer.ctx(), params)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page(
        "quality_tickets.html",
        context! { p => page, state => q.state, overdue => false, states => states() },
    ))
}

pub async fn overdue(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<ListParams>,
) -> Result<Response, PageError> {
    let params = OverdueTicketParams {
        page: Some(q.page()),
        per_page: Some(PER_PAGE),
    };
    let page = tickets::overdue_tickets(&state.app, viewer.ctx(), params)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page(
        "quality_tickets.html",
        context! { p => page, state => "", overdue => true, states => states() },
    ))
}

/// The states to filter by, as (code, label).
fn states() -> Vec<(&'static str, &'static str)> {
    use gongshu_domain::catalog::Vocabulary;
    TicketState::ALL
        .iter()
        .map(|s| (s.code(), s.zh()))
        .collect()
}

/// The provider's answer form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct AnswerFields {
    answer: String,
    version: String,
    note: String,
}

/// The authority's close or reopen form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct JudgeFields {
    note: String,
}

/// Which form of the ticket page failed, with what was typed in it.
#[derive(Default)]
struct Kept {
    answer: AnswerFields,
    judge: JudgeFields,
    failed: Option<(&'static str, FormErrors)>,
}

fn ticket_path(id: &str) -> String {
    format!("/quality/tickets/{id}")
}

async fn detail_page(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    kept: Kept,
) -> Result<Response, PageError> {
    let t = tickets::get_ticket(&state.app, viewer.ctx(), id)
        .await
        .map_err(|e| viewer.fail(e).back("/quality/tickets"))?;
    // Which forms to show; each command decides again when the form is sent.
    let own = viewer.principal.org_id.as_deref() == Some(t.org_id.as_str());
    let may_answer = own && t.state == "open" && viewer.may("manage_entries");
    let may_judge = matches!(t.state, "explained" | "corrected") && viewer.may("review_entries");
    let ctx = context! {
        t => t,
        may_answer => may_answer,
        may_judge => may_judge,
        answer => kept.answer,
        judge => kept.judge,
    };
    Ok(match kept.failed {
        None => viewer.page("quality_ticket.html", ctx),
        Some((form, f)) => viewer.page_with_status(
            f.status,
            "quality_ticket.html",
            context! { error => f.message, errors => f.fields, failed_form => form, ..ctx },
        ),
    })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    detail_page(&state, &viewer, &id, Kept::default()).await
}

pub async fn answer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<AnswerFields>,
) -> Result<Response, PageError> {
    let version = fields.version.trim();
    let version = match version {
        "" => None,
        v => match v.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                let kept = Kept {
                    failed: Some(("answer", FormErrors::field("version", "版本号应为整数"))),
                    answer: fields,
                    ..Kept::default()
                };
                return detail_page(&state, &viewer, &id, kept).await;
            }
        },
    };
    let input = AnswerInput {
        answer: fields.answer.clone(),
        version,
        note: fields.note.clone(),
    };
    match tickets::answer_ticket(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done(&ticket_path(&id), "ticket_answered")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(ticket_path(&id)))?;
            let kept = Kept {
                answer: fields,
                failed: Some(("answer", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &id, kept).await
        }
    }
}

pub async fn close(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<JudgeFields>,
) -> Result<Response, PageError> {
    judge(state, viewer, id, fields, false).await
}

pub async fn reopen(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<JudgeFields>,
) -> Result<Response, PageError> {
    judge(state, viewer, id, fields, true).await
}

async fn judge(
    state: AppState,
    viewer: Viewer,
    id: String,
    fields: JudgeFields,
    reopen: bool,
) -> Result<Response, PageError> {
    let input = JudgeInput {
        note: fields.note.clone(),
    };
    let result = if reopen {
        tickets::reopen_ticket(&state.app, viewer.ctx(), &id, input).await
    } else {
        tickets::close_ticket(&state.app, viewer.ctx(), &id, input).await
    };
    match result {
        Ok(_) if reopen => Ok(done(&ticket_path(&id), "ticket_reopened")),
        Ok(_) => Ok(done(&ticket_path(&id), "ticket_closed")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(ticket_path(&id)))?;
            let kept = Kept {
                judge: fields,
                failed: Some(("judge", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &id, kept).await
        }
    }
}

/// The entry page's report form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ReportFields {
    item_code: String,
    rows: String,
    description: String,
}

/// Row numbers typed as `3, 17 20` (commas, Chinese commas or spaces).
fn parse_rows(text: &str) -> Result<Vec<u64>, FormErrors> {
    text.split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse()
                .map_err(|_| FormErrors::field("rows", "行号应为正整数，多个行号用逗号分隔"))
        })
        .collect()
}

/// Files a report from an entry page; on success the reporter lands on the new ticket. A
/// report that needs fixing is shown again on a page of its own, with what was typed.
pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(fields): Fields<ReportFields>,
) -> Result<Response, PageError> {
    let entry_path = format!("/catalog/entries/{code}");
    let failed = match parse_rows(&fields.rows) {
        Err(f) => f,
        Ok(rows) => {
            let input = ReportInput {
                description: fields.description.clone(),
                item_code: Some(fields.item_code.clone()),
                version: None,
                rows,
            };
            match tickets::report_problem(&state.app, viewer.ctx(), &code, input).await {
                Ok(t) => return Ok(done(&ticket_path(&t.id), "ticket_reported")),
                Err(e) => form_errors(&viewer, e).map_err(|p| p.back(entry_path.clone()))?,
            }
        }
    };
    let entry = gongshu_app::catalog::entry_view(&state.app, Some(viewer.ctx()), &code, None)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page_with_status(
        failed.status,
        "quality_report.html",
        context! {
            e => entry,
            r => fields,
            failed_form => "report",
            error => failed.message,
            errors => failed.fields,
        },
    ))
}

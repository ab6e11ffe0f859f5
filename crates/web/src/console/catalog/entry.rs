//! 目录条目: one entry at a revision with every field in Chinese, its data items, duplicate
//! collection warnings (H10), review state and due date, the revision selector and update
//! duties; and the steps the viewer may take on it: submit (the agency), approve or return with
//! reasons (the authority that holds its review: a county entry's county authority, which
//! reports it to the city, then the city authority, 第八条), record a change of legal basis or
//! function (H9).

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::catalog::duties::ChangeInput;
use gongshu_app::catalog::{self, ReturnInput};
use gongshu_app::confidentiality;
use gongshu_domain::catalog::ReviewState;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::labels::{choices, labels};
use super::public::anonymous_page;
use crate::console::auth::Viewer;
use crate::console::confidentiality::ReviewFields;
use crate::console::forms::{Fields, FormErrors, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevisionParams {
    revision: String,
}

/// The reviewer's return form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ReturnFields {
    reasons: String,
}

/// The form recording a change of legal basis or function, as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ChangeFields {
    reason_kind: String,
    reason: String,
}

/// Which of the page's forms failed, with what was typed in it.
#[derive(Default)]
struct Kept {
    returned: ReturnFields,
    change: ChangeFields,
    review: ReviewFields,
    failed: Option<(&'static str, FormErrors)>,
}

fn entry_path(code: &str) -> String {
    format!("/catalog/entries/{code}")
}

async fn detail_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    revision: Option<i64>,
    kept: Kept,
) -> Result<Response, PageError> {
    let page = catalog::entry_page(&state.app, viewer.ctx(), code, revision)
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! {
        e => &page.entry,
        revisions => page.revisions,
        duties => page.duties,
        labels => labels(),
        choices => choices(&page.scheme.scheme),
        latest => page.entry.revision == page.newest_visible,
        newest_visible => page.newest_visible,
        may_edit => page.steps.edit,
        may_submit => page.steps.submit,
        may_review => page.steps.review,
        review_reports => page.steps.review_reports,
        may_record_change => page.steps.record_change,
        may_derive => page.steps.derive,
        may_revise => page.steps.revise,
        may_sign_review => page.steps.sign_review,
        review_missing => page.review_missing,
        confidentiality_reviews => page.confidentiality_reviews,
        returned => kept.returned,
        change => kept.change,
        review => kept.review,
    };
    Ok(match kept.failed {
        None => viewer.page("catalog_entry.html", ctx),
        Some((form, f)) => viewer.page_with_status(
            f.status,
            "catalog_entry.html",
            context! { error => f.message, errors => f.fields, failed_form => form, ..ctx },
        ),
    })
}

/// The entry page; a visitor who is not logged in sees a published open entry without its
/// review trail.
pub async fn show(
    State(state): State<AppState>,
    viewer: Result<Viewer, PageError>,
    Path(code): Path<String>,
    Params(q): Params<RevisionParams>,
) -> Result<Response, PageError> {
    let revision = q.revision.trim().parse().ok();
    match viewer {
        Ok(viewer) => detail_page(&state, &viewer, &code, revision, Kept::default()).await,
        Err(_) => {
            let entry = catalog::entry_view(&state.app, None, &code, revision).await?;
            let revisions: Vec<()> = Vec::new();
            Ok(anonymous_page(
                "catalog_entry.html",
                context! { e => entry, public => true, latest => true, revisions => revisions, labels => labels() },
            ))
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    catalog::submit(&state.app, viewer.ctx(), &code)
        .await
        .map_err(|e| viewer.fail(e).back(entry_path(&code)))?;
    Ok(done(&entry_path(&code), "entry_submitted"))
}

pub async fn approve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let view = catalog::approve(&state.app, viewer.ctx(), &code)
        .await
        .map_err(|e| viewer.fail(e).back(entry_path(&code)))?;
    let notice = match view.state {
        ReviewState::Published => "entry_approved",
        _ => "entry_reported",
    };
    Ok(done(&entry_path(&code), notice))
}

pub async fn return_entry(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(fields): Fields<ReturnFields>,
) -> Result<Response, PageError> {
    let input = ReturnInput {
        reasons: fields.reasons.clone(),
    };
    match catalog::return_entry(&state.app, viewer.ctx(), &code, input).await {
        Ok(_) => Ok(done(&entry_path(&code), "entry_returned")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(entry_path(&code)))?;
            let kept = Kept {
                returned: fields,
                failed: Some(("return", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &code, None, kept).await
        }
    }
}

/// The security lead signs the confidentiality review of the submitted revision (第三十四条).
pub async fn sign_review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(fields): Fields<ReviewFields>,
) -> Result<Response, PageError> {
    match confidentiality::review_entry(&state.app, viewer.ctx(), &code, fields.input()).await {
        Ok(_) => Ok(done(&entry_path(&code), "review_signed")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(entry_path(&code)))?;
            let kept = Kept {
                review: fields,
                failed: Some(("review", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &code, None, kept).await
        }
    }
}

pub async fn record_change(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(fields): Fields<ChangeFields>,
) -> Result<Response, PageError> {
    let input = ChangeInput {
        reason_kind: fields.reason_kind.clone(),
        reason: fields.reason.clone(),
    };
    match catalog::duties::record_change(&state.app, viewer.ctx(), &code, input).await {
        Ok(_) => Ok(done(&entry_path(&code), "duty_opened")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(entry_path(&code)))?;
            let kept = Kept {
                change: fields,
                failed: Some(("change", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &code, None, kept).await
        }
    }
}

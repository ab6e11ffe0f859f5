//! 目录条目: one entry at a revision with every field in Chinese, its data items, duplicate
//! collection warnings (H10), review state and due date, the revision selector and update
//! duties; and the steps the viewer may take on it: submit (the agency), approve or return with
//! reasons (its reviewing authority), record a change of legal basis or function (H9).

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::catalog::duties::ChangeInput;
use gongshu_app::catalog::{self, ReturnInput};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::labels::{choices, labels};
use super::public::anonymous_page;
use crate::console::auth::Viewer;
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
    let app = &state.app;
    let entry = catalog::entry_view(app, Some(viewer.ctx()), code, revision)
        .await
        .map_err(|e| viewer.fail(e))?;
    let revisions = catalog::revisions(app, viewer.ctx(), code)
        .await
        .map_err(|e| viewer.fail(e))?;
    let duties = catalog::duties::entry_duties(app, viewer.ctx(), code)
        .await
        .map_err(|e| viewer.fail(e))?;
    let scheme = catalog::scheme::current(app)
        .await
        .map_err(|e| viewer.fail(e))?;
    let own_org = viewer.principal.org_id.as_deref();
    // Revisions are numbered from 1 without gaps: the history is complete exactly when the
    // viewer may read every revision (the agency, its reviewing authority). Others read only
    // the published one.
    let sees_all = revisions.len() as i64 == entry.latest_revision;
    let newest_visible = if sees_all {
        entry.latest_revision
    } else {
        entry.published_revision.unwrap_or(entry.revision)
    };
    let revisions: Vec<_> = revisions
        .into_iter()
        .filter(|r| sees_all || Some(r.revision) == entry.published_revision)
        .collect();
    let latest = entry.revision == entry.latest_revision;
    // Which buttons to show; every command decides again.
    let owner = viewer.may("manage_entries") && own_org == Some(entry.org_id.as_str());
    let reviewer = viewer.may("review_entries")
        && own_org.is_some()
        && entry.reviewer_org_id.as_deref() == own_org;
    let state_is = |s: &str| entry.state == s;
    let ctx = context! {
        e => &entry,
        revisions => revisions,
        duties => duties,
        labels => labels(),
        choices => choices(&scheme.scheme),
        latest => entry.revision == newest_visible,
        newest_visible => newest_visible,
        may_edit => owner && latest && !state_is("submitted"),
        may_submit => owner && latest && (state_is("draft") || state_is("returned")),
        may_review => reviewer && latest && state_is("submitted"),
        may_record_change => owner && entry.published_revision.is_some(),
        returned => kept.returned,
        change => kept.change,
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
    catalog::approve(&state.app, viewer.ctx(), &code)
        .await
        .map_err(|e| viewer.fail(e).back(entry_path(&code)))?;
    Ok(done(&entry_path(&code), "entry_approved"))
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

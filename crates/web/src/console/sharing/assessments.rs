//! 年度评估 (H19): the conditionally shared entries whose yearly assessment is coming up or
//! overdue, with a form on each entry of the viewer's own agency — keep the conditions, or
//! convert to unconditional sharing (confirmed first, since it submits a new revision for
//! review) — each with its reason; and one entry's assessments so far.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::sharing::{self, AssessmentInput, pages};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

const LIST: &str = "/sharing/assessments";

/// The assessment form as typed: the outcome comes from the button pressed.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct AssessFields {
    outcome: String,
    reason: String,
}

/// An assessment that was not recorded, shown again at its entry's line.
#[derive(Serialize)]
struct Failed {
    entry_code: String,
    form: AssessFields,
    errors: std::collections::BTreeMap<String, String>,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    failed: Option<(Failed, FormErrors)>,
) -> Result<Response, PageError> {
    let lines = pages::assessments_page(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! { lines => lines };
    Ok(match failed {
        None => viewer.page("sharing_assessments.html", ctx),
        Some((kept, f)) => viewer.page_with_status(
            f.status,
            "sharing_assessments.html",
            context! { error => f.message, failed => kept, ..ctx },
        ),
    })
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    list_page(&state, &viewer, None).await
}

pub async fn assess(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(fields): Fields<AssessFields>,
) -> Result<Response, PageError> {
    let input = AssessmentInput {
        outcome: fields.outcome.clone(),
        reason: fields.reason.clone(),
    };
    match sharing::assess_share_type(&state.app, viewer.ctx(), &code, input).await {
        Ok(a) if a.draft_revision.is_some() => Ok(done(LIST, "assessment_converted")),
        Ok(_) => Ok(done(LIST, "assessment_kept")),
        Err(e) => {
            let mut f = form_errors(&viewer, e).map_err(|p| p.back(LIST))?;
            let kept = Failed {
                entry_code: code,
                form: fields,
                errors: std::mem::take(&mut f.fields),
            };
            list_page(&state, &viewer, Some((kept, f))).await
        }
    }
}

pub async fn history(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let assessments = sharing::entry_assessments(&state.app, viewer.ctx(), &code)
        .await
        .map_err(|e| viewer.fail(e).back(LIST))?;
    Ok(viewer.page(
        "sharing_assessment_history.html",
        context! { code => code, assessments => assessments },
    ))
}

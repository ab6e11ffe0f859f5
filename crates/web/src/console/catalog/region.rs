//! 向自治区报送目录 (city authority, 第八条): the submissions of the city catalog to the
//! region with their packages and SM3 digests, the form that makes a new one, the download of
//! a package as sent, and the form recording the region's answer.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use gongshu_app::catalog::region::{self, AnswerInput, SubmitInput};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

const PATH: &str = "/catalog/region";
const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageParams {
    page: String,
}

/// The submission form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct SubmitFields {
    note: String,
}

/// The answer form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct AnswerFields {
    outcome: String,
    reasons: String,
    answered_on: String,
}

/// Which form failed (`submit` or a submission's id), with what was typed.
#[derive(Default)]
struct Kept {
    form: SubmitFields,
    answer: AnswerFields,
    failed: Option<(String, FormErrors)>,
}

async fn region_page(
    state: &AppState,
    viewer: &Viewer,
    page: i64,
    kept: Kept,
) -> Result<Response, PageError> {
    let found = region::list_submissions(&state.app, viewer.ctx(), page, PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    let pages = (found.total + PER_PAGE - 1) / PER_PAGE;
    let ctx = context! {
        page => found,
        pages => pages,
        form => kept.form,
        answer => kept.answer,
        today => gongshu_app::calendar::today(&state.app).to_string(),
    };
    Ok(match kept.failed {
        None => viewer.page("catalog_region.html", ctx),
        Some((form, f)) => viewer.page_with_status(
            f.status,
            "catalog_region.html",
            context! { error => f.message, errors => f.fields, failed_form => form, ..ctx },
        ),
    })
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<PageParams>,
) -> Result<Response, PageError> {
    let page = q.page.trim().parse().unwrap_or(1);
    region_page(&state, &viewer, page, Kept::default()).await
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<SubmitFields>,
) -> Result<Response, PageError> {
    let input = SubmitInput {
        note: fields.note.clone(),
    };
    match region::submit_catalog(&state.app, viewer.ctx(), input).await {
        Ok(_) => Ok(done(PATH, "region_submitted")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(PATH))?;
            let kept = Kept {
                form: fields,
                failed: Some(("submit".into(), failed)),
                ..Kept::default()
            };
            region_page(&state, &viewer, 1, kept).await
        }
    }
}

pub async fn package(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (name, bytes) = region::download_package(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back(PATH))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn answer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<AnswerFields>,
) -> Result<Response, PageError> {
    let input = AnswerInput {
        outcome: fields.outcome.clone(),
        reasons: fields.reasons.clone(),
        answered_on: Some(fields.answered_on.clone()),
    };
    match region::record_answer(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done(PATH, "region_answered")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(PATH))?;
            let kept = Kept {
                answer: fields,
                failed: Some((id, failed)),
                ..Kept::default()
            };
            region_page(&state, &viewer, 1, kept).await
        }
    }
}

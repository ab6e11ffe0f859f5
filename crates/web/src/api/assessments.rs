//! The yearly assessment of conditionally shared entries (H19): record keep-or-convert, an
//! entry's history, and the assessments coming up or overdue.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::sharing::{self, AssessmentDue, AssessmentInput, AssessmentView};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Authed};
use crate::state::AppState;

/// Records the assessment of a published, conditionally shared entry of the caller's agency:
/// `keep` the conditions, or `convert` — a new revision with unconditional sharing, submitted
/// for the authority's review at once (`draft_revision`). The year restarts from today.
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/share-assessments", tag = "sharing",
    request_body = AssessmentInput, params(("code" = String, Path)),
    responses((status = 201, body = AssessmentView), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn assess(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> ApiResult<(StatusCode, Json<AssessmentView>)> {
    let view = sharing::assess_share_type(&state.app, auth.ctx(), &code, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// An entry's assessments, newest first.
#[utoipa::path(get, path = "/api/v1/catalog/entries/{code}/share-assessments", tag = "sharing",
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<AssessmentView>), (status = 404, body = crate::error::Problem)))]
pub async fn history(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<AssessmentView>>> {
    Ok(Json(
        sharing::entry_assessments(&state.app, auth.ctx(), &code).await?,
    ))
}

/// Assessments due within 30 days or overdue, soonest first: the caller's agency's, or the
/// whole city's for authorities and the regulator.
#[utoipa::path(get, path = "/api/v1/sharing/assessments-due", tag = "sharing",
    responses((status = 200, body = Vec<AssessmentDue>)))]
pub async fn due(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<AssessmentDue>>> {
    Ok(Json(
        sharing::assessments_due(&state.app, auth.ctx()).await?,
    ))
}

//! The city catalog's submissions to the autonomous region (第八条; city authority): make one
//! (the package of every published entry, with its SM3 digest), list them, download a package
//! as sent, and record the region's answer.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use gongshu_app::catalog::region::{
    self, AnswerInput, SubmissionPage, SubmissionView, SubmitInput,
};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;

/// Submits the city catalog to the region: builds the package (a ZIP of `catalog.json` and
/// `catalog.xlsx` of every published entry), keeps it with its SM3 digest and hands it to the
/// connector (by hand today: download it and send it through the region's channel).
#[utoipa::path(post, path = "/api/v1/catalog/region-submissions", tag = "catalog", request_body = SubmitInput,
    responses((status = 201, body = SubmissionView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<SubmitInput>,
) -> ApiResult<(StatusCode, Json<SubmissionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(region::submit_catalog(&state.app, auth.ctx(), input).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// 1-based page, 20 per page unless `per_page` says otherwise (at most 100).
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

/// The submissions, newest first.
#[utoipa::path(get, path = "/api/v1/catalog/region-submissions", tag = "catalog", params(ListQuery),
    responses((status = 200, body = SubmissionPage), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<SubmissionPage>> {
    Ok(Json(
        region::list_submissions(
            &state.app,
            auth.ctx(),
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(20),
        )
        .await?,
    ))
}

/// One submission with the region's answer, if recorded.
#[utoipa::path(get, path = "/api/v1/catalog/region-submissions/{id}", tag = "catalog", params(("id" = String, Path)),
    responses((status = 200, body = SubmissionView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SubmissionView>> {
    Ok(Json(
        region::get_submission(&state.app, auth.ctx(), &id).await?,
    ))
}

/// The package of a submission, byte for byte as sent: its SM3 is the submission's
/// `package_sm3`.
#[utoipa::path(get, path = "/api/v1/catalog/region-submissions/{id}/package", tag = "catalog", params(("id" = String, Path)),
    responses((status = 200, description = "ZIP of catalog.json and catalog.xlsx", content_type = "application/zip"), (status = 404, body = crate::error::Problem)))]
pub async fn package(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let (name, bytes) = region::download_package(&state.app, auth.ctx(), &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    ))
}

/// Records the region's answer: `accepted`, or `returned` with its reasons. Final.
#[utoipa::path(post, path = "/api/v1/catalog/region-submissions/{id}/answer", tag = "catalog", params(("id" = String, Path)), request_body = AnswerInput,
    responses((status = 200, body = SubmissionView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<Json<SubmissionView>> {
    Ok(Json(
        region::record_answer(&state.app, auth.ctx(), &id, input).await?,
    ))
}

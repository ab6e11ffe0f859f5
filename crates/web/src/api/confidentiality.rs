//! Confidentiality reviews (保密审查, 第三十四条), signed by an organisation's security lead.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::confidentiality::{self, ReviewInput, ReviewView};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Authed};
use crate::state::AppState;

/// Signs the review of the revision submitted for publication (the provider's security lead).
/// An entry to be opened to society is published only after it.
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/confidentiality-reviews", tag = "catalog", params(("code" = String, Path)), request_body = ReviewInput,
    responses((status = 201, body = ReviewView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn review_entry(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let view = confidentiality::review_entry(&state.app, auth.ctx(), &code, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The reviews of an entry, newest first (its agency and its reviewers).
#[utoipa::path(get, path = "/api/v1/catalog/entries/{code}/confidentiality-reviews", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = Vec<ReviewView>), (status = 404, body = crate::error::Problem)))]
pub async fn entry_reviews(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<ReviewView>>> {
    Ok(Json(
        confidentiality::entry_reviews(&state.app, auth.ctx(), &code).await?,
    ))
}

/// Signs the review of a pending share request (the source's security lead). A share of
/// sensitive personal information is approved only after it.
#[utoipa::path(post, path = "/api/v1/share-requests/{id}/confidentiality-reviews", tag = "sharing", params(("id" = String, Path)), request_body = ReviewInput,
    responses((status = 201, body = ReviewView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn review_request(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let view = confidentiality::review_request(&state.app, auth.ctx(), &id, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

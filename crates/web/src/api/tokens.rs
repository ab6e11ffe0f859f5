//! Personal API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::identity::{self, CreateTokenInput, CreatedToken, TokenView};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Authed};
use crate::state::AppState;

/// My tokens (never the secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth", responses((status = 200, body = Vec<TokenView>)))]
pub async fn list(State(state): State<AppState>, auth: Authed) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(identity::list_tokens(&state.app, auth.ctx()).await?))
}

/// Creates a token; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "auth", request_body = CreateTokenInput,
    responses((status = 201, body = CreatedToken), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<CreateTokenInput>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    Ok((
        StatusCode::CREATED,
        Json(identity::create_token(&state.app, auth.ctx(), input).await?),
    ))
}

/// Revokes one of my tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    identity::revoke_token(&state.app, auth.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

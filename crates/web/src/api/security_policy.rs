//! Security policy.

use axum::Json;
use axum::extract::State;
use gongshu_domain::SecurityPolicy;

use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

/// The policy in force (security and system admins).
#[utoipa::path(get, path = "/api/v1/security-policy", tag = "security", responses((status = 200, description = "the security policy")))]
pub async fn get(State(state): State<AppState>, auth: Authed) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(
        gongshu_app::security_policy::view(&state.app, auth.ctx()).await?,
    ))
}

/// Replaces the policy (security admin); bounds keep it from going below the platform floor.
#[utoipa::path(put, path = "/api/v1/security-policy", tag = "security", request_body(content = Object, description = "password_min_length, lockout_threshold, lockout_minutes, session_idle_minutes"),
    responses((status = 200, description = "the new policy"), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(policy): ApiJson<SecurityPolicy>,
) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(
        gongshu_app::security_policy::update(&state.app, auth.ctx(), policy).await?,
    ))
}

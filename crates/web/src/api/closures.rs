//! Closures of a data user's access (暂时关闭, H41): the source agency or an authority over it
//! closes, demanding a correction; the data user lists what closes them out; the closer reopens
//! once corrected.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::sharing::{self, CloseInput, ClosureSide, ClosureView, ReopenInput};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClosuresQuery {
    /// `subject` (default): the closures on the caller's account or organisation; `closer`:
    /// the ones the caller's organisation made.
    #[serde(default)]
    #[param(inline)]
    side: ClosureSide,
    /// `true`: only the closures still in force.
    #[serde(default)]
    open: bool,
    /// 1-based page, 50 per page unless `per_page` says otherwise (at most 200).
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

/// Temporarily closes an account's or an organisation's access to one entry or to every
/// entry of a provider, with the misuse found and the correction demanded (the source
/// agency's admin for its own data; an authority's reviewer within its county or city).
#[utoipa::path(post, path = "/api/v1/closures", tag = "sharing", request_body = CloseInput,
    responses((status = 201, body = ClosureView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn close(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<CloseInput>,
) -> ApiResult<(StatusCode, Json<ClosureView>)> {
    Ok((
        StatusCode::CREATED,
        Json(sharing::close_access(&state.app, auth.ctx(), input).await?),
    ))
}

/// Closures on the caller (what they must correct) or made by the caller's organisation,
/// open ones first, then newest first.
#[utoipa::path(get, path = "/api/v1/closures", tag = "sharing", params(ClosuresQuery),
    responses((status = 200, body = Vec<ClosureView>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<ClosuresQuery>,
) -> ApiResult<Json<Vec<ClosureView>>> {
    Ok(Json(
        sharing::list_closures(
            &state.app,
            auth.ctx(),
            q.side,
            q.open,
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(50),
        )
        .await?,
    ))
}

/// Reopens closed access once the user has corrected (the organisation that closed), with a
/// note on the correction.
#[utoipa::path(post, path = "/api/v1/closures/{id}/reopen", tag = "sharing", params(("id" = String, Path)), request_body = ReopenInput,
    responses((status = 200, body = ClosureView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn reopen(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReopenInput>,
) -> ApiResult<Json<ClosureView>> {
    Ok(Json(
        sharing::reopen_access(&state.app, auth.ctx(), &id, input).await?,
    ))
}

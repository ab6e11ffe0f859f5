//! The audit log, for auditors and regulators.

use axum::Json;
use axum::extract::State;
use gongshu_app::audit_log::{self, EventPage, EventQuery};

use crate::error::ApiResult;
use crate::extract::{ApiQuery, Authed};
use crate::state::AppState;

/// Events, newest first, filtered; page with `before_seq`.
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(EventQuery),
    responses((status = 200, body = EventPage), (status = 403, body = crate::error::Problem)))]
pub async fn events(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> ApiResult<Json<EventPage>> {
    Ok(Json(
        audit_log::list_events(&state.app, auth.ctx(), q).await?,
    ))
}

/// Recomputes the SM3 chain and names the first broken sequence number, if any.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "events_checked, head_seq, head_hash, first_broken"), (status = 403, body = crate::error::Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<gongshu_app::audit_log::VerifyReport>> {
    Ok(Json(audit_log::verify_chain(&state.app, auth.ctx()).await?))
}

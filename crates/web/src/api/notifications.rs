//! In-app notifications (站内通知) of the caller's organisation: deadline reminders and overdue
//! notices, newest first, marked read one by one or all at once. Another organisation's
//! notification answers 404.

use axum::Json;
use axum::extract::State;
use gongshu_app::sharing::{self, NotificationView, NotificationsPage, ReadAll};

use super::sharing::PageQuery;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, Authed};
use crate::state::AppState;

/// The notifications of the caller's organisation, newest first, with the number unread.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(PageQuery),
    responses((status = 200, body = NotificationsPage)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<NotificationsPage>> {
    Ok(Json(
        sharing::list_notifications(
            &state.app,
            auth.ctx(),
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(50),
        )
        .await?,
    ))
}

/// Marks one notification of the caller's organisation read (for all its users); marking one
/// already read changes nothing.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = String, Path)),
    responses((status = 200, body = NotificationView), (status = 404, body = crate::error::Problem)))]
pub async fn read(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<NotificationView>> {
    Ok(Json(
        sharing::read_notification(&state.app, auth.ctx(), &id).await?,
    ))
}

/// Marks every unread notification of the caller's organisation read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 200, body = ReadAll)))]
pub async fn read_all(State(state): State<AppState>, auth: Authed) -> ApiResult<Json<ReadAll>> {
    Ok(Json(
        sharing::read_all_notifications(&state.app, auth.ctx()).await?,
    ))
}

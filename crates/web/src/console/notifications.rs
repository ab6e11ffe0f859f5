//! 站内通知: the notifications of one's organisation, newest first and a page at a time, the
//! unread ones highlighted and each linked to the request it is about; 标记为已读 one by one
//! or all at once. Another organisation's notification is the 404 page.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::sharing;
use minijinja::context;
use serde::Deserialize;

use super::auth::Viewer;
use super::forms::{Fields, Params, back_to};
use super::render::{PageError, done};
use super::sharing::PageParams;
use crate::state::AppState;

const PER_PAGE: i64 = 30;

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<PageParams>,
) -> Result<Response, PageError> {
    let page = sharing::list_notifications(&state.app, viewer.ctx(), q.number(), PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page("notifications.html", context! { p => page }))
}

/// The page of the list the form was on, to go back to.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BackFields {
    back: String,
}

pub async fn read(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<BackFields>,
) -> Result<Response, PageError> {
    let back = back_to(&fields.back, "/notifications");
    sharing::read_notification(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back(back.clone()))?;
    Ok(done(&back, "notification_read"))
}

pub async fn read_all(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    sharing::read_all_notifications(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e).back("/notifications"))?;
    Ok(done("/notifications", "notifications_read"))
}

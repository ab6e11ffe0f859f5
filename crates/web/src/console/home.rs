//! The home page: who you are, your organisation and roles, what you may do, and the in-app
//! notices (站内通知) of sharing deadlines addressed to your organisation.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use super::auth::Viewer;
use super::render::PageError;
use crate::state::AppState;

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let calendar = gongshu_app::calendar::status(&state.app);
    let warning = if viewer.may("import_calendar") {
        calendar.warning_zh
    } else {
        None
    };
    let notifications = gongshu_app::sharing::pages::unread_notifications(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page(
        "home.html",
        context! { calendar_warning => warning, notifications => notifications },
    ))
}

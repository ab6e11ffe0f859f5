//! The home page: who you are, your organisation and roles, and what you may do.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use super::auth::Viewer;
use crate::state::AppState;

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Response {
    let calendar = gongshu_app::calendar::status(&state.app);
    let warning = if viewer.may("import_calendar") {
        calendar.warning_zh
    } else {
        None
    };
    viewer.page("home.html", context! { calendar_warning => warning })
}

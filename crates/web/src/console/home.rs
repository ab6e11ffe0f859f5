//! The home page: who you are, your organisation and roles, and what you may do.

use axum::extract::State;
use axum::response::Response;
use gongshu_app::identity;
use minijinja::context;

use super::auth::Viewer;
use super::render::templates;
use crate::state::AppState;

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Response {
    let me = identity::me(viewer.ctx());
    let calendar = gongshu_app::calendar::status(&state.app);
    let may_import = me.capabilities.iter().any(|c| c.action == "import_calendar");
    templates().render(
        "home.html",
        context! { me => me, calendar_warning => if may_import { calendar.warning_zh } else { None } },
    )
}

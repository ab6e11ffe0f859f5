//! 督办清单: open steps of share requests past their due date, oldest due first, with the
//! organisation that is late (authorities and the regulator).

use axum::extract::State;
use axum::response::Response;
use gongshu_app::sharing::pages;
use minijinja::context;

use crate::console::auth::Viewer;
use crate::console::render::PageError;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let page = pages::escalations_page(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page("sharing_escalations.html", context! { p => page }))
}

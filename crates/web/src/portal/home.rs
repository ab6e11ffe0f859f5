//! `/open`: the portal's home — the city's open figures, a search box, the ways in by topic,
//! department and base database, and the newest datasets.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use super::page::{PortalError, render};
use crate::console::catalog::labels::labels;
use crate::state::AppState;

pub async fn show(State(state): State<AppState>) -> Result<Response, PortalError> {
    let home = gongshu_app::open::portal_home(&state.app).await?;
    Ok(render(
        "portal_home.html",
        context! { section => "home", home => home, labels => labels() },
    ))
}

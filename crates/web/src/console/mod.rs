//! The console (管理控制台): server-rendered Chinese pages over the same application commands
//! as the API. Forms post back, commands run, and the page redirects with a notice (PRG), so
//! everything works without JavaScript; the one vendored script only asks for confirmation
//! before destructive steps.

mod auth;
mod home;
mod render;

pub use render::not_found_page;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", axum::routing::post(auth::logout))
}

//! The console (管理控制台): server-rendered Chinese pages over the same application commands
//! as the API. Forms post back, commands run, and the page redirects with a notice (PRG), so
//! everything works without JavaScript; the one vendored script only asks for confirmation
//! before destructive steps.

mod accounts;
mod audit;
mod auth;
mod calendar;
pub(crate) mod catalog;
mod confidentiality;
pub(crate) mod data;
mod forms;
mod home;
mod notifications;
mod objections;
mod orgs;
mod render;
mod security;
mod sharing;
mod tickets;
mod tokens;

pub use render::not_found_page;
pub(crate) use render::{PageError, templates};

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/orgs", get(orgs::list).post(orgs::create))
        .route("/orgs/new", get(orgs::new_form))
        .route("/orgs/{id}/edit", get(orgs::edit_form).post(orgs::update))
        .route("/orgs/{id}/delete", post(orgs::delete))
        .route(
            "/orgs/{id}/liaison",
            get(orgs::liaison_form).post(orgs::update_liaison),
        )
        .route(
            "/orgs/{id}/responsible-persons",
            get(orgs::responsibility_form).post(orgs::name_responsible_persons),
        )
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/new", get(accounts::new_form))
        .route(
            "/accounts/{id}/edit",
            get(accounts::edit_form).post(accounts::update),
        )
        .route(
            "/accounts/{id}/password",
            get(accounts::password_form).post(accounts::reset_password),
        )
        .route("/accounts/{id}/disable", post(accounts::disable))
        .route("/accounts/{id}/enable", post(accounts::enable))
        .route("/accounts/{id}/unlock", post(accounts::unlock))
        .route("/accounts/{id}/roles", post(accounts::grant_role))
        .route(
            "/accounts/{id}/roles/{role}/revoke",
            post(accounts::revoke_role),
        )
        .route(
            "/security-policy",
            get(security::view).post(security::update),
        )
        .route("/audit", get(audit::events))
        .route("/audit/verify", get(audit::verify))
        .route("/calendar", get(calendar::view))
        .route("/calendar/import", post(calendar::import))
        .route("/calendar/deadline", get(calendar::deadline))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route(
            "/password",
            get(tokens::password_form).post(tokens::change_password),
        )
        .route("/catalog/entries/{code}/data", get(data::show))
        .route(
            "/catalog/entries/{code}/data/versions/{version}/confirm",
            post(data::confirm),
        )
        .route(
            "/catalog/entries/{code}/data/versions/{version}/discard",
            post(data::discard),
        )
        .route("/quality/tickets", get(tickets::list))
        .route("/quality/tickets/overdue", get(tickets::overdue))
        .route("/quality/tickets/{id}", get(tickets::show))
        .route("/quality/tickets/{id}/answer", post(tickets::answer))
        .route("/quality/tickets/{id}/close", post(tickets::close))
        .route("/quality/tickets/{id}/reopen", post(tickets::reopen))
        .route(
            "/catalog/entries/{code}/quality-tickets",
            post(tickets::report),
        )
        .route("/notifications", get(notifications::list))
        .route("/objections", get(objections::list))
        .route("/objections/{id}", get(objections::show))
        .route("/objections/{id}/resolve", post(objections::resolve))
        .route(
            "/catalog/entries/{code}/objection",
            get(objections::objection_form).post(objections::object),
        )
        .route(
            "/catalog/entries/{code}/opening-risks",
            post(objections::flag_risk),
        )
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/notifications/{id}/read", post(notifications::read))
        .merge(catalog::router())
        .merge(sharing::router())
}

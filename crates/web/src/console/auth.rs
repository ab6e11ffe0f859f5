//! Console login and logout, and the extractor that sends anonymous visitors to the login page.

use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use gongshu_app::identity::{self, LoginInput};
use gongshu_app::{Principal, RequestMeta};
use minijinja::context;
use serde::Deserialize;

use super::render::{PageError, templates};
use crate::api::session_cookie;
use crate::error::ApiError;
use crate::extract::{Meta, credential, request_meta};
use crate::state::AppState;

/// A logged-in console user; anyone else is redirected to `/login`.
pub struct Viewer {
    pub principal: Principal,
    pub meta: RequestMeta,
}

impl Viewer {
    pub fn ctx(&self) -> gongshu_app::Ctx<'_> {
        gongshu_app::Ctx { meta: &self.meta, principal: &self.principal }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let meta = request_meta(parts);
        let credential = credential(parts).ok_or(gongshu_app::AppError::Unauthenticated)?;
        let principal = identity::authenticate(&state.app, &credential).await?;
        Ok(Viewer { principal, meta })
    }
}

pub async fn login_page() -> Response {
    templates().render("login.html", context! {})
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login_submit(State(state): State<AppState>, Meta(meta): Meta, Form(form): Form<LoginForm>) -> Response {
    let username = form.username.clone();
    match identity::login(&state.app, &meta, LoginInput { username: form.username, password: form.password }).await {
        Ok(outcome) => {
            let cookie = session_cookie(&state, &outcome.session_token, 12 * 3600);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(e) => {
            let err = ApiError::from(e);
            let status = err.status;
            (status, templates().render("login.html", context! { error => err.zh, username => username })).into_response()
        }
    }
}

pub async fn logout(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    identity::logout(&state.app, viewer.ctx()).await?;
    let cookie = session_cookie(&state, "", 0);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

//! Console login and logout, and the extractor that sends anonymous visitors to the login page.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use gongshu_app::identity::{self, LoginInput, Me};
use gongshu_app::{Principal, RequestMeta};
use gongshu_domain::{DenyReason, Role};
use minijinja::{Value, context};
use serde::Deserialize;

use super::render::{PageError, notice_zh, templates};
use crate::api::session_cookie;
use crate::error::ApiError;
use crate::extract::{Authed, Meta};
use crate::state::AppState;

/// A logged-in console user; anyone else is redirected to `/login`. Carries what every page
/// shows: the navigation (`me`) and the notice named in the address after a redirect.
pub struct Viewer {
    pub principal: Principal,
    pub meta: RequestMeta,
    pub me: Me,
    notice: Option<&'static str>,
}

impl Viewer {
    pub fn ctx(&self) -> gongshu_app::Ctx<'_> {
        gongshu_app::Ctx {
            meta: &self.meta,
            principal: &self.principal,
        }
    }

    /// Renders a page extending `base.html`; `ctx` may override the defaults (no field errors).
    pub fn page(&self, name: &str, ctx: Value) -> Response {
        let empty: BTreeMap<String, String> = BTreeMap::new();
        // Precedence is left to right: the page's own values first, then the defaults.
        templates().render(name, context! { ..ctx, ..context! { me => &self.me, notice => self.notice, errors => empty } })
    }

    /// Renders a page with another status than 200, e.g. a form shown again with its errors.
    pub fn page_with_status(&self, status: StatusCode, name: &str, ctx: Value) -> Response {
        (status, self.page(name, ctx)).into_response()
    }

    /// The error page for a failed command, with this viewer's navigation.
    pub fn fail(&self, e: impl Into<ApiError>) -> PageError {
        PageError {
            err: Box::new(e.into()),
            me: Some(Box::new(self.me.clone())),
            back: None,
        }
    }

    /// Whether the platform-wide capability `action` (as in `me.capabilities`) is the viewer's.
    /// Used only to decide which buttons to show; every command decides again.
    pub fn may(&self, action: &str) -> bool {
        self.me
            .capabilities
            .iter()
            .any(|c| c.action == action || c.action.starts_with(&format!("{action}:")))
    }

    /// Refuses a form page whose command the viewer may not run (the 403 page), so nobody fills
    /// in a form only to be refused; the command itself still decides on submission.
    pub fn require(&self, action: &str) -> Result<(), PageError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(self.fail(gongshu_app::AppError::Forbidden(DenyReason::RoleMissing)))
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.principal.roles.iter().any(|r| r == role.as_str())
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The same authentication as the API; only the failure is answered as a page.
        let Authed { principal, meta } = Authed::from_request_parts(parts, state).await?;
        let me = identity::me(gongshu_app::Ctx {
            meta: &meta,
            principal: &principal,
        });
        let notice = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("notice=")))
            .and_then(notice_zh);
        Ok(Viewer {
            principal,
            meta,
            me,
            notice,
        })
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

pub async fn login_submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Form(form): Form<LoginForm>,
) -> Response {
    let username = form.username.clone();
    match identity::login(
        &state.app,
        &meta,
        LoginInput {
            username: form.username,
            password: form.password,
        },
    )
    .await
    {
        Ok(outcome) => {
            let cookie = session_cookie(
                &state,
                &outcome.session_token,
                state.app.session_lifetime_secs(),
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(e) => {
            let err = ApiError::from(e);
            let status = err.status;
            (
                status,
                templates().render(
                    "login.html",
                    context! { error => err.zh, username => username },
                ),
            )
                .into_response()
        }
    }
}

pub async fn logout(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    identity::logout(&state.app, viewer.ctx()).await?;
    let cookie = session_cookie(&state, "", 0);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

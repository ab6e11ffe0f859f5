//! 个人设置: my personal API tokens (listed without their secrets, created with the secret
//! shown exactly once, revoked) and changing my own password.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::identity::{self, ChangePasswordInput, CreateTokenInput};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::forms::{Fields, FormErrors, form_errors, number};
use super::render::{PageError, done, no_store};
use crate::state::AppState;

/// The token form as typed, kept to show it again with its errors.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct TokenFields {
    name: String,
    expires_in_days: String,
}

impl TokenFields {
    /// Empty means no expiry; an unreadable number becomes 0, which the command refuses.
    fn input(&self) -> CreateTokenInput {
        let days = self.expires_in_days.trim();
        CreateTokenInput {
            name: self.name.clone(),
            expires_in_days: (!days.is_empty()).then(|| number(days).unwrap_or(0)),
        }
    }
}

async fn tokens_page(
    state: &AppState,
    viewer: &Viewer,
    fields: &TokenFields,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let tokens = identity::list_tokens(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! { tokens => tokens, form => fields };
    Ok(match failed {
        None => viewer.page("tokens.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "tokens.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    tokens_page(&state, &viewer, &TokenFields::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<TokenFields>,
) -> Result<Response, PageError> {
    match identity::create_token(&state.app, viewer.ctx(), fields.input()).await {
        // Shown in the answer to the POST itself: the secret exists nowhere else.
        Ok(created) => Ok(no_store(
            viewer.page("token_created.html", context! { created => created }),
        )),
        Err(e) => tokens_page(&state, &viewer, &fields, Some(form_errors(&viewer, e)?)).await,
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    identity::revoke_token(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back("/tokens"))?;
    Ok(done("/tokens", "token_revoked"))
}

pub async fn password_form(viewer: Viewer) -> Response {
    viewer.page("password.html", context! {})
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordFields {
    current_password: String,
    new_password: String,
    new_password_again: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(f): Fields<PasswordFields>,
) -> Result<Response, PageError> {
    let failed = if f.new_password != f.new_password_again {
        FormErrors::field("new_password_again", "两次输入的新密码不一致")
    } else {
        let input = ChangePasswordInput {
            current_password: f.current_password,
            new_password: f.new_password,
        };
        match identity::change_own_password(&state.app, viewer.ctx(), input).await {
            Ok(()) => return Ok(done("/password", "password_changed")),
            Err(e) => form_errors(&viewer, e)?,
        }
    };
    Ok(viewer.page_with_status(
        failed.status,
        "password.html",
        context! { error => failed.message, errors => failed.fields },
    ))
}

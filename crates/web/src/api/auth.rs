//! Login, logout, registration and the caller's own identity.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use gongshu_app::identity::{
    self, ChangePasswordInput, LoginInput, Me, RegisterInput, Registered, SESSION_COOKIE,
};

use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed, Meta};
use crate::state::AppState;

pub(crate) fn session_cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie value is URL-safe base64")
}

/// Logs in with user name and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 423, description = "password logins of the account are locked (Retry-After)", body = crate::error::Problem),
        (status = 429, description = "too many failed logins from this address (Retry-After)", body = crate::error::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<(HeaderMap, Json<Me>)> {
    let outcome = identity::login(&state.app, &meta, input).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        session_cookie(
            &state,
            &outcome.session_token,
            state.app.session_lifetime_secs(),
        ),
    );
    let ctx = gongshu_app::Ctx {
        meta: &meta,
        principal: &outcome.principal,
    };
    Ok((headers, Json(identity::me(ctx))))
}

/// Ends the session and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = crate::error::Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<(StatusCode, HeaderMap)> {
    identity::logout(&state.app, auth.ctx()).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// Registers a public user (a person or a company).
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterInput,
    responses((status = 201, body = Registered), (status = 422, body = crate::error::Problem)))]
pub async fn register(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    Ok((
        StatusCode::CREATED,
        Json(identity::register_public(&state.app, &meta, input).await?),
    ))
}

/// Who I am and what I may do.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
pub async fn me(auth: Authed) -> Json<Me> {
    Json(identity::me(auth.ctx()))
}

/// Changes my password; my other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePasswordInput,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<ChangePasswordInput>,
) -> ApiResult<StatusCode> {
    identity::change_own_password(&state.app, auth.ctx(), input).await?;
    Ok(StatusCode::NO_CONTENT)
}

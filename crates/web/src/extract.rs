//! Extractors: JSON bodies and queries whose rejections become problem+json, the request's
//! audit facts, and the authenticated principal.

use std::net::SocketAddr;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use gongshu_app::identity::SESSION_COOKIE;
use gongshu_app::{Principal, RequestMeta};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body; malformed JSON, unknown fields and oversized bodies are 4xx problems.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_problem(&rejection)),
        }
    }
}

fn json_problem(rejection: &JsonRejection) -> ApiError {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("请求内容的字段不符合要求：{detail}"),
            format!("the request body does not match the expected fields: {detail}"),
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "请求内容不是有效的JSON",
            format!("the request body is not valid JSON: {detail}"),
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求须使用Content-Type: application/json",
            "the request must have Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(_) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "请求内容过大",
            "the request body is too large",
        ),
        _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "请求无效", detail),
    }
}

/// Query parameters; unknown or ill-typed parameters are a 400 problem.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|r: QueryRejection| {
                let detail = r.body_text();
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    format!("查询参数有误：{detail}"),
                    format!("bad query parameters: {detail}"),
                )
            })
    }
}

/// Path parameters; one of the wrong type (a version that is not a number) is a 400 problem.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|r: PathRejection| {
                let detail = r.body_text();
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_path",
                    format!("路径参数有误：{detail}"),
                    format!("bad path parameters: {detail}"),
                )
            })
    }
}

/// The request id (set by the request-id layer) and the client address, for audit events and
/// login throttling.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Meta(request_meta(parts)))
    }
}

pub(crate) fn request_meta(parts: &Parts) -> RequestMeta {
    // A proxy may pass its own id; keep it, but only a bounded, plain one goes into the audit log.
    let request_id: String = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.:".contains(*c))
        .take(64)
        .collect();
    // Resolved at the edge (through trusted proxies only); the TCP peer if the edge did not run.
    let client_addr = match parts.extensions.get::<crate::net::ClientFacts>() {
        Some(facts) => facts.addr,
        None => parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_canonical()),
    }
    .map_or_else(|| "unknown".into(), |ip| ip.to_string());
    RequestMeta {
        request_id,
        client_addr,
    }
}

/// The credential of a request: `Authorization: Bearer gst_…`, or the session cookie.
pub(crate) fn credential(parts: &Parts) -> Option<String> {
    if let Some(bearer) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// The authenticated principal and the request's audit facts.
pub struct Authed {
    pub principal: Principal,
    pub meta: RequestMeta,
}

impl Authed {
    pub fn ctx(&self) -> gongshu_app::Ctx<'_> {
        gongshu_app::Ctx {
            meta: &self.meta,
            principal: &self.principal,
        }
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let meta = request_meta(parts);
        let credential = credential(parts).ok_or(gongshu_app::AppError::Unauthenticated)?;
        let principal = gongshu_app::identity::authenticate(&state.app, &credential).await?;
        Ok(Authed { principal, meta })
    }
}

/// A principal if the request carries a credential; anonymous callers are `None`. A credential
/// that does not authenticate is still an error, so a client learns its token is bad.
pub struct MaybeAuthed(pub Option<Authed>);

impl MaybeAuthed {
    pub fn ctx(&self) -> Option<gongshu_app::Ctx<'_>> {
        self.0.as_ref().map(Authed::ctx)
    }
}

impl FromRequestParts<AppState> for MaybeAuthed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if credential(parts).is_none() {
            return Ok(MaybeAuthed(None));
        }
        Authed::from_request_parts(parts, state)
            .await
            .map(|a| MaybeAuthed(Some(a)))
    }
}

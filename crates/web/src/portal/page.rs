//! What the portal's pages share: rendering a portal template, the error page in the portal's
//! own frame (the status and the same Chinese message the API would give), query parameters
//! whose rejection is that page, and the address the visitor reached the platform at (for the
//! absolute links of JSON-LD, the API example and the sitemap).

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use gongshu_app::AppError;
use minijinja::context;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::console::templates;
use crate::error::ApiError;
use crate::net::ClientFacts;
use crate::state::AppState;

/// A portal page.
pub fn render<S: Serialize>(name: &str, ctx: S) -> Response {
    templates().render(name, ctx)
}

/// A portal page that failed: the error page with its status.
#[derive(Debug)]
pub struct PortalError(ApiError);

impl From<AppError> for PortalError {
    fn from(e: AppError) -> Self {
        Self(ApiError::from(e))
    }
}

impl From<ApiError> for PortalError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let page = render(
            "portal_error.html",
            context! {
                status => self.0.status.as_u16(),
                message => self.0.zh,
                code => self.0.code,
                error_id => self.0.error_id,
            },
        );
        (self.0.status, page).into_response()
    }
}

/// Query parameters of a portal page; malformed ones give the error page (400).
pub struct PortalQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PortalQuery<T> {
    type Rejection = PortalError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| PortalQuery(q.0))
            .map_err(|r| {
                PortalError(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    "查询参数有误，请返回后重新选择",
                    r.body_text(),
                ))
            })
    }
}

/// `scheme://host[:port]` as the visitor addressed the platform: `https` when it is served
/// over HTTPS, the host from the edge (a trusted proxy's `X-Forwarded-Host`, else `Host`). A
/// host that is not a plain host name or address is not echoed back: `localhost` stands in.
pub struct Origin(pub String);

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let scheme = if state.config.secure_cookies {
            "https"
        } else {
            "http"
        };
        let host = parts
            .extensions
            .get::<ClientFacts>()
            .and_then(|f| f.host.as_deref())
            .filter(|h| plain_host(h))
            .unwrap_or("localhost");
        Ok(Origin(format!("{scheme}://{host}")))
    }
}

/// A host name or address with an optional port, nothing else.
fn plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
}

/// A text typed into a search box, cut to `max` characters.
pub fn bounded(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_hosts_are_echoed() {
        assert!(plain_host("data.gov.cn"));
        assert!(plain_host("127.0.0.1:8080"));
        assert!(plain_host("[::1]:8080"));
        assert!(!plain_host("evil.com/path"));
        assert!(!plain_host("a b"));
        assert!(!plain_host("x\"><script>"));
        assert!(!plain_host(""));
        assert_eq!(bounded("  户籍人口  ", 2), "户籍");
    }
}

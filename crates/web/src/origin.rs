//! The same-origin check on state-changing requests (CSRF defence beside `SameSite=Strict`).
//!
//! * **Console** (every POST outside `/api/`, the login form included): the request must
//!   show that it comes from a page of the platform — an `Origin` of this host, else
//!   `Sec-Fetch-Site: same-origin`, else a `Referer` on this host. A request that shows none
//!   of them is refused as well: browsers send `Origin` with every POST, so only a tool or
//!   a stripped request lacks it, and the console is for browsers. Refusal: the 403 page.
//! * **API** (`/api/…` writes): a call that authenticates with `Authorization: Bearer` is not
//!   checked (a token is not sent by a browser on its own). Any other call — with the session
//!   cookie, or a login — is refused only when it shows a foreign origin (`Origin` or
//!   `Sec-Fetch-Site`); without those headers it is a non-browser client and passes.
//!   Refusal: 403 problem+json `cross_origin`.
//!
//! "This host" is the `Host` the client addressed (or `X-Forwarded-Host` from a trusted
//! proxy); when the platform is served over HTTPS the origin must be `https` too.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::console::PageError;
use crate::error::ApiError;
use crate::net::ClientFacts;
use crate::state::AppState;

/// Where a request says it was sent from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A page of this platform (or the user typing the address).
    SameOrigin,
    /// Another site, or an opaque (`null`) origin.
    CrossOrigin,
    /// The request does not say.
    Unknown,
}

/// Reads `Origin`, then `Sec-Fetch-Site`, then `Referer`; the first present decides.
/// `host` is the `host[:port]` the client addressed; `https_only` refuses `http` origins.
pub fn source(headers: &HeaderMap, host: Option<&str>, https_only: bool) -> Source {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let matches = |url: &str| {
        let verdict = host.is_some_and(|h| same_origin(url, h, https_only));
        if verdict {
            Source::SameOrigin
        } else {
            Source::CrossOrigin
        }
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.to_str().map_or(Source::CrossOrigin, matches);
    }
    if let Some(site) = header("sec-fetch-site") {
        // `none`: the user opened the address themselves; nobody else made the request.
        return match site {
            "same-origin" | "none" => Source::SameOrigin,
            _ => Source::CrossOrigin,
        };
    }
    match header("referer") {
        Some(referer) => matches(referer),
        None => Source::Unknown,
    }
}

/// Whether `url` (an origin or a full address) has the scheme, host and port of `host`.
fn same_origin(url: &str, host: &str, https_only: bool) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    let scheme = url.scheme();
    if !(scheme == "https" || (scheme == "http" && !https_only)) {
        return false;
    }
    let Ok(addressed) = url::Url::parse(&format!("{scheme}://{host}")) else {
        return false;
    };
    addressed.path() == "/"
        && addressed.host_str().is_some()
        && url.host_str().map(str::to_ascii_lowercase)
            == addressed.host_str().map(str::to_ascii_lowercase)
        && url.port_or_known_default() == addressed.port_or_known_default()
}

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
}

/// Middleware: refuses state-changing requests from other sites, as the module says.
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    let host = req
        .extensions()
        .get::<ClientFacts>()
        .and_then(|f| f.host.clone())
        .or_else(|| {
            req.headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
    let from = source(req.headers(), host.as_deref(), state.config.secure_cookies);
    let api = req.uri().path().starts_with("/api/");
    let refused = if api {
        from == Source::CrossOrigin && !has_bearer(req.headers())
    } else {
        from != Source::SameOrigin
    };
    if !refused {
        return next.run(req).await;
    }
    tracing::warn!(
        http.path = %req.uri().path(),
        origin = ?req.headers().get(header::ORIGIN),
        source = ?from,
        "state-changing request from another site refused"
    );
    let err = ApiError::new(
        StatusCode::FORBIDDEN,
        "cross_origin",
        "无法确认该请求来自本平台的页面，已拒绝处理。为防止跨站请求伪造，表单只能从本平台的页面提交，请返回平台页面后重新操作。",
        "the request does not come from a page of this platform; refused to prevent cross-site request forgery",
    );
    if api {
        err.into_response()
    } else {
        PageError::from(err).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    const HOST: Option<&str> = Some("data.example.gov.cn");

    #[test]
    fn the_origin_decides_when_present() {
        let s = |origin, https_only| source(&headers(&[("origin", origin)]), HOST, https_only);
        assert_eq!(s("https://data.example.gov.cn", true), Source::SameOrigin);
        assert_eq!(
            s("https://DATA.example.gov.cn:443", true),
            Source::SameOrigin
        );
        assert_eq!(s("http://data.example.gov.cn", false), Source::SameOrigin);
        assert_eq!(s("http://data.example.gov.cn", true), Source::CrossOrigin);
        assert_eq!(
            s("https://data.example.gov.cn:8443", true),
            Source::CrossOrigin
        );
        assert_eq!(s("https://evil.example", true), Source::CrossOrigin);
        assert_eq!(
            s("https://x.data.example.gov.cn", true),
            Source::CrossOrigin
        );
        assert_eq!(s("null", false), Source::CrossOrigin);
        // A same-looking Referer does not outvote a foreign Origin.
        let both = headers(&[
            ("origin", "https://evil.example"),
            ("referer", "https://data.example.gov.cn/orgs"),
        ]);
        assert_eq!(source(&both, HOST, true), Source::CrossOrigin);
    }

    #[test]
    fn ports_and_loopback_hosts_compare_exactly() {
        let h = headers(&[("origin", "http://127.0.0.1:8080")]);
        assert_eq!(
            source(&h, Some("127.0.0.1:8080"), false),
            Source::SameOrigin
        );
        assert_eq!(
            source(&h, Some("127.0.0.1:8081"), false),
            Source::CrossOrigin
        );
        assert_eq!(
            source(&h, Some("localhost:8080"), false),
            Source::CrossOrigin
        );
        let v6 = headers(&[("origin", "http://[::1]:8080")]);
        assert_eq!(source(&v6, Some("[::1]:8080"), false), Source::SameOrigin);
        // A Host that is not a bare authority never matches.
        assert_eq!(
            source(&h, Some("127.0.0.1:8080/x"), false),
            Source::CrossOrigin
        );
        assert_eq!(source(&h, None, false), Source::CrossOrigin);
    }

    #[test]
    fn without_origin_fetch_metadata_then_referer_decide() {
        let s = |pairs: &[(&'static str, &str)]| source(&headers(pairs), HOST, true);
        assert_eq!(s(&[("sec-fetch-site", "same-origin")]), Source::SameOrigin);
        assert_eq!(s(&[("sec-fetch-site", "none")]), Source::SameOrigin);
        assert_eq!(s(&[("sec-fetch-site", "same-site")]), Source::CrossOrigin);
        assert_eq!(s(&[("sec-fetch-site", "cross-site")]), Source::CrossOrigin);
        assert_eq!(
            s(&[("referer", "https://data.example.gov.cn/accounts?page=2")]),
            Source::SameOrigin
        );
        assert_eq!(
            s(&[("referer", "https://evil.example/")]),
            Source::CrossOrigin
        );
        assert_eq!(s(&[]), Source::Unknown);
    }
}

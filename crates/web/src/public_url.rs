//! The platform's own address as a client reached it (`https://data.example.gov.cn`), for the
//! absolute links the harvest interfaces hand out: CKAN resource URLs, DCAT-AP IRIs. The host
//! is the one the client addressed (`X-Forwarded-Host` only from a trusted proxy, see
//! `crate::net`); the scheme is `https` unless the platform serves plain HTTP on loopback.

use axum::http::header;
use axum::http::request::Parts;

use crate::net::ClientFacts;
use crate::state::AppState;

/// `scheme://host[:port]` without a trailing slash. A host that is not a plain authority
/// (letters, digits, `.-:[]`) is not echoed back; `localhost` stands in for it.
pub(crate) fn base_url(parts: &Parts, state: &AppState) -> String {
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let addressed = match parts.extensions.get::<ClientFacts>() {
        Some(facts) => facts.host.clone(),
        None => parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let host = addressed
        .filter(|h| is_authority(h))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{scheme}://{host}")
}

fn is_authority(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_authorities_are_echoed() {
        assert!(super::is_authority("data.example.gov.cn"));
        assert!(super::is_authority("127.0.0.1:8080"));
        assert!(super::is_authority("[::1]:8080"));
        assert!(!super::is_authority("evil.example/x"));
        assert!(!super::is_authority("a b"));
        assert!(!super::is_authority(""));
    }
}

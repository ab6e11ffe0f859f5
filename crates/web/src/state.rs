//! What every handler can reach: the application and how the web layer is deployed.

use std::sync::Arc;

use gongshu_app::App;

use crate::metrics::Metrics;
use crate::net::IpRange;

/// How the platform is exposed, set once at start (`gongshu serve` flags).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served over HTTPS (directly or behind a TLS-terminating proxy): the session cookie is
    /// marked `Secure`, `Strict-Transport-Security` is sent, and the same-origin check wants
    /// `https` origins. On by default; off only for plain HTTP on loopback
    /// (`--insecure-cookies`, implied by `--demo`).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Host` are believed. Empty by
    /// default: the TCP peer is the client.
    pub trusted_proxies: Vec<IpRange>,
    /// Who may read `/metrics` besides loopback.
    pub metrics_allow: Vec<IpRange>,
    /// A bearer token that opens `/metrics` from any address.
    pub metrics_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            trusted_proxies: Vec::new(),
            metrics_allow: Vec::new(),
            metrics_token: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) config: Arc<WebConfig>,
}

impl AppState {
    /// The default deployment, with cookies `Secure` or not (tests serve plain HTTP).
    pub fn new(app: App, secure_cookies: bool) -> Self {
        Self::with_config(
            app,
            WebConfig {
                secure_cookies,
                ..WebConfig::default()
            },
        )
    }

    pub fn with_config(app: App, config: WebConfig) -> Self {
        Self {
            app,
            metrics: Arc::new(Metrics::new()),
            config: Arc::new(config),
        }
    }
}

//! What every handler can reach: the application and how the web layer is deployed.

use std::sync::Arc;

use gongshu_app::App;

use crate::metrics::Metrics;
use crate::net::IpRange;

/// How the platform is exposed, set once at start (`gongshu serve` flags).
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark the session cookie `Secure`: set when the platform is served over TLS (usually
    /// behind a reverse proxy).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Host` are believed. Empty by
    /// default: the TCP peer is the client.
    pub trusted_proxies: Vec<IpRange>,
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

//! What every handler can reach.

use std::sync::Arc;

use gongshu_app::App;

use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub(crate) metrics: Arc<Metrics>,
    /// Mark the session cookie `Secure`: set when the platform is served over TLS (usually
    /// behind a reverse proxy).
    pub(crate) secure_cookies: bool,
}

impl AppState {
    pub fn new(app: App, secure_cookies: bool) -> Self {
        Self {
            app,
            metrics: Arc::new(Metrics::new()),
            secure_cookies,
        }
    }
}

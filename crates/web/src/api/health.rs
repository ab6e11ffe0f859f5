//! Liveness, readiness and metrics.

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::net::ClientFacts;
use crate::state::AppState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "platform", responses((status = 200, description = "ok")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "platform", responses((status = 200, description = "ready"), (status = 503, description = "database unreachable")))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.app.ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Prometheus text exposition: for loopback, the `--metrics-allow` addresses, or a caller
/// with `Authorization: Bearer <--metrics-token>`.
#[utoipa::path(get, path = "/metrics", tag = "platform", responses((status = 200, description = "Prometheus text format", content_type = "text/plain"), (status = 403, body = crate::error::Problem)))]
pub async fn metrics(
    State(state): State<AppState>,
    Extension(client): Extension<ClientFacts>,
    headers: HeaderMap,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !crate::metrics::may_read(&state.config, &client, authorization) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "metrics_forbidden",
            "监控指标只对本机、允许的地址或持有指标令牌的调用方开放",
            "metrics are served to loopback, allowed addresses and holders of the metrics token only",
        )
        .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

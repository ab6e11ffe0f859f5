//! Assembling the router with its layers, and serving it until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::state::AppState;

/// Largest accepted request body; uploads of data files get their own limits later.
const BODY_LIMIT: usize = 1024 * 1024;

pub struct ServeConfig {
    pub addr: SocketAddr,
}

/// `Strict-Transport-Security` when the platform is served over HTTPS: a year, this host only
/// (other hosts of a government domain may still be plain HTTP).
const HSTS: &str = "max-age=31536000";

pub fn router(state: AppState) -> Router {
    let (api, openapi) = crate::api::router().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    let hsts = state
        .config
        .secure_cookies
        .then(|| HeaderValue::from_static(HSTS));
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", crate::api::document(openapi)))
        .merge(crate::console::router())
        .merge(crate::portal::router())
        .merge(crate::ckan::router())
        .merge(crate::dcat::router())
        .route("/assets/{name}", axum::routing::get(crate::assets::serve_asset))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(one_connection_per_request))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::origin::check))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::net::resolve))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, move |_: &axum::response::Response| hsts.clone()))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::from(gongshu_app::AppError::Internal("handler panicked".into())).into_response()
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", http.method = %req.method(), http.path = %req.uri().path(), request.id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Every request holds at most one database connection at a time (see
/// `gongshu_app::one_connection_per_request`).
async fn one_connection_per_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    gongshu_app::one_connection_per_request(next.run(request)).await
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        crate::console::not_found_page().into_response()
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "不支持该请求方法",
        "method not allowed",
    )
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
pub async fn serve(state: AppState, config: ServeConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!(server.addr = %listener.local_addr()?, "serving");
    // Without TCP_NODELAY a small response on a keep-alive connection can wait ~40 ms for the
    // client's delayed ACK (measured by the data-plane benchmark: pages of 15 vs 56 ms).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
    tokio::time::sleep(Duration::from_millis(10)).await;
}

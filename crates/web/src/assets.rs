//! Static assets compiled into the binary: the platform runs on intranets with no internet, so
//! nothing is fetched from a CDN and nothing is read from disk at run time — the console's
//! styles and scripts, the portal's, the vendored ECharts, and the district map the portal's
//! map charts draw on.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

const FILES: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../assets/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/app.js"),
    ),
    (
        "upload.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/upload.js"),
    ),
    (
        "portal.css",
        "text/css; charset=utf-8",
        include_str!("../assets/portal.css"),
    ),
    (
        "portal.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/portal.js"),
    ),
    // Apache ECharts 6.1.0 (Apache-2.0), see assets/vendor/echarts/README.md.
    (
        "echarts.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/vendor/echarts/echarts.min.js"),
    ),
    // A schematic map of the demo city's districts, for the portal's map charts.
    (
        "districts.geojson",
        "application/geo+json",
        include_str!("../assets/districts.geojson"),
    ),
];

pub async fn serve_asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => {
            let mut res = (*body).into_response();
            let headers = res.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            res
        }
        None => ApiError::not_found().into_response(),
    }
}

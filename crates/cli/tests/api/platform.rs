//! Issue 2 §9: liveness, readiness, metrics and the OpenAPI document.

use std::collections::BTreeSet;

use reqwest::Method;

use crate::support::TestApp;

/// Every route the platform serves outside the console, as `(method, OpenAPI path)`.
#[rustfmt::skip]
const ROUTES: &[(&str, &str)] = &[
    ("get",    "/healthz"),
    ("get",    "/readyz"),
    ("get",    "/metrics"),
    ("post",   "/api/v1/auth/login"),
    ("post",   "/api/v1/auth/logout"),
    ("post",   "/api/v1/auth/register"),
    ("get",    "/api/v1/me"),
    ("post",   "/api/v1/me/password"),
    ("get",    "/api/v1/me/tokens"),
    ("post",   "/api/v1/me/tokens"),
    ("delete", "/api/v1/me/tokens/{id}"),
    ("get",    "/api/v1/organisations"),
    ("post",   "/api/v1/organisations"),
    ("get",    "/api/v1/organisations/{id}"),
    ("put",    "/api/v1/organisations/{id}"),
    ("delete", "/api/v1/organisations/{id}"),
    ("put",    "/api/v1/organisations/{id}/liaison"),
    ("get",    "/api/v1/accounts"),
    ("post",   "/api/v1/accounts"),
    ("get",    "/api/v1/accounts/{id}"),
    ("put",    "/api/v1/accounts/{id}"),
    ("post",   "/api/v1/accounts/{id}/disable"),
    ("post",   "/api/v1/accounts/{id}/enable"),
    ("post",   "/api/v1/accounts/{id}/unlock"),
    ("post",   "/api/v1/accounts/{id}/password"),
    ("post",   "/api/v1/accounts/{id}/roles"),
    ("delete", "/api/v1/accounts/{id}/roles/{role}"),
    ("get",    "/api/v1/security-policy"),
    ("put",    "/api/v1/security-policy"),
    ("get",    "/api/v1/audit/events"),
    ("get",    "/api/v1/audit/verify"),
    ("get",    "/api/v1/calendar"),
    ("post",   "/api/v1/calendar/years"),
    ("get",    "/api/v1/calendar/deadline"),
];

/// Routes that answer without credentials.
const PUBLIC: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/auth/login",
    "/api/v1/auth/register",
];

// Issue 2 §9: /healthz (process up), /readyz (database reachable), /metrics (Prometheus text).
pub async fn health_readiness_and_metrics_answer(t: TestApp) {
    let client = t.anonymous();
    let health = client.get("/healthz").await;
    health.expect_status(200);
    assert!(health.header("x-request-id").is_some());
    client.get("/readyz").await.expect_status(200);
    let metrics = client.get("/metrics").await;
    metrics.expect_status(200);
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain")),
        "{:?}",
        metrics.header("content-type")
    );
    assert!(
        metrics.text.contains("gongshu_http_requests"),
        "{}",
        metrics.text
    );
    // Series are labelled by route template, never by raw path.
    assert!(
        metrics.text.contains("route=\"/healthz\""),
        "{}",
        metrics.text
    );
}

// Issue 2 §9: /api/openapi.json is generated from code and lists every endpoint.
pub async fn openapi_lists_every_api_route_the_router_serves(t: TestApp) {
    let client = t.anonymous();
    let doc = client.get("/api/openapi.json").await;
    doc.expect_status(200);
    let paths = doc.json["paths"]
        .as_object()
        .expect("an OpenAPI paths object");
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = item
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>());
            methods
                .unwrap_or_default()
                .into_iter()
                .filter(|m| ["get", "post", "put", "delete", "patch"].contains(&m.as_str()))
                .map(move |m| (m, path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    // Later capabilities add routes of their own; these are the foundation's.
    let missing: Vec<_> = expected.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from OpenAPI: {missing:?}"
    );

    // And the router serves each of them: without credentials a protected route says 401
    // (never 404 or 405), a public one answers on its own terms.
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{role}", "agency_staff");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let res = client.send(client.request(method.clone(), &concrete)).await;
        assert!(
            res.status != 404 && res.status != 405 && res.status < 500,
            "{method} {concrete} is not served: {} {}",
            res.status,
            res.text
        );
        if !PUBLIC.contains(path) {
            res.expect_problem(401, "unauthenticated");
        }
    }
}

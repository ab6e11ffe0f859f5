//! Issue 2 §9: errors are `application/problem+json` with a stable `code` and messages in
//! Chinese and English; bad input of any kind is 4xx, never 500; every response carries a
//! request id.

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use crate::support::TestApp;

// Issue 2 §9: malformed JSON is a 4xx, not a 500.
pub async fn malformed_json_is_a_400_problem(t: TestApp) {
    let client = t.anonymous();
    for body in ["{\"username\": \"sysadmin\",", "not json at all", ""] {
        let req = client
            .request(Method::POST, "/api/v1/auth/login")
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        client.send(req).await.expect_problem(400, "malformed_json");
    }
    let sysadmin = t.login("sysadmin").await;
    let req = sysadmin
        .request(Method::POST, "/api/v1/organisations")
        .header(CONTENT_TYPE, "application/json")
        .body("{\"name\": ");
    sysadmin
        .send(req)
        .await
        .expect_problem(400, "malformed_json");
}

// Issue 2 §9: unknown fields are refused, not ignored.
pub async fn an_unknown_field_is_a_422_problem(t: TestApp) {
    let client = t.anonymous();
    client
        .post(
            "/api/v1/auth/login",
            json!({ "username": "sysadmin", "password": "gongshu-demo", "remember_me": true }),
        )
        .await
        .expect_problem(422, "invalid_body");
    // A field of the wrong type is the same kind of problem.
    client
        .post(
            "/api/v1/auth/login",
            json!({ "username": "sysadmin", "password": 42 }),
        )
        .await
        .expect_problem(422, "invalid_body");
    let secadmin = t.login("secadmin").await;
    secadmin
        .put(
            "/api/v1/security-policy",
            json!({ "password_min_length": 12, "lockout_threshold": 5, "lockout_minutes": 15, "session_idle_minutes": 30, "mfa": true }),
        )
        .await
        .expect_problem(422, "invalid_body");
}

// Issue 2 §9: oversized bodies are refused (limit 1 MiB).
pub async fn a_body_over_one_mebibyte_is_a_413_problem(t: TestApp) {
    let client = t.anonymous();
    let huge = "a".repeat(1024 * 1024 + 1);
    client
        .post(
            "/api/v1/auth/login",
            json!({ "username": "sysadmin", "password": huge }),
        )
        .await
        .expect_problem(413, "body_too_large");
    // Just under the limit is parsed (and then refused on its merits).
    let big = "a".repeat(1000 * 1000);
    client
        .post(
            "/api/v1/auth/login",
            json!({ "username": "sysadmin", "password": big }),
        )
        .await
        .expect_problem(401, "bad_credentials");
}

// Issue 2 §9: a JSON endpoint needs `Content-Type: application/json`.
pub async fn a_body_without_json_content_type_is_a_415_problem(t: TestApp) {
    let client = t.anonymous();
    let body = r#"{"username": "sysadmin", "password": "gongshu-demo"}"#;
    client
        .send(
            client
                .request(Method::POST, "/api/v1/auth/login")
                .body(body),
        )
        .await
        .expect_problem(415, "unsupported_media_type");
    client
        .send(
            client
                .request(Method::POST, "/api/v1/auth/login")
                .header(CONTENT_TYPE, "text/plain")
                .body(body),
        )
        .await
        .expect_problem(415, "unsupported_media_type");
    client
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
}

// Issue 2 §9: unknown API paths are problems; unknown console paths are pages.
pub async fn unknown_api_paths_are_404_problems_and_console_paths_are_pages(t: TestApp) {
    let client = t.anonymous();
    for path in ["/api/v1/no-such-thing", "/api/v2/organisations", "/api/"] {
        client.get(path).await.expect_problem(404, "not_found");
    }
    let sysadmin = t.login("sysadmin").await;
    sysadmin
        .get("/api/v1/organisations/00000000-0000-0000-0000-000000000000")
        .await
        .expect_problem(404, "not_found");
    sysadmin
        .get("/api/v1/accounts/no-such-account")
        .await
        .expect_problem(404, "not_found");
    let page = client.get("/no-such-page").await;
    page.expect_status(404);
    assert!(
        page.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        page.header("content-type")
    );
}

// A wrong method on a known path is a problem too.
pub async fn a_wrong_method_is_a_405_problem(t: TestApp) {
    let client = t.anonymous();
    client
        .send(client.request(Method::DELETE, "/api/v1/me"))
        .await
        .expect_problem(405, "method_not_allowed");
    client
        .send(client.request(Method::GET, "/api/v1/auth/login"))
        .await
        .expect_problem(405, "method_not_allowed");
}

// Issue 2 §9: no credentials, or credentials that mean nothing, are 401.
pub async fn requests_without_credentials_are_401_problems(t: TestApp) {
    let client = t.anonymous();
    for path in [
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/audit/events",
    ] {
        client
            .get(path)
            .await
            .expect_problem(401, "unauthenticated");
    }
    let forged = client
        .request(Method::GET, "/api/v1/me")
        .header("cookie", "gongshu_session=forged-session-value");
    client
        .send(forged)
        .await
        .expect_problem(401, "unauthenticated");
    let bearer = client.with_bearer("gst_forged-token-value");
    bearer
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    let garbage = client.with_bearer("not-even-a-token");
    garbage
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
}

// Query parameters are checked like bodies.
pub async fn bad_query_parameters_are_a_400_problem(t: TestApp) {
    let staff = t.login("gaj-staff").await;
    for query in [
        "start=2025-13-01&days=5",
        "start=2025-09-26",
        "start=2025-09-26&days=-1",
        "start=2025-09-26&days=5&extra=1",
    ] {
        staff
            .get(&format!("/api/v1/calendar/deadline?{query}"))
            .await
            .expect_problem(400, "bad_query");
    }
    staff
        .get("/api/v1/calendar/deadline?start=2025-09-26&days=251")
        .await
        .expect_field_error("days", "out_of_range");
}

// Issue 2 §9: request ids in responses, and in the audit events they caused.
pub async fn request_ids_are_returned_and_recorded(t: TestApp) {
    let client = t.anonymous();
    let a = client.get("/healthz").await;
    let b = client.get("/healthz").await;
    let (a, b) = (
        a.header("x-request-id").unwrap(),
        b.header("x-request-id").unwrap(),
    );
    assert_ne!(a, b, "each request gets its own id");
    // An id set by a proxy in front is kept.
    let res = client
        .send(
            client
                .request(Method::POST, "/api/v1/auth/login")
                .header("x-request-id", "proxy-req-0001")
                .json(&json!({ "username": "auditor", "password": "wrong-password" })),
        )
        .await;
    res.expect_problem(401, "bad_credentials");
    assert_eq!(res.header("x-request-id"), Some("proxy-req-0001"));
    assert_eq!(t.last_event().await.request_id, "proxy-req-0001");
}

// Issue 2 §9: page numbers past the end are an empty page, never a server error.
pub async fn huge_page_numbers_are_not_a_server_error(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    for path in [
        "/api/v1/organisations?page=18446744073709551615",
        "/api/v1/organisations?page=4611686018427387904&per_page=500",
        "/api/v1/accounts?page=9223372036854775807",
        "/api/v1/accounts?page=4611686018427387904&per_page=200",
    ] {
        let res = sysadmin.get(path).await;
        assert!(res.status < 500, "{path}: {} {}", res.status, res.text);
        res.expect_status(200);
        assert_eq!(res.json["items"], json!([]), "{path}");
    }
}

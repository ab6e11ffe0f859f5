//! Issue 11 item 9, B8 (identity authentication and access control), H35: the web defaults
//! of a government system — state-changing console forms only from the platform's own pages,
//! cookie-authenticated API writes not from other sites, `Secure` cookies and HSTS unless
//! explicitly served as plain HTTP on loopback, a Referrer-Policy on every answer, and
//! `/metrics` only for loopback, allowed addresses or the metrics token.

use gongshu_web::WebConfig;
use reqwest::Method;
use serde_json::json;

use crate::console_pages::{assert_chinese_page, post_form};
use crate::support::{Client, DEMO_PASSWORD, TestApp};

const EVIL: &str = "https://evil.example";

/// Personal API tokens of the account, as stored.
async fn tokens_of(t: &TestApp, username: &str) -> i64 {
    let id = t.account_id(username).await;
    t.count(&format!(
        "SELECT COUNT(*) FROM api_tokens WHERE account_id = '{id}'"
    ))
    .await
}

// Item 9: a console form posted from another site, or with no sign of where it came from, is
// refused with a Chinese 403 page and changes nothing; from the platform's own page it works.
pub async fn a_cross_origin_console_post_is_refused_and_a_same_origin_one_accepted(t: TestApp) {
    let browser = t.browser_login("gaj-admin").await;
    let form = [("name", "跨站测试"), ("expires_in_days", "")];
    for (what, client) in [
        ("a foreign Origin", browser.with_origin(Some(EVIL))),
        ("an opaque Origin", browser.with_origin(Some("null"))),
        ("neither Origin nor Referer", browser.with_origin(None)),
    ] {
        let res = post_form(&client, "/tokens", &form).await;
        assert_eq!(res.status, 403, "{what}: {}", res.text);
        assert_chinese_page(&res, what);
        assert!(res.text.contains("跨站请求伪造"), "{what}: {}", res.text);
        assert!(res.text.contains("cross_origin"), "{what}: {}", res.text);
    }
    let foreign_referer = browser
        .with_origin(None)
        .request(Method::POST, "/tokens")
        .header("referer", "https://evil.example/page")
        .form(&form);
    assert_eq!(browser.send(foreign_referer).await.status, 403);
    let foreign_fetch = browser
        .with_origin(None)
        .request(Method::POST, "/tokens")
        .header("sec-fetch-site", "cross-site")
        .form(&form);
    assert_eq!(browser.send(foreign_fetch).await.status, 403);
    assert_eq!(tokens_of(&t, "gaj-admin").await, 0, "nothing was created");
    // Logging out from another site does not end the session either.
    let logout = post_form(&browser.with_origin(Some(EVIL)), "/logout", &[]).await;
    assert_eq!(logout.status, 403);
    browser.me().await;

    // From the platform's own pages: the Origin browsers send, or a Referer on this host.
    let res = post_form(&browser, "/tokens", &form).await;
    res.expect_status(200);
    assert!(
        res.text.contains("gst_"),
        "the new token is shown: {}",
        res.text
    );
    let same_referer = browser
        .with_origin(None)
        .request(Method::POST, "/tokens")
        .header("referer", format!("{}/tokens", t.base))
        .form(&form);
    browser.send(same_referer).await.expect_status(200);
    assert_eq!(tokens_of(&t, "gaj-admin").await, 2);

    // The login form is checked too, so another site cannot log a visitor in as someone else.
    let visitor = t.browser().with_origin(Some(EVIL));
    let res = post_form(
        &visitor,
        "/login",
        &[("username", "gaj-staff"), ("password", DEMO_PASSWORD)],
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert!(res.header("set-cookie").is_none(), "no session handed out");
}

// Item 9: an API write with the session cookie from another site is refused (problem+json);
// without an Origin (a script, curl) or with a bearer token it goes through.
pub async fn cookie_api_writes_from_another_origin_are_refused_and_bearer_ones_are_not(t: TestApp) {
    let owner = t.login("gaj-admin").await;
    let body = json!({ "name": "脚本" });
    let foreign = owner
        .request(Method::POST, "/api/v1/me/tokens")
        .header("origin", EVIL)
        .json(&body);
    owner
        .send(foreign)
        .await
        .expect_problem(403, "cross_origin");
    let fetch_metadata = owner
        .request(Method::POST, "/api/v1/me/tokens")
        .header("sec-fetch-site", "cross-site")
        .json(&body);
    owner
        .send(fetch_metadata)
        .await
        .expect_problem(403, "cross_origin");
    assert_eq!(tokens_of(&t, "gaj-admin").await, 0);

    let same = owner
        .request(Method::POST, "/api/v1/me/tokens")
        .header("origin", &t.base)
        .json(&body);
    owner.send(same).await.expect_status(201);
    let created = owner.post("/api/v1/me/tokens", body.clone()).await;
    created.expect_status(201);
    let bearer = t
        .anonymous()
        .with_bearer(created.json["token"].as_str().expect("a token"));
    let from_elsewhere = bearer
        .request(Method::POST, "/api/v1/me/tokens")
        .header("origin", EVIL)
        .json(&body);
    bearer.send(from_elsewhere).await.expect_status(201);
    // A login from another site's page is refused as well.
    let login = t
        .anonymous()
        .request(Method::POST, "/api/v1/auth/login")
        .header("origin", EVIL)
        .json(&json!({ "username": "gaj-staff", "password": DEMO_PASSWORD }));
    t.anonymous()
        .send(login)
        .await
        .expect_problem(403, "cross_origin");
}

// Item 9: by default the session cookie is `Secure` and HSTS is sent; a server configured for
// plain HTTP on loopback (`--insecure-cookies`, `--demo`) sends neither.
pub async fn the_session_cookie_is_secure_and_hsts_sent_unless_insecure_cookies(t: TestApp) {
    let base = t.serve(WebConfig::default()).await;
    let res = Client::at(&base).login("reviewer", DEMO_PASSWORD).await;
    res.expect_status(200);
    let cookie = res.header("set-cookie").expect("a session cookie");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{cookie}");
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "{cookie}");
    for path in ["/healthz", "/login", "/api/v1/me"] {
        let res = Client::at(&base).get(path).await;
        assert_eq!(
            res.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}"
        );
    }

    // The test platform itself runs as `--insecure-cookies` would.
    let res = t.anonymous().login("reviewer", DEMO_PASSWORD).await;
    let cookie = res.header("set-cookie").expect("a session cookie");
    assert!(!cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
    assert!(res.header("strict-transport-security").is_none());
}

// Item 9: every answer — API, page, asset, error — says how much of its address may be passed
// on: only to the platform itself.
pub async fn every_response_carries_a_referrer_policy(t: TestApp) {
    let browser = t.browser_login("gaj-admin").await;
    for path in [
        "/healthz",
        "/api/v1/me",
        "/",
        "/login",
        "/tokens",
        "/no-such-page",
        "/api/v1/no-such-thing",
        "/api/openapi.json",
    ] {
        let res = browser.get(path).await;
        assert_eq!(res.header("referrer-policy"), Some("same-origin"), "{path}");
    }
    let refused = post_form(&browser.with_origin(Some(EVIL)), "/tokens", &[]).await;
    assert_eq!(refused.header("referrer-policy"), Some("same-origin"));
}

// Item 9: /metrics answers loopback, allowed addresses and the metrics token; a caller behind
// an unlisted proxy, a caller outside the list and a wrong token get a 403 problem.
pub async fn metrics_answer_loopback_allowed_addresses_and_the_token_only(t: TestApp) {
    let local = t.anonymous();
    local.get("/metrics").await.expect_status(200);
    // Forwarded by a proxy nobody listed: the loopback peer is not the caller.
    let forwarded = local
        .request(Method::GET, "/metrics")
        .header("x-forwarded-for", "203.0.113.7");
    local
        .send(forwarded)
        .await
        .expect_problem(403, "metrics_forbidden");

    let token = "metrics-token-for-the-test";
    let base = t
        .serve(WebConfig {
            secure_cookies: false,
            trusted_proxies: vec!["127.0.0.1".parse().expect("an address")],
            metrics_allow: vec!["10.20.0.0/16".parse().expect("a range")],
            metrics_token: Some(token.into()),
        })
        .await;
    let far = Client::at(&base).coming_from("203.0.113.7");
    far.get("/metrics")
        .await
        .expect_problem(403, "metrics_forbidden");
    Client::at(&base)
        .coming_from("10.20.3.4")
        .get("/metrics")
        .await
        .expect_status(200);
    let with_token = far.with_bearer(token);
    let res = with_token.get("/metrics").await;
    res.expect_status(200);
    assert!(res.text.contains("gongshu_http_requests"), "{}", res.text);
    far.with_bearer("metrics-token-for-the-tesT")
        .get("/metrics")
        .await
        .expect_problem(403, "metrics_forbidden");
}

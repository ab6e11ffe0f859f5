//! Issue 2 §4 (identity), B8 (identity authentication): login, lockout, session cookie,
//! logout and idle expiry. Login throttling in depth: `login_throttle`.

use chrono::Duration;
use gongshu_domain::Role;
use reqwest::Method;
use reqwest::header::COOKIE;

use crate::support::{DEMO_PASSWORD, TestApp};

// Issue 2, done when: login as each demo role works — every demo user, not a sample.
pub async fn every_demo_user_can_log_in_with_the_demo_password(t: TestApp) {
    assert!(
        t.demo_users.len() >= 30,
        "the demo city has users for every role"
    );
    let roles: std::collections::BTreeSet<Role> = t.demo_users.iter().map(|u| u.role).collect();
    assert_eq!(roles.len(), Role::ALL.len(), "every role has a demo user");
    let mut logins = Vec::new();
    for user in t.demo_users.clone() {
        let client = t.anonymous();
        logins.push(tokio::spawn(async move {
            let res = client.login(&user.username, DEMO_PASSWORD).await;
            (user, res, client.get("/api/v1/me").await)
        }));
    }
    for login in logins {
        let (user, res, me) = login.await.expect("login task");
        res.expect_status(200);
        me.expect_status(200);
        assert_eq!(me.json["username"], user.username.as_str());
        assert_eq!(
            me.json["roles"],
            serde_json::json!([user.role.as_str()]),
            "{}",
            user.username
        );
    }
}

// Issue 2 §4: a wrong password and an unknown user name are indistinguishable.
pub async fn wrong_password_and_unknown_user_get_the_same_answer(t: TestApp) {
    let client = t.anonymous();
    let wrong = client.login("gaj-staff", "not-the-password").await;
    wrong.expect_problem(401, "bad_credentials");
    let unknown = client.login("no-such-user", "not-the-password").await;
    unknown.expect_problem(401, "bad_credentials");
    assert_eq!(wrong.json["message"], unknown.json["message"]);
    // Neither left a session behind.
    client
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
}

// Issue 2 §4, issue 11 item 5 (B8): five failed logins in a row from one address stop that
// address trying the account for fifteen minutes, even with the right password.
pub async fn five_wrong_passwords_from_one_address_pause_its_logins_for_fifteen_minutes(
    t: TestApp,
) {
    let client = t.anonymous();
    for _ in 0..4 {
        client
            .login("mzj-staff", "wrong-password")
            .await
            .expect_problem(401, "bad_credentials");
    }
    client
        .login("mzj-staff", "wrong-password")
        .await
        .expect_problem(429, "login_throttled");
    let refused = client.login("mzj-staff", DEMO_PASSWORD).await;
    refused.expect_problem(429, "login_throttled");
    assert!(
        refused.json["message"]["zh"]
            .as_str()
            .is_some_and(|m| m.contains("2025-09-01 09:15:00")),
        "{}",
        refused.text
    );
    // Other accounts are not affected.
    t.login("mzj-admin").await;

    t.advance(Duration::minutes(15) - Duration::seconds(1));
    client
        .login("mzj-staff", DEMO_PASSWORD)
        .await
        .expect_problem(429, "login_throttled");
    t.advance(Duration::seconds(2));
    client
        .login("mzj-staff", DEMO_PASSWORD)
        .await
        .expect_status(200);
    // The counter starts again from zero after a success.
    for _ in 0..4 {
        client
            .login("mzj-staff", "wrong-password")
            .await
            .expect_problem(401, "bad_credentials");
    }
    client
        .login("mzj-staff", DEMO_PASSWORD)
        .await
        .expect_status(200);
}

// Issue 2 §4: the session cookie is HttpOnly and SameSite=Strict.
pub async fn session_cookie_is_http_only_and_same_site_strict(t: TestApp) {
    let res = t.anonymous().login("reviewer", DEMO_PASSWORD).await;
    res.expect_status(200);
    let cookie = res.header("set-cookie").expect("a session cookie");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes[0].starts_with("gongshu_session="), "{cookie}");
    assert!(
        attributes[0].len() > "gongshu_session=".len() + 30,
        "{cookie}"
    );
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    // The test server is configured for plain HTTP (`--insecure-cookies`), so not `Secure`;
    // `web_defaults` checks the default.
    assert!(!attributes.contains(&"Secure"), "{cookie}");
}

// Issue 2 §4: logout ends the session on the server, not just in the browser.
pub async fn logout_ends_the_session_on_the_server(t: TestApp) {
    let client = t.anonymous();
    let login = client.login("gaj-admin", DEMO_PASSWORD).await;
    login.expect_status(200);
    let cookie = login
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    client.me().await;
    client
        .post("/api/v1/auth/logout", serde_json::json!({}))
        .await
        .expect_status(204);
    client
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    // Replaying the old cookie does not bring the session back.
    let replay = t.anonymous();
    replay
        .send(
            replay
                .request(Method::GET, "/api/v1/me")
                .header(COOKIE, &cookie),
        )
        .await
        .expect_problem(401, "unauthenticated");
}

// Issue 2 §4: a session unused for 30 minutes (security policy default) expires; use keeps it.
pub async fn an_idle_session_expires_after_thirty_minutes(t: TestApp) {
    let client = t.login("operator").await;
    t.advance(Duration::minutes(20));
    client.me().await;
    t.advance(Duration::minutes(20));
    client.me().await;
    t.advance(Duration::minutes(31));
    client
        .get("/api/v1/me")
        .await
        .expect_problem(401, "session_expired");
}

// Issue 2 §4: a session ends after 12 hours however busy it is.
pub async fn a_session_ends_after_twelve_hours_however_active(t: TestApp) {
    let client = t.login("appunit").await;
    // Active every 20 minutes for 11 hours 40 minutes…
    for _ in 0..35 {
        t.advance(Duration::minutes(20));
        client.me().await;
    }
    // …and 12 hours after login it is over, although idle for less than 30 minutes.
    t.advance(Duration::minutes(20));
    client
        .get("/api/v1/me")
        .await
        .expect_problem(401, "session_expired");
}

// Issue 2 §4: the security admin's policy governs lockout and idle time; it cannot be set
// below the platform's floor.
pub async fn the_security_policy_governs_lockout_and_idle_time(t: TestApp) {
    let secadmin = t.login("secadmin").await;
    let policy = serde_json::json!({
        "password_min_length": 12,
        "lockout_threshold": 3,
        "lockout_minutes": 60,
        "session_idle_minutes": 10,
    });
    let res = secadmin
        .put("/api/v1/security-policy", policy.clone())
        .await;
    res.expect_status(200);
    assert_eq!(res.json, policy);
    let read = secadmin.get("/api/v1/security-policy").await;
    assert_eq!(read.json, policy);

    let client = t.anonymous();
    for _ in 0..2 {
        client
            .login("sfj-staff", "wrong-password")
            .await
            .expect_problem(401, "bad_credentials");
    }
    let locked = client.login("sfj-staff", "wrong-password").await;
    locked.expect_problem(429, "login_throttled");
    assert_eq!(locked.header("retry-after"), Some("3600"));
    t.advance(Duration::minutes(59));
    client
        .login("sfj-staff", DEMO_PASSWORD)
        .await
        .expect_problem(429, "login_throttled");

    let sysadmin = t.login("sysadmin").await;
    let sfj = t.org_id("市司法局").await;
    sysadmin
        .post(
            "/api/v1/accounts",
            serde_json::json!({ "username": "eleven", "display_name": "新同事", "org_id": sfj, "password": "11-chars-pw" }),
        )
        .await
        .expect_field_error("password", "password_too_short");

    let staff = t.login("sfj-admin").await;
    t.advance(Duration::minutes(11));
    staff
        .get("/api/v1/me")
        .await
        .expect_problem(401, "session_expired");

    for (field, value) in [
        ("password_min_length", 8),
        ("lockout_threshold", 100),
        ("session_idle_minutes", 0),
    ] {
        let mut weaker = policy.clone();
        weaker[field] = serde_json::json!(value);
        t.login("secadmin")
            .await
            .put("/api/v1/security-policy", weaker)
            .await
            .expect_field_error(field, "out_of_range");
    }
}

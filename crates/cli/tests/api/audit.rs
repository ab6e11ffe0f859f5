//! Issue 2 §8, B8, B18: every command writes exactly one audit event in the same transaction
//! as its change; failed logins and denied actions are events too.

use serde_json::json;

use crate::authz_matrix::default_policy;
use crate::support::{Resp, TestApp, city_agency, year_2027};

/// Asserts the change behind `res` added exactly one event, and what it says.
async fn expect_one_event(
    t: &TestApp,
    before: i64,
    res: &Resp,
    (actor, action, target_kind, target_id): (&str, &str, &str, &str),
) -> i64 {
    let after = t.audit_count().await;
    assert_eq!(after, before + 1, "{action}: one event per change");
    let event = t.last_event().await;
    assert_eq!(event.seq, after, "{action}");
    assert_eq!(event.outcome, "success", "{action}");
    assert_eq!(event.action, action);
    assert_eq!(event.actor_name, actor, "{action}");
    assert_eq!(event.target_kind, target_kind, "{action}");
    assert_eq!(event.target_id, target_id, "{action}");
    assert_eq!(
        Some(event.request_id.as_str()),
        res.header("x-request-id"),
        "{action}: the event names the request"
    );
    assert_eq!(event.client_addr, "127.0.0.1", "{action}");
    after
}

// Issue 2, done when: the audit log holds one event per change.
pub async fn each_change_writes_exactly_one_success_event(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let secadmin = t.login("secadmin").await;
    let gaj_admin = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let city = t.org_id("市大数据管理局").await;
    let gaj = t.org_id("市公安局").await;

    let mut n = t.audit_count().await;
    let res = sysadmin
        .post("/api/v1/organisations", city_agency(&city, 1))
        .await;
    res.expect_status(201);
    let org = res.json["id"].as_str().unwrap().to_owned();
    n = expect_one_event(
        &t,
        n,
        &res,
        ("sysadmin", "create_organisation", "organisation", &org),
    )
    .await;
    let event = t.last_event().await;
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["name"], "测试机构1号");

    let res = gaj_admin
        .put(
            &format!("/api/v1/organisations/{gaj}/liaison"),
            json!({ "liaison_name": "新联络人", "liaison_phone": "0471-6900002" }),
        )
        .await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "update_liaison", "organisation", &gaj),
    )
    .await;

    let res = sysadmin
        .post(
            "/api/v1/accounts",
            json!({ "username": "new-staff", "display_name": "新同事", "org_id": gaj, "password": "a-good-password" }),
        )
        .await;
    res.expect_status(201);
    let account = res.json["id"].as_str().unwrap().to_owned();
    n = expect_one_event(
        &t,
        n,
        &res,
        ("sysadmin", "create_account", "account", &account),
    )
    .await;

    let res = secadmin
        .post(
            &format!("/api/v1/accounts/{account}/roles"),
            json!({ "role": "agency_staff" }),
        )
        .await;
    res.expect_status(200);
    n = expect_one_event(&t, n, &res, ("secadmin", "grant_role", "account", &account)).await;

    let res = secadmin
        .put("/api/v1/security-policy", default_policy())
        .await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        (
            "secadmin",
            "update_security_policy",
            "security_policy",
            "security_policy",
        ),
    )
    .await;

    let res = reviewer.post("/api/v1/calendar/years", year_2027()).await;
    res.expect_status(201);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("reviewer", "import_calendar", "calendar_year", "2027"),
    )
    .await;

    let res = gaj_admin
        .post("/api/v1/me/tokens", json!({ "name": "同步脚本" }))
        .await;
    res.expect_status(201);
    let token = res.json["id"].as_str().unwrap().to_owned();
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "create_token", "api_token", &token),
    )
    .await;

    let res = sysadmin
        .delete(&format!("/api/v1/organisations/{org}"))
        .await;
    res.expect_status(204);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("sysadmin", "delete_organisation", "organisation", &org),
    )
    .await;

    let client = t.anonymous();
    let res = client.login("new-staff", "a-good-password").await;
    res.expect_status(200);
    n = expect_one_event(&t, n, &res, ("new-staff", "login", "account", &account)).await;
    let res = client.post("/api/v1/auth/logout", json!({})).await;
    res.expect_status(204);
    expect_one_event(&t, n, &res, ("new-staff", "logout", "account", &account)).await;

    assert!(t.verify_chain().await.is_intact());
}

// Reading changes nothing, so it writes nothing.
pub async fn reads_write_no_events(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let auditor = t.login("auditor").await;
    let before = t.audit_count().await;
    sysadmin
        .get("/api/v1/organisations")
        .await
        .expect_status(200);
    sysadmin.get("/api/v1/accounts").await.expect_status(200);
    sysadmin
        .get("/api/v1/security-policy")
        .await
        .expect_status(200);
    sysadmin.me().await;
    auditor.get("/api/v1/audit/events").await.expect_status(200);
    auditor.get("/api/v1/calendar").await.expect_status(200);
    assert_eq!(t.audit_count().await, before);
}

// Issue 2 §8: denied actions are events too.
pub async fn a_denied_action_writes_a_denied_event(t: TestApp) {
    let staff = t.login("gaj-staff").await;
    let city = t.org_id("市大数据管理局").await;
    let before = t.audit_count().await;
    let res = staff
        .post("/api/v1/organisations", city_agency(&city, 2))
        .await;
    res.expect_problem(403, "forbidden");
    assert_eq!(t.audit_count().await, before + 1);
    let event = t.last_event().await;
    assert_eq!(event.outcome, "denied");
    assert_eq!(event.action, "create_organisation");
    assert_eq!(event.actor_name, "gaj-staff");
    assert_eq!(event.actor_id, Some(t.account_id("gaj-staff").await));
    assert_eq!(event.org_id, Some(t.org_id("市公安局").await));
    assert_eq!(Some(event.request_id.as_str()), res.header("x-request-id"));
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["reason"], "role_missing");
    // Nothing was created.
    let orgs = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM organisations WHERE name = '测试机构2号'",
    )
    .fetch_one(t.db().pool())
    .await
    .unwrap();
    assert_eq!(orgs, 0);
}

// Issue 2 §8: failed logins are events too (for unknown user names as well).
pub async fn a_failed_login_writes_a_failed_event(t: TestApp) {
    let client = t.anonymous();
    let before = t.audit_count().await;
    client
        .login("gaj-staff", "wrong-password")
        .await
        .expect_problem(401, "bad_credentials");
    assert_eq!(t.audit_count().await, before + 1);
    let event = t.last_event().await;
    assert_eq!(
        (event.action.as_str(), event.outcome.as_str()),
        ("login", "failed")
    );
    assert_eq!(event.actor_name, "gaj-staff");
    assert_eq!(event.target_id, t.account_id("gaj-staff").await);
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["reason"], "wrong_password");
    assert!(
        !event.payload.contains("wrong-password"),
        "the password is never recorded"
    );

    client
        .login("nobody-here", "wrong-password")
        .await
        .expect_problem(401, "bad_credentials");
    assert_eq!(t.audit_count().await, before + 2);
    let event = t.last_event().await;
    assert_eq!(
        (event.action.as_str(), event.outcome.as_str()),
        ("login", "failed")
    );
    assert_eq!(event.actor_name, "nobody-here");
    assert_eq!(event.actor_id, None);
}

// Issue 2 §8: auditors list and filter events (paginated, newest first).
pub async fn auditor_filters_and_pages_events(t: TestApp) {
    let anon = t.anonymous();
    for _ in 0..3 {
        anon.login("jyj-staff", "wrong-password").await;
    }
    let auditor = t.login("auditor").await;
    let page = auditor
        .get("/api/v1/audit/events?action=login&outcome=failed&limit=2")
        .await;
    page.expect_status(200);
    let items = page.json["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|e| e["action"] == "login" && e["outcome"] == "failed")
    );
    assert!(
        items[0]["seq"].as_i64() > items[1]["seq"].as_i64(),
        "newest first"
    );
    let cursor = page.json["next_before_seq"].as_i64().expect("a next page");
    let rest = auditor
        .get(&format!(
            "/api/v1/audit/events?action=login&outcome=failed&limit=2&before_seq={cursor}"
        ))
        .await;
    rest.expect_status(200);
    assert_eq!(rest.json["items"].as_array().unwrap().len(), 1);
    assert!(rest.json["next_before_seq"].is_null());

    let by_actor = auditor.get("/api/v1/audit/events?actor=jyj-staff").await;
    by_actor.expect_status(200);
    assert_eq!(by_actor.json["items"].as_array().unwrap().len(), 3);

    // Days are China Standard Time: the test clock stands at 2025-09-01 09:00 (UTC+8).
    let today = auditor
        .get("/api/v1/audit/events?from=2025-09-01&to=2025-09-01&limit=500")
        .await;
    today.expect_status(200);
    assert_eq!(
        today.json["items"].as_array().unwrap().len() as i64,
        t.audit_count().await
    );
    for (from, to) in [("2025-09-02", "2025-09-30"), ("2025-08-01", "2025-08-31")] {
        let none = auditor
            .get(&format!("/api/v1/audit/events?from={from}&to={to}"))
            .await;
        none.expect_status(200);
        assert_eq!(none.json["items"], serde_json::json!([]), "{from}..{to}");
    }

    auditor
        .get("/api/v1/audit/events?outcome=maybe")
        .await
        .expect_field_error("outcome", "bad_outcome");
    auditor
        .get("/api/v1/audit/events?from=yesterday")
        .await
        .expect_field_error("from", "bad_date");
}

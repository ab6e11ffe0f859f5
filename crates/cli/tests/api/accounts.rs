//! Issue 2 §4: local accounts with a password policy (length ≥ 10, not the user name),
//! roles from the security admin, and personal API tokens (stored hashed, shown once,
//! revocable).

use serde_json::{Value, json};

use crate::support::{DEMO_PASSWORD, TestApp};

fn new_account(username: &str, org_id: &str, password: &str) -> Value {
    json!({ "username": username, "display_name": "新同事", "org_id": org_id, "password": password })
}

// Issue 2 §4: password length ≥ 10.
pub async fn passwords_shorter_than_ten_characters_are_refused(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let gaj = t.org_id("市公安局").await;
    sysadmin
        .post(
            "/api/v1/accounts",
            new_account("short-pw", &gaj, "123456789"),
        )
        .await
        .expect_field_error("password", "password_too_short");
    sysadmin
        .post(
            "/api/v1/accounts",
            new_account("long-enough", &gaj, "1234567890"),
        )
        .await
        .expect_status(201);
    // The same rule when the system admin resets a password.
    let staff = t.account_id("gaj-staff").await;
    sysadmin
        .post(
            &format!("/api/v1/accounts/{staff}/password"),
            json!({ "new_password": "short" }),
        )
        .await
        .expect_field_error("password", "password_too_short");
}

// Issue 2 §4: the password is not the user name (whatever its case).
pub async fn a_password_equal_to_the_user_name_is_refused(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let gaj = t.org_id("市公安局").await;
    for password in ["zhang.wei-2025", "ZHANG.WEI-2025"] {
        sysadmin
            .post(
                "/api/v1/accounts",
                new_account("zhang.wei-2025", &gaj, password),
            )
            .await
            .expect_field_error("password", "password_is_username");
    }
    let me = t.login("gaj-staff").await;
    me.post(
        "/api/v1/me/password",
        json!({ "current_password": DEMO_PASSWORD, "new_password": "gaj-staff" }),
    )
    .await
    .expect_field_error("password", "password_is_username");
}

// Issue 2 §4, B16: the system admin creates accounts without roles; the security admin
// grants them.
pub async fn a_new_account_has_no_roles_until_the_security_admin_grants_one(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let secadmin = t.login("secadmin").await;
    let gaj = t.org_id("市公安局").await;
    let created = sysadmin
        .post(
            "/api/v1/accounts",
            new_account("li.na", &gaj, "first-password"),
        )
        .await;
    created.expect_status(201);
    assert_eq!(created.json["roles"], json!([]));
    let id = created.json["id"].as_str().unwrap().to_owned();

    let newcomer = t.login_with("li.na", "first-password").await;
    let me = newcomer.me().await;
    assert_eq!(me["roles"], json!([]));
    assert_eq!(me["org_id"], gaj.as_str());
    newcomer
        .get("/api/v1/organisations")
        .await
        .expect_problem(403, "forbidden");

    secadmin
        .post(
            &format!("/api/v1/accounts/{id}/roles"),
            json!({ "role": "agency_staff" }),
        )
        .await
        .expect_status(200);
    assert_eq!(newcomer.me().await["roles"], json!(["agency_staff"]));
    newcomer
        .get("/api/v1/organisations")
        .await
        .expect_status(200);

    // A role must fit the organisation kind; an unknown role is an input error.
    secadmin
        .post(
            &format!("/api/v1/accounts/{id}/roles"),
            json!({ "role": "operator_staff" }),
        )
        .await
        .expect_field_error("roles", "role_org_mismatch");
    secadmin
        .post(
            &format!("/api/v1/accounts/{id}/roles"),
            json!({ "role": "root" }),
        )
        .await
        .expect_field_error("role", "unknown_role");
    secadmin
        .post(
            &format!("/api/v1/accounts/{id}/roles"),
            json!({ "role": "agency_staff" }),
        )
        .await
        .expect_problem(409, "role_already_held");

    secadmin
        .delete(&format!("/api/v1/accounts/{id}/roles/agency_staff"))
        .await
        .expect_status(200);
    newcomer
        .get("/api/v1/organisations")
        .await
        .expect_problem(403, "forbidden");
}

pub async fn a_taken_user_name_is_refused(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let gaj = t.org_id("市公安局").await;
    sysadmin
        .post(
            "/api/v1/accounts",
            new_account("gaj-staff", &gaj, "another-password"),
        )
        .await
        .expect_field_error("username", "username_taken");
    sysadmin
        .post(
            "/api/v1/accounts",
            new_account("no spaces allowed", &gaj, "another-password"),
        )
        .await
        .expect_field_error("username", "bad_username");
}

// Issue 2 §4: disabling an account ends its sessions at once; enabling lets it back in.
pub async fn disabling_an_account_ends_its_sessions(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let staff = t.login("wjw-staff").await;
    let id = t.account_id("wjw-staff").await;
    sysadmin
        .post(&format!("/api/v1/accounts/{id}/disable"), json!({}))
        .await
        .expect_status(204);
    staff
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    t.anonymous()
        .login("wjw-staff", DEMO_PASSWORD)
        .await
        .expect_problem(403, "account_disabled");
    sysadmin
        .post(&format!("/api/v1/accounts/{id}/enable"), json!({}))
        .await
        .expect_status(204);
    t.login("wjw-staff").await;
}

// Issue 2 §4: a reset password replaces the old one and ends the account's sessions.
pub async fn resetting_a_password_ends_sessions_and_the_new_password_works(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let staff = t.login("jyj-staff").await;
    let id = t.account_id("jyj-staff").await;
    sysadmin
        .post(
            &format!("/api/v1/accounts/{id}/password"),
            json!({ "new_password": "brand-new-password" }),
        )
        .await
        .expect_status(204);
    staff
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    t.anonymous()
        .login("jyj-staff", DEMO_PASSWORD)
        .await
        .expect_problem(401, "bad_credentials");
    t.login_with("jyj-staff", "brand-new-password").await;
}

// Issue 2 §4: personal API tokens — stored hashed, shown once, revocable.
pub async fn an_api_token_is_shown_once_works_as_bearer_and_dies_when_revoked(t: TestApp) {
    let owner = t.login("rsj-admin").await;
    let created = owner
        .post(
            "/api/v1/me/tokens",
            json!({ "name": "数据同步脚本", "expires_in_days": 30 }),
        )
        .await;
    created.expect_status(201);
    let secret = created.json["token"]
        .as_str()
        .expect("the secret")
        .to_owned();
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("gst_"), "{secret}");
    assert!(secret.len() >= 40, "{secret}");
    assert!(secret.starts_with(created.json["prefix"].as_str().unwrap()));

    let bearer = owner.with_bearer(&secret);
    let me = bearer.me().await;
    assert_eq!(me["username"], "rsj-admin");
    bearer.get("/api/v1/accounts").await.expect_status(200);

    let list = owner.get("/api/v1/me/tokens").await;
    list.expect_status(200);
    assert_eq!(list.json.as_array().unwrap().len(), 1);
    assert_eq!(list.json[0]["id"], id.as_str());
    assert!(list.json[0].get("token").is_none(), "{}", list.text);
    assert!(
        !list.text.contains(&secret),
        "the secret is never shown again"
    );
    // Stored only as a hash.
    let stored =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1")
            .bind(&secret)
            .fetch_one(t.db().pool())
            .await
            .unwrap();
    assert_eq!(stored, 0);

    // Another user can neither see nor revoke it.
    let other = t.login("mzj-admin").await;
    let theirs = other.get("/api/v1/me/tokens").await;
    assert_eq!(theirs.json, json!([]));
    other
        .delete(&format!("/api/v1/me/tokens/{id}"))
        .await
        .expect_problem(404, "not_found");
    bearer.me().await;

    owner
        .delete(&format!("/api/v1/me/tokens/{id}"))
        .await
        .expect_status(204);
    bearer
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    let list = owner.get("/api/v1/me/tokens").await;
    assert!(list.json[0]["revoked_at"].is_string(), "{}", list.text);

    // Out-of-range lifetimes are input errors.
    owner
        .post(
            "/api/v1/me/tokens",
            json!({ "name": "x", "expires_in_days": 366 }),
        )
        .await
        .expect_field_error("expires_in_days", "out_of_range");
}

// Issue 2 §4: changing my password needs the current one and ends my other sessions.
pub async fn changing_my_password_ends_my_other_sessions(t: TestApp) {
    let here = t.login("zrzyj-admin").await;
    let elsewhere = t.login("zrzyj-admin").await;
    here.post(
        "/api/v1/me/password",
        json!({ "current_password": "not-my-password", "new_password": "my-new-password" }),
    )
    .await
    .expect_field_error("current_password", "wrong_password");
    here.post(
        "/api/v1/me/password",
        json!({ "current_password": DEMO_PASSWORD, "new_password": "my-new-password" }),
    )
    .await
    .expect_status(204);
    here.me().await;
    elsewhere
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    t.login_with("zrzyj-admin", "my-new-password").await;
}

// Issue 2 §4: the system admin sees and lifts a lockout before it runs out.
pub async fn system_admin_lifts_a_lockout(t: TestApp) {
    let anon = t.anonymous();
    for _ in 0..5 {
        anon.login("cl-staff", "wrong-password").await;
    }
    anon.login("cl-staff", DEMO_PASSWORD)
        .await
        .expect_problem(429, "login_throttled");
    let sysadmin = t.login("sysadmin").await;
    let id = t.account_id("cl-staff").await;
    let account = sysadmin.get(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(
        account.json["throttled_until"], "2025-09-01 09:15:00",
        "{}",
        account.text
    );
    assert!(account.json["locked_until"].is_null(), "{}", account.text);
    let list = sysadmin.get("/api/v1/accounts?q=cl-staff").await;
    assert_eq!(
        list.json["items"][0]["throttled_until"],
        "2025-09-01 09:15:00"
    );
    t.login("gaj-admin")
        .await
        .post(&format!("/api/v1/accounts/{id}/unlock"), json!({}))
        .await
        .expect_problem(403, "forbidden");
    sysadmin
        .post(&format!("/api/v1/accounts/{id}/unlock"), json!({}))
        .await
        .expect_status(204);
    t.login("cl-staff").await;
}

// Issue 2 §4: a token with a lifetime stops working when it runs out.
pub async fn an_expired_api_token_no_longer_works(t: TestApp) {
    let owner = t.login("gjjzx-admin").await;
    let created = owner
        .post(
            "/api/v1/me/tokens",
            json!({ "name": "一天", "expires_in_days": 1 }),
        )
        .await;
    created.expect_status(201);
    let bearer = owner.with_bearer(created.json["token"].as_str().unwrap());
    bearer.me().await;
    t.advance(chrono::Duration::hours(23));
    bearer.me().await;
    t.advance(chrono::Duration::hours(1));
    bearer
        .get("/api/v1/me")
        .await
        .expect_problem(401, "session_expired");
}

// The account search finds the same accounts on both databases, whatever the case typed.
pub async fn account_search_ignores_case_on_both_databases(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let names = |res: &crate::support::Resp| -> Vec<String> {
        let mut names: Vec<String> = res.json["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| a["username"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let lower = sysadmin.get("/api/v1/accounts?q=gaj-admin").await;
    lower.expect_status(200);
    assert_eq!(
        names(&lower),
        ["gaj-admin", "tzq-gaj-admin", "xcq-gaj-admin"]
    );
    let upper = sysadmin.get("/api/v1/accounts?q=GAJ-Admin").await;
    upper.expect_status(200);
    assert_eq!(names(&upper), names(&lower), "{}", upper.text);
    assert_eq!(upper.json["total"], 3);
}

//! Issue 2 §4 and §6, H13/H14: public users register themselves — a person with a citizen ID
//! (GB 11643), a company with a credit code (GB 32100) — and get the `public` role only.

use serde_json::{Value, json};

use crate::support::TestApp;

fn person(username: &str, citizen_id: &str) -> Value {
    json!({
        "username": username,
        "password": "public-password-1",
        "display_name": "李四",
        "subject_kind": "person",
        "subject_id": citizen_id,
    })
}

// Issue 2 §4: registered public users hold the public role and belong to no organisation.
pub async fn a_person_with_a_valid_citizen_id_registers_and_gets_only_the_public_role(t: TestApp) {
    let anon = t.anonymous();
    let before = t.audit_count().await;
    let res = anon
        .post(
            "/api/v1/auth/register",
            person("li.si", "321083197812162119"),
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.json["username"], "li.si");
    let event = t.last_event().await;
    assert_eq!(t.audit_count().await, before + 1);
    assert_eq!(
        (event.action.as_str(), event.outcome.as_str()),
        ("register_public", "success")
    );
    assert!(
        !event.payload.contains("321083197812162119"),
        "the citizen ID stays out of the log"
    );

    // Registering does not log in.
    anon.get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    let public = t.login_with("li.si", "public-password-1").await;
    let me = public.me().await;
    assert_eq!(me["roles"], json!(["public"]));
    assert!(me["org_id"].is_null());
    let capabilities: Vec<&str> = me["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        capabilities,
        ["view_calendar", "manage_own_tokens", "change_own_password"]
    );
    public
        .get("/api/v1/organisations")
        .await
        .expect_problem(403, "forbidden");
    public
        .get("/api/v1/accounts")
        .await
        .expect_problem(403, "forbidden");

    // The same user name cannot be registered twice.
    anon.post(
        "/api/v1/auth/register",
        person("li.si", "11010519491231002X"),
    )
    .await
    .expect_field_error("username", "username_taken");
}

pub async fn a_company_registers_with_its_credit_code(t: TestApp) {
    let anon = t.anonymous();
    let company = json!({
        "username": "qingcheng-tech",
        "password": "company-password-1",
        "display_name": "青城测试科技有限公司",
        "subject_kind": "company",
        "subject_id": "91110000600037341L",
    });
    anon.post("/api/v1/auth/register", company.clone())
        .await
        .expect_status(201);
    let me = t
        .login_with("qingcheng-tech", "company-password-1")
        .await
        .me()
        .await;
    assert_eq!(me["roles"], json!(["public"]));

    let mut bad = company;
    bad["username"] = json!("other-tech");
    bad["subject_id"] = json!("91110000600037341N");
    anon.post("/api/v1/auth/register", bad.clone())
        .await
        .expect_field_error("subject_id", "invalid_credit_code");
    bad["subject_kind"] = json!("government");
    anon.post("/api/v1/auth/register", bad)
        .await
        .expect_field_error("subject_kind", "bad_subject_kind");
}

// H13/H14, issue 2 §6: a citizen ID with a wrong check digit, an impossible or future birth
// date, or the wrong length is refused on its field.
pub async fn an_invalid_citizen_id_is_refused_on_its_field(t: TestApp) {
    let anon = t.anonymous();
    for (n, bad) in [
        "440308199901101513",
        "110105194902301234",
        "11010520991231002X",
        "11010519491231002",
        "1101051949123100ZX",
    ]
    .into_iter()
    .enumerate()
    {
        anon.post("/api/v1/auth/register", person(&format!("person-{n}"), bad))
            .await
            .expect_field_error("subject_id", "invalid_citizen_id");
    }
    let accounts = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM accounts WHERE username LIKE 'person-%'",
    )
    .fetch_one(t.db().pool())
    .await
    .unwrap();
    assert_eq!(accounts, 0);
}

// Issue 2 §6: lowercase x is accepted and normalised.
pub async fn a_lowercase_check_character_is_stored_normalised(t: TestApp) {
    t.anonymous()
        .post(
            "/api/v1/auth/register",
            person("zhang.san2", "11010519491231002x"),
        )
        .await
        .expect_status(201);
    let stored = sqlx::query_scalar::<_, String>(
        "SELECT subject_id FROM accounts WHERE username = 'zhang.san2'",
    )
    .fetch_one(t.db().pool())
    .await
    .unwrap();
    assert_eq!(stored, "11010519491231002X");
}

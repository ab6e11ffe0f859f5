//! Issue 3 item 3 ("every step writes the audit log", B8): each catalog command writes exactly
//! one success event naming its actor and its target (the entry code for entries); reads
//! write nothing; a denial is recorded as such.

use serde_json::{Value, json};

use crate::catalog_fixtures::{
    approve, create, edit, entry, expect_one_event, get, open_entry, return_with, submit, with,
};
use crate::support::TestApp;

async fn payload(t: &TestApp) -> Value {
    serde_json::from_str(&t.last_event().await.payload).expect("a JSON payload")
}

// B8, H8, H9, H10, H7: one event per step, with the entry code as target.
pub async fn every_catalog_step_writes_exactly_one_success_event(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let gaj_id = t.org_id("市公安局").await;
    let mut n = t.audit_count().await;

    let res = gaj.post("/api/v1/catalog/entries", entry("审计测试")).await;
    res.expect_status(201);
    let code = res.json["code"].as_str().unwrap().to_owned();
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "create_entry", "catalog_entry", &code),
    )
    .await;
    assert_eq!(payload(&t).await["org_id"], gaj_id.as_str());

    let res = edit(&gaj, &code, entry("审计测试（改）")).await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "update_entry", "catalog_entry", &code),
    )
    .await;

    let res = submit(&gaj, &code).await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "submit_entry", "catalog_entry", &code),
    )
    .await;
    assert_eq!(payload(&t).await["due_date"], "2025-09-08");

    let res = return_with(&reviewer, &code, "请补充摘要").await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("reviewer", "return_entry", "catalog_entry", &code),
    )
    .await;
    assert_eq!(payload(&t).await["reasons"], "请补充摘要");

    let res = submit(&gaj, &code).await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "submit_entry", "catalog_entry", &code),
    )
    .await;
    let res = approve(&reviewer, &code).await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("reviewer", "approve_entry", "catalog_entry", &code),
    )
    .await;
    assert_eq!(payload(&t).await["revision"], 1);

    let res = edit(&gaj, &code, entry("审计测试（修订）")).await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "start_entry_revision", "catalog_entry", &code),
    )
    .await;
    assert_eq!(payload(&t).await["revision"], 2);

    let res = gaj
        .post(
            &format!("/api/v1/catalog/entries/{code}/changes"),
            json!({ "reason_kind": "function_changed", "reason": "机构职能调整" }),
        )
        .await;
    res.expect_status(201);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("gaj-admin", "open_update_duty", "catalog_entry", &code),
    )
    .await;

    let res = reviewer
        .put(
            "/api/v1/catalog/elements/NP01/source",
            json!({ "org_id": gaj_id }),
        )
        .await;
    res.expect_status(204);
    n = expect_one_event(
        &t,
        n,
        &res,
        ("reviewer", "assign_element_source", "data_element", "NP01"),
    )
    .await;

    let scheme = reviewer.get("/api/v1/catalog/scheme").await.json;
    let res = reviewer
        .put(
            "/api/v1/catalog/scheme",
            json!({ "scheme": scheme["scheme"], "note": "仅更新说明" }),
        )
        .await;
    res.expect_status(200);
    n = expect_one_event(
        &t,
        n,
        &res,
        (
            "reviewer",
            "create_scheme_version",
            "classification_scheme",
            "2",
        ),
    )
    .await;

    // The entry's whole story, in order.
    let story = sqlx::query_scalar::<_, String>(
        "SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq",
    )
    .bind(&code)
    .fetch_all(t.db().pool())
    .await
    .unwrap();
    assert_eq!(
        story,
        [
            "create_entry",
            "update_entry",
            "submit_entry",
            "return_entry",
            "submit_entry",
            "approve_entry",
            "start_entry_revision",
            "open_update_duty",
        ]
    );
    assert_eq!(t.audit_count().await, n);
    let report = t.verify_chain().await;
    assert!(report.is_intact(), "{report:?}");
}

// B8: reading the catalog writes no events; a refused command writes one denied event and a
// refused input none.
pub async fn reads_write_nothing_and_a_denial_writes_a_denied_event(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let county_reviewer = t.login("xcq-reviewer").await;
    let code = create(&gaj, open_entry("审计读取测试")).await;
    submit(&gaj, &code).await.expect_status(200);
    let before = t.audit_count().await;
    get(&gaj, &code).await.expect_status(200);
    get(&reviewer, &code).await.expect_status(200);
    for path in [
        "/api/v1/catalog/entries?q=%E5%AE%A1%E8%AE%A1",
        "/api/v1/catalog/entries?mine=true",
        "/api/v1/catalog/scheme",
        "/api/v1/catalog/elements",
        "/api/v1/catalog/export.xlsx",
    ] {
        gaj.get(path).await.expect_status(200);
    }
    reviewer
        .get("/api/v1/catalog/review-desk")
        .await
        .expect_status(200);
    gaj.get(&format!("/api/v1/catalog/entries/{code}/revisions"))
        .await
        .expect_status(200);
    assert_eq!(t.audit_count().await, before, "reads write no events");

    // A reviewer outside the entry's area gets "not found" (drafts do not leak), and the
    // attempt is recorded as a denial all the same.
    let res = approve(&county_reviewer, &code).await;
    res.expect_problem(404, "not_found");
    assert_eq!(t.audit_count().await, before + 1);
    let event = t.last_event().await;
    assert_eq!(event.outcome, "denied");
    assert_eq!(event.actor_name, "xcq-reviewer");
    assert_eq!(event.target_id, code);

    let invalid = with(entry("无效"), |e| e["state_secret"] = json!(true));
    gaj.post("/api/v1/catalog/entries", invalid)
        .await
        .expect_problem(422, "invalid_input");
    assert_eq!(
        t.audit_count().await,
        before + 1,
        "a refused input writes nothing"
    );
}

//! Issue 12: stored records are parsed once, in the store, and fail closed. A demand or a
//! version whose stored value no longer parses is an error wherever it is read — never the
//! record with an empty history, a guessed state or no columns — and reads as before once the
//! value is repaired.

use serde_json::{Value, json};

use crate::sharing::{need, published_with_data};
use crate::support::{Resp, TestApp};

/// A server error that names nothing of the stored value: operators find the damage in the
/// log by the error id; the caller gets no record built around it.
#[track_caller]
fn unreadable(res: &Resp) {
    res.expect_status(500);
    assert_eq!(res.code(), "internal", "{}", res.text);
}

// H22, H23: a demand whose stored history, state or due date does not parse refuses its page,
// the list, the next step and the deadline run; the step is not taken on a guessed state.
pub async fn h22_h23_a_demand_with_a_corrupt_history_or_state_is_an_error_not_a_default(
    t: TestApp,
) {
    let mzj = t.login("mzj-admin").await;
    let submitted = mzj.post("/api/v1/demands", need()).await;
    submitted.expect_status(201);
    let id = submitted.json["id"].as_str().unwrap().to_owned();
    let url = format!("/api/v1/demands/{id}");
    let page = mzj.get(&url).await;
    page.expect_status(200);
    let history = page.json["history"].clone();
    assert_eq!(history[0]["action"], "submit", "{history}");
    assert_eq!(history[0]["by"], "mzj-admin", "{history}");
    let t = &t;
    let damage = |set: &str| {
        let sql = format!("UPDATE demand_requests SET {set} WHERE id = '{id}'");
        async move { assert_eq!(t.execute(&sql).await.expect("damage the demand"), 1) }
    };

    // A step whose action this platform never wrote.
    damage(r#"history = '[{"at":"2025-09-01 09:00:00","by":"mzj-admin","action":"approve","note":""}]'"#).await;
    unreadable(&mzj.get(&url).await);
    unreadable(&mzj.get("/api/v1/demands").await);
    let reviewer = t.login("reviewer").await;
    let cl = t.org_id("市残疾人联合会").await;
    let review = format!("/api/v1/demands/{id}/review");
    unreadable(
        &reviewer
            .post(
                &review,
                json!({ "decision": "assign", "source_org_id": cl }),
            )
            .await,
    );
    let still_submitted =
        format!("SELECT COUNT(*) FROM demand_requests WHERE id = '{id}' AND state = 'submitted'");
    assert_eq!(t.count(&still_submitted).await, 1);
    // No reminder goes out on a due date read from a record that does not parse.
    assert!(gongshu_app::sharing::run_deadlines(&t.app).await.is_err());

    // A history that is not a list of steps at all.
    damage(r#"history = '{"submit":"mzj-admin"}'"#).await;
    unreadable(&mzj.get(&url).await);

    let stored = serde_json::to_string(&history).unwrap();
    damage(&format!("history = '{stored}'")).await;
    mzj.get(&url).await.expect_status(200);

    // A state and a due date this platform does not know.
    damage("state = 'approved'").await;
    unreadable(&mzj.get(&url).await);
    damage("state = 'submitted', due_date = '8 September'").await;
    unreadable(&mzj.get(&url).await);

    damage("due_date = '2025-09-08'").await;
    let repaired = mzj.get(&url).await;
    repaired.expect_status(200);
    assert_eq!(repaired.json["history"], history);
    assert_eq!(repaired.json["state"], "submitted");
    assert_eq!(repaired.json["due_date"], "2025-09-08");
    reviewer
        .post(
            &review,
            json!({ "decision": "assign", "source_org_id": cl }),
        )
        .await
        .expect_status(200);
}

// H11, H20: a version whose stored schema does not parse refuses the version list and every
// read of its data — never a version shown with `schema: null` or read with no columns.
pub async fn h11_h20_a_version_with_a_corrupt_schema_is_an_error_not_an_empty_schema(t: TestApp) {
    let code = published_with_data(&t).await;
    let gaj = t.login("gaj-admin").await;
    let versions = format!("/api/v1/catalog/entries/{code}/versions");
    let data = format!("/api/v1/entries/{code}/data?limit=500");
    let list = gaj.get(&versions).await;
    list.expect_status(200);
    let schema: Value = list.json[0]["schema"].clone();
    let columns = schema.as_array().expect("a list of columns");
    assert!(!columns.is_empty());
    assert!(
        columns
            .iter()
            .all(|c| c["code"].is_string() && c["data_type"].is_string()),
        "{schema}"
    );
    let read = gaj.get(&data).await;
    read.expect_status(200);
    let rows = read.json.as_array().unwrap().len();
    let t = &t;
    let damage = |text: String| {
        let sql = format!(
            "UPDATE data_versions SET schema = '{text}' WHERE entry_id = \
             (SELECT id FROM catalog_entries WHERE code = '{code}')"
        );
        async move { assert_eq!(t.execute(&sql).await.expect("damage the schema"), 1) }
    };

    // A data type this platform does not know.
    let stored = serde_json::to_string(&schema).unwrap();
    damage(stored.replacen(r#""data_type":""#, r#""data_type":"x"#, 1)).await;
    unreadable(&gaj.get(&versions).await);
    unreadable(&gaj.get(&data).await);

    // Not a list of columns at all.
    damage(r#"{"xm":"text"}"#.to_owned()).await;
    unreadable(&gaj.get(&versions).await);
    unreadable(&gaj.get(&data).await);

    damage(stored).await;
    let list = gaj.get(&versions).await;
    list.expect_status(200);
    assert_eq!(list.json[0]["schema"], schema);
    let read = gaj.get(&data).await;
    read.expect_status(200);
    assert_eq!(read.json.as_array().unwrap().len(), rows);
}

// H11, H12: a version whose stored quality manifest no longer parses is an error on the
// version list and the entry's quality page — not shown as "not scored" — and reads again once
// repaired.
pub async fn h11_h12_a_version_with_a_corrupt_quality_manifest_is_an_error_not_unscored(
    t: TestApp,
) {
    let code = published_with_data(&t).await;
    let gaj = t.login("gaj-admin").await;
    let versions = format!("/api/v1/catalog/entries/{code}/versions");
    let quality = format!("/api/v1/entries/{code}/quality");
    let before = gaj.get(&versions).await;
    before.expect_status(200);
    let scores = before.json[0]["quality"].clone();
    assert!(scores["overall"].is_number(), "{}", before.text);
    gaj.get(&quality).await.expect_status(200);

    let entry = format!("(SELECT id FROM catalog_entries WHERE code = '{code}')");
    t.execute(&format!(
        "UPDATE data_versions SET quality = quality || 'x' WHERE entry_id = {entry}"
    ))
    .await
    .expect("damage the manifest");
    unreadable(&gaj.get(&versions).await);
    unreadable(&gaj.get(&quality).await);

    t.execute(&format!(
        "UPDATE data_versions SET quality = SUBSTR(quality, 1, LENGTH(quality) - 1) \
         WHERE entry_id = {entry}"
    ))
    .await
    .expect("repair the manifest");
    let after = gaj.get(&versions).await;
    after.expect_status(200);
    assert_eq!(after.json[0]["quality"], scores);
}

//! Issue 12: one read decision, every outcome audited, stored records parsed once and fail
//! closed.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::sharing::{ask, published_with_data, request};
use crate::support::TestApp;

fn data_url(code: &str) -> String {
    format!("/api/v1/entries/{code}/data?limit=500")
}

/// The newest `read_data` refusal: its reason and mode.
async fn last_refusal(t: &TestApp) -> (String, Value) {
    let event = t.last_event_of("read_data").await;
    let payload: Value = serde_json::from_str(&event.payload).expect("a JSON payload");
    (event.outcome, payload)
}

// H20: a grant whose stored row filter no longer parses refuses the read — it is never read as
// "no condition" (the fail-open default is gone) — and the refusal is on record.
pub async fn h20_a_grant_with_a_corrupt_row_filter_refuses_the_read(t: TestApp) {
    let code = published_with_data(&t).await;
    let mzj = t.login("mzj-staff").await;
    let id = request(&mzj, ask(&code, "2025-12-31")).await;
    t.login("gaj-admin")
        .await
        .post(
            &format!("/api/v1/share-requests/{id}/approve"),
            json!({ "row_filter": [["qx", "eq.新城区"]] }),
        )
        .await
        .expect_status(200);
    let filtered = mzj.get(&data_url(&code)).await;
    filtered.expect_status(200);
    let rows = filtered.json.as_array().unwrap().len();

    // Damaged in the database: an object instead of the list of conditions.
    let changed = t
        .execute(r#"UPDATE grants SET row_filter = '{"qx":"eq.新城区"}'"#)
        .await
        .expect("damage the row filter");
    assert_eq!(changed, 1);
    let res = mzj.get(&data_url(&code)).await;
    res.expect_problem(403, "grant_unreadable");
    assert!(!res.text.contains("新城区"), "no rows: {}", res.text);
    let (outcome, payload) = last_refusal(&t).await;
    assert_eq!(outcome, "denied");
    assert_eq!(payload["reason"], "grant_unreadable", "{payload}");

    // Repaired, the same rows come back: the filter was never dropped.
    t.execute(r#"UPDATE grants SET row_filter = '[["qx","eq.新城区"]]'"#)
        .await
        .expect("repair the row filter");
    let again = mzj.get(&data_url(&code)).await;
    again.expect_status(200);
    assert_eq!(again.json.as_array().unwrap().len(), rows);
}

// H20, H41, H25: refused reads are on record with their reason — no grant, a suspended reader,
// an expired grant, a mode not granted, an anonymous reader of data that is not open — through
// the API and the console alike.
pub async fn h20_h41_refused_reads_are_audited_with_their_reason(t: TestApp) {
    let code = published_with_data(&t).await;
    let mzj = t.login("mzj-staff").await;

    mzj.get(&data_url(&code))
        .await
        .expect_problem(403, "no_grant");
    let (outcome, payload) = last_refusal(&t).await;
    assert_eq!(outcome, "denied");
    assert_eq!(payload["reason"], "no_grant", "{payload}");
    assert_eq!(payload["mode"], "api_query");

    // The console's data page goes through the same command, and is recorded the same way.
    let before = t
        .count("SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied'")
        .await;
    let page = t
        .browser_login("mzj-staff")
        .await
        .get(&format!("/catalog/entries/{code}/data"))
        .await;
    page.expect_status(200);
    assert!(page.text.contains("没有可用的共享授权"), "{}", page.text);
    let after = t
        .count("SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied'")
        .await;
    assert!(after > before, "the console's refusal is audited");

    let id = request(&mzj, ask(&code, "2025-09-30")).await;
    t.login("gaj-admin")
        .await
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await
        .expect_status(200);
    mzj.get(&data_url(&code)).await.expect_status(200);

    // Only API queries were granted.
    mzj.get(&format!("/api/v1/entries/{code}/data?format=csv"))
        .await
        .expect_problem(403, "no_grant");
    let event = t.last_event_of("export_data").await;
    let payload: Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(
        (event.outcome.as_str(), payload["reason"].as_str()),
        ("denied", Some("mode_not_granted")),
        "{payload}"
    );

    // Suspended by the authority (H41).
    let reviewer = t.login("reviewer").await;
    let account = t.account_id("mzj-staff").await;
    let s = reviewer
        .post(
            "/api/v1/suspensions",
            json!({ "subject_kind": "account", "subject_id": account, "reason": "超范围使用共享数据" }),
        )
        .await;
    s.expect_status(201);
    mzj.get(&data_url(&code))
        .await
        .expect_problem(403, "access_suspended");
    let (_, payload) = last_refusal(&t).await;
    assert_eq!(payload["reason"], "access_suspended", "{payload}");
    reviewer
        .post(
            &format!(
                "/api/v1/suspensions/{}/lift",
                s.json["id"].as_str().unwrap()
            ),
            json!({ "reason": "已整改" }),
        )
        .await
        .expect_status(200);

    // Past the grant's last day (China time).
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 30, 16, 0, 1).unwrap());
    let mzj = t.login("mzj-staff").await;
    let expired = mzj.get(&data_url(&code)).await;
    expired.expect_problem(403, "no_grant");
    assert!(expired.text.contains("共享授权已到期"), "{}", expired.text);
    let (outcome, payload) = last_refusal(&t).await;
    assert_eq!(outcome, "denied");
    assert_eq!(payload["reason"], "grant_expired", "{payload}");

    // An anonymous reader of data that is not open: it does not exist for them, on record.
    t.anonymous().get(&data_url(&code)).await.expect_status(404);
    let event = t.last_event_of("read_data").await;
    assert_eq!(event.actor_name, "anonymous");
    assert!(event.payload.contains("not_visible"), "{}", event.payload);
}

// H18, H20: a published revision whose stored share modes or legal bases no longer parse is
// refused wherever it is used — the entry view and a new share request answer an internal
// error (logged with the entry and the field) — instead of reading as "offers fewer modes" or
// "rests on no law". Repaired, the entry reads as before.
pub async fn h18_h20_a_revision_whose_stored_lists_do_not_parse_is_refused_not_emptied(t: TestApp) {
    let code = published_with_data(&t).await;
    let mzj = t.login("mzj-staff").await;
    let url = format!("/api/v1/catalog/entries/{code}");
    let before = mzj.get(&url).await;
    before.expect_status(200);
    let bases = before.json["legal_bases"].clone();
    assert!(!bases.as_array().unwrap().is_empty(), "{}", before.text);
    let revision = format!(
        "UPDATE catalog_revisions SET {{}} WHERE entry_id = \
         (SELECT id FROM catalog_entries WHERE code = '{code}') AND state = 'published'"
    );
    // An unknown mode code was skipped before: the entry offered one mode fewer.
    let damage = revision.replace("{}", r#"share_modes = '["api_query","teleport"]'"#);
    assert_eq!(t.execute(&damage).await.expect("damage the modes"), 1);
    let res = mzj.get(&url).await;
    res.expect_status(500);
    assert_eq!(res.json["code"], "internal", "{}", res.text);
    let asked = mzj
        .post("/api/v1/share-requests", ask(&code, "2025-12-31"))
        .await;
    asked.expect_status(500);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM share_requests").await,
        0,
        "nothing half-written"
    );

    // Legal bases that are not a list read as "none" before.
    let modes = serde_json::to_string(&before.json["share_modes"]).unwrap();
    let repair = revision.replace("{}", &format!("share_modes = '{modes}'"));
    t.execute(&repair).await.expect("repair the modes");
    let damage = revision.replace("{}", r#"legal_bases = '{"law":"数据安全法"}'"#);
    assert_eq!(t.execute(&damage).await.expect("damage the bases"), 1);
    mzj.get(&url).await.expect_status(500);

    let repair = revision.replace(
        "{}",
        &format!("legal_bases = '{}'", serde_json::to_string(&bases).unwrap()),
    );
    t.execute(&repair).await.expect("repair the bases");
    let again = mzj.get(&url).await;
    again.expect_status(200);
    assert_eq!(again.json["legal_bases"], bases);
    assert_eq!(again.json["share_modes"], before.json["share_modes"]);
}

//! H19 through the HTTP API: conditionally shared entries come up for assessment every year;
//! the agency keeps the conditions with its reason or converts the entry to unconditional
//! sharing, which goes to the authority's review and, once approved, is granted at once.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::catalog_fixtures::{approve, get};
use crate::sharing::{ask, conditional_people};
use crate::support::{Client, TestApp};

fn assessment(outcome: &str, reason: &str) -> Value {
    json!({ "outcome": outcome, "reason": reason })
}

async fn coming_up(client: &Client, code: &str) -> Option<Value> {
    let res = client.get("/api/v1/sharing/assessments-due").await;
    res.expect_status(200);
    res.json
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["entry_code"] == code)
        .cloned()
}

async fn responsibility(client: &Client, code: &str) -> Option<Value> {
    let res = client.get("/api/v1/sharing/responsibility-list").await;
    res.expect_status(200);
    res.json
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "share_assessment" && l["subject"] == code)
        .cloned()
}

fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    // 10:00 in Beijing.
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

// H19: published on 2025-09-01, the entry is due for assessment on 2026-09-01; it shows 30
// days ahead on the agency's lists (and the authority's), not on another agency's, and is
// overdue after; keeping restarts the year; converting submits an unconditional revision that
// changes nothing until the authority approves it, after which requests are granted at once.
pub async fn h19_conditional_entries_are_assessed_yearly_keep_or_convert(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = crate::catalog_fixtures::publish(&gaj, &reviewer, conditional_people()).await;
    let url = format!("/api/v1/catalog/entries/{code}/share-assessments");

    // Sessions do not survive a jump of months: sign in again after each.
    t.set_now(at(2026, 7, 31));
    let gaj = t.login("gaj-admin").await;
    assert!(coming_up(&gaj, &code).await.is_none(), "not yet");
    t.set_now(at(2026, 8, 2));
    let (gaj, reviewer, mzj) = (
        t.login("gaj-admin").await,
        t.login("reviewer").await,
        t.login("mzj-staff").await,
    );
    let due = coming_up(&gaj, &code)
        .await
        .expect("coming up 30 days ahead");
    assert_eq!(due["due_date"], "2026-09-01");
    assert_eq!(due["conditional_since"], "2025-09-01");
    assert_eq!(due["overdue"], false);
    let line = responsibility(&gaj, &code).await.expect("on the list");
    assert_eq!(line["kind_zh"], "有条件共享年度评估");
    assert!(coming_up(&reviewer, &code).await.is_some(), "the authority");
    assert!(coming_up(&mzj, &code).await.is_none(), "not another agency");
    t.set_now(at(2026, 9, 3));
    let (gaj, mzj) = (t.login("gaj-admin").await, t.login("mzj-staff").await);
    assert_eq!(coming_up(&gaj, &code).await.unwrap()["overdue"], true);
    assert_eq!(responsibility(&gaj, &code).await.unwrap()["overdue"], true);

    // Bad input is a field error; another agency may not assess; nothing is recorded.
    let res = gaj.post(&url, assessment("drop", " ")).await;
    res.expect_field_error("outcome", "unknown_value");
    res.expect_field_error("reason", "required");
    mzj.post(&url, assessment("keep", "仍涉及个人隐私"))
        .await
        .expect_status(403);
    assert_eq!(t.count("SELECT COUNT(*) FROM share_assessments").await, 0);

    // Keep: recorded and audited, off the lists, due again a year on.
    let kept = gaj
        .post(&url, assessment("keep", "仍涉及个人隐私，须限定使用范围"))
        .await;
    kept.expect_status(201);
    assert_eq!(kept.json["outcome"], "keep");
    assert_eq!(kept.json["outcome_zh"], "维持有条件共享");
    assert_eq!(kept.json["assessed_on"], "2026-09-03");
    assert_eq!(kept.json["draft_revision"], Value::Null);
    assert_eq!(t.last_event().await.action, "assess_share_type");
    assert!(coming_up(&gaj, &code).await.is_none());
    assert!(responsibility(&gaj, &code).await.is_none());
    t.set_now(at(2027, 8, 10));
    let (gaj, reviewer, mzj) = (
        t.login("gaj-admin").await,
        t.login("reviewer").await,
        t.login("mzj-staff").await,
    );
    assert_eq!(
        coming_up(&gaj, &code).await.expect("a year on")["due_date"],
        "2027-09-03"
    );

    // Convert: an unconditional revision goes to review; until approved the entry stays
    // conditional, and a second conversion is refused.
    let converted = gaj
        .post(
            &url,
            assessment("convert", "数据已按规则脱敏，具备无条件共享条件"),
        )
        .await;
    converted.expect_status(201);
    assert_eq!(converted.json["draft_revision"], 2, "{}", converted.text);
    let latest = crate::catalog_fixtures::get_revision(&gaj, &code, 2).await;
    assert_eq!(latest.json["state"], "submitted", "{}", latest.text);
    assert_eq!(latest.json["share_type"], "unconditional");
    assert_eq!(latest.json["share_conditions"], "");
    assert_eq!(get(&mzj, &code).await.json["share_type"], "conditional");
    gaj.post(&url, assessment("convert", "再次转换"))
        .await
        .expect_problem(409, "revision_in_progress");

    approve(&reviewer, &code).await.expect_status(200);
    assert!(
        coming_up(&gaj, &code).await.is_none(),
        "no longer conditional"
    );
    gaj.post(&url, assessment("keep", "维持"))
        .await
        .expect_problem(409, "not_conditional");
    let granted = mzj
        .post("/api/v1/share-requests", ask(&code, "2027-12-31"))
        .await;
    granted.expect_status(201);
    assert_eq!(granted.json["state"], "granted", "{}", granted.text);

    let history = gaj.get(&url).await;
    history.expect_status(200);
    let outcomes: Vec<&str> = history
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["convert", "keep"]);
}

//! Builders shared by the catalog tests: valid entry bodies to start from, shortcuts through
//! the review workflow, and audit-log checks.

use serde_json::{Value, json};

use crate::support::{Client, Resp, TestApp};

/// A valid entry of 人口 (101) that an agency may submit as it is: general data level 3,
/// unconditionally shared (so no legal basis is needed), not open for privacy, two items.
pub fn entry(name: &str) -> Value {
    json!({
        "category_code": "101",
        "name": name,
        "summary": format!("{name}：测试用的目录条目，含姓名和公民身份号码"),
        "grade": "general_3",
        "data_form": "database",
        "share_type": "unconditional",
        "share_scope": "全市公共管理和服务机构",
        "share_modes": ["api_query"],
        "open_type": "not_open",
        "not_open_reason": "privacy",
        "update_frequency": "daily",
        "change_note": "初始编目",
        "items": [
            { "code": "xm", "name": "姓名", "data_type": "text", "grade": "general_3", "personal": true },
            { "code": "gmsfhm", "name": "公民身份号码", "data_type": "citizen_id", "grade": "general_3", "personal": true }
        ]
    })
}

/// A valid entry that anyone may see once published: general data level 1, unconditionally
/// shared and open.
pub fn open_entry(name: &str) -> Value {
    json!({
        "category_code": "201",
        "name": name,
        "summary": format!("{name}：可以向社会开放的统计数据"),
        "grade": "general_1",
        "data_form": "spreadsheet",
        "share_type": "unconditional",
        "share_modes": ["api_query", "bulk_download"],
        "open_type": "unconditional",
        "update_frequency": "monthly",
        "items": [
            { "code": "tjyf", "name": "统计月份", "data_type": "text", "grade": "general_1" },
            { "code": "sl", "name": "数量", "data_type": "integer", "grade": "general_1" }
        ]
    })
}

/// `base` with `change` applied (a JSON patch by hand).
pub fn with(mut base: Value, change: impl FnOnce(&mut Value)) -> Value {
    change(&mut base);
    base
}

/// Creates a draft and returns its code.
pub async fn create(agency: &Client, body: Value) -> String {
    let res = agency.post("/api/v1/catalog/entries", body).await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "draft", "{}", res.text);
    assert_eq!(res.json["revision"], 1, "{}", res.text);
    res.json["code"].as_str().expect("a code").to_owned()
}

/// Submits the latest revision. An entry to be opened also gets its confidentiality review
/// (第三十四条), signed by the agency's admin — the demo city's security lead — so the
/// reviewer can publish it; `submit_unreviewed` leaves that step out.
pub async fn submit(agency: &Client, code: &str) -> Resp {
    let res = submit_unreviewed(agency, code).await;
    if res.status == 200 && res.json["open_type"] != "not_open" {
        sign_review(agency, code).await.expect_status(201);
    }
    res
}

pub async fn submit_unreviewed(agency: &Client, code: &str) -> Resp {
    agency
        .post(&format!("/api/v1/catalog/entries/{code}/submit"), json!({}))
        .await
}

/// The security lead affirms every point of the checklist.
pub async fn sign_review(lead: &Client, code: &str) -> Resp {
    lead.post(
        &format!("/api/v1/catalog/entries/{code}/confidentiality-reviews"),
        json!({
            "no_state_secret": true,
            "personal_information_protected": true,
            "legal_basis_checked": true,
            "opinion": "不涉及国家秘密，个人信息已处理，依据已核实，同意开放"
        }),
    )
    .await
}

pub async fn approve(reviewer: &Client, code: &str) -> Resp {
    reviewer
        .post(
            &format!("/api/v1/catalog/entries/{code}/approve"),
            json!({}),
        )
        .await
}

pub async fn return_with(reviewer: &Client, code: &str, reasons: &str) -> Resp {
    reviewer
        .post(
            &format!("/api/v1/catalog/entries/{code}/return"),
            json!({ "reasons": reasons }),
        )
        .await
}

pub async fn edit(agency: &Client, code: &str, body: Value) -> Resp {
    agency
        .put(&format!("/api/v1/catalog/entries/{code}"), body)
        .await
}

pub async fn get(client: &Client, code: &str) -> Resp {
    client.get(&format!("/api/v1/catalog/entries/{code}")).await
}

pub async fn get_revision(client: &Client, code: &str, revision: i64) -> Resp {
    client
        .get(&format!(
            "/api/v1/catalog/entries/{code}?revision={revision}"
        ))
        .await
}

/// Submits and approves the latest revision; returns the published view. A county entry
/// approved by its county authority goes on to the city authority (第八条), whose reviewer
/// publishes it.
pub async fn submit_and_approve(agency: &Client, reviewer: &Client, code: &str) -> Value {
    submit(agency, code).await.expect_status(200);
    let mut res = approve(reviewer, code).await;
    res.expect_status(200);
    if res.json["state"] == "county_approved" {
        res = approve(&reviewer.other("reviewer").await, code).await;
        res.expect_status(200);
    }
    assert_eq!(res.json["state"], "published", "{}", res.text);
    res.json.clone()
}

/// Creates, submits and approves an entry; returns its code.
pub async fn publish(agency: &Client, reviewer: &Client, body: Value) -> String {
    let code = create(agency, body).await;
    submit_and_approve(agency, reviewer, &code).await;
    code
}

/// Creates a county agency's entry and takes it through both reviews of 第八条 — the county
/// authority's, which reports it to the city, then the city authority's, which publishes it;
/// returns its code.
pub async fn publish_in_county(
    agency: &Client,
    county_reviewer: &Client,
    city_reviewer: &Client,
    body: Value,
) -> String {
    let code = create(agency, body).await;
    submit(agency, &code).await.expect_status(200);
    let res = approve(county_reviewer, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "county_approved", "{}", res.text);
    let res = approve(city_reviewer, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "published", "{}", res.text);
    code
}

/// Success events of `action` on `target_id`.
pub async fn successes(t: &TestApp, action: &str, target_id: &str) -> i64 {
    t.count(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE outcome = 'success' \
         AND action = '{action}' AND target_id = '{target_id}'"
    ))
    .await
}

/// Asserts that the request behind `res` added exactly one event, a success by `actor` of
/// `action` on `target_id`, naming the request; returns the new count.
pub async fn expect_one_event(
    t: &TestApp,
    before: i64,
    res: &Resp,
    (actor, action, target_kind, target_id): (&str, &str, &str, &str),
) -> i64 {
    let after = t.audit_count().await;
    assert_eq!(after, before + 1, "{action}: exactly one event");
    let event = t.last_event().await;
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
    after
}

/// How many catalog entries the database holds.
pub async fn entry_count(t: &TestApp) -> i64 {
    t.count("SELECT COUNT(*) FROM catalog_entries").await
}

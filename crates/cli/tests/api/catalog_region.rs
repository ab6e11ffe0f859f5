//! Issue 13 item 1: the city catalog's submission to the autonomous region (H8, 第八条). The
//! city authority submits a package of every published entry (a ZIP of the JSON and Excel
//! exports) kept with its SM3 digest, and records the region's answer; the region's platform
//! is not reachable, so the package travels by hand.

use std::io::Read;

use serde_json::{Value, json};
use sm3::{Digest, Sm3};

use crate::catalog_fixtures::{
    approve, create, entry, open_entry, publish, publish_in_county, submit,
};
use crate::console_pages::assert_chinese_page;
use crate::support::{Client, Resp, TestApp};

const SUBMISSIONS: &str = "/api/v1/catalog/region-submissions";

async fn package(client: &Client, id: &str) -> Vec<u8> {
    let res = client
        .request(reqwest::Method::GET, &format!("{SUBMISSIONS}/{id}/package"))
        .send()
        .await
        .expect("the request reaches the server");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/zip")
    );
    res.bytes().await.expect("the package").to_vec()
}

fn member(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str) -> Vec<u8> {
    let mut file = zip.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("read a member");
    bytes
}

async fn answer(client: &Client, id: &str, body: Value) -> Resp {
    client
        .post(&format!("{SUBMISSIONS}/{id}/answer"), body)
        .await
}

// H8, 《呼和浩特市公共数据管理暂行办法》第八条: the city authority "组织编制全市公共数据目录
// 并报上级公共数据主管部门审核，审核通过后在公共数据平台发布和更新". The submission keeps the
// package as sent — its digest is the SM3 of the stored package — and the region's answer,
// accepted or returned with reasons, entered by the city authority; every step is audited.
pub async fn h8_the_city_catalog_submission_to_the_region_keeps_its_package_digest_and_answer(
    t: TestApp,
) {
    let gaj = t.login("gaj-admin").await;
    let city = t.login("reviewer").await;
    let county_agency = t.login("xcq-gaj-admin").await;
    let county = t.login("xcq-reviewer").await;
    let city_entry = publish(&gaj, &city, open_entry("市级报送测试统计")).await;
    let county_entry =
        publish_in_county(&county_agency, &county, &city, entry("新城区报送测试户籍")).await;
    // An entry still at the city's review is not in the city catalog yet.
    let pending = create(&county_agency, entry("新城区待市级审核测试")).await;
    submit(&county_agency, &pending).await.expect_status(200);
    approve(&county, &pending).await.expect_status(200);

    // Only the city authority submits.
    for user in ["xcq-reviewer", "gaj-admin"] {
        t.login(user)
            .await
            .post(SUBMISSIONS, json!({}))
            .await
            .expect_problem(403, "forbidden");
    }
    let list = city.get(SUBMISSIONS).await;
    list.expect_status(200);
    assert_eq!(list.json["total"], 0);
    assert_eq!(list.json["may_submit"], true);

    let res = city
        .post(SUBMISSIONS, json!({ "note": "2025年第三季度目录报送" }))
        .await;
    res.expect_status(201);
    let first = res.json.clone();
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["state"], "submitted");
    assert_eq!(first["connector"], "manual");
    assert_eq!(first["entry_count"], 2);
    assert_eq!(first["submitted_on"], "2025-09-01");
    assert_eq!(first["submitted_by"], "reviewer");
    assert_eq!(first["note"], "2025年第三季度目录报送");

    // The package as stored: its SM3 is the recorded digest, and it holds both exports of
    // the published entries only.
    let bytes = package(&city, &id).await;
    assert_eq!(
        hex::encode(Sm3::digest(&bytes)),
        first["package_sm3"].as_str().unwrap()
    );
    assert_eq!(first["package_bytes"], bytes.len());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).expect("a ZIP");
    let document: Value =
        serde_json::from_slice(&member(&mut zip, "catalog.json")).expect("catalog.json");
    assert_eq!(document["city_authority"], "市大数据管理局");
    assert_eq!(document["entry_count"], 2);
    let mut codes: Vec<&str> = document["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    codes.sort();
    let mut expected = vec![city_entry.as_str(), county_entry.as_str()];
    expected.sort();
    assert_eq!(codes, expected, "published entries only, not {pending}");
    let rows = gongshu_sheets::read_catalog(&member(&mut zip, "catalog.xlsx"))
        .expect("catalog.xlsx reads back");
    let mut sheet_codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    sheet_codes.sort();
    assert_eq!(sheet_codes, expected);
    let event = t.last_event_of("submit_catalog_to_region").await;
    assert_eq!(event.outcome, "success");
    assert_eq!(event.actor_name, "reviewer");
    assert_eq!(event.target_id, id);
    let payload: Value = serde_json::from_str(&event.payload).expect("a JSON payload");
    assert_eq!(payload["package_sm3"], first["package_sm3"]);
    assert_eq!(payload["entry_count"], 2);

    // One submission awaits an answer at a time.
    city.post(SUBMISSIONS, json!({}))
        .await
        .expect_problem(409, "submission_pending");
    assert_eq!(city.get(SUBMISSIONS).await.json["may_submit"], false);

    // The answer is checked: a return needs reasons, the date lies between submission and today.
    answer(&city, &id, json!({ "outcome": "returned" }))
        .await
        .expect_field_error("reasons", "required");
    answer(
        &city,
        &id,
        json!({ "outcome": "accepted", "answered_on": "2025-08-31" }),
    )
    .await
    .expect_field_error("answered_on", "out_of_range");
    answer(&city, &id, json!({ "outcome": "approved" }))
        .await
        .expect_field_error("outcome", "unknown_value");
    answer(&county, &id, json!({ "outcome": "accepted" }))
        .await
        .expect_problem(403, "forbidden");

    // The region returns it with reasons; the answer is final.
    let reasons = "部分条目未填写共享条件，请补充后重新报送";
    let res = answer(
        &city,
        &id,
        json!({ "outcome": "returned", "reasons": reasons }),
    )
    .await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "returned");
    assert_eq!(res.json["answer_reasons"], reasons);
    assert_eq!(res.json["answered_on"], "2025-09-01");
    assert_eq!(res.json["answered_by"], "reviewer");
    let event = t.last_event_of("record_region_answer").await;
    assert_eq!(event.target_id, id);
    let payload: Value = serde_json::from_str(&event.payload).expect("a JSON payload");
    assert_eq!(payload["outcome"], "returned");
    assert_eq!(payload["reasons"], reasons);
    answer(&city, &id, json!({ "outcome": "accepted" }))
        .await
        .expect_problem(409, "already_answered");

    // Submitted again, and accepted this time.
    let res = city.post(SUBMISSIONS, json!({})).await;
    res.expect_status(201);
    let second = res.json["id"].as_str().unwrap().to_owned();
    let res = answer(&city, &second, json!({ "outcome": "accepted" })).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "accepted");
    assert_eq!(res.json["answer_reasons"], "");

    // Newest first, paged; one at a time; unknown ids are 404.
    let list = city.get(&format!("{SUBMISSIONS}?per_page=1")).await;
    list.expect_status(200);
    assert_eq!(list.json["total"], 2);
    assert_eq!(list.json["submissions"][0]["id"], second.as_str());
    let list = city.get(&format!("{SUBMISSIONS}?per_page=1&page=2")).await;
    assert_eq!(list.json["submissions"][0]["id"], id.as_str());
    city.get(&format!("{SUBMISSIONS}?per_page=101"))
        .await
        .expect_field_error("per_page", "out_of_range");
    let one = city.get(&format!("{SUBMISSIONS}/{id}")).await;
    one.expect_status(200);
    assert_eq!(one.json["state"], "returned");
    city.get(&format!("{SUBMISSIONS}/no-such-submission"))
        .await
        .expect_problem(404, "not_found");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE outcome = 'success' AND action IN ('submit_catalog_to_region', 'record_region_answer')")
            .await,
        4
    );
    let report = t.verify_chain().await;
    assert!(report.is_intact(), "{report:?}");

    // The console page lists both with their digests and answers.
    let page = t
        .browser_login("reviewer")
        .await
        .get("/catalog/region")
        .await;
    page.expect_status(200);
    assert_chinese_page(&page, "the region submissions page");
    assert!(page.text.contains(first["package_sm3"].as_str().unwrap()));
    assert!(page.text.contains(reasons), "{}", page.text);
    assert!(page.text.contains("自治区审核通过"), "{}", page.text);
}

// H8: an empty city catalog is not a submission, and nothing is recorded.
pub async fn h8_an_empty_city_catalog_cannot_be_submitted(t: TestApp) {
    let city = t.login("reviewer").await;
    let before = t.audit_count().await;
    city.post(SUBMISSIONS, json!({}))
        .await
        .expect_problem(409, "empty_catalog");
    city.post(SUBMISSIONS, json!({ "note": "长".repeat(501) }))
        .await
        .expect_field_error("note", "too_long");
    assert_eq!(t.audit_count().await, before);
    assert_eq!(city.get(SUBMISSIONS).await.json["total"], 0);
}

// H8: stored review and submission records are read as typed records; one that does not
// parse — a submission in an unknown state, a county approval missing who gave it — is
// refused as an internal error, never read as "awaiting an answer" or "no county approval".
pub async fn h8_a_stored_submission_or_county_approval_that_does_not_parse_is_refused(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let city = t.login("reviewer").await;
    publish(&gaj, &city, open_entry("市级报送损坏测试")).await;
    let res = city.post(SUBMISSIONS, json!({})).await;
    res.expect_status(201);
    let id = res.json["id"].as_str().unwrap().to_owned();
    t.execute(&format!(
        "UPDATE region_submissions SET state = 'lost' WHERE id = '{id}'"
    ))
    .await
    .expect("damage the state");
    let res = city.get(&format!("{SUBMISSIONS}/{id}")).await;
    res.expect_status(500);
    assert_eq!(res.json["code"], "internal", "{}", res.text);
    city.get(SUBMISSIONS).await.expect_status(500);

    let county_agency = t.login("xcq-gaj-admin").await;
    let county = t.login("xcq-reviewer").await;
    let code = create(&county_agency, entry("新城区损坏测试")).await;
    submit(&county_agency, &code).await.expect_status(200);
    approve(&county, &code).await.expect_status(200);
    t.execute(&format!(
        "UPDATE catalog_revisions SET county_reviewed_by = NULL WHERE entry_id = \
         (SELECT id FROM catalog_entries WHERE code = '{code}')"
    ))
    .await
    .expect("damage the county approval");
    let res = city.get(&format!("/api/v1/catalog/entries/{code}")).await;
    res.expect_status(500);
    approve(&city, &code).await.expect_status(500);
}

//! Issue 13 item 1: the two-level review of a county's catalog (H8, 第八条). A county
//! agency's entry is reviewed by its county authority, whose approval reports it to the city
//! authority; only the city's approval publishes it city-wide. The city may return it with
//! reasons, which the agency and the county authority both see; the county authority may
//! report a batch of entries at once, and the city approve a batch.

use serde_json::{Value, json};

use crate::catalog_fixtures::{
    approve, create, edit, entry, get, open_entry, return_with, submit, successes, with,
};
use crate::console_pages::{assert_chinese_page, post_form};
use crate::support::{Client, Resp, TestApp};

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn desk(client: &Client) -> Value {
    let res = client.get("/api/v1/catalog/review-desk").await;
    res.expect_status(200);
    res.json
}

/// Whether `code` is published for `client` as far as the catalog's public reads go: the
/// entry itself, the search and the JSON export.
async fn seen_published(client: &Client, code: &str, name: &str) -> bool {
    let entry = get(client, code).await;
    let search = client
        .send(
            client
                .request(reqwest::Method::GET, "/api/v1/catalog/entries")
                .query(&[("q", name), ("per_page", "100")]),
        )
        .await;
    search.expect_status(200);
    let export = client.get("/api/v1/catalog/export.json").await;
    export.expect_status(200);
    let found = [
        entry.status == 200 && entry.json["state"] == "published",
        codes(&search.json["entries"]).iter().any(|c| c == code),
        codes(&export.json).iter().any(|c| c == code),
    ];
    assert!(
        found.iter().all(|f| *f) || found.iter().all(|f| !*f),
        "{code}: the entry, the search and the export disagree: {found:?}"
    );
    found[0]
}

async fn batch(reviewer: &Client, codes: &[&str]) -> Resp {
    reviewer
        .post("/api/v1/catalog/batch-approve", json!({ "codes": codes }))
        .await
}

// H8, 《呼和浩特市公共数据管理暂行办法》第八条: "公共管理和服务机构……编制和更新本机构公共数据
// 目录，并报同级公共数据主管部门审核"; "各旗（县、区）公共数据主管部门……组织本行政区域内公共管理
// 和服务机构编制公共数据目录，并报上级公共数据主管部门审核"; the city authority "组织编制全市
// 公共数据目录并报上级公共数据主管部门审核，审核通过后在公共数据平台发布和更新".
// A county agency's entry → the county authority approves → not yet published city-wide, on
// the city's desk with a due date → the city returns it with reasons → the agency corrects and
// resubmits → the county approves → the city approves → published.
pub async fn h8_a_county_entry_is_published_only_after_the_county_and_then_the_city_approve(
    t: TestApp,
) {
    let name = "新城区人口月度统计";
    let agency = t.login("xcq-gaj-admin").await;
    let county = t.login("xcq-reviewer").await;
    let city = t.login("reviewer").await;
    let city_id = t.org_id("市大数据管理局").await;
    let xcq_id = t.org_id("新城区大数据管理局").await;
    let code = create(&agency, open_entry(name)).await;
    submit(&agency, &code).await.expect_status(200);

    // The county authority approves: the entry goes to the city, due 5 working days later.
    let res = approve(&county, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "county_approved", "{}", res.text);
    assert_eq!(res.json["state_zh"], "待市级审核");
    assert_eq!(res.json["reviewer_org_id"], city_id.as_str());
    assert_eq!(res.json["reviewer_org_name"], "市大数据管理局");
    assert_eq!(
        res.json["due_date"], "2025-09-08",
        "5 WD after Monday 2025-09-01"
    );
    assert_eq!(res.json["county_approval"]["org_id"], xcq_id.as_str());
    assert_eq!(res.json["county_approval"]["approved_by"], "xcq-reviewer");
    assert!(res.json["published_revision"].is_null());

    // Not published city-wide: the public, another agency (even through search and the JSON
    // export) and another county do not see it; the agency and both authorities do.
    let anonymous = t.anonymous();
    let other_agency = t.login("mzj-staff").await;
    assert!(!seen_published(&anonymous, &code, name).await);
    assert!(!seen_published(&other_agency, &code, name).await);
    get(&other_agency, &code)
        .await
        .expect_problem(404, "not_found");
    get(&t.login("tzq-reviewer").await, &code)
        .await
        .expect_problem(404, "not_found");
    for client in [&agency, &county, &city] {
        assert_eq!(get(client, &code).await.json["state"], "county_approved");
    }
    // On the city's desk with its due date; the county follows it as reported.
    let d = desk(&city).await;
    let item = d["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code.as_str())
        .expect("on the city's desk");
    assert_eq!(item["state"], "county_approved");
    assert_eq!(item["due_date"], "2025-09-08");
    assert_eq!(item["overdue"], false);
    assert_eq!(
        codes(&desk(&county).await["reported"]),
        std::slice::from_ref(&code)
    );

    // A week later the city has not decided: the review is overdue on its desk.
    t.advance(chrono::Duration::days(8));
    let (agency, county, city) = (
        t.login("xcq-gaj-admin").await,
        t.login("xcq-reviewer").await,
        t.login("reviewer").await,
    );
    let d = desk(&city).await;
    assert_eq!(d["overdue_reviews"], 1);
    assert_eq!(get(&city, &code).await.json["overdue"], true);

    // The city returns it with reasons: back to the agency; the agency and the county see why.
    let reasons = "共享范围应写明到具体单位，请补充后重新报送";
    let res = return_with(&city, &code, reasons).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "returned");
    for client in [&agency, &county] {
        let seen = get(client, &code).await;
        assert_eq!(seen.json["state"], "returned");
        assert_eq!(seen.json["review_reasons"], reasons);
        assert_eq!(seen.json["reviewed_by"], "reviewer");
    }
    assert!(codes(&desk(&city).await["reviews"]).is_empty());
    assert!(codes(&desk(&county).await["reported"]).is_empty());
    approve(&city, &code)
        .await
        .expect_problem(409, "illegal_transition");

    // The agency corrects and resubmits: the county reviews it again from the start.
    edit(
        &agency,
        &code,
        with(open_entry(name), |e| {
            e["share_scope"] = json!("新城区及市直公共管理和服务机构");
        }),
    )
    .await
    .expect_status(200);
    let res = submit(&agency, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "submitted");
    assert_eq!(res.json["reviewer_org_id"], xcq_id.as_str());
    assert!(res.json["county_approval"].is_null());
    approve(&city, &code).await.expect_problem(403, "forbidden");
    let res = approve(&county, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "county_approved");
    assert_eq!(
        res.json["due_date"], "2025-09-16",
        "5 WD after Tuesday 2025-09-09"
    );
    assert!(!seen_published(&anonymous, &code, name).await);

    // The city approves: published city-wide.
    let res = approve(&city, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "published");
    assert_eq!(res.json["published_revision"], 1);
    assert_eq!(res.json["share_scope"], "新城区及市直公共管理和服务机构");
    assert!(seen_published(&anonymous, &code, name).await);
    assert!(seen_published(&t.login("mzj-staff").await, &code, name).await);

    // Every step is in the audit log, and the log still verifies.
    assert_eq!(successes(&t, "forward_entry", &code).await, 2);
    assert_eq!(successes(&t, "return_entry", &code).await, 1);
    assert_eq!(successes(&t, "approve_entry", &code).await, 1);
    let forwarded = t.last_event_of("forward_entry").await;
    assert_eq!(forwarded.actor_name, "xcq-reviewer");
    let payload: Value = serde_json::from_str(&forwarded.payload).expect("a JSON payload");
    assert_eq!(payload["reviewer_org_id"], city_id.as_str());
    assert_eq!(payload["due_date"], "2025-09-16");
    let report = t.verify_chain().await;
    assert!(report.is_intact(), "{report:?}");
}

// H8 (第八条): the county authority reports several of its county's entries to the city at
// once, and the city approves them at once. A batch is all or nothing: an entry that cannot be
// approved is named and nothing in the batch changes.
pub async fn h8_a_county_reports_a_batch_to_the_city_and_the_city_approves_it_at_once(t: TestApp) {
    let gaj = t.login("xcq-gaj-admin").await;
    let mzj = t.login("xcq-mzj-admin").await;
    let county = t.login("xcq-reviewer").await;
    let city = t.login("reviewer").await;
    let a = create(&gaj, entry("新城区批量测试甲")).await;
    let b = create(&gaj, entry("新城区批量测试乙")).await;
    let c = create(&mzj, entry("新城区批量测试丙")).await;
    for code in [&a, &b, &c] {
        submit(if *code == c { &mzj } else { &gaj }, code)
            .await
            .expect_status(200);
    }
    let draft = create(&gaj, entry("新城区批量测试草稿")).await;
    let city_code = create(&t.login("gaj-admin").await, entry("市级批量测试")).await;
    submit(&t.login("gaj-admin").await, &city_code)
        .await
        .expect_status(200);

    // Refused batches change nothing.
    let before = t.audit_count().await;
    batch(&county, &[])
        .await
        .expect_field_error("codes", "required");
    batch(&county, &[&a, &a])
        .await
        .expect_field_error("codes[1]", "duplicate");
    let res = batch(&county, &[&a, &draft]).await;
    res.expect_problem(409, "illegal_transition");
    assert!(
        res.text.contains(&draft),
        "the problem names the entry: {}",
        res.text
    );
    batch(&county, &[&a, &city_code])
        .await
        .expect_problem(404, "not_found");
    assert_eq!(
        t.audit_count().await,
        before + 1,
        "only the denial of the city entry is recorded"
    );
    for code in [&a, &b, &c] {
        assert_eq!(get(&county, code).await.json["state"], "submitted");
    }

    // The county reports the three at once: one request, three events.
    let res = batch(&county, &[&a, &b, &c]).await;
    res.expect_status(200);
    let states: Vec<&str> = res
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["county_approved"; 3]);
    let request_id = res.header("x-request-id").unwrap().to_owned();
    let events = t
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'forward_entry' \
             AND outcome = 'success' AND request_id = '{request_id}'"
        ))
        .await;
    assert_eq!(events, 3);
    let mut on_desk = codes(&desk(&city).await["reviews"]);
    on_desk.sort();
    let mut expected = vec![a.clone(), b.clone(), c.clone(), city_code.clone()];
    expected.sort();
    assert_eq!(on_desk, expected);

    // The county cannot approve them again; the city approves the county's batch.
    batch(&county, &[&a, &b])
        .await
        .expect_problem(403, "forbidden");
    let res = batch(&city, &[&a, &b, &c]).await;
    res.expect_status(200);
    for v in res.json.as_array().unwrap() {
        assert_eq!(v["state"], "published", "{v}");
    }
    for code in [&a, &b, &c] {
        assert_eq!(successes(&t, "approve_entry", code).await, 1);
    }
    assert_eq!(codes(&desk(&city).await["reviews"]), [city_code]);
}

// H8: the review desks in the console — the county authority ticks entries and reports them
// to the city; the city's desk shows them with the county's approval, approves them at once,
// and the entry page says who reviews the entry now.
pub async fn h8_the_console_desks_report_and_approve_a_batch(t: TestApp) {
    let gaj = t.login("xcq-gaj-admin").await;
    let a = create(&gaj, entry("新城区控制台批量甲")).await;
    let b = create(&gaj, entry("新城区控制台批量乙")).await;
    for code in [&a, &b] {
        submit(&gaj, code).await.expect_status(200);
    }
    let county = t.browser_login("xcq-reviewer").await;
    let page = county.get("/catalog/review").await;
    page.expect_status(200);
    assert_chinese_page(&page, "the county's desk");
    assert!(
        page.text.contains("批量审核通过并报市大数据管理局审核"),
        "{}",
        page.text
    );

    // Nothing ticked: the desk again, with the message.
    let res = post_form(&county, "/catalog/review/batch", &[]).await;
    res.expect_status(422);
    assert_chinese_page(&res, "an empty batch");
    assert!(res.text.contains("请至少选择一个条目"), "{}", res.text);

    let res = post_form(
        &county,
        "/catalog/review/batch",
        &[("codes", &a), ("codes", &b)],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text);
    let to = res.header("location").unwrap().to_owned();
    assert!(to.contains("notice=batch_reported"), "{to}");
    let page = county.get(&to).await;
    assert!(
        page.text.contains("已报市大数据管理局审核"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains(&a),
        "the county follows what it reported"
    );

    let city = t.browser_login("reviewer").await;
    let page = city.get("/catalog/review").await;
    assert_chinese_page(&page, "the city's desk");
    assert!(page.text.contains("待市级审核"), "{}", page.text);
    assert!(
        page.text.contains("新城区大数据管理局已于"),
        "{}",
        page.text
    );
    let entry_page = city.get(&format!("/catalog/entries/{a}")).await;
    assert_chinese_page(&entry_page, "a county entry at the city's review");
    assert!(
        entry_page.text.contains("审核通过并发布"),
        "{}",
        entry_page.text
    );
    assert!(entry_page.text.contains("县级审核"), "{}", entry_page.text);

    let res = post_form(
        &city,
        "/catalog/review/batch",
        &[("codes", &a), ("codes", &b)],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert!(
        res.header("location")
            .unwrap()
            .contains("notice=batch_approved")
    );
    for code in [&a, &b] {
        assert_eq!(get(&gaj, code).await.json["state"], "published");
    }
}

// H8 (第八条): the demo city shows a county catalog awaiting the city's review — 新城区民政局's
// entries, reported by 新城区大数据管理局 as one batch, on the city authority's desk with
// their due dates, and followed on the county's desk.
pub async fn h8_the_demo_city_has_a_county_catalog_awaiting_the_citys_review(t: TestApp) {
    gongshu_demo::catalog::seed_catalog(&t.app)
        .await
        .expect("seed the demo catalog");
    let city = desk(&t.login("reviewer").await).await;
    let awaiting: Vec<&Value> = city["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "county_approved")
        .collect();
    assert!(awaiting.len() >= 2, "{city}");
    for r in &awaiting {
        assert_eq!(r["org_name"], "新城区民政局", "{r}");
        assert_eq!(r["county_approval"]["org_name"], "新城区大数据管理局");
        assert_eq!(r["due_date"], "2025-09-08");
    }
    let county = desk(&t.login("xcq-reviewer").await).await;
    assert_eq!(
        county["reported"].as_array().unwrap().len(),
        awaiting.len(),
        "{county}"
    );
    // Not published: the public does not see them.
    for r in &awaiting {
        get(&t.anonymous(), r["code"].as_str().unwrap())
            .await
            .expect_problem(404, "not_found");
    }
}

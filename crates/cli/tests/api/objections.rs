//! Objections and risks that suspend an opening (异议, H27) through the HTTP API: anyone
//! objects with a contact and the dataset's open reads answer 451 from that instant, while the
//! owner and agencies with grants still read; the source verifies and withdraws, restores or
//! re-opens after a new version; the objector follows the case by its receipt number. No row
//! is served to an open reader after the objection commits, with reads running in parallel.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::catalog_fixtures::{edit, get, submit_and_approve, with};
use crate::console_pages::{assert_chinese_page, post_form};
use crate::data::{open_people, people_csv, people_entry, upload};
use crate::support::{Client, TestApp};

fn objection(reason: &str) -> Value {
    json!({
        "reason": reason,
        "contact": "13800138000",
        "name": "张先生",
        "item_code": "qx",
    })
}

fn data(code: &str) -> String {
    format!("/api/v1/entries/{code}/data?limit=5")
}

/// Files an objection to `code` as `client`; the case's receipt number.
async fn object(client: &Client, code: &str) -> String {
    let res = client
        .post(
            &format!("/api/v1/entries/{code}/objections"),
            objection("该数据公开了本人的居住区域，侵害个人隐私"),
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "suspended", "{}", res.text);
    res.json["id"]
        .as_str()
        .expect("a receipt number")
        .to_owned()
}

async fn resolve(client: &Client, id: &str, outcome: &str) -> crate::support::Resp {
    client
        .post(
            &format!("/api/v1/objections/{id}/resolve"),
            json!({ "outcome": outcome, "answer": "经核实，所在区字段为统计口径，不涉及个人住址，恢复开放" }),
        )
        .await
}

// H27 (《呼和浩特市公共数据管理办法》第二十七条): 收到自然人、法人或非法人组织提出异议的，应当
// 立即中止开放并进行核实，根据核实结果分别采取撤回数据、恢复开放或依法处理后开放等措施，相关
// 情况应当向有关自然人、法人或非法人组织及时反馈. An anonymous objection with a contact
// suspends the dataset at once: downloads, pages, aggregates and SQL answer 451 with a problem
// body, its catalog page says so, refused reads are audited; the owner still reads; the source
// sees the objector's contact, the objector (by receipt number) does not see others'; the
// source restores it with an answer the objector then reads, and the data is open again.
pub async fn h27_an_objection_suspends_the_opening_at_once_until_the_source_restores_it(
    t: TestApp,
) {
    let code = open_people(&t).await;
    let public = t.anonymous();
    public.get(&data(&code)).await.expect_status(200);
    let path = format!("/api/v1/entries/{code}/objections");

    // A contact and a reason are required, and a named item must be the entry's; nothing is
    // recorded for a refused objection.
    let no_contact = json!({ "reason": "侵害隐私", "contact": " " });
    public
        .post(&path, no_contact)
        .await
        .expect_problem(422, "invalid_input")
        .expect_field_error("contact", "required");
    let bad = json!({ "reason": "侵害隐私", "contact": "请打电话" });
    public
        .post(&path, bad)
        .await
        .expect_field_error("contact", "bad_contact");
    let no_item = json!({ "reason": "侵害隐私", "contact": "13800138000", "item_code": "zz" });
    public
        .post(&path, no_item)
        .await
        .expect_field_error("item_code", "unknown_item");
    public
        .post("/api/v1/entries/NOPE/objections", objection("x"))
        .await
        .expect_problem(404, "not_found");
    assert_eq!(t.count("SELECT COUNT(*) FROM open_objections").await, 0);
    public.get(&data(&code)).await.expect_status(200);

    let id = object(&public, &code).await;
    let event = t.last_event_of("file_objection").await;
    assert_eq!(event.target_id, code);
    assert_eq!(event.actor_name, "anonymous");
    assert!(!event.payload.contains("13800138000"), "{}", event.payload);

    // Every open read is refused from now on, with a problem body saying why.
    for url in [
        data(&code),
        format!("/api/v1/entries/{code}/data?format=csv"),
        format!("/api/v1/entries/{code}/data/aggregate?group_by=qx&measures=count"),
    ] {
        let res = public.get(&url).await;
        res.expect_problem(451, "opening_suspended");
        assert!(
            res.json["message"]["zh"]
                .as_str()
                .unwrap()
                .contains("中止开放")
        );
    }
    // An agency without a grant reads as the public does; the owner still reads, to verify.
    let mzj = t.login("mzj-admin").await;
    mzj.get(&data(&code))
        .await
        .expect_problem(451, "opening_suspended");
    let sql = json!({ "sql": format!("SELECT COUNT(*) FROM \"{code}\"") });
    mzj.post("/api/v1/sql", sql)
        .await
        .expect_problem(451, "opening_suspended");
    let gaj = t.login("gaj-admin").await;
    gaj.get(&data(&code)).await.expect_status(200);
    let page = get(&public, &code).await;
    page.expect_status(200);
    assert_eq!(page.json["opening"]["state"], "suspended", "{}", page.text);
    assert_eq!(page.json["opening"]["kind"], "objection");
    let refused = t
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied' AND target_id = '{code}' \
             AND payload LIKE '%opening_suspended%'"
        ))
        .await;
    assert!(refused >= 5, "refused open reads are audited: {refused}");

    // The objector follows the case by its receipt number without seeing anyone's contact;
    // the source sees who objected and how to reach them.
    let receipt = public.get(&format!("/api/v1/objections/{id}")).await;
    receipt.expect_status(200);
    assert_eq!(receipt.json["state"], "suspended");
    assert_eq!(receipt.json["contact"], Value::Null);
    assert_eq!(receipt.json["objector_name"], Value::Null);
    let listed = gaj.get("/api/v1/objections?pending=true").await;
    listed.expect_status(200);
    let case = &listed.json["cases"][0];
    assert_eq!(case["id"], id.as_str(), "{}", listed.text);
    assert_eq!(case["contact"], "13800138000");
    assert_eq!(case["item_code"], "qx");
    let notified = t
        .count(&format!(
            "SELECT COUNT(*) FROM notifications WHERE subject_id = '{id}' AND kind = 'opening_case'"
        ))
        .await;
    assert_eq!(notified, 1, "the source agency is notified");

    // Only the source's admin ends the case, with an answer; it ends once.
    let staff = t.login("gaj-staff").await;
    resolve(&staff, &id, "restore")
        .await
        .expect_problem(403, "forbidden");
    resolve(&t.login("mzj-admin").await, &id, "restore")
        .await
        .expect_problem(403, "forbidden");
    gaj.post(
        &format!("/api/v1/objections/{id}/resolve"),
        json!({ "outcome": "restore", "answer": "" }),
    )
    .await
    .expect_field_error("answer", "required");
    gaj.post(
        &format!("/api/v1/objections/{id}/resolve"),
        json!({ "outcome": "delete", "answer": "x" }),
    )
    .await
    .expect_field_error("outcome", "bad_outcome");
    public.get(&data(&code)).await.expect_status(451);
    let restored = resolve(&gaj, &id, "restore").await;
    restored.expect_status(200);
    assert_eq!(restored.json["state"], "restored", "{}", restored.text);
    resolve(&gaj, &id, "withdraw")
        .await
        .expect_problem(409, "case_resolved");
    public.get(&data(&code)).await.expect_status(200);
    assert_eq!(get(&public, &code).await.json["opening"], Value::Null);
    let told = public.get(&format!("/api/v1/objections/{id}")).await;
    assert_eq!(told.json["state"], "restored");
    assert!(told.json["answer"].as_str().unwrap().contains("恢复开放"));
    assert!(
        told.json["feedback_zh"]
            .as_str()
            .unwrap()
            .contains("13800138000"),
        "{}",
        told.text
    );
    t.last_event_of("resolve_opening_case").await;
}

// H27: 数源部门在履职过程中发现开放的公共数据可能危害国家安全、公共利益或者损害他人合法权益
// 的，应当立即中止开放. The source flags a risk (another agency cannot, nor its staff): the
// opening is suspended; a re-opening needs a version uploaded after the case; a withdrawal
// takes the entry off the open list — the public neither finds nor reads it, staff still see
// it — until a new catalog revision is published.
pub async fn h27_a_risk_is_flagged_by_the_source_and_ends_in_reopening_or_withdrawal(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    let public = t.anonymous();
    let path = format!("/api/v1/entries/{code}/opening-risks");
    let risk = json!({ "reason": "发现个别记录含有未脱敏的联系电话，可能损害他人合法权益" });
    for other in ["mzj-admin", "gaj-staff", "reviewer"] {
        t.login(other)
            .await
            .post(&path, risk.clone())
            .await
            .expect_problem(403, "forbidden");
    }
    public
        .post(&path, risk.clone())
        .await
        .expect_problem(401, "unauthenticated");
    let res = gaj.post(&path, risk.clone()).await;
    res.expect_status(201);
    assert_eq!(res.json["kind"], "risk");
    let id = res.json["id"].as_str().unwrap().to_owned();
    public
        .get(&data(&code))
        .await
        .expect_problem(451, "opening_suspended");

    // Re-opening after processing needs the processed data as a new version first.
    resolve(&gaj, &id, "reopen")
        .await
        .expect_problem(409, "no_new_version");
    t.advance(chrono::Duration::minutes(20));
    upload(&gaj, &code, people_csv()).await;
    let reopened = resolve(&gaj, &id, "reopen").await;
    reopened.expect_status(200);
    assert_eq!(reopened.json["state"], "reopened");
    assert_eq!(reopened.json["version"], 2);
    public.get(&data(&code)).await.expect_status(200);

    // A withdrawal: the entry leaves the open list.
    let id = gaj.post(&path, risk).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    resolve(&gaj, &id, "withdraw").await.expect_status(200);
    public
        .get(&data(&code))
        .await
        .expect_problem(404, "not_found");
    get(&public, &code).await.expect_problem(404, "not_found");
    let search = public
        .get(&format!(
            "/api/v1/catalog/entries?q={}",
            "社区服务人员名录测试"
        ))
        .await;
    search.expect_status(200);
    assert!(
        !search.text.contains(&code),
        "a withdrawn entry is not in the public search: {}",
        search.text
    );
    public
        .post(
            &format!("/api/v1/entries/{code}/objections"),
            objection("仍然公开"),
        )
        .await
        .expect_problem(404, "not_found");
    let staff_view = get(&t.login("mzj-admin").await, &code).await;
    staff_view.expect_status(200);
    assert_eq!(staff_view.json["opening"]["state"], "withdrawn");

    // A new revision, published after review, opens it again.
    let body = with(people_entry(), |e| {
        e["summary"] = json!("经核实处理后重新开放的社区服务人员名录");
        e["change_note"] = json!("核实处理后重新开放");
    });
    edit(&gaj, &code, body).await.expect_status(200);
    submit_and_approve(&gaj, &t.login("reviewer").await, &code).await;
    public.get(&data(&code)).await.expect_status(200);
    assert_eq!(get(&public, &code).await.json["opening"], Value::Null);
}

// H27: "立即中止开放" — no open reader gets a row once the objection is on record. Eight
// anonymous readers page through the dataset without pause while an objection is filed:
// every read sent after the objection's answer is refused, and in the audit log no open read
// succeeds after the objection's event (the read's event is written under the same lock and
// re-checks the opening).
pub async fn h27_no_row_is_served_after_the_objection_commits_with_reads_in_parallel(t: TestApp) {
    let code = open_people(&t).await;
    let stop = Arc::new(AtomicBool::new(false));
    // Reads sent after the objection's answer, counted so the test waits for enough of them
    // however slow the machine is.
    let committed: Arc<std::sync::OnceLock<Instant>> = Arc::new(std::sync::OnceLock::new());
    let after = Arc::new(AtomicUsize::new(0));
    let before = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for _ in 0..8 {
        let client = t.anonymous();
        let url = data(&code);
        let (stop, committed, after, before) = (
            stop.clone(),
            committed.clone(),
            after.clone(),
            before.clone(),
        );
        readers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let res = client.get(&url).await;
                assert!(res.status < 500, "{}", res.text);
                match committed.get() {
                    Some(at) if sent >= *at => {
                        assert_eq!(
                            res.status, 451,
                            "a read sent after the objection: {}",
                            res.text
                        );
                        after.fetch_add(1, Ordering::Relaxed);
                    }
                    _ if res.status == 200 => {
                        before.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while before.load(Ordering::Relaxed) < 8 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let id = object(&t.anonymous(), &code).await;
    committed.set(Instant::now()).expect("set once");
    while after.load(Ordering::Relaxed) < 16 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.expect("a reader");
    }
    let (before, after) = (
        before.load(Ordering::Relaxed),
        after.load(Ordering::Relaxed),
    );
    assert!(
        before >= 8 && after >= 16,
        "reads before {before}, after {after}"
    );
    let objected = t
        .count(&format!(
            "SELECT seq FROM audit_events WHERE action = 'file_objection' AND target_id = '{code}'"
        ))
        .await;
    let served_after = t
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE outcome = 'success' AND \
             action IN ('read_data', 'export_data') AND target_id LIKE '{code}/v%' \
             AND seq > {objected}"
        ))
        .await;
    assert_eq!(served_after, 0, "open reads recorded after the objection");
    assert!(!id.is_empty());
}

// H27 and hardening: an objection suspends open data at once, so an anonymous crowd behind
// one address must not be able to switch the city's open data off: five objections an hour
// from one address, then 429 with Retry-After; another address still objects.
pub async fn h27_objections_from_one_address_are_limited(t: TestApp) {
    let code = open_people(&t).await;
    let base = t.behind_proxy().await;
    let crowd = Client::at(&base).coming_from("203.0.113.9");
    for _ in 0..5 {
        object(&crowd, &code).await;
    }
    let res = crowd
        .post(
            &format!("/api/v1/entries/{code}/objections"),
            objection("再次异议"),
        )
        .await;
    res.expect_problem(429, "too_many_objections");
    let wait: u64 = res
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    object(&Client::at(&base).coming_from("198.51.100.7"), &code).await;
    assert_eq!(t.count("SELECT COUNT(*) FROM open_objections").await, 6);
}

// H27: a download that began before the objection does not run on to its end. A reader
// starts a CSV download of a large open dataset and stops reading; an objection is filed;
// when the reader goes on, the body is cut (the opening is re-checked while it streams) and
// the delivery is recorded as incomplete.
pub async fn h27_a_download_in_progress_is_cut_when_the_opening_is_suspended(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = crate::catalog_fixtures::publish(&gaj, &reviewer, people_entry()).await;
    let rows = 150_000;
    let mut csv = String::from("xm,sfzh,qx,nl,je\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "张伟,{},新城区,{},{}.50\n",
            crate::support::citizen_id(i),
            20 + i % 40,
            100 + i
        ));
    }
    let full = csv.len();
    upload(&gaj, &code, csv).await;
    let reader = t.anonymous();
    let url = format!("/api/v1/entries/{code}/data?format=csv");
    let mut res = reader
        .request(reqwest::Method::GET, &url)
        .send()
        .await
        .expect("a response");
    assert_eq!(res.status(), 200);
    let mut received = res
        .chunk()
        .await
        .expect("a first chunk")
        .map_or(0, |c| c.len());
    object(&t.anonymous(), &code).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cut = loop {
        match res.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    assert!(
        cut && received < full,
        "the download ran on after the objection: {received} of about {full} bytes"
    );
    // The delivery's closing event is written on its own task once the body is dropped.
    let mut incomplete = 0;
    for _ in 0..50 {
        incomplete = t
            .count(&format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'deliver_data' AND \
                 target_id LIKE '{code}/v%' AND payload LIKE '%\"complete\":false%'"
            ))
            .await;
        if incomplete > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(incomplete, 1, "the cut delivery is recorded as incomplete");
}

// H27 in the console: a visitor objects on the dataset's own form (no login), lands on the
// receipt page with its number, and the entry page says the opening is suspended; the source's
// admin sees the case under 开放异议 with the contact and ends it on the case page; the visitor's
// receipt then shows the answer. A form with a bad contact comes back with the message and
// nothing recorded.
pub async fn h27_a_visitor_objects_and_the_source_answers_in_the_console(t: TestApp) {
    let code = open_people(&t).await;
    let visitor = t.browser();
    let form = format!("/catalog/entries/{code}/objection");
    let page = visitor.get(&form).await;
    page.expect_status(200);
    assert_chinese_page(&page, "the objection form");
    assert!(
        page.text.contains(r#"<label for="contact">"#),
        "{}",
        page.text
    );
    let bad = post_form(
        &visitor,
        &form,
        &[
            ("reason", "侵害隐私"),
            ("contact", "找我"),
            ("item_code", ""),
        ],
    )
    .await;
    bad.expect_status(422);
    assert!(bad.text.contains("联系方式应为"), "{}", bad.text);
    assert_eq!(t.count("SELECT COUNT(*) FROM open_objections").await, 0);

    let filed = post_form(
        &visitor,
        &form,
        &[
            ("reason", "名录中含有本人信息，要求核实"),
            ("contact", "zhang@example.com"),
            ("name", "张先生"),
            ("item_code", "xm"),
        ],
    )
    .await;
    filed.expect_status(303);
    let receipt_path = filed.header("location").expect("a redirect").to_owned();
    let receipt = visitor.get(&receipt_path).await;
    receipt.expect_status(200);
    assert_chinese_page(&receipt, "the receipt");
    assert!(receipt.text.contains("异议已受理"), "{}", receipt.text);
    assert!(!receipt.text.contains("zhang@example.com"));
    let entry = visitor.get(&format!("/catalog/entries/{code}")).await;
    assert!(entry.text.contains("已立即中止开放"), "{}", entry.text);

    let gaj = t.browser_login("gaj-admin").await;
    let list = gaj.get("/objections").await;
    list.expect_status(200);
    assert_chinese_page(&list, "the source's cases");
    assert!(list.text.contains(&code), "{}", list.text);
    let id = receipt_path
        .trim_start_matches("/objections/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let case = gaj.get(&format!("/objections/{id}")).await;
    assert!(case.text.contains("zhang@example.com"), "{}", case.text);
    assert!(case.text.contains("核实并办结"), "{}", case.text);
    let done = post_form(
        &gaj,
        &format!("/objections/{id}/resolve"),
        &[("outcome", "withdraw"), ("answer", "经核实已撤回该数据")],
    )
    .await;
    done.expect_status(303);
    let told = visitor.get(&format!("/objections/{id}")).await;
    assert!(told.text.contains("经核实已撤回该数据"), "{}", told.text);
    assert!(told.text.contains("已撤回数据"), "{}", told.text);
}

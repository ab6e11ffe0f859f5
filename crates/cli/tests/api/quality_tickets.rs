//! Quality tickets (质量问题工单, issue 13 item 4; H11, H12, B11, B17, H13): findings addressed
//! to the providing agency — a version committed with failed rules, data overdue for an
//! update, a report by a staff user or the operator, a disagreement with an element's source
//! department — answered with a correction or an explanation within five working days, closed
//! or reopened by the provider's authority, which sees the unanswered ones once overdue.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::catalog_fixtures::{entry, publish, successes, with};
use crate::quality::{add_usual_rules, citizen_id, published_entry, upload};
use crate::support::{Client, Resp, TestApp};

fn tickets_of(res: &Resp) -> Vec<Value> {
    res.expect_status(200);
    res.json["tickets"].as_array().expect("tickets").clone()
}

async fn entry_tickets(client: &Client, code: &str) -> Vec<Value> {
    tickets_of(
        &client
            .get(&format!("/api/v1/quality-tickets?entry={code}"))
            .await,
    )
}

async fn report(client: &Client, code: &str, body: Value) -> Resp {
    client
        .post(&format!("/api/v1/entries/{code}/quality-tickets"), body)
        .await
}

fn ticket_path(id: &str, step: &str) -> String {
    format!("/api/v1/quality-tickets/{id}/{step}")
}

/// A CSV of the usual test entry (see `quality::published_entry`): every row valid except
/// that `bad` of the `rows` rows give a sex outside the item's enumeration.
fn csv(rows: u32, bad: u32, seq_from: u32) -> String {
    let mut out = String::from("公民身份号码,姓名,性别,年龄,登记日期\n");
    for n in 0..rows {
        let sex = if n < bad { "未知" } else { "男" };
        out.push_str(&format!(
            "{},张三,{sex},30,2024-03-01\n",
            citizen_id("19800101", seq_from + n)
        ));
    }
    out
}

// H11: 公共管理和服务机构应当……对本机构公共数据开展数据治理，提升数据质量。
// B17: 加强数据质量事前、事中和事后的监督检查……由市大数据主管部门组织公共数据提供单位进行整改。
// A version committed with failed rules (validity 94, below 95: three of ten sexes outside the
// enumeration) opens a ticket to the provider at once, with its evidence — the dimension, the
// item's counts, the worst rows by number and never a value — due in five working days, audited
// and notified. A second failing version while it is active opens none. The provider answers
// with a new version that fixes it (an older version is no correction), the authority closes
// it; only the provider answers and only its authority closes. A held version is no finding
// until it is confirmed.
pub async fn h11_b17_a_version_with_failed_rules_opens_a_ticket_closed_after_a_correction(
    t: TestApp,
) {
    let code = published_entry(&t, "质量工单规则测试").await;
    let gaj = t.login("gaj-admin").await;
    add_usual_rules(&gaj, &code).await;
    upload(&gaj, &code, "filename=v1.csv", csv(10, 3, 1))
        .await
        .expect_status(201);

    let listed = entry_tickets(&gaj, &code).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let ticket = &listed[0];
    let id = ticket["id"].as_str().unwrap().to_owned();
    assert_eq!(ticket["kind"], "failed_rules");
    assert_eq!(ticket["state"], "open");
    assert_eq!(ticket["org_name"], "市公安局");
    assert_eq!(ticket["version"], 1);
    assert_eq!(ticket["due_date"], "2025-09-08", "five working days");
    assert_eq!(ticket["overdue"], false);
    assert!(
        ticket["summary"].as_str().unwrap().contains("有效性"),
        "{ticket}"
    );
    let evidence = &ticket["evidence"];
    assert_eq!(evidence["kind"], "failed_rules");
    assert_eq!(evidence["shortfalls"], json!(["validity"]));
    let xb = evidence["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "xb")
        .expect("the failing item");
    assert_eq!(xb["not_in_enum"], 3);
    let rows: Vec<u64> = evidence["worst_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [1, 2, 3]);
    let shown = gaj.get(&format!("/api/v1/quality-tickets/{id}")).await;
    shown.expect_status(200);
    assert!(
        !shown.text.contains(&citizen_id("19800101", 1)) && !shown.text.contains("未知"),
        "evidence names rows and rules, never values: {}",
        shown.text
    );
    assert_eq!(successes(&t, "open_quality_ticket", &id).await, 1);
    let event = t.last_event_of("open_quality_ticket").await;
    assert_eq!(event.actor_name, "system");
    let notes = gaj.get("/api/v1/notifications").await;
    assert_eq!(
        notes.json["notifications"][0]["subject_kind"],
        "quality_ticket"
    );
    assert_eq!(notes.json["notifications"][0]["subject_id"], id.as_str());

    // Another failing version: the finding is already held by the active ticket.
    upload(&gaj, &code, "filename=v2.csv", csv(10, 3, 20))
        .await
        .expect_status(201);
    assert_eq!(entry_tickets(&gaj, &code).await.len(), 1);

    // Nobody outside the provider and its authority learns the ticket exists.
    for outsider in ["mzj-admin", "xcq-reviewer"] {
        let other = t.login(outsider).await;
        other
            .get(&format!("/api/v1/quality-tickets/{id}"))
            .await
            .expect_problem(404, "not_found");
        assert!(entry_tickets(&other, &code).await.is_empty());
    }
    let reviewer = t.login("reviewer").await;
    reviewer
        .post(
            &ticket_path(&id, "answer"),
            json!({ "answer": "explanation", "note": "数据无误" }),
        )
        .await
        .expect_problem(403, "forbidden");
    reviewer
        .post(&ticket_path(&id, "close"), json!({}))
        .await
        .expect_problem(409, "illegal_transition");

    // A correction must name a version in force after the ticket was opened.
    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "correction" }),
    )
    .await
    .expect_field_error("version", "required");
    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "correction", "version": 1 }),
    )
    .await
    .expect_field_error("version", "not_a_correction");
    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "correction", "version": 9 }),
    )
    .await
    .expect_field_error("version", "unknown_version");
    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "refusal", "note": "x" }),
    )
    .await
    .expect_field_error("answer", "unknown_value");

    let fixed = upload(&gaj, &code, "filename=v3.csv", csv(10, 0, 40)).await;
    fixed.expect_status(201);
    assert_eq!(fixed.json["quality"]["validity"], 100.0, "{}", fixed.text);
    let answered = gaj
        .post(
            &ticket_path(&id, "answer"),
            json!({ "answer": "correction", "version": 3, "note": "性别已按字典值更正" }),
        )
        .await;
    answered.expect_status(200);
    assert_eq!(answered.json["state"], "corrected");
    assert_eq!(answered.json["fixed_version"], 3);
    assert_eq!(successes(&t, "answer_quality_ticket", &id).await, 1);
    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "explanation", "note": "再答一次" }),
    )
    .await
    .expect_problem(409, "illegal_transition");
    gaj.post(&ticket_path(&id, "close"), json!({}))
        .await
        .expect_problem(403, "forbidden");
    t.login("xcq-reviewer")
        .await
        .post(&ticket_path(&id, "close"), json!({}))
        .await
        .expect_problem(404, "not_found");

    let closed = reviewer
        .post(
            &ticket_path(&id, "close"),
            json!({ "note": "第3版有效性100分，整改到位" }),
        )
        .await;
    closed.expect_status(200);
    assert_eq!(closed.json["state"], "closed");
    let steps: Vec<&str> = closed.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["open", "correct", "close"]);
    assert_eq!(successes(&t, "close_quality_ticket", &id).await, 1);
    let closed_list = tickets_of(
        &gaj.get(&format!(
            "/api/v1/quality-tickets?entry={code}&state=closed"
        ))
        .await,
    );
    assert_eq!(closed_list.len(), 1);
    assert!(
        tickets_of(
            &gaj.get(&format!("/api/v1/quality-tickets?entry={code}&state=open"))
                .await
        )
        .is_empty()
    );
    gaj.get("/api/v1/quality-tickets?state=lost")
        .await
        .expect_field_error("state", "unknown_value");

    // Closed, the finding may be found again: the next failing version opens a new ticket.
    upload(&gaj, &code, "filename=v4.csv", csv(10, 5, 60))
        .await
        .expect_status(201);
    let again = entry_tickets(&gaj, &code).await;
    assert_eq!(again.len(), 2);
    assert_eq!(
        (again[0]["state"].as_str(), again[0]["version"].as_i64()),
        (Some("open"), Some(4))
    );

    // A held version is no finding until its owner confirms it as the current one.
    let held = published_entry(&t, "质量工单待确认测试").await;
    add_usual_rules(&gaj, &held).await;
    upload(&gaj, &held, "filename=v1.csv", csv(10, 0, 100))
        .await
        .expect_status(201);
    let small = upload(&gaj, &held, "filename=v2.csv", csv(4, 2, 200)).await;
    small.expect_status(201);
    assert_eq!(small.json["state"], "held", "{}", small.text);
    assert!(entry_tickets(&gaj, &held).await.is_empty());
    gaj.post(
        &format!("/api/v1/entries/{held}/versions/2/confirm"),
        json!({}),
    )
    .await
    .expect_status(200);
    let confirmed = entry_tickets(&gaj, &held).await;
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0]["version"], 2);
}

// H11: ……以数据使用单位的用数需求为导向，对本机构公共数据开展数据治理。
// B17: 运营单位应当……及时向市大数据主管部门反馈数据质量问题。
// Any staff user reports a problem on a published entry (the item and the rows by number):
// a ticket to the provider, which the reporter sees and nobody else outside. The same person's
// second report on the same item while the first is active is refused; the operator's report
// is marked as its feedback. The provider explains; the authority reopens it with a reason (a
// new due date), the provider answers again and the authority closes it; the reporter's
// organisation is told.
pub async fn h11_b17_a_user_report_opens_a_ticket_answered_reopened_and_closed(t: TestApp) {
    let code = published_entry(&t, "用户报告测试").await;
    let gaj = t.login("gaj-admin").await;
    upload(&gaj, &code, "filename=v1.csv", csv(5, 0, 1))
        .await
        .expect_status(201);
    assert!(
        entry_tickets(&gaj, &code).await.is_empty(),
        "a clean version"
    );

    let mzj = t.login("mzj-staff").await;
    report(&mzj, &code, json!({ "description": "  " }))
        .await
        .expect_field_error("description", "required");
    report(
        &mzj,
        &code,
        json!({ "description": "姓名有误", "item_code": "dh" }),
    )
    .await
    .expect_field_error("item_code", "unknown_item");
    report(
        &mzj,
        &code,
        json!({ "description": "姓名有误", "rows": [6] }),
    )
    .await
    .expect_field_error("rows", "out_of_range");
    let res = report(
        &mzj,
        &code,
        json!({ "description": "第2、4行姓名与婚姻登记记录不一致", "item_code": "xm", "rows": [4, 2, 4] }),
    )
    .await;
    res.expect_status(201);
    let id = res.json["id"].as_str().unwrap().to_owned();
    assert_eq!(res.json["kind"], "report");
    assert_eq!(res.json["state"], "open");
    assert_eq!(res.json["reported_by"], "mzj-staff");
    assert_eq!(res.json["reporter_org_name"], "市民政局");
    assert_eq!(res.json["version"], 1);
    assert_eq!(
        res.json["evidence"],
        json!({ "kind": "report", "item_code": "xm", "version": 1, "rows": [2, 4], "by_operator": false })
    );
    let event = t.last_event_of("open_quality_ticket").await;
    assert_eq!(
        (event.actor_name.as_str(), event.target_id.as_str()),
        ("mzj-staff", id.as_str())
    );
    report(
        &mzj,
        &code,
        json!({ "description": "再报一次", "item_code": "xm" }),
    )
    .await
    .expect_problem(409, "duplicate_ticket");

    let operator = t.login("operator").await;
    let fed_back = report(
        &operator,
        &code,
        json!({ "description": "产品对账发现性别字段与实际不符", "item_code": "xb" }),
    )
    .await;
    fed_back.expect_status(201);
    assert_eq!(fed_back.json["evidence"]["by_operator"], true);
    assert!(
        fed_back.json["summary"]
            .as_str()
            .unwrap()
            .starts_with("运营单位反馈")
    );
    t.login("public-person")
        .await
        .post(
            &format!("/api/v1/entries/{code}/quality-tickets"),
            json!({ "description": "x" }),
        )
        .await
        .expect_problem(403, "forbidden");

    // Who sees it: the reporter (only theirs), the provider, its authority.
    let mine = tickets_of(&mzj.get("/api/v1/quality-tickets").await);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["id"], id.as_str());
    assert_eq!(entry_tickets(&gaj, &code).await.len(), 2);
    let rsj = t.login("rsj-admin").await;
    rsj.get(&format!("/api/v1/quality-tickets/{id}"))
        .await
        .expect_problem(404, "not_found");
    mzj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "explanation", "note": "x" }),
    )
    .await
    .expect_problem(403, "forbidden");

    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "explanation" }),
    )
    .await
    .expect_field_error("note", "required");
    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "explanation", "note": "x", "version": 1 }),
    )
    .await
    .expect_field_error("version", "not_allowed");
    let explained = gaj
        .post(
            &ticket_path(&id, "answer"),
            json!({ "answer": "explanation", "note": "经核对，户籍登记姓名与身份证件一致" }),
        )
        .await;
    explained.expect_status(200);
    assert_eq!(explained.json["state"], "explained");

    let reviewer = t.login("reviewer").await;
    reviewer
        .post(&ticket_path(&id, "reopen"), json!({ "note": "" }))
        .await
        .expect_field_error("note", "required");
    t.advance(chrono::Duration::days(2));
    let reviewer = t.login("reviewer").await;
    let reopened = reviewer
        .post(
            &ticket_path(&id, "reopen"),
            json!({ "note": "请与民政部门逐条核对第2、4行" }),
        )
        .await;
    reopened.expect_status(200);
    assert_eq!(reopened.json["state"], "open");
    assert_eq!(
        reopened.json["due_date"], "2025-09-10",
        "five working days from the reopening"
    );
    assert_eq!(successes(&t, "reopen_quality_ticket", &id).await, 1);

    let (gaj, mzj) = (t.login("gaj-admin").await, t.login("mzj-staff").await);
    gaj.post(
        &ticket_path(&id, "answer"),
        json!({ "answer": "explanation", "note": "已与民政部门核对，民政记录录入有误，已告知对方更正" }),
    )
    .await
    .expect_status(200);
    let closed = reviewer.post(&ticket_path(&id, "close"), json!({})).await;
    closed.expect_status(200);
    let steps: Vec<&str> = closed.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["open", "explain", "reopen", "explain", "close"]);
    let told = mzj.get("/api/v1/notifications").await;
    assert!(
        told.json["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["subject_id"] == id.as_str() && n["kind"] == "quality_ticket"),
        "{}",
        told.text
    );
    // Closed, the reporter may report on the item again.
    report(
        &mzj,
        &code,
        json!({ "description": "第5行姓名仍有误", "item_code": "xm", "rows": [5] }),
    )
    .await
    .expect_status(201);
}

// H12: 公共管理和服务机构应当按照公共数据目录中的更新频率……进行更新。
// B17: ……由市大数据主管部门组织公共数据提供单位进行整改。
// Data older than its update frequency allows opens a ticket when the checks run (once per
// version that went stale, however often they run, and not while the entry's ticket for an
// earlier stale version is active). A ticket unanswered past its due date is
// on the overdue list of the provider's authority — the county authority for a county agency,
// the city authority over the whole city — and of the provider itself, not of another
// county's authority; others are refused. An answer takes it off the list.
pub async fn h12_b17_stale_data_opens_a_ticket_and_unanswered_ones_are_overdue_to_the_authority(
    t: TestApp,
) {
    let county = t.login("xcq-gaj-admin").await;
    let county_reviewer = t.login("xcq-reviewer").await;
    let code = publish(&county, &county_reviewer, entry("新城区更新频率测试")).await;
    upload(
        &county,
        &code,
        "filename=v1.csv",
        format!("姓名,公民身份号码\n张三,{}\n", citizen_id("19800101", 1)),
    )
    .await
    .expect_status(201);
    let run = gongshu_app::quality::tickets::run_quality_checks(&t.app)
        .await
        .unwrap();
    assert!(
        entry_tickets(&county, &code).await.is_empty(),
        "fresh data: {run:?}"
    );

    // Daily data, two days later: overdue for an update.
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 3, 1, 0, 0).unwrap());
    let run = gongshu_app::quality::tickets::run_quality_checks(&t.app)
        .await
        .unwrap();
    assert!(run.opened >= 1, "{run:?}");
    let again = gongshu_app::quality::tickets::run_quality_checks(&t.app)
        .await
        .unwrap();
    assert_eq!(again.opened, 0, "one ticket per stale version");
    let county = t.login("xcq-gaj-admin").await;
    let listed = entry_tickets(&county, &code).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed[0]["kind"], "overdue_update");
    assert_eq!(listed[0]["evidence"]["last_version"], 1);
    assert_eq!(listed[0]["evidence"]["update_frequency"], "daily");
    assert_eq!(listed[0]["due_date"], "2025-09-10");

    let overdue_ids = |res: Resp| -> Vec<String> {
        tickets_of(&res)
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let county_reviewer = t.login("xcq-reviewer").await;
    let path = "/api/v1/quality-tickets/overdue?per_page=200";
    assert!(!overdue_ids(county_reviewer.get(path).await).contains(&id));

    // The day after the due date: overdue.
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 11, 1, 0, 0).unwrap());
    for (who, sees) in [
        ("xcq-reviewer", true),
        ("reviewer", true),
        ("xcq-gaj-admin", true),
        ("tzq-reviewer", false),
        ("gaj-admin", false),
    ] {
        let ids = overdue_ids(t.login(who).await.get(path).await);
        assert_eq!(ids.contains(&id), sees, "{who}: {ids:?}");
    }
    let shown = t
        .login("xcq-reviewer")
        .await
        .get(&format!("/api/v1/quality-tickets/{id}"))
        .await;
    assert_eq!(shown.json["overdue"], true);
    for refused in ["operator", "auditor"] {
        t.login(refused)
            .await
            .get(path)
            .await
            .expect_problem(403, "forbidden");
    }
    // The county authority judges its county's tickets; another county's may not.
    let county = t.login("xcq-gaj-admin").await;
    county
        .post(
            &ticket_path(&id, "answer"),
            json!({ "answer": "explanation", "note": "数据源系统升级，本周内恢复每日更新" }),
        )
        .await
        .expect_status(200);
    let county_reviewer = t.login("xcq-reviewer").await;
    assert!(!overdue_ids(county_reviewer.get(path).await).contains(&id));
    t.login("tzq-reviewer")
        .await
        .post(&ticket_path(&id, "close"), json!({}))
        .await
        .expect_problem(404, "not_found");
    county_reviewer
        .post(&ticket_path(&id, "close"), json!({ "note": "同意" }))
        .await
        .expect_status(200);
    // The same stale version is not found again once its ticket is closed.
    let after = gongshu_app::quality::tickets::run_quality_checks(&t.app)
        .await
        .unwrap();
    let county = t.login("xcq-gaj-admin").await;
    assert_eq!(entry_tickets(&county, &code).await.len(), 1, "{after:?}");
    // The next version that goes stale is a new finding; the one after it is not, while that
    // finding's ticket is still active.
    let row = |n: u32| format!("姓名,公民身份号码\n张三,{}\n", citizen_id("19800101", n));
    upload(&county, &code, "filename=v2.csv", row(2))
        .await
        .expect_status(201);
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 13, 1, 0, 0).unwrap());
    let checks = || gongshu_app::quality::tickets::run_quality_checks(&t.app);
    assert_eq!(checks().await.unwrap().opened, 1);
    let county = t.login("xcq-gaj-admin").await;
    let listed = entry_tickets(&county, &code).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["evidence"]["last_version"], 2);
    upload(&county, &code, "filename=v3.csv", row(3))
        .await
        .expect_status(201);
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 15, 1, 0, 0).unwrap());
    assert_eq!(checks().await.unwrap().opened, 0);
    let county = t.login("xcq-gaj-admin").await;
    assert_eq!(entry_tickets(&county, &code).await.len(), 2);
}

/// An entry of `agency` holding the household-register element (NP01): the citizen ID keys
/// it, the name is tagged as the element's data.
async fn register_entry(agency: &Client, reviewer: &Client, name: &str) -> String {
    let body = with(entry(name), |e| {
        e["items"] = json!([
            { "code": "sfzh", "name": "公民身份号码", "data_type": "citizen_id", "grade": "general_3", "personal": true, "element_code": "NP01" },
            { "code": "xm", "name": "姓名", "data_type": "text", "grade": "general_3", "personal": true, "element_code": "NP01" },
            { "code": "bz", "name": "备注", "data_type": "text", "grade": "general_3" }
        ]);
    });
    publish(agency, reviewer, body).await
}

// H13: 公共数据主管部门应当按照“一数一源一标准”要求，明确各类公共数据的数源部门。
// H12: ……保证公共数据的完整性、准确性、一致性和时效性。
// The city authority checks an element across sources: another agency's entry holding the
// element is compared with the source department's on the current versions, by citizen ID,
// on the real query engine; rows both hold whose name differs are counted, and a ticket goes
// to the entry that is not the source, with the count and a few keys, masked. Running the
// check again opens no second ticket; only the city authority may run it.
pub async fn h13_h11_the_cross_source_check_files_a_ticket_against_the_non_source_entry(
    t: TestApp,
) {
    let reviewer = t.login("reviewer").await;
    let gaj_org = t.org_id("市公安局").await;
    reviewer
        .put(
            "/api/v1/catalog/elements/NP01/source",
            json!({ "org_id": gaj_org }),
        )
        .await
        .expect_status(204);
    let gaj = t.login("gaj-admin").await;
    let mzj = t.login("mzj-admin").await;
    let source = register_entry(&gaj, &reviewer, "户籍登记（数源）").await;
    let copy = register_entry(&mzj, &reviewer, "婚姻登记当事人（引用户籍）").await;
    let names = [
        "张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十",
    ];
    let id = |n: usize| citizen_id("19800101", n as u32 + 1);
    let mut source_csv = String::from("公民身份号码,姓名,备注\n");
    for (n, name) in names.iter().enumerate() {
        source_csv.push_str(&format!("{},{name},户籍\n", id(n)));
    }
    upload(&gaj, &source, "filename=hj.csv", source_csv)
        .await
        .expect_status(201);
    // Six persons the source holds (three with another name), two it does not, and a blank
    // name, which is incomplete rather than inconsistent.
    let mut copy_csv = String::from("公民身份号码,姓名,备注\n");
    for (n, name) in [
        (0, "张三"),
        (1, "李肆"),
        (2, "王五"),
        (3, "赵陆"),
        (4, "钱七"),
        (5, "孙捌"),
    ] {
        copy_csv.push_str(&format!("{},{name},婚姻\n", id(n)));
    }
    copy_csv.push_str(&format!("{},,婚姻\n", id(6)));
    for n in [20, 21] {
        copy_csv.push_str(&format!("{},某人,婚姻\n", id(n)));
    }
    upload(&mzj, &copy, "filename=hy.csv", copy_csv)
        .await
        .expect_status(201);

    let path = "/api/v1/catalog/elements/NP01/consistency-check";
    gaj.post(path, json!({}))
        .await
        .expect_problem(403, "forbidden");
    let run = reviewer.post(path, json!({})).await;
    run.expect_status(200);
    assert_eq!(run.json["source_org_name"], "市公安局");
    let lines = run.json["lines"].as_array().unwrap();
    assert_eq!(
        lines.len(),
        1,
        "only the entry that is not the source: {lines:?}"
    );
    let line = &lines[0];
    assert_eq!(line["entry_code"], copy.as_str());
    assert_eq!(line["source_entry_code"], source.as_str());
    assert_eq!(line["outcome"], "disagrees");
    assert_eq!(line["items"], json!(["姓名"]));
    assert_eq!(line["compared_rows"], 7);
    assert_eq!(line["disagreeing_rows"], 3);
    assert_eq!(line["ticket_opened"], true);
    assert_eq!(run.json["opened"], 1);
    let ticket_id = line["ticket_id"].as_str().unwrap().to_owned();
    assert_eq!(successes(&t, "check_element_consistency", "NP01").await, 1);

    let ticket = mzj
        .get(&format!("/api/v1/quality-tickets/{ticket_id}"))
        .await;
    ticket.expect_status(200);
    assert_eq!(ticket.json["kind"], "cross_source");
    assert_eq!(ticket.json["org_name"], "市民政局");
    assert_eq!(ticket.json["entry_code"], copy.as_str());
    let evidence = &ticket.json["evidence"];
    assert_eq!(evidence["element_code"], "NP01");
    assert_eq!(evidence["source_entry_code"], source.as_str());
    assert_eq!(evidence["disagreeing_rows"], 3);
    assert_eq!(evidence["compared_rows"], 7);
    let samples: Vec<&str> = evidence["sample_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let masked = |n: usize| {
        let clear = id(n);
        format!("{}{}{}", &clear[..3], "*".repeat(11), &clear[14..])
    };
    assert_eq!(samples, [masked(1), masked(3), masked(5)], "sorted, masked");
    for n in [1, 3, 5] {
        assert!(!ticket.text.contains(&id(n)), "no clear key in the ticket");
    }
    assert!(!ticket.text.contains("李肆"), "no value in the ticket");
    // The source department has no ticket: the finding is against the copy.
    assert!(entry_tickets(&gaj, &source).await.is_empty());

    let again = reviewer.post(path, json!({})).await;
    again.expect_status(200);
    assert_eq!(again.json["lines"][0]["ticket_id"], ticket_id.as_str());
    assert_eq!(again.json["lines"][0]["ticket_opened"], false);
    assert_eq!(again.json["opened"], 0);
    assert_eq!(entry_tickets(&mzj, &copy).await.len(), 1);

    reviewer
        .post("/api/v1/catalog/elements/NP03/consistency-check", json!({}))
        .await
        .expect_problem(409, "element_without_source");
    reviewer
        .post("/api/v1/catalog/elements/XX99/consistency-check", json!({}))
        .await
        .expect_problem(404, "not_found");
}

// H11, B17: the console shows the provider its tickets and the answer form, takes a report
// from the entry page's "报告数据问题" form (a report that needs fixing comes back with what
// was typed), and shows the authority its overdue list.
pub async fn h11_b17_the_console_takes_reports_and_answers_and_lists_overdue_tickets(t: TestApp) {
    let code = published_entry(&t, "控制台工单测试").await;
    let gaj = t.login("gaj-admin").await;
    upload(&gaj, &code, "filename=v1.csv", csv(3, 0, 1))
        .await
        .expect_status(201);
    let staff = t.browser_login("mzj-staff").await;
    let page = staff.get(&format!("/catalog/entries/{code}")).await;
    page.expect_status(200);
    assert!(page.text.contains("报告数据问题"), "{}", page.text);

    let form = |pairs: &[(&str, &str)]| {
        staff
            .request(
                reqwest::Method::POST,
                &format!("/catalog/entries/{code}/quality-tickets"),
            )
            .form(pairs)
    };
    let refused = staff
        .send(form(&[
            ("item_code", "xm"),
            ("rows", "2, x"),
            ("description", "姓名有误"),
        ]))
        .await;
    refused.expect_status(422);
    assert!(refused.text.contains("行号应为正整数"), "{}", refused.text);
    assert!(refused.text.contains("姓名有误"), "what was typed is kept");
    let sent = staff
        .send(form(&[
            ("item_code", "xm"),
            ("rows", "2"),
            ("description", "姓名有误"),
        ]))
        .await;
    sent.expect_status(303);
    let location = sent.header("location").unwrap().to_owned();
    assert!(location.starts_with("/quality/tickets/"), "{location}");
    assert!(location.ends_with("?notice=ticket_reported"), "{location}");
    let id = location
        .trim_start_matches("/quality/tickets/")
        .trim_end_matches("?notice=ticket_reported")
        .to_owned();

    let provider = t.browser_login("gaj-admin").await;
    let list = provider.get("/quality/tickets").await;
    list.expect_status(200);
    assert!(list.text.contains("控制台工单测试"), "{}", list.text);
    let shown = provider.get(&format!("/quality/tickets/{id}")).await;
    shown.expect_status(200);
    assert!(
        shown.text.contains("提交答复"),
        "the provider's answer form"
    );
    let reporter_view = staff.get(&format!("/quality/tickets/{id}")).await;
    assert!(
        !reporter_view.text.contains("提交答复"),
        "not the reporter's"
    );
    let answered = provider
        .send(
            provider
                .request(
                    reqwest::Method::POST,
                    &format!("/quality/tickets/{id}/answer"),
                )
                .form(&[
                    ("answer", "explanation"),
                    ("version", ""),
                    ("note", "已核实无误"),
                ]),
        )
        .await;
    answered.expect_status(303);
    let authority = t.browser_login("reviewer").await;
    let judged = authority.get(&format!("/quality/tickets/{id}")).await;
    assert!(judged.text.contains("确认办结") && judged.text.contains("退回重办"));

    // Reported again after the due date and left unanswered: on the authority's overdue list.
    let res = report(
        &t.login("rsj-staff").await,
        &code,
        json!({ "description": "年龄异常" }),
    )
    .await;
    res.expect_status(201);
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 9, 1, 0, 0).unwrap());
    let authority = t.browser_login("reviewer").await;
    let overdue = authority.get("/quality/tickets/overdue").await;
    overdue.expect_status(200);
    assert!(overdue.text.contains("逾期质量问题工单"));
    assert!(overdue.text.contains("控制台工单测试"), "{}", overdue.text);
    assert!(overdue.text.contains("已逾期"));
}

// H11, B17: the seeded demo city has open quality tickets for its providers to answer — one
// a staff report, one the operator's feedback — and seeding again adds none.
pub async fn h11_b17_the_demo_city_shows_open_quality_tickets(t: TestApp) {
    gongshu_demo::catalog::seed_catalog(&t.app)
        .await
        .expect("seed the demo catalog");
    assert_eq!(
        gongshu_demo::quality::seed_quality(&t.app).await.unwrap(),
        2
    );
    assert_eq!(
        gongshu_demo::quality::seed_quality(&t.app).await.unwrap(),
        0
    );
    let gaj = tickets_of(
        &t.login("gaj-admin")
            .await
            .get("/api/v1/quality-tickets?state=open")
            .await,
    );
    assert_eq!(gaj.len(), 1, "{gaj:?}");
    assert_eq!(gaj[0]["entry_name"], "户籍人口基本信息");
    assert_eq!(gaj[0]["reported_by"], "mzj-staff");
    let city = tickets_of(
        &t.login("reviewer")
            .await
            .get("/api/v1/quality-tickets")
            .await,
    );
    assert_eq!(city.len(), 2);
    assert!(city.iter().any(|t| t["evidence"]["by_operator"] == true));
}

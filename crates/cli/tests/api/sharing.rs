//! Issue 5 (sharing between agencies) through the HTTP API: requests, decisions, grants on
//! every read, expiry at the exact instant, refusals with a legal basis, deadlines over a
//! holiday with reminders and escalation, suspensions (H41).

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::catalog_fixtures::{entry, publish, with};
use crate::data::{ROWS, people_csv, people_entry, upload};
use crate::support::{Client, TestApp, citizen_id};

/// A conditionally shared, not open entry of 市公安局 with five items, two of them masked.
pub(crate) fn conditional_people() -> Value {
    with(people_entry(), |e| {
        e["name"] = json!("有条件共享人员名录测试");
        e["grade"] = json!("general_3");
        e["share_type"] = json!("conditional");
        e["share_conditions"] = json!("仅限民政救助资格核查使用");
        e["share_modes"] = json!(["api_query", "bulk_download", "verification"]);
        e["legal_bases"] =
            json!([{ "law": "中华人民共和国个人信息保护法", "article": "第十三条" }]);
        e["open_type"] = json!("not_open");
        e["not_open_reason"] = json!("privacy");
    })
}

pub(crate) fn ask(code: &str, until: &str) -> Value {
    json!({
        "entry_code": code,
        "items": ["xm", "sfzh", "qx", "nl", "je"],
        "modes": ["api_query"],
        "scenario": "最低生活保障对象资格复核",
        "purpose": "核实低保申请人户籍所在区",
        "using_unit": "市民政局社会救助科",
        "until": until,
        "commitments": { "purpose_bound": true, "no_onward_transfer": true, "security": true }
    })
}

pub(crate) async fn published_with_data(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, conditional_people()).await;
    upload(&gaj, &code, people_csv()).await;
    code
}

pub(crate) async fn request(client: &Client, body: Value) -> String {
    let res = client.post("/api/v1/share-requests", body).await;
    res.expect_status(201);
    res.json["id"].as_str().expect("an id").to_owned()
}

fn data_url(code: &str) -> String {
    format!("/api/v1/entries/{code}/data?limit=500")
}

// H20, H21, H19: A asks for a conditional entry of B; B approves three of five items with a
// row filter until a date; A reads exactly those items and rows, masked where the catalog says;
// the approval cannot be made twice; the read is audited with grant and purpose; at the end
// date's last instant A still reads, one microsecond later it gets 403.
pub async fn h20_h21_an_approved_request_grants_exactly_what_was_approved_until_it_ends(
    t: TestApp,
) {
    let code = published_with_data(&t).await;
    let mzj = t.login("mzj-staff").await;
    let id = request(&mzj, ask(&code, "2025-09-30")).await;
    let view = mzj.get(&format!("/api/v1/share-requests/{id}")).await;
    view.expect_status(200);
    assert_eq!(view.json["state"], "pending");
    let timeline = view.json["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2, "{}", view.text);
    assert_eq!(timeline[1]["kind"], "decide");
    // Monday 2025-09-01 + 5 working days.
    assert_eq!(timeline[1]["due_date"], "2025-09-08");
    // No grant yet: refused with a code.
    mzj.get(&data_url(&code))
        .await
        .expect_problem(403, "no_grant");

    let gaj = t.login("gaj-admin").await;
    let inbox = gaj.get("/api/v1/share-requests?inbox=true").await;
    inbox.expect_status(200);
    assert!(inbox.json.as_array().unwrap().iter().any(|r| r["id"] == id));
    // Staff cannot decide; only the source's admin can.
    t.login("gaj-staff")
        .await
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await
        .expect_status(403);
    let approved = gaj
        .post(
            &format!("/api/v1/share-requests/{id}/approve"),
            json!({ "items": ["xm", "sfzh", "qx"], "until": "2025-09-15", "row_filter": [["qx", "eq.新城区"]] }),
        )
        .await;
    approved.expect_status(200);
    assert_eq!(approved.json["state"], "granted", "{}", approved.text);
    assert_eq!(approved.json["grant"]["status"], "active");
    assert_eq!(approved.json["grant"]["items"], json!(["xm", "sfzh", "qx"]));
    gaj.post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await
        .expect_problem(409, "illegal_transition");

    let res = mzj.get(&data_url(&code)).await;
    res.expect_status(200);
    assert_eq!(res.header("x-gongshu-policy"), Some("grant"));
    let rows = res.json.as_array().unwrap();
    assert_eq!(rows.len(), (0..ROWS).filter(|i| i % 4 == 0).count());
    for r in rows {
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3, "only the approved items: {r}");
        assert_eq!(r["qx"], "新城区", "only the approved rows");
        let id = r["sfzh"].as_str().unwrap();
        assert!(id.contains('*'), "citizen IDs come masked: {id}");
        assert!(r["xm"].as_str().unwrap().contains('*'));
    }
    let event = t.last_event_of("read_data").await;
    let payload: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
    assert_eq!(payload["grant"], approved.json["grant"]["id"], "{payload}");
    assert_eq!(payload["purpose"], "核实低保申请人户籍所在区");
    assert_eq!(payload["rows"], rows.len());
    // What left is on record too: rows and the exact bytes of the body (item 3).
    let delivered = t.delivery_of(&res).await;
    assert_eq!(
        delivered["grant"], approved.json["grant"]["id"],
        "{delivered}"
    );
    assert_eq!(delivered["purpose"], "核实低保申请人户籍所在区");
    assert_eq!(delivered["rows"], rows.len());
    assert_eq!(delivered["bytes"], res.text.len());
    assert_eq!(delivered["complete"], true);
    // A mode that was not granted (bulk download) is refused.
    mzj.get(&format!("/api/v1/entries/{code}/data?format=csv"))
        .await
        .expect_problem(403, "no_grant");
    // SQL through the grant sees the same view.
    let sql = mzj
        .post(
            "/api/v1/sql",
            json!({ "sql": format!("SELECT count(*) AS n, count(DISTINCT qx) AS d FROM \"{code}\"") }),
        )
        .await;
    sql.expect_status(200);
    assert_eq!(sql.json[0]["d"], 1, "{}", sql.text);

    // The grant ends at midnight (China time) after 2025-09-15.
    let end = Utc.with_ymd_and_hms(2025, 9, 15, 16, 0, 0).unwrap();
    t.set_now(end - chrono::Duration::microseconds(1));
    let mzj = t.login("mzj-staff").await;
    mzj.get(&data_url(&code)).await.expect_status(200);
    t.set_now(end);
    mzj.get(&data_url(&code))
        .await
        .expect_problem(403, "no_grant");
    let grants = mzj.get("/api/v1/grants").await;
    assert_eq!(grants.json[0]["status"], "expired", "{}", grants.text);
}

// H21: a refusal without a legal basis is refused by validation; with one it is recorded, final,
// and the requester sees it on the timeline. Of two decisions at the same moment exactly one
// counts.
pub async fn h21_a_refusal_cites_a_legal_basis_and_decisions_are_final(t: TestApp) {
    let code = published_with_data(&t).await;
    let mzj = t.login("mzj-admin").await;
    let gaj = t.login("gaj-admin").await;
    let id = request(&mzj, ask(&code, "2025-12-31")).await;
    let refuse = format!("/api/v1/share-requests/{id}/refuse");
    gaj.post(&refuse, json!({ "reason": "申请用途与共享条件不符" }))
        .await
        .expect_field_error("legal_basis", "legal_basis_required");
    let refused = gaj
        .post(
            &refuse,
            json!({ "reason": "申请用途与共享条件不符", "legal_basis": "《中华人民共和国个人信息保护法》第六条" }),
        )
        .await;
    refused.expect_status(200);
    assert_eq!(refused.json["state"], "refused");
    let mine = mzj.get(&format!("/api/v1/share-requests/{id}")).await;
    let last = mine.json["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "refuse");
    assert!(last["note"].as_str().unwrap().contains("个人信息保护法"));
    gaj.post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await
        .expect_problem(409, "illegal_transition");

    // Two admins of the source decide the same request at once.
    let id = request(&mzj, ask(&code, "2025-12-31")).await;
    let other = t.login("gaj-admin").await;
    let approve = format!("/api/v1/share-requests/{id}/approve");
    let refuse = format!("/api/v1/share-requests/{id}/refuse");
    let (a, b) = tokio::join!(
        gaj.post(&approve, json!({})),
        other.post(
            &refuse,
            json!({ "reason": "不符合条件", "legal_basis": "《中华人民共和国数据安全法》第三十八条" })
        ),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    let decided = t
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE target_id = '{id}' AND action IN ('approve_share', 'refuse_share')"
        ))
        .await;
    assert_eq!(decided, 1);
    let grants = t
        .count(&format!(
            "SELECT COUNT(*) FROM grants WHERE request_id = '{id}'"
        ))
        .await;
    assert_eq!(grants, i64::from(a.status == 200));
}

// H21: unconditional entries are granted at once and still recorded as requests; not-shared
// entries accept verification requests only; the requests carry the H20 commitments.
pub async fn h21_unconditional_is_granted_at_once_and_not_shared_only_verifies(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let open_code = publish(&gaj, &reviewer, entry("无条件共享测试")).await;
    let mzj = t.login("mzj-staff").await;
    let body = json!({
        "entry_code": open_code, "items": ["xm"], "modes": ["api_query"],
        "scenario": "救助对象信息比对", "purpose": "核对姓名", "using_unit": "市民政局",
        "until": "2025-12-31",
        "commitments": { "purpose_bound": true, "no_onward_transfer": true, "security": true }
    });
    let res = mzj.post("/api/v1/share-requests", body.clone()).await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "granted", "{}", res.text);
    assert_eq!(res.json["grant"]["status"], "active");
    // Commitments are required (H20); unknown items are named.
    mzj.post(
        "/api/v1/share-requests",
        with(body.clone(), |b| {
            b["commitments"]["no_onward_transfer"] = json!(false)
        }),
    )
    .await
    .expect_field_error("commitments", "commitments_required");
    mzj.post(
        "/api/v1/share-requests",
        with(body.clone(), |b| b["items"] = json!(["xm", "nope"])),
    )
    .await
    .expect_field_error("items[1]", "unknown_item");
    // An agency does not request its own data.
    gaj.post("/api/v1/share-requests", body.clone())
        .await
        .expect_problem(409, "own_entry");

    let closed = publish(
        &gaj,
        &reviewer,
        with(entry("不予共享测试"), |e| {
            e["share_type"] = json!("not_shared");
            e["share_modes"] = json!(["verification"]);
            e["legal_bases"] =
                json!([{ "law": "中华人民共和国个人信息保护法", "article": "第二十八条" }]);
        }),
    )
    .await;
    mzj.post(
        "/api/v1/share-requests",
        with(body.clone(), |b| b["entry_code"] = json!(closed)),
    )
    .await
    .expect_field_error("modes", "not_shared_verification_only");
    let res = mzj
        .post(
            "/api/v1/share-requests",
            with(body, |b| {
                b["entry_code"] = json!(closed);
                b["modes"] = json!(["verification"]);
            }),
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "pending");
}

// H21: a request left unanswered is reminded one working day before its due date and becomes
// overdue after it, counted over the National Day holiday (2025-10-01..08, with 09-28 and
// 10-11 worked), and lands on the authority's escalation list; nobody is reminded twice.
pub async fn h21_an_unanswered_request_is_reminded_then_escalated_over_a_holiday(t: TestApp) {
    let code = published_with_data(&t).await;
    // Friday 2025-09-26, 09:00 China time.
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 26, 1, 0, 0).unwrap());
    let mzj = t.login("mzj-admin").await;
    let id = request(&mzj, ask(&code, "2025-12-31")).await;
    let view = mzj.get(&format!("/api/v1/share-requests/{id}")).await;
    assert_eq!(view.json["timeline"][1]["due_date"], "2025-10-10");
    let run = |day: u32, month: u32| {
        let app = t.app.clone();
        let at = Utc.with_ymd_and_hms(2025, month, day, 1, 0, 0).unwrap();
        t.set_now(at);
        async move { gongshu_app::sharing::run_deadlines(&app).await.unwrap() }
    };
    let reminded = |r: gongshu_app::sharing::DeadlineRun| (r.reminded, r.overdue);
    assert_eq!(reminded(run(30, 9).await), (0, 0));
    assert_eq!(
        reminded(run(8, 10).await),
        (0, 0),
        "a holiday is not a working day"
    );
    assert_eq!(reminded(run(9, 10).await), (1, 0), "one working day before");
    assert_eq!(
        reminded(run(10, 10).await),
        (0, 0),
        "reminded once; due today"
    );
    assert_eq!(
        reminded(run(11, 10).await),
        (0, 1),
        "overdue after the due date"
    );
    assert_eq!(reminded(run(13, 10).await), (0, 0), "escalated once");
    let gaj_org = t.org_id("市公安局").await;
    let notices = t
        .count(&format!(
            "SELECT COUNT(*) FROM notifications WHERE recipient_org_id = '{gaj_org}' AND subject_id = '{id}'"
        ))
        .await;
    assert_eq!(notices, 2);

    let reviewer = t.login("reviewer").await;
    let list = reviewer.get("/api/v1/escalations").await;
    list.expect_status(200);
    let item = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["request_id"] == id)
        .unwrap_or_else(|| panic!("{}", list.text))
        .clone();
    assert_eq!(item["due_date"], "2025-10-10");
    assert_eq!(item["assignee_org_id"], gaj_org);
    // The regulator oversees the whole city; a county authority only its county, so a city
    // agency's late answer is not on its list, nor can it open the request.
    for (user, sees) in [("regulator", true), ("xcq-reviewer", false)] {
        let client = t.login(user).await;
        let list = client.get("/api/v1/escalations").await;
        list.expect_status(200);
        let listed = list
            .json
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["request_id"] == id);
        assert_eq!(listed, sees, "{user}: {}", list.text);
        let view = client.get(&format!("/api/v1/share-requests/{id}")).await;
        view.expect_status(if sees { 200 } else { 404 });
    }
    let mzj = t.login("mzj-admin").await;
    let view = mzj.get(&format!("/api/v1/share-requests/{id}")).await;
    assert_eq!(view.json["timeline"][1]["overdue"], true, "{}", view.text);
    t.login("mzj-admin")
        .await
        .get("/api/v1/escalations")
        .await
        .expect_status(403);
    // Answering closes the step: it leaves the escalation list.
    t.login("gaj-admin")
        .await
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await
        .expect_status(200);
    let list = t.login("reviewer").await.get("/api/v1/escalations").await;
    assert!(
        !list
            .json
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["request_id"] == id)
    );
}

// H41: the authority suspends a user — refused at once, colleagues unaffected — then the whole
// organisation; reinstating restores access. A suspended grant stops and comes back too. The
// source agency cannot suspend city-wide, but closes access to its own entry.
pub async fn h41_a_suspended_user_or_organisation_is_refused_at_once(t: TestApp) {
    let code = published_with_data(&t).await;
    let mzj_admin = t.login("mzj-admin").await;
    let mzj_staff = t.login("mzj-staff").await;
    let id = request(&mzj_admin, ask(&code, "2025-12-31")).await;
    let approved = t
        .login("gaj-admin")
        .await
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await;
    approved.expect_status(200);
    mzj_admin.get(&data_url(&code)).await.expect_status(200);

    let reviewer = t.login("reviewer").await;
    let account = t.account_id("mzj-admin").await;
    // A city-wide suspension of all shared data stays the city authority's. The source agency
    // closes access to its own data instead (H41 closures, `closures.rs`): a distinct refusal,
    // reopened by the source.
    let gaj = t.login("gaj-admin").await;
    gaj.post(
        "/api/v1/suspensions",
        json!({ "subject_kind": "account", "subject_id": account, "reason": "超范围使用" }),
    )
    .await
    .expect_problem(403, "forbidden");
    let closed = gaj
        .post(
            "/api/v1/closures",
            json!({
                "subject_kind": "account", "subject_id": account, "scope": "entry",
                "entry_code": code, "reason": "超范围使用", "correction": "说明使用情况",
            }),
        )
        .await;
    closed.expect_status(201);
    mzj_admin
        .get(&data_url(&code))
        .await
        .expect_problem(403, "access_closed");
    gaj.post(
        &format!(
            "/api/v1/closures/{}/reopen",
            closed.json["id"].as_str().unwrap()
        ),
        json!({ "correction_note": "已说明" }),
    )
    .await
    .expect_status(200);
    mzj_admin.get(&data_url(&code)).await.expect_status(200);
    let s = reviewer
        .post(
            "/api/v1/suspensions",
            json!({ "subject_kind": "account", "subject_id": account, "reason": "超范围使用共享数据" }),
        )
        .await;
    s.expect_status(201);
    mzj_admin
        .get(&data_url(&code))
        .await
        .expect_problem(403, "access_suspended");
    mzj_staff.get(&data_url(&code)).await.expect_status(200);
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
    mzj_admin.get(&data_url(&code)).await.expect_status(200);

    let org = t.org_id("市民政局").await;
    reviewer
        .post(
            "/api/v1/suspensions",
            json!({ "subject_kind": "organisation", "subject_id": org, "reason": "发生数据泄露" }),
        )
        .await
        .expect_status(201);
    mzj_staff
        .get(&data_url(&code))
        .await
        .expect_problem(403, "access_suspended");
    reviewer
        .post(
            "/api/v1/suspensions",
            json!({ "subject_kind": "team", "subject_id": org, "reason": "x" }),
        )
        .await
        .expect_field_error("subject_kind", "invalid_subject_kind");

    // A grant suspended by the authority stops; revoked by its source it ends for good.
    let grant = approved.json["grant"]["id"].as_str().unwrap().to_owned();
    reviewer
        .post(
            &format!("/api/v1/grants/{grant}/suspend"),
            json!({ "reason": "核查中" }),
        )
        .await
        .expect_status(200);
    let revoked = t
        .login("gaj-admin")
        .await
        .post(
            &format!("/api/v1/grants/{grant}/revoke"),
            json!({ "reason": "用途已结束" }),
        )
        .await;
    revoked.expect_status(200);
    assert_eq!(revoked.json["status"], "revoked");
    reviewer
        .post(
            &format!("/api/v1/grants/{grant}/reinstate"),
            json!({ "reason": "核查完毕" }),
        )
        .await
        .expect_problem(409, "illegal_transition");
}

// H17, H34: the demand list shows every request (the city to the authority, its own to an
// agency); the responsibility list shows the source's pending answer, then the grantee's owed
// monthly usage reports until reported; the negative list shows not-shared entries with their
// legal bases; each list downloads as .xlsx.
pub async fn h17_h34_the_lists_show_demands_duties_usage_reports_and_negative_entries(t: TestApp) {
    let code = published_with_data(&t).await;
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let closed = publish(
        &gaj,
        &reviewer,
        with(entry("不予共享清单测试"), |e| {
            e["share_type"] = json!("not_shared");
            e["share_modes"] = json!(["verification"]);
            e["legal_bases"] =
                json!([{ "law": "中华人民共和国个人信息保护法", "article": "第二十八条" }]);
        }),
    )
    .await;
    let mzj = t.login("mzj-admin").await;
    let id = request(&mzj, ask(&code, "2025-12-31")).await;
    let has = |list: &Value, key: &str, value: &str| {
        list.as_array()
            .unwrap_or_else(|| panic!("{list}"))
            .iter()
            .any(|l| l[key].as_str().is_some_and(|v| v.contains(value)))
    };
    for (who, sees) in [
        ("reviewer", true),
        ("mzj-admin", true),
        ("gaj-admin", true),
        ("jyj-admin", false),
    ] {
        let list = t.login(who).await.get("/api/v1/sharing/demand-list").await;
        list.expect_status(200);
        assert_eq!(
            has(&list.json, "request_id", &id),
            sees,
            "{who}: {}",
            list.text
        );
    }
    let duties = gaj.get("/api/v1/sharing/responsibility-list").await;
    duties.expect_status(200);
    assert!(has(&duties.json, "subject", &id), "{}", duties.text);
    assert!(!has(
        &mzj.get("/api/v1/sharing/responsibility-list").await.json,
        "subject",
        &id
    ));
    let negative = mzj.get("/api/v1/sharing/negative-list").await;
    negative.expect_status(200);
    assert!(has(&negative.json, "entry_code", &closed));
    assert!(has(&negative.json, "legal_bases", "个人信息保护法"));
    t.anonymous()
        .get("/api/v1/sharing/negative-list")
        .await
        .expect_status(401);

    let approved = gaj
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await;
    approved.expect_status(200);
    let grant = approved.json["grant"]["id"].as_str().unwrap().to_owned();
    // 2025-11-01: September and October have ended without reports.
    t.set_now(Utc.with_ymd_and_hms(2025, 10, 31, 16, 0, 0).unwrap());
    let mzj = t.login("mzj-admin").await;
    let owed = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|l| l["kind"] == "usage_report")
            .filter_map(|l| l["subject"].as_str())
            .filter(|s| s.starts_with(&grant))
            .map(|s| s[grant.len() + 1..].to_owned())
            .collect()
    };
    let list = mzj.get("/api/v1/sharing/responsibility-list").await;
    assert_eq!(owed(&list.json), ["2025-09", "2025-10"], "{}", list.text);
    let report = format!("/api/v1/grants/{grant}/usage-reports");
    let body = json!({ "period": "2025-09", "summary": "用于 312 户低保对象户籍所在区核实，未发现超范围使用" });
    mzj.post(&report, body.clone()).await.expect_status(201);
    mzj.post(&report, body.clone())
        .await
        .expect_problem(409, "usage_already_reported");
    mzj.post(
        &report,
        with(body.clone(), |b| b["period"] = json!("2026-01")),
    )
    .await
    .expect_field_error("period", "period_outside_grant");
    t.login("gaj-staff")
        .await
        .post(&report, with(body, |b| b["period"] = json!("2025-10")))
        .await
        .expect_status(403);
    let list = t
        .login("reviewer")
        .await
        .get("/api/v1/sharing/responsibility-list")
        .await;
    assert_eq!(owed(&list.json), ["2025-10"]);

    for name in ["demand", "responsibility", "negative"] {
        let res = mzj.get(&format!("/api/v1/sharing/lists/{name}/xlsx")).await;
        res.expect_status(200);
        assert_eq!(
            res.header("content-type"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
    }
    mzj.get("/api/v1/sharing/lists/other/xlsx")
        .await
        .expect_status(404);
}

pub(crate) fn need() -> Value {
    json!({
        "title": "残疾人两项补贴发放明细",
        "description": "按月的困难残疾人生活补贴和重度残疾人护理补贴发放明细，含身份证号、补贴类型、金额",
        "scenario": "社会救助对象重复享受待遇比对"
    })
}

// H22: a demand for uncatalogued data is reviewed by the authority within 5 WD and assigned to
// a source department, which answers within 5 WD; agreeing to share directly sets delivery 7 WD
// later, and the delivery names the published entry the data was cataloged as; needs
// processing states a date; a refusal needs a legal basis; an unanswered demand is escalated.
pub async fn h22_a_demand_is_reviewed_assigned_answered_and_delivered(t: TestApp) {
    let mzj = t.login("mzj-admin").await;
    let d = mzj.post("/api/v1/demands", need()).await;
    d.expect_status(201);
    let id = d.json["id"].as_str().unwrap().to_owned();
    assert_eq!(d.json["state"], "submitted");
    assert_eq!(d.json["due_date"], "2025-09-08");
    mzj.post("/api/v1/demands", with(need(), |n| n["title"] = json!(" ")))
        .await
        .expect_field_error("title", "required");

    let reviewer = t.login("reviewer").await;
    let review = format!("/api/v1/demands/{id}/review");
    reviewer
        .post(&review, json!({ "decision": "assign" }))
        .await
        .expect_field_error("source_org_id", "invalid_source");
    let cl = t.org_id("市残疾人联合会").await;
    let assigned = reviewer
        .post(
            &review,
            json!({ "decision": "assign", "source_org_id": cl, "note": "由市残联编目并提供" }),
        )
        .await;
    assigned.expect_status(200);
    assert_eq!(assigned.json["state"], "assigned");
    assert_eq!(assigned.json["assignee_org_id"], cl);
    // Only the source's admin answers.
    let answer = format!("/api/v1/demands/{id}/answer");
    t.login("gaj-admin")
        .await
        .post(&answer, json!({ "answer": "share" }))
        .await
        .expect_status(403);
    let cl_admin = t.login("cl-admin").await;
    cl_admin
        .post(
            &answer,
            json!({ "answer": "refuse", "reason": "涉及个人隐私" }),
        )
        .await
        .expect_field_error("legal_basis", "legal_basis_required");
    cl_admin
        .post(&answer, json!({ "answer": "needs_processing" }))
        .await
        .expect_field_error("date", "date_required");
    let shared = cl_admin.post(&answer, json!({ "answer": "share" })).await;
    shared.expect_status(200);
    assert_eq!(shared.json["state"], "delivering");
    // 2025-09-01 + 7 working days.
    assert_eq!(shared.json["due_date"], "2025-09-10");
    // Delivery names a published entry of the source.
    let deliver = format!("/api/v1/demands/{id}/deliver");
    cl_admin
        .post(&deliver, json!({ "entry_code": "nope" }))
        .await
        .expect_field_error("entry_code", "entry_not_published");
    let code = publish(&cl_admin, &reviewer, entry("残疾人两项补贴发放明细")).await;
    let done = cl_admin.post(&deliver, json!({ "entry_code": code })).await;
    done.expect_status(200);
    assert_eq!(done.json["state"], "delivered");
    assert_eq!(done.json["history"].as_array().unwrap().len(), 4);
    cl_admin
        .post(&deliver, json!({ "entry_code": code }))
        .await
        .expect_problem(409, "illegal_transition");

    // An unreviewed demand becomes overdue after 5 WD and is escalated.
    let late = mzj.post("/api/v1/demands", need()).await;
    let late_id = late.json["id"].as_str().unwrap().to_owned();
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 9, 1, 0, 0).unwrap());
    let run = gongshu_app::sharing::run_deadlines(&t.app).await.unwrap();
    assert!(run.overdue >= 1);
    let list = t.login("reviewer").await.get("/api/v1/escalations").await;
    assert!(
        list.json
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["request_id"] == late_id),
        "{}",
        list.text
    );
}

// H23: national, regional or other-city data goes upward through the authority, which tracks
// it and records the answer; the requester sees each step.
pub async fn h23_a_demand_for_upper_level_data_goes_upward_and_is_tracked(t: TestApp) {
    let mzj = t.login("mzj-admin").await;
    let d = mzj
        .post(
            "/api/v1/demands",
            with(need(), |n| n["title"] = json!("自治区婚姻登记信息")),
        )
        .await;
    let id = d.json["id"].as_str().unwrap().to_owned();
    let reviewer = t.login("reviewer").await;
    let up = reviewer
        .post(
            &format!("/api/v1/demands/{id}/review"),
            json!({ "decision": "upward", "note": "已向自治区大数据中心提交申请" }),
        )
        .await;
    up.expect_status(200);
    assert_eq!(up.json["state"], "upward");
    // The requester cannot close it; the authority records the answer.
    mzj.post(&format!("/api/v1/demands/{id}/deliver"), json!({}))
        .await
        .expect_status(403);
    let done = reviewer
        .post(
            &format!("/api/v1/demands/{id}/deliver"),
            json!({ "note": "自治区已回流，经由市平台共享" }),
        )
        .await;
    done.expect_status(200);
    assert_eq!(done.json["state"], "delivered");
    let mine = mzj.get(&format!("/api/v1/demands/{id}")).await;
    let steps: Vec<&str> = mine.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["submit", "forward_demand_upward", "deliver"]);
    t.login("jyj-admin")
        .await
        .get(&format!("/api/v1/demands/{id}"))
        .await
        .expect_status(404);
}

// The demo city's sharing is made through the real commands, once: a pending request in
// 市公安局's inbox, a live grant, a refusal with its legal basis, an open closure with the
// correction demanded (H41), a demand awaiting review.
pub async fn the_demo_city_seeds_its_sharing_once(t: TestApp) {
    gongshu_demo::catalog::seed_catalog(&t.app)
        .await
        .expect("seed the demo catalog");
    let n = gongshu_demo::sharing::seed_sharing(&t.app)
        .await
        .expect("seed the demo sharing");
    assert_eq!(n, 5);
    assert_eq!(
        gongshu_demo::sharing::seed_sharing(&t.app).await.unwrap(),
        0
    );
    let inbox = t
        .login("gaj-admin")
        .await
        .get("/api/v1/share-requests?inbox=true")
        .await;
    let states: Vec<&str> = inbox
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    // The inbox holds what is still to answer or deliver, the same list as the console's.
    assert!(states.contains(&"pending"), "{}", inbox.text);
    assert!(
        states.iter().all(|s| ["pending", "preparing"].contains(s)),
        "{}",
        inbox.text
    );
    let asked = t
        .login("rsj-staff")
        .await
        .get("/api/v1/share-requests")
        .await;
    assert!(
        asked.text.contains(r#""state":"granted""#),
        "{}",
        asked.text
    );
    let grants = t.login("rsj-staff").await.get("/api/v1/grants").await;
    assert_eq!(grants.json[0]["status"], "active", "{}", grants.text);
    assert_eq!(grants.json[0]["items"], json!(["xm", "gmsfhm", "csrq"]));
    let demands = t.login("reviewer").await.get("/api/v1/demands").await;
    assert_eq!(demands.json[0]["state"], "submitted");
    // H41: 市卫生健康委员会's use of a grant is closed by 市公安局 until it corrects.
    let closures = t.login("wjw-staff").await.get("/api/v1/closures").await;
    let open = &closures.json[0];
    assert_eq!(open["open"], true, "{}", closures.text);
    assert_eq!(open["closing_org_name"], "市公安局");
    assert_eq!(open["entry_name"], "出生和死亡户籍登记信息");
    assert!(!open["reason"].as_str().unwrap().is_empty());
    assert!(!open["correction"].as_str().unwrap().is_empty());
}

/// 市民政局 holds a verification grant on four of the five items of 市公安局's people entry
/// (not `qx`); returns the entry code and the grant id.
pub(crate) async fn verification_grant(t: &TestApp) -> (String, String) {
    let code = published_with_data(t).await;
    let mzj = t.login("mzj-staff").await;
    let body = with(ask(&code, "2025-12-31"), |b| {
        b["items"] = json!(["xm", "sfzh", "nl", "je"]);
        b["modes"] = json!(["verification"]);
        b["purpose"] = json!("核验低保申请人身份信息");
    });
    let id = request(&mzj, body).await;
    let gaj = t.login("gaj-admin").await;
    let approved = gaj
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await;
    approved.expect_status(200);
    let grant = approved.json["grant"]["id"].as_str().unwrap().to_owned();
    (code, grant)
}

fn verify_url(code: &str) -> String {
    format!("/api/v1/verify/{code}")
}

/// `n` records claiming row `i % ROWS`'s true name and age.
fn true_records(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let row = i % ROWS;
            json!({ "key": citizen_id(row), "claims": { "xm": name(row), "nl": (20 + row % 40).to_string() } })
        })
        .collect()
}

pub(crate) fn name(i: usize) -> String {
    format!(
        "{}{}",
        ["张", "王", "李", "赵", "刘"][i % 5],
        ["伟", "芳", "娜", "敏"][i % 4]
    )
}

// H21 (核验比对): a verification grant answers per field only match / no match: true values
// match (amounts in any canonical spelling, keys with stray spaces), wrong ones do not, a key
// that is not in the data answers exactly like a mismatch, and no stored value appears in the
// answer or in the audit event; batches over 1,000, items outside the grant and callers
// without a verification grant are refused.
pub async fn h21_verification_answers_match_or_no_match_and_never_a_value(t: TestApp) {
    let code = published_with_data(&t).await;
    let mzj = t.login("mzj-staff").await;
    let one = json!({ "key": "sfzh", "records": true_records(1) });
    mzj.post(&verify_url(&code), one.clone())
        .await
        .expect_problem(403, "no_grant");
    // An API-query grant is not a verification grant.
    let id = request(&mzj, ask(&code, "2025-12-31")).await;
    let gaj = t.login("gaj-admin").await;
    gaj.post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await
        .expect_status(200);
    mzj.post(&verify_url(&code), one.clone())
        .await
        .expect_problem(403, "no_grant");

    let (code, grant) = verification_grant(&t).await;
    let absent = "11010119900307002X";
    // Identifiers compare as the ingest stores them, upper-cased: `…x` finds `…X`.
    let x = (0..ROWS)
        .find(|&i| citizen_id(i).ends_with('X'))
        .expect("an ID ending in X");
    let body = json!({ "key": "sfzh", "records": [
        { "key": citizen_id(0), "claims": { "xm": "张伟", "nl": "20", "je": "100.5" } },
        { "key": format!(" {} ", citizen_id(1)), "claims": { "xm": "张伟", "nl": "21", "je": "101.50" } },
        { "key": absent, "claims": { "xm": "张伟", "nl": "20", "je": "100.5" } },
        { "key": citizen_id(0), "claims": { "xm": "张伟", "nl": "二十", "je": "100.5" } },
        { "key": citizen_id(2), "claims": { "sfzh": citizen_id(2) } },
        { "key": citizen_id(x).to_lowercase(), "claims": { "xm": name(x), "sfzh": citizen_id(x).to_lowercase() } },
    ]});
    let res = mzj.post(&verify_url(&code), body).await;
    res.expect_status(200);
    let results = res.json["results"].as_array().unwrap();
    assert_eq!(results.len(), 6, "{}", res.text);
    assert_eq!(
        results[0]["fields"],
        json!({ "xm": true, "nl": true, "je": true })
    );
    // Row 1 is 王芳: the name does not match, the age and amount do.
    assert_eq!(
        results[1]["fields"],
        json!({ "xm": false, "nl": true, "je": true })
    );
    // Not found: the same shape as a mismatch, every field false.
    assert_eq!(
        results[2]["fields"],
        json!({ "xm": false, "nl": false, "je": false })
    );
    // A claim that is no value of the item's type does not match.
    assert_eq!(
        results[3]["fields"],
        json!({ "xm": true, "nl": false, "je": true })
    );
    assert_eq!(results[4]["fields"], json!({ "sfzh": true }));
    assert_eq!(results[5]["fields"], json!({ "xm": true, "sfzh": true }));
    // No stored value of any row, nor the keys sent, appears in the answer.
    for i in 0..ROWS {
        for value in [
            name(i),
            citizen_id(i),
            (20 + i % 40).to_string(),
            format!("{}.50", 100 + i),
        ] {
            assert!(!res.text.contains(&value), "{value} leaked: {}", res.text);
        }
    }
    assert!(!res.text.contains(absent));

    let event = t.last_event().await;
    assert_eq!(event.action, "verify_data");
    assert_eq!(event.target_id, format!("{code}/v1"));
    let payload: Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["grant"], grant.as_str(), "{payload}");
    assert_eq!(payload["purpose"], "核验低保申请人身份信息");
    assert_eq!(payload["keys"], 6);
    assert_eq!(payload["matches"], 10);
    assert_eq!(payload["key"], "sfzh");
    assert!(!event.payload.contains(&citizen_id(0)) && !event.payload.contains("张伟"));

    // Items outside the grant, as key or as claim, are refused and named.
    mzj.post(
        &verify_url(&code),
        json!({ "key": "sfzh", "records": [{ "key": citizen_id(0), "claims": { "qx": "新城区" } }] }),
    )
    .await
    .expect_field_error("claims", "item_not_granted");
    mzj.post(
        &verify_url(&code),
        json!({ "key": "qx", "records": [{ "key": "新城区", "claims": { "xm": "张伟" } }] }),
    )
    .await
    .expect_field_error("key", "item_not_granted");
    // At most 1,000 records a call.
    mzj.post(
        &verify_url(&code),
        json!({ "key": "sfzh", "records": true_records(1001) }),
    )
    .await
    .expect_field_error("records", "too_many_records");
    // Another agency without a grant learns nothing.
    t.login("wjw-staff")
        .await
        .post(&verify_url(&code), one)
        .await
        .expect_problem(403, "no_grant");
}

// H21: a verification grant checks a limited number of keys a minute (3,000 in the tests): the
// fourth batch of 1,000 within the minute is refused with 429 and Retry-After, and the bucket
// refills with time. Every answered batch is audited.
pub async fn h21_verification_is_limited_per_grant_in_keys_a_minute(t: TestApp) {
    let (code, _) = verification_grant(&t).await;
    let mzj = t.login("mzj-staff").await;
    let batch = json!({ "key": "sfzh", "records": true_records(1000) });
    for _ in 0..3 {
        let res = mzj.post(&verify_url(&code), batch.clone()).await;
        res.expect_status(200);
        let results = res.json["results"].as_array().unwrap();
        assert_eq!(results.len(), 1000);
        assert!(
            results
                .iter()
                .all(|r| r["fields"] == json!({ "xm": true, "nl": true })),
            "every true claim matches"
        );
        let event = t.last_event().await;
        assert_eq!(event.action, "verify_data");
        let payload: Value = serde_json::from_str(&event.payload).unwrap();
        assert_eq!(payload["keys"], 1000);
        assert_eq!(payload["matches"], 2000);
    }
    let refused = mzj.post(&verify_url(&code), batch.clone()).await;
    refused.expect_problem(429, "rate_limited");
    assert_eq!(
        refused.header("retry-after"),
        Some("20"),
        "{}",
        refused.text
    );
    t.set_now(t.app.now() + chrono::Duration::seconds(20));
    mzj.post(&verify_url(&code), batch).await.expect_status(200);
}

// H21: the key budget is the grant's, not a replica's: two replicas over one database share
// it, so batches spread over both are refused once the minute's allowance is spent.
pub async fn h21_replicas_share_one_key_budget(t: TestApp) {
    let (code, _) = verification_grant(&t).await;
    let (other, server) = t.serve_with(|c| c.verify_keys_per_minute = 3_000).await;
    let token = t.token_of("mzj-staff").await;
    let (here, there) = (
        Client::at(&t.base).with_bearer(&token),
        Client::at(&other).with_bearer(&token),
    );
    let batch = json!({ "key": "sfzh", "records": true_records(1000) });
    for replica in [&here, &there, &here] {
        let res = replica.post(&verify_url(&code), batch.clone()).await;
        res.expect_status(200);
    }
    let refused = there.post(&verify_url(&code), batch).await;
    refused.expect_problem(429, "rate_limited");
    assert_eq!(refused.header("retry-after"), Some("20"));
    server.abort();
}

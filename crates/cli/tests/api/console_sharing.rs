//! The console's sharing pages (issue 5, item 8) through HTTP as a browser uses them: the
//! request form on a published entry with its field errors (H20), the requester's list and
//! timeline with due dates, the source admin's inbox and decision forms — a narrower approval
//! with prepared delivery, a refusal that needs its legal basis (H21) — the escalation list and
//! notices once a step is overdue, and the city authority's suspensions of grants, accounts and
//! organisations (H41), and the verification console (H21) that checks pasted records against
//! a verification grant. Nothing on these pages has a price: sharing between agencies is free.

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::catalog_fixtures::{entry, publish, with};
use crate::console_pages::{assert_chinese_page, post_form};
use crate::sharing::{ask, conditional_people, name, request, verification_grant};
use crate::support::{Client, Resp, TestApp, citizen_id};

/// Words for prices that must never appear on a sharing page.
const PRICE_WORDS: &[&str] = &["价格", "费用：", "收费标准", "¥", "￥", "元/"];

#[track_caller]
fn assert_sharing_page(res: &Resp, what: &str) {
    res.expect_status(200);
    assert_chinese_page(res, what);
    for word in PRICE_WORDS {
        assert!(
            !res.text.contains(word),
            "{what}: a price ({word}) on the page"
        );
    }
}

/// The request id in a `Location: /sharing/requests/{id}?notice=…`.
#[track_caller]
fn redirected_request(res: &Resp, notice: &str) -> String {
    assert_eq!(res.status, 303, "{}", res.text);
    let location = res.header("location").expect("a location");
    let (path, query) = location.split_once('?').expect("a notice");
    assert_eq!(query, format!("notice={notice}"));
    path.strip_prefix("/sharing/requests/")
        .expect("the request page")
        .to_owned()
}

pub(crate) async fn conditional_entry(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    publish(&gaj, &reviewer, conditional_people()).await
}

fn filled_request<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("items", "xm"),
        ("items", "qx"),
        ("modes", "api_query"),
        ("scenario", "最低生活保障对象资格复核"),
        ("purpose", "核实低保申请人户籍所在区"),
        ("using_unit", "市民政局社会救助科"),
        ("until", "2025-09-30"),
        ("purpose_bound", "on"),
        ("no_onward_transfer", "on"),
        ("security", "on"),
    ]
}

// H20: an agency user of another organisation finds 申请共享 on a published entry; the form
// offers the published items and the entry's modes, refuses a request without items or the
// three commitments next to those fields keeping what was typed, then submits; the timeline
// shows the source's decision due 5 working days later. The source itself gets no button, and
// a not-shared entry offers only verification.
pub async fn h20_the_request_form_shows_field_errors_keeps_input_then_submits(t: TestApp) {
    let code = conditional_entry(&t).await;
    let entry_page = format!("/catalog/entries/{code}");
    let form_path = format!("{entry_page}/share-request");
    let mzj = t.browser_login("mzj-staff").await;
    let res = mzj.get(&entry_page).await;
    res.expect_status(200);
    assert!(
        res.text
            .contains(&format!(r#"href="{form_path}">申请共享</a>"#)),
        "{}",
        res.text
    );
    let own = t.browser_login("gaj-admin").await;
    let res = own.get(&entry_page).await;
    assert!(
        !res.text.contains("申请共享</a>"),
        "the source gets no request button"
    );
    own.get(&form_path).await.expect_status(409);
    t.browser_login("reviewer")
        .await
        .get(&form_path)
        .await
        .expect_status(403);

    let res = mzj.get(&form_path).await;
    assert_sharing_page(&res, "the request form");
    for label in [
        "姓名",
        "公民身份号码",
        "接口查询",
        "批量下载",
        "核验比对",
        "不向第三方提供",
    ] {
        assert!(res.text.contains(label), "{label} missing: {}", res.text);
    }

    let mut typed: Vec<(&str, &str)> = filled_request()
        .into_iter()
        .filter(|(k, _)| *k != "items" && *k != "security")
        .collect();
    typed.push(("scenario", "最低生活保障对象资格复核（补充）"));
    let res = post_form(&mzj, &form_path, &typed).await;
    res.expect_status(422);
    assert_chinese_page(&res, "the request form without items or a commitment");
    assert!(
        res.text
            .contains(r#"<span class="field-error">数据项不能为空"#),
        "no message at the items: {}",
        res.text
    );
    assert!(
        res.text
            .contains(r#"<span class="field-error">须承诺按申请用途使用"#),
        "no message at the commitments: {}",
        res.text
    );
    assert!(
        res.text.contains("市民政局社会救助科"),
        "typed text is kept"
    );
    assert!(
        res.text.contains("（补充）"),
        "the last value typed is kept"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM share_requests").await, 0);

    let res = post_form(&mzj, &form_path, &filled_request()).await;
    let id = redirected_request(&res, "share_requested");
    let res = mzj
        .get(&format!("/sharing/requests/{id}?notice=share_requested"))
        .await;
    assert_sharing_page(&res, "the new request");
    assert!(res.text.contains("共享申请已提交"), "{}", res.text);
    assert!(res.text.contains("待答复"));
    // Monday 2025-09-01 + 5 working days, still open.
    assert!(res.text.contains("2025-09-08"), "{}", res.text);
    assert!(res.text.contains("待办理"));
    assert!(
        !res.text.contains("同意共享</button>"),
        "the requester cannot decide"
    );
    let res = mzj.get("/sharing/requests").await;
    assert_sharing_page(&res, "my requests");
    assert!(res.text.contains(&format!("/sharing/requests/{id}")));
    assert!(
        res.text.contains("市公安局"),
        "the source is named: {}",
        res.text
    );

    let closed = publish(
        &t.login("gaj-admin").await,
        &t.login("reviewer").await,
        with(entry("不予共享表单测试"), |e| {
            e["share_type"] = json!("not_shared");
            e["share_modes"] = json!(["verification"]);
            e["legal_bases"] =
                json!([{ "law": "中华人民共和国个人信息保护法", "article": "第二十八条" }]);
        }),
    )
    .await;
    let res = mzj
        .get(&format!("/catalog/entries/{closed}/share-request"))
        .await;
    assert_sharing_page(&res, "the form of a not-shared entry");
    assert!(res.text.contains("核验比对"));
    assert!(
        !res.text.contains("接口查询"),
        "only verification is offered"
    );
}

// H20, H21: the source admin finds the request in 待我答复, approves it narrower (two of five
// items, an earlier end date, a row filter) with a prepared delivery after a refused attempt
// with a later end date, then delivers; the requester's timeline shows each step, the
// decision and the active grant; staff of the source get no inbox.
pub async fn h21_the_source_admin_approves_narrower_then_delivers_from_the_console(t: TestApp) {
    let code = conditional_entry(&t).await;
    let id = request(&t.login("mzj-staff").await, ask(&code, "2025-09-30")).await;
    let gaj = t.browser_login("gaj-admin").await;
    let res = gaj.get("/sharing/inbox").await;
    assert_sharing_page(&res, "the inbox");
    assert!(
        res.text.contains(&format!("/sharing/requests/{id}")),
        "{}",
        res.text
    );
    assert!(res.text.contains("2025-09-08"));
    assert!(res.text.contains("市民政局"), "the requester is named");
    t.browser_login("gaj-staff")
        .await
        .get("/sharing/inbox")
        .await
        .expect_status(403);

    let page = format!("/sharing/requests/{id}");
    let res = gaj.get(&page).await;
    assert_sharing_page(&res, "the request to decide");
    assert!(res.text.contains("同意共享</button>"));
    assert!(
        res.text.contains(r#"data-confirm="确定不予共享吗"#),
        "a refusal is confirmed"
    );

    let mut form = vec![
        ("items", "xm"),
        ("items", "qx"),
        ("until", "2025-10-31"),
        ("filter[0].item", "qx"),
        ("filter[0].op", "eq"),
        ("filter[0].value", "新城区"),
        ("prepare", "on"),
        ("note", "仅限新城区"),
    ];
    let res = post_form(&gaj, &format!("{page}/approve"), &form).await;
    res.expect_status(422);
    assert_chinese_page(&res, "an approval later than requested");
    assert!(
        res.text.contains(r#"<span class="field-error">"#),
        "{}",
        res.text
    );
    assert!(res.text.contains("仅限新城区"), "the note is kept");
    assert!(res.text.contains(r#"value="新城区""#), "the filter is kept");

    form[2] = ("until", "2025-09-15");
    let res = post_form(&gaj, &format!("{page}/approve"), &form).await;
    assert_eq!(redirected_request(&res, "share_approved_prepare"), id);
    let res = gaj.get(&page).await;
    assert!(res.text.contains("已同意，准备交付"), "{}", res.text);
    assert!(res.text.contains("确认交付</button>"));
    assert!(res.text.contains("源部门交付"));
    let res = post_form(&gaj, &format!("{page}/deliver"), &[]).await;
    assert_eq!(redirected_request(&res, "share_delivered"), id);

    let mzj = t.browser_login("mzj-staff").await;
    let res = mzj.get(&page).await;
    assert_sharing_page(&res, "the granted request");
    for text in [
        "提交申请",
        "源部门答复",
        "源部门交付",
        "授权生效",
        "已授权",
        "2025-09-15",
        "eq.新城区",
        r#"<span class="state">有效</span>"#,
    ] {
        assert!(res.text.contains(text), "{text} missing: {}", res.text);
    }
    let res = mzj.get("/sharing/grants").await;
    assert_sharing_page(&res, "the grantee's grants");
    assert!(res.text.contains("本单位持有"));
    assert!(
        !res.text.contains("撤销</button>"),
        "the grantee cannot revoke"
    );
    let res = gaj.get("/sharing/grants").await;
    assert!(res.text.contains("本单位提供"));
    assert!(res.text.contains("撤销</button>"), "{}", res.text);
}

// H21: a refusal without a legal basis comes back with the message at that field and the
// reason kept; with it, the refusal is final and the requester sees reason and basis.
pub async fn h21_a_refusal_without_a_legal_basis_comes_back_on_its_field(t: TestApp) {
    let code = conditional_entry(&t).await;
    let id = request(&t.login("mzj-staff").await, ask(&code, "2025-09-30")).await;
    let gaj = t.browser_login("gaj-admin").await;
    let refuse = format!("/sharing/requests/{id}/refuse");
    let res = post_form(
        &gaj,
        &refuse,
        &[("reason", "申请用途与共享条件不符"), ("legal_basis", "")],
    )
    .await;
    res.expect_status(422);
    assert_chinese_page(&res, "a refusal without a legal basis");
    assert!(
        res.text
            .contains(r#"<span class="field-error">拒绝共享必须说明法律法规依据</span>"#),
        "{}",
        res.text
    );
    assert!(
        res.text.contains("申请用途与共享条件不符"),
        "the reason is kept"
    );
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM share_requests WHERE id = '{id}' AND state = 'pending'"
        ))
        .await,
        1
    );

    let res = post_form(
        &gaj,
        &refuse,
        &[
            ("reason", "申请用途与共享条件不符"),
            ("legal_basis", "《中华人民共和国个人信息保护法》第十三条"),
        ],
    )
    .await;
    assert_eq!(redirected_request(&res, "share_refused"), id);
    let res = t
        .browser_login("mzj-staff")
        .await
        .get(&format!("/sharing/requests/{id}"))
        .await;
    assert_sharing_page(&res, "the refused request");
    for text in [
        "已拒绝",
        "不予共享",
        "申请用途与共享条件不符",
        "个人信息保护法》第十三条",
    ] {
        assert!(res.text.contains(text), "{text} missing: {}", res.text);
    }
    // Decided once: the forms are gone.
    let res = gaj.get(&format!("/sharing/requests/{id}")).await;
    assert!(!res.text.contains("同意共享</button>"));
}

// H21: once the decision is overdue the inbox marks it, the escalation list shows it to the
// authority and the regulator (not to agencies), and the source's home page carries the notice.
pub async fn h21_an_overdue_request_is_marked_escalated_and_noticed(t: TestApp) {
    let code = conditional_entry(&t).await;
    let id = request(&t.login("mzj-staff").await, ask(&code, "2025-12-31")).await;
    // Friday 2025-09-05: one working day before the due date, a reminder.
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 5, 1, 0, 0).unwrap());
    gongshu_app::sharing::run_deadlines(&t.app).await.unwrap();
    let gaj = t.browser_login("gaj-admin").await;
    let res = gaj.get("/").await;
    assert!(res.text.contains("站内通知"), "{}", res.text);
    assert!(res.text.contains("到期提醒"));
    // Tuesday 2025-09-09: overdue.
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 9, 1, 0, 0).unwrap());
    gongshu_app::sharing::run_deadlines(&t.app).await.unwrap();

    // Four days later the earlier session has expired.
    let gaj = t.browser_login("gaj-admin").await;
    let res = gaj.get("/sharing/inbox").await;
    assert_sharing_page(&res, "the inbox with an overdue request");
    assert!(res.text.contains(r#"<tr class="overdue">"#), "{}", res.text);
    assert!(res.text.contains("逾期"));
    let res = gaj.get("/").await;
    assert!(res.text.contains("已列入督办清单"), "{}", res.text);
    assert!(res.text.contains(&format!("/sharing/requests/{id}")));
    for user in ["reviewer", "regulator"] {
        let client = t.browser_login(user).await;
        let res = client.get("/sharing/escalations").await;
        assert_sharing_page(&res, &format!("the escalation list as {user}"));
        assert!(res.text.contains(&code), "{user}: {}", res.text);
        assert!(
            res.text.contains("市公安局"),
            "the late organisation is named"
        );
        assert!(res.text.contains("2025-09-08"));
        let res = client.get(&format!("/sharing/requests/{id}")).await;
        assert_sharing_page(&res, &format!("the escalated request as {user}"));
        assert!(res.text.contains("已逾期"));
    }
    gaj.get("/sharing/escalations").await.expect_status(403);

    // Once answered, the request leaves the inbox, the list and the notices.
    let res = post_form(
        &gaj,
        &format!("/sharing/requests/{id}/refuse"),
        &[
            ("reason", "超出共享条件"),
            ("legal_basis", "《中华人民共和国数据安全法》第三十八条"),
        ],
    )
    .await;
    assert_eq!(redirected_request(&res, "share_refused"), id);
    assert!(!gaj.get("/").await.text.contains("站内通知"));
    assert!(
        !gaj.get("/sharing/inbox")
            .await
            .text
            .contains(&format!("/sharing/requests/{id}"))
    );
    let res = t
        .browser_login("reviewer")
        .await
        .get("/sharing/escalations")
        .await;
    assert!(res.text.contains("暂无逾期未办结的环节"), "{}", res.text);
}

async fn suspend_reason_form(client: &Client, path: &str, reason: &str) -> Resp {
    post_form(client, path, &[("reason", reason)]).await
}

// H41: the city authority sees every grant, suspends one (a reason is required) and
// reinstates it; the source revokes it; agency staff may not. It suspends an account named
// by user name (an unknown name comes back on its field), lists it, and lifts it.
pub async fn h41_the_city_authority_suspends_grants_and_users_from_the_console(t: TestApp) {
    let gaj_api = t.login("gaj-admin").await;
    let code = publish(
        &gaj_api,
        &t.login("reviewer").await,
        entry("无条件共享控制台测试"),
    )
    .await;
    let body = with(ask(&code, "2025-12-31"), |b| b["items"] = json!(["xm"]));
    let id = request(&t.login("mzj-staff").await, body).await;
    let grant = t
        .login("mzj-staff")
        .await
        .get(&format!("/api/v1/share-requests/{id}"))
        .await
        .json["grant"]["id"]
        .as_str()
        .expect("granted at once")
        .to_owned();

    let reviewer = t.browser_login("reviewer").await;
    let res = reviewer.get("/sharing/grants").await;
    assert_sharing_page(&res, "every grant");
    assert!(res.text.contains("全市共享授权"));
    assert!(
        res.text
            .contains(&format!("/sharing/grants/{grant}/suspend")),
        "{}",
        res.text
    );
    let suspend = format!("/sharing/grants/{grant}/suspend");
    let res = suspend_reason_form(&reviewer, &suspend, "").await;
    res.expect_status(422);
    assert_chinese_page(&res, "a suspension without a reason");
    assert!(
        res.text
            .contains(r#"<span class="field-error">原因不能为空"#),
        "{}",
        res.text
    );
    let res = suspend_reason_form(&reviewer, &suspend, "核查违规使用").await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(
        res.header("location"),
        Some("/sharing/grants?notice=grant_suspended")
    );
    let res = reviewer.get("/sharing/grants").await;
    assert!(res.text.contains("核查违规使用"));
    assert!(
        res.text
            .contains(&format!("/sharing/grants/{grant}/reinstate"))
    );
    let res = suspend_reason_form(
        &reviewer,
        &format!("/sharing/grants/{grant}/reinstate"),
        "核查完毕",
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text);
    suspend_reason_form(
        &t.browser_login("gaj-staff").await,
        &format!("/sharing/grants/{grant}/revoke"),
        "不再提供",
    )
    .await
    .expect_status(403);
    let res = suspend_reason_form(
        &t.browser_login("gaj-admin").await,
        &format!("/sharing/grants/{grant}/revoke"),
        "不再提供",
    )
    .await;
    assert_eq!(
        res.header("location"),
        Some("/sharing/grants?notice=grant_revoked")
    );
    let res = reviewer.get("/sharing/grants").await;
    assert!(res.text.contains("已撤销"), "{}", res.text);

    let res = reviewer.get("/sharing/suspensions").await;
    assert_sharing_page(&res, "the suspensions");
    let res = post_form(
        &reviewer,
        "/sharing/suspensions",
        &[
            ("subject_kind", "account"),
            ("username", "no-such-user"),
            ("reason", "违规查询"),
        ],
    )
    .await;
    res.expect_status(422);
    assert!(
        res.text
            .contains(r#"<span class="field-error">没有用户名为“no-such-user”的账号</span>"#),
        "{}",
        res.text
    );
    assert!(res.text.contains("违规查询"), "the reason is kept");
    let res = post_form(
        &reviewer,
        "/sharing/suspensions",
        &[
            ("subject_kind", "account"),
            ("username", "mzj-staff"),
            ("reason", "违规查询"),
        ],
    )
    .await;
    assert_eq!(
        res.header("location"),
        Some("/sharing/suspensions?notice=access_suspended")
    );
    let mzj_api = t.login("mzj-staff").await;
    mzj_api
        .get(&format!("/api/v1/entries/{code}/data"))
        .await
        .expect_problem(403, "access_suspended");
    let res = reviewer.get("/sharing/suspensions").await;
    assert!(res.text.contains("暂停中"), "{}", res.text);
    assert!(res.text.contains("账号：mzj-staff"));
    let suspension: String = res
        .text
        .split_once("/sharing/suspensions/")
        .and_then(|(_, rest)| rest.split_once("/lift"))
        .map(|(id, _)| id.to_owned())
        .expect("a lift form");
    let lift = format!("/sharing/suspensions/{suspension}/lift");
    let res = suspend_reason_form(&reviewer, &lift, "").await;
    res.expect_status(422);
    let res = suspend_reason_form(&reviewer, &lift, "核实无误").await;
    assert_eq!(
        res.header("location"),
        Some("/sharing/suspensions?notice=suspension_lifted")
    );
    t.browser_login("gaj-admin")
        .await
        .get("/sharing/suspensions")
        .await
        .expect_status(403);
}

/// Posts the verification form as a browser does (multipart): the text area and, when given,
/// a file.
async fn post_records(client: &Client, path: &str, text: &str, file: Option<&str>) -> Resp {
    const BOUNDARY: &str = "gongshu-verify-test-boundary";
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"records\"\r\n\r\n{text}\r\n"
    );
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
         Content-Type: text/csv\r\n\r\n{}\r\n--{BOUNDARY}--\r\n",
        if file.is_some() { "records.csv" } else { "" },
        file.unwrap_or_default(),
    ));
    let req = client
        .request(reqwest::Method::POST, path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body);
    client.send(req).await
}

/// The verdicts of the result table, row by row: `一致`, `不一致` or `未核验` per claimed item.
fn verdicts(html: &str) -> Vec<Vec<&'static str>> {
    let Some((_, table)) = html.split_once("<h2>核验结果</h2>") else {
        return Vec::new();
    };
    let body = table.split_once("<tbody>").map_or("", |(_, b)| b);
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .filter_map(|cell| {
                    if cell.starts_with(r#"<span class="ok">一致"#) {
                        Some("一致")
                    } else if cell.starts_with(r#"<span class="bad">不一致"#) {
                        Some("不一致")
                    } else if cell.starts_with(r#"<span class="hint">未核验"#) {
                        Some("未核验")
                    } else {
                        None
                    }
                })
                .collect()
        })
        .collect()
}

async fn verifications(t: &TestApp) -> i64 {
    t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'verify_data'")
        .await
}

// H21 (核验比对) in the console: 市民政局 finds its verification grant under 核验比对 with the
// items it may check, pastes records as CSV (header by item code or name) and gets per record
// and item only 一致 or 不一致 — a key not in the data looks exactly like a mismatch, and the
// stored value of a mismatched field never reaches the page. An uploaded file is checked like
// pasted text. Each check is audited like the API's.
pub async fn h21_the_verification_console_lists_the_grant_and_answers_per_field(t: TestApp) {
    let (code, grant) = verification_grant(&t).await;
    let mzj = t.browser_login("mzj-staff").await;
    let res = mzj.get("/").await;
    assert!(res.text.contains(r#"href="/sharing/verify">核验比对</a>"#));
    let res = mzj.get("/sharing/verify").await;
    assert_sharing_page(&res, "the verification grants");
    let form_path = format!("/sharing/verify/{code}");
    for text in [
        code.as_str(),
        "有条件共享人员名录测试",
        "市公安局",
        "姓名",
        "公民身份号码",
        // Valid through 2025-12-31: until the first instant of the next day.
        "2026-01-01 00:00:00",
        &format!(r#"href="{form_path}""#),
    ] {
        assert!(res.text.contains(text), "{text} missing: {}", res.text);
    }
    assert!(
        !res.text.contains("所在区"),
        "qx is not granted: {}",
        res.text
    );

    let res = mzj.get(&form_path).await;
    assert_sharing_page(&res, "the verification form");
    assert!(res.text.contains("可核验的数据项"));
    assert!(res.text.contains(r#"enctype="multipart/form-data""#));

    // Row 6 is 王娜 aged 26, row 7 李敏: their names are claimed wrongly; the last key is absent.
    let absent = "11010119900307002X";
    let csv = format!(
        "sfzh,姓名,nl\n{},{},20\n{},{},26\n{},刘伟,\n{absent},{},20\n",
        citizen_id(0),
        name(0),
        citizen_id(6),
        name(0),
        citizen_id(7),
        name(0),
    );
    let before = verifications(&t).await;
    let res = post_records(&mzj, &form_path, &csv, None).await;
    assert_sharing_page(&res, "the verification result");
    assert_eq!(
        verdicts(&res.text),
        vec![
            vec!["一致", "一致"],
            vec!["不一致", "一致"],
            vec!["不一致", "未核验"],
            vec!["不一致", "不一致"],
        ],
        "{}",
        res.text
    );
    for stored in [name(6), name(7)] {
        assert!(
            !res.text.contains(&stored),
            "the stored {stored} leaked: {}",
            res.text
        );
    }
    assert!(!res.text.contains("查无") && !res.text.contains("不存在"));
    assert_eq!(verifications(&t).await, before + 1);
    let event = t.last_event().await;
    assert_eq!(event.action, "verify_data");
    assert_eq!(event.actor_name, "mzj-staff");
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["grant"], grant.as_str());
    assert_eq!(payload["keys"], 4);

    // An uploaded file wins over the text area, tab-separated as pasted from a spreadsheet.
    let file = format!("公民身份号码\t姓名\n{}\t{}\n", citizen_id(2), name(2));
    let res = post_records(&mzj, &form_path, "", Some(&file)).await;
    assert_sharing_page(&res, "the verification of a file");
    assert_eq!(verdicts(&res.text), vec![vec!["一致"]], "{}", res.text);
    assert_eq!(verifications(&t).await, before + 2);
}

// H21: what is wrong comes back on the form in Chinese with the text kept — a malformed CSV
// (audited as nothing), an item outside the grant, more than 1,000 records, and the per-grant
// rate limit with when to retry; an agency without a verification grant is refused outright.
pub async fn h21_the_verification_console_refuses_bad_records_and_agencies_without_a_grant(
    t: TestApp,
) {
    let (code, _) = verification_grant(&t).await;
    let mzj = t.browser_login("mzj-staff").await;
    let form_path = format!("/sharing/verify/{code}");
    let before = verifications(&t).await;

    let malformed = format!("sfzh,xm\n{},张伟,多余\n", citizen_id(0));
    let res = post_records(&mzj, &form_path, &malformed, None).await;
    res.expect_status(422);
    assert_chinese_page(&res, "a malformed CSV");
    assert!(
        res.text.contains("第2行有3列，与表头的2列不一致"),
        "{}",
        res.text
    );
    assert!(res.text.contains("多余"), "the text is kept");
    assert!(verdicts(&res.text).is_empty());
    let res = post_records(&mzj, &form_path, "", None).await;
    res.expect_status(422);
    assert!(
        res.text.contains("请粘贴或上传要核验的记录"),
        "{}",
        res.text
    );
    assert_eq!(verifications(&t).await, before, "nothing was verified");

    let res = post_records(
        &mzj,
        &form_path,
        &format!("sfzh,qx\n{},新城区\n", citizen_id(0)),
        None,
    )
    .await;
    res.expect_status(422);
    assert!(
        res.text.contains("数据项“qx”不在核验授权范围内"),
        "{}",
        res.text
    );
    let mut many = String::from("sfzh,xm\n");
    for i in 0..1001 {
        many.push_str(&format!("{},{}\n", citizen_id(i % 250), name(i % 250)));
    }
    let res = post_records(&mzj, &form_path, &many, None).await;
    res.expect_status(422);
    assert!(res.text.contains("每次核验最多1000条记录"), "{}", res.text);
    assert_eq!(verifications(&t).await, before, "nothing was verified");

    // 3,000 keys a minute in the tests: the third batch of 1,000 after one record waits.
    let batch: String = many.lines().take(1001).map(|l| format!("{l}\n")).collect();
    post_records(
        &mzj,
        &form_path,
        &format!("sfzh,xm\n{},{}\n", citizen_id(0), name(0)),
        None,
    )
    .await
    .expect_status(200);
    for _ in 0..2 {
        post_records(&mzj, &form_path, &batch, None)
            .await
            .expect_status(200);
    }
    let res = post_records(&mzj, &form_path, &batch, None).await;
    res.expect_status(429);
    assert_chinese_page(&res, "the rate limit");
    assert!(res.text.contains("请1秒后再试"), "{}", res.text);
    assert!(verdicts(&res.text).is_empty());
    assert_eq!(verifications(&t).await, before + 3);

    // 市卫健委 holds no grant: nothing listed, the form and a submission refused.
    let wjw = t.browser_login("wjw-staff").await;
    let res = wjw.get("/sharing/verify").await;
    assert_sharing_page(&res, "no verification grants");
    assert!(res.text.contains("暂无有效的核验比对授权"));
    assert!(!res.text.contains(&code));
    let res = wjw.get(&form_path).await;
    res.expect_status(403);
    assert!(
        res.text.contains("没有该数据资源有效的核验授权"),
        "{}",
        res.text
    );
    let res = post_records(&wjw, &form_path, &batch, None).await;
    res.expect_status(403);
    assert_eq!(verifications(&t).await, before + 3);
}

/// A browser session of `user` on `list`'s page, checked to be a complete sharing page.
async fn list_page(t: &TestApp, user: &str, list: &str) -> Resp {
    let res = t
        .browser_login(user)
        .await
        .get(&format!("/sharing/lists/{list}"))
        .await;
    assert_sharing_page(&res, &format!("the {list} list as {user}"));
    res
}

// H17: the three lists as tabs of one page. The demand list shows a request to both agencies
// involved and the authority, not to a third; the responsibility list shows the source's
// answer to the source and the authority only, red once overdue; the negative list shows the
// not-shared entry with its legal basis to every agency; each list downloads as a workbook
// with the console's session; an agency with nothing to show sees the empty state.
pub async fn h17_the_three_lists_show_each_viewer_its_lines_and_download(t: TestApp) {
    let code = conditional_entry(&t).await;
    let closed = publish(
        &t.login("gaj-admin").await,
        &t.login("reviewer").await,
        with(entry("不予共享清单页面测试"), |e| {
            e["share_type"] = json!("not_shared");
            e["share_modes"] = json!(["verification"]);
            e["legal_bases"] =
                json!([{ "law": "中华人民共和国个人信息保护法", "article": "第二十八条" }]);
        }),
    )
    .await;
    let id = request(&t.login("mzj-staff").await, ask(&code, "2025-12-31")).await;
    let request_link = format!(r#"href="/sharing/requests/{id}""#);

    for (user, sees) in [
        ("reviewer", true),
        ("regulator", true),
        ("gaj-admin", true),
        ("mzj-staff", true),
        ("jyj-admin", false),
    ] {
        let res = list_page(&t, user, "demand").await;
        assert_eq!(
            res.text.contains(&request_link),
            sees,
            "{user}: {}",
            res.text
        );
        for tab in ["demand", "responsibility", "negative"] {
            assert!(
                res.text
                    .contains(&format!(r#"href="/sharing/lists/{tab}""#))
            );
        }
        assert!(
            res.text
                .contains(r#"aria-current="page" href="/sharing/lists/demand""#)
        );
        assert!(
            res.text
                .contains(r#"href="/sharing/lists/demand">共享清单</a>"#)
        );
        if sees {
            assert!(res.text.contains("有条件共享人员名录测试"));
            assert!(res.text.contains("市民政局") && res.text.contains("市公安局"));
            assert!(res.text.contains("待答复"), "{}", res.text);
        } else {
            assert!(res.text.contains("需求清单暂无内容"), "{}", res.text);
        }
    }

    for (user, sees) in [
        ("reviewer", true),
        ("gaj-admin", true),
        ("mzj-staff", false),
        ("jyj-admin", false),
    ] {
        let res = list_page(&t, user, "responsibility").await;
        assert_eq!(
            res.text.contains(&request_link),
            sees,
            "{user}: {}",
            res.text
        );
        assert!(
            !res.text.contains(r#"<tr class="overdue">"#),
            "not yet overdue"
        );
        if sees {
            assert!(res.text.contains("答复共享申请"), "{}", res.text);
            assert!(
                res.text.contains("2025-09-08"),
                "the due date: {}",
                res.text
            );
        }
    }
    let res = list_page(&t, "jyj-admin", "responsibility").await;
    assert!(res.text.contains("责任清单暂无待办事项"), "{}", res.text);

    for user in ["mzj-staff", "reviewer"] {
        let res = list_page(&t, user, "negative").await;
        assert!(
            res.text
                .contains(&format!(r#"href="/catalog/entries/{closed}""#)),
            "{user}: {}",
            res.text
        );
        assert!(
            res.text
                .contains("《中华人民共和国个人信息保护法》第二十八条")
        );
        assert!(!res.text.contains(&code), "a shared entry is not on it");
    }

    // The export link works with the session cookie the console runs on.
    let gaj = t.browser_login("gaj-admin").await;
    for list in ["demand", "responsibility", "negative"] {
        let page = gaj.get(&format!("/sharing/lists/{list}")).await;
        let link = format!("/api/v1/sharing/lists/{list}/xlsx");
        assert!(
            page.text
                .contains(&format!(r#"href="{link}">导出 Excel</a>"#)),
            "{}",
            page.text
        );
        let res = gaj.get(&link).await;
        res.expect_status(200);
        assert!(res.text.starts_with("PK"), "{list}: not a workbook");
    }
    gaj.get("/sharing/lists/other").await.expect_status(404);
    t.browser_login("public-person")
        .await
        .get("/sharing/lists/demand")
        .await
        .expect_status(403);

    // Tuesday 2025-09-09: the answer is overdue, and the line turns red.
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 9, 1, 0, 0).unwrap());
    let res = list_page(&t, "gaj-admin", "responsibility").await;
    assert!(res.text.contains(r#"<tr class="overdue">"#), "{}", res.text);
    assert!(res.text.contains(r#"<span class="bad">逾期</span>"#));
}

/// 10:00 in Beijing on that day.
fn beijing_morning(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

// H19: published conditional on 2025-09-01, the entry is overdue for assessment on
// 2026-09-03 and listed, red, with a form for its agency; an empty reason comes back on its
// field and records nothing; keeping is recorded, the line leaves the list, and the entry's
// history (linked from the entry page) shows the outcome and reason.
pub async fn h19_the_assessment_page_records_keep_and_refuses_an_empty_reason(t: TestApp) {
    let code = conditional_entry(&t).await;
    let assess = format!("/sharing/assessments/{code}/assess");
    t.set_now(beijing_morning(2026, 9, 3));
    // Sessions do not survive a jump of a year: log in after it.
    let gaj = t.browser_login("gaj-admin").await;
    let res = gaj.get("/sharing/assessments").await;
    assert_sharing_page(&res, "the assessments due");
    for text in [
        code.as_str(),
        "有条件共享人员名录测试",
        "2025-09-01",
        "尚未评估",
        "2026-09-01",
        r#"<tr class="overdue">"#,
        r#"<span class="bad">逾期</span>"#,
        &format!(r#"action="{assess}""#),
        r#"name="outcome" value="keep""#,
        r#"data-confirm="确定转为无条件共享吗"#,
        r#"href="/sharing/assessments">年度评估</a>"#,
    ] {
        assert!(res.text.contains(text), "{text} missing: {}", res.text);
    }

    let res = post_form(&gaj, &assess, &[("outcome", "keep"), ("reason", "  ")]).await;
    res.expect_status(422);
    assert_chinese_page(&res, "an assessment without a reason");
    assert!(
        res.text
            .contains(r#"<span class="field-error">评估理由不能为空</span>"#),
        "{}",
        res.text
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM share_assessments").await, 0);

    let res = post_form(
        &gaj,
        &assess,
        &[
            ("outcome", "keep"),
            ("reason", "仍涉及个人隐私，须限定使用范围"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(
        res.header("location"),
        Some("/sharing/assessments?notice=assessment_kept")
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM share_assessments WHERE outcome = 'keep'")
            .await,
        1
    );
    let res = gaj.get("/sharing/assessments?notice=assessment_kept").await;
    assert_sharing_page(&res, "the assessments after keeping");
    assert!(res.text.contains("维持有条件共享，一年后再次评估"));
    assert!(!res.text.contains(&assess), "the line left the list");
    assert!(res.text.contains("暂无需要评估的有条件共享条目"));

    let history = format!("/sharing/assessments/{code}");
    let res = gaj.get(&format!("/catalog/entries/{code}")).await;
    assert!(
        res.text.contains(&format!(r#"href="{history}""#)),
        "the entry page links its history: {}",
        res.text
    );
    let res = gaj.get(&history).await;
    assert_sharing_page(&res, "the assessment history");
    for text in [
        "2026-09-03",
        "维持有条件共享",
        "仍涉及个人隐私，须限定使用范围",
        "gaj-admin",
    ] {
        assert!(res.text.contains(text), "{text} missing: {}", res.text);
    }
}

// H19: another agency neither sees the entry nor may assess it; the authority sees the line
// without a form; staff of the entry's own agency convert it, which submits the new revision
// for review.
pub async fn h19_only_the_entrys_agency_gets_the_form_and_may_convert(t: TestApp) {
    let code = conditional_entry(&t).await;
    let assess = format!("/sharing/assessments/{code}/assess");
    t.set_now(beijing_morning(2026, 8, 20));
    let mzj = t.browser_login("mzj-staff").await;
    let res = mzj.get("/sharing/assessments").await;
    assert_sharing_page(&res, "another agency's assessments");
    assert!(!res.text.contains(&code), "{}", res.text);
    let reason = [("outcome", "keep"), ("reason", "仍涉及个人隐私")];
    post_form(&mzj, &assess, &reason).await.expect_status(403);

    let reviewer = t.browser_login("reviewer").await;
    let res = reviewer.get("/sharing/assessments").await;
    assert_sharing_page(&res, "the authority's assessments");
    assert!(res.text.contains(&code), "{}", res.text);
    assert!(!res.text.contains(&assess), "no form for the authority");
    assert!(res.text.contains("由市公安局评估"));
    assert!(
        !res.text.contains(r#"<tr class="overdue">"#),
        "due 2026-09-01"
    );
    post_form(&reviewer, &assess, &reason)
        .await
        .expect_status(403);
    assert_eq!(t.count("SELECT COUNT(*) FROM share_assessments").await, 0);

    let staff = t.browser_login("gaj-staff").await;
    let res = staff.get("/sharing/assessments").await;
    assert!(res.text.contains(&assess), "{}", res.text);
    let res = post_form(
        &staff,
        &assess,
        &[
            ("outcome", "convert"),
            ("reason", "数据已按规则脱敏，具备无条件共享条件"),
        ],
    )
    .await;
    assert_eq!(
        res.header("location"),
        Some("/sharing/assessments?notice=assessment_converted"),
        "{}",
        res.text
    );
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM share_assessments WHERE outcome = 'convert' AND draft_revision = 2"
        )
        .await,
        1
    );
    let res = staff.get(&format!("/sharing/assessments/{code}")).await;
    assert!(res.text.contains("第2版已提交审核"), "{}", res.text);
}

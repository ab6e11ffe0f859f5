//! H19 masked derivative entries (脱敏衍生目录) through the HTTP API: a not-shared entry's
//! provider proposes a shareable derivative with masking rules; the authority approves the rules
//! in the normal catalog review; every reader of the derivative, its owner included, sees only
//! its items, masked by the approved rules, from the source's current version.

use serde_json::{Value, json};

use crate::catalog_fixtures::{approve, edit, get, publish, return_with, submit, successes, with};
use crate::console_pages::{assert_chinese_page, post_form};
use crate::data::{ROWS, people_csv, people_entry, upload};
use crate::sharing::{conditional_people, request};
use crate::support::{Client, TestApp, citizen_id};

/// A not-shared, not open entry of 市公安局 with five items, two of them personal and masked.
fn not_shared_people(name: &str) -> Value {
    with(people_entry(), |e| {
        e["name"] = json!(name);
        e["grade"] = json!("general_3");
        e["share_type"] = json!("not_shared");
        e["share_modes"] = json!(["verification"]);
        e["legal_bases"] =
            json!([{ "law": "中华人民共和国个人信息保护法", "article": "第二十八条" }]);
        e["open_type"] = json!("not_open");
        e["not_open_reason"] = json!("privacy");
    })
}

/// Keeps 姓名 (surname only) and 公民身份号码 (first six digits: the county of registration),
/// 所在区 and 年龄 clear, and drops 补贴金额.
fn proposal() -> Value {
    json!({
        "name": "人员名录（脱敏）",
        "summary": "不予共享的人员名录经脱敏处理后的衍生目录，供救助资格核查使用",
        "share_type": "conditional",
        "share_conditions": "仅限社会救助资格核查使用",
        "share_scope": "全市公共管理和服务机构",
        "share_modes": ["api_query"],
        "items": [
            { "code": "xm", "rule": { "kind": "keep", "first": 1, "last": 0 } },
            { "code": "sfzh", "rule": { "kind": "keep", "first": 6, "last": 0 } },
            { "code": "qx" },
            { "code": "nl" }
        ]
    })
}

fn derivatives_url(code: &str) -> String {
    format!("/api/v1/catalog/entries/{code}/derivatives")
}

fn data_url(code: &str) -> String {
    format!("/api/v1/entries/{code}/data?limit=500")
}

/// Every row's ID is the source ID cut to its first six digits, names keep their surname, and
/// only the derivative's (or granted) items appear.
fn assert_masked(rows: &[Value], items: &[&str]) {
    assert_eq!(rows.len(), ROWS);
    for (i, r) in rows.iter().enumerate() {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = items.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want, "only these items: {r}");
        let id = r["sfzh"].as_str().unwrap();
        assert_eq!(id.chars().count(), 18, "{id}");
        assert!(
            id.ends_with("************"),
            "masked by the approved rule: {id}"
        );
        assert!(
            (0..ROWS).all(|n| citizen_id(n) != id),
            "never a clear ID: {id} (row {i})"
        );
        let name = r["xm"].as_str().unwrap();
        assert!(name.ends_with('*'), "{name}");
    }
}

// H19: B proposes a derivative of its not-shared entry masking 公民身份号码 and 姓名 and
// dropping 补贴金额; the reviewer sees the rules and approves them; B itself reads the data
// masked; A asks for the (conditional) derivative, B approves, and A reads masked rows without
// the dropped item; the derivative takes no upload and no direct edit; the source stays closed;
// a revised proposal takes effect only once approved.
pub async fn h19_a_not_shared_entry_is_shared_masked_through_an_approved_derivative(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let source = publish(&gaj, &reviewer, not_shared_people("不予共享人员名录测试")).await;
    upload(&gaj, &source, people_csv()).await;

    let res = gaj.post(&derivatives_url(&source), proposal()).await;
    res.expect_status(201);
    let code = res.json["code"].as_str().unwrap().to_owned();
    assert_ne!(code, source);
    assert_eq!(res.json["state"], "submitted", "{}", res.text);
    assert_eq!(res.json["share_type"], "conditional");
    assert_eq!(res.json["org_id"], get(&gaj, &source).await.json["org_id"]);
    let items: Vec<&str> = res.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["xm", "sfzh", "qx", "nl"]);
    assert_eq!(res.json["items"][1]["masked"], true);
    assert_eq!(res.json["items"][2]["masked"], false);
    assert_eq!(successes(&t, "propose_derivative", &code).await, 1);
    assert_eq!(successes(&t, "submit_entry", &code).await, 1);

    // The reviewer sees what it approves: the source and every rule.
    let review = get(&reviewer, &code).await;
    review.expect_status(200);
    let derived = &review.json["derived_from"];
    assert_eq!(derived["source_code"], source, "{}", review.text);
    assert_eq!(derived["source_name"], "不予共享人员名录测试");
    assert_eq!(
        derived["rules"],
        json!([
            { "item_code": "xm", "item_name": "姓名", "rule": { "kind": "keep", "first": 1, "last": 0 },
              "rule_zh": "保留前1位、后0位，其余以*代替" },
            { "item_code": "sfzh", "item_name": "公民身份号码", "rule": { "kind": "keep", "first": 6, "last": 0 },
              "rule_zh": "保留前6位、后0位，其余以*代替" }
        ])
    );
    assert_eq!(get(&gaj, &source).await.json["derivatives"], json!([code]));
    // Not approved yet: even the owner cannot read it.
    gaj.get(&data_url(&code))
        .await
        .expect_problem(409, "rules_not_approved");
    approve(&reviewer, &code).await.expect_status(200);

    // The owner reads the derivative masked, without the dropped item.
    let res = gaj.get(&data_url(&code)).await;
    res.expect_status(200);
    assert_eq!(res.header("x-gongshu-policy"), Some("owner"));
    assert_masked(res.json.as_array().unwrap(), &["xm", "sfzh", "qx", "nl"]);
    let event = t.last_event().await;
    let payload: Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["derived_from"], source, "{payload}");
    // …while the source, read by its owner, is as stored.
    let clear = gaj.get(&data_url(&source)).await;
    assert_eq!(clear.json[0]["sfzh"].as_str().unwrap().len(), 18);
    assert!(!clear.json[0]["sfzh"].as_str().unwrap().contains('*'));

    // The derivative's data is the source's: no upload, no direct edit.
    let upload_res = gaj
        .send(
            gaj.request(
                reqwest::Method::POST,
                &format!("/api/v1/catalog/entries/{code}/versions?filename=people.csv"),
            )
            .body(people_csv()),
        )
        .await;
    upload_res.expect_problem(409, "derivative_upload");
    let mut body = not_shared_people("改名");
    body["share_type"] = json!("unconditional");
    edit(&gaj, &code, body)
        .await
        .expect_problem(409, "derivative_edit");

    // A asks for the conditional derivative; B decides.
    let mzj = t.login("mzj-staff").await;
    mzj.get(&data_url(&source))
        .await
        .expect_problem(403, "no_grant");
    let id = request(&mzj, ask(&code)).await;
    let pending = mzj.get(&format!("/api/v1/share-requests/{id}")).await;
    assert_eq!(pending.json["state"], "pending", "{}", pending.text);
    assert_eq!(pending.json["share_type"], "conditional");
    mzj.get(&data_url(&code))
        .await
        .expect_problem(403, "no_grant");
    let approved = gaj
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await;
    approved.expect_status(200);
    assert_eq!(approved.json["state"], "granted", "{}", approved.text);

    let res = mzj.get(&data_url(&code)).await;
    res.expect_status(200);
    assert_eq!(res.header("x-gongshu-policy"), Some("grant"));
    assert_masked(res.json.as_array().unwrap(), &["xm", "sfzh", "qx"]);
    let payload: Value = serde_json::from_str(&t.last_event().await.payload).unwrap();
    assert_eq!(payload["grant"], approved.json["grant"]["id"]);
    assert_eq!(payload["derived_from"], source);
    // The dropped item cannot be asked for.
    let mut wider = ask(&code);
    wider["items"] = json!(["xm", "je"]);
    mzj.post("/api/v1/share-requests", wider)
        .await
        .expect_status(422);
    // The source itself stays not shared.
    mzj.get(&data_url(&source))
        .await
        .expect_problem(403, "no_grant");

    // A revised proposal (ID shown not at all) is a new revision: until the authority
    // approves it, the approved rules stay in force for every reader.
    let stricter = with(proposal(), |p| {
        p["items"][1]["rule"] = json!({ "kind": "null" })
    });
    let revised = gaj
        .put(
            &format!("/api/v1/catalog/entries/{code}/derivative"),
            stricter,
        )
        .await;
    revised.expect_status(200);
    assert_eq!(revised.json["revision"], 2, "{}", revised.text);
    assert_eq!(revised.json["state"], "submitted");
    assert_eq!(
        revised.json["derived_from"]["rules"][1]["rule"]["kind"],
        "null"
    );
    assert_masked(
        mzj.get(&data_url(&code)).await.json.as_array().unwrap(),
        &["xm", "sfzh", "qx"],
    );
    approve(&reviewer, &code).await.expect_status(200);
    let res = mzj.get(&data_url(&code)).await;
    res.expect_status(200);
    assert!(
        res.json
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["sfzh"].is_null()),
        "the newly approved rule: {}",
        res.text
    );
}

fn ask(code: &str) -> Value {
    json!({
        "entry_code": code,
        "items": ["xm", "sfzh", "qx"],
        "modes": ["api_query"],
        "scenario": "最低生活保障对象资格复核",
        "purpose": "核实低保申请人户籍所在区",
        "using_unit": "市民政局社会救助科",
        "until": "2025-12-31",
        "commitments": { "purpose_bound": true, "no_onward_transfer": true, "security": true }
    })
}

// H19: a proposal is refused field by field: a source that is already shareable, a personal
// item left clear, a rule that does not parse, a not-shared derivative; another agency may not
// propose for the source; a returned derivative is revised in place and resubmitted; a
// derivative whose source has no data answers "no_data".
pub async fn h19_a_derivative_proposal_is_checked_against_its_source(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let shareable = publish(&gaj, &reviewer, conditional_people()).await;
    gaj.post(&derivatives_url(&shareable), proposal())
        .await
        .expect_field_error("source", "source_shareable");

    let source = publish(&gaj, &reviewer, not_shared_people("尚无数据的人员名录")).await;
    let url = derivatives_url(&source);
    let before = t.count("SELECT COUNT(*) FROM catalog_entries").await;
    let clear_id = with(proposal(), |p| p["items"][1] = json!({ "code": "sfzh" }));
    gaj.post(&url, clear_id)
        .await
        .expect_field_error("items[1].rule", "rule_required");
    let bad_rule = with(proposal(), |p| {
        p["items"][0]["rule"] = json!({ "kind": "generalise", "to": "range" })
    });
    gaj.post(&url, bad_rule)
        .await
        .expect_field_error("items[0].rule", "invalid_rule");
    let not_shared = with(proposal(), |p| p["share_type"] = json!("not_shared"));
    gaj.post(&url, not_shared)
        .await
        .expect_field_error("share_type", "derivative_not_shareable");
    let no_conditions = with(proposal(), |p| p["share_conditions"] = json!(""));
    gaj.post(&url, no_conditions)
        .await
        .expect_field_error("share_conditions", "share_conditions_required");
    let unknown = with(proposal(), |p| p["items"][3] = json!({ "code": "dz" }));
    gaj.post(&url, unknown)
        .await
        .expect_field_error("items[3].code", "unknown_item");
    t.login("mzj-admin")
        .await
        .post(&url, proposal())
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM catalog_entries").await,
        before,
        "nothing was written"
    );

    let res = gaj.post(&url, proposal()).await;
    res.expect_status(201);
    let code = res.json["code"].as_str().unwrap().to_owned();
    // Already submitted by the proposal, and not to be revised while under review.
    submit(&gaj, &code)
        .await
        .expect_problem(409, "illegal_transition");
    let revise = format!("/api/v1/catalog/entries/{code}/derivative");
    gaj.put(&revise, proposal())
        .await
        .expect_problem(409, "illegal_transition");
    // Returned, it is revised in place (dropping 年龄, masking the ID differently) and
    // submitted again.
    return_with(
        &reviewer,
        &code,
        "身份证号仅保留前6位仍可能识别个人，请改为保留前3后4位",
    )
    .await
    .expect_status(200);
    let revised = gaj
        .put(
            &revise,
            with(proposal(), |p| {
                p["items"][1]["rule"] = json!({ "kind": "keep", "first": 3, "last": 4 });
                p["items"].as_array_mut().unwrap().pop();
            }),
        )
        .await;
    revised.expect_status(200);
    assert_eq!(revised.json["revision"], 1, "{}", revised.text);
    assert_eq!(revised.json["state"], "submitted");
    assert_eq!(revised.json["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        revised.json["derived_from"]["rules"][1]["rule_zh"],
        "保留前3位、后4位，其余以*代替"
    );
    assert_eq!(successes(&t, "revise_derivative", &code).await, 1);
    // An ordinary entry has no proposal to revise.
    gaj.put(
        &format!("/api/v1/catalog/entries/{source}/derivative"),
        proposal(),
    )
    .await
    .expect_problem(409, "not_a_derivative");
    approve(&reviewer, &code).await.expect_status(200);
    reads_no_data(&gaj, &code).await;
}

async fn reads_no_data(client: &Client, code: &str) {
    client
        .get(&data_url(code))
        .await
        .expect_problem(409, "no_data");
}

// H19 in the console: the source's page offers 申请脱敏衍生目录 to its provider only; the form
// lists the source's items with suggested treatments; a personal item left clear comes back
// with its error on its row and everything typed kept; the submitted derivative's page shows
// its source and rules, and the reviewer is told approving approves the rules; returned, it is
// revised on the same form; its data page offers no upload.
pub async fn h19_the_console_proposes_a_derivative_and_shows_its_rules(t: TestApp) {
    let api = t.login("gaj-admin").await;
    let reviewer_api = t.login("reviewer").await;
    let source = publish(&api, &reviewer_api, not_shared_people("控制台不予共享名录")).await;
    let entry_page = format!("/catalog/entries/{source}");
    let form_path = format!("{entry_page}/derivatives/new");
    let gaj = t.browser_login("gaj-admin").await;
    let page = gaj.get(&entry_page).await;
    page.expect_status(200);
    assert!(
        page.text
            .contains(&format!(r#"href="{form_path}">申请脱敏衍生目录</a>"#)),
        "{}",
        page.text
    );
    let other = t.browser_login("mzj-admin").await;
    assert!(
        !other
            .get(&entry_page)
            .await
            .text
            .contains("申请脱敏衍生目录")
    );

    let form = gaj.get(&form_path).await;
    form.expect_status(200);
    assert_chinese_page(&form, "the derivative form");
    assert!(form.text.contains(r#"name="item.sfzh""#), "{}", form.text);
    assert!(form.text.contains(r#"<option value="keep_3_4" selected>"#));

    let mut fields = vec![
        ("name", "控制台名录（脱敏）"),
        ("summary", "经脱敏处理后可有条件共享的人员名录"),
        ("share_type", "conditional"),
        ("share_conditions", "仅限社会救助资格核查"),
        ("share_modes", "api_query"),
        ("item.xm", "surname"),
        ("item.sfzh", "clear"),
        ("item.qx", "clear"),
        ("item.nl", "range_10"),
        ("item.je", "drop"),
    ];
    let path = format!("{entry_page}/derivatives");
    let refused = post_form(&gaj, &path, &fields).await;
    refused.expect_status(422);
    assert!(
        refused.text.contains("必须指定脱敏规则"),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("控制台名录（脱敏）"),
        "typed input kept"
    );
    assert!(
        refused
            .text
            .contains(r#"<option value="range_10" selected>"#)
    );

    fields[6] = ("item.sfzh", "keep_6_0");
    let res = post_form(&gaj, &path, &fields).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let location = res.header("location").unwrap().to_owned();
    assert!(
        location.ends_with("?notice=derivative_proposed"),
        "{location}"
    );
    let code = location
        .trim_start_matches("/catalog/entries/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let reviewer = t.browser_login("reviewer").await;
    let page = reviewer.get(&format!("/catalog/entries/{code}")).await;
    page.expect_status(200);
    assert!(
        page.text
            .contains(&format!(r#"href="/catalog/entries/{source}""#))
    );
    for words in [
        "保留前6位、后0位",
        "泛化为宽度10的区间",
        "审核通过即批准第1版的脱敏规则",
    ] {
        assert!(page.text.contains(words), "{words}: {}", page.text);
    }
    // The derivative has no edit button: it changes only through a proposal.
    let own = gaj.get(&format!("/catalog/entries/{code}")).await;
    assert!(!own.text.contains("/edit\">编辑</a>"), "{}", own.text);

    // Returned, it is revised on the same form, filled with the current proposal.
    return_with(&reviewer_api, &code, "身份证号请改为保留前3后4位")
        .await
        .expect_status(200);
    let edit_path = format!("/catalog/entries/{code}/derivative/edit");
    let own = gaj.get(&format!("/catalog/entries/{code}")).await;
    assert!(
        own.text
            .contains(&format!(r#"href="{edit_path}">修改脱敏衍生申请</a>"#)),
        "{}",
        own.text
    );
    let form = gaj.get(&edit_path).await;
    form.expect_status(200);
    assert!(form.text.contains("身份证号请改为保留前3后4位"));
    assert!(
        form.text.contains(r#"<option value="keep_6_0" selected>"#),
        "{}",
        form.text
    );
    assert!(form.text.contains(r#"<option value="drop" selected>"#));
    fields[6] = ("item.sfzh", "keep_3_4");
    let res = post_form(
        &gaj,
        &format!("/catalog/entries/{code}/derivative"),
        &fields,
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert!(
        res.header("location")
            .unwrap()
            .ends_with("?notice=derivative_revised")
    );
    let page = reviewer.get(&format!("/catalog/entries/{code}")).await;
    assert!(page.text.contains("保留前3位、后4位"), "{}", page.text);

    // Once approved, its data page offers no upload: the data is the source's.
    approve(&reviewer_api, &code).await.expect_status(200);
    let data = gaj.get(&format!("/catalog/entries/{code}/data")).await;
    data.expect_status(200);
    assert!(!data.text.contains("data-upload="), "{}", data.text);
    let source_data = gaj.get(&format!("/catalog/entries/{source}/data")).await;
    assert!(source_data.text.contains("data-upload="));
}

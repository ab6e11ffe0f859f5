//! Closures (暂时关闭, H41) through the HTTP API and the console: the source agency closes a
//! grantee's access to its own entry with a reason and a correction demanded; the grantee's
//! reads of that entry are refused with `access_closed`, naming who closed and the correction,
//! and audited, while its other grants read; the grantee sees the closure; the source reopens
//! it. A source closes only its own data; a county authority only its county's.

use serde_json::{Value, json};

use crate::catalog_fixtures::{publish, with};
use crate::console_pages::{assert_chinese_page, post_form};
use crate::data::{people_csv, upload};
use crate::sharing::{ask, conditional_people, request};
use crate::support::{Client, Resp, TestApp};

fn data_url(code: &str) -> String {
    format!("/api/v1/entries/{code}/data?limit=5")
}

/// A conditionally shared entry named `name` of `agency`'s organisation, published through
/// `reviewer` and holding data.
async fn shared_entry(agency: &Client, reviewer: &Client, name: &str) -> String {
    let body = with(conditional_people(), |e| e["name"] = json!(name));
    let code = publish(agency, reviewer, body).await;
    upload(agency, &code, people_csv()).await;
    code
}

/// `requester` asks for `code` and `source` approves: the grant's id.
async fn granted(requester: &Client, source: &Client, code: &str) -> String {
    let id = request(requester, ask(code, "2025-12-31")).await;
    let approved = source
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await;
    approved.expect_status(200);
    approved.json["grant"]["id"].as_str().unwrap().to_owned()
}

/// A closure of an organisation's access to one entry.
fn closing(org: &str, code: &str) -> Value {
    json!({
        "subject_kind": "organisation",
        "subject_id": org,
        "scope": "entry",
        "entry_code": code,
        "reason": "将共享数据提供给第三方用于商业营销，超出申请用途",
        "correction": "停止向第三方提供数据，删除留存副本并提交书面整改报告",
    })
}

fn payload(event: &gongshu_audit::AuditEvent) -> Value {
    serde_json::from_str(&event.payload).expect("a JSON payload")
}

// H41 (《呼和浩特市公共数据管理办法》第四十一条): 公共数据使用主体在使用公共数据过程中有违规
// 行为的，公共管理和服务机构、公共数据主管部门等应当按照法定权限和程序督促改正，并暂时关闭
// 获取相关公共数据的权限. The source agency closes a grantee's access to its entry: the
// grantee's reads of it are refused (403 `access_closed`, naming the closer and the correction,
// audited with the reason) while its other grant still reads and both grants stay active; the
// grantee sees the closure; the source reopens it once corrected and the reads work again.
pub async fn h41_the_source_closes_a_grantees_access_to_its_entry_until_corrected(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let mzj = t.login("mzj-staff").await;
    let closed_code = shared_entry(&gaj, &reviewer, "暂时关闭测试人员名录").await;
    let other_code = shared_entry(&gaj, &reviewer, "暂时关闭测试另一名录").await;
    granted(&mzj, &gaj, &closed_code).await;
    granted(&mzj, &gaj, &other_code).await;
    mzj.get(&data_url(&closed_code)).await.expect_status(200);
    let mzj_org = t.org_id("市民政局").await;

    // Only the source's admin closes; a reason and a correction are required; the subject
    // must hold grants of the data.
    t.login("gaj-staff")
        .await
        .post("/api/v1/closures", closing(&mzj_org, &closed_code))
        .await
        .expect_problem(403, "forbidden");
    let no_correction = with(closing(&mzj_org, &closed_code), |b| {
        b["correction"] = json!(" ")
    });
    gaj.post("/api/v1/closures", no_correction)
        .await
        .expect_field_error("correction", "required");
    let rsj_org = t.org_id("市人力资源和社会保障局").await;
    gaj.post("/api/v1/closures", closing(&rsj_org, &closed_code))
        .await
        .expect_field_error("subject_id", "not_a_grantee");

    let closed = gaj
        .post("/api/v1/closures", closing(&mzj_org, &closed_code))
        .await;
    closed.expect_status(201);
    assert_eq!(closed.json["open"], true, "{}", closed.text);
    assert_eq!(closed.json["closing_org_name"], "市公安局");
    assert_eq!(closed.json["entry_code"], closed_code.as_str());
    let closure = closed.json["id"].as_str().unwrap().to_owned();
    let event = t.last_event_of("close_access").await;
    assert_eq!(event.outcome, "success");
    assert_eq!(event.target_id, mzj_org);
    assert_eq!(
        payload(&event)["correction"],
        "停止向第三方提供数据，删除留存副本并提交书面整改报告"
    );
    gaj.post("/api/v1/closures", closing(&mzj_org, &closed_code))
        .await
        .expect_problem(409, "already_closed");

    // Refused with its own code, naming who closed it and the correction demanded; on record.
    let refused = mzj.get(&data_url(&closed_code)).await;
    refused.expect_problem(403, "access_closed");
    let zh = refused.json["message"]["zh"].as_str().unwrap();
    assert!(zh.contains("市公安局"), "{zh}");
    assert!(zh.contains("删除留存副本并提交书面整改报告"), "{zh}");
    let event = t.last_event_of("read_data").await;
    assert_eq!(event.outcome, "denied");
    let refusal = payload(&event);
    assert_eq!(refusal["reason"], "access_closed", "{refusal}");
    assert_eq!(refusal["closure"], closure.as_str());
    assert_eq!(
        refusal["closed_because"],
        "将共享数据提供给第三方用于商业营销，超出申请用途"
    );
    // A closure whose record does not parse refuses the read rather than being passed over.
    let damaged = t
        .execute(&format!(
            "UPDATE access_closures SET scope_kind = 'everything' WHERE id = '{closure}'"
        ))
        .await
        .expect("damage the closure");
    assert_eq!(damaged, 1);
    mzj.get(&data_url(&other_code))
        .await
        .expect_problem(403, "closure_unreadable");
    t.execute(&format!(
        "UPDATE access_closures SET scope_kind = 'entry' WHERE id = '{closure}'"
    ))
    .await
    .expect("repair the closure");
    // The whole organisation is closed out of this entry, and only of this entry.
    t.login("mzj-admin")
        .await
        .get(&data_url(&closed_code))
        .await
        .expect_problem(403, "access_closed");
    mzj.get(&data_url(&other_code)).await.expect_status(200);
    // A closure is not a revocation: the grants are untouched.
    let grants = mzj.get("/api/v1/grants").await;
    let statuses: Vec<&str> = grants
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["active", "active"], "{}", grants.text);

    // The grantee sees what it must correct.
    let mine = mzj.get("/api/v1/closures?open=true").await;
    mine.expect_status(200);
    let listed = mine.json.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{}", mine.text);
    assert_eq!(listed[0]["id"], closure.as_str());
    assert_eq!(
        listed[0]["correction"],
        "停止向第三方提供数据，删除留存副本并提交书面整改报告"
    );
    assert_eq!(listed[0]["subject_name"], "市民政局");
    // The closer's list is for whoever closes for the organisation.
    mzj.get("/api/v1/closures?side=closer")
        .await
        .expect_problem(403, "forbidden");
    let given = gaj.get("/api/v1/closures?side=closer").await;
    assert_eq!(given.json[0]["id"], closure.as_str(), "{}", given.text);

    // Reopened by the source once corrected (the grantee cannot reopen it), with a note.
    let reopen = format!("/api/v1/closures/{closure}/reopen");
    t.login("mzj-admin")
        .await
        .post(&reopen, json!({ "correction_note": "已整改" }))
        .await
        .expect_problem(403, "forbidden");
    gaj.post(&reopen, json!({ "correction_note": "" }))
        .await
        .expect_field_error("correction_note", "required");
    let reopened = gaj
        .post(
            &reopen,
            json!({ "correction_note": "已收回并删除第三方持有的副本，书面整改报告已提交" }),
        )
        .await;
    reopened.expect_status(200);
    assert_eq!(reopened.json["open"], false);
    assert_eq!(reopened.json["reopened_by"], "gaj-admin");
    assert_eq!(
        t.last_event_of("reopen_access").await.target_id,
        closure.as_str()
    );
    mzj.get(&data_url(&closed_code)).await.expect_status(200);
    gaj.post(&reopen, json!({ "correction_note": "再次恢复" }))
        .await
        .expect_problem(409, "already_reopened");
    let mine = mzj.get("/api/v1/closures").await;
    assert_eq!(mine.json[0]["open"], false, "{}", mine.text);
    assert_eq!(
        mine.json[0]["correction_note"],
        "已收回并删除第三方持有的副本，书面整改报告已提交"
    );
    assert_eq!(mzj.get("/api/v1/closures?open=true").await.json, json!([]));
}

// H41 (第四十一条: 公共管理和服务机构、公共数据主管部门等应当按照法定权限和程序……暂时关闭获取
// 相关公共数据的权限): each closes within its own powers. A source agency closes access to its
// own data only, not to another agency's entry nor to all of another agency's data; a county
// authority closes within its county, not outside it, and another county's authority not at
// all; the city authority closes anywhere in the city. Reopening is for the organisation that
// closed. Every denial is on record.
pub async fn h41_a_source_closes_only_its_own_data_and_a_county_authority_only_its_county(
    t: TestApp,
) {
    let reviewer = t.login("reviewer").await;
    let gaj = t.login("gaj-admin").await;
    let mzj = t.login("mzj-staff").await;
    let mzj_org = t.org_id("市民政局").await;
    let city_code = shared_entry(&gaj, &reviewer, "关闭权限范围测试市级名录").await;
    granted(&mzj, &gaj, &city_code).await;
    let county_agency = t.login("xcq-gaj-admin").await;
    let county_reviewer = t.login("xcq-reviewer").await;
    let county_code =
        shared_entry(&county_agency, &county_reviewer, "关闭权限范围测试区级名录").await;
    granted(&mzj, &county_agency, &county_code).await;

    // Another agency's entry, or all of another agency's data: 403, on record.
    let denied = || async {
        t.count("SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied' AND action = 'close_access'")
            .await
    };
    let before = denied().await;
    let wjw = t.login("wjw-admin").await;
    wjw.post("/api/v1/closures", closing(&mzj_org, &city_code))
        .await
        .expect_problem(403, "forbidden");
    let wjw_org = t.org_id("市卫生健康委员会").await;
    let all_of_wjw = json!({
        "subject_kind": "organisation", "subject_id": mzj_org, "scope": "provider",
        "provider_org_id": wjw_org, "reason": "越权", "correction": "改正",
    });
    gaj.post("/api/v1/closures", all_of_wjw)
        .await
        .expect_problem(403, "forbidden");
    gaj.post("/api/v1/closures", closing(&mzj_org, &county_code))
        .await
        .expect_problem(403, "forbidden");
    // A county authority: not the city's data; another county's authority: not this county's.
    county_reviewer
        .post("/api/v1/closures", closing(&mzj_org, &city_code))
        .await
        .expect_problem(403, "forbidden");
    t.login("tzq-reviewer")
        .await
        .post("/api/v1/closures", closing(&mzj_org, &county_code))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(denied().await - before, 5, "every denial is on record");
    mzj.get(&data_url(&city_code)).await.expect_status(200);
    mzj.get(&data_url(&county_code)).await.expect_status(200);

    // The county authority closes within its county: all of 新城区公安分局's data.
    let county_agency_org = t.org_id("新城区公安分局").await;
    let closed = county_reviewer
        .post(
            "/api/v1/closures",
            json!({
                "subject_kind": "account", "subject_id": t.account_id("mzj-staff").await,
                "scope": "provider", "provider_org_id": county_agency_org,
                "reason": "在共享数据中批量导出辖区居民信息", "correction": "删除导出文件并说明用途",
            }),
        )
        .await;
    closed.expect_status(201);
    assert_eq!(closed.json["closing_org_name"], "新城区大数据管理局");
    let refused = mzj.get(&data_url(&county_code)).await;
    refused.expect_problem(403, "access_closed");
    assert!(
        refused.json["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("新城区大数据管理局"),
        "{}",
        refused.text
    );
    // The account only: a colleague still reads; the city's data is untouched.
    t.login("mzj-admin")
        .await
        .get(&data_url(&county_code))
        .await
        .expect_status(200);
    mzj.get(&data_url(&city_code)).await.expect_status(200);

    // The city authority closes anywhere in the city; only the closer reopens.
    let city_closure = reviewer
        .post("/api/v1/closures", closing(&mzj_org, &city_code))
        .await;
    city_closure.expect_status(201);
    mzj.get(&data_url(&city_code))
        .await
        .expect_problem(403, "access_closed");
    let reopen = |id: &Value| format!("/api/v1/closures/{}/reopen", id.as_str().unwrap());
    let note = json!({ "correction_note": "已整改" });
    gaj.post(&reopen(&city_closure.json["id"]), note.clone())
        .await
        .expect_problem(403, "forbidden");
    reviewer
        .post(&reopen(&city_closure.json["id"]), note.clone())
        .await
        .expect_status(200);
    county_reviewer
        .post(&reopen(&closed.json["id"]), note)
        .await
        .expect_status(200);
    mzj.get(&data_url(&city_code)).await.expect_status(200);
    mzj.get(&data_url(&county_code)).await.expect_status(200);
}

// H41 (第四十一条: 督促改正，并暂时关闭获取相关公共数据的权限) in the console: the source's admin
// closes a grantee chosen from its grantees (a missing correction comes back on its field);
// the grantee's 权限关闭 page shows the closure with the correction demanded and its data page
// says why it cannot read; the admin reopens it with a note on the correction.
pub async fn h41_a_closure_is_made_seen_and_reopened_in_the_console(t: TestApp) {
    let gaj_api = t.login("gaj-admin").await;
    let code = shared_entry(&gaj_api, &t.login("reviewer").await, "控制台关闭测试名录").await;
    granted(&t.login("mzj-staff").await, &gaj_api, &code).await;
    let mzj_org = t.org_id("市民政局").await;

    let gaj = t.browser_login("gaj-admin").await;
    let page = gaj.get("/sharing/closures").await;
    page.expect_status(200);
    assert_chinese_page(&page, "the closures page of a source");
    assert!(
        page.text.contains(&format!(r#"<option value="{mzj_org}""#)),
        "the grantee is offered: {}",
        page.text
    );
    assert!(page.text.contains(&format!(r#"value="entry:{code}""#)));
    let form = |correction: &'static str| {
        vec![
            ("subject_kind", "organisation".to_owned()),
            ("org_id", mzj_org.clone()),
            ("scope", format!("entry:{code}")),
            ("reason", "超出申请用途使用".to_owned()),
            ("correction", correction.to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let gaj = &gaj;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(gaj, "/sharing/closures", &pairs).await
        }
    };
    let res: Resp = post(form("")).await;
    res.expect_status(422);
    assert!(res.text.contains("改正要求不能为空"), "{}", res.text);
    assert!(res.text.contains("超出申请用途使用"), "the reason is kept");
    let res = post(form("删除留存副本后书面报告")).await;
    assert_eq!(
        res.header("location"),
        Some("/sharing/closures?notice=access_closed")
    );

    let mzj = t.browser_login("mzj-staff").await;
    let page = mzj.get("/sharing/closures").await;
    page.expect_status(200);
    assert_chinese_page(&page, "the closures page of a grantee");
    assert!(
        page.text.contains("删除留存副本后书面报告"),
        "{}",
        page.text
    );
    assert!(page.text.contains("关闭中"));
    assert!(
        !page.text.contains("暂时关闭数据获取权限"),
        "no form for the grantee"
    );
    let data = mzj.get(&format!("/catalog/entries/{code}/data")).await;
    data.expect_status(200);
    assert!(
        data.text.contains("市公安局已暂时关闭您获取该数据的权限"),
        "{}",
        data.text
    );

    let page = gaj.get("/sharing/closures").await;
    let closure: String = page
        .text
        .split_once("/sharing/closures/")
        .and_then(|(_, rest)| rest.split_once("/reopen"))
        .map(|(id, _)| id.to_owned())
        .expect("a reopen form");
    let reopen = format!("/sharing/closures/{closure}/reopen");
    post_form(&gaj, &reopen, &[("correction_note", "")])
        .await
        .expect_status(422);
    let res = post_form(&gaj, &reopen, &[("correction_note", "整改报告已审核")]).await;
    assert_eq!(
        res.header("location"),
        Some("/sharing/closures?notice=access_reopened")
    );
    let page = mzj.get("/sharing/closures").await;
    assert!(page.text.contains("整改报告已审核"), "{}", page.text);
    t.login("mzj-staff")
        .await
        .get(&data_url(&code))
        .await
        .expect_status(200);
}

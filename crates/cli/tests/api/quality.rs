//! Data quality (issue 4 item 5; H11, H12, B11, B17): the owner agency adds quality rules to
//! its items; every uploaded version is scored on completeness, validity, uniqueness and
//! timeliness while it is ingested, with its worst rows; the provider and the reviewing
//! authority read the scores; entries whose data is older than their update frequency allows
//! are listed as overdue for the authority (its scope) and the agency (its own).

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{entry, publish, successes, with};
use crate::support::{Client, Resp, TestApp};

/// A published entry of 市公安局, updated daily, with an item of each kind the rules use.
pub(crate) async fn published_entry(t: &TestApp, name: &str) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let body = with(entry(name), |e| {
        e["items"] = json!([
            { "code": "sfzh", "name": "公民身份号码", "data_type": "citizen_id", "grade": "general_3", "personal": true },
            { "code": "xm", "name": "姓名", "data_type": "text", "grade": "general_3", "personal": true },
            { "code": "xb", "name": "性别", "data_type": "text", "grade": "general_3" },
            { "code": "nl", "name": "年龄", "data_type": "integer", "grade": "general_3" },
            { "code": "djrq", "name": "登记日期", "data_type": "date", "grade": "general_3" }
        ]);
    });
    publish(&gaj, &reviewer, body).await
}

fn rules_path(code: &str) -> String {
    format!("/api/v1/entries/{code}/quality-rules")
}

async fn add_rule(client: &Client, code: &str, body: Value) -> Resp {
    client.post(&rules_path(code), body).await
}

/// The rules most tests use: sfzh is the key, xb is 男/女, nl is 0–150, xm is two to four
/// Chinese characters, djrq is required.
pub(crate) async fn add_usual_rules(client: &Client, code: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for body in [
        json!({ "item_code": "sfzh", "kind": "unique" }),
        json!({ "item_code": "xb", "kind": "enum", "values": ["男", "女"] }),
        json!({ "item_code": "nl", "kind": "range", "min": "0", "max": "150" }),
        json!({ "item_code": "xm", "kind": "pattern", "pattern": r"\p{Han}{2,4}" }),
        json!({ "item_code": "djrq", "kind": "required" }),
    ] {
        let res = add_rule(client, code, body).await;
        res.expect_status(201);
        ids.push(res.json["id"].as_str().expect("an id").to_owned());
    }
    ids
}

pub(crate) async fn upload(client: &Client, code: &str, query: &str, body: String) -> Resp {
    client
        .send(
            client
                .request(
                    Method::POST,
                    &format!("/api/v1/catalog/entries/{code}/versions?{query}"),
                )
                .body(body),
        )
        .await
}

/// A valid citizen ID born on `birth` (YYYYMMDD) with sequence `seq`.
pub(crate) fn citizen_id(birth: &str, seq: u32) -> String {
    let first17 = format!("150102{birth}{seq:03}");
    let check = gongshu_domain::CitizenId::check_char_for(&first17).expect("digits");
    format!("{first17}{check}")
}

// H11, B17: the owner agency adds one rule of each kind; each is validated with field
// messages in Chinese and English (a kind that does not fit the item's type, bounds out of
// order, a pattern that does not compile, an unknown item or kind), a second rule of the same
// kind on an item is a 409, and every addition and deletion is audited. The reviewing
// authority reads the rules but may not change them; another agency is told the entry does
// not exist.
pub async fn h11_owner_adds_validated_rules_and_each_change_is_audited(t: TestApp) {
    let code = published_entry(&t, "质量规则测试").await;
    let gaj = t.login("gaj-admin").await;
    let ids = add_usual_rules(&gaj, &code).await;
    for id in &ids {
        assert_eq!(successes(&t, "create_quality_rule", id).await, 1, "{id}");
    }

    add_rule(
        &gaj,
        &code,
        json!({ "item_code": "djrq", "kind": "enum", "values": ["2024-01-01"] }),
    )
    .await
    .expect_field_error("kind", "rule_does_not_fit");
    let res = add_rule(
        &gaj,
        &code,
        json!({ "item_code": "djrq", "kind": "range", "min": "2025-01-01", "max": "2024-01-01" }),
    )
    .await;
    res.expect_field_error("max", "min_above_max");
    assert!(
        res.json["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("下限大于上限"),
        "{}",
        res.text
    );
    add_rule(
        &gaj,
        &code,
        json!({ "item_code": "xm", "kind": "pattern", "pattern": "(未闭合" }),
    )
    .await
    .expect_field_error("pattern", "bad_pattern");
    add_rule(
        &gaj,
        &code,
        json!({ "item_code": "nl", "kind": "enum", "values": ["1", "一"] }),
    )
    .await
    .expect_field_error("values", "not_an_integer");
    add_rule(
        &gaj,
        &code,
        json!({ "item_code": "dh", "kind": "required" }),
    )
    .await
    .expect_field_error("item_code", "unknown_item");
    add_rule(
        &gaj,
        &code,
        json!({ "item_code": "xm", "kind": "checksum" }),
    )
    .await
    .expect_field_error("kind", "unknown_value");
    add_rule(
        &gaj,
        &code,
        json!({ "item_code": "xm", "kind": "required", "severity": "high" }),
    )
    .await
    .expect_problem(422, "invalid_body");
    let dup = add_rule(
        &gaj,
        &code,
        json!({ "item_code": "xb", "kind": "enum", "values": ["男"] }),
    )
    .await;
    dup.expect_problem(409, "duplicate_rule");
    assert!(dup.json["message"]["zh"].as_str().unwrap().contains("性别"));

    let list = gaj.get(&rules_path(&code)).await;
    list.expect_status(200);
    let kinds: Vec<(String, String, bool)> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["item_code"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
                r["applies"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("djrq".into(), "required".into(), true),
            ("nl".into(), "range".into(), true),
            ("sfzh".into(), "unique".into(), true),
            ("xb".into(), "enum".into(), true),
            ("xm".into(), "pattern".into(), true),
        ]
    );
    let range = &list.json[1];
    assert_eq!(
        range["rule"],
        json!({ "kind": "range", "min": "0", "max": "150" })
    );
    assert_eq!(range["item_name"], "年龄");
    assert_eq!(range["kind_zh"], "取值范围");

    let reviewer = t.login("reviewer").await;
    reviewer.get(&rules_path(&code)).await.expect_status(200);
    add_rule(
        &reviewer,
        &code,
        json!({ "item_code": "xm", "kind": "required" }),
    )
    .await
    .expect_problem(403, "forbidden");
    let mzj = t.login("mzj-admin").await;
    mzj.get(&rules_path(&code))
        .await
        .expect_problem(404, "not_found");
    add_rule(
        &mzj,
        &code,
        json!({ "item_code": "xm", "kind": "required" }),
    )
    .await
    .expect_problem(404, "not_found");
    mzj.delete(&format!("{}/{}", rules_path(&code), ids[0]))
        .await
        .expect_problem(404, "not_found");

    let before = t.audit_count().await;
    let res = gaj
        .delete(&format!("{}/{}", rules_path(&code), ids[1]))
        .await;
    res.expect_status(204);
    assert_eq!(t.audit_count().await, before + 1);
    assert_eq!(successes(&t, "delete_quality_rule", &ids[1]).await, 1);
    gaj.delete(&format!("{}/{}", rules_path(&code), ids[1]))
        .await
        .expect_problem(404, "not_found");
    let list = gaj.get(&rules_path(&code)).await;
    assert_eq!(list.json.as_array().unwrap().len(), 4);
    // Once deleted, the kind may be added again.
    add_rule(
        &gaj,
        &code,
        json!({ "item_code": "xb", "kind": "enum", "values": ["男", "女", "未说明"] }),
    )
    .await
    .expect_status(201);
}

// H11, B17: a version is scored while it is ingested. Rows dropped for bad cells (a citizen
// ID with a wrong checksum) count against validity; the owner's rules count violations
// without refusing rows; the declared key finds the repeated person; completeness counts the
// required item. The scores are in the version view; the per-item counts and the worst rows,
// by their line in the uploaded file and without the values, are in the entry's quality for
// the provider and the reviewing authority, and nobody else.
pub async fn h11_b17_a_version_is_scored_while_ingested_with_its_worst_rows(t: TestApp) {
    let code = published_entry(&t, "质量评分测试").await;
    let gaj = t.login("gaj-admin").await;
    add_usual_rules(&gaj, &code).await;
    let (a, b, c) = (
        citizen_id("19800101", 1),
        citizen_id("19900202", 2),
        citizen_id("20000303", 3),
    );
    let mut bad = citizen_id("19850404", 4);
    let last = if bad.ends_with('1') { "2" } else { "1" };
    bad.replace_range(17.., last);
    let csv = format!(
        "公民身份号码,姓名,性别,年龄,登记日期\n\
         {a},张三,男,30,2024-03-01\n\
         {b},李四,女,200,2024-03-02\n\
         {bad},王五,男,40,2024-03-03\n\
         {a},A1,未知,20,\n\
         {c},赵六,女,50,2024-03-05\n"
    );
    let res = upload(&gaj, &code, "filename=q.csv&drop_bad_rows=true", csv).await;
    res.expect_status(201);
    assert_eq!(
        (res.json["rows"].as_i64(), res.json["bad_rows"].as_i64()),
        (Some(4), Some(1))
    );
    let scores = &res.json["quality"];
    // Completeness: 4 of 5 required cells; validity: 20 of 24 filled cells (a bad checksum,
    // an age of 200, a name of Latin letters, a sex of 未知); uniqueness: 3 of 4 complete
    // keys; timeliness: the first version, uploaded as soon as the entry was published.
    assert_eq!(
        scores,
        &json!({
            "completeness": 80.0, "validity": 83.3, "uniqueness": 75.0,
            "timeliness": 100.0, "overall": 84.5
        }),
        "{}",
        res.text
    );
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(list.json[0]["quality"]["overall"], 84.5);

    let report = gaj.get(&format!("/api/v1/entries/{code}/quality")).await;
    report.expect_status(200);
    let q = &report.json["quality"];
    assert_eq!(report.json["version"], 1);
    assert_eq!(report.json["overdue"], false);
    assert_eq!(report.json["timeliness_now"], 100.0);
    assert_eq!(report.json["overall_now"], 84.5);
    assert_eq!(report.json["rules"].as_array().unwrap().len(), 5);
    assert_eq!(q["rows"], 5);
    assert_eq!(q["rules"], 5);
    assert_eq!(q["key"], json!(["sfzh"]));
    assert_eq!(
        (q["key_rows"].as_u64(), q["duplicate_rows"].as_u64()),
        (Some(4), Some(1))
    );
    let item = |code: &str| {
        q["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(item("sfzh")["invalid"], 1);
    assert_eq!(item("nl")["out_of_range"], 1);
    assert_eq!(item("xm")["pattern_mismatch"], 1);
    assert_eq!(item("xb")["not_in_enum"], 1);
    assert_eq!(
        (
            item("djrq")["required"].as_bool(),
            item("djrq")["filled"].as_u64()
        ),
        (Some(true), Some(4))
    );

    let worst = q["worst_rows"].as_array().unwrap();
    let order: Vec<(u64, u64)> = worst
        .iter()
        .map(|w| (w["row"].as_u64().unwrap(), w["problems"].as_u64().unwrap()))
        .collect();
    assert_eq!(order, [(4, 4), (2, 1), (3, 1)]);
    assert_eq!(worst[0]["source"], "第5行 line 5");
    let codes: Vec<&str> = worst[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "pattern_mismatch",
            "not_in_enum",
            "missing_required",
            "duplicate_key"
        ]
    );
    assert!(
        worst[0]["reasons"][0]["zh"]
            .as_str()
            .unwrap()
            .starts_with("姓名：")
    );
    assert_eq!(worst[2]["reasons"][0]["code"], "bad_citizen_id");
    assert!(
        !report.text.contains(&bad) && !report.text.contains(&a),
        "the worst rows name places and reasons, never values"
    );

    let reviewer = t.login("reviewer").await;
    let seen = reviewer
        .get(&format!("/api/v1/entries/{code}/quality"))
        .await;
    seen.expect_status(200);
    assert_eq!(seen.json["quality"], report.json["quality"]);
    for other in ["mzj-admin", "xcq-reviewer"] {
        t.login(other)
            .await
            .get(&format!("/api/v1/entries/{code}/quality"))
            .await
            .expect_problem(404, "not_found");
    }
    gaj.get(&format!("/api/v1/entries/{code}/quality?version=7"))
        .await
        .expect_problem(404, "not_found");
    gaj.get(&format!("/api/v1/entries/{code}/quality?version=1"))
        .await
        .expect_status(200);
}

fn overdue_codes(res: &Resp) -> Vec<String> {
    res.expect_status(200);
    res.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

// H12: timeliness follows the entry's update frequency (daily here): full while the data is
// a day old at most, half at a day and a half. Data older than its frequency allows is
// overdue: listed for the owner agency and the authority whose scope it is in (not another
// agency, not a county authority), with entries that never received data; other roles are
// refused. A new version is scored on how late it came and ends the overdue state; a
// withdrawn version does not count as an update.
pub async fn h12_stale_data_loses_timeliness_and_is_listed_as_overdue(t: TestApp) {
    let code = published_entry(&t, "更新及时性测试").await;
    let never = published_entry(&t, "从未上传数据的目录").await;
    let gaj = t.login("gaj-admin").await;
    let csv = || {
        format!(
            "公民身份号码,姓名,性别,年龄,登记日期\n{},张三,男,30,2024-03-01\n",
            citizen_id("19800101", 1)
        )
    };
    upload(&gaj, &code, "filename=v1.csv", csv())
        .await
        .expect_status(201);
    assert!(!overdue_codes(&gaj.get("/api/v1/data/overdue").await).contains(&code));

    t.advance(Duration::hours(36));
    let gaj = t.login("gaj-admin").await;
    let report = gaj.get(&format!("/api/v1/entries/{code}/quality")).await;
    report.expect_status(200);
    assert_eq!(report.json["timeliness_now"], 50.0, "{}", report.text);
    assert_eq!(report.json["overdue"], true);
    assert_eq!(report.json["due_at"], "2025-09-02 09:00:00");
    assert_eq!(
        report.json["quality"]["scores"]["timeliness"], 100.0,
        "as stored at upload"
    );
    assert_eq!(report.json["overall_now"], 87.5);

    let mine = gaj.get("/api/v1/data/overdue?per_page=200").await;
    let codes = overdue_codes(&mine);
    assert!(codes.contains(&code) && codes.contains(&never), "{codes:?}");
    let stale = mine.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code.as_str())
        .unwrap();
    assert_eq!(stale["last_version"], 1);
    assert_eq!(stale["last_update"], "2025-09-01 09:00:00");
    assert_eq!(stale["due_at"], "2025-09-02 09:00:00");
    assert_eq!(stale["update_frequency_zh"], "每日");
    assert_eq!(stale["org_name"], "市公安局");
    let fresh_less = mine.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == never.as_str())
        .unwrap();
    assert_eq!(fresh_less["last_version"], Value::Null);
    let one = gaj.get("/api/v1/data/overdue?per_page=1").await;
    assert_eq!(overdue_codes(&one).len(), 1);
    assert!(one.json["total"].as_u64().unwrap() >= 2, "{}", one.text);

    let city = overdue_codes(
        &t.login("reviewer")
            .await
            .get("/api/v1/data/overdue?per_page=200")
            .await,
    );
    assert!(city.contains(&code) && city.contains(&never), "{city:?}");
    for outsider in ["mzj-admin", "xcq-reviewer"] {
        let theirs = overdue_codes(
            &t.login(outsider)
                .await
                .get("/api/v1/data/overdue?per_page=200")
                .await,
        );
        assert!(
            !theirs.contains(&code) && !theirs.contains(&never),
            "{outsider}: {theirs:?}"
        );
    }
    for refused in ["auditor", "sysadmin"] {
        t.login(refused)
            .await
            .get("/api/v1/data/overdue")
            .await
            .expect_problem(403, "forbidden");
    }

    // A new version, a day and a half after the first: scored half timely, no longer overdue.
    let v2 = upload(&gaj, &code, "filename=v2.csv", csv()).await;
    v2.expect_status(201);
    assert_eq!(v2.json["quality"]["timeliness"], 50.0, "{}", v2.text);
    let report = gaj.get(&format!("/api/v1/entries/{code}/quality")).await;
    assert_eq!(report.json["quality"]["hours_since_previous_update"], 36);
    assert_eq!(
        (
            report.json["overdue"].as_bool(),
            report.json["timeliness_now"].as_f64()
        ),
        (Some(false), Some(100.0))
    );
    assert!(!overdue_codes(&gaj.get("/api/v1/data/overdue?per_page=200").await).contains(&code));

    // Withdrawn, the new version is not an update: the first one is in force again.
    gaj.post(
        &format!("/api/v1/catalog/entries/{code}/versions/2/withdraw"),
        json!({ "reason": "数据有误" }),
    )
    .await
    .expect_status(200);
    let codes = overdue_codes(&gaj.get("/api/v1/data/overdue?per_page=200").await);
    assert!(codes.contains(&code), "{codes:?}");
    let report = gaj.get(&format!("/api/v1/entries/{code}/quality")).await;
    assert_eq!(report.json["version"], 1);
}

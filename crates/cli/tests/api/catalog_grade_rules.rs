//! Issue 13 item 3 (H7, H25, H36): which share and open types a grade allows, which it
//! suggests and whether its items are masked are rules of the classification scheme the city
//! authority sets and versions, not constants of the platform; an entry that departs from its
//! grade's suggestion states why, and the reviewer sees it.

use serde_json::{Value, json};

use crate::catalog_fixtures::{create, entry, entry_count, get, submit, with};
use crate::console_pages::post_form;
use crate::support::{Client, TestApp};

async fn current(client: &Client) -> Value {
    let res = client.get("/api/v1/catalog/scheme").await;
    res.expect_status(200);
    res.json
}

/// Publishes the scheme in force with `change` applied to its grade rules; returns the new
/// version's number.
async fn publish_rules(reviewer: &Client, note: &str, change: impl FnOnce(&mut Value)) -> i64 {
    let mut scheme = current(reviewer).await["scheme"].clone();
    change(&mut scheme["grade_rules"]);
    let res = reviewer
        .put(
            "/api/v1/catalog/scheme",
            json!({ "scheme": scheme, "note": note }),
        )
        .await;
    res.expect_status(200);
    res.json["version"].as_i64().expect("a version")
}

/// The fixture entry (general_3, unconditionally shared, not open) opened without conditions.
fn general_3_open(name: &str) -> Value {
    with(entry(name), |e| {
        e["open_type"] = json!("unconditional");
        e["not_open_reason"] = Value::Null;
    })
}

// 第七条：公共数据主管部门应当根据国家和上级公共数据主管部门制定的公共数据分类分级相关规定，
// 增补本行政区域公共数据分类分级规则。
// 第三十六条：任何组织或个人不得……擅自增设条件，阻碍、影响公共数据共享、开放和利用。
// Which grades may be opened without conditions is the authority's rule: once it publishes a
// version letting general_3 be opened unconditionally, an agency may catalog such an entry;
// when a later version withdraws it, new gradings are refused again while the entry keeps the
// version it was graded under. The masking default follows the rules too.
pub async fn h7_h36_the_authority_changes_the_grade_rules_and_the_allowed_types_follow(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    let gaj = t.login("gaj-admin").await;
    let v1 = current(&t.anonymous()).await;
    assert_eq!(
        v1["scheme"]["grade_rules"]["general_3"]["open_types"],
        json!(["conditional", "not_open"]),
        "the default scheme keeps the rule the platform always applied"
    );
    let before = entry_count(&t).await;
    gaj.post("/api/v1/catalog/entries", general_3_open("三级无条件开放"))
        .await
        .expect_field_error("open_type", "grade_forbids_open");
    assert_eq!(entry_count(&t).await, before, "nothing written");

    let v2 = publish_rules(
        &reviewer,
        "一般数据3级可以无条件开放，默认脱敏",
        |rules| {
            let g3 = &mut rules["general_3"];
            g3["open_types"] = json!(["unconditional", "conditional", "not_open"]);
            g3["masked"] = json!(true);
        },
    )
    .await;
    assert_eq!(v2, 2);
    let shown = current(&t.anonymous()).await;
    assert_eq!(
        shown["scheme"]["grade_rules"]["general_3"]["open_types"],
        json!(["unconditional", "conditional", "not_open"])
    );

    let code = create(&gaj, general_3_open("三级无条件开放")).await;
    let view = get(&gaj, &code).await;
    assert_eq!(view.json["scheme_version"], 2);
    assert_eq!(view.json["open_type"], "unconditional");
    for item in view.json["items"].as_array().unwrap() {
        assert_eq!(item["masked"], true, "general_3 is masked by default now");
    }

    // The scheme page shows the rules in force.
    let page = t
        .browser_login("gaj-admin")
        .await
        .get("/catalog/scheme")
        .await;
    page.expect_status(200);
    let row = page
        .text
        .split(r#"<tr id="grade-general_3">"#)
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("no general_3 row: {}", page.text));
    assert!(row.contains("无条件开放、有条件开放、非开放"), "{row}");
    assert!(row.contains("默认脱敏"), "{row}");

    // Version 3 withdraws the relaxation: new gradings are refused on the grade rule again,
    // and an edit re-grades under the scheme in force, while the entry graded under version 2
    // keeps it.
    publish_rules(&reviewer, "撤销一般数据3级无条件开放", |rules| {
        rules["general_3"]["open_types"] = json!(["conditional", "not_open"]);
    })
    .await;
    gaj.post("/api/v1/catalog/entries", general_3_open("再次三级开放"))
        .await
        .expect_field_error("open_type", "grade_forbids_open");
    gaj.put(
        &format!("/api/v1/catalog/entries/{code}"),
        general_3_open("三级无条件开放（修改）"),
    )
    .await
    .expect_field_error("open_type", "grade_forbids_open");
    let kept = get(&gaj, &code).await;
    assert_eq!(kept.json["scheme_version"], 2);
    assert_eq!(kept.json["open_type"], "unconditional");
}

// 第二十五条：公共数据按照开放属性分为非开放、有条件开放和无条件开放3种类型。
// 第三十六条：任何组织或个人不得……擅自增设条件，阻碍、影响公共数据共享、开放和利用。
// The grade suggests its default types; an entry that takes another type states a departure
// reason (偏离理由), which is stored with the revision and shown to the reviewer, on the API
// and on the console's entry page. Following the suggestion needs no reason.
pub async fn h7_h25_a_departure_from_the_grades_suggestion_needs_a_reason_the_reviewer_sees(
    t: TestApp,
) {
    let reviewer = t.login("reviewer").await;
    let gaj = t.login("gaj-admin").await;
    publish_rules(
        &reviewer,
        "一般数据3级建议无条件共享、有条件开放",
        |rules| {
            rules["general_3"]["suggested_share_type"] = json!("unconditional");
            rules["general_3"]["suggested_open_type"] = json!("conditional");
        },
    )
    .await;

    let before = entry_count(&t).await;
    let res = gaj
        .post("/api/v1/catalog/entries", entry("偏离建议无理由"))
        .await;
    res.expect_field_error("departure_reason", "departure_reason_required");
    assert_eq!(res.field_errors().len(), 1, "{}", res.text);
    assert!(
        res.text.contains("建议无条件共享、有条件开放"),
        "the message names the suggestion: {}",
        res.text
    );
    assert_eq!(entry_count(&t).await, before, "nothing written");

    let reason = "含公民身份号码等个人信息，依个人信息保护法第二十八条不宜向社会开放";
    let code = create(
        &gaj,
        with(entry("偏离建议有理由"), |e| {
            e["departure_reason"] = json!(reason)
        }),
    )
    .await;
    let view = get(&gaj, &code).await;
    assert_eq!(view.json["departure_reason"], reason);
    assert_eq!(view.json["departs_from_grade"], true);
    assert_eq!(view.json["suggested_share_type"], "unconditional");
    assert_eq!(view.json["suggested_open_type"], "conditional");
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM catalog_revisions WHERE departure_reason = '{reason}'"
        ))
        .await,
        1,
        "the reason is stored with the revision"
    );

    let following = create(
        &gaj,
        with(entry("按建议有条件开放"), |e| {
            e["open_type"] = json!("conditional");
            e["open_conditions"] = json!("限定用于科研，须签署数据使用协议");
            e["not_open_reason"] = Value::Null;
        }),
    )
    .await;
    let view = get(&gaj, &following).await;
    assert_eq!(view.json["departs_from_grade"], false);
    assert_eq!(view.json["departure_reason"], "");

    // The reviewer sees the reason on the submitted revision.
    submit(&gaj, &code).await.expect_status(200);
    let seen = get(&reviewer, &code).await;
    seen.expect_status(200);
    assert_eq!(seen.json["state"], "submitted");
    assert_eq!(seen.json["departure_reason"], reason);
    let page = t
        .browser_login("reviewer")
        .await
        .get(&format!("/catalog/entries/{code}"))
        .await;
    page.expect_status(200);
    assert!(page.text.contains("偏离理由"), "{}", page.text);
    assert!(page.text.contains(reason), "{}", page.text);
    assert!(page.text.contains("本条目与建议不同"), "{}", page.text);
}

// 第三十六条: the console's entry form asks for the departure reason next to the types and
// refuses a departure without one on that field, keeping what was typed.
pub async fn h36_the_entry_form_asks_for_the_departure_reason(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    publish_rules(
        &reviewer,
        "一般数据1级建议无条件共享、无条件开放",
        |rules| {
            rules["general_1"]["suggested_share_type"] = json!("unconditional");
            rules["general_1"]["suggested_open_type"] = json!("unconditional");
        },
    )
    .await;
    let gaj = t.browser_login("gaj-admin").await;
    let form = gaj.get("/catalog/entries/new").await;
    form.expect_status(200);
    assert!(
        form.text.contains(r#"name="departure_reason""#),
        "{}",
        form.text
    );
    assert!(
        form.text.contains("分类分级方案第2版的分级规则"),
        "{}",
        form.text
    );

    let mut fields = vec![
        ("category_code", "201"),
        ("name", "按月统计的不开放数据"),
        ("summary", "统计数据，暂不开放"),
        ("grade", "general_1"),
        ("data_form", "spreadsheet"),
        ("share_type", "unconditional"),
        ("share_modes", "api_query"),
        ("open_type", "not_open"),
        ("not_open_reason", "legal_bar"),
        ("update_frequency", "monthly"),
        ("items[0].code", "tjyf"),
        ("items[0].name", "统计月份"),
        ("items[0].data_type", "text"),
    ];
    let res = post_form(&gaj, "/catalog/entries", &fields).await;
    res.expect_status(422);
    assert!(
        res.text.contains(
            r#"<span class="field-error">分类分级方案对一般数据（1级）建议无条件共享、无条件开放"#
        ),
        "no field message for the departure reason: {}",
        res.text
    );
    assert!(res.text.contains("统计数据，暂不开放"), "{}", res.text);
    assert_eq!(entry_count(&t).await, 0, "nothing was saved");

    let reason = "统计口径调整期间数据尚未核定，依统计法暂不开放";
    fields.push(("departure_reason", reason));
    let res = post_form(&gaj, "/catalog/entries", &fields).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let location = res.header("location").expect("a redirect").to_owned();
    let page = gaj.get(&location).await;
    page.expect_status(200);
    assert!(page.text.contains(reason), "{}", page.text);
}

/// A change to a scheme's JSON, and the field errors it must draw.
type Change = fn(&mut Value);
type Expected = &'static [(&'static str, &'static str)];

// 第七条: a scheme whose grade rules are incomplete or contradict each other (a suggestion the
// grade does not allow, a higher grade opened more freely than a lower one, a grade that could
// not be marked not open as 第二十五条 requires) is refused on its fields, and no version is
// written.
pub async fn h7_a_scheme_with_incomplete_or_contradictory_grade_rules_is_refused(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    let scheme = current(&reviewer).await["scheme"].clone();
    let put = |change: fn(&mut Value)| {
        let mut s = scheme.clone();
        change(&mut s);
        json!({ "scheme": s, "note": "有问题的分级规则" })
    };
    let cases: [(Change, Expected); 4] = [
        (
            |s| {
                s.as_object_mut().unwrap().remove("grade_rules");
            },
            &[
                ("grade_rules.general_1", "grade_rule_missing"),
                ("grade_rules.core", "grade_rule_missing"),
            ],
        ),
        (
            |s| {
                s["grade_rules"]["general_3"]["suggested_open_type"] = json!("unconditional");
                s["grade_rules"]["general_3"]
                    .as_object_mut()
                    .unwrap()
                    .remove("masked");
            },
            &[
                (
                    "grade_rules.general_3.suggested_open_type",
                    "suggestion_not_allowed",
                ),
                ("grade_rules.general_3.masked", "required"),
            ],
        ),
        (
            |s| {
                s["grade_rules"]["important"]["open_types"] =
                    json!(["unconditional", "conditional", "not_open"]);
            },
            &[(
                "grade_rules.important.open_types",
                "looser_than_lower_grade",
            )],
        ),
        (
            |s| {
                s["grade_rules"]["general_1"]["open_types"] = json!(["unconditional"]);
            },
            &[(
                "grade_rules.general_1.open_types",
                "not_open_always_allowed",
            )],
        ),
    ];
    for (change, expected) in cases {
        let res = reviewer.put("/api/v1/catalog/scheme", put(change)).await;
        for (field, code) in expected {
            res.expect_field_error(field, code);
        }
    }
    assert_eq!(current(&reviewer).await["version"], 1, "no version written");
}

// 第七条: a scheme version stored before schemes carried grade rules was in force while the
// platform applied the rules the default scheme now states; it still reads, with those rules,
// and entries graded under it follow them.
pub async fn h7_a_scheme_version_stored_without_grade_rules_reads_with_the_former_rules(
    t: TestApp,
) {
    let mut legacy = current(&t.anonymous()).await["scheme"].clone();
    legacy.as_object_mut().unwrap().remove("grade_rules");
    let definition = legacy.to_string().replace('\'', "''");
    t.execute(&format!(
        "INSERT INTO classification_schemes (version, definition, note, created_at, created_by) \
         VALUES (2, '{definition}', '规则进入方案之前的版本', 0, 'reviewer')"
    ))
    .await
    .expect("insert a version without grade rules");
    let shown = current(&t.anonymous()).await;
    assert_eq!(shown["version"], 2);
    assert_eq!(
        shown["scheme"]["grade_rules"]["core"]["share_types"],
        json!(["not_shared"])
    );
    let gaj = t.login("gaj-admin").await;
    gaj.post("/api/v1/catalog/entries", general_3_open("旧版方案下开放"))
        .await
        .expect_field_error("open_type", "grade_forbids_open");
    let code = create(&gaj, entry("旧版方案下的条目")).await;
    assert_eq!(get(&gaj, &code).await.json["scheme_version"], 2);
}

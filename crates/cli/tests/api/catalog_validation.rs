//! Issue 3 item 2: every rule an entry must satisfy (H2, H7, H18, H25), through the API. Each
//! broken rule is a 422 `invalid_input` naming the field and a stable code, and nothing is
//! written.

use serde_json::{Value, json};

use crate::catalog_fixtures::{entry, entry_count, with};
use crate::support::{Client, TestApp};

/// Posts `body` as a new entry and asserts the refusal names `field` with `code`.
async fn refused(t: &TestApp, agency: &Client, body: Value, field: &str, code: &str) {
    let before = entry_count(t).await;
    agency
        .post("/api/v1/catalog/entries", body)
        .await
        .expect_field_error(field, code);
    assert_eq!(
        entry_count(t).await,
        before,
        "{field}/{code}: nothing written"
    );
}

fn basis() -> Value {
    json!([{ "law": "中华人民共和国居民身份证法", "article": "第十三条" }])
}

// The valid fixture really is valid, so each refusal below is caused by its one change.
pub async fn the_fixture_entry_is_accepted_as_a_draft(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let res = gaj
        .post("/api/v1/catalog/entries", entry("户籍人口测试"))
        .await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "draft");
    assert!(
        res.json["code"].as_str().unwrap().starts_with("101-"),
        "resource code = category code + sequence: {}",
        res.json["code"]
    );
}

// H2: anything marked as a state secret is refused outright.
pub async fn an_entry_marked_state_secret_is_refused(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let body = with(entry("涉密测试"), |e| e["state_secret"] = json!(true));
    refused(&t, &gaj, body, "state_secret", "state_secret_refused").await;
}

// H18: conditional and not-shared entries need a legal basis; conditional needs conditions;
// a legal basis names the law and the article; not-shared data is offered for verification only.
pub async fn sharing_rules_name_the_field_they_concern(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let conditional_without_basis = with(entry("共享测试1"), |e| {
        e["share_type"] = json!("conditional");
        e["share_conditions"] = json!("仅用于社保资格认证");
    });
    refused(
        &t,
        &gaj,
        conditional_without_basis,
        "legal_bases",
        "legal_basis_required",
    )
    .await;
    let not_shared_without_basis = with(entry("共享测试2"), |e| {
        e["share_type"] = json!("not_shared");
        e["share_modes"] = json!(["verification"]);
    });
    refused(
        &t,
        &gaj,
        not_shared_without_basis,
        "legal_bases",
        "legal_basis_required",
    )
    .await;
    let conditional_without_conditions = with(entry("共享测试3"), |e| {
        e["share_type"] = json!("conditional");
        e["legal_bases"] = basis();
    });
    refused(
        &t,
        &gaj,
        conditional_without_conditions,
        "share_conditions",
        "share_conditions_required",
    )
    .await;
    let half_a_citation = with(entry("共享测试4"), |e| {
        e["legal_bases"] = json!([{ "law": "中华人民共和国居民身份证法", "article": " " }]);
    });
    refused(
        &t,
        &gaj,
        half_a_citation,
        "legal_bases[0]",
        "incomplete_legal_basis",
    )
    .await;
    let not_shared_downloadable = with(entry("共享测试5"), |e| {
        e["share_type"] = json!("not_shared");
        e["legal_bases"] = basis();
        e["share_modes"] = json!(["bulk_download"]);
    });
    refused(
        &t,
        &gaj,
        not_shared_downloadable,
        "share_modes",
        "not_shared_mode",
    )
    .await;
}

// H25: a not-open entry states why; a conditionally open entry states its conditions.
pub async fn opening_rules_name_the_field_they_concern(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let not_open_without_reason = with(entry("开放测试1"), |e| {
        e["not_open_reason"] = Value::Null;
    });
    refused(
        &t,
        &gaj,
        not_open_without_reason,
        "not_open_reason",
        "not_open_reason_required",
    )
    .await;
    let conditional_without_conditions = with(entry("开放测试2"), |e| {
        e["open_type"] = json!("conditional");
        e["not_open_reason"] = Value::Null;
    });
    refused(
        &t,
        &gaj,
        conditional_without_conditions,
        "open_conditions",
        "open_conditions_required",
    )
    .await;
}

// H7, B12: core data is neither shared outside its holder nor opened; only general-1/2 may be
// unconditionally open.
pub async fn the_grade_limits_sharing_and_opening(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let core = |e: &mut Value| {
        e["grade"] = json!("core");
        for item in e["items"].as_array_mut().unwrap() {
            item["grade"] = json!("core");
        }
    };
    let core_shared = with(entry("定级测试1"), core);
    refused(&t, &gaj, core_shared, "share_type", "grade_forbids_share").await;
    let core_opened = with(entry("定级测试2"), |e| {
        core(e);
        e["share_type"] = json!("not_shared");
        e["share_modes"] = json!(["verification"]);
        e["legal_bases"] = basis();
        e["open_type"] = json!("conditional");
        e["open_conditions"] = json!("签署协议后开放");
        e["not_open_reason"] = Value::Null;
    });
    refused(&t, &gaj, core_opened, "open_type", "grade_forbids_open").await;
    let general_3_open = with(entry("定级测试3"), |e| {
        e["open_type"] = json!("unconditional");
        e["not_open_reason"] = Value::Null;
    });
    refused(&t, &gaj, general_3_open, "open_type", "grade_forbids_open").await;
}

// H7: an entry is graded at its highest item; item codes are unique within an entry.
pub async fn item_rules_name_the_item_they_concern(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let item_above_entry = with(entry("信息项测试1"), |e| {
        e["items"][1]["grade"] = json!("general_4");
    });
    refused(
        &t,
        &gaj,
        item_above_entry,
        "items[1].grade",
        "item_grade_exceeds_entry",
    )
    .await;
    let duplicate_code = with(entry("信息项测试2"), |e| {
        e["items"][1]["code"] = json!("XM");
    });
    refused(
        &t,
        &gaj,
        duplicate_code,
        "items[1].code",
        "duplicate_item_code",
    )
    .await;
    let no_items = with(entry("信息项测试3"), |e| e["items"] = json!([]));
    refused(&t, &gaj, no_items, "items", "required").await;
}

// H7, H13: categories come from the scheme in force, elements from the registry, and every
// vocabulary is closed.
pub async fn unknown_categories_elements_and_values_are_refused(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let unknown_category = with(entry("引用测试1"), |e| {
        e["category_code"] = json!("999")
    });
    refused(
        &t,
        &gaj,
        unknown_category,
        "category_code",
        "unknown_category",
    )
    .await;
    let unknown_element = with(entry("引用测试2"), |e| {
        e["items"][1]["element_code"] = json!("NP99");
    });
    refused(
        &t,
        &gaj,
        unknown_element,
        "items[1].element_code",
        "unknown_element",
    )
    .await;
    for (field, value) in [
        ("share_type", "sometimes"),
        ("open_type", "half_open"),
        ("data_form", "papyrus"),
        ("update_frequency", "hourly"),
        ("not_open_reason", "boredom"),
    ] {
        let body = with(entry("取值测试"), |e| e[field] = json!(value));
        refused(&t, &gaj, body, field, "unknown_value").await;
    }
    let body = with(entry("取值测试"), |e| e["share_modes"] = json!(["fax"]));
    refused(&t, &gaj, body, "share_modes", "unknown_value").await;
    let body = with(entry("取值测试"), |e| e["grade"] = json!("general_9"));
    refused(&t, &gaj, body, "grade", "unknown_grade").await;
    let body = with(entry("取值测试"), |e| {
        e["items"][0]["data_type"] = json!("blob")
    });
    refused(&t, &gaj, body, "items[0].data_type", "unknown_value").await;
    let body = with(entry("取值测试"), |e| {
        e["items"][0]["sensitive_kind"] = json!("shoe_size")
    });
    refused(&t, &gaj, body, "items[0].sensitive_kind", "unknown_value").await;
}

// H18, H25: every problem is reported at once, so a form (or a workbook) is fixed in one go.
pub async fn all_broken_rules_are_reported_together(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let body = with(entry("多处错误"), |e| {
        e["state_secret"] = json!(true);
        e["share_type"] = json!("conditional");
        e["not_open_reason"] = Value::Null;
        e["items"][1]["code"] = json!("XM");
    });
    let res = gaj.post("/api/v1/catalog/entries", body).await;
    res.expect_problem(422, "invalid_input");
    let mut errors = res.field_errors();
    errors.sort();
    let mut expected: Vec<(String, String)> = [
        ("state_secret", "state_secret_refused"),
        ("legal_bases", "legal_basis_required"),
        ("share_conditions", "share_conditions_required"),
        ("not_open_reason", "not_open_reason_required"),
        ("items[1].code", "duplicate_item_code"),
    ]
    .iter()
    .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
    .collect();
    expected.sort();
    assert_eq!(errors, expected, "{}", res.text);
}

// H18 with a bad item in front: an item whose data type is unknown must not shift the
// position reported for the items after it (an Excel import points at the cell by it).
pub async fn an_item_error_names_the_item_even_after_an_unparseable_item(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let body = with(entry("信息项位置"), |e| {
        e["items"][0]["data_type"] = json!("blob");
        e["items"][1]["grade"] = json!("general_4");
    });
    let res = gaj.post("/api/v1/catalog/entries", body).await;
    res.expect_field_error("items[0].data_type", "unknown_value");
    res.expect_field_error("items[1].grade", "item_grade_exceeds_entry");
}

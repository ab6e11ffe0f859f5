//! Issue 3 item 1 (H7, B12): the classification scheme is versioned by the city authority;
//! entries keep the version they were graded under.

use serde_json::{Value, json};

use crate::catalog_fixtures::{create, entry, get, with};
use crate::support::{Client, TestApp};

async fn current(client: &Client) -> Value {
    let res = client.get("/api/v1/catalog/scheme").await;
    res.expect_status(200);
    res.json
}

/// The scheme in force with `change` applied, as the body of `PUT /api/v1/catalog/scheme`.
fn revised(scheme: &Value, note: &str, change: impl FnOnce(&mut Vec<Value>)) -> Value {
    let mut scheme = scheme["scheme"].clone();
    change(scheme["categories"].as_array_mut().unwrap());
    json!({ "scheme": scheme, "note": note })
}

// H7, B12: the default scheme is version 1 with the catalog guide's categories, readable by
// anyone.
pub async fn the_default_scheme_is_version_one_and_public(t: TestApp) {
    let scheme = current(&t.anonymous()).await;
    assert_eq!(scheme["version"], 1);
    let categories = scheme["scheme"]["categories"].as_array().unwrap();
    for (code, name) in [
        ("101", "人口"),
        ("102", "法人单位"),
        ("105", "电子证照"),
        ("203", "社会保障"),
    ] {
        assert!(
            categories
                .iter()
                .any(|c| c["code"] == code && c["name"] == name),
            "{code} {name}"
        );
    }
    let base: Vec<&Value> = categories
        .iter()
        .filter(|c| c["base_database"].is_string())
        .collect();
    assert_eq!(base.len(), 5, "the five base databases of H16");
}

// H7: a new version adds a category; entries drafted before keep version 1, new ones get
// version 2 and may use the new category.
pub async fn entries_keep_the_scheme_version_they_were_graded_under(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    let gaj = t.login("gaj-admin").await;
    let old = create(&gaj, entry("方案一下的条目")).await;
    let in_new_category = with(entry("新分类下的条目"), |e| {
        e["category_code"] = json!("401")
    });
    gaj.post("/api/v1/catalog/entries", in_new_category.clone())
        .await
        .expect_field_error("category_code", "unknown_category");

    let v1 = current(&reviewer).await;
    let body = revised(
        &v1,
        "新增部门信息资源分类“公安业务”",
        |c| {
            c.push(json!({ "code": "401", "name": "公安业务", "group": "department" }));
        },
    );
    let res = reviewer.put("/api/v1/catalog/scheme", body).await;
    res.expect_status(200);
    assert_eq!(res.json["version"], 2);
    assert_eq!(current(&t.anonymous()).await["version"], 2);

    let versions = t.anonymous().get("/api/v1/catalog/scheme/versions").await;
    versions.expect_status(200);
    let list = versions.json.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["version"], 2, "newest first");
    assert_eq!(list[0]["created_by"], "reviewer");
    assert_eq!(list[0]["note"], "新增部门信息资源分类“公安业务”");
    assert_eq!(list[1]["version"], 1);

    assert_eq!(get(&gaj, &old).await.json["scheme_version"], 1);
    let code = create(&gaj, in_new_category).await;
    assert!(code.starts_with("401-"), "{code}");
    let new = get(&gaj, &code).await;
    assert_eq!(new.json["scheme_version"], 2);
    assert_eq!(new.json["category_name"], "公安业务");

    // Version 3 drops the category again: the entry graded under version 2 still shows it,
    // new entries can no longer use it.
    let v2 = current(&reviewer).await;
    let body = revised(&v2, "撤销“公安业务”分类", |c| {
        c.retain(|x| x["code"] != "401")
    });
    reviewer
        .put("/api/v1/catalog/scheme", body)
        .await
        .expect_status(200);
    let kept = get(&gaj, &code).await;
    assert_eq!(kept.json["scheme_version"], 2);
    assert_eq!(kept.json["category_name"], "公安业务");
    gaj.post(
        "/api/v1/catalog/entries",
        with(entry("再用旧分类"), |e| {
            e["category_code"] = json!("401")
        }),
    )
    .await
    .expect_field_error("category_code", "unknown_category");
}

// H7: only the city authority changes the scheme; a broken scheme is refused on its field.
pub async fn only_the_city_authority_changes_the_scheme(t: TestApp) {
    let scheme = current(&t.anonymous()).await;
    let body = revised(&scheme, "越权修改", |c| {
        c.push(json!({ "code": "402", "name": "越权分类", "group": "department" }));
    });
    for user in [
        "gaj-admin",
        "sjj-admin",
        "xcq-reviewer",
        "regulator",
        "sysadmin",
    ] {
        t.login(user)
            .await
            .put("/api/v1/catalog/scheme", body.clone())
            .await
            .expect_problem(403, "forbidden");
    }
    t.anonymous()
        .put("/api/v1/catalog/scheme", body)
        .await
        .expect_problem(401, "unauthenticated");
    let reviewer = t.login("reviewer").await;
    let duplicate = revised(&scheme, "重复代码", |c| {
        c.push(json!({ "code": "101", "name": "重复的人口", "group": "department" }));
    });
    let res = reviewer.put("/api/v1/catalog/scheme", duplicate).await;
    res.expect_problem(422, "invalid_input");
    assert!(
        res.field_errors()
            .iter()
            .any(|(f, c)| f.ends_with(".code") && c == "duplicate_category_code"),
        "{}",
        res.text
    );
    let no_note = revised(&scheme, " ", |_| {});
    reviewer
        .put("/api/v1/catalog/scheme", no_note)
        .await
        .expect_field_error("note", "required");
    assert_eq!(current(&reviewer).await["version"], 1, "nothing changed");
}

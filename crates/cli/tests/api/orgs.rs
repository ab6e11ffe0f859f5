//! Issue 2 §5, H6, H13/H14, B15: organisations as a tree (city → county), each with a kind, a
//! validated credit code and a liaison; CRUD for the system admin.

use serde_json::json;

use crate::support::{TestApp, city_agency, credit_code};

// Issue 2 §5: CRUD for the system admin through the API.
pub async fn system_admin_creates_updates_and_lists_organisations(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let city = t.org_id("市大数据管理局").await;
    let list = sysadmin.get("/api/v1/organisations").await;
    list.expect_status(200);
    let total = list.json["total"].as_u64().expect("total");
    assert!(total >= 21, "the demo city's organisations");
    assert_eq!(
        list.json["items"][0]["name"], "市大数据管理局",
        "the root comes first"
    );
    assert_eq!(list.json["items"][0]["depth"], 0);

    let created = sysadmin
        .post("/api/v1/organisations", city_agency(&city, 1))
        .await;
    created.expect_status(201);
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json["credit_code"], credit_code(1).as_str());
    assert_eq!(created.json["parent_id"], city.as_str());

    let mut changed = city_agency(&city, 1);
    changed["name"] = json!("测试机构改名");
    changed["liaison_email"] = json!("liaison@example.gov.cn");
    let updated = sysadmin
        .put(&format!("/api/v1/organisations/{id}"), changed)
        .await;
    updated.expect_status(200);
    let got = sysadmin.get(&format!("/api/v1/organisations/{id}")).await;
    got.expect_status(200);
    assert_eq!(got.json["name"], "测试机构改名");
    assert_eq!(got.json["liaison_email"], "liaison@example.gov.cn");
    let list = sysadmin.get("/api/v1/organisations?per_page=500").await;
    assert_eq!(list.json["total"].as_u64(), Some(total + 1));
    let child = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id.as_str())
        .expect("the new organisation is listed");
    assert_eq!(child["depth"], 1);
}

// H13/H14, issue 2 §6: organisations are keyed by a checksum-validated credit code (GB 32100).
pub async fn a_bad_credit_code_is_rejected_on_its_field(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let city = t.org_id("市大数据管理局").await;
    for bad in ["91110000600037341N", "9111000060003IOZSV", "12345"] {
        let mut body = city_agency(&city, 2);
        body["credit_code"] = json!(bad);
        sysadmin
            .post("/api/v1/organisations", body)
            .await
            .expect_field_error("credit_code", "invalid_credit_code");
    }
}

pub async fn a_duplicate_credit_code_is_rejected(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let city = t.org_id("市大数据管理局").await;
    let gaj = sysadmin
        .get(&format!(
            "/api/v1/organisations/{}",
            t.org_id("市公安局").await
        ))
        .await;
    let mut body = city_agency(&city, 3);
    body["credit_code"] = gaj.json["credit_code"].clone();
    sysadmin
        .post("/api/v1/organisations", body)
        .await
        .expect_field_error("credit_code", "duplicate_credit_code");
    // Same through an update.
    let created = sysadmin
        .post("/api/v1/organisations", city_agency(&city, 4))
        .await;
    created.expect_status(201);
    let mut body = city_agency(&city, 4);
    body["credit_code"] = gaj.json["credit_code"].clone();
    sysadmin
        .put(
            &format!(
                "/api/v1/organisations/{}",
                created.json["id"].as_str().unwrap()
            ),
            body,
        )
        .await
        .expect_field_error("credit_code", "duplicate_credit_code");
}

// H6: county bodies sit under their county's authority, not under the city's.
pub async fn a_county_agency_cannot_sit_under_the_city_authority(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let city = t.org_id("市大数据管理局").await;
    let county = t.org_id("新城区大数据管理局").await;
    let mut body = city_agency(&city, 5);
    body["level"] = json!("county");
    sysadmin
        .post("/api/v1/organisations", body.clone())
        .await
        .expect_field_error("parent_id", "bad_placement");
    // A second root is refused as well.
    let mut root = body.clone();
    root["parent_id"] = serde_json::Value::Null;
    sysadmin
        .post("/api/v1/organisations", root)
        .await
        .expect_field_error("parent_id", "bad_placement");
    // Under the county authority it fits.
    body["parent_id"] = json!(county);
    sysadmin
        .post("/api/v1/organisations", body)
        .await
        .expect_status(201);
}

// Issue 2 §5: an organisation with accounts or sub-organisations stays.
pub async fn an_organisation_with_accounts_or_children_cannot_be_deleted(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    for name in ["市公安局", "新城区大数据管理局"] {
        let id = t.org_id(name).await;
        sysadmin
            .delete(&format!("/api/v1/organisations/{id}"))
            .await
            .expect_problem(409, "organisation_not_empty");
        sysadmin
            .get(&format!("/api/v1/organisations/{id}"))
            .await
            .expect_status(200);
    }
}

pub async fn an_empty_organisation_can_be_deleted(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let city = t.org_id("市大数据管理局").await;
    let created = sysadmin
        .post("/api/v1/organisations", city_agency(&city, 6))
        .await;
    created.expect_status(201);
    let path = format!(
        "/api/v1/organisations/{}",
        created.json["id"].as_str().unwrap()
    );
    sysadmin.delete(&path).await.expect_status(204);
    sysadmin.get(&path).await.expect_problem(404, "not_found");
    sysadmin
        .delete(&path)
        .await
        .expect_problem(404, "not_found");
    // Its credit code is free again.
    sysadmin
        .post("/api/v1/organisations", city_agency(&city, 6))
        .await
        .expect_status(201);
}

// B15: every agency keeps a named liaison; its own admin keeps it up to date.
pub async fn agency_admin_keeps_its_own_liaison_up_to_date(t: TestApp) {
    let admin = t.login("gaj-admin").await;
    let gaj = t.org_id("市公安局").await;
    let path = format!("/api/v1/organisations/{gaj}/liaison");
    let res = admin
        .put(
            &path,
            json!({ "liaison_name": "王联络", "liaison_phone": "0471-6999999", "liaison_email": "wang@gaj.example.gov.cn" }),
        )
        .await;
    res.expect_status(200);
    assert_eq!(res.json["liaison_name"], "王联络");
    let got = admin.get(&format!("/api/v1/organisations/{gaj}")).await;
    assert_eq!(got.json["liaison_phone"], "0471-6999999");
    admin
        .put(
            &path,
            json!({ "liaison_name": "王联络", "liaison_phone": "call me" }),
        )
        .await
        .expect_field_error("liaison_phone", "bad_phone");
    admin
        .put(
            &path,
            json!({ "liaison_name": " ", "liaison_phone": "0471-6999999" }),
        )
        .await
        .expect_field_error("liaison_name", "required");
}

// H6: changing an organisation never leaves the tree in a shape creation would refuse —
// a county authority with county bodies under it cannot become a city body.
pub async fn an_update_cannot_strand_the_children_of_an_organisation(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let xcq = t.org_id("新城区大数据管理局").await;
    let current = sysadmin.get(&format!("/api/v1/organisations/{xcq}")).await;
    current.expect_status(200);
    let mut body = json!({});
    for field in [
        "parent_id",
        "kind",
        "name",
        "credit_code",
        "liaison_name",
        "liaison_phone",
        "liaison_email",
    ] {
        body[field] = current.json[field].clone();
    }
    body["level"] = json!("city");
    let res = sysadmin
        .put(&format!("/api/v1/organisations/{xcq}"), body)
        .await;
    assert_eq!(
        res.status, 422,
        "新城区公安分局 would sit under a city body: {}",
        res.text
    );
    res.expect_problem(422, "invalid_input");
    let after = sysadmin.get(&format!("/api/v1/organisations/{xcq}")).await;
    assert_eq!(after.json["level"], "county");
}

// B16, H5: roles fit their organisation's kind — also after the organisation changes kind.
pub async fn an_update_cannot_change_the_kind_under_its_members_roles(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    let gaj = t.org_id("市公安局").await;
    let current = sysadmin.get(&format!("/api/v1/organisations/{gaj}")).await;
    let mut body = json!({});
    for field in [
        "parent_id",
        "level",
        "name",
        "credit_code",
        "liaison_name",
        "liaison_phone",
        "liaison_email",
    ] {
        body[field] = current.json[field].clone();
    }
    body["kind"] = json!("regulator");
    let res = sysadmin
        .put(&format!("/api/v1/organisations/{gaj}"), body)
        .await;
    assert_eq!(
        res.status, 422,
        "gaj-admin's agency_admin role would not fit a regulator: {}",
        res.text
    );
    res.expect_problem(422, "invalid_input");
    t.login("gaj-admin").await;
}

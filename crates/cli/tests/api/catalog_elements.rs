//! Issue 3 item 4: one source per basic data element (一数一源, H10, H13, H14) — the registry,
//! conflicting claims, duplicate collection by other agencies, items keyed by citizen ID or
//! credit code.

use serde_json::{Value, json};

use crate::catalog_fixtures::{create, entry, get, publish, with};
use crate::support::{Client, TestApp};

async fn registry(client: &Client) -> Vec<Value> {
    let res = client.get("/api/v1/catalog/elements").await;
    res.expect_status(200);
    res.json.as_array().expect("a list").clone()
}

fn element<'a>(list: &'a [Value], code: &str) -> &'a Value {
    list.iter()
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("{code} is not in the registry"))
}

async fn assign(client: &Client, element: &str, org_id: &str) -> crate::support::Resp {
    client
        .put(
            &format!("/api/v1/catalog/elements/{element}/source"),
            json!({ "org_id": org_id }),
        )
        .await
}

// H13, H14: the registry holds the natural-person elements of H13 and the organisation
// elements of H14 with the kind of department that is their source; staff may read it, the
// public may not.
pub async fn the_registry_lists_the_h13_and_h14_elements(t: TestApp) {
    let staff = t.login("gaj-staff").await;
    let list = registry(&staff).await;
    for (code, name, source_kind, subject) in [
        ("NP01", "户籍登记", "公安机关", "natural_person"),
        ("NP03", "居民婚姻登记", "民政部门", "natural_person"),
        (
            "NP04",
            "出生医学证明和死亡医学证明",
            "卫生健康部门",
            "natural_person",
        ),
        ("NP05", "出生和死亡户籍登记", "公安机关", "natural_person"),
        (
            "NP07",
            "社会保险参保数据",
            "人力资源社会保障部门",
            "natural_person",
        ),
        // 第十三条（十）: "有关资格证书和执业证书数据，由颁发该职业资格证书和执业证书的单位负责"
        // (issue 13 item 6).
        (
            "NP13",
            "资格证书和执业证书",
            "证书颁发单位",
            "natural_person",
        ),
        ("OR01", "经营主体登记", "市场监督管理部门", "organisation"),
        (
            "OR02",
            "社会团体和民办非企业单位登记",
            "民政部门",
            "organisation",
        ),
    ] {
        let e = element(&list, code);
        assert_eq!(e["name"], name, "{code}");
        assert_eq!(e["source_kind"], source_kind, "{code}");
        assert_eq!(e["subject"], subject, "{code}");
        assert!(
            e["legal_basis"].as_str().unwrap().contains("第十"),
            "{code}: {}",
            e["legal_basis"]
        );
    }
    let np = list
        .iter()
        .filter(|e| e["subject"] == "natural_person")
        .count();
    let or = list
        .iter()
        .filter(|e| e["subject"] == "organisation")
        .count();
    assert!(
        np >= 13 && or >= 8,
        "{np} natural-person, {or} organisation elements"
    );
    t.login("public-person")
        .await
        .get("/api/v1/catalog/elements")
        .await
        .expect_problem(403, "forbidden");
}

// H10, H13: an element has exactly one source department; naming a second is refused with
// 409 `element_has_source`; naming the same one again changes nothing; only the city
// authority names sources.
pub async fn an_element_with_a_source_cannot_get_a_second_one(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    let gaj = t.org_id("市公安局").await;
    let mzj = t.org_id("市民政局").await;

    assign(&reviewer, "NP01", &gaj).await.expect_status(204);
    let conflict = assign(&reviewer, "NP01", &mzj).await;
    conflict.expect_problem(409, "element_has_source");
    assert!(
        conflict.json["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("市公安局"),
        "the refusal names the holder: {}",
        conflict.text
    );
    assign(&reviewer, "NP01", &gaj).await.expect_status(204);
    let list = registry(&reviewer).await;
    let np01 = element(&list, "NP01");
    assert_eq!(np01["source_org_id"], gaj.as_str());
    assert_eq!(np01["source_org_name"], "市公安局");

    for user in ["gaj-admin", "xcq-reviewer", "regulator"] {
        assign(&t.login(user).await, "NP03", &mzj)
            .await
            .expect_problem(403, "forbidden");
    }
    assign(&reviewer, "NP99", &mzj)
        .await
        .expect_problem(404, "not_found");
    assert_eq!(
        element(&registry(&reviewer).await, "NP03")["source_org_id"],
        json!(null)
    );
}

// H10: an agency that collects an element another department is the source of is flagged as
// duplicate collection, pointing at the source's published entries; the source itself is not.
pub async fn collecting_another_departments_element_is_flagged_with_the_source_entries(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    let gaj = t.login("gaj-admin").await;
    let mzj = t.login("mzj-admin").await;
    let gaj_id = t.org_id("市公安局").await;
    assign(&reviewer, "NP01", &gaj_id).await.expect_status(204);

    let with_np01 = |name: &str| {
        with(entry(name), |e| {
            e["items"][1]["element_code"] = json!("NP01");
        })
    };
    let source_entry = publish(&gaj, &reviewer, with_np01("户籍人口基本信息")).await;
    let own = get(&gaj, &source_entry).await;
    assert_eq!(
        own.json["duplicate_collection"],
        json!([]),
        "the source collects its own"
    );

    let copy = create(&mzj, with_np01("婚姻登记当事人户籍信息")).await;
    let res = get(&mzj, &copy).await;
    res.expect_status(200);
    let flags = res.json["duplicate_collection"].as_array().unwrap();
    assert_eq!(flags.len(), 1, "{}", res.text);
    let flag = &flags[0];
    assert_eq!(flag["item_code"], "gmsfhm");
    assert_eq!(flag["element_code"], "NP01");
    assert_eq!(flag["element_name"], "户籍登记");
    assert_eq!(flag["source_org_id"], gaj_id.as_str());
    assert_eq!(flag["source_org_name"], "市公安局");
    assert_eq!(flag["source_entries"], json!([source_entry]));

    // Once the copy is published too, the registry shows who collects the element.
    crate::catalog_fixtures::submit_and_approve(&mzj, &reviewer, &copy).await;
    let list = registry(&reviewer).await;
    let collectors = element(&list, "NP01")["collected_by"]
        .as_array()
        .unwrap()
        .clone();
    let by_code = |code: &str| {
        collectors
            .iter()
            .find(|c| c["entry_code"] == code)
            .unwrap_or_else(|| panic!("{code} not among {collectors:?}"))
            .clone()
    };
    assert_eq!(by_code(&source_entry)["duplicate"], false);
    assert_eq!(by_code(&source_entry)["org_name"], "市公安局");
    assert_eq!(by_code(&copy)["duplicate"], true);
    assert_eq!(by_code(&copy)["org_name"], "市民政局");
}

// H13, H14: items keyed by a citizen ID identify natural persons, items keyed by a credit
// code identify organisations.
pub async fn citizen_id_and_credit_code_items_say_what_they_identify(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let body = with(entry("身份标识测试"), |e| {
        e["items"]
            .as_array_mut()
            .unwrap()
            .push(json!({ "code": "tyshxydm", "name": "统一社会信用代码", "data_type": "credit_code", "grade": "general_3" }));
    });
    let code = create(&gaj, body).await;
    let res = get(&gaj, &code).await;
    let items = res.json["items"].as_array().unwrap();
    let identifies = |c: &str| {
        items
            .iter()
            .find(|i| i["code"] == c)
            .map(|i| i["identifies"].clone())
            .unwrap()
    };
    assert_eq!(identifies("gmsfhm"), "natural_person");
    assert_eq!(identifies("tyshxydm"), "organisation");
    assert_eq!(identifies("xm"), json!(null));
}

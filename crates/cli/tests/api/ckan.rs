//! Issue 14 item 7 through HTTP: CKAN's Action API at `/api/3/action/…` and `/api/action/…`,
//! GET and POST, in CKAN's envelope and error shape, over what the public may see (H25:
//! published entries open unconditionally or conditionally, never a not-open one); and
//! `datastore_search` reading rows through the one read decision, so its rows are the data
//! API's rows, masked alike, and conditional data is refused without a basis (H26).

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{publish, successes, with};
use crate::data::{ROWS, people_csv, people_entry, upload};
use crate::support::{Client, Resp, TestApp};

/// Three published entries of 市公安局 with the same 250 rows: open without conditions (names
/// and IDs masked for the public), open on conditions, and not open.
pub(crate) struct Fixture {
    pub open: String,
    pub conditional: String,
    pub closed: String,
}

pub(crate) async fn fixture(t: &TestApp) -> Fixture {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let open = publish(&gaj, &reviewer, people_entry()).await;
    upload(&gaj, &open, people_csv()).await;
    let conditional = publish(
        &gaj,
        &reviewer,
        with(people_entry(), |e| {
            e["name"] = json!("重点人群帮扶名录测试");
            e["summary"] = json!("有条件开放的帮扶对象名录，经申请获批后使用");
            e["open_type"] = json!("conditional");
            e["open_conditions"] = json!("签署数据使用协议并经数源部门同意后开放");
            e["update_frequency"] = json!("quarterly");
        }),
    )
    .await;
    upload(&gaj, &conditional, people_csv()).await;
    let closed = publish(
        &gaj,
        &reviewer,
        with(people_entry(), |e| {
            e["name"] = json!("社区服务人员内部名录测试");
            e["grade"] = json!("general_3");
            e["open_type"] = json!("not_open");
            e["not_open_reason"] = json!("privacy");
        }),
    )
    .await;
    upload(&gaj, &closed, people_csv()).await;
    Fixture {
        open,
        conditional,
        closed,
    }
}

/// `GET /api/3/action/{action}?{query}`.
async fn get(client: &Client, action: &str, query: &str) -> Resp {
    client.get(&format!("/api/3/action/{action}?{query}")).await
}

/// `POST /api/action/{action}` with a JSON body, as `ckanapi.RemoteCKAN` calls.
async fn post(client: &Client, action: &str, body: Value) -> Resp {
    client.post(&format!("/api/action/{action}"), body).await
}

/// A successful CKAN answer: its `result`.
#[track_caller]
fn result(res: &Resp) -> &Value {
    res.expect_status(200);
    assert_eq!(res.json["success"], true, "{}", res.text);
    assert!(
        res.json["help"]
            .as_str()
            .is_some_and(|h| h.contains("help_show")),
        "{}",
        res.text
    );
    &res.json["result"]
}

/// A CKAN error of `status` and `__type`.
#[track_caller]
fn ckan_error(res: &Resp, status: u16, kind: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(res.json["success"], false, "{}", res.text);
    assert_eq!(res.json["error"]["__type"], kind, "{}", res.text);
    assert!(
        res.json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        res.text
    );
    assert!(res.json["help"].is_string(), "{}", res.text);
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| v["name"].as_str().unwrap())
                .to_owned()
        })
        .collect()
}

// H25: every catalog action answers in CKAN's envelope, on both paths and both methods, with
// the open and the conditional dataset and never the not-open one; field names are CKAN's.
pub async fn h25_every_catalog_action_answers_in_ckans_envelope_with_open_datasets_only(
    t: TestApp,
) {
    let f = fixture(&t).await;
    let public = t.anonymous();

    let status = get(&public, "status_show", "").await;
    assert!(
        result(&status)["ckan_version"]
            .as_str()
            .unwrap()
            .starts_with("2.")
    );

    for res in [
        get(&public, "package_list", "").await,
        post(&public, "package_list", json!({})).await,
        public.get("/api/action/package_list").await,
    ] {
        let list = names(result(&res));
        assert!(list.contains(&f.open), "{list:?}");
        assert!(list.contains(&f.conditional), "{list:?}");
        assert!(
            !list.contains(&f.closed),
            "a not-open entry is never listed"
        );
    }
    let paged = get(&public, "package_list", "limit=1&offset=1").await;
    assert_eq!(names(result(&paged)).len(), 1);

    let show = post(&public, "package_show", json!({ "id": f.open })).await;
    let p = result(&show);
    assert_eq!(p["name"], f.open.as_str());
    assert_eq!(p["title"], "社区服务人员名录测试");
    assert!(p["notes"].as_str().unwrap().contains("统计数据"));
    assert_eq!(p["organization"]["title"], "市公安局");
    assert_eq!(p["owner_org"], p["organization"]["id"]);
    assert_eq!(p["license_id"], "gongshu-unconditional-open");
    assert_eq!(p["isopen"], true);
    assert_eq!(p["groups"][0]["name"], "201");
    assert_eq!(p["groups"][0]["title"], "公共服务");
    let tags = names(&p["tags"]);
    assert!(tags.contains(&"无条件开放".to_owned()), "{tags:?}");
    assert!(tags.contains(&"每月".to_owned()), "{tags:?}");
    assert!(
        p["metadata_modified"]
            .as_str()
            .unwrap()
            .starts_with("2025-09-01T")
    );
    assert!(p["metadata_created"].is_string());
    assert_eq!(p["num_resources"], 4);
    let resources = p["resources"].as_array().unwrap();
    let formats: Vec<&str> = resources
        .iter()
        .map(|r| r["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["CSV", "JSON", "XLSX", "PARQUET"]);
    for r in resources {
        let url = r["url"].as_str().unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:")
                && url.contains(&format!("/api/v1/entries/{}/data?format=", f.open)),
            "{url}"
        );
        assert_eq!(r["datastore_active"], true);
        assert_eq!(r["package_id"], p["id"]);
    }
    // The resource's address downloads the data the API serves.
    let csv_url = resources[0]["url"].as_str().unwrap();
    let csv = reqwest::get(csv_url).await.unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.text().await.unwrap().lines().count(), ROWS + 1);
    // By id as well as by name.
    let by_id = get(
        &public,
        "package_show",
        &format!("id={}", p["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(result(&by_id)["name"], f.open.as_str());

    let cond = get(&public, "package_show", &format!("id={}", f.conditional)).await;
    let c = result(&cond);
    assert_eq!(c["license_id"], "gongshu-conditional-open");
    assert_eq!(c["isopen"], false);
    assert!(names(&c["tags"]).contains(&"有条件开放".to_owned()));

    let hidden = get(&public, "package_show", &format!("id={}", f.closed)).await;
    ckan_error(&hidden, 404, "Not Found Error");

    let resource_id = resources[1]["id"].as_str().unwrap();
    let r = get(&public, "resource_show", &format!("id={resource_id}")).await;
    assert_eq!(result(&r)["format"], "JSON");
    let r = get(&public, "resource_show", &format!("id={}-csv", f.closed)).await;
    ckan_error(&r, 404, "Not Found Error");

    let orgs = get(&public, "organization_list", "").await;
    let org_id = p["organization"]["id"].as_str().unwrap();
    assert_eq!(names(result(&orgs)), [org_id]);
    let orgs = get(&public, "organization_list", "all_fields=true").await;
    assert_eq!(result(&orgs)[0]["package_count"], 2);
    let org = post(
        &public,
        "organization_show",
        json!({ "id": org_id, "include_datasets": true }),
    )
    .await;
    let org = result(&org);
    assert_eq!(org["title"], "市公安局");
    assert_eq!(org["package_count"], 2);
    assert_eq!(org["packages"].as_array().unwrap().len(), 2);

    let groups = get(&public, "group_list", "all_fields=true").await;
    let groups = result(&groups).as_array().unwrap().clone();
    let service = groups.iter().find(|g| g["name"] == "201").unwrap();
    assert_eq!(service["title"], "公共服务");
    assert_eq!(service["package_count"], 2);
    assert!(
        groups.iter().any(|g| g["name"] == "101"),
        "every topic is listed"
    );
    let group = get(&public, "group_show", "id=201").await;
    assert_eq!(result(&group)["package_count"], 2);

    let tags = get(&public, "tag_list", "").await;
    let tags = names(result(&tags));
    for tag in ["无条件开放", "有条件开放", "每月", "每季度", "电子表格"] {
        assert!(tags.contains(&tag.to_owned()), "{tag} in {tags:?}");
    }
    assert!(!tags.contains(&"非开放".to_owned()));
    let some = get(&public, "tag_list", "query=开放").await;
    assert_eq!(names(result(&some)).len(), 2);
}

// H25: package_search finds Chinese text through the catalog search, counts facets in CKAN's
// two shapes, narrows with fq, pages with rows and start, and never shows a not-open entry.
pub async fn h25_package_search_finds_chinese_text_with_facets_fq_and_pages(t: TestApp) {
    let f = fixture(&t).await;
    let public = t.anonymous();
    let facets = r#"["organization","groups","tags","license_id"]"#;
    let res = get(
        &public,
        "package_search",
        &format!("q=名录&facet.field={facets}&rows=10"),
    )
    .await;
    let r = result(&res);
    assert_eq!(r["count"], 2, "{}", res.text);
    let found = names(&r["results"]);
    assert!(found.contains(&f.open) && found.contains(&f.conditional));
    assert!(!found.contains(&f.closed));
    assert_eq!(r["facets"]["license_id"]["gongshu-unconditional-open"], 1);
    assert_eq!(r["facets"]["license_id"]["gongshu-conditional-open"], 1);
    assert_eq!(r["facets"]["tags"]["有条件开放"], 1);
    assert_eq!(r["facets"]["tags"]["每季度"], 1);
    assert_eq!(r["facets"]["groups"]["201"], 2);
    assert!(r["facets"]["tags"].get("非开放").is_none());
    let items = r["search_facets"]["organization"]["items"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["display_name"], "市公安局");
    assert_eq!(items[0]["count"], 2);

    // The conditional dataset's summary words find it alone, as a POST with the JSON body.
    let res = post(
        &public,
        "package_search",
        json!({ "q": "帮扶", "facet.field": ["tags"] }),
    )
    .await;
    assert_eq!(names(&result(&res)["results"]), [f.conditional.as_str()]);

    // fq narrows by tag, licence, group and organisation; a term nothing matches is empty.
    let only = |fq: &str| format!("fq={}", urlencode(fq));
    let res = get(&public, "package_search", &only("tags:有条件开放")).await;
    assert_eq!(names(&result(&res)["results"]), [f.conditional.as_str()]);
    let res = get(
        &public,
        "package_search",
        &only("+license_id:gongshu-unconditional-open +groups:201"),
    )
    .await;
    assert_eq!(names(&result(&res)["results"]), [f.open.as_str()]);
    let org = result(&get(&public, "package_show", &format!("id={}", f.open)).await)["owner_org"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = get(
        &public,
        "package_search",
        &only(&format!("organization:{org}")),
    )
    .await;
    assert_eq!(result(&res)["count"], 2);
    let res = get(&public, "package_search", &only("groups:101")).await;
    assert_eq!(result(&res)["count"], 0);
    let res = get(&public, "package_search", &only("dataset_type:harvest")).await;
    assert_eq!(result(&res)["count"], 0);
    // Asking for not-open data by the catalog's own facet finds nothing.
    let res = get(&public, "package_search", &only("open_type:not_open")).await;
    assert_eq!(result(&res)["count"], 0);

    // Pages: one row at a time, start 0 and 1, different datasets, the same count.
    let first = get(&public, "package_search", "q=*:*&rows=1&start=0").await;
    let second = get(&public, "package_search", "q=*:*&rows=1&start=1").await;
    let (a, b) = (
        names(&result(&first)["results"]),
        names(&result(&second)["results"]),
    );
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_ne!(a, b);
    assert_eq!(result(&first)["count"], 2);
    let none = get(&public, "package_search", "rows=0&facet.field=[\"tags\"]").await;
    assert_eq!(result(&none)["results"].as_array().unwrap().len(), 0);
    assert_eq!(result(&none)["count"], 2);

    // What the index cannot do is refused on its parameter, in CKAN's shape.
    let res = get(
        &public,
        "package_search",
        &only("metadata_modified:[2025-01-01T00:00:00Z TO *]"),
    )
    .await;
    ckan_error(&res, 409, "Validation Error");
    assert!(res.json["error"]["fq"].is_array(), "{}", res.text);
    let res = get(&public, "package_search", "facet.field=[\"author\"]").await;
    ckan_error(&res, 409, "Validation Error");
    let res = get(&public, "package_search", "rows=5000").await;
    ckan_error(&res, 409, "Validation Error");
    assert!(res.json["error"]["rows"].is_array(), "{}", res.text);
}

/// Percent-encodes a query-string value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The rows of a data API answer.
fn rows(res: &Resp) -> Vec<Value> {
    res.expect_status(200);
    res.json
        .as_array()
        .unwrap_or_else(|| panic!("{}", res.text))
        .clone()
}

// H26, H19: datastore_search reads through the one read decision: the public gets exactly the
// data API's rows (masked alike) for the same filters, order and window, with the total; text
// search looks at what the reader sees; every read is audited; conditional data is refused
// without a basis and read by its owner with an API key in CKAN's Authorization header; a
// not-open entry has no datastore.
pub async fn h26_datastore_search_reads_the_data_apis_rows_and_refuses_conditional_data(
    t: TestApp,
) {
    let f = fixture(&t).await;
    let public = t.anonymous();
    let api = |query: &str| format!("/api/v1/entries/{}/data?{query}", f.open);
    let expected = rows(
        &public
            .get(&api("qx=eq.新城区&order=nl.desc&limit=25"))
            .await,
    );
    assert_eq!(expected.len(), 25);
    let before = successes(&t, "read_data", &format!("{}/v1", f.open)).await;
    let res = post(
        &public,
        "datastore_search",
        json!({
            "resource_id": format!("{}-csv", f.open),
            "filters": { "qx": "新城区" },
            "sort": "nl desc",
            "limit": 25,
        }),
    )
    .await;
    let r = result(&res);
    assert_eq!(
        r["records"].as_array().unwrap(),
        &expected,
        "the data API's rows"
    );
    let in_district = |d: usize| (0..ROWS).filter(|i| i % 4 == d).count();
    assert_eq!(r["total"], in_district(0));
    assert_eq!(r["limit"], 25);
    assert_eq!(r["policy"], "open");
    assert_eq!(
        expected[0]["xm"].as_str().unwrap().chars().nth(1),
        Some('*')
    );
    let fields = r["fields"].as_array().unwrap();
    let field = |id: &str| fields.iter().find(|f| f["id"] == id).unwrap().clone();
    assert_eq!(field("sfzh")["type"], "text");
    assert_eq!(field("sfzh")["masked"], true);
    assert_eq!(field("nl")["type"], "int");
    assert_eq!(field("je")["type"], "numeric");
    assert_eq!(field("qx")["info"]["label"], "所在区");
    assert!(r["_links"]["next"].as_str().unwrap().contains("offset=25"));
    assert_eq!(
        successes(&t, "read_data", &format!("{}/v1", f.open)).await,
        before + 1,
        "the datastore read is audited like a data API read"
    );

    // An offset window is the same slice of the same order; GET with JSON text works alike.
    let res = get(
        &public,
        "datastore_search",
        &format!(
            "resource_id={}&filters={}&sort=nl%20desc&limit=20&offset=5",
            f.open,
            urlencode(r#"{"qx":["新城区"]}"#)
        ),
    )
    .await;
    assert_eq!(
        result(&res)["records"].as_array().unwrap(),
        &expected[5..25].to_vec()
    );

    // Fields, and text anywhere in the row as the reader sees it: masked values hide the
    // birth year, so the public finds none by it while the owner does.
    let res = post(
        &public,
        "datastore_search",
        json!({ "resource_id": f.open, "q": "玉泉区", "fields": ["qx", "nl"], "limit": 1000 }),
    )
    .await;
    let r = result(&res);
    assert_eq!(r["total"], in_district(2));
    for row in r["records"].as_array().unwrap() {
        assert_eq!(row.as_object().unwrap().len(), 2);
        assert_eq!(row["qx"], "玉泉区");
    }
    let probe = json!({ "resource_id": f.open, "q": "1980" });
    let res = post(&public, "datastore_search", probe.clone()).await;
    assert_eq!(result(&res)["total"], 0, "masked IDs reveal no birth year");
    let owner_key = t.token_of("gaj-admin").await;
    let owner = raw_key(&t, &owner_key);
    let res = owner
        .send(
            owner
                .request(Method::POST, "/api/3/action/datastore_search")
                .json(&probe),
        )
        .await;
    assert!(result(&res)["total"].as_u64().unwrap() > 0);

    // Conditional data: refused to the public and to another agency, read by its owner.
    let cond = json!({ "resource_id": format!("{}-json", f.conditional), "limit": 5 });
    let refused = post(&public, "datastore_search", cond.clone()).await;
    ckan_error(&refused, 403, "Authorization Error");
    let mzj_key = t.token_of("mzj-admin").await;
    let other = raw_key(&t, &mzj_key);
    let refused = other
        .send(
            other
                .request(Method::POST, "/api/action/datastore_search")
                .json(&cond),
        )
        .await;
    ckan_error(&refused, 403, "Authorization Error");
    let denied = t
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied' AND target_id = '{}'",
            f.conditional
        ))
        .await;
    assert_eq!(denied, 2, "both refusals are on record");
    let read = owner
        .send(
            owner
                .request(Method::POST, "/api/3/action/datastore_search")
                .json(&cond),
        )
        .await;
    let r = result(&read);
    assert_eq!(r["policy"], "owner");
    assert_eq!(r["records"].as_array().unwrap().len(), 5);
    assert_eq!(
        r["records"][0]["sfzh"].as_str().unwrap().len(),
        18,
        "in clear"
    );
    // `Bearer` works as well.
    let bearer = public.with_bearer(&owner_key);
    let read = post(&bearer, "datastore_search", cond).await;
    assert_eq!(result(&read)["policy"], "owner");

    // Not open: no datastore at all, whoever asks.
    let hidden = json!({ "resource_id": f.closed });
    ckan_error(
        &post(&public, "datastore_search", hidden.clone()).await,
        404,
        "Not Found Error",
    );
    let res = owner
        .send(
            owner
                .request(Method::POST, "/api/3/action/datastore_search")
                .json(&hidden),
        )
        .await;
    ckan_error(&res, 404, "Not Found Error");
}

/// A client that sends `key` as the bare `Authorization` header, as CKAN clients do.
fn raw_key(t: &TestApp, key: &str) -> RawKey {
    RawKey {
        client: t.anonymous(),
        key: key.to_owned(),
    }
}

struct RawKey {
    client: Client,
    key: String,
}

impl RawKey {
    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, path)
            .header("authorization", &self.key)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        self.client.send(req).await
    }
}

// H25: errors come in CKAN's shape with CKAN's statuses: an unknown action, bad parameters,
// a bad key, a malformed body, a limit out of bounds; never a server error.
pub async fn h25_errors_come_in_ckans_shape_with_ckans_statuses(t: TestApp) {
    let f = fixture(&t).await;
    let public = t.anonymous();
    let res = get(&public, "package_create", "").await;
    ckan_error(&res, 400, "Bad Request");
    let res = get(&public, "package_show", "").await;
    ckan_error(&res, 409, "Validation Error");
    assert!(res.json["error"]["id"].is_array(), "{}", res.text);
    let res = get(&public, "package_show", "id=no-such-dataset").await;
    ckan_error(&res, 404, "Not Found Error");
    let res = public
        .send(
            public
                .request(Method::POST, "/api/3/action/package_search")
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    ckan_error(&res, 409, "Validation Error");
    let bad_key = raw_key(&t, "gst_not_a_key");
    let res = bad_key
        .send(bad_key.request(Method::GET, "/api/3/action/package_list"))
        .await;
    ckan_error(&res, 403, "Authorization Error");
    for body in [
        json!({ "resource_id": f.open, "limit": 100_000 }),
        json!({ "resource_id": f.open, "offset": 200_000 }),
        json!({ "resource_id": f.open, "sort": "nl sideways" }),
        json!({ "resource_id": f.open, "filters": { "no_such_item": "x" } }),
        json!({ "resource_id": f.open, "fields": ["no_such_item"] }),
        json!({ "resource_id": f.open, "records_format": "csv" }),
        json!({ "resource_id": f.open, "filters": "[1]" }),
    ] {
        let res = post(&public, "datastore_search", body.clone()).await;
        ckan_error(&res, 409, "Validation Error");
        assert!(
            res.json["error"]["code"].is_string(),
            "{body}: {}",
            res.text
        );
    }
    let res = post(&public, "datastore_search", json!({})).await;
    ckan_error(&res, 409, "Validation Error");
    assert!(res.json["error"]["resource_id"].is_array(), "{}", res.text);
}

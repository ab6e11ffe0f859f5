//! Issue 14 item 1 (the open-data portal) and item 2's metering, through HTTP: the home's open
//! figures move with downloads and API reads, the search narrows by the portal's facets, a
//! dataset page shows what the public may know of an unconditionally open dataset (metadata,
//! items, history, quality, preview, chart, downloads, API call), only metadata of a
//! conditionally open one and nothing of a not-open one, GBK CSV downloads, schema.org
//! JSON-LD, the sitemap and robots.txt, and the vendored chart assets (H25, H26).

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{open_entry, publish, with};
use crate::support::{Client, Resp, TestApp};

/// Rows of the test dataset: more than the preview shows.
const ROWS: usize = 150;

const DISTRICTS: [&str; 4] = ["新城区", "回民区", "玉泉区", "赛罕区"];

/// An unconditionally open list of facilities with a district item and a number.
fn facilities_entry(name: &str) -> Value {
    with(open_entry(name), |e| {
        e["items"] = json!([
            { "code": "jgmc", "name": "机构名称", "data_type": "text", "grade": "general_1" },
            { "code": "jglb", "name": "机构类别", "data_type": "text", "grade": "general_1" },
            { "code": "szqx", "name": "所在旗县区", "data_type": "text", "grade": "general_1" },
            { "code": "cws", "name": "床位数", "data_type": "integer", "grade": "general_1" }
        ]);
    })
}

/// The same, open only on conditions.
fn conditional_entry(name: &str) -> Value {
    with(facilities_entry(name), |e| {
        e["open_type"] = json!("conditional");
        e["open_conditions"] = json!("限科研用途，须签署数据使用协议");
    })
}

/// The same, not open.
fn closed_entry(name: &str) -> Value {
    with(facilities_entry(name), |e| {
        e["open_type"] = json!("not_open");
        e["not_open_reason"] = json!("legal_bar");
        e["legal_bases"] = json!([{ "law": "中华人民共和国数据安全法", "article": "第三十八条" }]);
    })
}

fn facilities_csv(rows: usize, marker: &str) -> String {
    let mut csv = String::from("jgmc,jglb,szqx,cws\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{marker}{}号养老服务中心,{},{},{}\n",
            i + 1,
            ["养老院", "日间照料中心", "护理院"][i % 3],
            DISTRICTS[i % 4],
            10 + i % 50
        ));
    }
    csv
}

async fn upload(client: &Client, code: &str, body: String) {
    let res = client
        .send(
            client
                .request(
                    Method::POST,
                    &format!("/api/v1/catalog/entries/{code}/versions?filename=facilities.csv"),
                )
                .body(body),
        )
        .await;
    res.expect_status(201);
}

/// Publishes `body` as 市民政局 and uploads `versions` versions of data; returns the code.
async fn published_with_data(t: &TestApp, body: Value, versions: usize, marker: &str) -> String {
    let mzj = t.login("mzj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&mzj, &reviewer, body).await;
    for _ in 0..versions {
        upload(&mzj, &code, facilities_csv(ROWS, marker)).await;
    }
    code
}

fn page(code: &str) -> String {
    format!("/open/datasets/{code}")
}

/// A complete portal page: Chinese, the portal's frame, no template failure, and no script
/// in the page but data blocks.
#[track_caller]
fn assert_page(res: &Resp, what: &str) {
    res.expect_status(200);
    assert!(
        res.header("content-type")
            .unwrap_or("")
            .starts_with("text/html"),
        "{what}"
    );
    for needle in [
        r#"<html lang="zh-CN">"#,
        "<main",
        "<header",
        "<footer",
        "<nav",
    ] {
        assert!(res.text.contains(needle), "{what}: no {needle}");
    }
    for bad in ["页面渲染失败", "undefined", "<script>"] {
        assert!(!res.text.contains(bad), "{what}: contains {bad:?}");
    }
    for script in res.text.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or("");
        assert!(
            tag.contains("src=\"/assets/") || tag.contains("application/ld+json"),
            "{what}: an inline or foreign script: <script{tag}>"
        );
    }
}

/// The page's text as a reader sees it (HTML escapes undone).
#[track_caller]
fn assert_contains(res: &Resp, texts: &[&str], what: &str) {
    let page = unescape(&res.text);
    for text in texts {
        assert!(page.contains(text), "{what}: no {text:?} in {page}");
    }
}

#[track_caller]
fn assert_lacks(res: &Resp, texts: &[&str], what: &str) {
    let page = unescape(&res.text);
    for text in texts {
        assert!(!page.contains(text), "{what}: {text:?} should not be there");
    }
}

/// A figure of the home page, by its label.
#[track_caller]
fn figure(home: &Resp, label: &str) -> i64 {
    let after = home
        .text
        .split_once(&format!("<dt>{label}</dt><dd>"))
        .unwrap_or_else(|| panic!("no figure {label}"))
        .1;
    after
        .split('<')
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("figure {label} is not a number"))
}

/// Undoes the HTML escaping of an attribute value.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The chart the page hands to its script.
fn chart_of(res: &Resp) -> Value {
    let raw = res
        .text
        .split_once("data-chart=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value)
        .expect("a chart on the page");
    serde_json::from_str(&unescape(raw)).expect("the chart's data is JSON")
}

/// The rows of the preview table.
fn preview_rows(html: &str) -> usize {
    html.split_once("数据预览（前100行）")
        .and_then(|(_, rest)| rest.split_once("</tbody>"))
        .map(|(table, _)| table.split_once("<tbody>").map_or("", |(_, b)| b))
        .unwrap_or("")
        .matches("<tr>")
        .count()
}

/// The open-data counters of `entry`: (channel, reader, requests, rows, bytes).
async fn usage(t: &TestApp, code: &str) -> Vec<(String, String, i64, i64, i64)> {
    let mut conn = t.db().pool().acquire().await.expect("a connection");
    sqlx::query_as(
        "SELECT u.channel, u.reader, u.requests, u.rows, u.bytes FROM open_usage u \
         JOIN catalog_entries e ON e.id = u.entry_id WHERE e.code = $1 \
         ORDER BY u.channel, u.reader",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await
    .expect("the counters")
}

// H26 (issue 14 items 1–2): the home's figures count open datasets, items and rows, and every
// download and API read of open data — by anyone, metered per reader with its rows and bytes
// in the transaction of its delivery event; the owner reading its own data is not open-data use.
pub async fn h26_home_figures_change_after_a_download_and_an_api_read(t: TestApp) {
    let anonymous = t.anonymous();
    let before = anonymous.get("/open").await;
    assert_page(&before, "home");
    assert_contains(
        &before,
        &[
            "开放数据统计",
            "按主题",
            "按部门",
            "按基础库",
            "最新开放",
            "开放申请（已办结）",
            "异议处理（已办结）",
        ],
        "home",
    );
    let code = published_with_data(&t, facilities_entry("门户计量测试养老机构"), 1, "计量").await;
    let home = anonymous.get("/open").await;
    assert_eq!(
        figure(&home, "开放数据集"),
        figure(&before, "开放数据集") + 1
    );
    assert_eq!(figure(&home, "数据项"), figure(&before, "数据项") + 4);
    assert_eq!(
        figure(&home, "数据量（行）"),
        figure(&before, "数据量（行）") + ROWS as i64
    );
    assert_contains(&home, &["门户计量测试养老机构"], "the newest datasets");
    let (downloads, calls) = (figure(&home, "下载次数"), figure(&home, "接口调用次数"));

    // An anonymous download of the whole dataset.
    let csv = anonymous
        .get(&format!(
            "/api/v1/entries/{code}/data?mode=bulk_download&format=csv"
        ))
        .await;
    csv.expect_status(200);
    let downloaded = t.delivery_of(&csv).await;
    assert_eq!(downloaded["rows"], ROWS);
    let home = anonymous.get("/open").await;
    assert_eq!(figure(&home, "下载次数"), downloads + 1);
    assert_eq!(figure(&home, "接口调用次数"), calls);

    // An API read with another agency's token.
    let token = t.token_of("wjw-admin").await;
    let api = anonymous
        .with_bearer(&token)
        .get(&format!(
            "/api/v1/entries/{code}/data?mode=api_query&limit=10"
        ))
        .await;
    api.expect_status(200);
    let called = t.delivery_of(&api).await;
    assert_eq!(called["rows"], 10);
    let home = anonymous.get("/open").await;
    assert_eq!(figure(&home, "接口调用次数"), calls + 1);

    // The owner reads its own data: delivered and audited, but not open-data use.
    let mzj = t.login("mzj-admin").await;
    let own = mzj
        .get(&format!(
            "/api/v1/entries/{code}/data?mode=bulk_download&format=json"
        ))
        .await;
    own.expect_status(200);
    t.delivery_of(&own).await;
    let home = anonymous.get("/open").await;
    assert_eq!(figure(&home, "下载次数"), downloads + 1);

    let counters = usage(&t, &code).await;
    let wjw = t.account_id("wjw-admin").await;
    let (token_id,): (String,) = sqlx::query_as("SELECT id FROM api_tokens WHERE account_id = $1")
        .bind(&wjw)
        .fetch_one(&mut *t.db().pool().acquire().await.expect("a connection"))
        .await
        .expect("the token");
    assert_eq!(
        counters,
        vec![
            (
                "api".into(),
                format!("token:{token_id}"),
                1,
                10,
                called["bytes"].as_i64().unwrap()
            ),
            (
                "download".into(),
                "address:127.0.0.1".into(),
                1,
                ROWS as i64,
                downloaded["bytes"].as_i64().unwrap()
            ),
        ]
    );
    // The dataset page says how often it was used.
    let res = anonymous.get(&page(&code)).await;
    assert_contains(
        &res,
        &["下载 1 次", "接口调用 1 次"],
        "usage on the dataset page",
    );
}

// H25: the search offers the portal's facets (topic, department, open type, format, update
// frequency, grade of quality), narrows by them, pages, and never shows a not-open entry.
pub async fn h25_search_facets_narrow_open_datasets(t: TestApp) {
    gongshu_demo::catalog::seed_catalog(&t.app)
        .await
        .expect("seed the demo catalog");
    let open = published_with_data(&t, facilities_entry("门户检索测试养老机构"), 1, "检索").await;
    let conditional =
        published_with_data(&t, conditional_entry("门户检索测试有条件数据"), 0, "").await;
    let closed = published_with_data(&t, closed_entry("门户检索测试非开放数据"), 0, "").await;
    let anonymous = t.anonymous();
    let all = anonymous.get("/open/datasets").await;
    assert_page(&all, "search");
    assert_contains(
        &all,
        &[
            "主题",
            "提供部门",
            "开放属性",
            "数据格式",
            "更新频率",
            "质量等级",
            "未评分",
        ],
        "facets",
    );
    assert_lacks(
        &all,
        &["门户检索测试非开放数据", "非开放"],
        "not-open entries",
    );
    // Paginated: the demo city has more open datasets than a page holds.
    assert_contains(&all, &["第 1 / 2 页", "/open/datasets?page=2"], "pages");
    let second = anonymous.get("/open/datasets?page=2").await;
    assert_contains(&second, &["第 2 / 2 页", "上一页"], "page 2");

    let res = anonymous.get("/open/datasets?q=门户检索测试").await;
    assert_contains(
        &res,
        &["门户检索测试养老机构", "门户检索测试有条件数据"],
        "text",
    );
    assert_lacks(&res, &["门户检索测试非开放数据"], "text");

    let res = anonymous
        .get("/open/datasets?q=门户检索测试&open_type=conditional")
        .await;
    assert_contains(
        &res,
        &["门户检索测试有条件数据", "共 1 个数据集"],
        "open type",
    );
    assert_lacks(&res, &["门户检索测试养老机构"], "open type");

    // The uploaded dataset is scored; the one without data is not.
    let res = anonymous
        .get("/open/datasets?q=门户检索测试&quality=unscored")
        .await;
    assert_contains(&res, &["门户检索测试有条件数据"], "unscored");
    assert_lacks(&res, &["门户检索测试养老机构"], "unscored");
    let res = anonymous
        .get("/open/datasets?q=门户检索测试&quality=excellent")
        .await;
    assert_contains(
        &res,
        &["门户检索测试养老机构", "共 1 个数据集"],
        "excellent",
    );

    let res = anonymous
        .get("/open/datasets?q=门户检索测试&category=201&data_form=spreadsheet&update_frequency=monthly")
        .await;
    assert_contains(&res, &["共 2 个数据集"], "topic, format and frequency");
    let res = anonymous
        .get("/open/datasets?q=门户检索测试&update_frequency=daily")
        .await;
    assert_contains(&res, &["共 0 个数据集", "没有符合条件的数据集"], "no match");

    // Asking for not-open entries finds nothing, and their page does not exist.
    let res = anonymous.get("/open/datasets?open_type=not_open").await;
    assert_contains(&res, &["共 0 个数据集"], "not_open filter");
    let res = anonymous.get(&page(&closed)).await;
    res.expect_status(404);
    assert_contains(&res, &["页面不存在", "不存在或未开放"], "not-open page");
    for code in [&open, &conditional] {
        anonymous.get(&page(code)).await.expect_status(200);
    }
    // A page past the results is said on the error page, not a server error.
    anonymous
        .get("/open/datasets?page=100000")
        .await
        .expect_status(422);
}

// H25, H26: an unconditionally open dataset's page shows its metadata (the H8 fields), items
// with types, update history, quality with its checks, the licence, the first 100 rows, a
// chart (a map by district, then any chosen one), the downloads and the API call.
pub async fn h25_h26_an_unconditional_dataset_page_shows_everything_the_public_may_know(
    t: TestApp,
) {
    let code = published_with_data(&t, facilities_entry("门户页面测试养老机构"), 2, "页面").await;
    let res = t.anonymous().get(&page(&code)).await;
    assert_page(&res, "dataset page");
    assert_contains(
        &res,
        &[
            "门户页面测试养老机构",
            "无条件开放",
            // H8 fields
            "数据形式",
            "电子表格",
            "共享类型",
            "无条件共享",
            "共享范围",
            "开放属性",
            "更新频率",
            "每月",
            "采集部门",
            "核准部门",
            "提供部门",
            "市民政局",
            // items with types
            "机构名称",
            "所在旗县区",
            "床位数",
            "整数",
            "文本",
            // history
            "更新记录",
            "第1版",
            "第2版",
            "现行版本",
            "历史版本",
            // quality and its checks
            "数据质量",
            "综合评分",
            "完整性",
            "有效性",
            "唯一性",
            "及时性",
            "质量优秀",
            // licence
            "开放协议",
            "注明数据来源",
            // downloads and the API
            "mode=bulk_download&format=csv\"",
            "format=csv_gbk\"",
            "format=xlsx\"",
            "format=json\"",
            "format=parquet\"",
            "curl \"http://127.0.0.1",
            "mode=api_query&limit=100\"",
        ],
        "dataset page",
    );
    assert_eq!(preview_rows(&res.text), 100, "the first 100 of 150 rows");
    assert_contains(&res, &["页面1号养老服务中心"], "the first row");

    // By default a map of the districts, summing the beds.
    let chart = chart_of(&res);
    assert_eq!(chart["kind"], "map");
    assert_eq!(chart["dimension"], "szqx");
    assert_eq!(chart["measure"], "sum.cws");
    let groups = chart["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 4);
    let total: f64 = groups.iter().map(|g| g["value"].as_f64().unwrap()).sum();
    let expected: usize = (0..ROWS).map(|i| 10 + i % 50).sum();
    assert_eq!(total as usize, expected);
    assert!(
        groups
            .iter()
            .all(|g| DISTRICTS.contains(&g["label"].as_str().unwrap()))
    );
    assert_contains(
        &res,
        &[
            "data-map=\"/assets/districts.geojson\"",
            "/assets/echarts.min.js",
        ],
        "map",
    );

    // A pie by category, counting rows; a map of a non-district item is refused beside the
    // chart, the default drawn instead.
    let res = t
        .anonymous()
        .get(&format!(
            "{}?dimension=jglb&measure=count&kind=pie",
            page(&code)
        ))
        .await;
    let chart = chart_of(&res);
    assert_eq!(
        (chart["kind"].as_str(), chart["dimension"].as_str()),
        (Some("pie"), Some("jglb"))
    );
    assert_eq!(chart["groups"].as_array().unwrap().len(), 3);
    let res = t
        .anonymous()
        .get(&format!("{}?dimension=jglb&kind=map", page(&code)))
        .await;
    assert_page(&res, "a refused chart choice");
    assert_contains(&res, &["只有按旗县区分组时才能绘制地图"], "refused choice");
    assert_eq!(chart_of(&res)["kind"], "map");
    // A number is measured, never grouped by.
    assert!(
        !chart["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["value"] == "cws")
    );
}

// H25, H26: a conditionally open dataset shows its metadata, its conditions and the (not yet
// working) button to apply, and never a row: no preview, no chart, no downloads, and the API
// refuses the public.
pub async fn h25_h26_a_conditional_dataset_shows_metadata_and_no_rows(t: TestApp) {
    let code = published_with_data(&t, conditional_entry("门户有条件测试数据"), 1, "保密").await;
    let anonymous = t.anonymous();
    let res = anonymous.get(&page(&code)).await;
    assert_page(&res, "conditional dataset");
    assert_contains(
        &res,
        &[
            "门户有条件测试数据",
            "有条件开放",
            "限科研用途，须签署数据使用协议",
            "申请使用（即将开放）",
            "disabled",
            "机构名称",
            "所在旗县区",
            "第1版",
            "开放协议",
        ],
        "conditional dataset",
    );
    assert_lacks(
        &res,
        &[
            "保密1号养老服务中心",
            "数据预览（前100行）",
            "data-chart",
            "format=csv",
            "curl",
        ],
        "no rows",
    );
    anonymous
        .get(&format!("/api/v1/entries/{code}/data?limit=5"))
        .await
        .expect_status(404);
    let jsonld = jsonld_of(&res);
    assert!(jsonld.get("distribution").is_none());
    assert_eq!(
        jsonld["conditionsOfAccess"],
        "限科研用途，须签署数据使用协议"
    );
}

// H26: open data downloads as CSV in GBK, which decodes as GBK with the Chinese intact and
// holds the same table as the UTF-8 CSV.
pub async fn h26_a_gbk_csv_download_decodes_as_gbk_with_the_chinese_intact(t: TestApp) {
    let code = published_with_data(&t, facilities_entry("门户编码测试养老机构"), 1, "编码").await;
    let client = reqwest::Client::new();
    let url = |format: &str| {
        format!(
            "{}/api/v1/entries/{code}/data?mode=bulk_download&format={format}",
            t.base
        )
    };
    let res = client
        .get(url("csv_gbk"))
        .send()
        .await
        .expect("the download");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=gbk"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".csv\"")
    );
    let gbk = res.bytes().await.expect("the body").to_vec();
    assert!(std::str::from_utf8(&gbk).is_err(), "GBK bytes, not UTF-8");
    let (text, _, had_errors) = encoding_rs::GBK.decode(&gbk);
    assert!(!had_errors);
    assert!(text.starts_with("jgmc,jglb,szqx,cws\n编码1号养老服务中心,养老院,新城区,10\n"));
    assert_eq!(text.lines().count(), ROWS + 1);
    let utf8 = client
        .get(url("csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(utf8.trim_start_matches('\u{feff}'), text);
}

/// The JSON-LD block of a page.
fn jsonld_of(res: &Resp) -> Value {
    let block = res
        .text
        .split_once(r#"<script type="application/ld+json">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .expect("a JSON-LD block");
    serde_json::from_str(block).expect("the JSON-LD is valid JSON")
}

// H26: dataset pages carry schema.org Dataset JSON-LD (valid JSON, no way out of its script
// block) with the downloads of unconditionally open data.
pub async fn h26_a_dataset_page_carries_valid_schema_org_jsonld(t: TestApp) {
    let code = published_with_data(
        &t,
        with(facilities_entry("门户元数据测试</script><b>"), |e| {
            e["summary"] = json!("含有 < 和 & 的摘要");
        }),
        1,
        "元数据",
    )
    .await;
    let res = t.anonymous().get(&page(&code)).await;
    assert_page(&res, "JSON-LD page");
    let doc = jsonld_of(&res);
    assert_eq!(doc["@context"], "https://schema.org");
    assert_eq!(doc["@type"], "Dataset");
    assert_eq!(doc["name"], "门户元数据测试</script><b>");
    assert_eq!(doc["description"], "含有 < 和 & 的摘要");
    assert_eq!(doc["identifier"], code.as_str());
    assert_eq!(doc["inLanguage"], "zh-CN");
    assert_eq!(doc["creator"]["name"], "市民政局");
    assert!(doc["url"].as_str().unwrap().ends_with(&page(&code)));
    assert!(doc["dateModified"].as_str().unwrap().ends_with("+08:00"));
    assert_eq!(doc["variableMeasured"].as_array().unwrap().len(), 4);
    let formats: Vec<&str> = doc["distribution"]
        .as_array()
        .expect("downloads")
        .iter()
        .map(|d| d["encodingFormat"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "text/csv",
            "application/json",
            "application/vnd.apache.parquet"
        ]
    );
    assert!(
        doc["license"]["url"]
            .as_str()
            .unwrap()
            .ends_with("#licence")
    );
}

// H25, H26: the sitemap lists every open dataset's page (unconditional and conditional) and
// nothing else; robots.txt lets crawlers into the portal only and names the sitemap.
pub async fn h26_the_sitemap_lists_open_datasets_only_and_robots_names_it(t: TestApp) {
    let open = published_with_data(&t, facilities_entry("门户地图测试开放"), 1, "地图").await;
    let conditional = published_with_data(&t, conditional_entry("门户地图测试有条件"), 0, "").await;
    let closed = published_with_data(&t, closed_entry("门户地图测试非开放"), 0, "").await;
    let anonymous = t.anonymous();
    let res = anonymous.get("/sitemap.xml").await;
    res.expect_status(200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/xml")
    );
    assert!(res.text.starts_with("<?xml"));
    assert!(
        res.text
            .contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">")
    );
    for code in [&open, &conditional] {
        assert!(
            res.text
                .contains(&format!("{}/open/datasets/{code}</loc>", t.base)),
            "{code} in the sitemap"
        );
    }
    assert!(!res.text.contains(&closed), "a not-open entry is left out");
    // Every demo entry listed is one the public may see.
    let listed = res.text.matches("/open/datasets/").count();
    let open_count = t
        .count(
            "SELECT COUNT(*) FROM catalog_entries e JOIN catalog_revisions r \
             ON r.entry_id = e.id AND r.revision = e.published_revision \
             WHERE r.open_type <> 'not_open'",
        )
        .await;
    assert_eq!(listed as i64, open_count);
    for url in res
        .text
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split_once("</loc>"))
    {
        let path = url.0.trim_start_matches(&t.base);
        if path.starts_with("/open/datasets/") {
            anonymous.get(path).await.expect_status(200);
        }
    }
    anonymous
        .get("/sitemap.xml?page=2")
        .await
        .expect_status(422);

    let robots = anonymous.get("/robots.txt").await;
    robots.expect_status(200);
    assert!(
        robots
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(robots.text.contains("User-agent: *"));
    assert!(robots.text.contains("Allow: /open\n"));
    assert!(robots.text.contains("Disallow: /\n"));
    assert!(
        robots
            .text
            .contains(&format!("Sitemap: {}/sitemap.xml", t.base))
    );
}

// H26: the chart library, the portal's script and the district map are served from /assets,
// compiled into the binary (the platform runs offline), and the pages load nothing else.
pub async fn h26_the_chart_assets_are_served_from_assets_offline(t: TestApp) {
    let anonymous = t.anonymous();
    let echarts = anonymous.get("/assets/echarts.min.js").await;
    echarts.expect_status(200);
    assert!(
        echarts
            .header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(echarts.text.len() > 1_000_000, "the whole of ECharts");
    assert!(echarts.text.contains("Apache Software Foundation"));
    assert!(echarts.text.contains("registerMap"));
    let script = anonymous.get("/assets/portal.js").await;
    script.expect_status(200);
    assert!(script.text.contains("echarts.init"));
    let css = anonymous.get("/assets/portal.css").await;
    css.expect_status(200);
    assert!(css.text.contains("@media (max-width: 800px)"));
    let map = anonymous.get("/assets/districts.geojson").await;
    map.expect_status(200);
    assert_eq!(map.header("content-type"), Some("application/geo+json"));
    assert_eq!(map.json["type"], "FeatureCollection");
    let names: Vec<&str> = map.json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 9);
    assert!(DISTRICTS.iter().all(|d| names.contains(d)));

    let code = published_with_data(&t, facilities_entry("门户资源测试养老机构"), 1, "资源").await;
    let res = anonymous.get(&page(&code)).await;
    assert_page(&res, "dataset page");
    assert!(
        res.header("content-security-policy")
            .unwrap()
            .starts_with("default-src 'self'")
    );
    assert!(!res.text.contains("http://cdn") && !res.text.contains("https://cdn"));
    // Every form control is labelled, and headings go in order.
    let home = anonymous.get("/open").await;
    for page in [&home, &res, &anonymous.get("/open/datasets").await] {
        assert_eq!(
            page.text.matches("<select").count() + page.text.matches("<input").count(),
            page.text.matches("<label").count() + page.text.matches(r#"type="hidden""#).count(),
            "a label for every control"
        );
        assert_eq!(page.text.matches("<h1").count(), 1, "one h1");
    }
}

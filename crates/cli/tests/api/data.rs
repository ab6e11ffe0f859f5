//! Issue 4 item 3 (Query) and item 4 (policy views and masking) through the HTTP API: rows
//! with filters and keyset pages, every format, aggregates, statistics and read-only SQL over
//! real Parquet versions, as the owner agency and as the public; H19 masking holds through
//! every door.

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{open_entry, publish, with};
use crate::support::{Client, Resp, TestApp, citizen_id};

/// An unconditionally open entry of 市公安局 with personal items the catalog marks masked.
pub(crate) fn people_entry() -> Value {
    with(open_entry("社区服务人员名录测试"), |e| {
        e["items"] = json!([
            { "code": "xm", "name": "姓名", "data_type": "text", "grade": "general_1", "personal": true, "masked": true },
            { "code": "sfzh", "name": "公民身份号码", "data_type": "citizen_id", "grade": "general_1", "personal": true, "masked": true },
            { "code": "qx", "name": "所在区", "data_type": "text", "grade": "general_1" },
            { "code": "nl", "name": "年龄", "data_type": "integer", "grade": "general_1" },
            { "code": "je", "name": "补贴金额", "data_type": "decimal", "grade": "general_1" }
        ]);
    })
}

pub(crate) const ROWS: usize = 250;

pub(crate) fn people_csv() -> String {
    let mut csv = String::from("xm,sfzh,qx,nl,je\n");
    let districts = ["新城区", "回民区", "玉泉区", "赛罕区"];
    for i in 0..ROWS {
        csv.push_str(&format!(
            "{}{},{},{},{},{}.50\n",
            ["张", "王", "李", "赵", "刘"][i % 5],
            ["伟", "芳", "娜", "敏"][i % 4],
            citizen_id(i),
            districts[i % 4],
            20 + i % 40,
            100 + i
        ));
    }
    csv
}

pub(crate) async fn upload(client: &Client, code: &str, body: String) {
    let res = client
        .send(
            client
                .request(
                    Method::POST,
                    &format!("/api/v1/catalog/entries/{code}/versions?filename=people.csv"),
                )
                .body(body),
        )
        .await;
    res.expect_status(201);
}

pub(crate) async fn open_people(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, people_entry()).await;
    upload(&gaj, &code, people_csv()).await;
    code
}

fn rows(res: &Resp) -> Vec<Value> {
    res.json
        .as_array()
        .unwrap_or_else(|| panic!("{}", res.text))
        .clone()
}

// Issue 4 item 3: the owner reads pages with filters and ordering and follows the cursor to
// the end without missing or repeating a row; every read is audited.
pub async fn the_owner_pages_through_filtered_rows_with_a_cursor(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut url = format!(
        "/api/v1/entries/{code}/data?qx=in.(新城区,玉泉区)&nl=gte.30&order=nl.desc,je&limit=17"
    );
    loop {
        let res = gaj.get(&url).await;
        res.expect_status(200);
        assert_eq!(res.header("x-gongshu-policy"), Some("owner"));
        assert_eq!(res.header("x-gongshu-version"), Some("1"));
        let page = rows(&res);
        pages += 1;
        assert!(page.len() <= 17);
        for r in &page {
            assert!(["新城区", "玉泉区"].contains(&r["qx"].as_str().unwrap()));
            assert!(r["nl"].as_i64().unwrap() >= 30);
            assert_eq!(
                r["sfzh"].as_str().unwrap().len(),
                18,
                "the owner sees IDs in full"
            );
        }
        seen.extend(page);
        match res.header("link") {
            Some(link) => {
                assert!(res.header("x-next-cursor").is_some());
                url = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
            }
            None => break,
        }
    }
    let expected = (0..ROWS)
        .filter(|i| i % 4 % 2 == 0 && 20 + i % 40 >= 30)
        .count();
    assert_eq!(seen.len(), expected);
    let ages: Vec<i64> = seen.iter().map(|r| r["nl"].as_i64().unwrap()).collect();
    assert!(
        ages.windows(2).all(|w| w[0] >= w[1]),
        "ordered by age descending"
    );
    let mut ids: Vec<&str> = seen.iter().map(|r| r["sfzh"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected, "no row twice");
    // One read event per page request, before its rows leave.
    assert_eq!(pages, (expected as u64).div_ceil(17).max(1) as i64);
    assert_eq!(
        crate::catalog_fixtures::successes(&t, "read_data", &format!("{code}/v1")).await,
        pages
    );
}

// Issue 4 item 3: the same rows come out in every format; exports stream without a limit.
pub async fn every_format_downloads_the_rows(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    let base = format!("/api/v1/entries/{code}/data");
    let ndjson = gaj.get(&format!("{base}?format=ndjson")).await;
    ndjson.expect_status(200);
    assert_eq!(ndjson.text.lines().count(), ROWS);
    // A streamed export records what it delivered once the body has gone out.
    let delivered = t.delivery_of(&ndjson).await;
    assert_eq!(delivered["rows"], ROWS);
    assert_eq!(delivered["bytes"], ndjson.text.len());
    assert_eq!(delivered["complete"], true);
    assert_eq!(delivered["policy"], "owner");
    let csv = gaj
        .get(&format!("{base}?format=csv&select=xm,je&order=je&limit=3"))
        .await;
    csv.expect_status(200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains(&format!("{code}-v1.csv"))
    );
    assert_eq!(
        csv.text,
        "\u{feff}xm,je\n张伟,100.5\n王芳,101.5\n李娜,102.5\n"
    );
    let json = gaj.get(&format!("{base}?select=je&je=eq.101.5")).await;
    assert_eq!(json.json, json!([{ "je": "101.5" }]));
    for (format, magic) in [("parquet", &b"PAR1"[..]), ("xlsx", &b"PK"[..])] {
        let res = gaj
            .send(gaj.request(Method::GET, &format!("{base}?format={format}")))
            .await;
        res.expect_status(200);
        let bytes = gaj
            .request(Method::GET, &format!("{base}?format={format}"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(bytes.starts_with(magic), "{format}");
    }
}

// Issue 4 items 3-4, H19: the public reads open data with the items the catalog marks masked
// masked, and cannot recover hidden digits by filtering, aggregating or SQL.
pub async fn h19_the_public_sees_masked_items_and_cannot_filter_through_them(t: TestApp) {
    let code = open_people(&t).await;
    let public = t.anonymous();
    let base = format!("/api/v1/entries/{code}/data");
    let res = public.get(&format!("{base}?limit=5&order=je")).await;
    res.expect_status(200);
    assert_eq!(res.header("x-gongshu-policy"), Some("open"));
    assert_eq!(res.header("x-gongshu-masked"), Some("xm,sfzh"));
    let first = &rows(&res)[0];
    assert_eq!(first["xm"], "张*");
    let masked = first["sfzh"].as_str().unwrap();
    assert!(
        masked.starts_with("150") && masked.contains("***********"),
        "{masked}"
    );
    assert_eq!(first["qx"], "新城区");
    // The birth-year digits are hidden: the owner can find them, the public cannot.
    let gaj = t.login("gaj-admin").await;
    let probe = format!("{base}?sfzh=like.*1980*");
    assert!(!rows(&gaj.get(&probe).await).is_empty());
    assert!(rows(&public.get(&probe).await).is_empty());
    assert!(rows(&public.get(&format!("{base}?xm=eq.张伟")).await).is_empty());
    let agg = public
        .get(&format!(
            "{base}/aggregate?group_by=sfzh&measures=count&sfzh=like.150102198*"
        ))
        .await;
    agg.expect_status(200);
    assert!(rows(&agg).is_empty());
    // SQL as a signed-in reader of another agency: the same view.
    let mzj = t.login("mzj-admin").await;
    let sql = mzj
        .post(
            "/api/v1/sql",
            json!({ "sql": format!("SELECT count(*) AS n, min(sfzh) AS lo FROM \"{code}\" WHERE substr(sfzh, 7, 3) = '198'") }),
        )
        .await;
    sql.expect_status(200);
    assert_eq!(sql.json[0]["n"], 0, "{}", sql.text);
    // Statistics of the view are statistics of masked values.
    let stats = public.get(&format!("{base}/stats")).await;
    stats.expect_status(200);
    assert_eq!(stats.json["rows"], ROWS);
    assert_eq!(stats.json["policy"], "open");
    let sfzh = stats.json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sfzh")
        .unwrap();
    assert!(sfzh["min"].as_str().unwrap().contains('*'));
}

// Issue 4 item 3: aggregates group and measure; read-only SQL refuses what is not a SELECT.
pub async fn aggregates_and_sql_answer_and_refuse(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    let res = gaj
        .get(&format!(
            "/api/v1/entries/{code}/data/aggregate?group_by=qx&measures=count,sum.je,max.nl"
        ))
        .await;
    res.expect_status(200);
    let groups = rows(&res);
    assert_eq!(groups.len(), 4);
    assert_eq!(
        groups
            .iter()
            .map(|g| g["count"].as_i64().unwrap())
            .sum::<i64>(),
        ROWS as i64
    );
    let sql = |body: Value| {
        let gaj = gaj.clone();
        async move { gaj.post("/api/v1/sql", body).await }
    };
    let ok = sql(json!({ "sql": format!("SELECT qx, count(*) AS n FROM \"{code}\" GROUP BY qx ORDER BY qx"), "format": "csv" })).await;
    ok.expect_status(200);
    assert!(ok.text.starts_with("\u{feff}qx,n\n"), "{}", ok.text);
    sql(json!({ "sql": format!("DROP TABLE \"{code}\"") }))
        .await
        .expect_problem(400, "sql_not_allowed");
    sql(json!({ "sql": format!("COPY \"{code}\" TO '/tmp/x.csv'") }))
        .await
        .expect_problem(400, "sql_not_allowed");
    sql(json!({ "sql": "SELECT 1; SELECT 2" }))
        .await
        .expect_problem(400, "invalid_sql");
    sql(json!({ "sql": "SELECT * FROM \"999-99999\"" }))
        .await
        .expect_problem(400, "unknown_table");
    sql(json!({ "sql": "SELECT 1", "format": "pdf" }))
        .await
        .expect_problem(422, "invalid_input");
    t.anonymous()
        .post("/api/v1/sql", json!({ "sql": "SELECT 1" }))
        .await
        .expect_status(401);
}

// Issue 4 item 3: readers without a policy get 404/409; bad parameters get a clear 400.
pub async fn unreadable_data_and_bad_parameters_are_refused_clearly(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    // A conditionally shared, not open entry: other agencies are told why, the public sees nothing.
    let closed = publish(
        &gaj,
        &reviewer,
        with(people_entry(), |e| {
            e["name"] = json!("不开放的人员名录测试");
            e["grade"] = json!("general_3");
            e["open_type"] = json!("not_open");
            e["not_open_reason"] = json!("privacy");
        }),
    )
    .await;
    gaj.get(&format!("/api/v1/entries/{closed}/data"))
        .await
        .expect_problem(409, "no_data");
    upload(&gaj, &closed, people_csv()).await;
    t.login("mzj-admin")
        .await
        .get(&format!("/api/v1/entries/{closed}/data"))
        .await
        .expect_problem(403, "no_grant");
    t.anonymous()
        .get(&format!("/api/v1/entries/{closed}/data"))
        .await
        .expect_problem(404, "not_found");
    let base = format!("/api/v1/entries/{code}/data");
    gaj.get(&format!("{base}?nl=between.1"))
        .await
        .expect_problem(400, "invalid_filter");
    gaj.get(&format!("{base}?nl=eq.二十"))
        .await
        .expect_problem(400, "invalid_filter_value");
    gaj.get(&format!("{base}?nope=eq.1"))
        .await
        .expect_problem(400, "unknown_column");
    gaj.get(&format!("{base}?select=xm,nope"))
        .await
        .expect_problem(400, "unknown_column");
    gaj.get(&format!("{base}?limit=0"))
        .await
        .expect_problem(400, "invalid_limit");
    gaj.get(&format!("{base}?limit=20000"))
        .await
        .expect_problem(400, "invalid_limit");
    gaj.get(&format!("{base}?limit=5&cursor=abc"))
        .await
        .expect_problem(400, "invalid_cursor");
    gaj.get(&format!("{base}?order=nl.up"))
        .await
        .expect_problem(400, "invalid_order");
    gaj.get(&format!("{base}?format=pdf"))
        .await
        .expect_problem(422, "invalid_input");
    gaj.get(&format!("{base}?version=9"))
        .await
        .expect_problem(404, "not_found");
    gaj.get(&format!("{base}/aggregate?measures=sum.xm"))
        .await
        .expect_problem(400, "invalid_aggregate");
    gaj.get("/api/v1/entries/999-99999/data")
        .await
        .expect_problem(404, "not_found");
}

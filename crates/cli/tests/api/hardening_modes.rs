//! Issue 11 item 6 (H20: a grant gives the minimum — its items, its rows, its modes): every
//! read path is exactly one share mode and is checked against the grant's modes; an API-query
//! grant answers SQL and aggregates one capped page at a time; only a bulk-download grant
//! streams everything.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::catalog_fixtures::with;
use crate::data::ROWS;
use crate::sharing::{ask, published_with_data, request};
use crate::support::{Client, Resp, TestApp, citizen_id};

/// `user`'s agency asks for `modes` on `code` and 市公安局 approves.
async fn grant(t: &TestApp, code: &str, user: &str, modes: Value) {
    let client = t.login(user).await;
    let id = request(
        &client,
        with(ask(code, "2025-12-31"), |b| b["modes"] = modes),
    )
    .await;
    t.login("gaj-admin")
        .await
        .post(&format!("/api/v1/share-requests/{id}/approve"), json!({}))
        .await
        .expect_status(200);
}

/// The read paths, each with the one share mode it reads in.
const PATHS: [(&str, &str); 7] = [
    ("page", "api_query"),
    ("export", "bulk_download"),
    ("aggregate", "api_query"),
    ("stats", "api_query"),
    ("sql", "api_query"),
    ("sql_bulk", "bulk_download"),
    ("verify", "verification"),
];

async fn read(client: &Client, code: &str, path: &str) -> Resp {
    let sql = format!("SELECT qx, nl FROM \"{code}\" ORDER BY nl");
    match path {
        "page" => {
            client
                .get(&format!("/api/v1/entries/{code}/data?limit=10"))
                .await
        }
        "export" => {
            client
                .get(&format!("/api/v1/entries/{code}/data?format=csv"))
                .await
        }
        "aggregate" => {
            client
                .get(&format!(
                    "/api/v1/entries/{code}/data/aggregate?group_by=qx"
                ))
                .await
        }
        "stats" => {
            client
                .get(&format!("/api/v1/entries/{code}/data/stats"))
                .await
        }
        "sql" => client.post("/api/v1/sql", json!({ "sql": sql })).await,
        "sql_bulk" => {
            client
                .post(
                    "/api/v1/sql",
                    json!({ "sql": sql, "mode": "bulk_download", "format": "csv" }),
                )
                .await
        }
        "verify" => {
            let record = json!({ "key": citizen_id(0), "claims": { "nl": "20" } });
            client
                .post(
                    &format!("/api/v1/verify/{code}"),
                    json!({ "key": "sfzh", "records": [record] }),
                )
                .await
        }
        other => panic!("no path {other}"),
    }
}

// Issue 11 item 6, H20: the whole matrix of grant mode × read path. A path is allowed
// exactly when the grant holds its mode; refusals say why (403 `no_grant`; SQL reports a
// table it may not read as unknown).
pub async fn h20_every_read_path_is_one_share_mode_checked_against_the_grant(t: TestApp) {
    let code = published_with_data(&t).await;
    let holders = [
        ("mzj-staff", "api_query"),
        ("rsj-staff", "bulk_download"),
        ("wjw-staff", "verification"),
    ];
    for (user, mode) in holders {
        grant(&t, &code, user, json!([mode])).await;
    }
    for (user, mode) in holders {
        let client = t.login(user).await;
        for (path, path_mode) in PATHS {
            let res = read(&client, &code, path).await;
            if mode == path_mode {
                assert_eq!(res.status, 200, "{user} ({mode}) on {path}: {}", res.text);
            } else if path.starts_with("sql") {
                res.expect_problem(400, "unknown_table");
            } else {
                assert_eq!(
                    (res.status, res.code()),
                    (403, "no_grant"),
                    "{user} ({mode}) on {path}: {}",
                    res.text
                );
            }
        }
    }
    // The owner reads through every path but verification, which is for other agencies.
    let owner = t.login("gaj-admin").await;
    for (path, _) in &PATHS[..6] {
        let res = read(&owner, &code, path).await;
        assert_eq!(res.status, 200, "owner on {path}: {}", res.text);
    }
    // SQL in the verification mode is refused: verification never returns rows.
    t.login("wjw-staff")
        .await
        .post(
            "/api/v1/sql",
            json!({ "sql": "SELECT 1", "mode": "verification" }),
        )
        .await
        .expect_field_error("mode", "invalid");
}

/// The values of `column` in a JSON array of rows.
fn column(res: &Resp, column: &str) -> Vec<String> {
    res.json
        .as_array()
        .unwrap_or_else(|| panic!("rows: {}", res.text))
        .iter()
        .map(|r| r[column].to_string())
        .collect()
}

// Issue 11 item 6, H20: through an API-query grant, SQL and aggregates answer one page of at
// most the largest page (here 100 rows) with a cursor to the next — the attack was
// `SELECT * … format=csv` returning every row — while a bulk-download grant, the owner and
// open data stream everything.
pub async fn h20_api_query_grants_page_sql_and_aggregates_bulk_grants_stream_everything(
    t: TestApp,
) {
    let code = published_with_data(&t).await;
    grant(&t, &code, "mzj-staff", json!(["api_query"])).await;
    grant(&t, &code, "rsj-staff", json!(["bulk_download"])).await;
    let (base, server) = t.serve_with_query_limits(|l| l.max_page_rows = 100).await;
    let api = Client::at(&base).with_bearer(&t.token_of("mzj-staff").await);
    let bulk = Client::at(&base).with_bearer(&t.token_of("rsj-staff").await);
    let owner = Client::at(&base).with_bearer(&t.token_of("gaj-admin").await);
    let all = format!("SELECT sfzh FROM \"{code}\" ORDER BY sfzh");

    // The attack: every row as CSV through an API-query grant gives one page.
    let res = api
        .post("/api/v1/sql", json!({ "sql": all, "format": "csv" }))
        .await;
    res.expect_status(200);
    assert_eq!(res.text.lines().count(), 1 + 100, "header and 100 rows");
    assert_eq!(res.header("x-next-cursor"), Some("100"));
    // Following the cursors reads every row once.
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({ "sql": all, "limit": 100 });
        if let Some(c) = &cursor {
            body["cursor"] = json!(c);
        }
        let res = api.post("/api/v1/sql", body).await;
        res.expect_status(200);
        for id in column(&res, "sfzh") {
            assert!(seen.insert(id), "a row came twice");
        }
        pages += 1;
        match res.header("x-next-cursor") {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (ROWS, 3));
    // A page larger than the largest is refused.
    api.post("/api/v1/sql", json!({ "sql": all, "limit": 101 }))
        .await
        .expect_problem(400, "invalid_limit");
    // Grouping by a key cannot turn the API query into a download either.
    let res = api
        .get(&format!(
            "/api/v1/entries/{code}/data/aggregate?group_by=sfzh"
        ))
        .await;
    res.expect_status(200);
    assert_eq!(column(&res, "sfzh").len(), 100);
    assert_eq!(res.header("x-next-cursor"), Some("100"));
    let res = api
        .get(&format!(
            "/api/v1/entries/{code}/data/aggregate?group_by=sfzh&limit=100&cursor=200"
        ))
        .await;
    assert_eq!(column(&res, "sfzh").len(), ROWS - 200);
    assert_eq!(res.header("x-next-cursor"), None);

    // A bulk-download grant streams everything in its mode, and the owner in either.
    let res = bulk
        .post(
            "/api/v1/sql",
            json!({ "sql": all, "mode": "bulk_download", "format": "csv" }),
        )
        .await;
    res.expect_status(200);
    assert_eq!(res.text.lines().count(), 1 + ROWS);
    assert_eq!(res.header("x-next-cursor"), None);
    let res = owner.post("/api/v1/sql", json!({ "sql": all })).await;
    assert_eq!(column(&res, "sfzh").len(), ROWS);
    server.abort();
}

// Issue 12 item 4, H20: the share mode of a row or aggregate read is a parameter (`mode`) and
// is checked against the grant both ways — an API-query grant reads no bulk download however
// the request is shaped, and a bulk-download grant answers no API query — while a request
// without it keeps the mode of its shape (a page is an API query, everything a download; an
// aggregate an API query). Each read is audited with its mode.
pub async fn h20_an_explicit_mode_is_checked_against_the_grant_both_ways(t: TestApp) {
    let code = published_with_data(&t).await;
    grant(&t, &code, "mzj-staff", json!(["api_query"])).await;
    grant(&t, &code, "rsj-staff", json!(["bulk_download"])).await;
    let (base, server) = t.serve_with_query_limits(|l| l.max_page_rows = 100).await;
    let api = Client::at(&base).with_bearer(&t.token_of("mzj-staff").await);
    let bulk = Client::at(&base).with_bearer(&t.token_of("rsj-staff").await);
    let rows = format!("/api/v1/entries/{code}/data?order=sfzh");
    let groups = format!("/api/v1/entries/{code}/data/aggregate?group_by=sfzh");

    // API-query grant, `mode=api_query`: one page even without a limit, and its cursor
    // reads on.
    let res = api.get(&format!("{rows}&mode=api_query")).await;
    res.expect_status(200);
    let first = column(&res, "sfzh");
    assert_eq!(first.len(), 100);
    let cursor = res.header("x-next-cursor").expect("a cursor").to_owned();
    let event = t.last_event_of("read_data").await;
    let payload: Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["mode"], "api_query", "{payload}");
    let next = api
        .get(&format!("{rows}&mode=api_query&cursor={cursor}"))
        .await;
    next.expect_status(200);
    let second = column(&next, "sfzh");
    assert_eq!(second.len(), 100);
    assert!(first.iter().all(|id| !second.contains(id)), "the next page");
    // … and never a bulk download, whatever the shape of the request.
    for path in [
        format!("{rows}&mode=bulk_download"),
        format!("{rows}&mode=bulk_download&limit=10"),
        format!("{rows}&format=csv"),
        format!("{groups}&mode=bulk_download"),
    ] {
        api.get(&path).await.expect_problem(403, "no_grant");
    }

    // Bulk-download grant, `mode=bulk_download`: everything, rows and groups, or a page when
    // it asks for one.
    let res = bulk
        .get(&format!("{rows}&mode=bulk_download&format=csv"))
        .await;
    res.expect_status(200);
    assert_eq!(res.text.lines().count(), 1 + ROWS);
    let res = bulk.get(&format!("{groups}&mode=bulk_download")).await;
    res.expect_status(200);
    assert_eq!(column(&res, "sfzh").len(), ROWS);
    assert_eq!(res.header("x-next-cursor"), None);
    let event = t.last_event_of("aggregate_data").await;
    let payload: Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["mode"], "bulk_download", "{payload}");
    let res = bulk
        .get(&format!("{rows}&mode=bulk_download&limit=10"))
        .await;
    res.expect_status(200);
    assert_eq!(column(&res, "sfzh").len(), 10);
    // … and never an API query, named or implied by the shape.
    for path in [
        format!("{rows}&mode=api_query"),
        format!("{rows}&limit=10"),
        groups.clone(),
    ] {
        bulk.get(&path).await.expect_problem(403, "no_grant");
    }

    // Verification hands no rows over: it is no mode of a read.
    bulk.get(&format!("{rows}&mode=verification"))
        .await
        .expect_field_error("mode", "invalid");
    server.abort();
}

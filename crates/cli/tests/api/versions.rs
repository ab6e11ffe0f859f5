//! Issue 4 item 2 (Versions): an agency uploads files for its published entry; each good file
//! becomes an immutable Parquet version with a manifest row (row counts, SM3 digests of the
//! source and the data); bad files leave nothing behind; withdrawal is a tombstone; orphans
//! left by a crash are swept at start. H11 (data provided as catalogued) and H12 (updated
//! versions) rest on these versions.

use std::sync::Arc;

use gongshu_app::{App, AppConfig};
use gongshu_lake::storage::Lake;
use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{create, entry, publish, with};
use crate::support::{Client, Resp, TestApp, engine};

/// A published entry of 市公安局 with a text, an integer and a date item.
async fn published_entry(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    publish(&gaj, &reviewer, data_entry("人口统计数据测试")).await
}

fn data_entry(name: &str) -> Value {
    with(entry(name), |e| {
        e["items"] = json!([
            { "code": "xm", "name": "姓名", "data_type": "text", "grade": "general_3", "personal": true },
            { "code": "nl", "name": "年龄", "data_type": "integer", "grade": "general_3" },
            { "code": "djrq", "name": "登记日期", "data_type": "date", "grade": "general_3" }
        ]);
    })
}

async fn upload(client: &Client, code: &str, query: &str, body: Vec<u8>) -> Resp {
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

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        if e.path().is_dir() {
            out.extend(files_under(&e.path()));
        } else {
            out.push(e.path().display().to_string());
        }
    }
    out
}

// Issue 4 item 2, H11/H12: a UTF-8 CSV and then a GBK CSV become versions 1 and 2, each with
// its row count, SM3 digests and a Parquet file at the manifest's path.
pub async fn utf8_and_gbk_files_become_numbered_versions_with_digests(t: TestApp) {
    let code = published_entry(&t).await;
    let gaj = t.login("gaj-admin").await;
    let csv = "姓名,年龄,登记日期\n张三,30,2024-03-01\n李四,41,2024/3/2\n";
    let first = upload(&gaj, &code, "filename=data.csv", csv.as_bytes().to_vec()).await;
    first.expect_status(201);
    assert_eq!(first.json["version"], 1, "{}", first.text);
    assert_eq!(first.json["rows"], 2);
    assert_eq!(first.json["bad_rows"], 0);
    assert_eq!(first.json["source_encoding"], "UTF-8");
    assert_eq!(first.json["source_sm3"].as_str().unwrap().len(), 64);
    assert_eq!(first.json["data_sm3"].as_str().unwrap().len(), 64);
    assert_eq!(first.json["data_file"], format!("{code}/v1.parquet"));
    assert!(t.lake_dir.join(&code).join("v1.parquet").is_file());

    let gbk_text =
        "姓名,年龄,登记日期\n王五,25,2024-04-01\n赵六,33,2024-04-02\n孙七,52,2024-04-03\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(gbk_text);
    let second = upload(&gaj, &code, "filename=gbk.csv", gbk.into_owned()).await;
    second.expect_status(201);
    assert_eq!(second.json["version"], 2, "{}", second.text);
    assert_eq!(second.json["rows"], 3);
    assert_eq!(second.json["source_encoding"], "GBK");
    assert_ne!(second.json["source_sm3"], first.json["source_sm3"]);
    let path = t.lake_dir.join(second.json["data_file"].as_str().unwrap());
    let bytes = std::fs::read(&path).expect("the Parquet file exists at the manifest path");
    assert!(bytes.starts_with(b"PAR1"));
    assert_eq!(second.json["data_bytes"], bytes.len() as i64);

    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    list.expect_status(200);
    let versions: Vec<i64> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, vec![2, 1]);
    assert_eq!(
        crate::catalog_fixtures::successes(&t, "upload_data_version", &format!("{code}/v2")).await,
        1
    );
}

// Issue 4 item 2: a file with a bad cell is refused with its row and column, and nothing is
// kept (no version, no file); asking to drop bad rows keeps the rest and counts them.
pub async fn a_bad_cell_refuses_the_file_unless_bad_rows_are_dropped(t: TestApp) {
    let code = published_entry(&t).await;
    let gaj = t.login("gaj-admin").await;
    let csv = "姓名,年龄,登记日期\n张三,30,2024-03-01\n李四,四十,2024-03-02\n";
    let res = upload(&gaj, &code, "filename=bad.csv", csv.as_bytes().to_vec()).await;
    res.expect_problem(422, "invalid_data");
    let errors = res.json["errors"].as_array().expect("bad cells listed");
    assert_eq!(errors.len(), 1, "{}", res.text);
    let field = errors[0]["field"].as_str().unwrap();
    assert!(field.contains("第3行") && field.contains("年龄"), "{field}");
    assert!(
        res.json["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("1处错误"),
        "{}",
        res.text
    );
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(list.json, json!([]));
    assert!(
        files_under(&t.lake_dir).is_empty(),
        "{:?}",
        files_under(&t.lake_dir)
    );

    let res = upload(
        &gaj,
        &code,
        "filename=bad.csv&drop_bad_rows=true",
        csv.as_bytes().to_vec(),
    )
    .await;
    res.expect_status(201);
    assert_eq!(res.json["version"], 1);
    assert_eq!(res.json["rows"], 1);
    assert_eq!(res.json["bad_rows"], 1);
}

// Issue 4 item 2: another agency does not see the entry's versions (404, as with drafts); a
// draft entry cannot take data (409).
pub async fn other_agencies_get_404_and_drafts_get_409(t: TestApp) {
    let code = published_entry(&t).await;
    let mzj = t.login("mzj-admin").await;
    let csv = b"xm,nl,djrq\n a,1,2024-01-01\n".to_vec();
    upload(&mzj, &code, "filename=a.csv", csv.clone())
        .await
        .expect_problem(404, "not_found");
    mzj.get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await
        .expect_problem(404, "not_found");
    let gaj = t.login("gaj-admin").await;
    let draft = create(&gaj, data_entry("草稿条目")).await;
    upload(&gaj, &draft, "filename=a.csv", csv)
        .await
        .expect_problem(409, "entry_not_published");
}

// Issue 4 item 2: withdrawal is a tombstone with a reason; the file stays.
pub async fn a_withdrawn_version_is_listed_as_withdrawn(t: TestApp) {
    let code = published_entry(&t).await;
    let gaj = t.login("gaj-admin").await;
    let csv = "姓名,年龄,登记日期\n张三,30,2024-03-01\n";
    upload(&gaj, &code, "filename=a.csv", csv.as_bytes().to_vec())
        .await
        .expect_status(201);
    let res = gaj
        .post(
            &format!("/api/v1/catalog/entries/{code}/versions/1/withdraw"),
            json!({ "reason": "数据有误" }),
        )
        .await;
    res.expect_status(200);
    assert_eq!(res.json["withdrawn"], true);
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(list.json[0]["withdrawn"], true);
    assert_eq!(list.json[0]["withdrawn_reason"], "数据有误");
    assert!(t.lake_dir.join(&code).join("v1.parquet").is_file());
    gaj.post(
        &format!("/api/v1/catalog/entries/{code}/versions/1/withdraw"),
        json!({ "reason": "再次" }),
    )
    .await
    .expect_problem(409, "already_withdrawn");
}

// Issue 4 item 2: files left by a crash (a staged file, a version file without its manifest
// row) are removed when the platform starts again on the same database and lake directory.
pub async fn orphaned_files_are_removed_at_start(t: TestApp) {
    let code = published_entry(&t).await;
    let gaj = t.login("gaj-admin").await;
    let csv = "姓名,年龄,登记日期\n张三,30,2024-03-01\n";
    upload(&gaj, &code, "filename=a.csv", csv.as_bytes().to_vec())
        .await
        .expect_status(201);
    let staged = t.lake_dir.join(".staging").join("stray.parquet");
    std::fs::create_dir_all(staged.parent().unwrap()).unwrap();
    std::fs::write(&staged, b"PAR1 half written").unwrap();
    let orphan = t.lake_dir.join(&code).join("v9.parquet");
    std::fs::write(&orphan, b"PAR1 no manifest").unwrap();
    let orphan_rejects = t.lake_dir.join(&code).join("v9.rejects.csv");
    std::fs::write(&orphan_rejects, b"\xEF\xBB\xBFrow\n").unwrap();

    let config = AppConfig {
        lake: Some(Lake::directory(t.lake_dir.clone()).expect("the lake")),
        ..AppConfig::default()
    };
    App::new(
        t.db().clone(),
        Arc::new(gongshu_app::SystemClock),
        config,
        engine(Default::default()),
    )
    .await
    .expect("the platform starts again");
    assert!(!staged.exists(), "the staged file is removed");
    assert!(
        !orphan.exists(),
        "the version file without a manifest row is removed"
    );
    assert!(
        !orphan_rejects.exists(),
        "a rejects file without a manifest row is removed"
    );
    assert!(
        t.lake_dir.join(&code).join("v1.parquet").is_file(),
        "committed files stay"
    );
}

/// The raw bytes of a GET (the helpers decode text, which would hide a BOM).
async fn get_bytes(client: &Client, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let res = client
        .request(Method::GET, path)
        .send()
        .await
        .expect("the request reaches the server");
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        status,
        content_type,
        res.bytes().await.expect("a body").to_vec(),
    )
}

// Issue 4 item 1: rows dropped for bad cells are kept in a rejects file beside the version,
// named in its manifest with its size and SM3, downloadable as CSV with a BOM (Excel shows the
// Chinese) by the owner agency and the reviewing authority, each download audited; another
// agency gets 404, and a version that dropped nothing has no rejects file.
pub async fn dropped_rows_are_kept_in_a_rejects_file_the_owner_downloads(t: TestApp) {
    let code = published_entry(&t).await;
    let gaj = t.login("gaj-admin").await;
    let csv = "姓名,年龄,登记日期\n张三,30,2024-03-01\n李四,四十,2024-03-02\n王五,50,2024-02-30\n";
    let res = upload(
        &gaj,
        &code,
        "filename=bad.csv&drop_bad_rows=true",
        csv.as_bytes().to_vec(),
    )
    .await;
    res.expect_status(201);
    assert_eq!(res.json["bad_rows"], 2, "{}", res.text);
    assert_eq!(res.json["rejects_file"], format!("{code}/v1.rejects.csv"));
    let on_disk = std::fs::read(t.lake_dir.join(&code).join("v1.rejects.csv"))
        .expect("the rejects file sits beside the Parquet file");
    assert_eq!(res.json["rejects_bytes"], on_disk.len() as i64);
    assert_eq!(res.json["rejects_sm3"].as_str().map(str::len), Some(64));

    let path = format!("/api/v1/entries/{code}/versions/1/rejects");
    let (status, content_type, body) = get_bytes(&gaj, &path).await;
    assert_eq!(status, 200);
    assert!(
        content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("text/csv")),
        "{content_type:?}"
    );
    assert_eq!(body, on_disk);
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let text = String::from_utf8(body[3..].to_vec()).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("数据行号 row,源位置 source,错误原因 reason,姓名"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("2,第3行 line 3,") && lines[1].contains("四十"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("3,第4行 line 4,") && lines[2].contains("2024-02-30"),
        "{text}"
    );
    assert_eq!(
        crate::catalog_fixtures::successes(&t, "download_rejects", &format!("{code}/v1")).await,
        1
    );

    let reviewer = t.login("reviewer").await;
    let (status, _, body) = get_bytes(&reviewer, &path).await;
    assert_eq!(status, 200, "the reviewing authority downloads it too");
    assert_eq!(body, on_disk);
    let mzj = t.login("mzj-admin").await;
    mzj.get(&path).await.expect_problem(404, "not_found");

    let good = "姓名,年龄,登记日期\n赵六,33,2024-04-02\n";
    let res = upload(
        &gaj,
        &code,
        "filename=good.csv&drop_bad_rows=true",
        good.as_bytes().to_vec(),
    )
    .await;
    res.expect_status(201);
    assert_eq!(res.json["rejects_file"], Value::Null);
    assert!(!t.lake_dir.join(&code).join("v2.rejects.csv").exists());
    gaj.get(&format!("/api/v1/entries/{code}/versions/2/rejects"))
        .await
        .expect_problem(404, "not_found");
    let staging = t.lake_dir.join(".staging");
    assert!(
        files_under(&staging).is_empty(),
        "nothing is left in staging: {:?}",
        files_under(&staging)
    );
}

/// Sends `body` with `Transfer-Encoding: chunked` (no length known beforehand) over a plain
/// socket, in chunks of 1 KiB; returns the status and the response body.
fn post_chunked(base: &str, path: &str, token: &str, body: &[u8]) -> (u16, Value) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut socket = std::net::TcpStream::connect(addr).expect("connect");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(1024) {
        request.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend(chunk);
        request.extend(b"\r\n");
    }
    request.extend(b"0\r\n\r\n");
    // The server may answer and close before it has read everything (a refusal): a failed
    // write is then expected, and the answer is still there to read.
    let _ = socket.write_all(&request);
    let mut response = Vec::new();
    let _ = socket.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    // A chunked answer: the JSON sits between the chunk-size lines.
    let json = body
        .find('{')
        .and_then(|start| body.rfind('}').map(|end| &body[start..=end]))
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

// Issue 4 item 1: size limits are configurable (AppConfig; `--max-upload-bytes` and
// `--max-xlsx-bytes` on serve and ingest). A file whose length is known and over a limit is
// refused before it is read, with 413 `file_too_large` naming the limit; a streamed body with
// no length is read as it arrives and cut off as soon as it passes the limit; a streamed
// body under the limit becomes a version. Nothing is kept of a refused upload.
pub async fn uploads_over_the_configured_limits_are_refused_with_413(t: TestApp) {
    let code = published_entry(&t).await;
    let token = t.token_of("gaj-admin").await;
    let (base, server) = t
        .serve_with(|c| {
            c.max_upload_bytes = 4096;
            c.max_xlsx_bytes = 1024;
        })
        .await;
    let http = reqwest::Client::new();
    let path = |name: &str| format!("/api/v1/catalog/entries/{code}/versions?filename={name}");

    let mut big = String::from("姓名,年龄,登记日期\n");
    while big.len() <= 4096 {
        big.push_str("张三,30,2024-03-01\n");
    }
    let res = http
        .post(format!("{base}{}", path("big.csv")))
        .bearer_auth(&token)
        .body(big.clone())
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let problem: Value = res.json().await.expect("a problem");
    assert_eq!(problem["code"], "file_too_large", "{problem}");
    assert!(
        problem["message"]["zh"].as_str().unwrap().contains("4 KiB"),
        "{problem}"
    );
    assert!(problem["message"]["en"].as_str().unwrap().contains("4 KiB"));

    // A workbook has its own, smaller limit.
    let res = http
        .post(format!("{base}{}", path("book.xlsx")))
        .bearer_auth(&token)
        .body(vec![b'P'; 2000])
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status().as_u16(), 413);
    let problem: Value = res.json().await.expect("a problem");
    assert_eq!(problem["code"], "file_too_large", "{problem}");
    assert!(
        problem["message"]["en"].as_str().unwrap().contains("1 KiB"),
        "{problem}"
    );

    // Without a length the body is streamed and cut off at the limit.
    let (base2, token2, big2) = (base.clone(), token.clone(), big.clone());
    let chunked_path = path("stream.csv");
    let (status, problem) = tokio::task::spawn_blocking(move || {
        post_chunked(&base2, &chunked_path, &token2, big2.as_bytes())
    })
    .await
    .unwrap();
    assert_eq!(status, 413, "{problem}");
    assert_eq!(problem["code"], "file_too_large", "{problem}");
    assert!(
        files_under(&t.lake_dir).is_empty(),
        "a refused upload keeps nothing: {:?}",
        files_under(&t.lake_dir)
    );
    let gaj = t.login("gaj-admin").await;
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(list.json, json!([]));

    // A streamed body under the limit is a version like any other.
    let small = "姓名,年龄,登记日期\n张三,30,2024-03-01\n李四,41,2024-03-02\n";
    let small_path = path("small.csv");
    let (status, version) = tokio::task::spawn_blocking(move || {
        post_chunked(&base, &small_path, &token, small.as_bytes())
    })
    .await
    .unwrap();
    assert_eq!(status, 201, "{version}");
    assert_eq!(version["rows"], 2, "{version}");
    assert_eq!(version["source_bytes"], small.len() as i64, "{version}");
    server.abort();
}

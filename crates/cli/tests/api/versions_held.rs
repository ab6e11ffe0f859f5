//! Issue 11 items 3 and 4 through HTTP: an upload that matches no item, or would empty the
//! data, never silently becomes the current version (H11/H12 data quality and timeliness,
//! B17 data supply; H19 what grantees read), and a compressed upload that expands past the
//! platform's limits is refused before it is read, keeping nothing.

use std::io::Write;

use gongshu_app::ExpansionLimits;
use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{publish, successes, with};
use crate::console_pages::post_form;
use crate::data::{ROWS, people_csv, people_entry};
use crate::support::{Client, Resp, TestApp, citizen_id};

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

/// The first `n` rows of the people CSV, header included.
fn first_rows(n: usize) -> Vec<u8> {
    people_csv()
        .lines()
        .take(n + 1)
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

/// A published entry of 市公安局 shared without conditions but not open, with the people
/// rows as version 1.
async fn shared_people(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(
        &gaj,
        &reviewer,
        with(people_entry(), |e| {
            e["name"] = json!("无条件共享人员名录测试");
            e["grade"] = json!("general_3");
            e["open_type"] = json!("not_open");
            e["not_open_reason"] = json!("privacy");
        }),
    )
    .await;
    upload(
        &gaj,
        &code,
        "filename=people.csv",
        people_csv().into_bytes(),
    )
    .await
    .expect_status(201);
    code
}

/// An unconditionally open entry of 市公安局 with the people rows as version 1.
async fn open_people(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, people_entry()).await;
    upload(
        &gaj,
        &code,
        "filename=people.csv",
        people_csv().into_bytes(),
    )
    .await
    .expect_status(201);
    code
}

/// The rows a reader sees now, and the version they come from.
async fn rows_seen(client: &Client, code: &str) -> (i64, String) {
    let res = client
        .get(&format!("/api/v1/entries/{code}/data/stats"))
        .await;
    res.expect_status(200);
    (
        res.json["rows"].as_i64().expect("a row count"),
        res.json["version"].to_string(),
    )
}

fn version_of(list: &Resp, version: i64) -> &Value {
    list.json
        .as_array()
        .unwrap_or_else(|| panic!("{}", list.text))
        .iter()
        .find(|v| v["version"] == version)
        .unwrap_or_else(|| panic!("no version {version} in {}", list.text))
}

// Issue 11 item 4, H11, H19: the attack — a header-only CSV became version 2 with 0 rows and
// quality 100, and every grantee's count went from the full register to 0. Now it is held:
// listed with why, readable by its owner by number only, while the owner's default read,
// the grantee and the quality report keep version 1 until the owner confirms it.
pub async fn h11_h19_a_header_only_csv_is_held_and_grantees_keep_the_current_version(t: TestApp) {
    let code = shared_people(&t).await;
    let mzj = t.login("mzj-staff").await;
    let res = mzj
        .post(
            "/api/v1/share-requests",
            json!({
                "entry_code": code, "items": ["xm", "sfzh", "qx", "nl", "je"],
                "modes": ["api_query"], "scenario": "救助对象信息比对", "purpose": "核对户籍",
                "using_unit": "市民政局", "until": "2025-12-31",
                "commitments": { "purpose_bound": true, "no_onward_transfer": true, "security": true }
            }),
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "granted", "{}", res.text);
    assert_eq!(rows_seen(&mzj, &code).await.0, ROWS as i64);

    let gaj = t.login("gaj-admin").await;
    let res = upload(
        &gaj,
        &code,
        "filename=empty.csv",
        b"xm,sfzh,qx,nl,je\n".to_vec(),
    )
    .await;
    res.expect_status(201);
    assert_eq!(res.json["version"], 2, "{}", res.text);
    assert_eq!(res.json["state"], "held");
    assert_eq!(res.json["current"], false);
    assert_eq!(res.json["rows"], 0);
    assert_eq!(res.json["hold"]["reason"], "empty");
    assert_eq!(res.json["hold"]["rows_before"], ROWS as i64);
    assert!(
        res.json["hold"]["zh"].as_str().unwrap().contains("250行"),
        "{}",
        res.text
    );
    assert!(res.json["hold"]["en"].as_str().unwrap().contains("250"));

    // Readers keep version 1: the grantee, and the owner's own default read.
    assert_eq!(rows_seen(&mzj, &code).await, (ROWS as i64, "1".into()));
    assert_eq!(rows_seen(&gaj, &code).await, (ROWS as i64, "1".into()));
    // The owner may look at the held version by number; nobody else knows it exists.
    let held = gaj
        .get(&format!("/api/v1/entries/{code}/data/stats?version=2"))
        .await;
    held.expect_status(200);
    assert_eq!(held.json["rows"], 0);
    mzj.get(&format!("/api/v1/entries/{code}/data/stats?version=2"))
        .await
        .expect_problem(404, "not_found");
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(version_of(&list, 2)["state"], "held");
    assert_eq!(version_of(&list, 1)["current"], true);
    // Quality and timeliness bookkeeping do not count it (H11, H12).
    let quality = gaj.get(&format!("/api/v1/entries/{code}/quality")).await;
    quality.expect_status(200);
    assert_eq!(quality.json["version"], 1, "{}", quality.text);

    // Only the owner agency confirms: another agency does not see the entry, the reviewing
    // authority is refused.
    let confirm = format!("/api/v1/entries/{code}/versions/2/confirm");
    mzj.post(&confirm, json!({}))
        .await
        .expect_problem(404, "not_found");
    t.login("reviewer")
        .await
        .post(&confirm, json!({}))
        .await
        .expect_problem(403, "forbidden");
    let res = gaj.post(&confirm, json!({})).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "committed", "{}", res.text);
    assert_eq!(res.json["current"], true);
    assert_eq!(res.json["confirmed_by"], "gaj-admin");
    assert_eq!(res.json["hold"]["reason"], "empty", "the history keeps why");
    assert_eq!(
        successes(&t, "confirm_data_version", &format!("{code}/v2")).await,
        1
    );
    // Confirmed: now the grantee reads the empty version.
    assert_eq!(rows_seen(&mzj, &code).await, (0, "2".into()));
    gaj.post(&confirm, json!({}))
        .await
        .expect_problem(409, "not_held");
}

// Issue 11 item 4, H12, B17: a 40 % drop is held; the public keeps reading the current
// version until it is confirmed. A held version can be discarded (withdrawn) instead, or a
// drop confirmed at upload; a held version that a newer one superseded cannot be confirmed.
pub async fn h12_a_sharp_drop_is_held_until_confirmed_and_the_public_keeps_the_current_data(
    t: TestApp,
) {
    let code = open_people(&t).await;
    let public = t.anonymous();
    let gaj = t.login("gaj-admin").await;
    assert_eq!(rows_seen(&public, &code).await.0, ROWS as i64);

    let res = upload(&gaj, &code, "filename=part.csv", first_rows(100)).await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "held", "{}", res.text);
    assert_eq!(res.json["hold"]["reason"], "sharp_drop");
    assert_eq!(res.json["hold"]["rows_before"], ROWS as i64);
    assert_eq!(res.json["hold"]["rows"], 100);
    let zh = res.json["hold"]["zh"].as_str().unwrap();
    assert!(zh.contains("250") && zh.contains("100"), "{zh}");
    assert_eq!(rows_seen(&public, &code).await, (ROWS as i64, "1".into()));

    let res = gaj
        .post(
            &format!("/api/v1/entries/{code}/versions/2/confirm"),
            json!({}),
        )
        .await;
    res.expect_status(200);
    assert_eq!(rows_seen(&public, &code).await, (100, "2".into()));

    // 10 rows against 100: held, then discarded; version 2 stays current.
    let res = upload(&gaj, &code, "filename=few.csv", first_rows(10)).await;
    assert_eq!(res.json["state"], "held", "{}", res.text);
    assert_eq!(res.json["hold"]["rows_before"], 100);
    gaj.post(
        &format!("/api/v1/catalog/entries/{code}/versions/3/withdraw"),
        json!({ "reason": "文件不全" }),
    )
    .await
    .expect_status(200);
    assert_eq!(rows_seen(&public, &code).await, (100, "2".into()));
    gaj.post(
        &format!("/api/v1/entries/{code}/versions/3/confirm"),
        json!({}),
    )
    .await
    .expect_problem(409, "not_held");

    // A held version superseded by a newer current one can no longer be confirmed.
    let res = upload(&gaj, &code, "filename=few.csv", first_rows(10)).await;
    assert_eq!(res.json["version"], 4);
    assert_eq!(res.json["state"], "held");
    upload(
        &gaj,
        &code,
        "filename=people.csv",
        people_csv().into_bytes(),
    )
    .await
    .expect_status(201);
    gaj.post(
        &format!("/api/v1/entries/{code}/versions/4/confirm"),
        json!({}),
    )
    .await
    .expect_problem(409, "superseded");

    // Confirmed at upload: current at once, the drop on record.
    let res = upload(
        &gaj,
        &code,
        "filename=few.csv&confirm_drop=true",
        first_rows(10),
    )
    .await;
    res.expect_status(201);
    assert_eq!(res.json["state"], "committed", "{}", res.text);
    assert_eq!(res.json["current"], true);
    assert_eq!(res.json["hold"]["reason"], "sharp_drop");
    assert_eq!(res.json["confirmed_by"], "gaj-admin");
    assert_eq!(rows_seen(&public, &code).await, (10, "6".into()));
}

// Issue 11 item 4, H11, B17: the attack — a header that matched no item produced all-NULL
// rows, public on an open entry. It is refused with the columns found and the items
// expected, and so is a file without a key item's column; nothing is kept.
pub async fn h11_a_header_matching_no_item_is_refused_with_found_and_expected_columns(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    let res = upload(
        &gaj,
        &code,
        "filename=other.csv",
        b"name,id,district\nZhang,1,A\nWang,2,B\n".to_vec(),
    )
    .await;
    res.expect_problem(422, "no_matching_columns");
    let zh = res.json["message"]["zh"].as_str().unwrap();
    assert!(
        zh.contains("“name”") && zh.contains("“district”") && zh.contains("姓名（xm）"),
        "{zh}"
    );
    let en = res.json["message"]["en"].as_str().unwrap();
    assert!(en.contains("`name`") && en.contains("xm (姓名)"), "{en}");

    // The owner declares 公民身份号码 the key: a file without that column is refused.
    gaj.post(
        &format!("/api/v1/entries/{code}/quality-rules"),
        json!({ "item_code": "sfzh", "kind": "unique" }),
    )
    .await
    .expect_status(201);
    let res = upload(
        &gaj,
        &code,
        "filename=nokey.csv",
        "xm,qx\n张三,新城区\n".as_bytes().to_vec(),
    )
    .await;
    res.expect_problem(422, "invalid_input");
    assert_eq!(
        res.json["errors"][0]["code"], "missing_columns",
        "{}",
        res.text
    );
    assert!(
        res.json["errors"][0]["zh"]
            .as_str()
            .unwrap()
            .contains("公民身份号码（sfzh）")
    );
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(list.json.as_array().unwrap().len(), 1, "only version 1");
}

// Issue 11 item 4, H11, B17: the attack — an XLSX with a title row above the header
// ingested the header row as data. The header is found below the title and the skip is
// reported in the upload's answer.
pub async fn h11_an_xlsx_title_row_is_skipped_and_reported(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .write_string(0, 0, "社区服务人员名录（2024年）")
        .unwrap();
    for (c, h) in ["姓名", "公民身份号码", "所在区", "年龄", "补贴金额"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    for r in 0..150u32 {
        let row = 3 + r;
        sheet.write_string(row, 0, "张伟").unwrap();
        sheet
            .write_string(row, 1, citizen_id(r as usize).as_str())
            .unwrap();
        sheet.write_string(row, 2, "新城区").unwrap();
        sheet.write_number(row, 3, 30.0).unwrap();
        sheet.write_number(row, 4, 100.5).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let res = upload(&gaj, &code, "filename=list.xlsx", bytes).await;
    res.expect_status(201);
    assert_eq!(res.json["rows"], 150, "{}", res.text);
    assert_eq!(res.json["state"], "committed");
    let warning = res.json["warnings"][0]["zh"].as_str().unwrap();
    assert!(
        warning.contains("第3行") && warning.contains("跳过"),
        "{warning}"
    );
    let rows = gaj
        .get(&format!("/api/v1/entries/{code}/data?limit=1"))
        .await;
    rows.expect_status(200);
    assert_eq!(rows.json[0]["xm"], "张伟", "{}", rows.text);
    assert_eq!(rows.json[0]["nl"], 30);
}

// Issue 11 item 4: the data page shows a held version with why, and a confirm button that
// asks first; posting it makes the version current.
pub async fn the_data_page_shows_a_held_version_and_confirms_it(t: TestApp) {
    let code = open_people(&t).await;
    let gaj = t.login("gaj-admin").await;
    upload(
        &gaj,
        &code,
        "filename=empty.csv",
        b"xm,sfzh,qx,nl,je\n".to_vec(),
    )
    .await
    .expect_status(201);
    let browser = t.browser_login("gaj-admin").await;
    let page = format!("/catalog/entries/{code}/data");
    let res = browser.get(&page).await;
    res.expect_status(200);
    assert!(res.text.contains("第2版待确认"), "{}", res.text);
    assert!(res.text.contains("现行版本有250行"), "{}", res.text);
    let form = format!(r#"action="{page}/versions/2/confirm" data-confirm="#);
    assert!(res.text.contains(&form), "{}", res.text);
    let res = post_form(&browser, &format!("{page}/versions/2/confirm"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(
        res.header("location"),
        Some(format!("{page}?notice=version_confirmed").as_str())
    );
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(version_of(&list, 2)["current"], true);
    // Another agency cannot post it.
    let mzj = t.browser_login("mzj-admin").await;
    let res = post_form(&mzj, &format!("{page}/versions/2/discard"), &[]).await;
    assert_ne!(res.status, 303, "{}", res.text);
}

/// A raw DEFLATE segment from a fresh compressor, ending byte-aligned unless `last`, so
/// segments concatenate: one compressed chunk repeated is a stream as long as the repeats.
fn deflate_segment(data: &[u8], last: bool) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    if last {
        encoder.finish().unwrap()
    } else {
        encoder.flush().unwrap();
        encoder.get_ref().clone()
    }
}

/// A one-sheet workbook (written by hand, as a ZIP of stored parts) whose shared-string
/// table, deflated, expands to `mib` MiB from a few hundred KB.
fn shared_string_bomb(mib: usize) -> Vec<u8> {
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1"><si><t>张三</t></si>"#;
    let chunk = format!("<si><t>{}</t></si>", "A".repeat(1000)).repeat(1040);
    let tail = "</sst>";
    let mut data = deflate_segment(head.as_bytes(), false);
    let repeated = deflate_segment(chunk.as_bytes(), false);
    let mut crc = flate2::Crc::new();
    crc.update(head.as_bytes());
    let mut chunk_crc = flate2::Crc::new();
    chunk_crc.update(chunk.as_bytes());
    for _ in 0..mib {
        data.extend(&repeated);
        crc.combine(&chunk_crc);
    }
    data.extend(deflate_segment(tail.as_bytes(), true));
    crc.update(tail.as_bytes());
    let stored = |name: &'static str, text: &str| {
        let mut c = flate2::Crc::new();
        c.update(text.as_bytes());
        (name, text.as_bytes().to_vec(), 0u16, c.sum(), c.amount())
    };
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let book = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="人口" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let book_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    let entries = [
        stored("_rels/.rels", rels),
        stored("xl/workbook.xml", book),
        stored("xl/_rels/workbook.xml.rels", book_rels),
        stored("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", data, 8, crc.sum(), crc.amount()),
    ];
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, method, crc, size) in &entries {
        let offset = out.len() as u32;
        let header = |central: bool| {
            let mut h = Vec::new();
            h.extend(if central { 0x0201_4b50u32 } else { 0x0403_4b50 }.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(method.to_le_bytes());
            h.extend(0u32.to_le_bytes());
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 10]);
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(false));
        out.extend(data);
        central.extend(header(true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

// Issue 11 item 3, H11: the attack — a workbook of a few hundred KB whose shared strings
// expand to 1 GiB took the server to 5.4 GB and was committed as a 0-row version. It is
// refused with 413 `expanded_too_large` naming the limit (here lowered to 8 MiB), before
// calamine reads it, and nothing is kept.
pub async fn h11_a_decompression_bomb_workbook_is_refused_and_nothing_is_kept(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, people_entry()).await;
    let (base, server) = t
        .serve_with(|c| {
            c.expansion = ExpansionLimits {
                shared_string_bytes: 8 * 1024 * 1024,
                ..ExpansionLimits::default()
            };
        })
        .await;
    let token = t.token_of("gaj-admin").await;
    let bomb = shared_string_bomb(1024);
    assert!(bomb.len() < 4 * 1024 * 1024, "{} bytes", bomb.len());
    let res = reqwest::Client::new()
        .post(format!(
            "{base}/api/v1/catalog/entries/{code}/versions?filename=bomb.xlsx"
        ))
        .bearer_auth(&token)
        .body(bomb)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status().as_u16(), 413);
    let problem: Value = res.json().await.expect("a problem");
    assert_eq!(problem["code"], "expanded_too_large", "{problem}");
    assert!(
        problem["message"]["zh"].as_str().unwrap().contains("8 MiB"),
        "{problem}"
    );
    assert!(
        problem["message"]["en"].as_str().unwrap().contains("8 MiB"),
        "{problem}"
    );
    server.abort();
    let list = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    assert_eq!(list.json, json!([]));
    assert!(
        !t.lake_dir.join(&code).exists(),
        "a refused upload keeps no file"
    );
}

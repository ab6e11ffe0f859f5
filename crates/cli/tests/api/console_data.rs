//! Issue 4 item 6 (Pages) through HTTP: an entry's data page in the console — the versions
//! with their quality and rejects files, the upload form and its script, the first rows as the
//! viewer's policy shows them with column statistics, and the downloads — for the owner
//! agency, the reviewing authority, another agency and the public.

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{open_entry, publish, with};
use crate::support::{Client, Resp, TestApp, citizen_id};

/// An unconditionally open entry of 市公安局 whose name and ID items the catalog marks masked.
fn people_entry(name: &str) -> Value {
    with(open_entry(name), |e| {
        e["items"] = json!([
            { "code": "xm", "name": "姓名", "data_type": "text", "grade": "general_1", "personal": true, "masked": true },
            { "code": "sfzh", "name": "公民身份号码", "data_type": "citizen_id", "grade": "general_1", "personal": true, "masked": true },
            { "code": "qx", "name": "所在区", "data_type": "text", "grade": "general_1" },
            { "code": "nl", "name": "年龄", "data_type": "integer", "grade": "general_1" }
        ]);
    })
}

/// The same entry, neither open nor shared without conditions' opening.
fn closed_people_entry(name: &str) -> Value {
    with(people_entry(name), |e| {
        e["grade"] = json!("general_3");
        e["open_type"] = json!("not_open");
        e["not_open_reason"] = json!("privacy");
    })
}

/// More rows than the preview shows.
const ROWS: usize = 150;

fn people_csv(bad_id_at: Option<usize>) -> String {
    let mut csv = String::from("xm,sfzh,qx,nl\n");
    for i in 0..ROWS {
        let mut id = citizen_id(i);
        if bad_id_at == Some(i) {
            let last = if id.ends_with('1') { "2" } else { "1" };
            id.replace_range(17.., last);
        }
        csv.push_str(&format!(
            "{}{},{id},{},{}\n",
            ["张", "王", "李", "赵", "刘"][i % 5],
            ["伟", "芳", "娜", "敏"][i % 4],
            ["新城区", "回民区", "玉泉区", "赛罕区"][i % 4],
            20 + i % 40,
        ));
    }
    csv
}

/// Sends a file to the upload API as the page's script does: the raw body, the session
/// cookie, no other header.
async fn upload(client: &Client, code: &str, query: &str, body: String) -> Resp {
    client
        .send(
            client
                .request(
                    Method::POST,
                    &format!("/api/v1/catalog/entries/{code}/versions?{query}"),
                )
                .header("content-type", "application/octet-stream")
                .body(body),
        )
        .await
}

fn data_page(code: &str) -> String {
    format!("/catalog/entries/{code}/data")
}

/// A complete Chinese console page without template failures or script in the page itself.
#[track_caller]
fn assert_page(res: &Resp, what: &str) {
    res.expect_status(200);
    assert!(
        res.header("content-type")
            .unwrap_or("")
            .starts_with("text/html"),
        "{what}"
    );
    assert!(res.text.contains(r#"<html lang="zh-CN">"#), "{what}");
    for bad in ["页面渲染失败", "undefined", "Internal", "<script>"] {
        assert!(!res.text.contains(bad), "{what}: contains {bad:?}");
    }
}

#[track_caller]
fn assert_contains(res: &Resp, texts: &[&str], what: &str) {
    for text in texts {
        assert!(
            res.text.contains(text),
            "{what}: no {text:?} in {}",
            res.text
        );
    }
}

#[track_caller]
fn assert_lacks(res: &Resp, texts: &[&str], what: &str) {
    for text in texts {
        assert!(
            !res.text.contains(text),
            "{what}: {text:?} should not be on the page"
        );
    }
}

/// The first data rows of the preview table (the rows after the header of the table that
/// follows the preview heading).
fn preview_rows(html: &str) -> usize {
    let section = html
        .split_once("数据预览（前100行）")
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.split_once("</tbody>"))
        .map(|(table, _)| table)
        .unwrap_or("");
    section.matches("<tr>").count() - 1
}

// The owner agency uploads through the API with its browser session (the script's contract:
// 201 with the version, or a problem+json listing the bad cells), then sees on the data page
// the versions with their scores and the rejects download, its own upload form, the first 100
// rows in full under the item names, the column statistics and a download per format.
pub async fn the_owner_sees_versions_upload_form_preview_statistics_and_downloads(t: TestApp) {
    let gaj = t.browser_login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, people_entry("数据页面测试人员名录")).await;

    // No data yet: a message on the page and the form to upload the first version.
    let res = gaj.get(&data_page(&code)).await;
    assert_page(&res, "owner before any upload");
    assert_contains(
        &res,
        &["尚无可读取的数据版本", "上传新版本", "尚未上传数据"],
        "owner before any upload",
    );

    upload(&gaj, &code, "filename=people.csv", people_csv(None))
        .await
        .expect_status(201);
    let refused = upload(&gaj, &code, "filename=bad.csv", people_csv(Some(7))).await;
    refused.expect_problem(422, "invalid_data");
    assert!(
        refused.json["message"]["zh"]
            .as_str()
            .is_some_and(|m| m.contains("未保存任何版本")),
        "{}",
        refused.text
    );
    let cell = &refused.json["errors"][0];
    assert!(
        cell["field"].as_str().is_some_and(|f| !f.is_empty())
            && cell["zh"]
                .as_str()
                .is_some_and(|z| z.contains("公民身份号码")),
        "each bad cell has a place and a Chinese reason: {}",
        refused.text
    );
    let kept = upload(
        &gaj,
        &code,
        "filename=bad.csv&drop_bad_rows=true",
        people_csv(Some(7)),
    )
    .await;
    kept.expect_status(201);
    assert_eq!(kept.json["bad_rows"], 1, "{}", kept.text);

    let res = gaj.get(&data_page(&code)).await;
    let what = "owner data page";
    assert_page(&res, what);
    assert_contains(
        &res,
        &[
            "数据版本",
            "第1版",
            "第2版",
            "people.csv",
            "丢弃错误行1行",
            &format!("/api/v1/entries/{code}/versions/2/rejects"),
            "现行",
            "综合",
            "数据质量（第2版）",
            "完整性",
            "问题最多的行",
            "上传新版本",
            &format!(r#"data-upload="/api/v1/catalog/entries/{code}/versions""#),
            r#"<script src="/assets/upload.js" defer></script>"#,
            "<noscript>",
            "数据预览（前100行）",
            "姓名",
            "公民身份号码",
            &citizen_id(0),
            "列统计",
            "不同值（约）",
            "下载",
        ],
        what,
    );
    assert_lacks(
        &res,
        &[&format!("/api/v1/entries/{code}/versions/1/rejects")],
        what,
    );
    for format in ["csv", "xlsx", "json", "ndjson", "parquet"] {
        assert_contains(
            &res,
            &[&format!("/api/v1/entries/{code}/data?format={format}")],
            what,
        );
    }
    assert_eq!(preview_rows(&res.text), 100, "the preview shows 100 rows");

    // The links lead where they say: the rejects file and a download.
    let rejects = gaj
        .get(&format!("/api/v1/entries/{code}/versions/2/rejects"))
        .await;
    rejects.expect_status(200);
    let csv = gaj
        .get(&format!("/api/v1/entries/{code}/data?format=csv"))
        .await;
    csv.expect_status(200);
    assert_eq!(
        csv.text.lines().count(),
        ROWS,
        "header and the 149 kept rows"
    );

    // The entry page leads to the data page.
    let entry = gaj.get(&format!("/catalog/entries/{code}")).await;
    assert_contains(
        &entry,
        &[&format!(r#"href="{}""#, data_page(&code))],
        "entry page",
    );
}

// The public opens the data page of an unconditionally open entry without logging in: the
// preview and statistics masked as the catalog says, the downloads, and nothing of the
// versions, the quality report or the upload form.
pub async fn the_public_sees_open_data_masked_and_no_upload_form(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, people_entry("数据页面公开名录")).await;
    upload(&gaj, &code, "filename=people.csv", people_csv(None))
        .await
        .expect_status(201);

    let public = t.browser();
    let res = public.get(&data_page(&code)).await;
    let what = "anonymous data page";
    assert_page(&res, what);
    assert_contains(
        &res,
        &[
            "数据页面公开名录",
            "数据预览（前100行）",
            "张*",
            "脱敏",
            "列统计",
            &format!("/api/v1/entries/{code}/data?format=csv"),
            "登录",
        ],
        what,
    );
    assert_lacks(
        &res,
        &[
            &citizen_id(0),
            "张伟",
            "上传新版本",
            "data-upload",
            "upload.js",
            "数据版本",
            "数据质量",
            "/rejects",
        ],
        what,
    );
    assert_eq!(preview_rows(&res.text), 100);

    // The public entry page links to it.
    let entry = public.get(&format!("/catalog/entries/{code}")).await;
    entry.expect_status(200);
    assert_contains(&entry, &[&data_page(&code)], "anonymous entry page");
}

// Data that is not open: the public is told the page does not exist; another agency sees the
// page with the reason it cannot read the data; the reviewing authority sees the versions and
// the quality but not the rows; nobody but the owner gets the upload form.
pub async fn data_that_is_not_open_is_404_to_the_public_and_explained_to_staff(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, closed_people_entry("数据页面不开放名录")).await;
    upload(&gaj, &code, "filename=people.csv", people_csv(None))
        .await
        .expect_status(201);
    let page = data_page(&code);

    let res = t.browser().get(&page).await;
    res.expect_status(404);
    assert_lacks(&res, &["张*", &citizen_id(0)], "anonymous, not open");
    let entry = t.browser().get(&format!("/catalog/entries/{code}")).await;
    assert_eq!(entry.status, 404, "the entry itself is not public either");

    let mzj = t.browser_login("mzj-admin").await;
    let res = mzj.get(&page).await;
    let what = "another agency, not open";
    assert_page(&res, what);
    assert_contains(&res, &["需经共享申请获批并在有效期内方可读取"], what);
    assert_lacks(
        &res,
        &[
            "数据预览",
            "列统计",
            "数据版本",
            "上传新版本",
            "format=csv",
            "张*",
        ],
        what,
    );

    let authority = t.browser_login("reviewer").await;
    let res = authority.get(&page).await;
    let what = "reviewing authority, not open";
    assert_page(&res, what);
    assert_contains(
        &res,
        &[
            "数据版本",
            "people.csv",
            "数据质量（第1版）",
            "需经共享申请获批并在有效期内方可读取",
        ],
        what,
    );
    assert_lacks(&res, &["上传新版本", "数据预览", &citizen_id(0)], what);

    let res = t.browser().get("/catalog/entries/999-99999/data").await;
    res.expect_status(404);
}

// The upload script is a vendored file served as JavaScript (no inline script, CSP
// `default-src 'self'`), and it reports progress from the upload itself.
pub async fn the_upload_script_is_served_as_javascript(t: TestApp) {
    let res = t.browser().get("/assets/upload.js").await;
    res.expect_status(200);
    assert_eq!(
        res.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_contains(
        &res,
        &[
            "XMLHttpRequest",
            "upload.onprogress",
            "正在校验和写入",
            "drop_bad_rows",
        ],
        "upload.js",
    );
    let page = t.browser().get("/catalog").await;
    assert!(
        page.header("content-security-policy")
            .is_some_and(|csp| csp.starts_with("default-src 'self'")),
        "the pages forbid inline and foreign scripts"
    );
}

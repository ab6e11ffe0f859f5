//! Issue 3 item 6: the Excel round trip — export an agency's catalog and import it back,
//! new entries from a workbook, and an import that fails as a whole with the position of the
//! bad cell and nothing written.

use gongshu_sheets::{EntryRow, Guide, ItemRow};
use serde_json::Value;

use crate::catalog_fixtures::{create, entry, entry_count, get};
use crate::support::{Client, Resp, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn export(client: &Client, org: &str) -> Vec<u8> {
    let req = client
        .request(reqwest::Method::GET, "/api/v1/catalog/export.xlsx")
        .query(&[("org", org)]);
    let res = req.send().await.expect("the request reaches the server");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some(XLSX)
    );
    res.bytes().await.expect("the workbook").to_vec()
}

async fn import(client: &Client, org: &str, bytes: Vec<u8>) -> Resp {
    client
        .send(
            client
                .request(reqwest::Method::POST, "/api/v1/catalog/import")
                .query(&[("org", org)])
                .header("content-type", XLSX)
                .body(bytes),
        )
        .await
}

/// A new entry (empty code) as an agency fills it in from the drop-downs (Chinese labels).
fn new_row(n: usize) -> EntryRow {
    EntryRow {
        name: format!("导入测试资源{n}"),
        summary: format!("第{n}个从Excel导入的目录条目"),
        category_code: "201".into(),
        grade: "一般数据（2级）".into(),
        data_form: "电子表格".into(),
        share_type: "无条件共享".into(),
        share_scope: "全市公共管理和服务机构".into(),
        share_modes: vec!["接口查询".into(), "批量下载".into()],
        open_type: "无条件开放".into(),
        update_frequency: "每月".into(),
        items: vec![
            ItemRow {
                code: "tjyf".into(),
                name: "统计月份".into(),
                data_type: "text".into(),
                grade: "一般数据（2级）".into(),
                ..ItemRow::default()
            },
            ItemRow {
                code: "sl".into(),
                name: "数量".into(),
                data_type: "integer".into(),
                grade: "一般数据（1级）".into(),
                ..ItemRow::default()
            },
        ],
        ..EntryRow::default()
    }
}

fn workbook(rows: &[EntryRow]) -> Vec<u8> {
    gongshu_sheets::write_catalog(rows, &Guide::default()).expect("write a workbook")
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

// Issue 3 item 6: 市公安局 exports its own catalog and imports it back. Unchanged, every row
// is recognised as such and nothing is written; with every summary edited, every entry is
// updated — published ones through a new draft revision whose diff shows just that edit,
// drafts in place — and nothing is created.
pub async fn an_agency_exports_its_catalog_and_imports_it_back(t: TestApp) {
    gongshu_demo::catalog::seed_catalog(&t.app)
        .await
        .expect("seed the demo catalog");
    let gaj = t.login("gaj-admin").await;
    let draft = create(&gaj, entry("市公安局的草稿")).await;
    let gaj_id = t.org_id("市公安局").await;

    let bytes = export(&gaj, &gaj_id).await;
    let mut rows = gongshu_sheets::read_catalog(&bytes).expect("the export reads back");
    let mut exported: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    exported.sort();
    let mine = gaj
        .get("/api/v1/catalog/entries?mine=true&per_page=100")
        .await;
    let mut expected: Vec<String> = mine.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    assert!(
        expected.len() >= 7,
        "the demo 市公安局 entries and the draft"
    );
    assert_eq!(
        exported, expected,
        "exactly 市公安局's entries, the draft included"
    );
    assert!(rows.iter().all(|r| r.source_dept == "市公安局"));

    let entries_before = entry_count(&t).await;
    let events_before = t.audit_count().await;
    let res = import(&gaj, &gaj_id, bytes).await;
    res.expect_status(200);
    assert_eq!(res.json["created"], serde_json::json!([]));
    assert_eq!(res.json["updated"], serde_json::json!([]));
    assert_eq!(
        strings(&res.json["unchanged"]),
        expected,
        "the export reads back as exactly what is stored"
    );
    assert_eq!(t.audit_count().await, events_before, "nothing written");

    for row in &mut rows {
        row.summary.push_str("（经Excel修订）");
    }
    let res = import(&gaj, &gaj_id, workbook(&rows)).await;
    res.expect_status(200);
    assert_eq!(res.json["created"], serde_json::json!([]));
    assert_eq!(strings(&res.json["updated"]), expected);
    assert_eq!(entry_count(&t).await, entries_before, "nothing new");
    assert_eq!(
        t.audit_count().await,
        events_before + expected.len() as i64,
        "one event per entry"
    );

    for code in &expected {
        let now = get(&gaj, code).await;
        now.expect_status(200);
        assert_eq!(now.json["state"], "draft", "{code}");
        assert!(
            now.json["summary"]
                .as_str()
                .unwrap()
                .ends_with("（经Excel修订）")
        );
        if code == &draft {
            assert_eq!(now.json["revision"], 1, "a draft is edited in place");
            continue;
        }
        assert_eq!(now.json["revision"], 2, "{code}: a new revision");
        assert_eq!(now.json["published_revision"], 1, "{code}: still published");
        assert_eq!(now.json["change_note"], "Excel导入");
        let diff = gaj
            .get(&format!("/api/v1/catalog/entries/{code}/diff?from=1&to=2"))
            .await;
        diff.expect_status(200);
        let fields: Vec<&str> = diff
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["summary"], "{code}: only the edit changed");
    }
}

// Issue 3 item 6: rows without a code become new drafts of the organisation imported into.
pub async fn rows_without_a_code_are_imported_as_new_drafts(t: TestApp) {
    let gaj = t.login("gaj-staff").await;
    let gaj_id = t.org_id("市公安局").await;
    let rows: Vec<EntryRow> = (1..=3).map(new_row).collect();
    let res = import(&gaj, "市公安局", workbook(&rows)).await;
    res.expect_status(200);
    assert_eq!(res.json["updated"], serde_json::json!([]));
    let created = strings(&res.json["created"]);
    assert_eq!(created.len(), 3);
    let mut names = Vec::new();
    for code in &created {
        assert!(code.starts_with("201-"), "{code}");
        let view = get(&gaj, code).await;
        view.expect_status(200);
        assert_eq!(view.json["state"], "draft");
        assert_eq!(view.json["org_id"], gaj_id.as_str());
        assert_eq!(view.json["share_type"], "unconditional");
        assert_eq!(view.json["open_type"], "unconditional");
        assert_eq!(
            view.json["share_modes"],
            serde_json::json!(["api_query", "bulk_download"])
        );
        assert_eq!(view.json["items"].as_array().unwrap().len(), 2);
        assert_eq!(view.json["items"][1]["grade"], "general_1");
        names.push(view.json["name"].as_str().unwrap().to_owned());
    }
    names.sort();
    assert_eq!(names, ["导入测试资源1", "导入测试资源2", "导入测试资源3"]);
    let event = t.last_event().await;
    assert_eq!(event.action, "create_entry");
    assert_eq!(event.actor_name, "gaj-staff");
}

// Issue 3, done when: one bad cell makes the whole import fail with that cell's position, and
// nothing is written.
pub async fn one_bad_cell_fails_the_whole_import_naming_the_cell(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let share_type = gongshu_sheets::entry_column("share_type").unwrap();
    assert_eq!(share_type.letter, "H", "the template's column of 共享类型");
    let item_grade = gongshu_sheets::item_column("grade").unwrap();
    assert_eq!(
        item_grade.letter, "F",
        "the template's column of an item's 数据级别"
    );

    // Six entries: the sixth, on row 7 (row 1 holds the headers), has an unknown share type.
    let mut rows: Vec<EntryRow> = (1..=6).map(new_row).collect();
    rows[5].share_type = "偶尔共享".into();
    let entries = entry_count(&t).await;
    let events = t.audit_count().await;
    let res = import(&gaj, "市公安局", workbook(&rows)).await;
    res.expect_problem(422, "invalid_file");
    assert_eq!(
        res.field_errors(),
        [("资源目录!H7".to_owned(), "invalid_cell".to_owned())],
        "{}",
        res.text
    );
    assert!(
        res.json["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("资源目录!H7"),
        "{}",
        res.text
    );
    assert_eq!(entry_count(&t).await, entries, "no entry written");
    assert_eq!(t.audit_count().await, events, "no event written");

    // A rule broken in the item sheet points at the item's cell: the second entry's second
    // item sits on row 5 of 信息项 (two items per entry after the header row).
    let mut rows: Vec<EntryRow> = (1..=3).map(new_row).collect();
    rows[1].items[1].grade = "一般数据（3级）".into();
    let res = import(&gaj, "市公安局", workbook(&rows)).await;
    res.expect_problem(422, "invalid_file");
    assert_eq!(
        res.field_errors(),
        [("信息项!F5".to_owned(), "invalid_cell".to_owned())],
        "{}",
        res.text
    );
    // Every problem of the file at once, each at its cell.
    let mut rows: Vec<EntryRow> = (1..=4).map(new_row).collect();
    rows[0].name = String::new();
    rows[2].open_type = "非开放".into();
    let res = import(&gaj, "市公安局", workbook(&rows)).await;
    res.expect_problem(422, "invalid_file");
    let cells: Vec<String> = res.field_errors().into_iter().map(|(f, _)| f).collect();
    assert!(cells.contains(&"资源目录!C2".to_owned()), "{cells:?}");
    assert!(
        cells.contains(&"资源目录!N4".to_owned()),
        "不开放理由 of row 4: {cells:?}"
    );
    assert_eq!(entry_count(&t).await, entries);
    assert_eq!(t.audit_count().await, events);
}

// Issue 3 item 6: what is not a workbook, entries of another agency, and importing into
// another agency are all refused.
pub async fn imports_that_are_not_ours_to_make_are_refused(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let mzj = t.login("mzj-admin").await;
    let theirs = create(&mzj, entry("民政局的条目")).await;
    let entries = entry_count(&t).await;

    let res = import(&gaj, "市公安局", b"name,share_type\n".to_vec()).await;
    res.expect_field_error("file", "not_xlsx");

    let res = import(&gaj, "市民政局", workbook(&[new_row(1)])).await;
    res.expect_problem(403, "forbidden");

    let mut row = new_row(1);
    row.code = theirs.clone();
    let res = import(&gaj, "市公安局", workbook(&[row.clone()])).await;
    res.expect_problem(422, "invalid_file");
    assert_eq!(res.field_errors()[0].0, "资源目录!B2");
    row.code = "201-99999".into();
    let res = import(&gaj, "市公安局", workbook(&[row])).await;
    res.expect_problem(422, "invalid_file");
    assert_eq!(res.field_errors()[0].0, "资源目录!B2");
    assert_eq!(entry_count(&t).await, entries);
    assert_eq!(get(&mzj, &theirs).await.json["revision"], 1);

    t.anonymous()
        .send(
            t.anonymous()
                .request(reqwest::Method::POST, "/api/v1/catalog/import")
                .body(workbook(&[new_row(1)])),
        )
        .await
        .expect_problem(401, "unauthenticated");
}

// Issue 3 item 6: what the instructions sheet tells an agency to type is accepted — grades
// written 一般数据1～4级 (the column note, and the error message's list of choices) and the
// open types the note of 开放属性 names.
pub async fn values_spelt_as_the_instructions_say_are_accepted(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let grade = gongshu_sheets::entry_column("grade").unwrap();
    assert!(grade.note.contains("一般数据1～4级"), "{}", grade.note);
    let mut typed = new_row(1);
    typed.grade = "一般数据2级".into();
    typed.items[0].grade = "一般数据2级".into();
    typed.items[1].grade = "一般数据1级".into();
    let res = import(&gaj, "市公安局", workbook(&[typed])).await;
    res.expect_status(200);

    let open_type = gongshu_sheets::entry_column("open_type").unwrap();
    for label in open_type
        .note
        .split(['、', '或'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let mut row = new_row(2);
        row.open_type = label.to_owned();
        row.open_conditions = "签署数据使用协议".into();
        row.not_open_reason = "涉及个人隐私".into();
        row.grade = "一般数据（1级）".into();
        row.items[0].grade = "一般数据（1级）".into();
        let res = import(&gaj, "市公安局", workbook(&[row])).await;
        assert_eq!(
            res.status, 200,
            "开放属性 “{label}” from the column note: {}",
            res.text
        );
    }
}

// Issue 3 item 6: a row for an entry under review, or a code given twice, is a cell error
// (column 资源代码), and nothing is written.
pub async fn rows_that_cannot_apply_are_cell_errors(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let code =
        crate::catalog_fixtures::create(&gaj, crate::catalog_fixtures::entry("审核中的条目")).await;
    crate::catalog_fixtures::submit(&gaj, &code)
        .await
        .expect_status(200);
    let mut row = new_row(1);
    row.code = code.clone();
    let mut twice = new_row(2);
    twice.code = code.clone();
    twice.key = "2".into();
    let events_before = t.audit_count().await;
    let res = import(&gaj, "市公安局", workbook(&[row, twice])).await;
    res.expect_problem(422, "invalid_file");
    let cells: Vec<String> = res.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    let column = gongshu_sheets::entry_column("code").unwrap().letter;
    assert_eq!(
        cells,
        [format!("资源目录!{column}2"), format!("资源目录!{column}3")],
        "{}",
        res.text
    );
    assert!(
        res.text.contains("正在审核中") && res.text.contains("不止一次"),
        "{}",
        res.text
    );
    assert_eq!(t.audit_count().await, events_before, "nothing written");
    assert_eq!(get(&gaj, &code).await.json["state"], "submitted");
}

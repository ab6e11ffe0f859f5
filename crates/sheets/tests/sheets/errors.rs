use gongshu_sheets::{CellError, ReadError, read_catalog};

use crate::book::{Book, Cell};

fn errors(book: &Book) -> Vec<CellError> {
    match read_catalog(&book.bytes()) {
        Err(ReadError::Cells(errors)) => errors,
        other => panic!("expected cell errors, got {other:?}"),
    }
}

/// (sheet, row, column, header) of each error.
fn cells(errors: &[CellError]) -> Vec<(&str, u32, &str, &str)> {
    errors
        .iter()
        .map(|e| {
            (
                e.sheet.as_str(),
                e.row,
                e.column.as_str(),
                e.header.as_str(),
            )
        })
        .collect()
}

#[test]
fn the_template_itself_reads_without_errors() {
    assert_eq!(read_catalog(&Book::template().bytes()).unwrap().len(), 1);
}

#[test]
fn missing_sheets_are_reported_for_the_whole_sheet() {
    let mut book = Book::template();
    book.sheets[0].0 = "Sheet1".into();
    book.sheets.pop();
    let errs = errors(&book);
    assert_eq!(
        cells(&errs),
        [("资源目录", 0, "", ""), ("信息项", 0, "", "")]
    );
    assert_eq!(errs[0].zh, "缺少工作表“资源目录”");
    assert_eq!(errs[0].cell(), "资源目录");
}

#[test]
fn a_renamed_header_is_reported_at_its_cell_and_the_sheet_is_not_read() {
    let mut book = Book::template();
    book.set("资源目录", 1, "C", "名称")
        .set("资源目录", 2, "V", "也许") // would be an error, but the sheet is not read
        .set("信息项", 1, "J", "");
    let errs = errors(&book);
    assert_eq!(
        cells(&errs),
        [
            ("资源目录", 1, "C", "资源名称"),
            ("信息项", 1, "J", "基础数据项代码")
        ]
    );
    assert!(errs[0].zh.contains("实际为“名称”"), "{}", errs[0].zh);
    assert!(errs[1].zh.contains("缺少表头"), "{}", errs[1].zh);
}

#[test]
fn a_missing_column_shifts_the_headers_and_each_shifted_one_is_reported() {
    let mut book = Book::template();
    for row in book.rows("信息项") {
        row.remove(4); // 描述
    }
    let errs = errors(&book);
    let columns: Vec<_> = errs.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(columns, ["E", "F", "G", "H", "I", "J"]);
    assert!(errs.iter().all(|e| e.sheet == "信息项" && e.row == 1));
}

#[test]
fn yes_no_cells_accept_only_yes_or_no() {
    let mut book = Book::template();
    book.set("资源目录", 2, "V", "")
        .set("信息项", 2, "G", "有")
        .set("信息项", 2, "I", Cell::Number(2.0));
    let errs = errors(&book);
    assert_eq!(
        cells(&errs),
        [
            ("资源目录", 2, "V", "是否涉密"),
            ("信息项", 2, "G", "个人信息"),
            ("信息项", 2, "I", "是否脱敏"),
        ]
    );
    assert_eq!(errs[1].zh, "应填写“是”或“否”，实际为“有”");
}

#[test]
fn a_legal_basis_without_a_bar_is_reported_once_per_citation() {
    let mut book = Book::template();
    book.set(
        "资源目录",
        2,
        "O",
        "中华人民共和国居民身份证法第十三条；数据安全法|第二十一条；个人信息保护法",
    );
    let errs = errors(&book);
    assert_eq!(
        cells(&errs),
        [
            ("资源目录", 2, "O", "法律法规依据"),
            ("资源目录", 2, "O", "法律法规依据")
        ]
    );
    assert!(errs[0].zh.contains("中华人民共和国居民身份证法第十三条"));
    assert!(errs[1].zh.contains("“个人信息保护法”"));
}

#[test]
fn keys_must_be_present_and_unique() {
    let mut book = Book::template();
    book.copy_row("资源目录", 2, 3)
        .copy_row("资源目录", 2, 4)
        .set("资源目录", 4, "A", "");
    let errs = errors(&book);
    assert_eq!(
        cells(&errs),
        [("资源目录", 3, "A", "序号"), ("资源目录", 4, "A", "序号")]
    );
    assert_eq!(errs[0].zh, "序号“1”与第2行重复");
    assert_eq!(errs[1].zh, "序号不能为空");
}

#[test]
fn an_item_must_name_an_entry_of_the_file() {
    let mut book = Book::template();
    book.copy_row("信息项", 2, 3)
        .set("信息项", 3, "A", "99")
        .copy_row("信息项", 2, 4)
        .set("信息项", 4, "A", "");
    let errs = errors(&book);
    assert_eq!(
        cells(&errs),
        [
            ("信息项", 3, "A", "资源序号"),
            ("信息项", 4, "A", "资源序号")
        ]
    );
    assert!(errs[0].zh.contains("“99”"), "{}", errs[0].zh);
    assert!(errs[1].zh.starts_with("资源序号不能为空"), "{}", errs[1].zh);
}

#[test]
fn a_cell_holding_an_excel_error_is_reported() {
    let mut book = Book::template();
    book.set("资源目录", 2, "D", Cell::NotAvailable);
    let errs = errors(&book);
    assert_eq!(cells(&errs), [("资源目录", 2, "D", "资源摘要")]);
    assert!(errs[0].zh.contains("#N/A"), "{}", errs[0].zh);
}

#[test]
fn every_problem_of_a_file_is_reported_at_once_in_sheet_and_row_order() {
    let mut book = Book::template();
    book.copy_row("信息项", 2, 3).set("信息项", 3, "A", "nope");
    book.set("信息项", 2, "I", "x");
    book.copy_row("资源目录", 2, 3)
        .set("资源目录", 3, "O", "无条款");
    book.set("资源目录", 2, "V", "x");
    let errs = errors(&book);
    assert_eq!(
        cells(&errs),
        [
            ("资源目录", 2, "V", "是否涉密"),
            ("资源目录", 3, "A", "序号"),
            ("资源目录", 3, "O", "法律法规依据"),
            ("信息项", 2, "I", "是否脱敏"),
            ("信息项", 3, "A", "资源序号"),
        ]
    );
    assert_eq!(
        errs[0].to_string(),
        "资源目录!V2 (是否涉密): expected 是 (yes) or 否 (no), found \"x\""
    );
}

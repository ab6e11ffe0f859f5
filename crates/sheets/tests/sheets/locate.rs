use gongshu_sheets::{Position, entry_column, item_column, read_catalog};

use crate::book::Book;

fn read() -> gongshu_sheets::EntryRow {
    let mut book = Book::template();
    book.copy_row("资源目录", 2, 3).set("资源目录", 3, "A", "2");
    book.copy_row("信息项", 2, 3).set("信息项", 3, "A", "2");
    book.copy_row("信息项", 2, 4)
        .set("信息项", 4, "A", "2")
        .set("信息项", 4, "B", "gmsfhm");
    read_catalog(&book.bytes()).unwrap().remove(1)
}

fn at(p: Option<Position>) -> Option<(&'static str, u32, &'static str, &'static str)> {
    p.map(|p| (p.sheet, p.row, p.column, p.header))
}

#[test]
fn entry_fields_point_at_the_entry_row() {
    let e = read();
    assert_eq!(at(e.locate("name")), Some(("资源目录", 3, "C", "资源名称")));
    assert_eq!(
        at(e.locate("legal_bases[1]")),
        Some(("资源目录", 3, "O", "法律法规依据"))
    );
    assert_eq!(
        at(e.locate("legal_bases[0].law")),
        Some(("资源目录", 3, "O", "法律法规依据"))
    );
    assert_eq!(
        at(e.locate("state_secret")),
        Some(("资源目录", 3, "V", "是否涉密"))
    );
    assert_eq!(at(e.locate("items")), Some(("资源目录", 3, "A", "序号")));
}

#[test]
fn item_fields_point_at_the_item_row() {
    let e = read();
    assert_eq!(
        at(e.locate("items[1].code")),
        Some(("信息项", 4, "B", "信息项代码"))
    );
    assert_eq!(
        at(e.locate("items[0].masked")),
        Some(("信息项", 3, "I", "是否脱敏"))
    );
    assert_eq!(
        at(e.locate("items[1]")),
        Some(("信息项", 4, "A", "资源序号"))
    );
}

#[test]
fn unknown_fields_and_items_locate_nowhere() {
    let e = read();
    for field in [
        "publication_date",
        "items[2].code",
        "items[x].code",
        "items[0].nope",
        "items[0]x",
    ] {
        assert_eq!(e.locate(field), None, "{field}");
    }
}

#[test]
fn a_located_app_error_becomes_a_cell_error() {
    let e = read();
    let err = e
        .locate("items[1].code")
        .unwrap()
        .error("信息项代码“gmsfhm”重复", "item code gmsfhm appears twice");
    assert_eq!(err.cell(), "信息项!B4");
    assert_eq!(err.header, "信息项代码");
}

#[test]
fn every_field_name_of_the_brief_has_a_column() {
    for f in [
        "key",
        "code",
        "name",
        "summary",
        "category_code",
        "grade",
        "data_form",
        "share_type",
        "share_conditions",
        "share_scope",
        "share_modes",
        "open_type",
        "open_conditions",
        "not_open_reason",
        "legal_bases",
        "update_frequency",
        "source_dept",
        "collecting_dept",
        "approving_dept",
        "providing_dept",
        "related_codes",
        "state_secret",
    ] {
        assert!(entry_column(f).is_some(), "{f}");
    }
    for f in [
        "entry_key",
        "code",
        "name",
        "data_type",
        "description",
        "grade",
        "personal",
        "sensitive_kind",
        "masked",
        "element_code",
    ] {
        assert!(item_column(f).is_some(), "{f}");
    }
    assert_eq!(entry_column("share_modes").unwrap().letter, "K");
    assert_eq!(
        item_column("sensitive_kind").unwrap().header,
        "敏感个人信息类型"
    );
}

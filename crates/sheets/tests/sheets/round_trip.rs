use calamine::{Data, Reader, Xlsx};
use gongshu_sheets::{
    EntryRow, GUIDE_SHEET, Guide, ItemRow, ReadError, WriteError, read_catalog, write_catalog,
};

use crate::book::{Book, Cell, entry, with_rows};

#[test]
fn entries_with_chinese_text_lists_and_items_read_back_identically() {
    let mut second = entry("B-2", 2);
    second.share_type = "无条件共享".into();
    second.legal_bases.clear();
    second.share_modes = vec!["文件下载".into()];
    second.state_secret = true;
    second.items.truncate(1);
    let mut third = entry("第三条", 3);
    third.code.clear();
    third.items.clear(); // an entry without items is the app's concern, not the file's
    let entries = with_rows(vec![entry("1", 1), second, third]);

    let bytes = write_catalog(&entries, &Guide::default()).unwrap();
    let back = read_catalog(&bytes).unwrap();

    assert_eq!(back, entries);
}

#[test]
fn an_empty_catalog_reads_back_empty() {
    let bytes = write_catalog(&[], &Guide::default()).unwrap();
    assert_eq!(read_catalog(&bytes).unwrap(), []);
}

#[test]
fn an_empty_key_is_written_as_the_entry_position() {
    let mut e = entry("", 1);
    e.items.truncate(1);
    let bytes = write_catalog(&[entry("x", 0), e], &Guide::default()).unwrap();
    let back = read_catalog(&bytes).unwrap();
    assert_eq!(back[1].key, "2");
    assert_eq!(back[1].items.len(), 1);
}

#[test]
fn duplicate_keys_are_refused_when_writing() {
    let err = write_catalog(&[entry("1", 1), entry(" 1 ", 2)], &Guide::default()).unwrap_err();
    assert!(matches!(err, WriteError::DuplicateKey(k) if k == "1"));
}

#[test]
fn the_guide_lists_allowed_values_on_the_instructions_sheet() {
    let guide = Guide {
        entry_values: vec![
            (
                "share_type".into(),
                vec!["无条件共享".into(), "有条件共享".into(), "不予共享".into()],
            ),
            (
                "share_modes".into(),
                vec!["接口调用".into(), "库表交换".into()],
            ),
        ],
        item_values: vec![(
            "sensitive_kind".into(),
            vec!["生物识别".into(), "行踪轨迹".into()],
        )],
    };
    let entries = with_rows(vec![entry("1", 1)]);
    let bytes = write_catalog(&entries, &guide).unwrap();
    assert_eq!(read_catalog(&bytes).unwrap(), entries);

    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(&bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["资源目录", "信息项", "填写说明"]);
    let guide_sheet = book.worksheet_range(GUIDE_SHEET).unwrap();
    let lines: Vec<String> = guide_sheet
        .rows()
        .map(|r| r.iter().map(Data::to_string).collect::<Vec<_>>().join("\t"))
        .collect();
    let line = |header: &str| {
        lines
            .iter()
            .find(|l| l.contains(&format!("\t{header}\t")))
            .unwrap()
    };
    assert!(line("共享类型").contains("无条件共享；有条件共享；不予共享"));
    assert!(line("共享方式").contains("接口调用；库表交换"));
    assert!(line("敏感个人信息类型").contains("生物识别；行踪轨迹"));
    assert!(line("是否涉密").contains("是；否"));
}

#[test]
fn a_value_list_too_long_for_a_drop_down_is_only_listed() {
    let codes: Vec<String> = (100..400).map(|n| n.to_string()).collect();
    let guide = Guide {
        entry_values: vec![("category_code".into(), codes)],
        ..Default::default()
    };
    let entries = with_rows(vec![entry("1", 1)]);
    let bytes = write_catalog(&entries, &guide).unwrap();
    assert_eq!(read_catalog(&bytes).unwrap(), entries);
}

#[test]
fn a_guide_naming_an_unknown_field_is_refused() {
    let guide = Guide {
        item_values: vec![("share_type".into(), vec!["无条件共享".into()])],
        ..Default::default()
    };
    let err = write_catalog(&[], &guide).unwrap_err();
    assert!(matches!(err, WriteError::UnknownField(f) if f == "share_type"));
}

#[test]
fn values_typed_by_hand_are_read_as_their_text() {
    let mut book = Book::template();
    book.set("资源目录", 2, "E", Cell::Number(101.0))
        .set("资源目录", 2, "B", Cell::Number(330100.0))
        .set("资源目录", 2, "D", Cell::Date(45352.0))
        .set("资源目录", 2, "K", "  接口调用 ；\n库表交换;；")
        .set("资源目录", 2, "O", "中华人民共和国居民身份证法 ｜ 第十三条")
        .set("资源目录", 2, "V", Cell::Bool(true))
        .set("资源目录", 2, "W", "备注：额外的列被忽略")
        .set("信息项", 2, "G", "N")
        .set("信息项", 2, "I", Cell::Number(1.0));
    let back = read_catalog(&book.bytes()).unwrap();
    let e = &back[0];
    assert_eq!(e.category_code, "101");
    assert_eq!(e.code, "330100");
    assert_eq!(e.summary, "2024-03-01");
    assert_eq!(e.share_modes, ["接口调用", "库表交换"]);
    assert_eq!(
        e.legal_bases,
        [(
            "中华人民共和国居民身份证法".to_owned(),
            "第十三条".to_owned()
        )]
    );
    assert!(e.state_secret);
    assert!(!e.items[0].personal);
    assert!(e.items[0].masked);
}

#[test]
fn blank_rows_are_skipped_and_rows_keep_their_excel_numbers() {
    let mut book = Book::template();
    book.copy_row("资源目录", 2, 5).set("资源目录", 5, "A", "2");
    book.set("资源目录", 3, "C", "   "); // only spaces: blank
    book.copy_row("信息项", 2, 7).set("信息项", 7, "A", "2");
    let back = read_catalog(&book.bytes()).unwrap();
    assert_eq!(back.iter().map(|e| e.row).collect::<Vec<_>>(), [2, 5]);
    assert_eq!(back[1].items[0].row, 7);
}

#[test]
fn far_away_cells_cost_nothing_and_far_rows_keep_their_number() {
    let mut book = Book::template();
    book.far
        .push(("资源目录".into(), 1_048_575, 16_383, "角落".into()));
    book.far
        .push(("信息项".into(), 999_999, 2, "远处的信息项".into()));
    let started = std::time::Instant::now();
    let errs = match read_catalog(&book.bytes()) {
        Err(ReadError::Cells(errs)) => errs,
        other => panic!("{other:?}"),
    };
    assert!(started.elapsed().as_secs() < 5);
    let at: Vec<_> = errs
        .iter()
        .map(|e| (e.sheet.as_str(), e.row, e.column.as_str()))
        .collect();
    // The stray corner cell is outside the template and ignored; the far item is read (and has
    // no entry key nor 是/否 values).
    assert_eq!(
        at,
        [
            ("信息项", 1_000_000, "A"),
            ("信息项", 1_000_000, "G"),
            ("信息项", 1_000_000, "I")
        ]
    );
}

#[test]
fn items_go_to_their_entry_whatever_the_order_of_the_rows() {
    let mut book = Book::template();
    book.copy_row("资源目录", 2, 3)
        .set("资源目录", 3, "A", "甲");
    book.copy_row("信息项", 2, 3)
        .set("信息项", 3, "A", "甲")
        .set("信息项", 3, "B", "a");
    book.copy_row("信息项", 2, 4).set("信息项", 4, "B", "b");
    book.copy_row("信息项", 2, 5)
        .set("信息项", 5, "A", "甲")
        .set("信息项", 5, "B", "c");
    let back = read_catalog(&book.bytes()).unwrap();
    let codes = |e: &EntryRow| e.items.iter().map(|i| i.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(&back[0]), ["xm", "b"]);
    assert_eq!(codes(&back[1]), ["a", "c"]);
}

/// The size the import budget (5 s in release) is stated for.
#[test]
fn five_hundred_entries_of_ten_items_round_trip() {
    let entries: Vec<EntryRow> = (0..500)
        .map(|n| EntryRow {
            items: (0..10)
                .map(|k| ItemRow {
                    code: format!("item_{k}"),
                    name: format!("信息项{k}"),
                    personal: k % 2 == 0,
                    ..Default::default()
                })
                .collect(),
            ..entry(&(n + 1).to_string(), n)
        })
        .collect();
    let bytes = write_catalog(&entries, &Guide::default()).unwrap();
    let back = read_catalog(&bytes).unwrap();
    assert_eq!(back.len(), 500);
    assert_eq!(back.iter().map(|e| e.items.len()).sum::<usize>(), 5000);
    assert_eq!(back, with_rows(entries));
}

#[test]
fn a_file_that_is_not_a_workbook_is_not_xlsx() {
    for bytes in [
        &b""[..],
        b"name,code\n\xe6\x88\xb7\xe7\xb1\x8d,1\n",
        b"PK\x03\x04 truncated zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old .xls header",
    ] {
        assert!(
            matches!(read_catalog(bytes), Err(ReadError::NotXlsx(_))),
            "{bytes:?}"
        );
    }
}

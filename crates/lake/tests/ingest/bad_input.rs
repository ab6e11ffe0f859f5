//! Every kind of bad input, reported where the uploader will find it (H11, H12: validity of
//! types and identifier checksums; B17; issue 4 item 1).

use gongshu_lake::{CellError, IngestError, IngestOptions, SourcePosition, Warning};

use crate::support::*;

const ID1: &str = "11010519491231002X";
const ID2: &str = "321083197812162119";

fn bad_csv() -> String {
    let cc = credit_code("91350100M000100Y4");
    let bad_cc = format!("{}{}", &cc[..17], if cc.ends_with('0') { '1' } else { '0' });
    [
        "公民身份号码,姓名,出生日期,家庭人口,月收入,登记时间,是否在职,单位统一社会信用代码,电话"
            .to_owned(),
        format!("{ID1},张三,1949-12-31,3,1.5,2024-03-01 08:00,是,{cc},13800000000"),
        format!("{ID2},李四,1978-12-16,三,1.5,,是,,"),
        format!("{ID2},李四,,,12.3.4,,,,"),
        format!("{ID2},李四,2024-02-30,,,,,,"),
        format!("{ID2},李四,,,,,也许,,"),
        "440308199901101513,王五,,,,,,,".to_owned(),
        format!("{ID2},李四,,,,,,{bad_cc},"),
        format!("{ID2}, ,,,,,,,"),
        format!("{ID2},李四,,,,昨天,,,"),
        format!("{ID2},\"张\n三\",,x,,,,,"),
        ",,,,,,,,".to_owned(),
        format!("{ID2},李四"),
    ]
    .join("\n")
        + "\n"
}

/// (row, line, column, item, defect, value) of a reported cell.
fn located(
    e: &CellError,
) -> (
    u64,
    SourcePosition,
    Option<&str>,
    Option<&str>,
    &'static str,
    &str,
) {
    (
        e.row,
        e.source,
        e.column.as_deref(),
        e.item.as_deref(),
        e.defect.code(),
        e.value.as_str(),
    )
}

// Each bad cell is reported with its data row, source line, header, item code, value and reason.
#[test]
fn every_bad_cell_is_reported_at_its_position() {
    let run = run(bad_csv().as_bytes());
    let r = &run.report;
    assert_eq!(r.rows_read, 11);
    assert_eq!((r.bad_rows, r.bad_cells_total), (10, 10));
    let got: Vec<_> = r.bad_cells.iter().map(located).collect();
    use SourcePosition::Line;
    assert_eq!(
        got,
        vec![
            (
                2,
                Line(3),
                Some("家庭人口"),
                Some("jtrk"),
                "bad_integer",
                "三"
            ),
            (
                3,
                Line(4),
                Some("月收入"),
                Some("ysr"),
                "bad_decimal",
                "12.3.4"
            ),
            (
                4,
                Line(5),
                Some("出生日期"),
                Some("csrq"),
                "bad_date",
                "2024-02-30"
            ),
            (
                5,
                Line(6),
                Some("是否在职"),
                Some("sfzz"),
                "bad_boolean",
                "也许"
            ),
            (
                6,
                Line(7),
                Some("公民身份号码"),
                Some("sfzh"),
                "bad_citizen_id",
                "440308199901101513"
            ),
            (
                7,
                Line(8),
                Some("单位统一社会信用代码"),
                Some("dwdm"),
                "bad_credit_code",
                r.bad_cells[5].value.as_str()
            ),
            (
                8,
                Line(9),
                Some("姓名"),
                Some("xm"),
                "missing_required",
                " "
            ),
            (
                9,
                Line(10),
                Some("登记时间"),
                Some("djsj"),
                "bad_datetime",
                "昨天"
            ),
            // A quoted line break: the record starts on line 11; the next record is on line 14.
            (
                10,
                Line(11),
                Some("家庭人口"),
                Some("jtrk"),
                "bad_integer",
                "x"
            ),
            (11, Line(14), None, None, "field_count", ""),
        ]
    );
    assert_eq!(r.bad_cells[4].zh, "公民身份号码校验码不正确");
    assert_eq!(
        r.bad_cells[4].en,
        "citizen ID: the check character does not match"
    );
    assert!(r.bad_cells[5].zh.starts_with("统一社会信用代码"));
    // Warnings: the unknown column.
    assert_eq!(
        r.warnings,
        vec![Warning::UnknownColumn {
            column: "电话".into()
        }]
    );
}

// A file with any bad row is not committed unless the uploader asks to drop bad rows.
#[test]
fn any_bad_row_means_no_output() {
    let run = run(bad_csv().as_bytes());
    assert!(!run.report.written);
    assert_eq!(run.report.rows_written, 0);
    assert_eq!(run.report.parquet_sm3, None);
    assert!(run.rejects.is_empty());
    assert_eq!(
        (run.report.rejects_bytes, run.report.rejects_sm3.as_deref()),
        (0, None)
    );
}

// With drop_bad_rows the good rows are written and the bad ones kept in a rejects CSV with the
// reasons: UTF-8 with a byte-order mark (Excel then shows the Chinese), counted and hashed.
#[test]
fn dropped_rows_go_to_the_rejects_csv_with_reasons() {
    let opts = IngestOptions {
        drop_bad_rows: true,
        ..options()
    };
    let run = run_with(bad_csv().as_bytes(), None, &people(), &opts).unwrap();
    let r = &run.report;
    assert!(r.written);
    assert_eq!((r.rows_written, r.rows_rejected), (1, 10));
    assert_eq!(
        column(&read_parquet(&run.parquet), "xm"),
        strings(&["张三"])
    );

    assert!(run.rejects.starts_with(b"\xEF\xBB\xBF"), "a BOM first");
    assert_eq!(r.rejects_bytes, run.rejects.len() as u64);
    assert_eq!(r.rejects_sm3.as_deref().map(str::len), Some(64));
    let text = String::from_utf8(run.rejects[3..].to_vec()).expect("rejects are UTF-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[..3],
        ["数据行号 row", "源位置 source", "错误原因 reason"]
    );
    assert_eq!(
        header[3..],
        [
            "公民身份号码",
            "姓名",
            "出生日期",
            "家庭人口",
            "月收入",
            "登记时间",
            "是否在职",
            "单位统一社会信用代码"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(&rows[0][0], "2");
    assert_eq!(&rows[0][1], "第3行 line 3");
    assert_eq!(&rows[0][2], "家庭人口：不是整数 / not an integer");
    assert_eq!(&rows[0][6], "三");
    // The multi-line cell is kept as it was.
    assert_eq!(&rows[8][4], "张\n三");
    assert!(rows[9][2].contains("field"), "{}", &rows[9][2]);
}

// Issue 4: the first 1,000 bad cells are listed, all are counted.
#[test]
fn the_first_thousand_bad_cells_are_listed_and_all_counted() {
    let mut csv = String::from("sfzh,xm,jtrk,ysr\n");
    for i in 0..1500 {
        csv.push_str(&format!(
            "{},张{i},many,lots\n",
            citizen_id("110105", "19800101", i % 1000)
        ));
    }
    let run = run(csv.as_bytes());
    let r = &run.report;
    assert_eq!(
        (r.rows_read, r.bad_rows, r.bad_cells_total),
        (1500, 1500, 3000)
    );
    assert_eq!(r.bad_cells.len(), 1000);
    let last = r.bad_cells.last().unwrap();
    assert_eq!(
        (last.row, last.source, last.item.as_deref()),
        (500, SourcePosition::Line(501), Some("ysr"))
    );
}

#[test]
fn missing_required_columns_stop_the_file_naming_them() {
    let err = run_with(
        "姓名,出生日期\n张三,1949-12-31\n".as_bytes(),
        None,
        &people(),
        &options(),
    )
    .err()
    .unwrap();
    let IngestError::MissingColumns(missing) = &err else {
        panic!("{err}")
    };
    assert_eq!(
        missing.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(),
        ["sfzh"]
    );
    assert!(err.zh().contains("公民身份号码（sfzh）"), "{}", err.zh());
    assert!(err.to_string().contains("sfzh (公民身份号码)"), "{err}");
}

#[test]
fn unknown_columns_are_warned_about_and_ignored() {
    let csv = format!("SFZH,姓名,民族,Phone\n{ID1},张三,汉,138\n");
    let run = run(csv.as_bytes());
    assert_eq!(run.report.rows_written, 1);
    let unknown: Vec<_> = run
        .report
        .warnings
        .iter()
        .filter_map(|w| match w {
            Warning::UnknownColumn { column } => Some(column.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(unknown, ["民族", "Phone"]);
    assert!(run.report.warnings.iter().any(|w| w.zh().contains("民族")));
    let batches = read_parquet(&run.parquet);
    assert_eq!(batches[0].num_columns(), people().len());
}

#[test]
fn two_columns_for_one_item_are_refused() {
    let err = run_with(
        format!("sfzh,公民身份号码,xm\n{ID1},{ID1},张三\n").as_bytes(),
        None,
        &people(),
        &options(),
    )
    .err()
    .unwrap();
    assert_eq!(err.code(), "duplicate_column");
}

#[test]
fn invalid_utf8_in_a_utf8_file_is_an_encoding_error_with_its_line() {
    let mut bytes = format!("sfzh,xm\n{ID1},张三\n").into_bytes();
    // Long enough that detection sees only valid UTF-8, then a stray byte.
    for i in 0..3000 {
        bytes.extend_from_slice(
            format!("{},名字{i}\n", citizen_id("110105", "19800101", i % 1000)).as_bytes(),
        );
    }
    bytes.extend_from_slice(b"11010519491231002X,\xff\xfe\n");
    let err = run_with(&bytes, None, &people(), &options()).err().unwrap();
    assert_eq!(err.code(), "bad_encoding");
    assert!(err.to_string().contains("line 3003"), "{err}");
}

// A character cut in two by a delimiter is invalid in both fields, though the record's bytes
// without the delimiter would read as valid UTF-8.
#[test]
fn a_character_split_across_fields_is_an_encoding_error() {
    let mut bytes = format!("sfzh,xm\n{ID1},张三\n").into_bytes();
    for i in 0..3000 {
        bytes.extend_from_slice(
            format!("{},名字{i}\n", citizen_id("110105", "19800101", i % 1000)).as_bytes(),
        );
    }
    // 中 is E4 B8 AD.
    bytes.extend_from_slice(b"11010519491231002X,\xE4\xB8,\xAD\n");
    let err = run_with(&bytes, None, &people(), &options()).err().unwrap();
    assert_eq!(err.code(), "bad_encoding");
    assert!(err.to_string().contains("line 3003"), "{err}");
}

// Reported values are cut, so a report stays small whatever the cells hold.
#[test]
fn long_bad_values_are_truncated_in_the_report() {
    let long = "九".repeat(200);
    let csv = format!("sfzh,xm,jtrk\n{ID1},张三,{long}\n");
    let run = run(csv.as_bytes());
    let value = &run.report.bad_cells[0].value;
    assert_eq!(value.chars().count(), 65);
    assert!(value.ends_with('…'));
}

#[test]
fn a_legacy_xls_workbook_is_refused_with_advice() {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    let err = run_with(&bytes, None, &people(), &options()).err().unwrap();
    assert_eq!(err.code(), "legacy_excel");
    assert!(err.zh().contains(".xlsx"));
}

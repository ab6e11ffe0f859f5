//! Finding the header (issue 11 item 4; H11/H12 data provided as catalogued, B17): a title
//! row above it is skipped and reported, a header that names no item is refused with what was
//! found and what was expected, and a header without rows is an empty file, not an error
//! (whether an empty version may become current is the application's decision).

use gongshu_domain::catalog::DataType;
use gongshu_lake::{Format, IngestError, ItemSpec, SourcePosition, Warning};
use rust_xlsxwriter::Workbook;

use crate::support::*;

fn items() -> Vec<ItemSpec> {
    vec![
        ItemSpec::new("xm", "姓名", DataType::Text, false),
        ItemSpec::new("sfzh", "公民身份号码", DataType::CitizenId, false).with_column_required(),
        ItemSpec::new("nl", "年龄", DataType::Integer, false),
    ]
}

// H11, B17: the XLSX attack — a title row above the header used to be read as the header and
// the real header as data.
#[test]
fn h11_an_xlsx_title_row_above_the_header_is_skipped_and_reported() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "2024年社区人口登记表").unwrap();
    sheet.write_string(1, 3, "单位：人").unwrap();
    for (c, h) in ["姓名", "公民身份号码", "年龄"].iter().enumerate() {
        sheet.write_string(3, c as u16, *h).unwrap();
    }
    let ids = [
        citizen_id("110105", "19800101", 1),
        citizen_id("110105", "19900202", 2),
    ];
    for (r, (name, id)) in [("张三", &ids[0]), ("李四", &ids[1])].iter().enumerate() {
        sheet.write_string(4 + r as u32, 0, *name).unwrap();
        sheet.write_string(4 + r as u32, 1, id.as_str()).unwrap();
        sheet
            .write_number(4 + r as u32, 2, 30.0 + r as f64)
            .unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let run = run_with(&bytes, None, &items(), &options()).unwrap();
    assert_eq!(run.report.rows_written, 2, "{:?}", run.report.bad_cells);
    assert_eq!(
        run.report.warnings[0],
        Warning::RowsAboveHeader {
            skipped: 2,
            header: SourcePosition::ExcelRow(4)
        }
    );
    assert!(run.report.warnings[0].zh().contains("第4行"));
    let batches = read_parquet(&run.parquet);
    assert_eq!(column(&batches, "xm"), strings(&["张三", "李四"]));
    assert_eq!(column(&batches, "sfzh"), strings(&[&ids[0], &ids[1]]));
}

#[test]
fn a_csv_title_line_above_the_header_is_skipped_and_reported() {
    let id = citizen_id("110105", "19800101", 1);
    let csv = format!(
        "人口登记表（2024年）,,\n制表单位：某街道,,\n姓名,公民身份号码,年龄\n张三,{id},30\n"
    );
    let run = run_with(csv.as_bytes(), Some(Format::Csv), &items(), &options()).unwrap();
    assert_eq!(run.report.rows_written, 1, "{:?}", run.report.bad_cells);
    assert_eq!(
        run.report.warnings,
        vec![Warning::RowsAboveHeader {
            skipped: 2,
            header: SourcePosition::Line(3)
        }]
    );
}

// H11, B17: the attack — a header that matched no item used to give rows of nothing but
// NULLs, public on an open entry.
#[test]
fn h11_a_header_naming_no_item_is_refused_with_found_and_expected_columns() {
    let csv = "name,id,age\nZhang San,110105198001010011,30\n";
    let err = run_with(csv.as_bytes(), Some(Format::Csv), &items(), &options())
        .err()
        .expect("refused");
    let IngestError::NoMatchingColumns {
        found, expected, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(found, &["name", "id", "age"]);
    assert_eq!(expected.len(), 3);
    assert_eq!(err.code(), "no_matching_columns");
    assert!(
        err.zh().contains("“name”") && err.zh().contains("公民身份号码（sfzh）"),
        "{}",
        err.zh()
    );
    assert!(err.to_string().contains("`name`") && err.to_string().contains("sfzh"));

    // The same in JSON: the first object's keys play the header's part.
    let json = r#"[{"name": "Zhang San", "age": 30}]"#;
    let err = run_with(json.as_bytes(), None, &items(), &options())
        .err()
        .expect("refused");
    assert_eq!(err.code(), "no_matching_columns", "{err}");
}

#[test]
fn a_key_item_without_its_column_is_refused_by_name() {
    let csv = "姓名,年龄\n张三,30\n";
    let err = run_with(csv.as_bytes(), Some(Format::Csv), &items(), &options())
        .err()
        .expect("refused");
    assert!(
        matches!(&err, IngestError::MissingColumns(m) if m.len() == 1 && m[0].code == "sfzh"),
        "{err}"
    );
}

#[test]
fn a_header_only_csv_is_an_empty_file_not_an_error() {
    let run = run_with(
        "姓名,公民身份号码,年龄\n".as_bytes(),
        Some(Format::Csv),
        &items(),
        &options(),
    )
    .unwrap();
    assert!(run.report.written);
    assert_eq!(run.report.rows_written, 0);
}

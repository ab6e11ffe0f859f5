//! Every source format and encoding, written to Parquet and read back (issue 4 item 1; B11).

use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType as ArrowType, Field, Schema};
use encoding_rs::{GB18030, GBK};
use gongshu_lake::{DECIMAL_PRECISION, DECIMAL_SCALE, Format, Warning};
use parquet::arrow::ArrowWriter;
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Workbook};

use crate::support::*;

const ID1: &str = "11010519491231002X";
const ID2: &str = "321083197812162119";

fn people_csv() -> String {
    let cc = credit_code("91350100M000100Y4");
    format!(
        "公民身份号码,姓名,出生日期,家庭人口,月收入,登记时间,是否在职,单位统一社会信用代码\n\
         11010519491231002x,张三,1949-12-31,3,12345.67,2024-03-01 08:30:00,是,{cc}\n\
         {ID2},李四,1978/12/16,,0.1,2024-03-02T09:00:00+08:00,否,\n\
         {id3},\"王五, 小\",19900101,1,\"1,234.50\",,Y,\n",
        id3 = citizen_id("440305", "19900101", 123),
    )
}

// B11, issue 4 item 1: a UTF-8 CSV comes out typed, every value exact.
#[test]
fn utf8_csv_round_trips_every_type() {
    let csv = people_csv();
    let run = run(csv.as_bytes());
    let r = &run.report;
    assert_eq!(r.format, Format::Csv);
    assert_eq!(r.encoding, Some("UTF-8"));
    assert_eq!(
        (r.rows_read, r.rows_written, r.bad_cells_total),
        (3, 3, 0),
        "{:?}",
        r.bad_cells
    );
    assert!(r.written);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);

    let batches = read_parquet(&run.parquet);
    // The lowercase check character is normalised to X.
    assert_eq!(column(&batches, "sfzh")[..2], strings(&[ID1, ID2])[..]);
    assert_eq!(
        column(&batches, "xm"),
        strings(&["张三", "李四", "王五, 小"])
    );
    assert_eq!(
        column(&batches, "csrq"),
        strings(&["1949-12-31", "1978-12-16", "1990-01-01"])
    );
    assert_eq!(integers(&batches, "jtrk"), vec![Some(3), None, Some(1)]);
    // Money is DECIMAL(38, 6): 0.1 is exactly 100000 millionths.
    assert_eq!(
        decimals(&batches, "ysr"),
        vec![Some(12_345_670_000), Some(100_000), Some(1_234_500_000)]
    );
    // Times without an offset are China time; stored as instants (shown here in UTC).
    assert_eq!(
        column(&batches, "djsj"),
        vec![
            Some("2024-03-01 00:30:00".into()),
            Some("2024-03-02 01:00:00".into()),
            None
        ]
    );
    assert_eq!(
        column(&batches, "sfzz"),
        strings(&["true", "false", "true"])
    );
    assert_eq!(column(&batches, "dwdm")[1..], [None, None]);

    let schema = batches[0].schema();
    assert_eq!(
        schema.field_with_name("ysr").unwrap().data_type(),
        &ArrowType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
    );
    assert_eq!(
        schema.field_with_name("sfzh").unwrap().data_type(),
        &ArrowType::Utf8
    );
    assert_eq!(
        schema.field_with_name("xm").unwrap().metadata()["gongshu.item.name"],
        "姓名"
    );
    assert_eq!(r.schema.fields().len(), 8);
}

// The digests are of the exact bytes received and written.
#[test]
fn digests_cover_the_source_and_the_parquet_file() {
    let csv = people_csv();
    let run = run(csv.as_bytes());
    assert_eq!(run.report.source_bytes, csv.len() as u64);
    assert_eq!(run.report.source_sm3, sm3_hex(csv.as_bytes()));
    assert_eq!(run.report.parquet_bytes, run.parquet.len() as u64);
    assert_eq!(
        run.report.parquet_sm3.as_deref(),
        Some(sm3_hex(&run.parquet).as_str())
    );
}

#[test]
fn a_utf8_bom_does_not_hide_the_first_header() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(people_csv().as_bytes());
    let run = run(&bytes);
    assert_eq!(run.report.encoding, Some("UTF-8"));
    assert_eq!(run.report.rows_written, 3);
    assert!(run.report.warnings.is_empty(), "{:?}", run.report.warnings);
    assert_eq!(
        column(&read_parquet(&run.parquet), "sfzh")[0].as_deref(),
        Some(ID1)
    );
    assert_eq!(run.report.source_sm3, sm3_hex(&bytes));
}

// Issue 4 "done when": a GBK file with 中文 names round-trips exactly (as Excel on a Chinese
// Windows saves "CSV": GBK with CRLF line ends).
#[test]
fn gbk_csv_is_detected_and_chinese_round_trips_exactly() {
    let names = ["张三", "欧阳娜娜", "诸葛亮", "司马懿", "上官婉儿"];
    let mut text = String::from("公民身份号码,姓名,家庭住址\r\n");
    for (i, name) in names.iter().enumerate() {
        text.push_str(&format!(
            "{},{name},浙江省杭州市拱墅区湖墅南路{}号\r\n",
            citizen_id("330105", "19850612", i as u32 + 1),
            i + 1
        ));
    }
    let (bytes, _, unmappable) = GBK.encode(&text);
    assert!(!unmappable);
    assert_ne!(
        &bytes[..],
        text.as_bytes(),
        "the file really is GBK, not UTF-8"
    );
    let items = vec![
        gongshu_lake::ItemSpec::new(
            "sfzh",
            "公民身份号码",
            gongshu_domain::catalog::DataType::CitizenId,
            true,
        ),
        gongshu_lake::ItemSpec::new("xm", "姓名", gongshu_domain::catalog::DataType::Text, true),
        gongshu_lake::ItemSpec::new(
            "jtzz",
            "家庭住址",
            gongshu_domain::catalog::DataType::Text,
            false,
        ),
    ];
    let run = run_with(&bytes, None, &items, &options()).unwrap();
    assert_eq!(run.report.encoding, Some("GBK"));
    assert_eq!(run.report.rows_written, 5);
    let batches = read_parquet(&run.parquet);
    assert_eq!(column(&batches, "xm"), strings(&names));
    assert_eq!(
        column(&batches, "jtzz")[4].as_deref(),
        Some("浙江省杭州市拱墅区湖墅南路5号")
    );
    assert_eq!(run.report.source_sm3, sm3_hex(&bytes));
}

// GB18030 four-byte characters (rare given-name characters outside GBK) survive too.
#[test]
fn gb18030_four_byte_characters_round_trip() {
    let names = ["王䶮", "李𬌗", "陈喆", "赵㛃"];
    let mut text = String::from("xm\n");
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    text.push_str(&"张三丰\n".repeat(20));
    let (bytes, _, unmappable) = GB18030.encode(&text);
    assert!(!unmappable);
    let items = vec![gongshu_lake::ItemSpec::new(
        "xm",
        "姓名",
        gongshu_domain::catalog::DataType::Text,
        true,
    )];
    let run = run_with(&bytes, None, &items, &options()).unwrap();
    assert_eq!(run.report.rows_written, 24);
    assert_eq!(
        column(&read_parquet(&run.parquet), "xm")[..4],
        strings(&names)[..]
    );
}

#[test]
fn a_declared_encoding_is_used_as_declared() {
    let (bytes, _, _) = GBK.encode("xm\n张三\n");
    let items = vec![gongshu_lake::ItemSpec::new(
        "xm",
        "姓名",
        gongshu_domain::catalog::DataType::Text,
        true,
    )];
    let opts = gongshu_lake::IngestOptions {
        encoding: Some("gb18030".into()),
        ..options()
    };
    let run = run_with(&bytes, Some(Format::Csv), &items, &opts).unwrap();
    assert_eq!(run.report.encoding, Some("gb18030"));
    assert_eq!(
        column(&read_parquet(&run.parquet), "xm"),
        strings(&["张三"])
    );
}

fn people_workbook(id_as_number: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let other = workbook.add_worksheet();
    other.set_name("说明").unwrap();
    other.write_string(0, 0, "本表为人口登记").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("人口").unwrap();
    for (c, h) in [
        "公民身份号码",
        "姓名",
        "出生日期",
        "家庭人口",
        "月收入",
        "登记时间",
        "是否在职",
        "备用列",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(1, c as u16 + 1, *h).unwrap();
    }
    // Data starts at B3: a title row and column A are left blank, as agencies do.
    if id_as_number {
        sheet.write_number(2, 1, 321083197812162119.0).unwrap();
    } else {
        sheet.write_string(2, 1, ID2).unwrap();
    }
    sheet.write_string(2, 2, "李四").unwrap();
    sheet
        .write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(1978, 12, 16).unwrap(), &date)
        .unwrap();
    sheet.write_number(2, 4, 4.0).unwrap();
    sheet.write_number(2, 5, 0.1).unwrap();
    sheet
        .write_datetime_with_format(
            2,
            6,
            ExcelDateTime::from_ymd(2024, 3, 1)
                .unwrap()
                .and_hms(8, 30, 0)
                .unwrap(),
            &datetime,
        )
        .unwrap();
    sheet.write_boolean(2, 7, true).unwrap();
    sheet.write_string(3, 1, ID1).unwrap();
    sheet.write_string(3, 2, "张三").unwrap();
    sheet.write_string(3, 3, "1949/12/31").unwrap();
    // Row 5 left empty; row 6 has data.
    sheet
        .write_string(5, 1, citizen_id("440305", "19900101", 123))
        .unwrap();
    sheet.write_string(5, 2, "王五").unwrap();
    sheet.write_number(5, 5, 1234.5).unwrap();
    sheet.write_string(5, 7, "否").unwrap();
    workbook.save_to_buffer().unwrap()
}

// Agencies live in Excel: a workbook written by rust_xlsxwriter ingests, by sheet name.
#[test]
fn xlsx_named_sheet_round_trips() {
    let bytes = people_workbook(false);
    let run = run_with(
        &bytes,
        Some(Format::Xlsx {
            sheet: Some("人口".into()),
        }),
        &people(),
        &options(),
    )
    .unwrap();
    let r = &run.report;
    assert_eq!(
        (r.rows_read, r.rows_written, r.bad_cells_total),
        (3, 3, 0),
        "{:?}",
        r.bad_cells
    );
    assert!(r.warnings.contains(&Warning::UnknownColumn {
        column: "备用列".into()
    }));
    let batches = read_parquet(&run.parquet);
    assert_eq!(column(&batches, "xm"), strings(&["李四", "张三", "王五"]));
    assert_eq!(
        column(&batches, "csrq")[..2],
        strings(&["1978-12-16", "1949-12-31"])[..]
    );
    assert_eq!(integers(&batches, "jtrk"), vec![Some(4), None, None]);
    // A float cell of 0.1 is the decimal 0.1, exactly.
    assert_eq!(
        decimals(&batches, "ysr"),
        vec![Some(100_000), None, Some(1_234_500_000)]
    );
    assert_eq!(
        column(&batches, "djsj")[0].as_deref(),
        Some("2024-03-01 00:30:00")
    );
    assert_eq!(
        column(&batches, "sfzz"),
        vec![Some("true".into()), None, Some("false".into())]
    );
}

#[test]
fn xlsx_reads_the_first_sheet_unless_named() {
    let bytes = people_workbook(false);
    // Sniffed as XLSX; the first sheet is 说明, whose rows name no item at all.
    let err = run_with(&bytes, None, &people(), &options()).err().unwrap();
    assert_eq!(err.code(), "no_matching_columns");
    let err = run_with(
        &bytes,
        Some(Format::Xlsx {
            sheet: Some("不存在".into()),
        }),
        &people(),
        &options(),
    )
    .err()
    .unwrap();
    assert_eq!(err.code(), "no_such_sheet");
}

// An 18-digit ID that Excel stored as a number has lost digits: it is refused with that reason,
// at the row Excel shows.
#[test]
fn xlsx_id_stored_as_a_number_is_reported_at_its_excel_row() {
    let bytes = people_workbook(true);
    let run = run_with(
        &bytes,
        Some(Format::Xlsx {
            sheet: Some("人口".into()),
        }),
        &people(),
        &options(),
    )
    .unwrap();
    assert!(!run.report.written);
    let bad = &run.report.bad_cells[0];
    assert_eq!(bad.defect.code(), "identifier_as_number");
    assert_eq!(bad.source, gongshu_lake::SourcePosition::ExcelRow(3));
    assert_eq!(bad.row, 1);
    assert_eq!(bad.column.as_deref(), Some("公民身份号码"));
}

#[test]
fn json_array_keeps_numbers_exact() {
    let json = format!(
        r#"[
  {{"sfzh": "{ID1}", "xm": "张三", "ysr": 12345678901234567.89, "jtrk": 3, "sfzz": true, "csrq": "1949-12-31"}},
  {{"sfzh": "{ID2}", "姓名": "李四", "ysr": "0.1", "jtrk": null, "extra": {{"a": 1}}}}
]"#
    );
    let run = run(json.as_bytes());
    let r = &run.report;
    assert_eq!(r.format, Format::JsonArray);
    assert_eq!((r.rows_read, r.rows_written), (2, 2), "{:?}", r.bad_cells);
    assert!(r.warnings.contains(&Warning::UnknownColumn {
        column: "extra".into()
    }));
    assert!(r.warnings.contains(&Warning::ItemAbsent {
        item: "dwdm".into(),
        name: "单位统一社会信用代码".into()
    }));
    let batches = read_parquet(&run.parquet);
    assert_eq!(column(&batches, "xm"), strings(&["张三", "李四"]));
    assert_eq!(
        decimals(&batches, "ysr"),
        vec![Some(12_345_678_901_234_567_890_000), Some(100_000)]
    );
    assert_eq!(integers(&batches, "jtrk"), vec![Some(3), None]);
    assert_eq!(column(&batches, "sfzz"), vec![Some("true".into()), None]);
}

#[test]
fn ndjson_reports_lines() {
    let ndjson = format!(
        "{{\"sfzh\":\"{ID1}\",\"xm\":\"张三\",\"jtrk\":2}}\n\n{{\"sfzh\":\"{ID2}\",\"xm\":\"李四\",\"jtrk\":\"two\"}}\n"
    );
    let run = run(ndjson.as_bytes());
    assert_eq!(run.report.format, Format::Ndjson);
    assert_eq!(run.report.rows_read, 2);
    let bad = &run.report.bad_cells[0];
    assert_eq!(
        (bad.row, bad.source),
        (2, gongshu_lake::SourcePosition::Line(3))
    );
    assert_eq!(bad.defect.code(), "bad_integer");
    assert_eq!(bad.value, "two");
}

#[test]
fn json_malformed_is_an_error_with_its_position() {
    let err = run_with(
        b"[{\"xm\": \"a\"}, {\"xm\": }]",
        None,
        &people(),
        &options(),
    )
    .err()
    .unwrap();
    assert_eq!(err.code(), "missing_columns");
    let items = vec![gongshu_lake::ItemSpec::new(
        "xm",
        "姓名",
        gongshu_domain::catalog::DataType::Text,
        true,
    )];
    let err = run_with(b"[{\"xm\": \"a\"},\n {\"xm\": }]", None, &items, &options())
        .err()
        .unwrap();
    assert_eq!(err.code(), "malformed_source");
    assert!(err.to_string().contains("line 2"), "{err}");
}

// Parquet in → Parquet out: the same values, validated again.
#[test]
fn parquet_in_parquet_out() {
    let first = run(people_csv().as_bytes());
    let second = run(&first.parquet);
    assert_eq!(second.report.format, Format::Parquet);
    assert_eq!(
        second.report.rows_written, 3,
        "{:?}",
        second.report.bad_cells
    );
    let (a, b) = (read_parquet(&first.parquet), read_parquet(&second.parquet));
    for item in people() {
        assert_eq!(
            column(&a, &item.code),
            column(&b, &item.code),
            "{}",
            item.code
        );
    }
}

// Facts measured: never let a reader infer an identifier column's type. An all-digit ID column
// stays a string in CSV, and a Parquet file that typed IDs as integers is stored as strings.
#[test]
fn identifier_columns_are_always_strings() {
    let csv = format!(
        "sfzh,xm\n{ID2},李四\n{},王五\n",
        citizen_id("440305", "19900101", 124)
    );
    let run1 = run(csv.as_bytes());
    let batches = read_parquet(&run1.parquet);
    assert_eq!(
        batches[0]
            .schema()
            .field_with_name("sfzh")
            .unwrap()
            .data_type(),
        &ArrowType::Utf8
    );
    assert_eq!(column(&batches, "sfzh")[0].as_deref(), Some(ID2));

    let schema = Arc::new(Schema::new(vec![
        Field::new("sfzh", ArrowType::Int64, false),
        Field::new("xm", ArrowType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![321083197812162119])),
            Arc::new(StringArray::from(vec!["李四"])),
        ],
    )
    .unwrap();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let run2 = run(&bytes);
    let batches = read_parquet(&run2.parquet);
    assert_eq!(
        batches[0]
            .schema()
            .field_with_name("sfzh")
            .unwrap()
            .data_type(),
        &ArrowType::Utf8
    );
    assert_eq!(column(&batches, "sfzh"), strings(&[ID2]));
}

// The CLI's bar: one report per batch of rows, and one at the end.
#[test]
fn progress_is_reported_per_batch() {
    let mut csv = String::from("sfzh,xm\n");
    for i in 0..250 {
        csv.push_str(&format!("{},张{i}\n", citizen_id("110105", "19800101", i)));
    }
    let opts = gongshu_lake::IngestOptions {
        batch_rows: 100,
        ..options()
    };
    let run = run_with(csv.as_bytes(), None, &people()[..2], &opts).unwrap();
    let rows: Vec<u64> = run.progress.iter().map(|p| p.rows).collect();
    assert_eq!(rows, vec![100, 200, 250]);
    assert_eq!(run.progress.last().unwrap().bytes, csv.len() as u64);
    assert_eq!(
        read_parquet(&run.parquet)
            .iter()
            .map(|b| b.num_rows())
            .sum::<usize>(),
        250
    );
}

// No object at all is an empty file with the entry's schema, as a CSV with only a header is.
#[test]
fn an_empty_json_array_gives_an_empty_typed_file() {
    for bytes in [&b"[]"[..], &b" [ ]\n"[..]] {
        let run = run_with(bytes, None, &people(), &options()).unwrap();
        assert!(run.report.written);
        assert_eq!(run.report.rows_written, 0);
        assert_eq!(run.report.schema.fields().len(), people().len());
    }
}

//! Builders for the tests: a people entry's items, valid identifiers, running an ingest into
//! memory and reading the Parquet back.

use std::io::{Seek, Write};

use arrow::array::{
    Array, AsArray, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{Decimal128Type, Int64Type};
use chrono::NaiveDate;
use gongshu_domain::catalog::DataType;
use gongshu_domain::{CitizenId, CreditCode};
use gongshu_lake::{
    Format, IngestError, IngestOptions, IngestReport, ItemSpec, Progress, Source, ingest,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// The entry used throughout: a register of people, one item of every type.
pub fn people() -> Vec<ItemSpec> {
    vec![
        ItemSpec::new("sfzh", "公民身份号码", DataType::CitizenId, true),
        ItemSpec::new("xm", "姓名", DataType::Text, true),
        ItemSpec::new("csrq", "出生日期", DataType::Date, false),
        ItemSpec::new("jtrk", "家庭人口", DataType::Integer, false),
        ItemSpec::new("ysr", "月收入", DataType::Decimal, false),
        ItemSpec::new("djsj", "登记时间", DataType::DateTime, false),
        ItemSpec::new("sfzz", "是否在职", DataType::Boolean, false),
        ItemSpec::new("dwdm", "单位统一社会信用代码", DataType::CreditCode, false),
    ]
}

/// A valid citizen ID from an address code, a birth date and a sequence.
pub fn citizen_id(address: &str, birth: &str, seq: u32) -> String {
    let first17 = format!("{address}{birth}{seq:03}");
    let check = CitizenId::check_char_for(&first17).unwrap();
    format!("{first17}{check}")
}

pub fn credit_code(first17: &str) -> String {
    CreditCode::complete(first17).unwrap().as_str().to_owned()
}

pub fn options() -> IngestOptions {
    IngestOptions {
        today: NaiveDate::from_ymd_opt(2026, 11, 23),
        ..IngestOptions::default()
    }
}

/// The outputs of one ingest held in memory.
pub struct Run {
    pub report: IngestReport,
    pub parquet: Vec<u8>,
    pub rejects: Vec<u8>,
    pub progress: Vec<Progress>,
}

pub fn run_with(
    bytes: &[u8],
    format: Option<Format>,
    items: &[ItemSpec],
    options: &IngestOptions,
) -> Result<Run, IngestError> {
    let mut source = Source::new(bytes);
    if let Some(format) = format {
        source = source.with_format(format);
    }
    let mut parquet = Vec::new();
    let mut rejects = Vec::new();
    let mut progress = Vec::new();
    let report = ingest(source, items, options, &mut parquet, &mut rejects, |p| {
        progress.push(p)
    })?;
    Ok(Run {
        report,
        parquet,
        rejects,
        progress,
    })
}

/// Sniffed format, the people entry, default options.
pub fn run(bytes: &[u8]) -> Run {
    run_with(bytes, None, &people(), &options()).unwrap()
}

pub fn read_parquet(bytes: &[u8]) -> Vec<RecordBatch> {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(bytes).unwrap();
    file.rewind().unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// One column of all batches, as a `Vec` of optional strings (any type, displayed plainly).
pub fn column(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for batch in batches {
        let col = batch
            .column_by_name(name)
            .unwrap_or_else(|| panic!("no column {name}"));
        for i in 0..col.len() {
            if col.is_null(i) {
                out.push(None);
                continue;
            }
            let any = col.as_any();
            let text = if let Some(a) = any.downcast_ref::<StringArray>() {
                a.value(i).to_owned()
            } else if let Some(a) = any.downcast_ref::<Int64Array>() {
                a.value(i).to_string()
            } else if let Some(a) = any.downcast_ref::<Decimal128Array>() {
                a.value_as_string(i)
            } else if let Some(a) = any.downcast_ref::<Date32Array>() {
                a.value_as_date(i).unwrap().to_string()
            } else if let Some(a) = any.downcast_ref::<TimestampMicrosecondArray>() {
                // As the instant in UTC, to check the +08:00 reading of local times.
                a.value_as_datetime(i)
                    .unwrap()
                    .format("%Y-%m-%d %H:%M:%S%.f")
                    .to_string()
            } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
                a.value(i).to_string()
            } else {
                panic!("unexpected type {:?}", col.data_type());
            };
            out.push(Some(text));
        }
    }
    out
}

pub fn strings(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some((*v).to_owned())).collect()
}

// Typed accessors, for asserting raw stored values (not their display).
pub fn decimals(batches: &[RecordBatch], name: &str) -> Vec<Option<i128>> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name(name)
                .unwrap()
                .as_primitive::<Decimal128Type>()
                .iter()
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn integers(batches: &[RecordBatch], name: &str) -> Vec<Option<i64>> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name(name)
                .unwrap()
                .as_primitive::<Int64Type>()
                .iter()
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn sm3_hex(bytes: &[u8]) -> String {
    use sm3::Digest;
    hex::encode(sm3::Sm3::digest(bytes))
}

//! What an ingest tells its caller: every bad cell by position with a reason in Chinese and
//! English, warnings about the header, counts, digests and the schema written.

use std::fmt;

use arrow::datatypes::SchemaRef;
use gongshu_domain::IdDefect;
use serde::Serialize;

use crate::format::Format;

/// Where a row sits in the source, in the terms the uploader sees when they open the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum SourcePosition {
    /// CSV or NDJSON: the 1-based line the record starts on (the header is line 1 of a CSV).
    Line(u64),
    /// XLSX: the 1-based row number Excel shows.
    ExcelRow(u32),
    /// JSON array: the 1-based index of the object in the array.
    Element(u64),
    /// Parquet: the 1-based row in the file.
    Row(u64),
}

impl fmt::Display for SourcePosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourcePosition::Line(n) => write!(f, "第{n}行 line {n}"),
            SourcePosition::ExcelRow(n) => write!(f, "第{n}行 row {n}"),
            SourcePosition::Element(n) => write!(f, "第{n}个对象 object {n}"),
            SourcePosition::Row(n) => write!(f, "第{n}行 row {n}"),
        }
    }
}

/// Why a cell (or a whole row) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellDefect {
    MissingRequired,
    BadInteger,
    IntegerOutOfRange,
    BadDecimal,
    DecimalTooManyPlaces,
    DecimalOutOfRange,
    BadDate,
    BadDateTime,
    BadBoolean,
    CitizenId(#[serde(serialize_with = "defect_code")] IdDefect),
    CreditCode(#[serde(serialize_with = "defect_code")] IdDefect),
    /// An identifier that Excel stored as a number: digits past the 15th are already lost.
    IdentifierAsNumber,
    /// The row has a different number of fields than the header (a whole-row defect).
    FieldCount {
        expected: usize,
        found: usize,
    },
    /// A text value longer than the limit on one cell (see
    /// [`crate::ExpansionLimits::cell_bytes`]).
    TooLong {
        limit: u64,
    },
}

fn defect_code<S: serde::Serializer>(d: &IdDefect, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(id_defect_code(*d))
}

fn id_defect_code(d: IdDefect) -> &'static str {
    match d {
        IdDefect::Length => "length",
        IdDefect::Alphabet => "alphabet",
        IdDefect::BirthDate => "birth_date",
        IdDefect::FutureBirthDate => "future_birth_date",
        IdDefect::Checksum => "checksum",
    }
}

impl CellDefect {
    /// A stable code for APIs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            CellDefect::MissingRequired => "missing_required",
            CellDefect::BadInteger => "bad_integer",
            CellDefect::IntegerOutOfRange => "integer_out_of_range",
            CellDefect::BadDecimal => "bad_decimal",
            CellDefect::DecimalTooManyPlaces => "decimal_too_many_places",
            CellDefect::DecimalOutOfRange => "decimal_out_of_range",
            CellDefect::BadDate => "bad_date",
            CellDefect::BadDateTime => "bad_datetime",
            CellDefect::BadBoolean => "bad_boolean",
            CellDefect::CitizenId(_) => "bad_citizen_id",
            CellDefect::CreditCode(_) => "bad_credit_code",
            CellDefect::IdentifierAsNumber => "identifier_as_number",
            CellDefect::FieldCount { .. } => "field_count",
            CellDefect::TooLong { .. } => "value_too_long",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            CellDefect::MissingRequired => "必填项为空".into(),
            CellDefect::BadInteger => "不是整数".into(),
            CellDefect::IntegerOutOfRange => "整数超出范围（64位）".into(),
            CellDefect::BadDecimal => "不是数值".into(),
            CellDefect::DecimalTooManyPlaces => {
                format!("小数位数超过{}位", crate::coerce::DECIMAL_SCALE)
            }
            CellDefect::DecimalOutOfRange => format!(
                "数值超出范围（最多{}位有效数字）",
                crate::coerce::DECIMAL_PRECISION
            ),
            CellDefect::BadDate => "不是有效日期（如 2024-03-01、2024/3/1、20240301）".into(),
            CellDefect::BadDateTime => "不是有效日期时间（如 2024-03-01 08:30:00）".into(),
            CellDefect::BadBoolean => "不是布尔值（是/否、true/false、1/0、Y/N）".into(),
            CellDefect::CitizenId(d) => format!("公民身份号码{}", d.zh()),
            CellDefect::CreditCode(d) => format!("统一社会信用代码{}", d.zh()),
            CellDefect::IdentifierAsNumber => {
                "号码在 Excel 中存为数字，已丢失精度；请将该列设为文本格式".into()
            }
            CellDefect::FieldCount { expected, found } => {
                format!("本行有{found}个字段，表头有{expected}个")
            }
            CellDefect::TooLong { limit } => format!(
                "值过长，超过单个单元格的上限（{}）",
                crate::expansion::size_text(*limit)
            ),
        }
    }

    pub fn en(&self) -> String {
        match self {
            CellDefect::MissingRequired => "a required value is empty".into(),
            CellDefect::BadInteger => "not an integer".into(),
            CellDefect::IntegerOutOfRange => "integer out of the 64-bit range".into(),
            CellDefect::BadDecimal => "not a number".into(),
            CellDefect::DecimalTooManyPlaces => format!(
                "more than {} decimal places",
                crate::coerce::DECIMAL_SCALE
            ),
            CellDefect::DecimalOutOfRange => format!(
                "number out of range (at most {} significant digits)",
                crate::coerce::DECIMAL_PRECISION
            ),
            CellDefect::BadDate => "not a valid date (e.g. 2024-03-01, 2024/3/1, 20240301)".into(),
            CellDefect::BadDateTime => {
                "not a valid date and time (e.g. 2024-03-01 08:30:00)".into()
            }
            CellDefect::BadBoolean => "not a boolean (是/否, true/false, 1/0, Y/N)".into(),
            CellDefect::CitizenId(d) => format!("citizen ID: {d}"),
            CellDefect::CreditCode(d) => format!("credit code: {d}"),
            CellDefect::IdentifierAsNumber => {
                "the identifier was stored as a number in Excel and has lost digits; format the column as text".into()
            }
            CellDefect::FieldCount { expected, found } => {
                format!("the row has {found} fields, the header {expected}")
            }
            CellDefect::TooLong { limit } => format!(
                "the value is longer than the limit of {} on one cell",
                crate::expansion::size_text(*limit)
            ),
        }
    }
}

/// One bad cell, located so the uploader can find it in the file they sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// 1-based data row (the first row after the header is 1; all-blank rows are not counted).
    pub row: u64,
    pub source: SourcePosition,
    /// The column header as written in the file; `None` for a whole-row defect.
    pub column: Option<String>,
    /// The item code the column maps to; `None` for a whole-row defect.
    pub item: Option<String>,
    /// The value as read, cut to [`VALUE_LIMIT`] characters.
    pub value: String,
    pub defect: CellDefect,
    pub zh: String,
    pub en: String,
}

/// Values in a report are cut to this many characters (with an ellipsis).
pub const VALUE_LIMIT: usize = 64;

/// Something the uploader should know that does not stop the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// A column that maps to no item; its values are ignored.
    UnknownColumn { column: String },
    /// An optional item with no column; it is stored as all null.
    ItemAbsent { item: String, name: String },
    /// The header is not the first non-blank row: the rows above it (a title, a date line)
    /// were skipped.
    RowsAboveHeader {
        skipped: u64,
        header: SourcePosition,
    },
}

impl Warning {
    pub fn zh(&self) -> String {
        match self {
            Warning::UnknownColumn { column } => format!("列“{column}”不对应任何信息项，已忽略"),
            Warning::ItemAbsent { name, .. } => format!("信息项“{name}”没有对应的列，全部为空"),
            Warning::RowsAboveHeader { skipped, header } => format!(
                "表头在{}，其上方的{skipped}行（如标题行）不是数据，已跳过",
                position_zh(header)
            ),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Warning::UnknownColumn { column } => {
                format!("column `{column}` matches no data item and is ignored")
            }
            Warning::ItemAbsent { item, .. } => {
                format!("item `{item}` has no column; it is stored as all null")
            }
            Warning::RowsAboveHeader { skipped, header } => format!(
                "the header is at {}; the {skipped} row(s) above it (a title) are not data and were skipped",
                position_en(header)
            ),
        }
    }
}

fn position_zh(at: &SourcePosition) -> String {
    match at {
        SourcePosition::Line(n) | SourcePosition::Row(n) | SourcePosition::Element(n) => {
            format!("第{n}行")
        }
        SourcePosition::ExcelRow(n) => format!("第{n}行"),
    }
}

fn position_en(at: &SourcePosition) -> String {
    match at {
        SourcePosition::Line(n) => format!("line {n}"),
        SourcePosition::ExcelRow(n) => format!("row {n}"),
        SourcePosition::Element(n) | SourcePosition::Row(n) => format!("row {n}"),
    }
}

/// A required item the source has no column for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingItem {
    pub code: String,
    pub name: String,
}

/// Reported once per batch of rows read (and once at the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Data rows read so far.
    pub rows: u64,
    /// Source bytes read so far.
    pub bytes: u64,
    /// The source length when known, for an ETA.
    pub total_bytes: Option<u64>,
}

/// The outcome of one ingest.
#[derive(Debug, Clone)]
pub struct IngestReport {
    pub format: Format,
    /// The CSV encoding used (detected or declared), by its WHATWG name (`UTF-8`, `GBK`, …).
    pub encoding: Option<&'static str>,
    /// Data rows read (all-blank rows are skipped and not counted).
    pub rows_read: u64,
    /// Rows in the Parquet output; 0 when the output was abandoned.
    pub rows_written: u64,
    /// Rows dropped into the rejects CSV (only with `drop_bad_rows`).
    pub rows_rejected: u64,
    /// Rows with at least one bad cell.
    pub bad_rows: u64,
    /// The first bad cells, at most `max_listed_errors` of them, in source order.
    pub bad_cells: Vec<CellError>,
    /// All bad cells, listed or not.
    pub bad_cells_total: u64,
    pub warnings: Vec<Warning>,
    pub source_bytes: u64,
    /// SM3 of the source bytes exactly as received, lowercase hex.
    pub source_sm3: String,
    /// True when the sink holds a complete Parquet file. False when a bad row was found and the
    /// caller did not ask to drop bad rows: then the sink holds an unfinished file (no footer) to
    /// be discarded, and the report is the only result.
    pub written: bool,
    pub parquet_bytes: u64,
    /// SM3 of the Parquet bytes written, lowercase hex; `None` when not written.
    pub parquet_sm3: Option<String>,
    /// Bytes written to the rejects CSV; 0 when no row was dropped.
    pub rejects_bytes: u64,
    /// SM3 of the rejects CSV, lowercase hex; `None` when no row was dropped (and nothing was
    /// written to the rejects writer).
    pub rejects_sm3: Option<String>,
    /// What the rows were like: per-item counts, key duplicates, the worst rows (H11, B17).
    pub quality: crate::quality::QualityReport,
    /// The schema of the Parquet output (from the items, never inferred).
    pub schema: SchemaRef,
}

//! Errors that stop an ingest as a whole. Bad cells are not errors: they are data in the
//! report. Each error has a stable code and a sentence in Chinese and English.

use std::io;

use crate::encoding::Malformed;
use crate::expansion::Expansion;
use crate::report::MissingItem;
use crate::tap::LimitExceeded;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the source is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// A compressed source expands past one of the [`crate::ExpansionLimits`] (a
    /// decompression bomb), measured before it is read into memory.
    #[error("the source expands past {}", .what.en(*.limit))]
    ExpandedTooLarge { what: Expansion, limit: u64 },
    #[error(
        "{format} compressed with {codec} is not accepted: its expanded size cannot be checked beforehand; save it with SNAPPY, ZSTD, GZIP or no compression"
    )]
    UnsupportedCompression { format: &'static str, codec: String },
    #[error("the text is not valid {encoding} at {at}")]
    Encoding { encoding: &'static str, at: String },
    #[error("the file has no header row")]
    NoHeader,
    #[error("required data items have no column: {}", list(.0))]
    MissingColumns(Vec<MissingItem>),
    /// No column of the header (or key of the first JSON object) names a data item: every
    /// row would be empty.
    #[error("no column matches a data item: the file has {}; the items are {}", quoted(.found, *.found_total), more(list(.expected), .expected.len(), *.expected_total))]
    NoMatchingColumns {
        /// The first columns found (non-blank), at most 30.
        found: Vec<String>,
        found_total: usize,
        /// The first items expected, at most 30.
        expected: Vec<MissingItem>,
        expected_total: usize,
    },
    #[error("columns `{first}` and `{second}` both map to item `{item}`")]
    DuplicateColumn {
        item: String,
        first: String,
        second: String,
    },
    #[error("the entry has no data items")]
    NoItems,
    #[error("malformed {format} at {at}: {message}")]
    Malformed {
        format: &'static str,
        at: String,
        message: String,
    },
    #[error(
        "legacy Excel 97-2003 (.xls) workbooks are not supported: save the file as .xlsx or CSV"
    )]
    LegacyExcel,
    #[error("the workbook has no sheet named `{0}`")]
    NoSuchSheet(String),
    #[error("the workbook has no sheets")]
    NoSheets,
    #[error("reading the source: {0}")]
    Io(#[source] io::Error),
    #[error("writing the output: {0}")]
    Write(#[source] io::Error),
    #[error("Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// The writer thread stopped early; its own error is reported instead when there is one.
    #[error("the output writer stopped")]
    WriterStopped,
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

fn quoted(found: &[String], total: usize) -> String {
    if found.is_empty() {
        return "no named column".into();
    }
    let listed = found
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    more(listed, found.len(), total)
}

fn more(listed: String, shown: usize, total: usize) -> String {
    if total > shown {
        format!("{listed} and {} more", total - shown)
    } else {
        listed
    }
}

fn list(items: &[MissingItem]) -> String {
    items
        .iter()
        .map(|i| format!("{} ({})", i.code, i.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn more_zh(listed: String, shown: usize, total: usize) -> String {
    if total > shown {
        format!("{listed}等{total}个")
    } else {
        listed
    }
}

impl IngestError {
    /// A stable code for the problem+json body.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::TooLarge { .. } => "source_too_large",
            IngestError::ExpandedTooLarge { .. } => "expanded_too_large",
            IngestError::UnsupportedCompression { .. } => "unsupported_compression",
            IngestError::NoMatchingColumns { .. } => "no_matching_columns",
            IngestError::Encoding { .. } => "bad_encoding",
            IngestError::NoHeader => "no_header",
            IngestError::MissingColumns(_) => "missing_columns",
            IngestError::DuplicateColumn { .. } => "duplicate_column",
            IngestError::NoItems => "no_items",
            IngestError::Malformed { .. } => "malformed_source",
            IngestError::LegacyExcel => "legacy_excel",
            IngestError::NoSuchSheet(_) => "no_such_sheet",
            IngestError::NoSheets => "no_sheets",
            IngestError::Io(_) => "source_io",
            IngestError::Write(_) => "output_io",
            IngestError::Parquet(_) | IngestError::Arrow(_) | IngestError::WriterStopped => {
                "internal"
            }
        }
    }

    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            IngestError::TooLarge { limit } => format!("文件超过大小上限（{limit}字节）"),
            IngestError::ExpandedTooLarge { what, limit } => {
                format!("文件解压后超过{}，未读取其内容", what.zh(*limit))
            }
            IngestError::UnsupportedCompression { format, codec } => format!(
                "不接受以{codec}压缩的{format}文件（无法事先核查其解压后的大小），请改用SNAPPY、ZSTD、GZIP压缩或不压缩后重新上传"
            ),
            IngestError::NoMatchingColumns {
                found,
                found_total,
                expected,
                expected_total,
            } => {
                let found_zh = if found.is_empty() {
                    "没有带列名的列".to_owned()
                } else {
                    more_zh(
                        found
                            .iter()
                            .map(|c| format!("“{c}”"))
                            .collect::<Vec<_>>()
                            .join("、"),
                        found.len(),
                        *found_total,
                    )
                };
                let expected_zh = more_zh(
                    expected
                        .iter()
                        .map(|i| format!("{}（{}）", i.name, i.code))
                        .collect::<Vec<_>>()
                        .join("、"),
                    expected.len(),
                    *expected_total,
                );
                format!(
                    "文件中没有与信息项对应的列：文件的列为{found_zh}；应为信息项名称或代码：{expected_zh}"
                )
            }
            IngestError::Encoding { encoding, at } => {
                format!("文件内容不是有效的{encoding}编码（{at}）")
            }
            IngestError::NoHeader => "文件没有表头行".into(),
            IngestError::MissingColumns(items) => format!(
                "缺少必填信息项的列：{}",
                items
                    .iter()
                    .map(|i| format!("{}（{}）", i.name, i.code))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            IngestError::DuplicateColumn {
                item,
                first,
                second,
            } => format!("列“{first}”和“{second}”对应同一信息项 {item}"),
            IngestError::NoItems => "数据目录没有信息项".into(),
            IngestError::Malformed {
                format,
                at,
                message,
            } => {
                format!("{format}格式错误（{at}）：{message}")
            }
            IngestError::LegacyExcel => {
                "不支持 Excel 97-2003（.xls）格式，请另存为 .xlsx 或 CSV".into()
            }
            IngestError::NoSuchSheet(name) => format!("工作簿中没有名为“{name}”的工作表"),
            IngestError::NoSheets => "工作簿中没有工作表".into(),
            IngestError::Io(e) => format!("读取文件失败：{e}"),
            IngestError::Write(e) => format!("写入失败：{e}"),
            IngestError::Parquet(_) | IngestError::Arrow(_) | IngestError::WriterStopped => {
                "内部错误".into()
            }
        }
    }

    /// The limit a source passed, for an expansion refusal.
    pub fn expansion(&self) -> Option<(Expansion, u64)> {
        match self {
            IngestError::ExpandedTooLarge { what, limit } => Some((*what, *limit)),
            _ => None,
        }
    }

    /// Maps an I/O error met while reading the source: the size limit and malformed text come
    /// back out of the `io::Error` they travelled in.
    pub(crate) fn reading(e: io::Error) -> Self {
        if let Some(inner) = e.get_ref() {
            if let Some(limit) = inner.downcast_ref::<LimitExceeded>() {
                return IngestError::TooLarge { limit: limit.limit };
            }
            if let Some(m) = inner.downcast_ref::<Malformed>() {
                return IngestError::Encoding {
                    encoding: m.encoding,
                    at: format!("byte {}", m.offset),
                };
            }
        }
        IngestError::Io(e)
    }
}

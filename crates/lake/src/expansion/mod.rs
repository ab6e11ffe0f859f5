//! Limits on how far a source may expand (decompression bombs; issue 11 item 3). A small
//! compressed file can stand for an enormous one: a 1 MB workbook whose shared strings expand
//! to 1 GiB, a Parquet page whose header promises 2 GiB, a dictionary value repeated through a
//! run-length code. Nothing here trusts a size a file *declares* (ZIP headers, Parquet
//! metadata, attribute counts): the real expanded size is measured with constant memory,
//! before calamine or the Parquet reader holds anything, and a file past a limit is refused
//! with the limit it passed.
//!
//! - [`workbook`]: every part of an XLSX workbook is stream-decompressed once through a
//!   counting reader; the shared-string table's entries are counted on the way.
//! - [`parquet`]: every page of the columns read is walked before decoding; its declared
//!   sizes are checked against the limits and the real expansion of codecs whose output the
//!   Parquet reader does not bound is measured. The reader is then only allowed to fetch the
//!   pages the walk checked.
//! - The pipeline caps what any source (whatever its compression) can expand into through
//!   references: each text cell, and the text of all cells together.

pub(crate) mod parquet;
pub mod workbook;

use serde::Serialize;

/// How far a source may expand. `Default` gives the platform's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpansionLimits {
    /// All parts of an XLSX workbook together, expanded. Default 512 MiB: a full worksheet of
    /// Excel's 1,048,576 rows by ten columns is about that much XML, five times the largest
    /// workbook accepted (100 MiB compressed).
    pub workbook_bytes: u64,
    /// Parts in one workbook (a ZIP of many tiny entries costs memory per entry). Default
    /// 10,000; Excel writes a few dozen.
    pub workbook_parts: u64,
    /// Entries in the shared-string table, which calamine holds in memory whole. Default
    /// 1,000,000: the distinct texts of a full worksheet column.
    pub shared_strings: u64,
    /// The shared-string part, expanded (an upper bound of the text it holds). Default
    /// 256 MiB, so the table in memory stays well under half a gigabyte.
    pub shared_string_bytes: u64,
    /// One Parquet page, expanded, as its header declares it (the reader allocates that much
    /// at once) and as it really decompresses. Default 64 MiB: writers cut pages at 1 MiB and
    /// dictionaries at 1 MiB, so sixty-four times the usual size still reads.
    pub parquet_page_bytes: u64,
    /// The pages of all columns read from one Parquet file together, expanded; also the
    /// largest footer (metadata) accepted. Default 16 GiB: eight times the largest upload,
    /// past any real compression ratio.
    pub parquet_bytes: u64,
    /// One text cell, in bytes, once shared strings and dictionaries are resolved; a longer
    /// value is a bad cell. Default 1 MiB, thirty times Excel's own cell limit (32,767
    /// characters).
    pub cell_bytes: u64,
    /// The text of all cells read from one source together (a shared string or a dictionary
    /// value repeated in a million rows is a million copies). Default 16 GiB, as
    /// `parquet_bytes`.
    pub cell_text_bytes: u64,
}

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

impl Default for ExpansionLimits {
    fn default() -> Self {
        Self {
            workbook_bytes: 512 * MIB,
            workbook_parts: 10_000,
            shared_strings: 1_000_000,
            shared_string_bytes: 256 * MIB,
            parquet_page_bytes: 64 * MIB,
            parquet_bytes: 16 * GIB,
            cell_bytes: MIB,
            cell_text_bytes: 16 * GIB,
        }
    }
}

/// Which expansion limit a source passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expansion {
    WorkbookBytes,
    WorkbookParts,
    SharedStrings,
    SharedStringBytes,
    ParquetPageBytes,
    ParquetBytes,
    CellTextBytes,
}

impl Expansion {
    /// A stable code for APIs.
    pub fn code(self) -> &'static str {
        match self {
            Expansion::WorkbookBytes => "workbook_bytes",
            Expansion::WorkbookParts => "workbook_parts",
            Expansion::SharedStrings => "shared_strings",
            Expansion::SharedStringBytes => "shared_string_bytes",
            Expansion::ParquetPageBytes => "parquet_page_bytes",
            Expansion::ParquetBytes => "parquet_bytes",
            Expansion::CellTextBytes => "cell_text_bytes",
        }
    }

    fn is_count(self) -> bool {
        matches!(self, Expansion::WorkbookParts | Expansion::SharedStrings)
    }

    /// The limit in Chinese, e.g. `工作簿解压后的总大小上限（512 MiB）`.
    pub fn zh(self, limit: u64) -> String {
        let what = match self {
            Expansion::WorkbookBytes => "工作簿解压后的总大小",
            Expansion::WorkbookParts => "工作簿内部件的数量",
            Expansion::SharedStrings => "工作簿共享字符串的条数",
            Expansion::SharedStringBytes => "工作簿共享字符串解压后的大小",
            Expansion::ParquetPageBytes => "Parquet 单个数据页解压后的大小",
            Expansion::ParquetBytes => "Parquet 文件解压后的总大小",
            Expansion::CellTextBytes => "全部单元格文本的总大小",
        };
        if self.is_count() {
            format!("{what}上限（{limit}）")
        } else {
            format!("{what}上限（{}）", size_text(limit))
        }
    }

    /// The limit in English, e.g. `the limit of 512 MiB on a workbook's expanded size`.
    pub fn en(self, limit: u64) -> String {
        let what = match self {
            Expansion::WorkbookBytes => "a workbook's expanded size",
            Expansion::WorkbookParts => "the parts in a workbook",
            Expansion::SharedStrings => "a workbook's shared strings",
            Expansion::SharedStringBytes => "a workbook's expanded shared-string table",
            Expansion::ParquetPageBytes => "one expanded Parquet page",
            Expansion::ParquetBytes => "a Parquet file's expanded size",
            Expansion::CellTextBytes => "the text of all cells together",
        };
        if self.is_count() {
            format!("the limit of {limit} on {what}")
        } else {
            format!("the limit of {} on {what}", size_text(limit))
        }
    }
}

/// A size as people read it: `512 MiB`, `16 GiB`, or the bytes when not a round unit.
pub(crate) fn size_text(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(GIB, "GiB"), (MIB, "MiB"), (1024, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_named_with_their_value() {
        let zh = Expansion::WorkbookBytes.zh(512 * MIB);
        assert_eq!(zh, "工作簿解压后的总大小上限（512 MiB）");
        assert_eq!(
            Expansion::SharedStrings.en(1_000_000),
            "the limit of 1000000 on a workbook's shared strings"
        );
        assert_eq!(size_text(1536), "1536 bytes");
    }
}

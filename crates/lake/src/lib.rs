//! The data plane of Gongshu (公数). This first piece is **ingest**: it turns one agency file —
//! CSV in whatever encoding it came in (UTF-8, UTF-8 with BOM, GBK/GB18030, …), XLSX, a JSON
//! array, NDJSON or Parquet — into one typed Parquet file whose columns are exactly the entry's
//! data items, streaming, with every bad cell reported by position. The finished file is
//! handed to the lake's [`storage`] (`object_store`: a local directory or an S3-compatible
//! bucket); manifests are the store's, queries the engine's.
//!
//! Memory stays bounded whatever the file's size: rows are coerced in batches (8,192 by
//! default) on the calling thread while a second thread encodes, writes and hashes the Parquet
//! output (a bounded channel between them) and a third hashes the source with SM3. XLSX and
//! Parquet sources are spooled to a temporary file first, as both need to seek.
//!
//! While the rows stream past, their quality is tallied too (H11, B17): filled and invalid
//! cells per item, violations of the owner's rules, duplicates of the declared key (as 64-bit
//! hashes), and the worst rows, so a version is scored without reading it again.
//!
//! A compressed source (XLSX, Parquet) is measured before it is read: what it really expands
//! to, never what it declares, is held to [`ExpansionLimits`], and so is what any source
//! expands into through references (a shared string or a dictionary value in every row).
//!
//! The schema always comes from the items, never from the data: an all-digit citizen-ID column
//! is a string, money is a decimal, and no value goes through a float on its way in.
#![forbid(unsafe_code)]

mod coerce;
mod columns;
mod encoding;
mod error;
mod expansion;
mod format;
mod ingest;
mod pipeline;
mod quality;
mod readers;
mod report;
mod schema;
pub mod storage;
mod tap;
mod writer;

pub use coerce::{DECIMAL_PRECISION, DECIMAL_SCALE, TIMEZONE};
pub use error::IngestError;
pub use expansion::workbook::{WorkbookSize, check_workbook};
pub use expansion::{Expansion, ExpansionLimits};
pub use format::{Format, FormatChoice};
pub use ingest::{IngestOptions, Source, ingest};
pub use quality::{ItemQuality, ItemRule, QualityReport, RowProblem, WORST_ROWS, WorstRow};
pub use report::{
    CellDefect, CellError, IngestReport, MissingItem, Progress, SourcePosition, Warning,
};
pub use schema::{ItemSpec, arrow_schema};

//! The entry point: one source, the entry's items, options → one Parquet file, a rejects CSV
//! and a report.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use chrono::NaiveDate;
use encoding_rs::Encoding;

use crate::coerce::Coercer;
use crate::encoding::PREFIX_BYTES;
use crate::error::IngestError;
use crate::expansion::ExpansionLimits;
use crate::format::{Format, FormatChoice};
use crate::pipeline::Settings;
use crate::quality::{ItemRule, QualityTally};
use crate::readers::{self, Input, Start};
use crate::report::{IngestReport, Progress};
use crate::schema::{ItemSpec, arrow_schema};
use crate::tap::{SourceTap, TapState, hash_chunks};
use crate::writer::{IN_FLIGHT, write_parquet};

/// A source file: a byte stream, its format (declared or to be sniffed) and its length if
/// known.
pub struct Source<R> {
    pub reader: R,
    pub format: FormatChoice,
    /// The length when known (a file's size, a `Content-Length`): a source over the limit is
    /// then refused before a byte is read.
    pub len: Option<u64>,
}

impl<R: Read> Source<R> {
    /// A source whose format will be sniffed.
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            format: FormatChoice::Sniff,
            len: None,
        }
    }

    pub fn with_format(mut self, format: Format) -> Self {
        self.format = FormatChoice::Declared(format);
        self
    }

    pub fn with_len(mut self, len: u64) -> Self {
        self.len = Some(len);
        self
    }
}

/// How an ingest behaves. `Default` gives the platform's defaults.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Drop rows with a bad cell into the rejects CSV and write the rest. When false (the
    /// default) any bad row means no Parquet output, only the report.
    pub drop_bad_rows: bool,
    /// Refuse a source larger than this many bytes (before reading when its length is known,
    /// otherwise as soon as it is exceeded). `None`: no limit.
    pub max_source_bytes: Option<u64>,
    /// The limit for XLSX, which is stricter: a workbook is a ZIP that calamine opens with its
    /// shared-string table in memory (the sheet itself is streamed cell by cell from a spooled
    /// copy), and a small ZIP can expand a lot. Default 100 MiB.
    pub max_xlsx_bytes: u64,
    /// Rows per Arrow batch (and per progress report). Default 8,192.
    pub batch_rows: usize,
    /// Rows per Parquet row group. Default 1,048,576 (parquet-rs' default); the writer holds
    /// one encoded row group in memory.
    pub row_group_rows: usize,
    /// How many bad cells the report lists; all are counted. Default 1,000.
    pub max_listed_errors: usize,
    /// The CSV encoding by WHATWG label (`"gbk"`, `"utf-8"`, …) when the uploader declares it;
    /// `None` (the default) detects it.
    pub encoding: Option<String>,
    /// The CSV field delimiter. Default `,`.
    pub delimiter: u8,
    /// The date citizen-ID birth dates are checked against; `None` is today in China.
    pub today: Option<NaiveDate>,
    /// Where Parquet and XLSX sources are spooled (both need random access); `None` is the
    /// system temp directory.
    pub temp_dir: Option<PathBuf>,
    /// The owner's quality rules (H11), checked and counted while the rows stream past; they
    /// never refuse a row, they score it. Default none.
    pub quality_rules: Vec<ItemRule>,
    /// How far a compressed source may expand, and a text cell be long (issue 11 item 3).
    pub expansion: ExpansionLimits,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            drop_bad_rows: false,
            max_source_bytes: None,
            max_xlsx_bytes: 100 * 1024 * 1024,
            batch_rows: 8192,
            row_group_rows: 1024 * 1024,
            max_listed_errors: 1000,
            encoding: None,
            delimiter: b',',
            today: None,
            temp_dir: None,
            quality_rules: Vec::new(),
            expansion: ExpansionLimits::default(),
        }
    }
}

/// Ingests one source into one Parquet file written to `output`, with one column per item (see
/// [`arrow_schema`]). Rows dropped for bad cells (only with `drop_bad_rows`) go to `rejects` as
/// a CSV (UTF-8 with a byte-order mark, so Excel shows the Chinese) with the row, its source
/// position and the reasons; nothing at all is written there when no row is dropped. `progress` is called once per batch of rows read and once at the end.
///
/// Bad cells do not make this an `Err`: they are in the report, and `report.written` tells
/// whether `output` holds a complete file. An `Err` means the source as a whole could not be
/// read (too large or expanding past a limit, undecodable, no header, a header that names no
/// item or lacks a required one, malformed).
pub fn ingest<R: Read, W: Write + Send, J: Write>(
    source: Source<R>,
    items: &[ItemSpec],
    options: &IngestOptions,
    output: W,
    rejects: J,
    mut progress: impl FnMut(Progress),
) -> Result<IngestReport, IngestError> {
    if items.is_empty() {
        return Err(IngestError::NoItems);
    }
    if let (Some(len), Some(limit)) = (source.len, options.max_source_bytes)
        && len > limit
    {
        return Err(IngestError::TooLarge { limit });
    }
    if let (Some(len), FormatChoice::Declared(Format::Xlsx { .. })) = (source.len, &source.format)
        && len > options.max_xlsx_bytes
    {
        return Err(IngestError::TooLarge {
            limit: options.max_xlsx_bytes,
        });
    }
    let encoding = match &options.encoding {
        Some(label) => Some(Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            IngestError::Encoding {
                encoding: "unknown",
                at: format!("declared label `{label}`"),
            }
        })?),
        None => None,
    };
    let (mut tap, state, chunks) = SourceTap::new(source.reader, options.max_source_bytes);
    let today = options
        .today
        .unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive());
    let schema = arrow_schema(items);
    // Three threads: this one reads and coerces; one hashes the source; one encodes, writes
    // and hashes the Parquet output.
    std::thread::scope(|scope| {
        // Whatever happens below, even a panic, the hashing thread must see its channel close,
        // or the scope would wait for it forever.
        let closer = CloseOnDrop(&state);
        let hasher = std::thread::Builder::new()
            .name("lake-sm3".into())
            .spawn_scoped(scope, move || hash_chunks(chunks))
            .map_err(IngestError::Io)?;
        let (batches, received) = sync_channel(IN_FLIGHT);
        let writer_schema = Arc::clone(&schema);
        let row_group_rows = options.row_group_rows;
        let writer = std::thread::Builder::new()
            .name("lake-parquet".into())
            .spawn_scoped(scope, move || {
                write_parquet(received, output, writer_schema, row_group_rows)
            })
            .map_err(IngestError::Io)?;

        let read = (|| {
            let prefix = read_prefix(&mut tap).map_err(IngestError::reading)?;
            let complete = prefix.len() < PREFIX_BYTES;
            // An OLE compound file is a legacy .xls workbook (or another Office 97 file).
            if prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
                return Err(IngestError::LegacyExcel);
            }
            let format = match source.format {
                FormatChoice::Declared(format) => format,
                FormatChoice::Sniff => Format::sniff(&prefix),
            };
            let start = Start {
                items,
                settings: Settings {
                    batch_rows: options.batch_rows.max(1),
                    max_listed: options.max_listed_errors,
                    drop_bad_rows: options.drop_bad_rows,
                    coercer: Coercer { today },
                    total_bytes: source.len,
                    quality: QualityTally::new(items, &options.quality_rules),
                    cell_bytes: options.expansion.cell_bytes,
                    cell_text_bytes: options.expansion.cell_text_bytes,
                },
                writer: batches,
                rejects,
                progress: &mut progress,
                tap: Rc::clone(&state),
            };
            let input = Input {
                prefix,
                complete,
                rest: tap,
            };
            let temp_dir = options.temp_dir.as_deref();
            let (outcome, encoding) = match &format {
                Format::Csv => readers::csv::read(input, encoding, options.delimiter, start)?,
                Format::Xlsx { sheet } => (
                    readers::xlsx::read(
                        input,
                        sheet.as_deref(),
                        options.max_xlsx_bytes,
                        &options.expansion,
                        temp_dir,
                        start,
                    )?,
                    None,
                ),
                Format::JsonArray => (readers::json::read_array(input, start)?, None),
                Format::Ndjson => (readers::json::read_lines(input, start)?, None),
                Format::Parquet => (
                    readers::parquet::read(input, &options.expansion, temp_dir, start)?,
                    None,
                ),
            };
            Ok((format, outcome, encoding))
        })();
        drop(closer);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let source_sm3 = hasher
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let (format, outcome, encoding) = match read {
            // The writer's own error says why it stopped.
            Err(IngestError::WriterStopped) => {
                return Err(written.err().unwrap_or(IngestError::WriterStopped));
            }
            Err(e) => return Err(too_large_or(&state, e)),
            Ok(read) => read,
        };
        let parquet = if outcome.committed { written? } else { None };
        let source_bytes = state.borrow().bytes;
        Ok(IngestReport {
            format,
            encoding,
            rows_read: outcome.rows_read,
            rows_written: if parquet.is_some() {
                outcome.rows_written
            } else {
                0
            },
            rows_rejected: outcome.rows_rejected,
            bad_rows: outcome.bad_rows,
            bad_cells: outcome.bad_cells,
            bad_cells_total: outcome.bad_cells_total,
            warnings: outcome.warnings,
            source_bytes,
            source_sm3,
            written: parquet.is_some(),
            parquet_bytes: parquet.as_ref().map_or(0, |p| p.0),
            parquet_sm3: parquet.map(|p| p.1),
            rejects_bytes: outcome.rejects.as_ref().map_or(0, |r| r.0),
            rejects_sm3: outcome.rejects.map(|r| r.1),
            quality: outcome.quality,
            schema,
        })
    })
}

struct CloseOnDrop<'s>(&'s Rc<RefCell<TapState>>);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.borrow_mut().close();
    }
}

/// Whatever went wrong, a source past its limit is reported as that.
fn too_large_or(state: &Rc<RefCell<TapState>>, e: IngestError) -> IngestError {
    let state = state.borrow();
    match (state.exceeded, state.limit) {
        (true, Some(limit)) => IngestError::TooLarge { limit },
        _ => e,
    }
}

fn read_prefix(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(PREFIX_BYTES);
    reader.take(PREFIX_BYTES as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

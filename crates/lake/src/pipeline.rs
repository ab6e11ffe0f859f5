//! The part of ingest every format shares: rows in, typed batches out. A reader hands over one
//! row at a time; the pipeline coerces each item's cell, records bad cells, routes bad rows to
//! the rejects CSV (or abandons the output), and writes a Parquet row group batch by batch, so
//! memory holds one batch plus the writer's open row group, whatever the file's size. The
//! rejects CSV is UTF-8 with a byte-order mark and is hashed with SM3 as it is written.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use gongshu_domain::catalog::DataType;
use std::sync::mpsc::SyncSender;

use crate::coerce::{Cell, Coercer, DECIMAL_PRECISION, DECIMAL_SCALE, TIMEZONE, Value};
use crate::error::IngestError;
use crate::expansion::Expansion;
use crate::quality::{QualityReport, QualityTally};
use crate::report::{CellDefect, CellError, Progress, SourcePosition, VALUE_LIMIT, Warning};
use crate::schema::ItemSpec;
use crate::tap::{DigestWriter, TapState};
use crate::writer::Message;

/// One source row as the pipeline sees it: a cell per item.
pub(crate) trait Row {
    /// The cell feeding `item`; `Cell::Blank` when the item has no column or the row is short.
    fn cell(&self, item: usize) -> Cell<'_>;
}

/// Settings the pipeline needs from the caller's options.
pub(crate) struct Settings {
    pub(crate) batch_rows: usize,
    pub(crate) max_listed: usize,
    pub(crate) drop_bad_rows: bool,
    pub(crate) coercer: Coercer,
    pub(crate) total_bytes: Option<u64>,
    /// The quality tally, counted as rows pass (H11, B17).
    pub(crate) quality: QualityTally,
    /// The longest text cell, in bytes; a longer one is a bad cell.
    pub(crate) cell_bytes: u64,
    /// The text of all cells together, in bytes; past it the source is refused.
    pub(crate) cell_text_bytes: u64,
}

/// A batch is sent to the writer once its text reaches this many bytes, whatever its row
/// count, so long values repeated in many rows never pile up in one batch.
const BATCH_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// What the pipeline produced, for the report.
pub(crate) struct Outcome {
    pub(crate) rows_read: u64,
    pub(crate) rows_written: u64,
    pub(crate) rows_rejected: u64,
    pub(crate) bad_rows: u64,
    pub(crate) bad_cells: Vec<CellError>,
    pub(crate) bad_cells_total: u64,
    pub(crate) warnings: Vec<Warning>,
    /// The writer was told to finish the file (no bad row, or bad rows dropped).
    pub(crate) committed: bool,
    /// Bytes and SM3 of the rejects CSV, when a row was dropped into it.
    pub(crate) rejects: Option<(u64, String)>,
    pub(crate) quality: QualityReport,
}

/// The UTF-8 byte-order mark the rejects CSV starts with.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) struct Pipeline<'a, J: Write> {
    items: &'a [ItemSpec],
    /// The header each item was read from, for reports and the rejects file.
    headers: Vec<Option<String>>,
    settings: Settings,
    schema: SchemaRef,
    builders: Vec<ColumnBuilder>,
    in_batch: usize,
    /// Text bytes in the current batch.
    in_batch_bytes: u64,
    /// Text bytes of all cells read so far.
    text_bytes: u64,
    /// The channel to the writer thread; `None` once the output is abandoned.
    writer: Option<SyncSender<Message>>,
    /// The caller's rejects writer until the first row is dropped; then the CSV writer over it.
    rejects_sink: Option<J>,
    rejects: Option<csv::Writer<DigestWriter<J>>>,
    progress: &'a mut dyn FnMut(Progress),
    tap: Rc<RefCell<TapState>>,
    defects: Vec<(Option<usize>, CellDefect)>,
    /// The coerced values of the current row: the allocation is reused from row to row.
    values: Vec<Value<'static>>,
    rows_read: u64,
    rows_written: u64,
    rows_rejected: u64,
    bad_rows: u64,
    bad_cells: Vec<CellError>,
    bad_cells_total: u64,
    pub(crate) warnings: Vec<Warning>,
}

impl<'a, J: Write> Pipeline<'a, J> {
    #[expect(
        clippy::too_many_arguments,
        reason = "one constructor, called from one place"
    )]
    pub(crate) fn new(
        items: &'a [ItemSpec],
        headers: Vec<Option<String>>,
        warnings: Vec<Warning>,
        settings: Settings,
        writer: SyncSender<Message>,
        rejects: J,
        progress: &'a mut dyn FnMut(Progress),
        tap: Rc<RefCell<TapState>>,
    ) -> Self {
        let schema = crate::schema::arrow_schema(items);
        let builders = items
            .iter()
            .map(|i| ColumnBuilder::new(i.data_type, settings.batch_rows))
            .collect();
        Self {
            items,
            headers,
            settings,
            schema,
            builders,
            in_batch: 0,
            in_batch_bytes: 0,
            text_bytes: 0,
            writer: Some(writer),
            rejects_sink: Some(rejects),
            rejects: None,
            progress,
            tap,
            defects: Vec::new(),
            values: Vec::with_capacity(items.len()),
            rows_read: 0,
            rows_written: 0,
            rows_rejected: 0,
            bad_rows: 0,
            bad_cells: Vec::new(),
            bad_cells_total: 0,
            warnings,
        }
    }

    /// Takes one data row. `row_defect` is a defect of the row as a whole (a wrong field count).
    pub(crate) fn push(
        &mut self,
        row: &impl Row,
        at: SourcePosition,
        row_defect: Option<CellDefect>,
    ) -> Result<(), IngestError> {
        self.rows_read += 1;
        self.defects.clear();
        if let Some(defect) = row_defect {
            self.defects.push((None, defect));
        }
        let writing = self.writer.is_some();
        let items = self.items;
        let coercer = self.settings.coercer;
        // Every cell is coerced even when the output is abandoned: the quality tally and the
        // bad-cell report count them all. A cell that failed is `Null` here.
        let mut values = recycle(std::mem::take(&mut self.values));
        let mut row_bytes = 0u64;
        for (i, item) in items.iter().enumerate() {
            let cell = row.cell(i);
            if let Cell::Text(text) = cell {
                let n = text.len() as u64;
                row_bytes += n;
                if n > self.settings.cell_bytes {
                    self.defects.push((
                        Some(i),
                        CellDefect::TooLong {
                            limit: self.settings.cell_bytes,
                        },
                    ));
                    values.push(Value::Null);
                    continue;
                }
            }
            match coercer.coerce(item.data_type, cell) {
                Ok(Value::Null) if item.required => {
                    self.defects.push((Some(i), CellDefect::MissingRequired));
                    values.push(Value::Null);
                }
                Ok(value) => values.push(value),
                Err(defect) => {
                    self.defects.push((Some(i), defect));
                    values.push(Value::Null);
                }
            }
        }
        self.text_bytes += row_bytes;
        if self.text_bytes > self.settings.cell_text_bytes {
            return Err(IngestError::ExpandedTooLarge {
                what: Expansion::CellTextBytes,
                limit: self.settings.cell_text_bytes,
            });
        }
        self.settings
            .quality
            .observe(items, &values, &self.defects, self.rows_read, at);
        let bad = !self.defects.is_empty();
        if !bad && writing {
            for (builder, value) in self.builders.iter_mut().zip(&values) {
                builder.append(value);
            }
        }
        self.values = recycle(values);
        if bad {
            self.bad_row(row, at)?;
        } else if writing {
            self.in_batch += 1;
            self.in_batch_bytes += row_bytes;
            if self.in_batch >= self.settings.batch_rows || self.in_batch_bytes >= BATCH_TEXT_BYTES
            {
                self.flush()?;
            }
        }
        if self
            .rows_read
            .is_multiple_of(self.settings.batch_rows as u64)
        {
            self.report_progress();
        }
        Ok(())
    }

    fn bad_row(&mut self, row: &impl Row, at: SourcePosition) -> Result<(), IngestError> {
        self.bad_rows += 1;
        self.bad_cells_total += self.defects.len() as u64;
        for &(item, defect) in &self.defects {
            if self.bad_cells.len() >= self.settings.max_listed {
                break;
            }
            let (column, code, value) = match item {
                Some(i) => (
                    Some(self.header(i).to_owned()),
                    Some(self.items[i].code.clone()),
                    truncate(&row.cell(i).text()),
                ),
                None => (None, None, String::new()),
            };
            self.bad_cells.push(CellError {
                row: self.rows_read,
                source: at,
                column,
                item: code,
                value,
                defect,
                zh: defect.zh(),
                en: defect.en(),
            });
        }
        if self.settings.drop_bad_rows {
            self.rows_rejected += 1;
            self.write_reject(row, at)
        } else {
            // The file will not be committed: stop writing and only keep counting.
            self.writer = None;
            for builder in &mut self.builders {
                builder.finish();
            }
            self.in_batch = 0;
            self.in_batch_bytes = 0;
            Ok(())
        }
    }

    fn header(&self, item: usize) -> &str {
        self.headers[item]
            .as_deref()
            .unwrap_or(&self.items[item].code)
    }

    fn write_reject(&mut self, row: &impl Row, at: SourcePosition) -> Result<(), IngestError> {
        let reason = self
            .defects
            .iter()
            .map(|&(item, d)| match item {
                Some(i) => format!("{}：{} / {}", self.header(i), d.zh(), d.en()),
                None => format!("{} / {}", d.zh(), d.en()),
            })
            .collect::<Vec<_>>()
            .join("；");
        let columns: Vec<usize> = (0..self.items.len())
            .filter(|&i| self.headers[i].is_some())
            .collect();
        if let Some(sink) = self.rejects_sink.take() {
            // A byte-order mark first, so Excel opens the file as UTF-8 rather than in the
            // system's ANSI code page (GBK on Chinese Windows) and shows the Chinese intact.
            let mut sink = DigestWriter::new(sink);
            sink.write_all(UTF8_BOM).map_err(IngestError::Write)?;
            let out = self.rejects.insert(csv::Writer::from_writer(sink));
            let mut header = vec![
                "数据行号 row".to_owned(),
                "源位置 source".to_owned(),
                "错误原因 reason".to_owned(),
            ];
            header.extend(
                columns
                    .iter()
                    .map(|&i| self.headers[i].clone().unwrap_or_default()),
            );
            out.write_record(&header).map_err(rejects_error)?;
        }
        let Some(out) = self.rejects.as_mut() else {
            return Ok(());
        };
        let mut record = vec![self.rows_read.to_string(), at.to_string(), reason];
        record.extend(columns.iter().map(|&i| row.cell(i).text().into_owned()));
        out.write_record(&record).map_err(rejects_error)
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        if self.in_batch == 0 {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let columns: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(ColumnBuilder::finish)
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns)?;
        writer
            .send(Message::Batch(batch))
            .map_err(|_| IngestError::WriterStopped)?;
        self.rows_written += self.in_batch as u64;
        self.in_batch = 0;
        self.in_batch_bytes = 0;
        Ok(())
    }

    fn report_progress(&mut self) {
        let bytes = self.tap.borrow().bytes;
        (self.progress)(Progress {
            rows: self.rows_read,
            bytes,
            total_bytes: self.settings.total_bytes,
        });
    }

    pub(crate) fn finish(mut self) -> Result<Outcome, IngestError> {
        self.flush()?;
        self.report_progress();
        let committed = match self.writer.take() {
            Some(writer) => {
                writer
                    .send(Message::Finish)
                    .map_err(|_| IngestError::WriterStopped)?;
                true
            }
            None => false,
        };
        let mut rejects = None;
        if let Some(out) = self.rejects.take() {
            let mut out = out
                .into_inner()
                .map_err(|e| IngestError::Write(e.into_error()))?;
            out.flush().map_err(IngestError::Write)?;
            rejects = Some(out.finish());
        }
        Ok(Outcome {
            rows_read: self.rows_read,
            rows_written: if committed { self.rows_written } else { 0 },
            rows_rejected: self.rows_rejected,
            bad_rows: self.bad_rows,
            bad_cells: self.bad_cells,
            bad_cells_total: self.bad_cells_total,
            warnings: self.warnings,
            committed,
            rejects,
            quality: self.settings.quality.finish(),
        })
    }
}

/// An emptied vector of values, keeping its allocation, for values of another lifetime: the
/// per-row buffer outlives the rows its values borrow from. (A `map` to the same layout is
/// collected in place, so no new allocation is made.)
fn recycle<'b>(mut values: Vec<Value<'_>>) -> Vec<Value<'b>> {
    values.clear();
    values.into_iter().map(|_| Value::Null).collect()
}

fn rejects_error(e: csv::Error) -> IngestError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => IngestError::Write(e),
        other => IngestError::Write(std::io::Error::other(format!("{other:?}"))),
    }
}

fn truncate(value: &str) -> String {
    match value.char_indices().nth(VALUE_LIMIT) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// An Arrow builder for one item's column.
enum ColumnBuilder {
    Str(StringBuilder),
    Int(Int64Builder),
    Dec(Decimal128Builder),
    Date(Date32Builder),
    Ts(TimestampMicrosecondBuilder),
    Bool(BooleanBuilder),
}

impl ColumnBuilder {
    fn new(data_type: DataType, rows: usize) -> Self {
        match data_type {
            DataType::Text | DataType::CitizenId | DataType::CreditCode => {
                ColumnBuilder::Str(StringBuilder::with_capacity(rows, rows * 16))
            }
            DataType::Integer => ColumnBuilder::Int(Int64Builder::with_capacity(rows)),
            DataType::Decimal => ColumnBuilder::Dec(
                Decimal128Builder::with_capacity(rows)
                    .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)
                    .expect("constant precision and scale are valid"),
            ),
            DataType::Date => ColumnBuilder::Date(Date32Builder::with_capacity(rows)),
            DataType::DateTime => ColumnBuilder::Ts(
                TimestampMicrosecondBuilder::with_capacity(rows).with_timezone(TIMEZONE),
            ),
            DataType::Boolean => ColumnBuilder::Bool(BooleanBuilder::with_capacity(rows)),
        }
    }

    /// Appends a value coerced for this column's type (a `Null` to any column).
    fn append(&mut self, value: &Value<'_>) {
        match (self, value) {
            (ColumnBuilder::Str(b), Value::Str(s)) => b.append_value(s),
            (ColumnBuilder::Int(b), Value::Int(v)) => b.append_value(*v),
            (ColumnBuilder::Dec(b), Value::Dec(v)) => b.append_value(*v),
            (ColumnBuilder::Date(b), Value::Date(v)) => b.append_value(*v),
            (ColumnBuilder::Ts(b), Value::Ts(v)) => b.append_value(*v),
            (ColumnBuilder::Bool(b), Value::Bool(v)) => b.append_value(*v),
            (builder, value) => {
                debug_assert!(matches!(value, Value::Null), "coerced to the wrong type");
                builder.append_null();
            }
        }
    }

    fn append_null(&mut self) {
        match self {
            ColumnBuilder::Str(b) => b.append_null(),
            ColumnBuilder::Int(b) => b.append_null(),
            ColumnBuilder::Dec(b) => b.append_null(),
            ColumnBuilder::Date(b) => b.append_null(),
            ColumnBuilder::Ts(b) => b.append_null(),
            ColumnBuilder::Bool(b) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Str(b) => Arc::new(b.finish()),
            ColumnBuilder::Int(b) => Arc::new(b.finish()),
            ColumnBuilder::Dec(b) => Arc::new(b.finish()),
            ColumnBuilder::Date(b) => Arc::new(b.finish()),
            ColumnBuilder::Ts(b) => Arc::new(b.finish()),
            ColumnBuilder::Bool(b) => Arc::new(b.finish()),
        }
    }
}

//! Result encodings. Every format but XLSX is produced batch by batch as the engine yields
//! them, so an export of any size flows through in bounded memory; XLSX is written row by row
//! to a temporary file (the library's constant-memory mode) and then sent.

use std::io::{Read, Write};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::batches::Batches;
use crate::error::QueryError;

/// The formats a result can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.
    Csv,
    /// CSV in GBK, the code page older Excel and most Chinese office software assume for a
    /// CSV without a byte-order mark. A character GBK lacks (some rare characters of names,
    /// emoji) is written as an HTML numeric character reference (`&#NNNNN;`), as the WHATWG
    /// encoder does, so it is visibly kept rather than silently dropped.
    CsvGbk,
    Xlsx,
    Parquet,
}

/// The most data rows an XLSX sheet holds (one row is the header).
pub const XLSX_MAX_ROWS: usize = 1_048_575;

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "json" => Self::Json,
            "ndjson" => Self::Ndjson,
            "csv" => Self::Csv,
            "csv_gbk" => Self::CsvGbk,
            "xlsx" => Self::Xlsx,
            "parquet" => Self::Parquet,
            _ => return None,
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Ndjson => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
            Self::CsvGbk => "text/csv; charset=gbk",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Parquet => "application/vnd.apache.parquet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Csv | Self::CsvGbk => "csv",
            Self::Xlsx => "xlsx",
            Self::Parquet => "parquet",
        }
    }
}

/// An encoded result: its bytes as they are produced.
pub type Encoded = BoxStream<'static, Result<Bytes, QueryError>>;

/// Encodes a result. The first batch (or the error that comes instead) is awaited here, so a
/// query that fails at once is an `Err` the caller can answer properly rather than a broken
/// download.
pub async fn encode(mut batches: Batches, format: Format) -> Result<Encoded, QueryError> {
    let schema = batches.schema();
    let first = batches.next().await.transpose()?;
    let batches = stream::iter(first.map(Ok)).chain(batches);
    if format == Format::Xlsx {
        return xlsx(batches, schema).await;
    }
    let encoder: Box<dyn Encoder> = match format {
        Format::Json => Box::new(Json { rows: 0 }),
        Format::Ndjson => Box::new(Ndjson),
        Format::Csv => Box::new(Csv {
            schema,
            charset: Charset::Utf8,
        }),
        Format::CsvGbk => Box::new(Csv {
            schema,
            charset: Charset::Gbk,
        }),
        Format::Parquet => Box::new(Parquet::new(schema)?),
        Format::Xlsx => unreachable!("handled above"),
    };
    enum Stage {
        Start,
        Body,
        Done,
    }
    Ok(stream::unfold(
        (Box::pin(batches), encoder, Stage::Start),
        |(mut batches, mut encoder, stage)| async move {
            match stage {
                Stage::Start => Some((Ok(encoder.start()), (batches, encoder, Stage::Body))),
                Stage::Body => match batches.next().await {
                    Some(Ok(batch)) => {
                        let out = encoder.batch(&batch);
                        let next = if out.is_ok() {
                            Stage::Body
                        } else {
                            Stage::Done
                        };
                        Some((out, (batches, encoder, next)))
                    }
                    Some(Err(e)) => Some((Err(e), (batches, encoder, Stage::Done))),
                    None => Some((encoder.finish(), (batches, encoder, Stage::Done))),
                },
                Stage::Done => None,
            }
        },
    )
    .boxed())
}

trait Encoder: Send {
    fn start(&mut self) -> Bytes {
        Bytes::new()
    }
    fn batch(&mut self, batch: &RecordBatch) -> Result<Bytes, QueryError>;
    fn finish(&mut self) -> Result<Bytes, QueryError> {
        Ok(Bytes::new())
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> QueryError {
    QueryError::Engine(e.to_string())
}

/// Decimals as their shortest exact text (`12.5`, not `12.500000`): money must not pass
/// through a float, and the stored scale is an implementation detail.
pub(crate) fn plain_decimals(batch: &RecordBatch) -> Result<RecordBatch, QueryError> {
    if !batch
        .schema()
        .fields()
        .iter()
        .any(|f| matches!(f.data_type(), DataType::Decimal128(..)))
    {
        return Ok(batch.clone());
    }
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if matches!(field.data_type(), DataType::Decimal128(..)) {
            let text = cast(column, &DataType::Utf8).map_err(internal)?;
            let text = text.as_string::<i32>();
            let mut out = StringBuilder::with_capacity(text.len(), text.len() * 8);
            for v in text.iter() {
                match v {
                    Some(v) => out.append_value(trim_decimal(v)),
                    None => out.append_null(),
                }
            }
            fields.push(Field::new(field.name(), DataType::Utf8, true));
            columns.push(Arc::new(out.finish()));
        } else {
            fields.push(field.as_ref().clone());
            columns.push(Arc::clone(column));
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(internal)
}

fn trim_decimal(v: &str) -> &str {
    if v.contains('.') {
        v.trim_end_matches('0').trim_end_matches('.')
    } else {
        v
    }
}

struct Json {
    rows: usize,
}

impl Encoder for Json {
    fn start(&mut self) -> Bytes {
        Bytes::from_static(b"[")
    }

    fn batch(&mut self, batch: &RecordBatch) -> Result<Bytes, QueryError> {
        let lines = ndjson(batch)?;
        let mut out = Vec::with_capacity(lines.len() + 1);
        for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            if self.rows > 0 {
                out.push(b',');
            }
            out.extend_from_slice(line);
            self.rows += 1;
        }
        Ok(out.into())
    }

    fn finish(&mut self) -> Result<Bytes, QueryError> {
        Ok(Bytes::from_static(b"]"))
    }
}

/// One object per row, a newline after each (JSON escapes any newline inside a value).
fn ndjson(batch: &RecordBatch) -> Result<Vec<u8>, QueryError> {
    let batch = plain_decimals(batch)?;
    let mut writer = arrow::json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow::json::writer::LineDelimited>(Vec::new());
    writer.write(&batch).map_err(internal)?;
    writer.finish().map_err(internal)?;
    Ok(writer.into_inner())
}

struct Ndjson;

impl Encoder for Ndjson {
    fn batch(&mut self, batch: &RecordBatch) -> Result<Bytes, QueryError> {
        Ok(ndjson(batch)?.into())
    }
}

/// The character set a CSV is written in.
#[derive(Clone, Copy)]
enum Charset {
    /// UTF-8 behind a byte-order mark.
    Utf8,
    /// GBK, no byte-order mark (see [`Format::CsvGbk`]).
    Gbk,
}

impl Charset {
    /// CSV text (the writer's UTF-8) in this character set.
    fn bytes(self, utf8: Vec<u8>) -> Result<Bytes, QueryError> {
        match self {
            Charset::Utf8 => Ok(utf8.into()),
            Charset::Gbk => {
                let text = std::str::from_utf8(&utf8).map_err(internal)?;
                let (gbk, _, _) = encoding_rs::GBK.encode(text);
                Ok(Bytes::from(gbk.into_owned()))
            }
        }
    }
}

/// The header comes first even when no row follows, so an empty result is still a table.
struct Csv {
    schema: SchemaRef,
    charset: Charset,
}

impl Encoder for Csv {
    fn start(&mut self) -> Bytes {
        let names: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let mut writer = arrow::csv::WriterBuilder::new().build(Vec::new());
        let header = RecordBatch::try_new(
            Arc::new(Schema::new(
                names
                    .iter()
                    .map(|n| Field::new(*n, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            )),
            names
                .iter()
                .map(|_| Arc::new(arrow::array::StringArray::new_null(0)) as ArrayRef)
                .collect(),
        )
        .and_then(|b| writer.write(&b));
        let mut out = match self.charset {
            Charset::Utf8 => "\u{feff}".as_bytes().to_vec(),
            Charset::Gbk => Vec::new(),
        };
        if header.is_ok() {
            out.extend(writer.into_inner());
        }
        // Column names are the items' codes; a header that cannot be encoded is left out
        // like one that cannot be written.
        self.charset.bytes(out).unwrap_or_default()
    }

    fn batch(&mut self, batch: &RecordBatch) -> Result<Bytes, QueryError> {
        let batch = plain_decimals(batch)?;
        let mut writer = arrow::csv::WriterBuilder::new()
            .with_header(false)
            .build(Vec::new());
        writer.write(&batch).map_err(internal)?;
        self.charset.bytes(writer.into_inner())
    }
}

/// Parquet written as it goes: each row group is flushed once it has grown to a few
/// megabytes and handed on.
struct Parquet {
    writer: Option<ArrowWriter<Vec<u8>>>,
}

const PARQUET_FLUSH_BYTES: usize = 8 * 1024 * 1024;

impl Parquet {
    fn new(schema: SchemaRef) -> Result<Self, QueryError> {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let writer = ArrowWriter::try_new(Vec::new(), schema, Some(props)).map_err(internal)?;
        Ok(Self {
            writer: Some(writer),
        })
    }
}

impl Encoder for Parquet {
    fn batch(&mut self, batch: &RecordBatch) -> Result<Bytes, QueryError> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| internal("parquet writer closed"))?;
        writer.write(batch).map_err(internal)?;
        if writer.in_progress_size() > PARQUET_FLUSH_BYTES {
            writer.flush().map_err(internal)?;
        }
        Ok(std::mem::take(writer.inner_mut()).into())
    }

    fn finish(&mut self) -> Result<Bytes, QueryError> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| internal("parquet writer closed"))?;
        Ok(writer.into_inner().map_err(internal)?.into())
    }
}

/// XLSX: every row written to a constant-memory worksheet on a blocking thread, then the
/// finished file streamed in chunks.
async fn xlsx<S>(batches: S, schema: SchemaRef) -> Result<Encoded, QueryError>
where
    S: Stream<Item = Result<RecordBatch, QueryError>> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<RecordBatch>(2);
    let writer = tokio::task::spawn_blocking(move || write_xlsx(rx, &schema));
    let mut batches = Box::pin(batches);
    let mut rows = 0usize;
    let mut failure = None;
    while let Some(batch) = batches.next().await {
        match batch {
            Ok(batch) => {
                rows += batch.num_rows();
                if rows > XLSX_MAX_ROWS {
                    failure = Some(QueryError::TooManyRowsForXlsx { max: XLSX_MAX_ROWS });
                    break;
                }
                if tx.send(batch).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(tx);
    let file = writer.await.map_err(internal)??;
    if let Some(e) = failure {
        return Err(e);
    }
    let chunks = stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 256 * 1024];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(internal(e)), None)),
        }
    });
    Ok(chunks.boxed())
}

fn write_xlsx(
    mut batches: tokio::sync::mpsc::Receiver<RecordBatch>,
    schema: &Schema,
) -> Result<std::fs::File, QueryError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(internal)?;
    for (c, field) in schema.fields().iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, field.name(), &bold)
            .map_err(internal)?;
    }
    let mut row: u32 = 1;
    while let Some(batch) = batches.blocking_recv() {
        let columns: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .map(|c| match c.data_type() {
                DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64
                | DataType::Float32
                | DataType::Float64
                | DataType::Decimal128(..)
                | DataType::Boolean => Ok(Arc::clone(c)),
                _ => cast(c, &DataType::Utf8).map_err(internal),
            })
            .collect::<Result<_, _>>()?;
        for r in 0..batch.num_rows() {
            for (c, column) in columns.iter().enumerate() {
                if column.is_null(r) {
                    continue;
                }
                let c = c as u16;
                let written = match column.data_type() {
                    DataType::Utf8 => {
                        sheet.write_string(row, c, column.as_string::<i32>().value(r))
                    }
                    DataType::Boolean => sheet.write_boolean(row, c, column.as_boolean().value(r)),
                    _ => {
                        let v = cast(&column.slice(r, 1), &DataType::Float64).map_err(internal)?;
                        let v = v.as_primitive::<arrow::datatypes::Float64Type>();
                        sheet.write_number(row, c, v.value(0))
                    }
                };
                written.map_err(internal)?;
            }
            row += 1;
        }
    }
    let mut file = tempfile::tempfile().map_err(internal)?;
    workbook.save_to_writer(&mut file).map_err(internal)?;
    file.flush().map_err(internal)?;
    use std::io::Seek;
    file.rewind().map_err(internal)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_batch(values: &[&str]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("mc", DataType::Utf8, true)]));
        let column: ArrayRef = Arc::new(arrow::array::StringArray::from(values.to_vec()));
        RecordBatch::try_new(schema, vec![column]).unwrap()
    }

    async fn encoded(batch: RecordBatch, format: Format) -> Vec<u8> {
        let schema = batch.schema();
        let batches = Batches::new(schema, stream::iter([Ok(batch)]));
        let mut body = encode(batches, format).await.unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = body.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    // H26: open data downloads as CSV in GBK for the office software that expects it.
    #[test]
    fn h26_gbk_csv_decodes_as_gbk_with_the_chinese_intact() {
        run(gbk_csv())
    }

    async fn gbk_csv() {
        let batch = text_batch(&["青城市新城区养老服务中心", "赛罕区,\"引号\""]);
        let gbk = encoded(batch.clone(), Format::CsvGbk).await;
        assert!(!gbk.starts_with(&[0xef, 0xbb, 0xbf]), "no byte-order mark");
        let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&gbk);
        assert!(!had_errors);
        assert_eq!(
            text,
            "mc\n青城市新城区养老服务中心\n\"赛罕区,\"\"引号\"\"\"\n"
        );
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "the bytes are GBK, not UTF-8"
        );
        let utf8 = encoded(batch, Format::Csv).await;
        assert_eq!(
            &utf8[3..],
            text.as_bytes(),
            "the same table as the UTF-8 CSV"
        );
        // A character GBK lacks is kept as a numeric reference.
        let gbk = encoded(text_batch(&["😀"]), Format::CsvGbk).await;
        assert_eq!(gbk, b"mc\n&#128512;\n");
    }

    #[test]
    fn decimals_lose_only_trailing_zeros() {
        assert_eq!(trim_decimal("12.500000"), "12.5");
        assert_eq!(trim_decimal("12.000000"), "12");
        assert_eq!(trim_decimal("1200"), "1200");
        assert_eq!(trim_decimal("-0.010000"), "-0.01");
    }
}

//! The Parquet writer runs on its own thread: encoding, compressing and hashing the output
//! overlaps with reading and coercing the next batch. It receives batches over a small bounded
//! channel (memory stays bounded) and writes the footer only when told the file is good; if
//! the channel closes without that, the file is abandoned unfinished.

use std::io::Write;
use std::sync::mpsc::Receiver;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;

use crate::error::IngestError;
use crate::tap::DigestWriter;

/// Batches in flight between the pipeline and the writer (about 128k rows): deep enough that
/// neither side idles while the other is descheduled on a two-core machine (see the hasher's
/// queue in `tap`).
pub(crate) const IN_FLIGHT: usize = 16;

/// A row group is closed once its encoded data in memory reaches this many bytes, whatever
/// its row count: the writer holds one open row group, and long values must not make it huge.
const ROW_GROUP_BYTES: usize = 256 * 1024 * 1024;

pub(crate) enum Message {
    Batch(RecordBatch),
    /// Every batch has been sent and the file is to be committed: write the footer.
    Finish,
}

/// Writes batches as they come; returns the bytes written and their SM3 when finished, `None`
/// when abandoned.
pub(crate) fn write_parquet<W: Write + Send>(
    messages: Receiver<Message>,
    output: W,
    schema: SchemaRef,
    row_group_rows: usize,
) -> Result<Option<(u64, String)>, IngestError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .set_created_by(format!("gongshu-lake {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = ArrowWriter::try_new(DigestWriter::new(output), schema, Some(props))
        .map_err(output_error)?;
    for message in messages {
        match message {
            Message::Batch(batch) => {
                writer.write(&batch).map_err(output_error)?;
                if writer.in_progress_size() >= ROW_GROUP_BYTES {
                    writer.flush().map_err(output_error)?;
                }
            }
            Message::Finish => {
                let mut out = writer.into_inner().map_err(output_error)?;
                out.flush().map_err(IngestError::Write)?;
                return Ok(Some(out.finish()));
            }
        }
    }
    Ok(None)
}

/// An I/O failure of the sink (a full disk, a closed connection) is the output's error, not an
/// internal one.
fn output_error(e: ParquetError) -> IngestError {
    match e {
        ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => IngestError::Write(*io),
            Err(other) => IngestError::Parquet(ParquetError::External(other)),
        },
        other => IngestError::Parquet(other),
    }
}

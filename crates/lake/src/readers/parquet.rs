//! Parquet in: the file is spooled (its footer is at the end), only the columns that map to
//! items are read, and each is cast to text and coerced like any other source, so a Parquet
//! file from elsewhere gets the same validation (ID checksums, decimal places) as a CSV.

use std::io::{Read, Write};
use std::path::Path;

use arrow::array::{Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType as ArrowType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{Input, Start};
use crate::coerce::Cell;
use crate::columns::map_headers;
use crate::error::IngestError;
use crate::pipeline::{Outcome, Row};
use crate::report::SourcePosition;

struct ParquetRow<'r> {
    /// The text column feeding each item, if any.
    columns: &'r [Option<StringArray>],
    index: usize,
}

impl Row for ParquetRow<'_> {
    fn cell(&self, item: usize) -> Cell<'_> {
        match &self.columns[item] {
            Some(column) if column.is_valid(self.index) => Cell::Text(column.value(self.index)),
            _ => Cell::Blank,
        }
    }
}

pub(crate) fn read<R: Read, J: Write>(
    input: Input<R>,
    temp_dir: Option<&Path>,
    start: Start<'_, J>,
) -> Result<Outcome, IngestError> {
    let file = input.spool(temp_dir)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(malformed)?;
    let fields: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let (map, warnings) = map_headers(fields.iter().map(String::as_str), start.items)?;
    // Read only mapped columns; a projected batch keeps the file's column order.
    let mut projected: Vec<usize> = map.source_of.iter().flatten().copied().collect();
    projected.sort_unstable();
    let mask = ProjectionMask::roots(builder.parquet_schema(), projected.iter().copied());
    let batch_rows = start.settings.batch_rows;
    let reader = builder
        .with_projection(mask)
        .with_batch_size(batch_rows)
        .build()
        .map_err(malformed)?;
    let item_count = start.items.len();
    let mut pipeline = start.pipeline(map.header_of.clone(), warnings);
    let mut row_number = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| IngestError::Malformed {
            format: "Parquet",
            at: format!("row {}", row_number + 1),
            message: e.to_string(),
        })?;
        let mut columns: Vec<Option<StringArray>> = vec![None; item_count];
        for (item, source) in map.source_of.iter().enumerate() {
            let Some(source) = source else { continue };
            let position = projected.binary_search(source).expect("projected above");
            let text = cast(batch.column(position), &ArrowType::Utf8)?;
            columns[item] = text.as_any().downcast_ref::<StringArray>().cloned();
        }
        for index in 0..batch.num_rows() {
            row_number += 1;
            let row = ParquetRow {
                columns: &columns,
                index,
            };
            pipeline.push(&row, SourcePosition::Row(row_number), None)?;
        }
    }
    pipeline.finish()
}

fn malformed(e: parquet::errors::ParquetError) -> IngestError {
    IngestError::Malformed {
        format: "Parquet",
        at: "file".into(),
        message: e.to_string(),
    }
}

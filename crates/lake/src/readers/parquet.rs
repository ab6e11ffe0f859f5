//! Parquet in: the file is spooled (its footer is at the end), only the columns that map to
//! items are read, and each is cast to text and coerced like any other source, so a Parquet
//! file from elsewhere gets the same validation (ID checksums, decimal places) as a CSV.
//!
//! Before a page is decoded, the pages of the columns read are walked and held to the
//! expansion limits (see [`crate::expansion::parquet`]); the reader may fetch only pages the
//! walk checked. Text columns are read as dictionaries and resolved one cell at a time, so a
//! long dictionary value repeated in every row is never copied into a whole batch.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, AsArray, DictionaryArray, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType as ArrowType, Field, Int32Type, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::metadata::PageIndexPolicy;

use super::{Input, Start};
use crate::coerce::Cell;
use crate::columns::map_headers;
use crate::error::IngestError;
use crate::expansion::ExpansionLimits;
use crate::expansion::parquet::{CheckedFile, check_footer, walk};
use crate::pipeline::{Outcome, Row};
use crate::report::SourcePosition;

/// One column of a batch as text: plain, or a dictionary whose values are resolved per cell.
enum TextColumn {
    Plain(StringArray),
    Dictionary {
        keys: DictionaryArray<Int32Type>,
        values: StringArray,
    },
}

impl TextColumn {
    fn value(&self, index: usize) -> Option<&str> {
        match self {
            TextColumn::Plain(column) => column.is_valid(index).then(|| column.value(index)),
            TextColumn::Dictionary { keys, values } => {
                if !keys.is_valid(index) {
                    return None;
                }
                let key = usize::try_from(keys.keys().value(index)).ok()?;
                (key < values.len() && values.is_valid(key)).then(|| values.value(key))
            }
        }
    }
}

struct ParquetRow<'r> {
    /// The text column feeding each item, if any.
    columns: &'r [Option<TextColumn>],
    index: usize,
}

impl Row for ParquetRow<'_> {
    fn cell(&self, item: usize) -> Cell<'_> {
        match self.columns[item]
            .as_ref()
            .and_then(|c| c.value(self.index))
        {
            Some(text) => Cell::Text(text),
            None => Cell::Blank,
        }
    }
}

pub(crate) fn read<R: Read, J: Write>(
    input: Input<R>,
    limits: &ExpansionLimits,
    temp_dir: Option<&Path>,
    start: Start<'_, J>,
) -> Result<Outcome, IngestError> {
    let file = input.spool(temp_dir)?;
    let len = file.metadata().map_err(IngestError::Io)?.len();
    check_footer(&file, len, limits)?;
    // The schema comes from the Parquet types, never from an embedded Arrow schema (which
    // could ask for view types sized by a page's value count); no page index is read.
    let options = ArrowReaderOptions::new()
        .with_skip_arrow_metadata(true)
        .with_page_index_policy(PageIndexPolicy::Skip);
    let metadata = ArrowReaderMetadata::load(&file, options.clone()).map_err(malformed)?;
    let fields: Vec<String> = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let (map, warnings) = map_headers(fields.iter().map(String::as_str), start.items)?;
    // Read only mapped columns; a projected batch keeps the file's column order.
    let mut projected: Vec<usize> = map.source_of.iter().flatten().copied().collect();
    projected.sort_unstable();
    let parquet_schema = metadata.metadata().file_metadata().schema_descr_ptr();
    let leaves: Vec<usize> = (0..parquet_schema.num_columns())
        .filter(|&leaf| {
            projected
                .binary_search(&parquet_schema.get_column_root_idx(leaf))
                .is_ok()
        })
        .collect();
    let checked = walk(&file, len, metadata.metadata(), &leaves, limits)?;
    // Text columns are read as dictionaries (see the module's comment).
    let hint = Arc::new(Schema::new_with_metadata(
        metadata
            .schema()
            .fields()
            .iter()
            .map(|f| Arc::new(hint(f)))
            .collect::<Vec<_>>(),
        metadata.schema().metadata().clone(),
    ));
    let metadata =
        ArrowReaderMetadata::try_new(Arc::clone(metadata.metadata()), options.with_schema(hint))
            .map_err(malformed)?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(
        CheckedFile::new(file, len, checked),
        metadata,
    );
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
        let mut columns: Vec<Option<TextColumn>> = Vec::with_capacity(item_count);
        columns.resize_with(item_count, || None);
        for (item, source) in map.source_of.iter().enumerate() {
            let Some(source) = source else { continue };
            let position = projected.binary_search(source).expect("projected above");
            columns[item] = Some(text_column(batch.column(position))?);
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

/// How a top-level column is read: text and binary as a dictionary of the same values; an
/// instant in UTC with the offset `+00:00` (Arrow casts named zones to text only with a zone
/// database, which is not linked); anything else as the Parquet type says.
fn hint(field: &Field) -> Field {
    let data_type = match field.data_type() {
        ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => {
            ArrowType::Dictionary(Box::new(ArrowType::Int32), Box::new(ArrowType::Utf8))
        }
        ArrowType::Binary | ArrowType::LargeBinary | ArrowType::BinaryView => {
            ArrowType::Dictionary(Box::new(ArrowType::Int32), Box::new(ArrowType::Binary))
        }
        ArrowType::Timestamp(unit, Some(zone))
            if !zone.starts_with('+') && !zone.starts_with('-') =>
        {
            ArrowType::Timestamp(*unit, Some("+00:00".into()))
        }
        _ => return field.clone(),
    };
    field.clone().with_data_type(data_type)
}

fn text_column(column: &Arc<dyn Array>) -> Result<TextColumn, IngestError> {
    if let Some(dictionary) = column.as_dictionary_opt::<Int32Type>() {
        let values = cast(dictionary.values(), &ArrowType::Utf8)?;
        let values = values.as_string::<i32>().clone();
        return Ok(TextColumn::Dictionary {
            keys: dictionary.clone(),
            values,
        });
    }
    let text = cast(column, &ArrowType::Utf8)?;
    Ok(TextColumn::Plain(text.as_string::<i32>().clone()))
}

fn malformed(e: parquet::errors::ParquetError) -> IngestError {
    IngestError::Malformed {
        format: "Parquet",
        at: "file".into(),
        message: e.to_string(),
    }
}

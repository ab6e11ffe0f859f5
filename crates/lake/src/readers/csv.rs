//! CSV: the encoding is detected from the first 64 KiB (or declared), the text decoded as it
//! streams. The header is the first non-blank record that names the items (a title line above
//! it is skipped, see [`HeaderSearch`]). Records that are entirely blank are skipped; a record
//! with a different number of fields than the header is a bad row.

use std::io::{Read, Write};

use csv::{ByteRecord, StringRecord};
use encoding_rs::{Encoding, UTF_8};

use super::{Input, Start};
use crate::coerce::Cell;
use crate::columns::{ColumnMap, HeaderSearch};
use crate::encoding::{DecodingReader, detect};
use crate::error::IngestError;
use crate::pipeline::{Outcome, Row};
use crate::report::{CellDefect, SourcePosition};

/// One record: its fields as text, cut from the record validated as UTF-8 in one pass.
struct CsvRow<'r> {
    fields: &'r [&'r str],
    map: &'r ColumnMap,
}

impl Row for CsvRow<'_> {
    fn cell(&self, item: usize) -> Cell<'_> {
        match self.map.source_of[item].and_then(|c| self.fields.get(c)) {
            Some(text) => Cell::Text(text),
            None => Cell::Blank,
        }
    }
}

/// The fields of `record` as text, or `None` when one is not valid UTF-8. The record's bytes
/// are validated at once (SIMD); a field is valid exactly when it also starts and ends on a
/// character boundary of the whole, which `str::get` checks.
fn fields<'r>(record: &'r ByteRecord, out: &mut Vec<&'r str>) -> Option<()> {
    out.clear();
    let whole = simdutf8::basic::from_utf8(record.as_slice()).ok()?;
    for i in 0..record.len() {
        out.push(whole.get(record.range(i)?)?);
    }
    Some(())
}

pub(crate) fn read<R: Read, J: Write>(
    input: Input<R>,
    declared: Option<&'static Encoding>,
    delimiter: u8,
    start: Start<'_, J>,
) -> Result<(Outcome, Option<&'static str>), IngestError> {
    let (detected, bom) = detect(&input.prefix, input.complete);
    let (encoding, bom) = match declared {
        // A declared encoding wins; a BOM of that same encoding is still skipped.
        Some(declared) if declared != detected => (declared, 0),
        Some(declared) => (declared, bom),
        None => (detected, bom),
    };
    let text: Box<dyn Read + '_> = if encoding == UTF_8 {
        // UTF-8 passes through; the CSV reader validates each record.
        Box::new(input.into_reader(bom))
    } else {
        Box::new(DecodingReader::new(input.into_reader(bom), encoding, bom))
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(text);

    let mut record = ByteRecord::new();
    let mut header = StringRecord::new();
    let mut search = HeaderSearch::new(start.items);
    let (map, warnings) = loop {
        if !reader
            .read_record(&mut header)
            .map_err(|e| csv_error(e, encoding))?
        {
            return Err(search.finish());
        }
        if header.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = header.position().map_or(0, |p| p.line());
        let cells: Vec<&str> = header.iter().collect();
        if let Some(found) = search.offer(&cells, SourcePosition::Line(line))? {
            break found;
        }
    };
    let mut pipeline = start.pipeline(map.header_of.clone(), warnings);
    // The fields of the current record; the allocation is reused from record to record.
    let mut spare: Vec<&'static str> = Vec::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(e, encoding))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let mut texts = recycle(std::mem::take(&mut spare));
        if fields(&record, &mut texts).is_none() {
            // As the CSV reader reports a record that is not UTF-8.
            return Err(IngestError::Encoding {
                encoding: encoding.name(),
                at: format!("line {line}"),
            });
        }
        if !texts.iter().all(|f| f.trim().is_empty()) {
            let defect = (texts.len() != header.len()).then_some(CellDefect::FieldCount {
                expected: header.len(),
                found: texts.len(),
            });
            let row = CsvRow {
                fields: &texts,
                map: &map,
            };
            pipeline.push(&row, SourcePosition::Line(line), defect)?;
        }
        spare = recycle(texts);
    }
    Ok((pipeline.finish()?, Some(encoding.name())))
}

/// An emptied vector of fields, keeping its allocation, for fields of another record. (A `map`
/// to the same layout is collected in place, so no new allocation is made.)
fn recycle<'b>(mut texts: Vec<&str>) -> Vec<&'b str> {
    texts.clear();
    texts.into_iter().map(|_| "").collect()
}

fn csv_error(e: csv::Error, encoding: &'static Encoding) -> IngestError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => IngestError::reading(io),
        csv::ErrorKind::Utf8 { pos, .. } => IngestError::Encoding {
            encoding: encoding.name(),
            at: format!("line {}", pos.map_or(line.unwrap_or(0), |p| p.line())),
        },
        other => IngestError::Malformed {
            format: "CSV",
            at: format!("line {}", line.unwrap_or(0)),
            message: format!("{other:?}"),
        },
    }
}

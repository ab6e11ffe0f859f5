//! XLSX: the workbook is spooled to a temporary file (a ZIP needs to seek), every part of it
//! is measured expanded (see [`crate::expansion::workbook`]), then the sheet is read cell by
//! cell with calamine's streaming cell reader, one row in memory at a time. What calamine does
//! hold whole is the shared-string table, which is why XLSX has its own, smaller size limit and
//! its shared strings are counted before calamine reads them. The header is the first
//! non-blank row that names the items (a title row above it is skipped, see
//! [`HeaderSearch`]); rows are numbered as Excel shows them.

use std::io::{BufReader, Read, Seek, Write};
use std::path::Path;

use calamine::{CellErrorType, DataRef, Reader, Xlsx, XlsxError};

use super::{Input, Start};
use crate::coerce::Cell;
use crate::columns::{ColumnMap, HeaderSearch};
use crate::error::IngestError;
use crate::expansion::ExpansionLimits;
use crate::expansion::workbook::check_workbook;
use crate::pipeline::{Outcome, Row};
use crate::report::SourcePosition;
use crate::tap::LimitExceeded;

struct XlsxRow<'r, 'w> {
    /// Cells by column, relative to the header's first column.
    cells: &'r [DataRef<'w>],
    map: &'r ColumnMap,
}

impl Row for XlsxRow<'_, '_> {
    fn cell(&self, item: usize) -> Cell<'_> {
        match self.map.source_of[item].and_then(|c| self.cells.get(c)) {
            Some(data) => cell(data),
            None => Cell::Blank,
        }
    }
}

fn cell<'a>(data: &'a DataRef<'_>) -> Cell<'a> {
    match data {
        DataRef::Empty => Cell::Blank,
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_duration() => Cell::Float(dt.as_f64()),
        DataRef::DateTime(dt) => Cell::ExcelDate(*dt),
        DataRef::Error(e) => Cell::Text(match e {
            CellErrorType::Div0 => "#DIV/0!",
            CellErrorType::NA => "#N/A",
            CellErrorType::Name => "#NAME?",
            CellErrorType::Null => "#NULL!",
            CellErrorType::Num => "#NUM!",
            CellErrorType::Ref => "#REF!",
            CellErrorType::Value => "#VALUE!",
            CellErrorType::GettingData => "#DATA!",
        }),
    }
}

pub(crate) fn read<R: Read, J: Write>(
    input: Input<R>,
    sheet: Option<&str>,
    max_bytes: u64,
    limits: &ExpansionLimits,
    temp_dir: Option<&Path>,
    start: Start<'_, J>,
) -> Result<Outcome, IngestError> {
    {
        let mut tap = start.tap.borrow_mut();
        if tap.limit.is_none_or(|l| l > max_bytes) {
            tap.limit = Some(max_bytes);
        }
        // Refused before spooling when the length is known.
        let known = start.settings.total_bytes.unwrap_or(0);
        if tap.bytes > max_bytes || known > max_bytes {
            tap.exceeded = true;
            return Err(IngestError::TooLarge { limit: max_bytes });
        }
    }
    let mut file = input.spool(temp_dir)?;
    // Measured before calamine opens it: calamine reads the shared strings whole.
    check_workbook(BufReader::new(&file), limits)?;
    file.rewind().map_err(IngestError::Io)?;
    let mut workbook = Xlsx::new(BufReader::new(file)).map_err(xlsx_error)?;
    let name = match sheet {
        Some(name) => {
            if !workbook.sheet_names().iter().any(|n| n == name) {
                return Err(IngestError::NoSuchSheet(name.to_owned()));
            }
            name.to_owned()
        }
        None => workbook
            .sheet_names()
            .first()
            .cloned()
            .ok_or(IngestError::NoSheets)?,
    };
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(xlsx_error)?;

    // Rows arrive in order, cell by cell; gather one row, then hand it over. Empty cells are
    // left out, so the header's first column is that of its first non-empty cell.
    let mut search = HeaderSearch::new(start.items);
    let mut start = Some(start);
    let mut pipeline: Option<crate::pipeline::Pipeline<'_, J>> = None;
    let mut map = ColumnMap::default();
    let mut current: Vec<DataRef<'_>> = Vec::new();
    let mut current_row: Option<u32> = None;
    let mut first_col = 0u32;
    loop {
        let next = cells.next_cell().map_err(xlsx_error)?;
        let next_row = next.as_ref().map(|c| c.get_position().0);
        if let Some(row_index) = current_row
            && next_row != current_row
        {
            current_row = None;
            if !current.iter().all(|c| cell(c).is_blank()) {
                if let Some(pipeline) = pipeline.as_mut() {
                    let row = XlsxRow {
                        cells: &current,
                        map: &map,
                    };
                    pipeline.push(&row, SourcePosition::ExcelRow(row_index + 1), None)?;
                } else {
                    let texts: Vec<String> = current
                        .iter()
                        .map(|c| cell(c).text().into_owned())
                        .collect();
                    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                    if let Some((header_map, warnings)) =
                        search.offer(&texts, SourcePosition::ExcelRow(row_index + 1))?
                        && let Some(start) = start.take()
                    {
                        pipeline = Some(start.pipeline(header_map.header_of.clone(), warnings));
                        map = header_map;
                    }
                }
            }
            current.clear();
        }
        let Some(next) = next else { break };
        if matches!(next.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = next.get_position();
        current_row.get_or_insert(row);
        if pipeline.is_none() && current.is_empty() {
            first_col = col;
        }
        let Some(at) = col.checked_sub(first_col) else {
            continue;
        };
        let at = at as usize;
        if current.len() <= at {
            current.resize(at + 1, DataRef::Empty);
        }
        current[at] = next.get_value().clone();
    }
    match pipeline {
        Some(pipeline) => pipeline.finish(),
        None => Err(search.finish()),
    }
}

fn xlsx_error(e: XlsxError) -> IngestError {
    match e {
        XlsxError::Io(io) => {
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<LimitExceeded>())
            {
                IngestError::reading(io)
            } else {
                IngestError::Malformed {
                    format: "XLSX",
                    at: "workbook".into(),
                    message: io.to_string(),
                }
            }
        }
        other => IngestError::Malformed {
            format: "XLSX",
            at: "workbook".into(),
            message: other.to_string(),
        },
    }
}

//! What can go wrong reading or writing the template. A read reports every problem with the
//! cell it concerns, so the agency can fix the whole file in one go.

use std::fmt;

/// A problem with one cell (or, with `row` 0, with a whole sheet), in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Sheet name, e.g. `资源目录`.
    pub sheet: String,
    /// 1-based Excel row; 0 when the whole sheet is concerned (a missing sheet).
    pub row: u32,
    /// Excel column letter, e.g. `C`; empty when the whole sheet is concerned.
    pub column: String,
    /// Header of the column, e.g. `资源名称`; empty when the whole sheet is concerned.
    pub header: String,
    pub zh: String,
    pub en: String,
}

impl CellError {
    /// `资源目录!C5`, or the sheet name alone for a sheet-wide problem.
    pub fn cell(&self) -> String {
        if self.row == 0 {
            self.sheet.clone()
        } else {
            format!("{}!{}{}", self.sheet, self.column, self.row)
        }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.header.is_empty() {
            write!(f, "{}: {}", self.cell(), self.en)
        } else {
            write!(f, "{} ({}): {}", self.cell(), self.header, self.en)
        }
    }
}

/// Why [`read_catalog`](crate::read_catalog) refused a file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not an .xlsx workbook at all (another format, or damaged).
    #[error("not a readable .xlsx workbook: {0}")]
    NotXlsx(String),
    /// A workbook that does not follow the template; every problem found, in sheet and row order.
    #[error("{} problem(s) in the workbook, first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Cells(Vec<CellError>),
}

/// Why [`write_catalog`](crate::write_catalog) could not produce a file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Two entries share a `序号`, so their items could not be told apart on reading.
    #[error("two entries have the key {0:?}")]
    DuplicateKey(String),
    /// The guide names a field the template has no column for.
    #[error("the guide names unknown field {0:?}")]
    UnknownField(String),
    /// The spreadsheet library refused (e.g. a text longer than Excel's 32,767 characters).
    #[error("could not write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

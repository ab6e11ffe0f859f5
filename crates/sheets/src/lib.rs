#![doc = include_str!("../README.md")]
//!
//! # Modules
//! - [`template`]: sheet names, columns and the field → cell mapping;
//! - `write`: [`write_catalog`];
//! - `read`: [`read_catalog`];
//! - `error`: [`ReadError`], [`WriteError`], [`CellError`].

mod error;
mod read;
mod table;
pub mod template;
mod write;

pub use error::{CellError, ReadError, WriteError};
pub use read::{MAX_ROWS, read_catalog};
pub use table::write_table;
pub use template::{ENTRY_SHEET, GUIDE_SHEET, ITEM_SHEET, Position, entry_column, item_column};
pub use write::{Guide, write_catalog};

/// One row of `资源目录`: a catalog entry as text, with its items.
///
/// Values are trimmed strings; their meaning (vocabularies, rules) is the app's business.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryRow {
    /// 1-based Excel row it was read from; ignored when writing.
    pub row: u32,
    /// `序号`: links the entry to its items; unique in the file. Written as the 1-based position
    /// when empty.
    pub key: String,
    /// `资源代码`: empty for an entry not yet in the catalog.
    pub code: String,
    pub name: String,
    pub summary: String,
    pub category_code: String,
    pub grade: String,
    pub data_form: String,
    pub share_type: String,
    pub share_conditions: String,
    pub share_scope: String,
    pub share_modes: Vec<String>,
    pub open_type: String,
    pub open_conditions: String,
    pub not_open_reason: String,
    /// (law, article) pairs, written `法律名称|条款`.
    pub legal_bases: Vec<(String, String)>,
    pub update_frequency: String,
    pub source_dept: String,
    pub collecting_dept: String,
    pub approving_dept: String,
    pub providing_dept: String,
    /// Codes of related entries.
    pub related_codes: Vec<String>,
    pub state_secret: bool,
    /// `偏离理由`: why the share or open type departs from the grade's suggested one.
    pub departure_reason: String,
    /// Its rows of `信息项`, in sheet order.
    pub items: Vec<ItemRow>,
}

/// One row of `信息项`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemRow {
    /// 1-based Excel row it was read from; ignored when writing.
    pub row: u32,
    pub code: String,
    pub name: String,
    pub data_type: String,
    pub description: String,
    pub grade: String,
    pub personal: bool,
    /// Empty unless sensitive personal information.
    pub sensitive_kind: String,
    pub masked: bool,
    /// Code of the basic data element it carries; may be empty.
    pub element_code: String,
}

//! The one error type of the search crate.

use std::path::PathBuf;

/// Why an index operation failed.
///
/// Only [`SearchError::InvalidQuery`] and [`SearchError::InvalidDocument`] are the caller's
/// fault (answer 400); the others are internal (log, answer 500, and for
/// [`SearchError::SchemaMismatch`] rebuild the index).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy failed: I/O, a corrupt segment, a writer that died.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be created or opened.
    #[error("cannot open the search index directory {path}: {source}")]
    Directory {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The directory holds an index built with another layout (an older version of this crate).
    /// Delete the directory and rebuild the index from the database.
    #[error(
        "the search index in {path} was built with another layout; delete it and rebuild (`gongshu search rebuild`)"
    )]
    SchemaMismatch { path: PathBuf },
    /// The page asked for is out of range.
    #[error("invalid search: {0}")]
    InvalidQuery(String),
    /// The entry cannot be indexed (empty code).
    #[error("invalid entry for the search index: {0}")]
    InvalidDocument(String),
}

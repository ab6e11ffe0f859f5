//! Chinese full-text search of the catalog (issue 3, item 5; requirements H8, H15, H16).
//!
//! A [`CatalogIndex`] holds one document per published catalog entry ([`EntryDoc`]) in a
//! tantivy index, segmented into Chinese words with jieba, and answers a [`SearchQuery`]
//! (plain text, facet filters, a page) with [`SearchResults`]: the total, one page of entry
//! codes best first, and counts per facet value.
//!
//! The index is derived data: the app layer updates it after each publish ([`CatalogIndex::upsert`],
//! [`CatalogIndex::remove`]) and can rebuild it from the database at any time
//! ([`CatalogIndex::rebuild`]), so a replica's local index never holds anything the database
//! does not. It stores no text, only what searching, ranking and faceting need; the app layer
//! loads the entries by code.
//!
//! How a query is understood:
//! - text is plain text, never query syntax; it is cut into words by jieba and every word must
//!   match (falling back to any word when no entry has all of them);
//! - a match in the name weighs more than one in the summary, which weighs more than one in an
//!   item name; the agency and category names are searchable with a low weight;
//! - a few abbreviations match their full form (社保 → 社会保险, 医保 → 医疗保险, 户口 → 户籍,
//!   低保 → 最低生活保障);
//! - without text, results are the newest first;
//! - facet counts are disjunctive: each facet counts the entries matching the text and the
//!   filters of the *other* facets (see [`SearchResults::facets`]).

#![forbid(unsafe_code)]

mod collector;
mod error;
mod index;
mod model;
mod query;
mod schema;
mod tokenizer;

pub use error::SearchError;
pub use index::CatalogIndex;
pub use model::{
    EntryDoc, Facet, FacetCount, Hit, MAX_PER_PAGE, MAX_RESULT_WINDOW, SearchQuery, SearchResults,
    UnknownFacet,
};

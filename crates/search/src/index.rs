//! [`CatalogIndex`]: opening the index, writing entries and searching.
//!
//! One writer per index, behind a mutex: every write method takes the lock, applies its
//! changes, commits and reloads the reader before returning, so a search that starts after a
//! write returns sees it (read-your-writes). Searches never take the lock; each works on the
//! snapshot (searcher) current when it starts, so they run in parallel with each other and
//! with a write.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, Query};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyError, Term};

use crate::collector::{CatalogCollector, Collected};
use crate::error::SearchError;
use crate::model::{
    EntryDoc, Facet, FacetCount, Hit, MAX_PER_PAGE, MAX_RESULT_WINDOW, SearchQuery, SearchResults,
};
use crate::query::{Combine, TextQuery};
use crate::schema::{self, Fields};
use crate::tokenizer::{ChineseTokenizer, TOKENIZER_NAME};

/// Memory the writer buffers before it flushes a segment (split over its indexing threads).
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// The catalog's search index: thread-safe, shared as `Arc<CatalogIndex>`.
///
/// Invariants: at most one document per entry code; what a search sees is always a committed
/// state (a failed write is rolled back, never half-visible).
pub struct CatalogIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl CatalogIndex {
    /// Opens the index stored in `dir`, creating the directory and an empty index if missing.
    ///
    /// Fails with [`SearchError::SchemaMismatch`] if `dir` holds an index of another layout,
    /// and with a tantivy lock error if another process (or another `CatalogIndex` in this
    /// one) has the same directory open for writing.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let directory_error =
            |source: Box<dyn std::error::Error + Send + Sync>| SearchError::Directory {
                path: dir.to_owned(),
                source,
            };
        std::fs::create_dir_all(dir).map_err(|e| directory_error(Box::new(e)))?;
        let directory = MmapDirectory::open(dir).map_err(|e| directory_error(Box::new(e)))?;
        let (schema, fields) = schema::build();
        let index = Index::open_or_create(directory, schema).map_err(|e| match e {
            TantivyError::SchemaError(_) => SearchError::SchemaMismatch {
                path: dir.to_owned(),
            },
            other => SearchError::Index(other),
        })?;
        Self::with_index(index, fields)
    }

    /// A fresh index held in memory, for tests and demos.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        index.tokenizers().register(
            TOKENIZER_NAME,
            TextAnalyzer::builder(ChineseTokenizer::for_index()).build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_MEMORY)?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// Number of entries in the index (as of the last write).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Adds `doc`, replacing the entry with the same code if there is one; visible on return.
    pub fn upsert(&self, doc: &EntryDoc) -> Result<(), SearchError> {
        check(doc)?;
        self.write(|writer, fields| {
            writer.delete_term(Term::from_field_text(fields.code, &doc.code));
            writer.add_document(fields.document(doc))?;
            Ok(())
        })
    }

    /// Removes the entry with this code (withdrawn, or no longer visible); no-op if absent.
    pub fn remove(&self, code: &str) -> Result<(), SearchError> {
        self.write(|writer, fields| {
            writer.delete_term(Term::from_field_text(fields.code, code));
            Ok(())
        })
    }

    /// Replaces the whole content with `docs` in one commit and returns how many entries the
    /// index now holds. Searches see the old content until the new one is complete; if any
    /// document is invalid or indexing fails, nothing changes. A code given twice keeps the
    /// last document.
    pub fn rebuild(&self, docs: impl IntoIterator<Item = EntryDoc>) -> Result<usize, SearchError> {
        self.write(|writer, fields| {
            writer.delete_all_documents()?;
            let mut seen = HashSet::new();
            for doc in docs {
                check(&doc)?;
                if !seen.insert(doc.code.clone()) {
                    writer.delete_term(Term::from_field_text(fields.code, &doc.code));
                }
                writer.add_document(fields.document(&doc))?;
            }
            Ok(seen.len())
        })
    }

    /// Runs `change` under the writer lock, then commits and reloads the reader; on any error
    /// the uncommitted changes are rolled back.
    fn write<T>(
        &self,
        change: impl FnOnce(&mut IndexWriter, &Fields) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut writer = self.lock_writer()?;
        let result = change(&mut writer, &self.fields).and_then(|value| {
            writer.commit()?;
            Ok(value)
        });
        match result {
            Ok(value) => {
                self.reader.reload()?;
                Ok(value)
            }
            Err(error) => {
                // The first error says what went wrong; a failing rollback would only add
                // that the writer is unusable, which the next write reports anyway.
                writer.rollback().ok();
                Err(error)
            }
        }
    }

    /// The writer; if a thread panicked while holding it, its uncommitted changes are dropped.
    fn lock_writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        match self.writer.lock() {
            Ok(guard) => Ok(guard),
            Err(poisoned) => {
                let mut guard = poisoned.into_inner();
                guard.rollback()?;
                self.writer.clear_poison();
                Ok(guard)
            }
        }
    }

    /// Answers one query. Never fails on user text; fails with [`SearchError::InvalidQuery`]
    /// if `page` is 0, `per_page` is outside `1..=MAX_PER_PAGE` or the page ends beyond
    /// [`MAX_RESULT_WINDOW`].
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let offset = check_page(query)?;
        let want = offset + query.per_page;
        let mut filters: [Vec<String>; Facet::ALL.len()] = Default::default();
        for (facet, value) in &query.filters {
            let values = &mut filters[facet.index()];
            if !values.contains(value) {
                values.push(value.clone());
            }
        }
        let text = query
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(TextQuery::parse);
        let collector = CatalogCollector {
            filters,
            want,
            scored: text.is_some(),
        };
        let searcher = self.reader.searcher();
        let collected = match &text {
            None => searcher.search(&AllQuery, &collector)?,
            Some(text) => {
                let all = searcher.search(&*text.build(&self.fields, Combine::All), &collector)?;
                if all.matched == 0 && text.words.len() > 1 {
                    let any: Box<dyn Query> = text.build(&self.fields, Combine::Any);
                    searcher.search(&*any, &collector)?
                } else {
                    all
                }
            }
        };
        Ok(results(
            collected,
            &collector.filters,
            offset,
            text.is_some(),
        ))
    }
}

/// Rejects documents the index cannot key.
fn check(doc: &EntryDoc) -> Result<(), SearchError> {
    if doc.code.trim().is_empty() {
        return Err(SearchError::InvalidDocument(format!(
            "entry \"{}\" has an empty code",
            doc.name
        )));
    }
    Ok(())
}

/// The offset of the first result of the page, once the page is known to be valid.
fn check_page(query: &SearchQuery) -> Result<usize, SearchError> {
    if query.page == 0 {
        return Err(SearchError::InvalidQuery("page starts at 1".into()));
    }
    if !(1..=MAX_PER_PAGE).contains(&query.per_page) {
        return Err(SearchError::InvalidQuery(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    match query.page.checked_mul(query.per_page) {
        Some(end) if end <= MAX_RESULT_WINDOW => Ok(end - query.per_page),
        _ => Err(SearchError::InvalidQuery(format!(
            "only the first {MAX_RESULT_WINDOW} results can be paged to; narrow the search"
        ))),
    }
}

/// The public shape of what the collector found.
fn results(
    collected: Collected,
    filters: &[Vec<String>; Facet::ALL.len()],
    offset: usize,
    scored: bool,
) -> SearchResults {
    let hits = collected
        .best
        .into_iter()
        .skip(offset)
        .map(|(rank, code)| Hit {
            code,
            score: scored.then_some(rank.score),
        })
        .collect();
    let mut facets = BTreeMap::new();
    for (facet, mut counts) in Facet::ALL.into_iter().zip(collected.facets) {
        for value in &filters[facet.index()] {
            counts.entry(value.clone()).or_insert((0, None));
        }
        let mut counts: Vec<FacetCount> = counts
            .into_iter()
            .map(|(value, (count, label))| FacetCount {
                value,
                label,
                count,
            })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        facets.insert(facet, counts);
    }
    SearchResults {
        total: collected.total,
        hits,
        facets,
    }
}

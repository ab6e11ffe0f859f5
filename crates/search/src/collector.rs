//! One pass over the documents matching the text: filters, facet counts and the best page.
//!
//! The tantivy query holds only the text (or matches everything); facet filters are applied
//! here, on the fast columns, because facet counts need the documents a filter rejects too. For
//! each matching document the collector reads its value ordinal in every facet column:
//!
//! - passes every filter → it is a result: counted in every facet and ranked for the page;
//! - fails exactly one facet's filter → counted in that facet only (it is what choosing another
//!   value of that facet would add);
//! - fails two or more → ignored.
//!
//! This gives "disjunctive" facet counts in one pass instead of one search per facet. Ordinals
//! are per segment, so counts are turned into strings when a segment is harvested.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::io;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use crate::model::Facet;
use crate::schema::{AGENCY_LABEL, CATEGORY_LABEL, CODE, PUBLISHED_AT};

const FACETS: usize = Facet::ALL.len();
/// Marks "no document seen yet" for a label.
const NO_DOC: DocId = DocId::MAX;

/// Collects the filtered total, the best `want` results and the facet counts.
pub(crate) struct CatalogCollector {
    /// Allowed values per facet, in [`Facet::ALL`] order; empty means no filter on that facet.
    pub(crate) filters: [Vec<String>; FACETS],
    /// How many of the best results to keep (the end of the requested page).
    pub(crate) want: usize,
    /// Rank by score (text query) or by publication time only.
    pub(crate) scored: bool,
}

/// Where a result stands: higher is better.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rank {
    pub(crate) score: Score,
    published_at: i64,
    segment: SegmentOrdinal,
    doc: DocId,
}

impl Ord for Rank {
    /// Higher score, then newer, then earlier in the index.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.published_at.cmp(&other.published_at))
            .then((other.segment, other.doc).cmp(&(self.segment, self.doc)))
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Rank {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Rank {}

/// Count and label (agency and category only) of one facet value.
pub(crate) type ValueCount = (usize, Option<String>);

/// What the collector found over all segments.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Documents matching the text, before filters.
    pub(crate) matched: usize,
    /// Documents matching the text and every filter.
    pub(crate) total: usize,
    /// The best `want` results with their codes, best first.
    pub(crate) best: Vec<(Rank, String)>,
    /// Per facet in [`Facet::ALL`] order: value → count and label.
    pub(crate) facets: [HashMap<String, ValueCount>; FACETS],
}

impl Collector for CatalogCollector {
    type Fruit = Collected;
    type Child = CatalogSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CatalogSegmentCollector> {
        let fast = reader.fast_fields();
        let mut columns: [Option<StrColumn>; FACETS] = Default::default();
        let mut allowed: [Option<Vec<bool>>; FACETS] = Default::default();
        let mut counts: [Vec<usize>; FACETS] = Default::default();
        let mut first_doc: [Vec<DocId>; FACETS] = Default::default();
        for facet in Facet::ALL {
            let f = facet.index();
            let column = fast.str(facet.as_str())?;
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            if !self.filters[f].is_empty() {
                let mut ok = vec![false; terms];
                if let Some(column) = &column {
                    for value in &self.filters[f] {
                        if let Some(ord) = column.dictionary().term_ord(value)? {
                            ok[ord as usize] = true;
                        }
                    }
                }
                allowed[f] = Some(ok);
            }
            counts[f] = vec![0; terms];
            if matches!(facet, Facet::Agency | Facet::Category) {
                first_doc[f] = vec![NO_DOC; terms];
            }
            columns[f] = column;
        }
        Ok(CatalogSegmentCollector {
            segment,
            want: self.want,
            columns,
            allowed,
            counts,
            first_doc,
            agency_label: fast.str(AGENCY_LABEL)?,
            category_label: fast.str(CATEGORY_LABEL)?,
            code: fast.str(CODE)?,
            published_at: fast.i64(PUBLISHED_AT)?,
            matched: 0,
            total: 0,
            best: BinaryHeap::with_capacity(self.want.min(1024) + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<io::Result<Collected>>) -> tantivy::Result<Collected> {
        let mut merged = Collected::default();
        for fruit in fruits {
            let fruit = fruit.map_err(TantivyError::from)?;
            merged.matched += fruit.matched;
            merged.total += fruit.total;
            merged.best.extend(fruit.best);
            for (into, from) in merged.facets.iter_mut().zip(fruit.facets) {
                for (value, (count, label)) in from {
                    let entry = into.entry(value).or_insert((0, None));
                    entry.0 += count;
                    if entry.1.is_none() {
                        entry.1 = label;
                    }
                }
            }
        }
        merged.best.sort_by_key(|(rank, _)| Reverse(*rank));
        merged.best.truncate(self.want);
        Ok(merged)
    }
}

/// The per-segment half of [`CatalogCollector`].
pub(crate) struct CatalogSegmentCollector {
    segment: SegmentOrdinal,
    want: usize,
    columns: [Option<StrColumn>; FACETS],
    /// Per facet with a filter: allowed[ordinal].
    allowed: [Option<Vec<bool>>; FACETS],
    /// Per facet: count[ordinal].
    counts: [Vec<usize>; FACETS],
    /// For agency and category: a document holding each ordinal, to read its label.
    first_doc: [Vec<DocId>; FACETS],
    agency_label: Option<StrColumn>,
    category_label: Option<StrColumn>,
    code: Option<StrColumn>,
    published_at: Column<i64>,
    matched: usize,
    total: usize,
    /// Min-heap of the best `want` results so far.
    best: BinaryHeap<Reverse<Rank>>,
}

impl CatalogSegmentCollector {
    fn count(&mut self, f: usize, ord: u64, doc: DocId) {
        let ord = ord as usize;
        self.counts[f][ord] += 1;
        if let Some(first) = self.first_doc[f].get_mut(ord)
            && *first == NO_DOC
        {
            *first = doc;
        }
    }

    fn rank(&mut self, rank: Rank) {
        if self.best.len() < self.want {
            self.best.push(Reverse(rank));
        } else if let Some(mut worst) = self.best.peek_mut()
            && rank > worst.0
        {
            *worst = Reverse(rank);
        }
    }

    fn harvest_facets(&self) -> io::Result<[HashMap<String, ValueCount>; FACETS]> {
        let mut facets: [HashMap<String, ValueCount>; FACETS] = Default::default();
        for facet in Facet::ALL {
            let f = facet.index();
            let Some(column) = &self.columns[f] else {
                continue;
            };
            let label_column = match facet {
                Facet::Agency => self.agency_label.as_ref(),
                Facet::Category => self.category_label.as_ref(),
                _ => None,
            };
            for (ord, &count) in self.counts[f].iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let mut value = String::new();
                column.ord_to_str(ord as u64, &mut value)?;
                let label = match (label_column, self.first_doc[f].get(ord)) {
                    (Some(labels), Some(&doc)) => read_str(labels, doc)?,
                    _ => None,
                };
                facets[f].insert(value, (count, label));
            }
        }
        Ok(facets)
    }
}

/// The value of a single-valued string column for one document.
fn read_str(column: &StrColumn, doc: DocId) -> io::Result<Option<String>> {
    let Some(ord) = column.ords().first(doc) else {
        return Ok(None);
    };
    let mut out = String::new();
    column.ord_to_str(ord, &mut out)?;
    Ok(Some(out))
}

impl SegmentCollector for CatalogSegmentCollector {
    type Fruit = io::Result<Collected>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.matched += 1;
        let mut ords = [None; FACETS];
        let mut failed = None;
        for (f, (column, slot)) in self.columns.iter().zip(&mut ords).enumerate() {
            let ord = column.as_ref().and_then(|c| c.ords().first(doc));
            *slot = ord;
            if let Some(allowed) = &self.allowed[f]
                && !ord.is_some_and(|o| allowed[o as usize])
            {
                if failed.is_some() {
                    return;
                }
                failed = Some(f);
            }
        }
        if let Some(f) = failed {
            if let Some(ord) = ords[f] {
                self.count(f, ord, doc);
            }
            return;
        }
        self.total += 1;
        for (f, ord) in ords.into_iter().enumerate() {
            if let Some(ord) = ord {
                self.count(f, ord, doc);
            }
        }
        let published_at = self.published_at.first(doc).unwrap_or(i64::MIN);
        self.rank(Rank {
            score,
            published_at,
            segment: self.segment,
            doc,
        });
    }

    fn harvest(self) -> io::Result<Collected> {
        let facets = self.harvest_facets()?;
        let mut best = Vec::with_capacity(self.best.len());
        for Reverse(rank) in self.best.into_sorted_vec() {
            let code = match &self.code {
                Some(column) => read_str(column, rank.doc)?.unwrap_or_default(),
                None => String::new(),
            };
            best.push((rank, code));
        }
        Ok(Collected {
            matched: self.matched,
            total: self.total,
            best,
            facets,
        })
    }
}

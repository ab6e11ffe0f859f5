//! The plain values that cross the crate boundary: what is indexed, what is asked, what comes back.
//!
//! Nothing here knows about tantivy, so the app layer builds and reads these without touching
//! the index's types.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Largest `per_page` a [`SearchQuery`] may ask for.
pub const MAX_PER_PAGE: usize = 100;

/// Deepest result a query can page to (`page * per_page`), as in most search engines: deeper
/// pages cost memory in every segment and nobody reads them; narrow the query with facets instead.
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// One published catalog entry, as the app layer hands it over to be indexed.
///
/// `code` is the unique key: indexing a document whose code is already in the index replaces
/// the old one. The facet fields hold stable values (organisation id, category code, enum
/// names such as `conditional`); `provider_name` and `category_name` are only labels shown next
/// to the agency and category facet counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDoc {
    /// Resource code, unique, e.g. `101-00001`. Must not be empty.
    pub code: String,
    /// 资源名称: matches weigh the most.
    pub name: String,
    /// 摘要: matches weigh less than the name.
    pub summary: String,
    /// 信息项名称: matches weigh less than the summary.
    pub item_names: Vec<String>,
    /// Facet [`Facet::Agency`] value.
    pub provider_org_id: String,
    /// Label of the agency facet value; also searchable, with a low weight.
    pub provider_name: String,
    /// Facet [`Facet::Category`] value.
    pub category_code: String,
    /// Label of the category facet value; also searchable, with a low weight.
    pub category_name: String,
    /// Facet [`Facet::Grade`] value, e.g. `general_2`, `important`, `core`.
    pub grade: String,
    /// Facet [`Facet::ShareType`] value: `unconditional`, `conditional` or `not_shared`.
    pub share_type: String,
    /// Facet [`Facet::OpenType`] value: `unconditional`, `conditional` or `not_open`.
    pub open_type: String,
    /// Facet [`Facet::UpdateFrequency`] value: `real_time`, `daily`, … `irregular`.
    pub update_frequency: String,
    /// Facet [`Facet::DataForm`] value: `electronic_file`, `spreadsheet`, … `service_interface`.
    pub data_form: String,
    /// Facet [`Facet::Quality`] value: the grade of quality of the current data version
    /// (`excellent`, `good`, `fair`, `poor`, or `unscored` without scored data).
    pub quality: String,
    /// Publication time, UTC microseconds since the epoch; newest first when there is no text.
    pub published_at: i64,
}

impl EntryDoc {
    /// The value this document has for `facet`.
    pub fn facet_value(&self, facet: Facet) -> &str {
        match facet {
            Facet::Agency => &self.provider_org_id,
            Facet::Category => &self.category_code,
            Facet::Grade => &self.grade,
            Facet::ShareType => &self.share_type,
            Facet::OpenType => &self.open_type,
            Facet::UpdateFrequency => &self.update_frequency,
            Facet::DataForm => &self.data_form,
            Facet::Quality => &self.quality,
        }
    }
}

/// A dimension results are counted and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Agency,
    Category,
    Grade,
    ShareType,
    OpenType,
    UpdateFrequency,
    DataForm,
    /// The grade of quality of the current data (质量等级), for the open-data portal.
    Quality,
}

impl Facet {
    /// Every facet, in the order pages show them.
    pub const ALL: [Facet; 8] = [
        Facet::Agency,
        Facet::Category,
        Facet::Grade,
        Facet::ShareType,
        Facet::OpenType,
        Facet::UpdateFrequency,
        Facet::DataForm,
        Facet::Quality,
    ];

    /// The stable name used in URLs (`?share_type=conditional`) and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Facet::Agency => "agency",
            Facet::Category => "category",
            Facet::Grade => "grade",
            Facet::ShareType => "share_type",
            Facet::OpenType => "open_type",
            Facet::UpdateFrequency => "update_frequency",
            Facet::DataForm => "data_form",
            Facet::Quality => "quality",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of [`Facet::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown facet `{0}`")]
pub struct UnknownFacet(pub String);

impl FromStr for Facet {
    type Err = UnknownFacet;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Facet::ALL
            .into_iter()
            .find(|facet| facet.as_str() == s)
            .ok_or_else(|| UnknownFacet(s.to_owned()))
    }
}

/// What a user asked: optional text, facet filters and a page.
///
/// `q` is plain text, never query syntax: quotes, colons and brackets are ignored like any
/// punctuation. Every word of `q` must match the name, summary, an item name or the agency or
/// category label (synonyms of common abbreviations count, see the crate docs); if no entry
/// holds every word, entries holding any of them are returned instead, best first. An entry whose
/// code equals the trimmed `q` always matches. A `q` of only punctuation finds nothing else; an
/// empty or blank `q` is the same as `None`.
///
/// Filters are ANDed across facets and ORed within one facet:
/// `[(Grade, "core"), (Grade, "important"), (ShareType, "conditional")]` means
/// (core OR important) AND conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub filters: Vec<(Facet, String)>,
    /// 1-based.
    pub page: usize,
    /// `1..=MAX_PER_PAGE`.
    pub per_page: usize,
}

impl Default for SearchQuery {
    /// Everything, newest first, first page of 20.
    fn default() -> Self {
        Self {
            q: None,
            filters: Vec::new(),
            page: 1,
            per_page: 20,
        }
    }
}

impl SearchQuery {
    /// A first page of 20 for this text.
    pub fn text(q: impl Into<String>) -> Self {
        Self {
            q: Some(q.into()),
            ..Self::default()
        }
    }

    /// Adds a filter (builder style).
    pub fn filter(mut self, facet: Facet, value: impl Into<String>) -> Self {
        self.filters.push((facet, value.into()));
        self
    }

    /// Sets the page (builder style).
    pub fn page(mut self, page: usize, per_page: usize) -> Self {
        self.page = page;
        self.per_page = per_page;
        self
    }
}

/// One page of results and the facet counts of the whole result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// Entries matching the text and every filter (all pages).
    pub total: usize,
    /// This page, best first: by relevance when there was text, else newest first.
    pub hits: Vec<Hit>,
    /// Every facet is present. A facet's counts cover the entries matching the text and the
    /// filters of the *other* facets, so choosing another value of a facet shows how many
    /// entries that choice would give (the usual "disjunctive" facets). Values with no entry are
    /// left out, except values the query filters on, which appear with count 0. Sorted by count
    /// descending, then value.
    pub facets: BTreeMap<Facet, Vec<FacetCount>>,
}

/// One entry in a page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub code: String,
    /// BM25 relevance when the query had text (higher is better); `None` otherwise.
    pub score: Option<f32>,
}

/// How many entries have one facet value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    /// The agency's or category's name for those facets, `None` for the others (their values
    /// are enum names the caller translates).
    pub label: Option<String>,
    pub count: usize,
}

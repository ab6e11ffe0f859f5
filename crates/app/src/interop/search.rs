//! Finding open datasets for the harvest interfaces: the catalog's search index (Chinese text,
//! facets) over open entries only, paged by a start row and a row count as CKAN clients page,
//! and the publishers and topics with how many open datasets each has.

use std::collections::{BTreeMap, HashMap};

use gongshu_domain::Violation;
use gongshu_domain::catalog::{OpenType, Vocabulary};
use gongshu_search::{Facet, FacetCount, MAX_PER_PAGE, MAX_RESULT_WINDOW, SearchQuery};

use super::datasets::{Context, OpenDataset, Publisher, Topic, datasets_of};
use crate::{App, AppError, Result};

/// The most datasets one search answers (CKAN's default `ckan.search.rows_max`).
pub const MAX_ROWS: usize = 1_000;

/// A search: text, facet filters (ORed within a facet, ANDed across), and a window.
#[derive(Debug, Clone, Default)]
pub struct DatasetSearch {
    pub q: Option<String>,
    pub filters: Vec<(Facet, String)>,
    /// The first result's position, from 0.
    pub start: usize,
    /// 0 (facets and the count only) to [`MAX_ROWS`].
    pub rows: usize,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct DatasetHits {
    /// Open datasets matching, over all pages.
    pub total: usize,
    pub datasets: Vec<OpenDataset>,
    /// Counts per facet value over the matching open datasets (never a not-open value).
    pub facets: BTreeMap<Facet, Vec<FacetCount>>,
}

/// The open types the public may see.
fn open_types() -> [&'static str; 2] {
    [OpenType::Unconditional.code(), OpenType::Conditional.code()]
}

/// Searches the open datasets. Results come best first (by relevance with text, newest
/// publication first without).
pub async fn search_datasets(app: &App, search: DatasetSearch) -> Result<DatasetHits> {
    if search.rows > MAX_ROWS {
        return Err(Violation::new(
            "rows",
            "too_many_rows",
            format!("rows 不能超过{MAX_ROWS}"),
            format!("rows may be at most {MAX_ROWS}"),
        )
        .into());
    }
    if search.start.saturating_add(search.rows) > MAX_RESULT_WINDOW {
        return Err(Violation::new(
            "start",
            "start_out_of_range",
            format!("检索结果最多可翻阅前{MAX_RESULT_WINDOW}条，请增加检索条件缩小范围"),
            format!(
                "only the first {MAX_RESULT_WINDOW} results can be paged to; narrow the search"
            ),
        )
        .into());
    }
    let mut filters: Vec<(Facet, String)> = Vec::new();
    let mut open_asked = Vec::new();
    for (facet, value) in search.filters {
        if facet == Facet::OpenType {
            open_asked.push(value);
        } else {
            filters.push((facet, value));
        }
    }
    let open: Vec<String> = if open_asked.is_empty() {
        open_types().map(str::to_owned).to_vec()
    } else {
        open_asked
            .into_iter()
            .filter(|o| open_types().contains(&o.as_str()))
            .collect()
    };
    if open.is_empty() {
        return Ok(DatasetHits {
            total: 0,
            datasets: Vec::new(),
            facets: BTreeMap::new(),
        });
    }
    filters.extend(open.into_iter().map(|o| (Facet::OpenType, o)));
    let query = |page: usize, per_page: usize| SearchQuery {
        q: search.q.clone(),
        filters: filters.clone(),
        page,
        per_page,
    };
    let run = |q: SearchQuery| {
        app.search
            .search(&q)
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    // One index page when the window is one; otherwise the pages of 100 that cover it.
    let (start, rows) = (search.start, search.rows);
    let (results, codes) = if rows == 0 {
        (run(query(1, 1))?, Vec::new())
    } else if rows <= MAX_PER_PAGE && start % rows == 0 {
        let r = run(query(start / rows + 1, rows))?;
        let codes = r.hits.iter().map(|h| h.code.clone()).collect();
        (r, codes)
    } else {
        let first = start / MAX_PER_PAGE;
        let last = (start + rows - 1) / MAX_PER_PAGE;
        let mut codes = Vec::new();
        let mut results = None;
        for page in first..=last {
            let r = run(query(page + 1, MAX_PER_PAGE))?;
            let skip = if page == first {
                start % MAX_PER_PAGE
            } else {
                0
            };
            codes.extend(r.hits.iter().skip(skip).map(|h| h.code.clone()));
            let done = r.hits.len() < MAX_PER_PAGE;
            results = Some(r);
            if done {
                break;
            }
        }
        codes.truncate(rows);
        (results.expect("at least one page was searched"), codes)
    };
    let mut facets = results.facets;
    if let Some(counts) = facets.get_mut(&Facet::OpenType) {
        counts.retain(|c| open_types().contains(&c.value.as_str()));
    }
    Ok(DatasetHits {
        total: results.total,
        datasets: datasets_of(app, &codes).await?,
        facets,
    })
}

/// How many open datasets match nothing but their facets: the counts per facet value.
async fn counts(app: &App, facet: Facet) -> Result<HashMap<String, usize>> {
    let hits = search_datasets(app, DatasetSearch::default()).await?;
    Ok(hits
        .facets
        .get(&facet)
        .map(|counts| counts.iter().map(|c| (c.value.clone(), c.count)).collect())
        .unwrap_or_default())
}

/// The organisations that publish open datasets, with how many each, by name.
pub async fn publishers(app: &App) -> Result<Vec<(Publisher, usize)>> {
    let counts = counts(app, Facet::Agency).await?;
    let mut conn = app.db.acquire().await?;
    let context = Context::load(&mut conn).await?;
    let mut out: Vec<(Publisher, usize)> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .filter_map(|(id, n)| context.publisher(&id).map(|p| (p, n)))
        .collect();
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.id.cmp(&b.0.id)));
    Ok(out)
}

/// Every topic of the scheme in force, with how many open datasets each has.
pub async fn topic_counts(app: &App) -> Result<Vec<(Topic, usize)>> {
    let counts = counts(app, Facet::Category).await?;
    let mut conn = app.db.acquire().await?;
    let context = Context::load(&mut conn).await?;
    Ok(context
        .topics()
        .into_iter()
        .map(|t| {
            let n = counts.get(&t.code).copied().unwrap_or(0);
            (t, n)
        })
        .collect())
}

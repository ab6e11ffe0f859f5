//! Finding entries (H8, H15, H16): Chinese full-text search with facets over published entries
//! through the `gongshu-search` index, and an agency's own catalog (drafts included) from the
//! database. Anonymous visitors and public users see only open entries; staff see every
//! published entry. The index is derived data: updated after each publish, rebuilt from the
//! database at start when it disagrees, and by `gongshu search rebuild`.

use gongshu_domain::Paging;
use std::collections::{BTreeMap, HashMap};

use gongshu_domain::catalog::Revision;
use gongshu_domain::catalog::{
    DataForm, Grade, OpenType, ShareType, UpdateFrequency, Vocabulary, label_zh,
};
use gongshu_domain::quality::QualityGrade;
use gongshu_domain::{Action, Target, Violation, decide};
use gongshu_search::{EntryDoc, Facet, SearchQuery};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::versions;
use serde::{Deserialize, Serialize};

use super::scope::org_map;
use super::views::EntryView;
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Chinese text matched against names, summaries and item names.
    pub q: Option<String>,
    /// Facet filters: one parameter per facet; several values separated by commas (OR).
    pub agency: Option<String>,
    pub category: Option<String>,
    pub grade: Option<String>,
    pub share_type: Option<String>,
    pub open_type: Option<String>,
    pub update_frequency: Option<String>,
    pub data_form: Option<String>,
    /// 质量等级 of the current data: `excellent`, `good`, `fair`, `poor`, `unscored`.
    pub quality: Option<String>,
    /// Only the caller's own organisation's entries, drafts included.
    pub mine: Option<bool>,
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<usize>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntrySummary {
    pub code: String,
    pub name: String,
    pub summary: String,
    /// Providing organisation id.
    pub provider: String,
    pub provider_name: String,
    pub category_code: String,
    pub category_name: String,
    pub grade: String,
    pub share_type: String,
    pub open_type: String,
    pub update_frequency: String,
    pub data_form: String,
    /// Workflow state of the revision shown (published for search results).
    pub state: String,
    pub revision: i64,
    pub published_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogPage {
    pub total: usize,
    pub entries: Vec<EntrySummary>,
    /// Counts per facet value, keyed by facet name (agency, category, grade, …).
    pub facets: BTreeMap<String, Vec<FacetValue>>,
    pub page: usize,
    pub per_page: usize,
}

fn label(facet: Facet, value: &str, given: Option<String>) -> String {
    given.unwrap_or_else(|| match facet {
        Facet::Grade => Grade::label_zh(value),
        Facet::ShareType => label_zh::<ShareType>(value),
        Facet::OpenType => label_zh::<OpenType>(value),
        Facet::UpdateFrequency => label_zh::<UpdateFrequency>(value),
        Facet::DataForm => label_zh::<DataForm>(value),
        Facet::Quality => label_zh::<QualityGrade>(value),
        Facet::Agency | Facet::Category => value.to_owned(),
    })
}

fn values(raw: &Option<String>) -> Vec<String> {
    raw.as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Everyone who is not staff sees only open entries.
fn sees_all_published(ctx: Option<Ctx<'_>>) -> bool {
    ctx.is_some_and(|c| {
        decide(&c.principal.actor, Action::ViewCatalog, Target::Platform).is_allowed()
    })
}

fn summary_of(
    entry: &EntryRow,
    r: &Revision,
    provider_name: String,
    category_name: String,
) -> EntrySummary {
    EntrySummary {
        code: entry.code.clone(),
        name: r.name.clone(),
        summary: r.summary.clone(),
        provider: entry.org_id.clone(),
        provider_name,
        category_code: r.category_code.clone(),
        category_name,
        grade: r.grade.clone(),
        share_type: r.share_type.code().into(),
        open_type: r.open_type.code().into(),
        update_frequency: r.update_frequency.code().into(),
        data_form: r.data_form.code().into(),
        state: r.state.code().into(),
        revision: r.revision,
        published_at: r.published_at.map(format_time),
    }
}

/// `GET /api/v1/catalog/entries`: search, or the caller's own catalog with `mine=true`.
pub async fn search_entries(
    app: &App,
    ctx: Option<Ctx<'_>>,
    params: SearchParams,
) -> Result<CatalogPage> {
    let paging = Paging::parse_counts(
        params.page.unwrap_or(1),
        params.per_page.unwrap_or(20),
        gongshu_search::MAX_PER_PAGE,
    )?;
    let (page, per_page) = (paging.page_count(), paging.per_page_count());
    if params.mine == Some(true) {
        return own_catalog(app, ctx, &params, page, per_page).await;
    }
    let mut query = SearchQuery {
        q: params.q.clone(),
        filters: Vec::new(),
        page,
        per_page,
    };
    let facet_params = [
        (Facet::Agency, &params.agency),
        (Facet::Category, &params.category),
        (Facet::Grade, &params.grade),
        (Facet::ShareType, &params.share_type),
        (Facet::UpdateFrequency, &params.update_frequency),
        (Facet::DataForm, &params.data_form),
        (Facet::Quality, &params.quality),
    ];
    for (facet, raw) in facet_params {
        query
            .filters
            .extend(values(raw).into_iter().map(|v| (facet, v)));
    }
    let all = sees_all_published(ctx);
    let mut open = values(&params.open_type);
    if !all {
        open = if open.is_empty() {
            vec!["unconditional".into(), "conditional".into()]
        } else {
            open
        };
        open.retain(|o| o != "not_open");
        if open.is_empty() {
            return Ok(CatalogPage {
                total: 0,
                entries: Vec::new(),
                facets: BTreeMap::new(),
                page,
                per_page,
            });
        }
    }
    query
        .filters
        .extend(open.into_iter().map(|v| (Facet::OpenType, v)));
    let results = app.search.search(&query).map_err(|e| match e {
        // Page and size are clamped above, so the index refuses only pages past the result
        // window it ranks.
        gongshu_search::SearchError::InvalidQuery(why) => AppError::from(Violation::new(
            "page",
            "page_out_of_range",
            format!(
                "页码超出范围：检索结果最多可翻阅前{}条，请增加检索条件缩小范围",
                gongshu_search::MAX_RESULT_WINDOW
            ),
            format!("page out of range: {why}"),
        )),
        other => AppError::Internal(other.to_string()),
    })?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let (_, scheme) = super::scheme::latest(&mut conn).await?;
    let mut entries = Vec::new();
    for hit in &results.hits {
        let Some(entry) = catalog::get_entry_by_code(&mut conn, &hit.code).await? else {
            continue;
        };
        let Some(revision) = entry.published_revision else {
            continue;
        };
        let Some(r) = catalog::get_revision(&mut conn, &entry.id, revision).await? else {
            continue;
        };
        let provider = orgs
            .get(&entry.org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let category = scheme
            .category(&r.category_code)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        entries.push(summary_of(&entry, &r, provider, category));
    }
    let facets = results
        .facets
        .into_iter()
        .map(|(facet, counts)| {
            let shown = counts
                .into_iter()
                .filter(|c| all || facet != Facet::OpenType || c.value != "not_open")
                .map(|c| FacetValue {
                    label: label(facet, &c.value, c.label),
                    value: c.value,
                    count: c.count,
                })
                .collect();
            (facet.as_str().to_owned(), shown)
        })
        .collect();
    Ok(CatalogPage {
        total: results.total,
        entries,
        facets,
        page,
        per_page,
    })
}

/// The caller's organisation's entries at their latest revision, drafts included; filtered and
/// counted in memory (an agency holds hundreds of entries, not millions).
async fn own_catalog(
    app: &App,
    ctx: Option<Ctx<'_>>,
    params: &SearchParams,
    page: usize,
    per_page: usize,
) -> Result<CatalogPage> {
    let ctx = ctx.ok_or(AppError::Unauthenticated)?;
    let org_id = ctx.principal.org_id.clone().unwrap_or_default();
    crate::record::authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &org_id },
        "catalog",
        &org_id,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let (_, scheme) = super::scheme::latest(&mut conn).await?;
    let q = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let mut rows = Vec::new();
    for entry in catalog::list_entries(&mut conn)
        .await?
        .into_iter()
        .filter(|e| e.org_id == org_id)
    {
        let Some(r) = catalog::get_revision(&mut conn, &entry.id, entry.latest_revision).await?
        else {
            continue;
        };
        if q.is_some_and(|q| !r.name.contains(q) && !r.summary.contains(q) && entry.code != q) {
            continue;
        }
        let provider = orgs
            .get(&entry.org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let category = scheme
            .category(&r.category_code)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        rows.push(summary_of(&entry, &r, provider, category));
    }
    let wanted: HashMap<&str, Vec<String>> = [
        ("category", values(&params.category)),
        ("grade", values(&params.grade)),
        ("share_type", values(&params.share_type)),
        ("open_type", values(&params.open_type)),
        ("update_frequency", values(&params.update_frequency)),
        ("data_form", values(&params.data_form)),
    ]
    .into_iter()
    .collect();
    let field = |s: &EntrySummary, facet: &str| -> String {
        match facet {
            "category" => s.category_code.clone(),
            "grade" => s.grade.clone(),
            "share_type" => s.share_type.clone(),
            "open_type" => s.open_type.clone(),
            "update_frequency" => s.update_frequency.clone(),
            _ => s.data_form.clone(),
        }
    };
    rows.retain(|s| {
        wanted
            .iter()
            .all(|(facet, vals)| vals.is_empty() || vals.contains(&field(s, facet)))
    });
    let mut facets = BTreeMap::new();
    for facet in [
        Facet::Category,
        Facet::Grade,
        Facet::ShareType,
        Facet::OpenType,
        Facet::UpdateFrequency,
        Facet::DataForm,
    ] {
        let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for s in &rows {
            let value = field(s, facet.as_str());
            let given = (facet == Facet::Category).then(|| s.category_name.clone());
            counts
                .entry(value.clone())
                .or_insert((0, label(facet, &value, given)))
                .0 += 1;
        }
        let mut list: Vec<FacetValue> = counts
            .into_iter()
            .map(|(value, (count, label))| FacetValue {
                value,
                label,
                count,
            })
            .collect();
        list.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        facets.insert(facet.as_str().to_owned(), list);
    }
    let total = rows.len();
    let entries = rows
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    Ok(CatalogPage {
        total,
        entries,
        facets,
        page,
        per_page,
    })
}

fn doc_of(view: &EntryView, published_at: i64, quality: QualityGrade) -> EntryDoc {
    EntryDoc {
        code: view.code.clone(),
        name: view.name.clone(),
        summary: view.summary.clone(),
        item_names: view.items.iter().map(|i| i.name.clone()).collect(),
        provider_org_id: view.org_id.clone(),
        provider_name: view.provider_name.clone(),
        category_code: view.category_code.clone(),
        category_name: view.category_name.clone(),
        grade: view.grade.clone(),
        share_type: view.share_type.clone(),
        // Withdrawn open data has left the open list (H27): the public search no longer finds
        // it, staff still do.
        open_type: match &view.opening {
            Some(o) if o.state == "withdrawn" => OpenType::NotOpen.code().into(),
            _ => view.open_type.clone(),
        },
        update_frequency: view.update_frequency.clone(),
        data_form: view.data_form.clone(),
        quality: quality.code().to_owned(),
        published_at,
    }
}

/// The grade of quality of an entry's current data version, from the overall score stored
/// with it; 未评分 without a scored version.
pub(crate) async fn quality_grade(app: &App, entry_id: &str) -> Result<QualityGrade> {
    let mut conn = app.db.acquire().await?;
    let current = versions::get_current_version(&mut conn, entry_id).await?;
    drop(conn);
    let scores = match current {
        Some(v) => crate::quality::VersionQuality::from_manifest(v.quality.as_deref())?
            .map(|q| q.scores.overall),
        None => None,
    };
    Ok(QualityGrade::of(scores))
}

/// After-commit: puts a newly published revision in the index, with the grade of its current
/// data. A failure is logged, not returned: the publish stands, and the index is rebuilt from
/// the database at next start.
pub(crate) async fn index_published(
    app: &App,
    entry_id: &str,
    view: &EntryView,
    published_at: i64,
) {
    let indexed = match quality_grade(app, entry_id).await {
        Ok(quality) => app
            .search
            .upsert(&doc_of(view, published_at, quality))
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = indexed {
        tracing::error!(entry.code = %view.code, error = %e, "search index update failed; rebuild with `gongshu search rebuild`");
    }
}

/// After-commit: the entry's current data changed (a version committed, confirmed or
/// withdrawn), so its grade of quality may have, or its opening was withdrawn (H27); its
/// published revision is indexed again.
/// Logged, not returned, like [`index_published`].
pub(crate) async fn reindex_published(app: &App, code: &str) {
    let reindexed = async {
        let mut conn = app.db.acquire().await?;
        let entry = catalog::get_entry_by_code(&mut conn, code).await?;
        drop(conn);
        let Some((entry, revision)) = entry.and_then(|e| e.published_revision.map(|r| (e, r)))
        else {
            return Ok(());
        };
        let (view, published_at) = super::views::published_view(app, &entry, revision).await?;
        let quality = quality_grade(app, &entry.id).await?;
        app.search
            .upsert(&doc_of(&view, published_at, quality))
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let result: Result<()> = reindexed.await;
    if let Err(e) = result {
        tracing::error!(entry.code = %code, error = %e, "search index update failed; rebuild with `gongshu search rebuild`");
    }
}

/// Every published entry as an index document.
async fn all_docs(app: &App) -> Result<Vec<EntryDoc>> {
    let mut conn = app.db.acquire().await?;
    let entries = catalog::list_entries(&mut conn).await?;
    drop(conn);
    let mut docs = Vec::new();
    for entry in entries {
        let Some(revision) = entry.published_revision else {
            continue;
        };
        let (view, published_at) = super::views::published_view(app, &entry, revision).await?;
        let quality = quality_grade(app, &entry.id).await?;
        docs.push(doc_of(&view, published_at, quality));
    }
    Ok(docs)
}

/// Rebuilds the index from the database (`gongshu search rebuild`); returns documents indexed.
pub async fn rebuild(app: &App) -> Result<usize> {
    let docs = all_docs(app).await?;
    app.search
        .rebuild(docs)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// At start: rebuild when the index does not hold exactly the published entries.
pub(crate) async fn ensure_index(app: &App) -> Result<()> {
    let mut conn = app.db.acquire().await?;
    let published = catalog::list_entries(&mut conn)
        .await?
        .iter()
        .filter(|e| e.published_revision.is_some())
        .count();
    drop(conn);
    if app.search.num_docs() as usize != published {
        let n = rebuild(app).await?;
        tracing::info!(search.docs = n, "search index rebuilt from the database");
    }
    Ok(())
}

/// A base database (H16: natural person, legal person, e-licence, social credit, natural
/// resources and spatial) or a thematic database: a browsable grouping of entries by category.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DatabaseView {
    /// `base` or `thematic`.
    pub group: String,
    /// The base database code (e.g. `natural_person`), or the category code for a thematic one.
    pub key: String,
    pub name: String,
    pub category_code: String,
    pub category_name: String,
    /// Published entries the caller may see in this grouping.
    pub entries: usize,
}

/// The base and thematic databases with their entry counts; browse one with
/// `GET /api/v1/catalog/entries?category=CODE`.
pub async fn databases(app: &App, ctx: Option<Ctx<'_>>) -> Result<Vec<DatabaseView>> {
    use gongshu_domain::catalog::{BaseDatabase, CategoryGroup};
    let counts: HashMap<String, usize> = search_entries(
        app,
        ctx,
        SearchParams {
            per_page: Some(1),
            ..SearchParams::default()
        },
    )
    .await?
    .facets
    .remove("category")
    .unwrap_or_default()
    .into_iter()
    .map(|f| (f.value, f.count))
    .collect();
    let (_, scheme) = super::scheme::latest(&mut *app.db.acquire().await?).await?;
    Ok(scheme
        .categories
        .iter()
        .filter(|c| c.group != CategoryGroup::Department)
        .map(|c| DatabaseView {
            group: c.group.code().into(),
            key: c
                .base_database
                .map(|b| b.code().to_owned())
                .unwrap_or_else(|| c.code.clone()),
            name: c
                .base_database
                .map(|b: BaseDatabase| b.zh().to_owned())
                .unwrap_or_else(|| format!("{}主题库", c.name)),
            category_code: c.code.clone(),
            category_name: c.name.clone(),
            entries: counts.get(&c.code).copied().unwrap_or(0),
        })
        .collect())
}

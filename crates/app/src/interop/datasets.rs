//! An open dataset (开放数据集) as the harvest interfaces describe it: the published revision
//! of an open entry with its publisher, topic and current data version, read the same way
//! whether one is shown, a search page is filled or the whole catalog is paged.

use std::collections::HashMap;

use gongshu_domain::catalog::{
    CategoryGroup, DataForm, OpenType, Revision, Scheme, UpdateFrequency,
};
use gongshu_domain::{OrgKind, OrgLevel};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::orgs::OrgRow;
use gongshu_store::{Conn, versions};

use crate::catalog::scheme::latest;
use crate::catalog::scope::org_map;
use crate::{App, AppError, Result};

/// The most datasets one page of the catalog holds.
pub const CATALOG_MAX_PAGE: usize = 1_000;

/// The organisation that publishes a dataset (its providing agency).
#[derive(Debug, Clone)]
pub struct Publisher {
    pub id: String,
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// The organisation's contact for its data (the liaison's office line and mail); the
    /// liaison's own name is not published.
    pub phone: String,
    pub email: String,
    pub created_at: i64,
}

impl Publisher {
    fn of(org: &OrgRow) -> Self {
        Self {
            id: org.id.clone(),
            name: org.name.clone(),
            credit_code: org.credit_code.clone(),
            phone: org.liaison_phone.clone(),
            email: org.liaison_email.clone(),
            created_at: org.created_at,
        }
    }
}

/// A topic (主题): a category of the classification scheme in force.
#[derive(Debug, Clone)]
pub struct Topic {
    pub code: String,
    pub name: String,
    pub group: CategoryGroup,
}

/// The data version a dataset serves now.
#[derive(Debug, Clone)]
pub struct DataFacts {
    pub version: i64,
    pub rows: i64,
    /// Size of the stored Parquet file.
    pub bytes: i64,
    /// When this version's data came into force, UTC microseconds.
    pub in_force_at: i64,
}

/// A published entry the public may see, as the harvest interfaces describe it.
#[derive(Debug, Clone)]
pub struct OpenDataset {
    /// The entry's stable id.
    pub id: String,
    pub code: String,
    pub name: String,
    pub summary: String,
    pub publisher: Publisher,
    pub topic: Topic,
    /// Unconditional or conditional, never not-open.
    pub open_type: OpenType,
    pub open_conditions: String,
    pub update_frequency: UpdateFrequency,
    pub data_form: DataForm,
    /// The published revision.
    pub revision: i64,
    /// When the entry was recorded, UTC microseconds.
    pub created_at: i64,
    /// When the published revision was published, UTC microseconds.
    pub published_at: i64,
    /// `None` until a version of its data is in force.
    pub data: Option<DataFacts>,
}

/// What loading needs besides the entry: organisations and the scheme in force.
pub(crate) struct Context {
    orgs: HashMap<String, OrgRow>,
    scheme: Scheme,
}

impl Context {
    pub(crate) async fn load(conn: &mut Conn) -> Result<Self> {
        let orgs = org_map(conn).await?;
        let (_, scheme) = latest(conn).await?;
        Ok(Self { orgs, scheme })
    }

    pub(crate) fn topic(&self, code: &str) -> Topic {
        match self.scheme.category(code) {
            Some(c) => Topic {
                code: c.code.clone(),
                name: c.name.clone(),
                group: c.group,
            },
            // A category the scheme in force no longer has keeps its code.
            None => Topic {
                code: code.to_owned(),
                name: code.to_owned(),
                group: CategoryGroup::Department,
            },
        }
    }

    pub(crate) fn topics(&self) -> Vec<Topic> {
        self.scheme
            .categories
            .iter()
            .map(|c| self.topic(&c.code))
            .collect()
    }

    pub(crate) fn publisher(&self, id: &str) -> Option<Publisher> {
        self.orgs.get(id).map(Publisher::of)
    }

    /// The entry as an open dataset; `None` when it is not published or not open.
    pub(crate) async fn dataset(
        &self,
        conn: &mut Conn,
        entry: &EntryRow,
    ) -> Result<Option<OpenDataset>> {
        let Some(r) = catalog::get_published_revision(conn, entry).await? else {
            return Ok(None);
        };
        if r.open_type == OpenType::NotOpen {
            return Ok(None);
        }
        // Withdrawn after an objection or a risk (H27): no longer open data.
        if crate::objections::opening_of(conn, entry)
            .await?
            .is_some_and(|o| o.state == "withdrawn")
        {
            return Ok(None);
        }
        let publisher = self
            .publisher(&entry.org_id)
            .ok_or_else(|| AppError::Internal(format!("{}: no publisher", entry.code)))?;
        let data = versions::get_current_version(conn, &entry.id)
            .await?
            .map(|v| DataFacts {
                version: v.version,
                rows: v.rows,
                bytes: v.data_bytes,
                in_force_at: v.in_force_at(),
            });
        Ok(Some(self.build(entry, r, publisher, data)))
    }

    fn build(
        &self,
        entry: &EntryRow,
        r: Revision,
        publisher: Publisher,
        data: Option<DataFacts>,
    ) -> OpenDataset {
        OpenDataset {
            id: entry.id.clone(),
            code: entry.code.clone(),
            topic: self.topic(&r.category_code),
            name: r.name,
            summary: r.summary,
            publisher,
            open_type: r.open_type,
            open_conditions: r.open_conditions,
            update_frequency: r.update_frequency,
            data_form: r.data_form,
            revision: r.revision,
            created_at: entry.created_at,
            published_at: r.published_at.unwrap_or(entry.updated_at),
            data,
        }
    }
}

/// The open dataset with this code or id; "not found" for anything the public may not see.
pub async fn dataset(app: &App, code_or_id: &str) -> Result<OpenDataset> {
    let not_found = || AppError::not_found("dataset", "数据集");
    let mut conn = app.db.acquire().await?;
    let entry = match catalog::get_entry_by_code(&mut conn, code_or_id).await? {
        Some(entry) => entry,
        None => catalog::get_entry_by_id(&mut conn, code_or_id)
            .await?
            .ok_or_else(not_found)?,
    };
    let context = Context::load(&mut conn).await?;
    context
        .dataset(&mut conn, &entry)
        .await?
        .ok_or_else(not_found)
}

/// The open datasets with these codes, in that order; codes no longer open are left out.
pub(crate) async fn datasets_of(app: &App, codes: &[String]) -> Result<Vec<OpenDataset>> {
    let mut conn = app.db.acquire().await?;
    let context = Context::load(&mut conn).await?;
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let Some(entry) = catalog::get_entry_by_code(&mut conn, code).await? else {
            continue;
        };
        if let Some(d) = context.dataset(&mut conn, &entry).await? {
            out.push(d);
        }
    }
    Ok(out)
}

/// One page of every open dataset in code order, with how many there are: the whole catalog
/// for harvesters, read from the database (not the search index, which ranks, and pages only
/// so deep). `limit` is 1 to [`CATALOG_MAX_PAGE`].
pub async fn datasets_page(
    app: &App,
    offset: usize,
    limit: usize,
) -> Result<(u64, Vec<OpenDataset>)> {
    let limit = limit.clamp(1, CATALOG_MAX_PAGE);
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut conn = app.db.acquire().await?;
    let total = catalog::count_open(&mut conn).await?;
    let codes = catalog::list_open_codes(&mut conn, as_i64(offset), as_i64(limit)).await?;
    drop(conn);
    let datasets = datasets_of(app, &codes).await?;
    Ok((u64::try_from(total).unwrap_or(0), datasets))
}

/// One page of the codes of every open dataset, in code order (CKAN's `package_list`).
pub async fn dataset_codes(app: &App, offset: usize, limit: usize) -> Result<Vec<String>> {
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut conn = app.db.acquire().await?;
    Ok(catalog::list_open_codes(&mut conn, as_i64(offset), as_i64(limit)).await?)
}

/// Who publishes the catalog as a whole: the city's authority (公共数据主管部门).
pub async fn catalog_publisher(app: &App) -> Result<Publisher> {
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let authority = OrgKind::Authority.as_str();
    let city = OrgLevel::City.as_str();
    let mut candidates: Vec<&OrgRow> = orgs
        .values()
        .filter(|o| o.kind == authority && o.level == city)
        .collect();
    candidates.sort_by_key(|o| (o.parent_id.is_some(), o.created_at));
    candidates
        .first()
        .map(|o| Publisher::of(o))
        .ok_or_else(|| AppError::not_found("city authority", "市级公共数据主管部门"))
}

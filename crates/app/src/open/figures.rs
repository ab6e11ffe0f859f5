//! The portal's home (开放门户首页): the city's open figures — datasets, data items, rows,
//! downloads, API calls, applications and objections handled — and the ways in: by topic
//! (主题, the thematic categories), by department (提供单位) and by base database (基础库),
//! each with how many open datasets it holds, and the newest datasets.

use gongshu_domain::catalog::{CategoryGroup, Vocabulary};
use gongshu_store::open;
use serde::Serialize;

use super::metering::Channel;
use crate::catalog::search::{EntrySummary, SearchParams, databases, search_entries};
use crate::{App, Result};

/// The open figures (开放数据统计).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpenFigures {
    /// Open datasets (entries open unconditionally or conditionally).
    pub datasets: i64,
    /// Their data items.
    pub items: i64,
    /// Rows of their current versions.
    pub rows: i64,
    /// Downloads of open data (批量下载), metered.
    pub downloads: i64,
    /// API data reads of open data (接口调用), metered.
    pub api_calls: i64,
    /// Bytes of open data delivered through both.
    pub bytes_delivered: i64,
    /// Conditional-open applications decided (开放申请, H26).
    pub applications: i64,
    /// Objections handled to the end (异议处理, H27).
    pub objections_handled: i64,
}

/// One way in: a facet value with the open datasets it holds.
#[derive(Debug, Clone, Serialize)]
pub struct EntryPoint {
    /// The facet to search by (`category` or `agency`) and its value.
    pub facet: &'static str,
    pub value: String,
    pub name: String,
    pub datasets: usize,
}

/// Everything the home shows.
#[derive(Debug, Clone, Serialize)]
pub struct PortalHome {
    pub figures: OpenFigures,
    /// Thematic categories with open datasets.
    pub topics: Vec<EntryPoint>,
    /// Providing departments with open datasets, most first.
    pub departments: Vec<EntryPoint>,
    /// The base databases (H15, H16), all of them, with their open datasets.
    pub base_databases: Vec<EntryPoint>,
    /// The newest open datasets.
    pub newest: Vec<EntrySummary>,
}

/// Newest datasets on the home.
const NEWEST: usize = 8;

pub async fn portal_home(app: &App) -> Result<PortalHome> {
    let figures = open_figures(app).await?;
    // As an anonymous visitor: open entries only.
    let found = search_entries(
        app,
        None,
        SearchParams {
            per_page: Some(NEWEST),
            ..SearchParams::default()
        },
    )
    .await?;
    let departments = found
        .facets
        .get("agency")
        .into_iter()
        .flatten()
        .filter(|f| f.count > 0)
        .map(|f| EntryPoint {
            facet: "agency",
            value: f.value.clone(),
            name: f.label.clone(),
            datasets: f.count,
        })
        .collect();
    let mut topics = Vec::new();
    let mut base_databases = Vec::new();
    for db in databases(app, None).await? {
        let point = EntryPoint {
            facet: "category",
            value: db.category_code,
            name: db.name,
            datasets: db.entries,
        };
        if db.group == CategoryGroup::Base.code() {
            base_databases.push(point);
        } else if point.datasets > 0 {
            topics.push(EntryPoint {
                name: db.category_name,
                ..point
            });
        }
    }
    Ok(PortalHome {
        figures,
        topics,
        departments,
        base_databases,
        newest: found.entries,
    })
}

/// The figures, from the catalog, the versions and the metering counters.
pub async fn open_figures(app: &App) -> Result<OpenFigures> {
    let mut conn = app.db.acquire().await?;
    let holdings = open::get_holdings(&mut conn).await?;
    let usage = open::usage_totals(&mut conn, None).await?;
    let requests = |channel: Channel| {
        usage
            .iter()
            .find(|(c, _)| c == channel.code())
            .map_or(0, |(_, t)| t.requests)
    };
    Ok(OpenFigures {
        datasets: holdings.datasets,
        items: holdings.items,
        rows: holdings.rows,
        downloads: requests(Channel::Download),
        api_calls: requests(Channel::Api),
        bytes_delivered: usage.iter().map(|(_, t)| t.bytes).sum(),
        applications: applications_decided(),
        objections_handled: gongshu_store::objections::count_resolved(&mut conn).await?,
    })
}

/// HOOK (issue 14 item 3, H26): conditional-open applications decided. There is no table of
/// open applications yet; count the decided ones here when it lands.
fn applications_decided() -> i64 {
    0
}

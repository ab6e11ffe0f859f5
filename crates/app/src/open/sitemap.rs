//! The sitemap (站点地图) search engines crawl: every open dataset's page with when it last
//! changed, a bounded page at a time (the sitemap protocol allows 50,000 addresses a file; a
//! city with more open datasets gets a sitemap index of pages).

use gongshu_domain::Violation;
use gongshu_store::open;

use crate::{App, AppError, Result};

/// Dataset pages per sitemap file.
pub const SITEMAP_PAGE: usize = 10_000;

/// One page of the sitemap.
#[derive(Debug, Clone)]
pub struct SitemapPage {
    /// Open datasets in all.
    pub total: i64,
    /// Sitemap files needed for all of them (at least one).
    pub pages: usize,
    /// This page's datasets: code and last change (ISO 8601), by code.
    pub entries: Vec<(String, String)>,
}

/// Page `page` (from 1) of the open datasets.
pub async fn sitemap_page(app: &App, page: usize) -> Result<SitemapPage> {
    let mut conn = app.db.acquire().await?;
    let total = open::get_holdings(&mut conn).await?.datasets;
    let pages = usize::try_from(total)
        .unwrap_or(usize::MAX)
        .div_ceil(SITEMAP_PAGE)
        .max(1);
    if page == 0 || page > pages {
        return Err(AppError::from(Violation::new(
            "page",
            "page_out_of_range",
            format!("站点地图共{pages}页"),
            format!("the sitemap has {pages} page(s)"),
        )));
    }
    let offset = (page - 1) * SITEMAP_PAGE;
    let entries = open::list_open_entries(&mut conn, SITEMAP_PAGE as i64, offset as i64)
        .await?
        .into_iter()
        .map(|e| (e.code, super::iso_time(e.changed_at)))
        .collect();
    Ok(SitemapPage {
        total,
        pages,
        entries,
    })
}

//! Open data for society (公共数据开放, H25, H26; issue 14 items 1–2): what the public portal
//! shows — the city's open figures and entry points ([`figures`]), one open dataset with its
//! metadata, history, quality, licence, a preview and a chart ([`dataset`], [`chart`]), the
//! list search engines crawl ([`sitemap`]) — and the metering of every download and API read
//! of open data ([`metering`]). Rows are read only through the data plane's one read path
//! (`data`), as an anonymous member of the public, so the portal shows exactly what anyone may
//! read; not-open entries do not exist here.

pub mod chart;
pub mod dataset;
pub mod figures;
pub mod licence;
pub(crate) mod metering;
pub mod sitemap;

pub use chart::{ChartAsk, ChartData, ChartKind, ChartMeasure, chart_data};
pub use dataset::{OpenDataset, OpenVersion, QualityView, open_dataset};
pub use figures::{EntryPoint, OpenFigures, PortalHome, portal_home};
pub use licence::{DEFAULT_LICENCE, Licence};
pub use metering::Channel;
pub use sitemap::{SITEMAP_PAGE, SitemapPage, sitemap_page};

/// A stored time as ISO 8601 in China time (`2025-06-30T09:00:00+08:00`), for machine-read
/// pages (JSON-LD, the sitemap).
pub fn iso_time(micros: i64) -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    crate::micros_to_datetime(micros)
        .with_timezone(&cst)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

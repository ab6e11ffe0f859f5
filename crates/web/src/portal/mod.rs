//! 公共数据开放门户 (issue 14 item 1, H25, H26): the public pages of open data, in Chinese,
//! server-rendered from the same templates as the console, without login — the home with the
//! city's open figures and ways in, the search with facets, each open dataset's page (metadata,
//! items, history, quality, licence, preview, chart, downloads, the API call), and what search
//! engines read (schema.org JSON-LD, `/sitemap.xml`, `/robots.txt`). Pages show what an
//! anonymous member of the public may read, whoever looks; not-open entries are "not found".
//! Scripts are vendored files (ECharts, `portal.js`); pages hand them data in attributes, so
//! the Content-Security-Policy needs no inline script.

mod dataset;
mod home;
mod jsonld;
mod page;
mod search;
mod seo;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open", get(home::show))
        .route("/open/datasets", get(search::list))
        .route("/open/datasets/{code}", get(dataset::show))
        .route("/sitemap.xml", get(seo::sitemap))
        .route("/robots.txt", get(seo::robots))
}

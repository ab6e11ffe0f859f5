//! `/open/datasets`: the search of open datasets — Chinese full text and the facets a visitor
//! narrows by (topic, department, open type, format, update frequency, grade of quality),
//! through the catalog search as an anonymous visitor (so only open entries), paginated.

use axum::extract::State;
use axum::response::Response;
use gongshu_app::catalog::search::search_entries;
use minijinja::context;

use super::page::{PortalError, PortalQuery, bounded, render};
use crate::console::catalog::labels::labels;
use crate::console::catalog::listing::{ListParams, listing};
use crate::state::AppState;

/// The portal's facets, in the order the page shows them, with their Chinese names.
const FACETS: &[(&str, &str)] = &[
    ("category", "主题"),
    ("agency", "提供部门"),
    ("open_type", "开放属性"),
    ("data_form", "数据格式"),
    ("update_frequency", "更新频率"),
    ("quality", "质量等级"),
];

/// The longest search text taken.
const MAX_QUERY_CHARS: usize = 100;

pub async fn list(
    State(state): State<AppState>,
    PortalQuery(mut q): PortalQuery<ListParams>,
) -> Result<Response, PortalError> {
    q.q = bounded(&q.q, MAX_QUERY_CHARS);
    let mut params = q.search(false);
    params.per_page = Some(PER_PAGE);
    let found = search_entries(&state.app, None, params).await?;
    let list = listing("/open/datasets", FACETS, &q, &found);
    Ok(render(
        "portal_search.html",
        context! { section => "datasets", filter => q, found => found, list => list, labels => labels() },
    ))
}

/// Datasets a page.
const PER_PAGE: usize = 20;

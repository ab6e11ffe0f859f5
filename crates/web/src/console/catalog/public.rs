//! 公共数据目录 for everyone: the published entries a visitor may see, with Chinese search and
//! facets, and each entry's page. No login is needed; visitors and public users see entries
//! that are open (unconditionally or conditionally), staff every published entry.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use gongshu_app::catalog;
use minijinja::{Value, context};

use super::labels::labels;
use super::listing::{FACETS, ListParams, listing};
use crate::console::auth::Viewer;
use crate::console::forms::Params;
use crate::console::render::{PageError, templates};
use crate::state::AppState;

/// A page for a visitor who is not logged in: no navigation, no notice.
pub fn anonymous_page(name: &str, ctx: Value) -> Response {
    let empty: BTreeMap<String, String> = BTreeMap::new();
    templates().render(name, context! { ..ctx, ..context! { errors => empty } })
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Result<Viewer, PageError>,
    Params(q): Params<ListParams>,
) -> Result<Response, PageError> {
    let viewer = viewer.ok();
    let ctx = viewer.as_ref().map(Viewer::ctx);
    let found = catalog::search::search_entries(&state.app, ctx, q.search(false))
        .await
        .map_err(|e| match &viewer {
            Some(v) => v.fail(e),
            None => e.into(),
        })?;
    let list = listing("/catalog", FACETS, &q, &found);
    let ctx = context! {
        mine => false,
        filter => q,
        found => found,
        list => list,
        labels => labels(),
        staff => viewer.as_ref().is_some_and(|v| v.may("view_catalog")),
    };
    Ok(match &viewer {
        Some(v) => v.page("catalog_list.html", ctx),
        None => anonymous_page("catalog_list.html", ctx),
    })
}

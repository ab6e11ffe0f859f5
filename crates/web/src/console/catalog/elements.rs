//! 一数一源: the registry of basic data elements (H13, H14) with each element's source
//! department and who collects it, duplicates marked (H10). The city authority's reviewer names
//! an element's source department; naming a second one is refused with the registry's message.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::catalog::elements::{self, AssignSourceInput};
use minijinja::context;
use serde::Deserialize;

use super::labels::labels;
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, all_orgs, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

async fn registry_page(
    state: &AppState,
    viewer: &Viewer,
    failed: Option<(String, FormErrors)>,
) -> Result<Response, PageError> {
    let elements = elements::list_elements(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let may_manage = viewer.may("manage_elements");
    // Source departments are agencies; only the one who may name them needs the list.
    let agencies: Vec<_> = if may_manage {
        all_orgs(&state.app, viewer.ctx())
            .await
            .map_err(|e| viewer.fail(e))?
            .into_iter()
            .filter(|o| o.kind == "agency")
            .collect()
    } else {
        Vec::new()
    };
    let duplicates = elements
        .iter()
        .flat_map(|e| &e.collected_by)
        .filter(|c| c.duplicate)
        .count();
    let ctx = context! {
        elements => elements,
        agencies => agencies,
        may_manage => may_manage,
        duplicates => duplicates,
        labels => labels(),
    };
    Ok(match failed {
        None => viewer.page("catalog_elements.html", ctx),
        Some((code, f)) => viewer.page_with_status(
            f.status,
            "catalog_elements.html",
            context! { error => f.message, errors => f.fields, failed_code => code, ..ctx },
        ),
    })
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    registry_page(&state, &viewer, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SourceFields {
    org_id: String,
}

pub async fn assign_source(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(fields): Fields<SourceFields>,
) -> Result<Response, PageError> {
    let input = AssignSourceInput {
        org_id: fields.org_id,
    };
    match elements::assign_source(&state.app, viewer.ctx(), &code, input).await {
        Ok(()) => Ok(done("/catalog/elements", "element_source_set")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back("/catalog/elements"))?;
            registry_page(&state, &viewer, Some((code, failed))).await
        }
    }
}

//! The two starting points of catalog work: 目录审核 (the reviewing authority's desk:
//! submissions with their due dates, overdue ones first in mind — on the city's desk also the
//! county entries the counties approved (第八条) — approved one by one or several at once, what
//! a county reported to the city, and open update duties in its area) and 本单位目录 (an agency's own entries at their latest revision, drafts included,
//! with search and facets; open one by code, create, import, export).

use super::excel::export_scopes;
use super::labels::labels;
use super::listing::{FACETS, ListParams, listing, state_labels};
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use gongshu_app::catalog;
use gongshu_domain::catalog::ReviewState;
use minijinja::context;

async fn desk_page(
    state: &AppState,
    viewer: &Viewer,
    chosen: Vec<String>,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let desk = catalog::duties::review_desk(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! { desk => desk, labels => labels(), chosen => chosen };
    Ok(match failed {
        None => viewer.page("catalog_review.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "catalog_review.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn review(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    desk_page(&state, &viewer, Vec::new(), None).await
}

/// Approves the ticked entries of the desk at once (a county reports them to the city).
pub async fn approve_batch(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(pairs): Fields<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let codes: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "codes")
        .map(|(_, v)| v)
        .collect();
    let input = catalog::BatchInput {
        codes: codes.clone(),
    };
    match catalog::approve_batch(&state.app, viewer.ctx(), input).await {
        Ok(views) if views.iter().all(|v| v.state == ReviewState::Published) => {
            Ok(done("/catalog/review", "batch_approved"))
        }
        Ok(_) => Ok(done("/catalog/review", "batch_reported")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back("/catalog/review"))?;
            desk_page(&state, &viewer, codes, Some(failed)).await
        }
    }
}

/// Resource codes are category digits, a dash and a sequence; nothing else goes into a path.
fn plausible_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub async fn mine(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<ListParams>,
) -> Result<Response, PageError> {
    let code = q.code.trim();
    let failed = if code.is_empty() {
        None
    } else if plausible_code(code) {
        return Ok(Redirect::to(&format!("/catalog/entries/{code}")).into_response());
    } else {
        Some(FormErrors::field(
            "code",
            "资源代码格式不正确，应为分类代码加序号，如101-00001",
        ))
    };
    let may_manage = viewer.may("manage_entries");
    // Only an agency has a catalog of its own; a reviewer starts from the review desk.
    let found = if may_manage {
        Some(
            catalog::search::search_entries(&state.app, Some(viewer.ctx()), q.search(true))
                .await
                .map_err(|e| viewer.fail(e))?,
        )
    } else {
        None
    };
    let duties = if may_manage {
        catalog::duties::own_duties(&state.app, viewer.ctx())
            .await
            .map_err(|e| viewer.fail(e))?
    } else {
        Vec::new()
    };
    let list = found
        .as_ref()
        .map(|page| listing("/catalog/mine", FACETS, &q, page));
    let scopes = export_scopes(&state, &viewer)
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! {
        mine => true,
        filter => q,
        found => found,
        list => list,
        labels => labels(),
        states => state_labels(),
        scopes => scopes,
        may_manage => may_manage,
        may_review => viewer.may("review_entries"),
        duties => duties,
    };
    Ok(match failed {
        None => viewer.page("catalog_list.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "catalog_list.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

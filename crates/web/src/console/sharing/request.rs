//! 申请共享: the form an agency user fills in on another organisation's published entry —
//! items and modes as checkboxes (only verification for an entry that is not shared),
//! scenario, purpose, using unit, end date and the three commitments (H20). Errors come back
//! next to their fields with everything typed kept.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::sharing::{self, pages};
use minijinja::context;

use super::fields::{RequestFields, grouped};
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    fields: RequestFields,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let page = pages::new_request_page(&state.app, viewer.ctx(), code)
        .await
        .map_err(|e| viewer.fail(e).back(format!("/catalog/entries/{code}")))?;
    let ctx = context! { p => page, form => fields };
    Ok(match failed {
        None => viewer.page("sharing_new.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "sharing_new.html",
            context! { error => f.message, errors => grouped(f.fields), ..ctx },
        ),
    })
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    form_page(&state, &viewer, &code, RequestFields::default(), None).await
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(pairs): Fields<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = RequestFields::from_pairs(pairs);
    match sharing::request_share(&state.app, viewer.ctx(), fields.input(&code)).await {
        Ok(r) => Ok(done(
            &format!("/sharing/requests/{}", r.id),
            "share_requested",
        )),
        Err(e) => {
            let failed =
                form_errors(&viewer, e).map_err(|p| p.back(format!("/catalog/entries/{code}")))?;
            form_page(&state, &viewer, &code, fields, Some(failed)).await
        }
    }
}

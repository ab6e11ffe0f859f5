//! 共享授权: the grants one's organisation holds and gave, with their status now — the city
//! authority sees every grant of the platform. The source's admin revokes a grant it gave;
//! the city authority suspends and reinstates any (H41); each with a reason, confirmed first.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongshu_app::sharing::{self, GrantChange, pages};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::requests::PageParams;
use crate::console::auth::Viewer;
use crate::console::catalog::labels::labels;
use crate::console::forms::{Fields, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::error::ApiError;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

/// A change of one grant that failed, to show next to it with the reason typed.
#[derive(Serialize)]
struct Failed {
    grant_id: String,
    change: String,
    reason: String,
    message: String,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    page: i64,
    failed: Option<(StatusCode, Failed)>,
) -> Result<Response, PageError> {
    let page = pages::grants_page(&state.app, viewer.ctx(), page, PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! { p => page, labels => labels() };
    Ok(match failed {
        None => viewer.page("sharing_grants.html", ctx),
        Some((status, f)) => viewer.page_with_status(
            status,
            "sharing_grants.html",
            context! { error => f.message.clone(), failed => f, ..ctx },
        ),
    })
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<PageParams>,
) -> Result<Response, PageError> {
    list_page(&state, &viewer, q.number(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeFields {
    reason: String,
}

pub async fn change(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, change)): Path<(String, String)>,
    Fields(fields): Fields<ChangeFields>,
) -> Result<Response, PageError> {
    let input = GrantChange {
        reason: fields.reason.clone(),
    };
    let (app, ctx) = (&state.app, viewer.ctx());
    let (result, notice) = match change.as_str() {
        "revoke" => (
            sharing::revoke_grant(app, ctx, &id, input).await,
            "grant_revoked",
        ),
        "suspend" => (
            sharing::suspend_grant(app, ctx, &id, input).await,
            "grant_suspended",
        ),
        "reinstate" => (
            sharing::reinstate_grant(app, ctx, &id, input).await,
            "grant_reinstated",
        ),
        _ => {
            return Err(viewer.fail(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "页面不存在",
                "page not found",
            )));
        }
    };
    match result {
        Ok(_) => Ok(done("/sharing/grants", notice)),
        Err(e) => {
            let f = form_errors(&viewer, e).map_err(|p| p.back("/sharing/grants"))?;
            let message = if f.fields.is_empty() {
                f.message.clone()
            } else {
                f.fields.values().cloned().collect::<Vec<_>>().join("；")
            };
            let failed = Failed {
                grant_id: id,
                change,
                reason: fields.reason,
                message,
            };
            list_page(&state, &viewer, 1, Some((f.status, failed))).await
        }
    }
}

//! 权限关闭 (H41): every user sees the closures on their account or organisation with the
//! correction each demands; the source agency's admin, and an authority's reviewer within its
//! county or city, temporarily close a grantee's access with a reason and a correction
//! demanded, and reopen it with a note once the user has corrected.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::sharing::{self, CloseNamed, ReopenInput};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::requests::PageParams;
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

const PER_PAGE: i64 = 50;

/// The closure form as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct CloseFields {
    subject_kind: String,
    org_id: String,
    username: String,
    scope: String,
    reason: String,
    correction: String,
}

/// The reopen form as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ReopenFields {
    correction_note: String,
}

#[derive(Default)]
struct Kept {
    close: CloseFields,
    reopen: Option<(String, ReopenFields)>,
    failed: Option<FormErrors>,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    page: i64,
    kept: Kept,
) -> Result<Response, PageError> {
    let page = sharing::closures_page(&state.app, viewer.ctx(), page, PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    let (reopen_id, reopen) = kept.reopen.unzip();
    let ctx = context! {
        p => page,
        form => kept.close,
        reopen_id => reopen_id,
        reopen => reopen,
    };
    Ok(match kept.failed {
        None => viewer.page("sharing_closures.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "sharing_closures.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<PageParams>,
) -> Result<Response, PageError> {
    list_page(&state, &viewer, q.number(), Kept::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<CloseFields>,
) -> Result<Response, PageError> {
    let input = CloseNamed {
        subject_kind: fields.subject_kind.clone(),
        org_id: fields.org_id.clone(),
        username: fields.username.clone(),
        scope: fields.scope.clone(),
        reason: fields.reason.clone(),
        correction: fields.correction.clone(),
    };
    match sharing::close_named(&state.app, viewer.ctx(), input).await {
        Ok(_) => Ok(done("/sharing/closures", "access_closed")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back("/sharing/closures"))?;
            let kept = Kept {
                close: fields,
                failed: Some(failed),
                ..Kept::default()
            };
            list_page(&state, &viewer, 1, kept).await
        }
    }
}

pub async fn reopen(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<ReopenFields>,
) -> Result<Response, PageError> {
    let input = ReopenInput {
        correction_note: fields.correction_note.clone(),
    };
    match sharing::reopen_access(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done("/sharing/closures", "access_reopened")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back("/sharing/closures"))?;
            let kept = Kept {
                reopen: Some((id, fields)),
                failed: Some(failed),
                ..Kept::default()
            };
            list_page(&state, &viewer, 1, kept).await
        }
    }
}

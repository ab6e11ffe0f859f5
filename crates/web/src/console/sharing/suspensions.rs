//! 暂停管理: the city authority suspends an account or a whole organisation at once, with a
//! reason (H41), sees every suspension, open and lifted, and lifts one with a reason.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::sharing::{self, pages};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

/// The suspension form as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct SuspendFields {
    subject_kind: String,
    org_id: String,
    username: String,
    reason: String,
}

/// The lift form as typed, with the suspension it was for.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct LiftFields {
    reason: String,
}

#[derive(Default)]
struct Kept {
    suspend: SuspendFields,
    lift: Option<(String, LiftFields)>,
    failed: Option<FormErrors>,
}

async fn list_page(state: &AppState, viewer: &Viewer, kept: Kept) -> Result<Response, PageError> {
    let page = pages::suspensions_page(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let (lift_id, lift) = kept.lift.unzip();
    let ctx = context! {
        p => page,
        form => kept.suspend,
        lift_id => lift_id,
        lift => lift,
    };
    Ok(match kept.failed {
        None => viewer.page("sharing_suspensions.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "sharing_suspensions.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    list_page(&state, &viewer, Kept::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<SuspendFields>,
) -> Result<Response, PageError> {
    let input = pages::SuspendNamed {
        subject_kind: fields.subject_kind.clone(),
        org_id: fields.org_id.clone(),
        username: fields.username.clone(),
        reason: fields.reason.clone(),
    };
    match pages::suspend_named(&state.app, viewer.ctx(), input).await {
        Ok(_) => Ok(done("/sharing/suspensions", "access_suspended")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back("/sharing/suspensions"))?;
            let kept = Kept {
                suspend: fields,
                failed: Some(failed),
                ..Kept::default()
            };
            list_page(&state, &viewer, kept).await
        }
    }
}

pub async fn lift(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<LiftFields>,
) -> Result<Response, PageError> {
    match sharing::lift_suspension(&state.app, viewer.ctx(), &id, &fields.reason).await {
        Ok(_) => Ok(done("/sharing/suspensions", "suspension_lifted")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back("/sharing/suspensions"))?;
            let kept = Kept {
                lift: Some((id, fields)),
                failed: Some(failed),
                ..Kept::default()
            };
            list_page(&state, &viewer, kept).await
        }
    }
}

//! 审计日志: the auditor's and regulators' view of the audit log, filtered and newest first
//! with a cursor to older pages, and the check of the SM3 hash chain.

use axum::extract::State;
use axum::response::Response;
use gongshu_app::audit_log::{self, EventQuery};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::forms::{Params, form_errors};
use super::render::PageError;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

/// The filter form as typed; the cursor is kept apart so "下一页" keeps the filter.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct FilterParams {
    actor: String,
    action: String,
    outcome: String,
    target_kind: String,
    target_id: String,
    from: String,
    to: String,
    #[serde(skip_serializing)]
    before_seq: String,
}

impl FilterParams {
    fn query(&self) -> EventQuery {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        EventQuery {
            actor: some(&self.actor),
            org_id: None,
            action: some(&self.action),
            outcome: some(&self.outcome),
            target_kind: some(&self.target_kind),
            target_id: some(&self.target_id),
            from: some(&self.from),
            to: some(&self.to),
            before_seq: self.before_seq.trim().parse().ok(),
            limit: Some(PER_PAGE),
        }
    }
}

pub async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(filter): Params<FilterParams>,
) -> Result<Response, PageError> {
    let paged = !filter.before_seq.trim().is_empty();
    match audit_log::list_events(&state.app, viewer.ctx(), filter.query()).await {
        Ok(page) => Ok(viewer.page(
            "audit.html",
            context! { page => page, filter => filter, paged => paged },
        )),
        Err(e) => {
            let failed = form_errors(&viewer, e)?;
            Ok(viewer.page_with_status(
                failed.status,
                "audit.html",
                context! { page => None::<()>, filter => filter, paged => paged, error => failed.message, errors => failed.fields },
            ))
        }
    }
}

pub async fn verify(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let report = audit_log::verify_chain(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e).back("/audit"))?;
    let (broken_seq, breakage) = match report.first_broken {
        Some((seq, b)) => (Some(seq), Some(b)),
        None => (None, None),
    };
    Ok(viewer.page(
        "audit_verify.html",
        context! { report => report, broken_seq => broken_seq, breakage => breakage },
    ))
}

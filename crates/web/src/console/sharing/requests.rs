//! 我的申请 (the requests one's organisation made, page by page), 待我答复 (the source admin's
//! open requests, oldest first, overdue ones marked) and one request: its timeline with due
//! dates, the decision and the grant, and — for the source's admin — the approval form (fewer
//! items, an earlier end date, row-filter lines, prepared delivery), the refusal form (reason
//! and legal basis, H21, confirmed before it is sent) or the delivery button.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::confidentiality;
use gongshu_app::sharing::{self, RefuseInput, pages};
use minijinja::context;
use serde::Deserialize;

use super::fields::{ApproveFields, OPERATORS, RefuseFields, grouped};
use crate::console::auth::Viewer;
use crate::console::catalog::labels::labels;
use crate::console::confidentiality::ReviewFields;
use crate::console::forms::{Fields, FormErrors, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

const PER_PAGE: i64 = 30;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageParams {
    page: String,
}

impl PageParams {
    pub fn number(&self) -> i64 {
        self.page.trim().parse().unwrap_or(1)
    }
}

pub async fn mine(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<PageParams>,
) -> Result<Response, PageError> {
    let page = pages::my_requests_page(&state.app, viewer.ctx(), q.number(), PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page(
        "sharing_requests.html",
        context! { p => page, inbox => false },
    ))
}

pub async fn inbox(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<PageParams>,
) -> Result<Response, PageError> {
    let page = pages::inbox_page(&state.app, viewer.ctx(), q.number(), PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page(
        "sharing_requests.html",
        context! { p => page, inbox => true },
    ))
}

/// Which decision form failed, with what was typed in both.
#[derive(Default)]
struct Kept {
    approve: Option<ApproveFields>,
    refuse: RefuseFields,
    review: ReviewFields,
    failed: Option<(&'static str, FormErrors)>,
}

fn request_path(id: &str) -> String {
    format!("/sharing/requests/{id}")
}

async fn detail_page(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    kept: Kept,
) -> Result<Response, PageError> {
    let page = pages::request_page(&state.app, viewer.ctx(), id)
        .await
        .map_err(|e| viewer.fail(e).back("/sharing/requests"))?;
    let approve = kept
        .approve
        .unwrap_or_else(|| ApproveFields::proposed(&page.request));
    let ctx = context! {
        p => page,
        approve => approve,
        refuse => kept.refuse,
        review => kept.review,
        operators => OPERATORS,
        labels => labels(),
    };
    Ok(match kept.failed {
        None => viewer.page("sharing_request.html", ctx),
        Some((form, f)) => viewer.page_with_status(
            f.status,
            "sharing_request.html",
            context! { error => f.message, errors => grouped(f.fields), failed_form => form, ..ctx },
        ),
    })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    detail_page(&state, &viewer, &id, Kept::default()).await
}

pub async fn approve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(pairs): Fields<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = ApproveFields::from_pairs(pairs);
    match sharing::approve(&state.app, viewer.ctx(), &id, fields.input()).await {
        Ok(r) if r.state == "preparing" => Ok(done(&request_path(&id), "share_approved_prepare")),
        Ok(_) => Ok(done(&request_path(&id), "share_approved")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(request_path(&id)))?;
            let kept = Kept {
                approve: Some(fields),
                failed: Some(("approve", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &id, kept).await
        }
    }
}

/// The source's security lead signs the confidentiality review of a request for sensitive
/// items (第三十四条).
pub async fn sign_review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<ReviewFields>,
) -> Result<Response, PageError> {
    match confidentiality::review_request(&state.app, viewer.ctx(), &id, fields.input()).await {
        Ok(_) => Ok(done(&request_path(&id), "review_signed")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(request_path(&id)))?;
            let kept = Kept {
                review: fields,
                failed: Some(("review", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &id, kept).await
        }
    }
}

pub async fn refuse(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<RefuseFields>,
) -> Result<Response, PageError> {
    let input = RefuseInput {
        reason: fields.reason.clone(),
        legal_basis: fields.legal_basis.clone(),
    };
    match sharing::refuse(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done(&request_path(&id), "share_refused")),
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back(request_path(&id)))?;
            let kept = Kept {
                refuse: fields,
                failed: Some(("refuse", failed)),
                ..Kept::default()
            };
            detail_page(&state, &viewer, &id, kept).await
        }
    }
}

pub async fn deliver(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    sharing::deliver(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back(request_path(&id)))?;
    Ok(done(&request_path(&id), "share_delivered"))
}

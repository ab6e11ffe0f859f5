//! 异议 (H27) in the console: anyone objects to an open dataset on a form of its own (no
//! login; a contact is required) and gets a receipt page to follow the case; the source
//! agency flags a risk from the entry page, lists the cases against its data and ends each
//! after verification; the authority and the regulator see every agency's.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongshu_app::objections::{self, CaseSide, ObjectionInput, ResolveInput, RiskInput};
use gongshu_app::{RequestMeta, catalog};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::catalog::public::anonymous_page;
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::extract::Meta;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

/// The objection form as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ObjectionFields {
    reason: String,
    contact: String,
    name: String,
    item_code: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct RiskFields {
    reason: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ResolveFields {
    outcome: String,
    answer: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    side: String,
    page: String,
}

/// A page for whoever is looking: with the navigation for a signed-in viewer, bare for a
/// visitor.
fn render(viewer: Option<&Viewer>, name: &str, ctx: Value) -> Response {
    match viewer {
        Some(v) => v.page(name, ctx),
        None => anonymous_page(name, ctx),
    }
}

fn with_errors(ctx: Value, failed: Option<FormErrors>) -> (axum::http::StatusCode, Value) {
    match failed {
        None => (axum::http::StatusCode::OK, ctx),
        Some(f) => (
            f.status,
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    }
}

async fn form_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    code: &str,
    form: ObjectionFields,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let entry = catalog::entry_view(&state.app, viewer.map(Viewer::ctx), code, None)
        .await
        .map_err(|e| fail(viewer, e))?;
    let (status, ctx) = with_errors(context! { e => entry, form => form }, failed);
    Ok((status, render(viewer, "objection_form.html", ctx)).into_response())
}

fn fail(viewer: Option<&Viewer>, e: gongshu_app::AppError) -> PageError {
    match viewer {
        Some(v) => v.fail(e),
        None => e.into(),
    }
}

pub async fn objection_form(
    State(state): State<AppState>,
    viewer: Result<Viewer, PageError>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let viewer = viewer.ok();
    form_page(
        &state,
        viewer.as_ref(),
        &code,
        ObjectionFields::default(),
        None,
    )
    .await
}

pub async fn object(
    State(state): State<AppState>,
    viewer: Result<Viewer, PageError>,
    Meta(meta): Meta,
    Path(code): Path<String>,
    Fields(fields): Fields<ObjectionFields>,
) -> Result<Response, PageError> {
    let viewer = viewer.ok();
    let input = ObjectionInput {
        reason: fields.reason.clone(),
        contact: fields.contact.clone(),
        name: Some(fields.name.clone()),
        item_code: Some(fields.item_code.clone()),
    };
    let meta: &RequestMeta = viewer.as_ref().map_or(&meta, |v| &v.meta);
    let ctx = viewer.as_ref().map(Viewer::ctx);
    match objections::file_objection(&state.app, ctx, meta, &code, input).await {
        Ok(case) => Ok(Redirect::to(&format!("/objections/{}?filed=1", case.id)).into_response()),
        Err(e) => {
            let failed = match viewer.as_ref() {
                Some(v) => form_errors(v, e)?,
                None => anonymous_form_errors(e)?,
            };
            form_page(&state, viewer.as_ref(), &code, fields, Some(failed)).await
        }
    }
}

/// [`form_errors`] for a visitor who is not signed in.
fn anonymous_form_errors(e: gongshu_app::AppError) -> Result<FormErrors, PageError> {
    let err = crate::error::ApiError::from(e);
    if !matches!(err.status.as_u16(), 409 | 422 | 429) {
        return Err(err.into());
    }
    Ok(FormErrors {
        status: err.status,
        message: err.zh,
        fields: crate::console::forms::join_messages(
            err.errors.iter().map(|f| (f.field.clone(), f.zh.clone())),
        ),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CaseParams {
    filed: String,
}

async fn case_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    id: &str,
    filed: bool,
    form: ResolveFields,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let case = objections::get_case(&state.app, viewer.map(Viewer::ctx), id)
        .await
        .map_err(|e| fail(viewer, e))?;
    // Only to show the form; the command decides again.
    let may_resolve = case.state == "suspended"
        && viewer.is_some_and(|v| {
            v.may("handle_opening_cases") && v.principal.org_id.as_deref() == Some(&case.org_id)
        });
    let (status, ctx) = with_errors(
        context! { c => case, filed => filed, may_resolve => may_resolve, form => form },
        failed,
    );
    Ok((status, render(viewer, "objection_case.html", ctx)).into_response())
}

/// The case page: the objector's receipt, and the source's place to end the case.
pub async fn show(
    State(state): State<AppState>,
    viewer: Result<Viewer, PageError>,
    Path(id): Path<String>,
    Params(q): Params<CaseParams>,
) -> Result<Response, PageError> {
    let viewer = viewer.ok();
    let filed = q.filed == "1";
    case_page(
        &state,
        viewer.as_ref(),
        &id,
        filed,
        ResolveFields::default(),
        None,
    )
    .await
}

pub async fn resolve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<ResolveFields>,
) -> Result<Response, PageError> {
    let input = ResolveInput {
        outcome: fields.outcome.clone(),
        answer: fields.answer.clone(),
    };
    match objections::resolve_case(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done(&format!("/objections/{id}"), "opening_case_resolved")),
        Err(e) => {
            let failed = form_errors(&viewer, e)?;
            case_page(&state, Some(&viewer), &id, false, fields, Some(failed)).await
        }
    }
}

pub async fn flag_risk(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(fields): Fields<RiskFields>,
) -> Result<Response, PageError> {
    let input = RiskInput {
        reason: fields.reason,
        item_code: None,
    };
    let back = format!("/catalog/entries/{code}");
    let case = objections::flag_risk(&state.app, viewer.ctx(), &code, input)
        .await
        .map_err(|e| viewer.fail(e).back(back))?;
    Ok(done(
        &format!("/objections/{}", case.id),
        "opening_risk_flagged",
    ))
}

/// The cases against the agency's data, or every agency's for the authority and the regulator.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<ListParams>,
) -> Result<Response, PageError> {
    let side = if q.side == "all" || !viewer.may("handle_opening_cases") {
        CaseSide::All
    } else {
        CaseSide::Source
    };
    let page = q.page.trim().parse().unwrap_or(1).max(1);
    let list = objections::list_cases(&state.app, viewer.ctx(), side, false, page, PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page(
        "objections.html",
        context! { l => list, all => side == CaseSide::All },
    ))
}

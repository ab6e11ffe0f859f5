//! The catalog: scheme, entries and their review, update duties, the element registry.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::catalog::duties::{ChangeInput, DutyView, ReviewDesk};
use gongshu_app::catalog::elements::{AssignSourceInput, ElementView};
use gongshu_app::catalog::scheme::{SchemeInput, SchemeVersion, SchemeView};
use gongshu_app::catalog::{
    self, BatchInput, DerivativeInput, EntryInput, EntryView, FieldChange, ReturnInput,
    RevisionSummary,
};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed, MaybeAuthed};
use crate::state::AppState;

/// The classification scheme in force (public).
#[utoipa::path(get, path = "/api/v1/catalog/scheme", tag = "catalog", responses((status = 200, body = SchemeView)))]
pub async fn scheme(State(state): State<AppState>) -> ApiResult<Json<SchemeView>> {
    Ok(Json(catalog::scheme::current(&state.app).await?))
}

/// Every version of the scheme, newest first (public).
#[utoipa::path(get, path = "/api/v1/catalog/scheme/versions", tag = "catalog", responses((status = 200, body = Vec<SchemeVersion>)))]
pub async fn scheme_versions(State(state): State<AppState>) -> ApiResult<Json<Vec<SchemeVersion>>> {
    Ok(Json(catalog::scheme::list_versions(&state.app).await?))
}

/// Publishes a new version of the scheme (city authority).
#[utoipa::path(put, path = "/api/v1/catalog/scheme", tag = "catalog", request_body = SchemeInput,
    responses((status = 200, body = SchemeView), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn update_scheme(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<SchemeInput>,
) -> ApiResult<Json<SchemeView>> {
    Ok(Json(
        catalog::scheme::update(&state.app, auth.ctx(), input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    /// Providing organisation; default: the caller's own.
    org_id: Option<String>,
}

/// Drafts a new entry of the caller's organisation (agency admin or staff).
#[utoipa::path(post, path = "/api/v1/catalog/entries", tag = "catalog", params(CreateQuery), request_body = EntryInput,
    responses((status = 201, body = EntryView), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<CreateQuery>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<(StatusCode, Json<EntryView>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_entry(&state.app, auth.ctx(), q.org_id, input).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RevisionQuery {
    /// A revision number; default: the newest the caller may see.
    revision: Option<i64>,
}

/// One entry. Anonymous callers see published open entries; staff all published entries; the
/// owner agency and the reviewing authority every revision.
#[utoipa::path(get, path = "/api/v1/catalog/entries/{code}", tag = "catalog", params(("code" = String, Path), RevisionQuery),
    responses((status = 200, body = EntryView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<RevisionQuery>,
) -> ApiResult<Json<EntryView>> {
    Ok(Json(
        catalog::entry_view(&state.app, auth.ctx(), &code, q.revision).await?,
    ))
}

/// Edits an entry: a draft in place, a published entry through a new revision.
#[utoipa::path(put, path = "/api/v1/catalog/entries/{code}", tag = "catalog", params(("code" = String, Path)), request_body = EntryInput,
    responses((status = 200, body = EntryView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Json<EntryView>> {
    Ok(Json(
        catalog::update_entry(&state.app, auth.ctx(), &code, input).await?,
    ))
}

/// Submits the latest revision for review; due 5 working days later.
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/submit", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = EntryView), (status = 409, body = crate::error::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<EntryView>> {
    Ok(Json(catalog::submit(&state.app, auth.ctx(), &code).await?))
}

/// Approves the revision the caller's authority holds: publishes it, or — a county authority's
/// approval of a county entry (第八条) — reports it to the city authority, whose approval
/// publishes it.
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/approve", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = EntryView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<EntryView>> {
    Ok(Json(catalog::approve(&state.app, auth.ctx(), &code).await?))
}

/// Approves several entries the caller's authority holds in one step (at most 100): a county
/// authority reports a batch of its county's catalog to the city, the city approves it. All or
/// nothing: when one entry cannot be approved, the problem names it and none is.
#[utoipa::path(post, path = "/api/v1/catalog/batch-approve", tag = "catalog", request_body = BatchInput,
    responses((status = 200, body = Vec<EntryView>), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn approve_batch(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<BatchInput>,
) -> ApiResult<Json<Vec<EntryView>>> {
    Ok(Json(
        catalog::approve_batch(&state.app, auth.ctx(), input).await?,
    ))
}

/// Returns the revision under review with reasons (the authority that holds it: the county's
/// or, for a county entry it reviews second, the city's).
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/return", tag = "catalog", params(("code" = String, Path)), request_body = ReturnInput,
    responses((status = 200, body = EntryView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn return_entry(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<ReturnInput>,
) -> ApiResult<Json<EntryView>> {
    Ok(Json(
        catalog::return_entry(&state.app, auth.ctx(), &code, input).await?,
    ))
}

/// Proposes a masked derivative (脱敏衍生目录, H19) of a published not-shared entry of the
/// caller's organisation: a new entry with the chosen items, masked by the given rules, submitted
/// for the authority's review (approving it approves the rules).
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/derivatives", tag = "catalog", params(("code" = String, Path)), request_body = DerivativeInput,
    responses((status = 201, body = EntryView), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn propose_derivative(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<DerivativeInput>,
) -> ApiResult<(StatusCode, Json<EntryView>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::propose_derivative(&state.app, auth.ctx(), &code, input).await?),
    ))
}

/// Revises a masked derivative (H19) with a new proposal and submits it: a draft or returned
/// revision in place, a published one through a new revision (its approved rules stay in force
/// until the new ones are approved).
#[utoipa::path(put, path = "/api/v1/catalog/entries/{code}/derivative", tag = "catalog", params(("code" = String, Path)), request_body = DerivativeInput,
    responses((status = 200, body = EntryView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn revise_derivative(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<DerivativeInput>,
) -> ApiResult<Json<EntryView>> {
    Ok(Json(
        catalog::revise_derivative(&state.app, auth.ctx(), &code, input).await?,
    ))
}

/// The revision history.
#[utoipa::path(get, path = "/api/v1/catalog/entries/{code}/revisions", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = Vec<RevisionSummary>)))]
pub async fn revisions(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<RevisionSummary>>> {
    Ok(Json(
        catalog::revisions(&state.app, auth.ctx(), &code).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    from: i64,
    to: i64,
}

/// Field-by-field differences between two revisions.
#[utoipa::path(get, path = "/api/v1/catalog/entries/{code}/diff", tag = "catalog", params(("code" = String, Path), DiffQuery),
    responses((status = 200, body = Vec<FieldChange>)))]
pub async fn diff(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<Vec<FieldChange>>> {
    Ok(Json(
        catalog::diff(&state.app, auth.ctx(), &code, q.from, q.to).await?,
    ))
}

/// Records that the entry's legal basis or the agency's function changed: a revision is due
/// within 15 working days (H9).
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/changes", tag = "catalog", params(("code" = String, Path)), request_body = ChangeInput,
    responses((status = 201, body = DutyView), (status = 422, body = crate::error::Problem)))]
pub async fn record_change(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<ChangeInput>,
) -> ApiResult<(StatusCode, Json<DutyView>)> {
    Ok((
        StatusCode::CREATED,
        Json(catalog::duties::record_change(&state.app, auth.ctx(), &code, input).await?),
    ))
}

/// The entry's update duties, open and closed.
#[utoipa::path(get, path = "/api/v1/catalog/entries/{code}/duties", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = Vec<DutyView>)))]
pub async fn duties(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<DutyView>>> {
    Ok(Json(
        catalog::duties::entry_duties(&state.app, auth.ctx(), &code).await?,
    ))
}

/// The reviewing authority's desk: what awaits its decision (on the city's, the county entries
/// the counties approved), what it reported upward, and open update duties; overdue ones marked.
#[utoipa::path(get, path = "/api/v1/catalog/review-desk", tag = "catalog", responses((status = 200, body = ReviewDesk), (status = 403, body = crate::error::Problem)))]
pub async fn review_desk(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<ReviewDesk>> {
    Ok(Json(
        catalog::duties::review_desk(&state.app, auth.ctx()).await?,
    ))
}

/// The basic data elements (一数一源) and who collects them.
#[utoipa::path(get, path = "/api/v1/catalog/elements", tag = "catalog", responses((status = 200, body = Vec<ElementView>)))]
pub async fn elements(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<ElementView>>> {
    Ok(Json(
        catalog::elements::list_elements(&state.app, auth.ctx()).await?,
    ))
}

/// Names an element's source department (city authority); refused when another holds it.
#[utoipa::path(put, path = "/api/v1/catalog/elements/{code}/source", tag = "catalog", params(("code" = String, Path)), request_body = AssignSourceInput,
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn assign_source(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<AssignSourceInput>,
) -> ApiResult<StatusCode> {
    catalog::elements::assign_source(&state.app, auth.ctx(), &code, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Organisation id, credit code or name: an agency's catalog, or an authority's area
    /// (county or city). Default: the whole city.
    org: Option<String>,
}

/// The catalog as an .xlsx in the import template; each entry at the revision the caller may see.
#[utoipa::path(get, path = "/api/v1/catalog/export.xlsx", tag = "catalog", params(ExportQuery),
    responses((status = 200, description = "Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let bytes = catalog::excel::export_scoped(&state.app, auth.ctx(), q.org.as_deref()).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"catalog.xlsx\"",
            ),
        ],
        bytes,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Organisation id, credit code or name; default: the caller's own.
    org: Option<String>,
}

/// Imports an .xlsx in the template (raw body). Every row is checked first; any problem and
/// nothing is written (422 `invalid_file` lists every cell).
#[utoipa::path(post, path = "/api/v1/catalog/import", tag = "catalog", params(ImportQuery),
    request_body(content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = catalog::excel::ImportReport), (status = 422, body = crate::error::Problem)))]
pub async fn import_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<catalog::excel::ImportReport>> {
    Ok(Json(
        catalog::excel::import_scoped(&state.app, auth.ctx(), q.org.as_deref(), &body).await?,
    ))
}

/// Searches the catalog (Chinese text, facets, pages), or lists the caller's own catalog with
/// `mine=true`. Anonymous callers see published open entries; staff every published entry.
#[utoipa::path(get, path = "/api/v1/catalog/entries", tag = "catalog", params(catalog::search::SearchParams),
    responses((status = 200, body = catalog::search::CatalogPage), (status = 400, body = crate::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    ApiQuery(q): ApiQuery<catalog::search::SearchParams>,
) -> ApiResult<Json<catalog::search::CatalogPage>> {
    Ok(Json(
        catalog::search::search_entries(&state.app, auth.ctx(), q).await?,
    ))
}

/// The published catalog as JSON: every published entry the caller may see (anonymous
/// callers: the open ones), with items.
#[utoipa::path(get, path = "/api/v1/catalog/export.json", tag = "catalog", responses((status = 200, body = Vec<EntryView>)))]
pub async fn export_json(
    State(state): State<AppState>,
    auth: MaybeAuthed,
) -> ApiResult<Json<Vec<EntryView>>> {
    Ok(Json(
        catalog::excel::export_json(&state.app, auth.ctx()).await?,
    ))
}

/// The base databases (H16) and thematic databases: groupings of published entries by category.
#[utoipa::path(get, path = "/api/v1/catalog/databases", tag = "catalog", responses((status = 200, body = Vec<catalog::search::DatabaseView>)))]
pub async fn databases(
    State(state): State<AppState>,
    auth: MaybeAuthed,
) -> ApiResult<Json<Vec<catalog::search::DatabaseView>>> {
    Ok(Json(
        catalog::search::databases(&state.app, auth.ctx()).await?,
    ))
}

/// The update duties of the caller's own organisation (H9), open first.
#[utoipa::path(get, path = "/api/v1/catalog/duties", tag = "catalog", responses((status = 200, body = Vec<DutyView>), (status = 403, body = crate::error::Problem)))]
pub async fn own_duties(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<DutyView>>> {
    Ok(Json(
        catalog::duties::own_duties(&state.app, auth.ctx()).await?,
    ))
}

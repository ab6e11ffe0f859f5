//! Objections and risks against open data (异议, H27): anyone objects (no login, contact
//! required) and the opening is suspended at once; the source agency flags risks, lists its
//! cases and ends them after verification; the objector follows a case by its receipt number.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::objections::{
    self, CaseList, CaseSide, CaseView, ObjectionInput, ResolveInput, RiskInput,
};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed, MaybeAuthed, Meta};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CasesQuery {
    /// `source` (default): cases against the caller's agency's data; `all`: every agency's
    /// (the authority and the regulator); `mine`: the ones the caller filed.
    #[serde(default)]
    #[param(inline)]
    side: CaseSide,
    /// `true`: only the cases still being verified.
    #[serde(default)]
    pending: bool,
    /// 1-based page, 50 per page unless `per_page` says otherwise (at most 200).
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

/// Objects to an open dataset. No login needed; a contact is. The dataset's opening is
/// suspended from this instant (its downloads, API and previews answer 451) until the source
/// agency has verified. The answer's `id` is the receipt number for following the case. At
/// most five objections an hour from one address (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/entries/{code}/objections", tag = "open-data",
    params(("code" = String, Path)), request_body = ObjectionInput,
    responses((status = 201, body = CaseView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
pub async fn object(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<ObjectionInput>,
) -> ApiResult<(StatusCode, Json<CaseView>)> {
    let case = objections::file_objection(&state.app, auth.ctx(), &meta, &code, input).await?;
    Ok((StatusCode::CREATED, Json(case)))
}

/// The source agency flags a risk in its own open data (to national security, the public
/// interest or someone's rights): the opening is suspended at once, as for an objection.
#[utoipa::path(post, path = "/api/v1/entries/{code}/opening-risks", tag = "open-data",
    params(("code" = String, Path)), request_body = RiskInput,
    responses((status = 201, body = CaseView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn flag_risk(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<RiskInput>,
) -> ApiResult<(StatusCode, Json<CaseView>)> {
    let case = objections::flag_risk(&state.app, auth.ctx(), &code, input).await?;
    Ok((StatusCode::CREATED, Json(case)))
}

/// Cases against the caller's agency's data (being verified first, earliest due first), every
/// agency's for the authority and the regulator, or the caller's own objections.
#[utoipa::path(get, path = "/api/v1/objections", tag = "open-data", params(CasesQuery),
    responses((status = 200, body = CaseList), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<CasesQuery>,
) -> ApiResult<Json<CaseList>> {
    Ok(Json(
        objections::list_cases(
            &state.app,
            auth.ctx(),
            q.side,
            q.pending,
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(50),
        )
        .await?,
    ))
}

/// One case by its receipt number: its state and, once ended, the outcome and the source's
/// answer. The objector's name and contact are shown to the source and the authority only.
#[utoipa::path(get, path = "/api/v1/objections/{id}", tag = "open-data",
    params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = crate::error::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(
        objections::get_case(&state.app, auth.ctx(), &id).await?,
    ))
}

/// Ends a case after verification (the source agency's admin): `withdraw` (the entry leaves
/// the open list), `restore`, or `reopen` (after a new data version); `answer` is what the
/// objector is told.
#[utoipa::path(post, path = "/api/v1/objections/{id}/resolve", tag = "open-data",
    params(("id" = String, Path)), request_body = ResolveInput,
    responses((status = 200, body = CaseView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn resolve(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ResolveInput>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(
        objections::resolve_case(&state.app, auth.ctx(), &id, input).await?,
    ))
}

//! Data quality (H11, H12, B11, B17): the owner agency's quality rules per data item, an
//! entry's quality scores and worst rows, and the entries overdue for a data update.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::quality::{
    self, EntryQuality, OverduePage, OverdueParams, QualityRuleView, RuleInput,
};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;

/// The entry's quality rules, by item then kind (owner agency and reviewing authority).
#[utoipa::path(get, path = "/api/v1/entries/{code}/quality-rules", tag = "quality",
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<QualityRuleView>), (status = 404, body = crate::error::Problem)))]
pub async fn list_rules(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<QualityRuleView>>> {
    Ok(Json(
        quality::list_rules(&state.app, auth.ctx(), &code).await?,
    ))
}

/// Adds a quality rule to a data item of a published entry (owner agency): `required`,
/// `unique` (part of the declared key), `enum` (`values`), `range` (`min`/`max`) or
/// `pattern` (a regular expression the whole value must match). Rules score uploads; they
/// never refuse rows. One rule of each kind per item (409 `duplicate_rule`).
#[utoipa::path(post, path = "/api/v1/entries/{code}/quality-rules", tag = "quality",
    params(("code" = String, Path)), request_body = RuleInput,
    responses((status = 201, body = QualityRuleView), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn create_rule(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<(StatusCode, Json<QualityRuleView>)> {
    let rule = quality::create_rule(&state.app, auth.ctx(), &code, input).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// Deletes a quality rule (owner agency); versions already scored keep their scores.
#[utoipa::path(delete, path = "/api/v1/entries/{code}/quality-rules/{id}", tag = "quality",
    params(("code" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn delete_rule(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath((code, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    quality::delete_rule(&state.app, auth.ctx(), &code, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QualityQuery {
    /// A version to report on; default: the newest one not withdrawn.
    version: Option<i64>,
}

/// The entry's data quality (owner agency and reviewing authority): the scores, per-item
/// counts and worst rows of its newest version in force (or `version`), today's timeliness,
/// and whether the data is overdue for an update (H12).
#[utoipa::path(get, path = "/api/v1/entries/{code}/quality", tag = "quality",
    params(("code" = String, Path), QualityQuery),
    responses((status = 200, body = EntryQuality), (status = 404, body = crate::error::Problem)))]
pub async fn entry_quality(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<QualityQuery>,
) -> ApiResult<Json<EntryQuality>> {
    Ok(Json(
        quality::entry_quality(&state.app, auth.ctx(), &code, q.version).await?,
    ))
}

/// Entries overdue for a data update (H12), most overdue first: for an authority the entries
/// in its scope, for an agency its own.
#[utoipa::path(get, path = "/api/v1/data/overdue", tag = "quality", params(OverdueParams),
    responses((status = 200, body = OverduePage), (status = 403, body = crate::error::Problem)))]
pub async fn overdue(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(params): ApiQuery<OverdueParams>,
) -> ApiResult<Json<OverduePage>> {
    Ok(Json(
        quality::overdue_entries(&state.app, auth.ctx(), params).await?,
    ))
}

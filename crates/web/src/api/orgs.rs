//! Organisations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::orgs::{self, LiaisonInput, OrgInput, OrgPage, OrgView, ResponsibilityInput};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// From 1.
    #[param(minimum = 1)]
    page: Option<usize>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<usize>,
}

/// The organisation tree in display order, paginated.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(PageQuery),
    responses((status = 200, body = OrgPage), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<OrgPage>> {
    Ok(Json(
        orgs::list_orgs(
            &state.app,
            auth.ctx(),
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(100),
        )
        .await?,
    ))
}

/// Creates an organisation (system admin).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrgInput,
    responses((status = 201, body = OrgView), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<(StatusCode, Json<OrgView>)> {
    Ok((
        StatusCode::CREATED,
        Json(orgs::create_org(&state.app, auth.ctx(), input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)),
    responses((status = 200, body = OrgView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<OrgView>> {
    Ok(Json(orgs::get_org(&state.app, auth.ctx(), &id).await?))
}

/// Replaces an organisation's details (system admin).
#[utoipa::path(put, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)), request_body = OrgInput,
    responses((status = 200, body = OrgView), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<Json<OrgView>> {
    Ok(Json(
        orgs::update_org(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Deletes an organisation with no sub-organisations and no accounts (system admin).
#[utoipa::path(delete, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    orgs::delete_org(&state.app, auth.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Updates the liaison (B15): the agency's own admin or the system admin.
#[utoipa::path(put, path = "/api/v1/organisations/{id}/liaison", tag = "organisations", params(("id" = String, Path)), request_body = LiaisonInput,
    responses((status = 200, body = OrgView), (status = 403, body = crate::error::Problem)))]
pub async fn update_liaison(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<LiaisonInput>,
) -> ApiResult<Json<OrgView>> {
    Ok(Json(
        orgs::update_liaison(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Names the head (第一责任人, 第三十三条) and the security lead (安全管理责任人, 第三十四条), who
/// signs the organisation's confidentiality reviews: its own admin or the system admin.
#[utoipa::path(put, path = "/api/v1/organisations/{id}/responsible-persons", tag = "organisations", params(("id" = String, Path)), request_body = ResponsibilityInput,
    responses((status = 200, body = OrgView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn name_responsible_persons(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ResponsibilityInput>,
) -> ApiResult<Json<OrgView>> {
    Ok(Json(
        orgs::name_responsible_persons(&state.app, auth.ctx(), &id, input).await?,
    ))
}

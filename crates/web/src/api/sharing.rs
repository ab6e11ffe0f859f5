//! Sharing between agencies: requests, decisions, grants, suspensions, the escalation list,
//! usage reports, the three lists of H17 and demand requests for uncatalogued data (H22, H23).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::AppError;
use gongshu_app::sharing::{
    self, ApproveInput, DemandLine, Escalation, GrantChange, GrantView, NegativeLine, RefuseInput,
    RequestInput, RequestView, ResponsibilityLine, SharingList, SuspendInput, SuspensionView,
    UsageInput, UsageReportView,
};
use gongshu_app::sharing::{
    DemandAnswerInput, DemandDeliverInput, DemandInput, DemandReviewInput, DemandView,
};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `true`: the requests the caller's organisation must still answer or deliver (pending or
    /// preparing), oldest first; default: the ones it made.
    #[serde(default)]
    inbox: bool,
    /// 1-based page, 50 per page unless `per_page` says otherwise (at most 200).
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

/// Asks another agency for a published entry (H20). Unconditional entries are granted at
/// once; conditional ones await the source's decision, due in 5 working days.
#[utoipa::path(post, path = "/api/v1/share-requests", tag = "sharing", request_body = RequestInput,
    responses((status = 201, body = RequestView), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<RequestInput>,
) -> ApiResult<(StatusCode, Json<RequestView>)> {
    Ok((
        StatusCode::CREATED,
        Json(sharing::request_share(&state.app, auth.ctx(), input).await?),
    ))
}

/// The requests the caller's organisation made, newest first; or (`inbox=true`) its inbox:
/// the requests it must still answer or deliver, oldest first — the same list as the
/// console's 待我答复, for those who decide for the organisation.
#[utoipa::path(get, path = "/api/v1/share-requests", tag = "sharing", params(ListQuery),
    responses((status = 200, body = Vec<RequestView>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<RequestView>>> {
    let (page, per_page) = (q.page.unwrap_or(1), q.per_page.unwrap_or(50));
    let requests = if q.inbox {
        sharing::inbox(&state.app, auth.ctx(), page, per_page).await?
    } else {
        sharing::list_requests(&state.app, auth.ctx(), page, per_page).await?
    };
    Ok(Json(requests))
}

/// One request with its timeline and due dates.
#[utoipa::path(get, path = "/api/v1/share-requests/{id}", tag = "sharing", params(("id" = String, Path)),
    responses((status = 200, body = RequestView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(
        sharing::get_request(&state.app, auth.ctx(), &id).await?,
    ))
}

/// Approves, possibly narrower (the source department's admin).
#[utoipa::path(post, path = "/api/v1/share-requests/{id}/approve", tag = "sharing", params(("id" = String, Path)), request_body = ApproveInput,
    responses((status = 200, body = RequestView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ApproveInput>,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(
        sharing::approve(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Refuses, citing a legal basis (H21).
#[utoipa::path(post, path = "/api/v1/share-requests/{id}/refuse", tag = "sharing", params(("id" = String, Path)), request_body = RefuseInput,
    responses((status = 200, body = RequestView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn refuse(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<RefuseInput>,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(
        sharing::refuse(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Delivers a prepared approval: the grant starts now.
#[utoipa::path(post, path = "/api/v1/share-requests/{id}/deliver", tag = "sharing", params(("id" = String, Path)),
    responses((status = 200, body = RequestView), (status = 409, body = crate::error::Problem)))]
pub async fn deliver(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(sharing::deliver(&state.app, auth.ctx(), &id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[param(minimum = 1)]
    pub(crate) page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub(crate) per_page: Option<i64>,
}

/// Grants the caller's organisation holds or gave, with their status now.
#[utoipa::path(get, path = "/api/v1/grants", tag = "sharing", params(PageQuery),
    responses((status = 200, body = Vec<GrantView>)))]
pub async fn grants(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Vec<GrantView>>> {
    Ok(Json(
        sharing::list_grants(
            &state.app,
            auth.ctx(),
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(50),
        )
        .await?,
    ))
}

/// Revokes a grant (its source department); final.
#[utoipa::path(post, path = "/api/v1/grants/{id}/revoke", tag = "sharing", params(("id" = String, Path)), request_body = GrantChange,
    responses((status = 200, body = GrantView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<GrantChange>,
) -> ApiResult<Json<GrantView>> {
    Ok(Json(
        sharing::revoke_grant(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Suspends a grant at once (the city authority, H41).
#[utoipa::path(post, path = "/api/v1/grants/{id}/suspend", tag = "sharing", params(("id" = String, Path)), request_body = GrantChange,
    responses((status = 200, body = GrantView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn suspend_grant(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<GrantChange>,
) -> ApiResult<Json<GrantView>> {
    Ok(Json(
        sharing::suspend_grant(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Reinstates a suspended grant (the city authority).
#[utoipa::path(post, path = "/api/v1/grants/{id}/reinstate", tag = "sharing", params(("id" = String, Path)), request_body = GrantChange,
    responses((status = 200, body = GrantView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn reinstate_grant(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<GrantChange>,
) -> ApiResult<Json<GrantView>> {
    Ok(Json(
        sharing::reinstate_grant(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Suspends a user or an organisation at once (the city authority, H41).
#[utoipa::path(post, path = "/api/v1/suspensions", tag = "sharing", request_body = SuspendInput,
    responses((status = 201, body = SuspensionView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn suspend(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<SuspendInput>,
) -> ApiResult<(StatusCode, Json<SuspensionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(sharing::suspend(&state.app, auth.ctx(), input).await?),
    ))
}

/// Every suspension, open and lifted, newest first (the city authority).
#[utoipa::path(get, path = "/api/v1/suspensions", tag = "sharing",
    responses((status = 200, body = Vec<SuspensionView>), (status = 403, body = crate::error::Problem)))]
pub async fn suspensions(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<SuspensionView>>> {
    Ok(Json(
        sharing::list_suspensions(&state.app, auth.ctx()).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiftInput {
    pub reason: String,
}

/// Lifts a suspension: access comes back at once.
#[utoipa::path(post, path = "/api/v1/suspensions/{id}/lift", tag = "sharing", params(("id" = String, Path)), request_body = LiftInput,
    responses((status = 200, body = SuspensionView), (status = 404, body = crate::error::Problem)))]
pub async fn lift(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<LiftInput>,
) -> ApiResult<Json<SuspensionView>> {
    Ok(Json(
        sharing::lift_suspension(&state.app, auth.ctx(), &id, &input.reason).await?,
    ))
}

/// Overdue steps (督办), oldest due first (authorities and the regulator).
#[utoipa::path(get, path = "/api/v1/escalations", tag = "sharing",
    responses((status = 200, body = Vec<Escalation>), (status = 403, body = crate::error::Problem)))]
pub async fn escalations(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<Escalation>>> {
    Ok(Json(sharing::escalations(&state.app, auth.ctx()).await?))
}

/// Reports how a grant's data was used in one month (the grantee, H34).
#[utoipa::path(post, path = "/api/v1/grants/{id}/usage-reports", tag = "sharing", params(("id" = String, Path)), request_body = UsageInput,
    responses((status = 201, body = UsageReportView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn report_usage(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<UsageInput>,
) -> ApiResult<(StatusCode, Json<UsageReportView>)> {
    Ok((
        StatusCode::CREATED,
        Json(sharing::report_usage(&state.app, auth.ctx(), &id, input).await?),
    ))
}

/// 需求清单: every share request and its state (the whole city for authorities and the
/// regulator, an agency's own requests otherwise).
#[utoipa::path(get, path = "/api/v1/sharing/demand-list", tag = "sharing",
    responses((status = 200, body = Vec<DemandLine>)))]
pub async fn demand_list(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<DemandLine>>> {
    Ok(Json(sharing::demand_list(&state.app, auth.ctx()).await?))
}

/// 责任清单: pending answers and deliveries, catalog update duties, owed usage reports.
#[utoipa::path(get, path = "/api/v1/sharing/responsibility-list", tag = "sharing",
    responses((status = 200, body = Vec<ResponsibilityLine>)))]
pub async fn responsibility_list(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<ResponsibilityLine>>> {
    Ok(Json(
        sharing::responsibility_list(&state.app, auth.ctx()).await?,
    ))
}

/// 负面清单: entries not shared, with their legal bases.
#[utoipa::path(get, path = "/api/v1/sharing/negative-list", tag = "sharing",
    responses((status = 200, body = Vec<NegativeLine>)))]
pub async fn negative_list(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<NegativeLine>>> {
    Ok(Json(sharing::negative_list(&state.app, auth.ctx()).await?))
}

/// One of the lists (`demand`, `responsibility`, `negative`) as an .xlsx workbook.
#[utoipa::path(get, path = "/api/v1/sharing/lists/{list}/xlsx", tag = "sharing", params(("list" = String, Path)),
    responses((status = 200, description = "Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = crate::error::Problem)))]
pub async fn list_xlsx(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(list): ApiPath<String>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let list = SharingList::parse(&list).ok_or(AppError::not_found("list", "清单"))?;
    let bytes = sharing::list_xlsx(&state.app, auth.ctx(), list).await?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(list.file_name().as_bytes()).collect::<String>()
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}

/// Asks for data no catalog lists yet (H22): reviewed by the authority within 5 WD.
#[utoipa::path(post, path = "/api/v1/demands", tag = "sharing", request_body = DemandInput,
    responses((status = 201, body = DemandView), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn submit_demand(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<DemandInput>,
) -> ApiResult<(StatusCode, Json<DemandView>)> {
    Ok((
        StatusCode::CREATED,
        Json(sharing::submit_demand(&state.app, auth.ctx(), input).await?),
    ))
}

/// Demands the caller's organisation made or must act on (all of them for authorities).
#[utoipa::path(get, path = "/api/v1/demands", tag = "sharing",
    responses((status = 200, body = Vec<DemandView>)))]
pub async fn demands(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<Vec<DemandView>>> {
    Ok(Json(sharing::list_demands(&state.app, auth.ctx()).await?))
}

#[utoipa::path(get, path = "/api/v1/demands/{id}", tag = "sharing", params(("id" = String, Path)),
    responses((status = 200, body = DemandView), (status = 404, body = crate::error::Problem)))]
pub async fn demand(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DemandView>> {
    Ok(Json(
        sharing::get_demand(&state.app, auth.ctx(), &id).await?,
    ))
}

/// The authority's review: `assign` a source department, ask `upward` (H23), or `reject`.
#[utoipa::path(post, path = "/api/v1/demands/{id}/review", tag = "sharing", params(("id" = String, Path)), request_body = DemandReviewInput,
    responses((status = 200, body = DemandView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn review_demand(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DemandReviewInput>,
) -> ApiResult<Json<DemandView>> {
    Ok(Json(
        sharing::review_demand(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// The source department's answer within 5 WD.
#[utoipa::path(post, path = "/api/v1/demands/{id}/answer", tag = "sharing", params(("id" = String, Path)), request_body = DemandAnswerInput,
    responses((status = 200, body = DemandView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn answer_demand(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DemandAnswerInput>,
) -> ApiResult<Json<DemandView>> {
    Ok(Json(
        sharing::answer_demand(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Records the delivery (the source, naming the published entry) or an upward request's
/// return (the authority).
#[utoipa::path(post, path = "/api/v1/demands/{id}/deliver", tag = "sharing", params(("id" = String, Path)), request_body = DemandDeliverInput,
    responses((status = 200, body = DemandView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn deliver_demand(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DemandDeliverInput>,
) -> ApiResult<Json<DemandView>> {
    Ok(Json(
        sharing::deliver_demand(&state.app, auth.ctx(), &id, input).await?,
    ))
}

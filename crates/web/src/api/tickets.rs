//! Quality tickets (质量问题工单, H11, H12, B11, B17): findings addressed to the providing
//! agency, answered with a correction or an explanation, closed or reopened by its authority;
//! reports by staff and the operator; the authority's overdue list; and the 一数一源
//! consistency check of an element, which files tickets against entries that disagree with
//! the element's source department.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::quality::tickets::{
    self, AnswerInput, ConsistencyRun, JudgeInput, OverdueTicketParams, ReportInput, TicketPage,
    TicketParams, TicketView,
};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;

/// The tickets the caller sees, newest first: an agency's addressed to it, an authority's in
/// its scope (the city authority's: the whole city), anyone's own reports.
#[utoipa::path(get, path = "/api/v1/quality-tickets", tag = "quality", params(TicketParams),
    responses((status = 200, body = TicketPage), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(params): ApiQuery<TicketParams>,
) -> ApiResult<Json<TicketPage>> {
    Ok(Json(
        tickets::list_tickets(&state.app, auth.ctx(), params).await?,
    ))
}

/// One ticket with its evidence and history (404 for anyone who may not see it).
#[utoipa::path(get, path = "/api/v1/quality-tickets/{id}", tag = "quality",
    params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(
        tickets::get_ticket(&state.app, auth.ctx(), &id).await?,
    ))
}

/// Reports a data quality problem on a published entry (any staff member; the operator's
/// feedback, B17): a ticket to its provider, due in 5 working days. 409 `duplicate_ticket`
/// while the caller's own report on the same item is still active.
#[utoipa::path(post, path = "/api/v1/entries/{code}/quality-tickets", tag = "quality",
    params(("code" = String, Path)), request_body = ReportInput,
    responses((status = 201, body = TicketView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn report(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<ReportInput>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let ticket = tickets::report_problem(&state.app, auth.ctx(), &code, input).await?;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// The provider answers an open ticket: `correction` with the version that fixes it (in force
/// after the ticket was opened), or `explanation` with a note.
#[utoipa::path(post, path = "/api/v1/quality-tickets/{id}/answer", tag = "quality",
    params(("id" = String, Path)), request_body = AnswerInput,
    responses((status = 200, body = TicketView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(
        tickets::answer_ticket(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// The provider's authority accepts the answer and closes the ticket.
#[utoipa::path(post, path = "/api/v1/quality-tickets/{id}/close", tag = "quality",
    params(("id" = String, Path)), request_body = JudgeInput,
    responses((status = 200, body = TicketView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn close(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<JudgeInput>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(
        tickets::close_ticket(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// The provider's authority does not accept the answer: the ticket is open again, due in 5
/// working days; `note` says what is still wrong.
#[utoipa::path(post, path = "/api/v1/quality-tickets/{id}/reopen", tag = "quality",
    params(("id" = String, Path)), request_body = JudgeInput,
    responses((status = 200, body = TicketView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn reopen(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<JudgeInput>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(
        tickets::reopen_ticket(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Open tickets past their due date, oldest due first: an authority's over the agencies it
/// oversees, an agency's own.
#[utoipa::path(get, path = "/api/v1/quality-tickets/overdue", tag = "quality",
    params(OverdueTicketParams),
    responses((status = 200, body = TicketPage), (status = 403, body = crate::error::Problem)))]
pub async fn overdue(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(params): ApiQuery<OverdueTicketParams>,
) -> ApiResult<Json<TicketPage>> {
    Ok(Json(
        tickets::overdue_tickets(&state.app, auth.ctx(), params).await?,
    ))
}

/// Compares every other agency's entry holding a basic data element with the source
/// department's on the current versions (city authority, 一数一源): each disagreeing entry
/// gets a ticket with the count and a few masked keys.
#[utoipa::path(post, path = "/api/v1/catalog/elements/{code}/consistency-check", tag = "quality",
    params(("code" = String, Path)),
    responses((status = 200, body = ConsistencyRun), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn check_element(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<ConsistencyRun>> {
    Ok(Json(
        tickets::check_element(&state.app, auth.ctx(), &code).await?,
    ))
}

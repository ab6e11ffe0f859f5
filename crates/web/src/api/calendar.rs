//! The working-day calendar.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::calendar::{self, CalendarStatus, DeadlineQuery, DeadlineView, YearSummary};
use gongshu_domain::YearCalendar;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

/// Loaded years and the warning for years not yet loaded.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", responses((status = 200, body = CalendarStatus)))]
pub async fn status(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Json<CalendarStatus>> {
    Ok(Json(calendar::view(&state.app, auth.ctx()).await?))
}

/// Loads one year's holiday notice (city authority reviewer).
#[utoipa::path(post, path = "/api/v1/calendar/years", tag = "calendar",
    request_body(content = Object, description = "{year, source, holidays: [{name, from, to}], adjusted_working_days: [date]}"),
    responses((status = 201, body = YearSummary), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn import(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(year): ApiJson<YearCalendar>,
) -> ApiResult<(StatusCode, Json<YearSummary>)> {
    Ok((
        StatusCode::CREATED,
        Json(calendar::import_year(&state.app, auth.ctx(), year).await?),
    ))
}

/// The due date N working days after a start date (the start day never counts).
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, body = DeadlineView), (status = 400, body = crate::error::Problem)))]
pub async fn deadline(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineView>> {
    Ok(Json(calendar::deadline(&state.app, auth.ctx(), q).await?))
}

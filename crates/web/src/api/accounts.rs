//! Accounts and roles.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongshu_app::accounts::{
    self, AccountFilterInput, AccountPage, AccountView, CreateAccountInput, ResetPasswordInput,
    UpdateAccountInput,
};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;

/// Accounts, filtered and paginated (system and security admins: all; agency admins: their own).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountFilterInput),
    responses((status = 200, body = AccountPage), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(q): ApiQuery<AccountFilterInput>,
) -> ApiResult<Json<AccountPage>> {
    Ok(Json(
        accounts::list_accounts(&state.app, auth.ctx(), q).await?,
    ))
}

/// Creates a staff account without roles (system admin); roles come from the security admin.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = CreateAccountInput,
    responses((status = 201, body = AccountView), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<CreateAccountInput>,
) -> ApiResult<(StatusCode, Json<AccountView>)> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::create_account(&state.app, auth.ctx(), input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AccountView>> {
    Ok(Json(
        accounts::get_account(&state.app, auth.ctx(), &id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)), request_body = UpdateAccountInput,
    responses((status = 200, body = AccountView), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<UpdateAccountInput>,
) -> ApiResult<Json<AccountView>> {
    Ok(Json(
        accounts::update_account(&state.app, auth.ctx(), &id, input).await?,
    ))
}

/// Disables an account and ends its sessions at once.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts", params(("id" = String, Path)), responses((status = 204)))]
pub async fn disable(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    accounts::set_account_status(&state.app, auth.ctx(), &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts", params(("id" = String, Path)), responses((status = 204)))]
pub async fn enable(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    accounts::set_account_status(&state.app, auth.ctx(), &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a lockout after failed logins.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unlock", tag = "accounts", params(("id" = String, Path)), responses((status = 204)))]
pub async fn unlock(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    accounts::unlock_account(&state.app, auth.ctx(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new password (system admin); the account's sessions end.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password", tag = "accounts", params(("id" = String, Path)), request_body = ResetPasswordInput,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ResetPasswordInput>,
) -> ApiResult<StatusCode> {
    accounts::reset_password(&state.app, auth.ctx(), &id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// e.g. agency_staff, authority_reviewer.
    role: String,
}

/// Grants a role (security admin); 三员分立 and role/organisation fit are enforced.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/roles", tag = "accounts", params(("id" = String, Path)), request_body = RoleInput,
    responses((status = 200, body = Vec<String>), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn grant_role(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<RoleInput>,
) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(
        accounts::grant_role(&state.app, auth.ctx(), &id, &input.role).await?,
    ))
}

/// Revokes a role (security admin).
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/roles/{role}", tag = "accounts", params(("id" = String, Path), ("role" = String, Path)),
    responses((status = 200, body = Vec<String>)))]
pub async fn revoke_role(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath((id, role)): ApiPath<(String, String)>,
) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(
        accounts::revoke_role(&state.app, auth.ctx(), &id, &role).await?,
    ))
}

//! Data versions of a catalog entry (issue 4 items 1 and 2): upload a file as a new version,
//! list the versions, withdraw one, download the rows one dropped, confirm a held one (issue
//! 11 item 4).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongshu_app::versions::{self, UploadOptions, UploadSource, VersionView};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::state::AppState;
use crate::stream::BodyReader;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name; its extension (csv, xlsx, json, ndjson, parquet) picks the format,
    /// otherwise the bytes are sniffed.
    filename: String,
    /// Keep the good rows of a file with bad ones.
    #[serde(default)]
    drop_bad_rows: bool,
    /// Make the version current even if it is empty or has fewer than half the current
    /// version's rows (otherwise it is held for confirmation).
    #[serde(default)]
    confirm_drop: bool,
}

/// Uploads a file (raw body) as the next version of a published entry's data. The body is
/// streamed into the ingest as it arrives, never held whole, so a multi-gigabyte file fits. A
/// file over the platform's size limit is refused with 413 `file_too_large`: before its body
/// is read when it has a `Content-Length`, otherwise as soon as it passes the limit. A file
/// with a bad cell is refused (422 `invalid_data`, the first 100 cells listed) unless
/// `drop_bad_rows`. A compressed file (XLSX, Parquet) that expands past the platform's
/// limits is refused with 413 `expanded_too_large` naming the limit, before it is read; a
/// header that names no item with 422 `no_matching_columns` (the columns found and the items
/// expected). A version that is empty, or has fewer than half the current version's rows, is
/// stored but held (`state: held`, `hold` says why, with the row counts before and after)
/// until confirmed with `POST …/versions/{version}/confirm`, unless `confirm_drop`.
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/versions", tag = "versions",
    params(("code" = String, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = VersionView), (status = 409, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<VersionView>)> {
    let len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let source = UploadSource {
        name: q.filename,
        len,
        reader: Box::new(BodyReader::new(body)),
    };
    let options = UploadOptions {
        drop_bad_rows: q.drop_bad_rows,
        progress: None,
        confirm_drop: q.confirm_drop,
    };
    let version = versions::upload_version(&state.app, auth.ctx(), &code, source, options).await?;
    Ok((StatusCode::CREATED, Json(version)))
}

/// The entry's data versions, newest first (owner agency and reviewing authority).
#[utoipa::path(get, path = "/api/v1/catalog/entries/{code}/versions", tag = "versions",
    params(("code" = String, Path)), responses((status = 200, body = Vec<VersionView>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(
        versions::list_versions(&state.app, auth.ctx(), &code).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    reason: String,
}

/// Withdraws a version: a tombstone with a reason; the file stays. Withdrawing a held version
/// discards it.
#[utoipa::path(post, path = "/api/v1/catalog/entries/{code}/versions/{version}/withdraw", tag = "versions",
    params(("code" = String, Path), ("version" = i64, Path)), request_body = WithdrawInput,
    responses((status = 200, body = VersionView), (status = 409, body = crate::error::Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath((code, version)): ApiPath<(String, i64)>,
    ApiJson(input): ApiJson<WithdrawInput>,
) -> ApiResult<Json<VersionView>> {
    Ok(Json(
        versions::withdraw_version(&state.app, auth.ctx(), &code, version, &input.reason).await?,
    ))
}

/// Confirms a held version (one that was empty, or had fewer than half the current
/// version's rows): it becomes the current version now. Owner agency only; audited. 409
/// `not_held` when the version is not held (committed or withdrawn), `superseded` when a newer
/// version is already current.
#[utoipa::path(post, path = "/api/v1/entries/{code}/versions/{version}/confirm", tag = "versions",
    params(("code" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = VersionView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath((code, version)): ApiPath<(String, i64)>,
) -> ApiResult<Json<VersionView>> {
    Ok(Json(
        versions::confirm_version(&state.app, auth.ctx(), &code, version).await?,
    ))
}

/// The rows a version dropped for bad cells, as CSV (UTF-8 with a byte-order mark, so Excel
/// opens it): the data row, its place in the uploaded file, the reasons, then the row's cells.
/// Owner agency and reviewing authority only; each download is audited (the rows are raw
/// data). 404 when the version dropped no row.
#[utoipa::path(get, path = "/api/v1/entries/{code}/versions/{version}/rejects", tag = "versions",
    params(("code" = String, Path), ("version" = i64, Path)),
    responses((status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv"),
        (status = 404, body = crate::error::Problem)))]
pub async fn rejects(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath((code, version)): ApiPath<(String, i64)>,
) -> ApiResult<Response> {
    let download = versions::open_rejects(&state.app, auth.ctx(), &code, version).await?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        download.filename.replace(['"', '\\'], "_")
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"rejects.csv\""));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, HeaderValue::from(download.bytes)),
        ],
        Body::from_stream(download.body),
    )
        .into_response())
}

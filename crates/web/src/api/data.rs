//! Reading data (issue 4 item 3): rows with PostgREST-style filters and keyset paging, whole
//! exports, aggregates, column statistics and read-only SQL, in JSON, NDJSON, CSV, XLSX or
//! Parquet. Results stream: an export of any size is never held whole.
//!
//! Query parameters other than the reserved ones are filters: `?nl=gte.18&qx=in.(新城区,回民区)`.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongshu_app::AppError;
use gongshu_app::data::{
    self, DataExport, DataStats, Delivery, PolicySource, Reader, Rows, SqlRequest, VerifyAnswer,
    VerifyInput,
};
use gongshu_domain::Violation;
use gongshu_domain::catalog::{ShareMode, Vocabulary};
use gongshu_query::{
    AggregateQuery, Filter, Format, Measure, OffsetPage, OrderKey, PageRequest, QueryError,
    RowsQuery, encode, encode_batches,
};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Authed, MaybeAuthed, Meta};
use crate::state::AppState;

/// Parameters that are not filters.
const RESERVED: &[&str] = &[
    "select", "order", "limit", "cursor", "format", "version", "group_by", "measures",
];

/// The parsed query string of a data read.
struct Params {
    text: String,
    pairs: Vec<(String, String)>,
}

impl Params {
    fn new(raw: Option<String>) -> Self {
        let text = raw.unwrap_or_default();
        let pairs = url::form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect();
        Self { text, pairs }
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn filters(&self) -> Result<Vec<Filter>, QueryError> {
        self.pairs
            .iter()
            .filter(|(k, _)| !RESERVED.contains(&k.as_str()))
            .map(|(k, v)| Filter::parse(k, v))
            .collect()
    }

    fn version(&self) -> Result<Option<i64>, AppError> {
        self.one("version")
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    AppError::from(Violation::new(
                        "version",
                        "invalid",
                        "版本号应为正整数",
                        "version must be a positive integer",
                    ))
                })
            })
            .transpose()
    }

    fn format(&self) -> Result<Format, AppError> {
        parse_format(self.one("format"))
    }

    fn list(&self, key: &str) -> Option<Vec<String>> {
        self.one(key).map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
    }

    fn rows_query(&self) -> Result<RowsQuery, AppError> {
        Ok(RowsQuery {
            select: self.list("select"),
            filters: self.filters()?,
            order: OrderKey::parse_list(self.one("order").unwrap_or_default())?,
            page: None,
        })
    }
}

/// The requested output format; JSON when none is named.
fn parse_format(name: Option<&str>) -> Result<Format, AppError> {
    match name {
        None => Ok(Format::Json),
        Some(f) => Format::parse(f).ok_or_else(|| {
            Violation::new(
                "format",
                "invalid",
                "格式应为 json、ndjson、csv、xlsx 或 parquet",
                "format must be json, ndjson, csv, xlsx or parquet",
            )
            .into()
        }),
    }
}

/// A streamed body with its headers.
fn streamed(
    body: futures_util::stream::BoxStream<'static, Result<axum::body::Bytes, QueryError>>,
    headers: Vec<(HeaderName, HeaderValue)>,
) -> Response {
    let mut response = Body::from_stream(body).into_response();
    response.headers_mut().extend(headers);
    response
}

/// The response headers every data read carries: which version and policy answered.
fn provenance(
    version: i64,
    policy: PolicySource,
    masked: &[String],
) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            HeaderName::from_static("x-gongshu-version"),
            HeaderValue::from(version),
        ),
        (
            HeaderName::from_static("x-gongshu-policy"),
            HeaderValue::from_static(policy.code()),
        ),
    ];
    if let Ok(v) = HeaderValue::from_str(&masked.join(",")) {
        headers.push((HeaderName::from_static("x-gongshu-masked"), v));
    }
    headers
}

fn download(
    entry: &str,
    version: i64,
    suffix: &str,
    format: Format,
) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    )];
    if format != Format::Json {
        let name = format!("{entry}-v{version}{suffix}.{}", format.extension());
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{}\"",
            name.replace(['"', '\\'], "_")
        )) {
            headers.push((header::CONTENT_DISPOSITION, v));
        }
    }
    headers
}

async fn respond(export: DataExport, format: Format, suffix: &str) -> ApiResult<Response> {
    let mut headers = provenance(export.version, export.policy, &export.masked);
    headers.extend(download(&export.entry_code, export.version, suffix, format));
    encoded(export.rows, export.delivery, format, headers).await
}

/// Rows in `format`, metered: a stream of everything, or one page with its `x-next-cursor`.
async fn encoded(
    rows: Rows,
    delivery: Delivery,
    format: Format,
    mut headers: Vec<(HeaderName, HeaderValue)>,
) -> ApiResult<Response> {
    let body = match rows {
        Rows::All(batches) => {
            let schema = batches.schema();
            encode(batches, schema, format).await?
        }
        Rows::Page(page) => {
            if let Some(cursor) = &page.next_cursor
                && let Ok(value) = HeaderValue::from_str(cursor)
            {
                headers.push((HeaderName::from_static("x-next-cursor"), value));
            }
            encode_batches(page.batches, page.schema, format).await?
        }
    };
    Ok(streamed(delivery.meter(body), headers))
}

/// `limit` and `cursor` of an offset-paged read (aggregates), when `limit` is given.
fn offset_page(params: &Params, max: usize) -> Result<Option<OffsetPage>, QueryError> {
    let Some(limit) = params.one("limit") else {
        return Ok(None);
    };
    let limit = limit
        .trim()
        .parse::<usize>()
        .map_err(|_| QueryError::BadLimit { max })?;
    Ok(Some(OffsetPage {
        limit,
        cursor: params.one("cursor").map(str::to_owned),
    }))
}

/// The rows of an entry's current (or `version`) data as the caller's policy shows them:
/// owner agencies see everything, anyone sees unconditionally open entries with the items the
/// catalog marks masked. Parameters: `select=a,b`, `order=a.desc,b`, `limit` (1–10,000) and
/// `cursor` for one page — the next page's cursor comes in the `x-next-cursor` header and a
/// `Link: rel="next"` — or no `limit` to stream every matching row; `format=json|ndjson|csv|
/// xlsx|parquet`; `version`; any other parameter is a filter `column=op.value` with op one of
/// eq, neq, lt, lte, gt, gte, in, like, ilike, is (null/true/false), optionally `not.`.
#[utoipa::path(get, path = "/api/v1/entries/{code}/data", tag = "data",
    params(("code" = String, Path)),
    responses((status = 200, description = "Rows in the requested format"),
        (status = 400, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn rows(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let params = Params::new(raw);
    let reader = Reader::new(auth.ctx(), &meta);
    let query = params.rows_query()?;
    let version = params.version()?;
    let format = params.format()?;
    let Some(limit) = params.one("limit") else {
        let export =
            data::export_data(&state.app, reader, &code, version, &query, &params.text).await?;
        return respond(export, format, "").await;
    };
    let max = state.app.query_limits().max_page_rows;
    let limit = limit
        .trim()
        .parse::<usize>()
        .map_err(|_| QueryError::BadLimit { max })?;
    let request = PageRequest {
        limit,
        cursor: params.one("cursor").map(str::to_owned),
    };
    let page = data::read_page(
        &state.app,
        reader,
        &code,
        version,
        &query,
        &request,
        &params.text,
    )
    .await?;
    let mut headers = provenance(page.version, page.policy, &page.masked);
    headers.extend(download(&page.entry_code, page.version, "", format));
    if let Some(cursor) = &page.page.next_cursor {
        let next: Vec<(String, String)> = params
            .pairs
            .iter()
            .filter(|(k, _)| k != "cursor")
            .cloned()
            .chain([("cursor".to_owned(), cursor.clone())])
            .collect();
        let next = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(next)
            .finish();
        if let (Ok(c), Ok(link)) = (
            HeaderValue::from_str(cursor),
            HeaderValue::from_str(&format!(
                "</api/v1/entries/{code}/data?{next}>; rel=\"next\""
            )),
        ) {
            headers.push((HeaderName::from_static("x-next-cursor"), c));
            headers.push((header::LINK, link));
        }
    }
    let body = encode_batches(page.page.batches, page.page.schema, format).await?;
    Ok(streamed(page.delivery.meter(body), headers))
}

/// Groups and measures over the caller's view: `group_by=a,b`, `measures=count,sum.x,avg.y,
/// min.z,max.z,count_distinct.w` (output columns `count`, `sum_x`, …), the same filters,
/// `format` and `version` as the row read. Ordered by the group columns. An API query (share
/// mode `api_query`): with `limit` (1–10,000) one page of groups, the next page's cursor in
/// `x-next-cursor`; a reader reading through a sharing grant always gets pages (of at most
/// 10,000 groups).
#[utoipa::path(get, path = "/api/v1/entries/{code}/data/aggregate", tag = "data",
    params(("code" = String, Path)),
    responses((status = 200, description = "Groups in the requested format"),
        (status = 400, body = crate::error::Problem)))]
pub async fn aggregate(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let params = Params::new(raw);
    let reader = Reader::new(auth.ctx(), &meta);
    let query = AggregateQuery {
        group_by: params.list("group_by").unwrap_or_default(),
        measures: Measure::parse_list(params.one("measures").unwrap_or("count"))?,
        filters: params.filters()?,
    };
    let version = params.version()?;
    let format = params.format()?;
    let page = offset_page(&params, state.app.query_limits().max_page_rows)?;
    let export = data::aggregate_data(
        &state.app,
        reader,
        &code,
        version,
        &query,
        page.as_ref(),
        &params.text,
    )
    .await?;
    respond(export, format, "-aggregate").await
}

/// Column statistics of the caller's view (filled, empty, about how many distinct values,
/// smallest and largest), for the data preview.
#[utoipa::path(get, path = "/api/v1/entries/{code}/data/stats", tag = "data",
    params(("code" = String, Path)),
    responses((status = 200, body = DataStats), (status = 404, body = crate::error::Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    auth: MaybeAuthed,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<DataStats>> {
    let params = Params::new(raw);
    let reader = Reader::new(auth.ctx(), &meta);
    Ok(Json(
        data::data_stats(&state.app, reader, &code, params.version()?).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlInput {
    /// One SELECT; tables are entry codes (quote them: `"101-00001"`), each the caller's view
    /// of the entry's current version.
    sql: String,
    /// json (default), ndjson, csv, xlsx or parquet.
    #[serde(default)]
    format: Option<String>,
    /// The share mode to read in: `api_query` (default) or `bulk_download`. Tables another
    /// agency shares need a live grant for this mode.
    #[serde(default)]
    mode: Option<String>,
    /// One page of at most this many rows (1–10,000); the next page's cursor comes in
    /// `x-next-cursor`. An API query through a sharing grant is always paged (at most 10,000
    /// rows a page). Pages are stable when the query has an `ORDER BY`.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    limit: Option<usize>,
    /// The `x-next-cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
}

/// Read-only SQL over the entries the caller may read: one SELECT statement, no DDL or DML,
/// no file or URL access, stopped at the platform's time and memory limits, in one share mode
/// (`api_query`: paged through grants; `bulk_download`: the whole result).
#[utoipa::path(post, path = "/api/v1/sql", tag = "data", request_body = SqlInput,
    responses((status = 200, description = "Rows in the requested format"),
        (status = 400, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn sql(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(input): ApiJson<SqlInput>,
) -> ApiResult<Response> {
    let format = parse_format(input.format.as_deref())?;
    let mode = match input.mode.as_deref() {
        None => ShareMode::ApiQuery,
        Some(m) => ShareMode::parse(m).map_err(|_| {
            AppError::from(Violation::new(
                "mode",
                "invalid",
                "共享方式应为 api_query（接口查询）或 bulk_download（批量下载）",
                "mode must be api_query or bulk_download",
            ))
        })?,
    };
    let page = input.limit.map(|limit| OffsetPage {
        limit,
        cursor: input.cursor.clone(),
    });
    let request = SqlRequest {
        sql: &input.sql,
        mode,
        page,
    };
    let result = data::run_sql(&state.app, auth.ctx(), request).await?;
    let headers = vec![(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    )];
    encoded(result.rows, result.delivery, format, headers).await
}

/// Verification and matching (核验比对, H21): for each record, whether the entry's row with
/// that key holds each claimed value — `true` or `false`, never a value; an absent key answers
/// `false` for every field. Needs a live `verification` grant; at most 1,000 records a call;
/// limited in keys a minute per grant (429 `rate_limited` with `Retry-After`); audited.
#[utoipa::path(post, path = "/api/v1/verify/{code}", tag = "data", request_body = VerifyInput,
    params(("code" = String, Path, description = "Entry code")),
    responses((status = 200, body = VerifyAnswer),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<VerifyInput>,
) -> ApiResult<Json<VerifyAnswer>> {
    Ok(Json(
        data::verify(&state.app, auth.ctx(), &code, input).await?,
    ))
}

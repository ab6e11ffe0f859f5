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
    self, AggregateRequest, DataExport, DataStats, EncodedRows, PageAsked, PolicySource, ReadMode,
    Reader, RowsRequest, SqlRequest, VerifyAnswer, VerifyInput,
};
use gongshu_domain::Violation;
use gongshu_query::{AggregateQuery, Filter, Format, Measure, OrderKey, QueryError, RowsQuery};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Authed, MaybeAuthed, Meta};
use crate::state::AppState;

/// Parameters that are not filters.
const RESERVED: &[&str] = &[
    "select", "order", "limit", "cursor", "format", "version", "group_by", "measures", "mode",
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
            .map(|(k, v)| Filter::parse(k, v).map_err(QueryError::from))
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

    /// The share mode named by `mode`, if any.
    fn mode(&self) -> Result<Option<ReadMode>, AppError> {
        Ok(self.one("mode").map(ReadMode::parse).transpose()?)
    }

    /// `limit` and `cursor`; a limit that is no number is refused like one out of bounds.
    fn page(&self, max: usize) -> Result<PageAsked, QueryError> {
        let limit = self
            .one("limit")
            .map(|l| l.trim().parse::<usize>())
            .transpose()
            .map_err(|_| QueryError::BadLimit { max })?;
        Ok(PageAsked {
            limit,
            cursor: self.one("cursor").map(str::to_owned),
        })
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
            text: None,
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
                "格式应为 json、ndjson、csv、csv_gbk、xlsx 或 parquet",
                "format must be json, ndjson, csv, csv_gbk, xlsx or parquet",
            )
            .into()
        }),
    }
}

/// An encoded body with its headers, and the cursor of the next page when one follows.
fn streamed(rows: EncodedRows, mut headers: Vec<(HeaderName, HeaderValue)>) -> Response {
    if let Some(cursor) = &rows.next_cursor
        && let Ok(value) = HeaderValue::from_str(cursor)
    {
        headers.push((HeaderName::from_static("x-next-cursor"), value));
    }
    let mut response = Body::from_stream(rows.body).into_response();
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

/// A read's rows with their provenance and download headers.
fn respond(export: DataExport, format: Format, suffix: &str) -> Response {
    let mut headers = provenance(export.version, export.policy, &export.masked);
    headers.extend(download(&export.entry_code, export.version, suffix, format));
    streamed(export.rows, headers)
}

/// The rows of an entry's current (or `version`) data as the caller's policy shows them:
/// owner agencies see everything, anyone sees unconditionally open entries with the items the
/// catalog marks masked, other agencies what their live grant for the share mode allows.
/// Parameters: `select=a,b`, `order=a.desc,b`, `limit` (1–10,000) and `cursor` for one page —
/// the next page's cursor comes in the `x-next-cursor` header and a `Link: rel="next"` — or no
/// `limit` to stream every matching row; `mode`; `format=json|ndjson|csv|csv_gbk|xlsx|parquet`
/// (`csv_gbk`: CSV in GBK without a byte-order mark); `version`; any other parameter is a
/// filter `column=op.value` with op one of eq, neq, lt, lte, gt, gte, in, like, ilike, is
/// (null/true/false), optionally `not.`.
#[utoipa::path(get, path = "/api/v1/entries/{code}/data", tag = "data",
    params(("code" = String, Path),
        ("mode" = Option<ReadMode>, Query, description = "The share mode to read in (H20); a \
            read through another agency's grant needs a live grant for it. `api_query` answers \
            through a grant one page at a time (at most 10,000 rows, with `x-next-cursor`) even \
            without `limit`; `bulk_download` streams every row. Default: `api_query` with \
            `limit`, `bulk_download` without.")),
    responses((status = 200, description = "Rows in the requested format"),
        (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
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
    let format = params.format()?;
    let page = params.page(state.app.query_limits().max_page_rows)?;
    // Before the mode was a parameter, a page was an API query and everything a download.
    let mode = params.mode()?.unwrap_or(match page.limit {
        Some(_) => ReadMode::ApiQuery,
        None => ReadMode::BulkDownload,
    });
    let request = RowsRequest {
        version: params.version()?,
        query: &query,
        mode,
        page,
        format,
        query_text: &params.text,
    };
    let export = data::read_rows(&state.app, reader, &code, request).await?;
    let link = export
        .rows
        .next_cursor
        .as_deref()
        .and_then(|cursor| next_link(&code, &params, cursor));
    let mut response = respond(export, format, "");
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// The `Link: rel="next"` of a page: the same request with the next page's cursor.
fn next_link(code: &str, params: &Params, cursor: &str) -> Option<HeaderValue> {
    let next: Vec<(String, String)> = params
        .pairs
        .iter()
        .filter(|(k, _)| k != "cursor")
        .cloned()
        .chain([("cursor".to_owned(), cursor.to_owned())])
        .collect();
    let next = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(next)
        .finish();
    HeaderValue::from_str(&format!(
        "</api/v1/entries/{code}/data?{next}>; rel=\"next\""
    ))
    .ok()
}

/// Groups and measures over the caller's view: `group_by=a,b`, `measures=count,sum.x,avg.y,
/// min.z,max.z,count_distinct.w` (output columns `count`, `sum_x`, …), the same filters,
/// `format` and `version` as the row read. Ordered by the group columns. With `limit`
/// (1–10,000) one page of groups, the next page's cursor in `x-next-cursor`; a reader reading
/// through an API-query grant always gets pages (of at most 10,000 groups).
#[utoipa::path(get, path = "/api/v1/entries/{code}/data/aggregate", tag = "data",
    params(("code" = String, Path),
        ("mode" = Option<ReadMode>, Query, description = "The share mode to read in (H20); a \
            read through another agency's grant needs a live grant for it. `api_query` \
            (default) answers through a grant one page of groups at a time; `bulk_download` \
            streams every group.")),
    responses((status = 200, description = "Groups in the requested format"),
        (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
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
    let format = params.format()?;
    let request = AggregateRequest {
        version: params.version()?,
        query: &query,
        mode: params.mode()?.unwrap_or(ReadMode::ApiQuery),
        page: params.page(state.app.query_limits().max_page_rows)?,
        format,
        query_text: &params.text,
    };
    let export = data::aggregate_data(&state.app, reader, &code, request).await?;
    Ok(respond(export, format, "-aggregate"))
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
    #[schema(value_type = Option<ReadMode>)]
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
    let mode = input
        .mode
        .as_deref()
        .map(ReadMode::parse)
        .transpose()
        .map_err(AppError::from)?;
    let request = SqlRequest {
        sql: &input.sql,
        mode: mode.unwrap_or(ReadMode::ApiQuery),
        page: PageAsked {
            limit: input.limit,
            cursor: input.cursor,
        },
        format,
    };
    let rows = data::run_sql(&state.app, auth.ctx(), request).await?;
    let headers = vec![(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    )];
    Ok(streamed(rows, headers))
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

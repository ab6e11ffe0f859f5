//! Rows by offset, with how many match (按偏移读取): for clients that page by offset and show
//! a total, as CKAN's `datastore_search` does. It is a read like any other: one read decision
//! ([`readable`]) in the API-query share mode, so masking, the open and conditional rules,
//! grants, closures and suspensions apply; audited as `read_data` with the rows the page held
//! before they leave; delivered as JSON through the metered delivery, so the rows are exactly
//! the ones the data API hands out for the same entry.

use gongshu_domain::Violation;
use gongshu_domain::catalog::{DataType, ShareMode, Vocabulary};
use gongshu_query::{Format, OffsetPage, RowsQuery};
use gongshu_store::catalog;
use serde_json::json;

use super::delivery::{EncodedRows, Rows};
use super::mode::ReadMode;
use super::policy::PolicySource;
use super::read::{Access, Reader, readable, record_read, target};
use super::rows::deliver;
use crate::{App, AppError, Result};

/// The deepest offset a page may start at: reaching it sorts everything before it, so deeper
/// reads use the data API's cursor or a download instead.
pub const MAX_OFFSET: usize = 100_000;

/// What an offset read asks.
#[derive(Debug, Clone)]
pub struct OffsetRequest<'a> {
    pub query: &'a RowsQuery,
    pub offset: usize,
    /// 1 to the platform's largest page.
    pub limit: usize,
    /// The request as the reader sent it, for the audit record.
    pub query_text: &'a str,
}

/// One column of an offset read, described by its catalog item.
#[derive(Debug, Clone)]
pub struct OffsetColumn {
    /// The item code (the column name).
    pub code: String,
    /// The item's name (信息项名称).
    pub name: String,
    pub description: String,
    /// The item's type; `None` for a column the catalog no longer describes.
    pub data_type: Option<DataType>,
    /// Shown masked under the reader's policy (masked values are text).
    pub masked: bool,
}

/// A page of rows at an offset with the total of matching rows.
#[derive(Debug)]
pub struct OffsetRows {
    pub entry_code: String,
    pub version: i64,
    pub policy: PolicySource,
    /// Rows matching the query, over all pages.
    pub total: u64,
    pub columns: Vec<OffsetColumn>,
    /// The page as a JSON array of objects, the data API's JSON.
    pub rows: EncodedRows,
}

/// Reads one page of `code`'s current version at `offset`, with the total.
pub async fn read_offset_rows(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    request: OffsetRequest<'_>,
) -> Result<OffsetRows> {
    let OffsetRequest {
        query,
        offset,
        limit,
        query_text,
    } = request;
    if offset > MAX_OFFSET {
        return Err(AppError::from(Violation::new(
            "offset",
            "offset_too_deep",
            format!("偏移量不能超过{MAX_OFFSET}；更深的数据请使用数据接口的游标翻页或整体下载"),
            format!(
                "offset may be at most {MAX_OFFSET}; read deeper through the data API's cursor or a download"
            ),
        )));
    }
    let access = Access {
        action: "read_data",
        mode: ShareMode::ApiQuery,
    };
    let r = readable(app, reader, code, None, access).await?;
    let key = reader.query_key();
    let page = OffsetPage {
        limit,
        cursor: Some(offset.to_string()),
    };
    let total = app.engine.count(&key, &r.dataset, query).await?;
    let page = app
        .engine
        .offset_page(&key, &r.dataset, query, &page)
        .await?;
    let masked = r.policy.masked_columns();
    let items = match r.entry.published_revision {
        Some(revision) => {
            let mut conn = app.db.acquire().await?;
            catalog::list_items(&mut conn, &r.entry.id, revision).await?
        }
        None => Vec::new(),
    };
    let columns = page
        .column_names()
        .into_iter()
        .map(|code| {
            let item = items.iter().find(|i| i.code == code);
            OffsetColumn {
                name: item.map(|i| i.name.clone()).unwrap_or_default(),
                description: item.map(|i| i.description.clone()).unwrap_or_default(),
                data_type: item.and_then(|i| DataType::parse(&i.data_type).ok()),
                masked: masked.contains(&code),
                code,
            }
        })
        .collect();
    let fields = json!({
        "query": query_text,
        "mode": "api_query",
        "offset": offset,
        "rows": page.rows(),
    });
    let open: Vec<_> = r.open_read().into_iter().collect();
    record_read(
        app,
        reader,
        "read_data",
        &target(&r),
        r.policy.audit(fields),
        open.as_slice(),
    )
    .await?;
    let export = deliver(
        app,
        reader,
        r,
        Rows::Page(page),
        Format::Json,
        ReadMode::ApiQuery,
    )
    .await?;
    Ok(OffsetRows {
        entry_code: export.entry_code,
        version: export.version,
        policy: export.policy,
        total,
        columns,
        rows: export.rows,
    })
}

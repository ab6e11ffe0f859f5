//! `POST /api/v1/sql`: one SELECT over every entry the caller may read, each table being the
//! caller's view of the entry's current version. Tables the caller may not read are reported
//! as unknown, exactly like tables that do not exist.
//!
//! A query reads in one share mode, which the caller names (H20: a grant is for its modes
//! only; see [`ReadMode`]): as an API query (the default) every table another agency shares
//! must be covered by an `api_query` grant, and the answer is then one page of at most the
//! largest page, with a cursor to the next; as a bulk download every such table needs a
//! `bulk_download` grant, and the whole result streams. The owner's and open data stream whole
//! in either mode.

use gongshu_query::{Format, OffsetPage, QueryError};
use serde_json::json;

use super::delivery::{Delivery, EncodedRows, Rows};
use super::mode::{PageAsked, ReadMode};
use super::policy::PolicySource;
use super::read::{Access, OpenRead, Reader, readable, record_read};
use crate::open::metering::{Channel, Metering};
use crate::{App, AppError, Ctx, Result};

/// What the caller asks: the text, the share mode to read in, optionally a page, and the
/// format of the answer.
#[derive(Debug, Clone)]
pub struct SqlRequest<'a> {
    pub sql: &'a str,
    pub mode: ReadMode,
    pub page: PageAsked,
    pub format: Format,
}

pub async fn run_sql(app: &App, ctx: Ctx<'_>, request: SqlRequest<'_>) -> Result<EncodedRows> {
    let SqlRequest {
        sql,
        mode,
        page,
        format,
    } = request;
    let reader = Reader::Signed(ctx);
    let tables = app.engine.tables_of(sql)?;
    let mut datasets = Vec::with_capacity(tables.len());
    let mut read = Vec::with_capacity(tables.len());
    let mut policies = Vec::with_capacity(tables.len());
    let mut through_grant = false;
    // The open datasets read: the answer is counted against them (H26) and their openings are
    // re-checked as it is recorded and delivered (H27).
    let mut open: Vec<OpenRead> = Vec::new();
    for table in &tables {
        let access = Access {
            action: "query_sql",
            mode: mode.share_mode(),
        };
        match readable(app, reader, table, None, access).await {
            Ok(r) => {
                through_grant |= r.policy.source == PolicySource::Grant;
                if let Some(read) = r.open_read()
                    && !open.iter().any(|o| o.entry_id == read.entry_id)
                {
                    open.push(read);
                }
                let table = format!("{}/v{}", r.entry.code, r.version.version);
                policies.push(r.policy.audit(json!({ "table": table })));
                read.push(table);
                datasets.push(r.dataset);
            }
            Err(
                AppError::NotFound { .. }
                | AppError::Conflict { .. }
                | AppError::Denied {
                    code: "no_grant", ..
                },
            ) => {
                return Err(QueryError::UnknownTable {
                    table: table.clone(),
                }
                .into());
            }
            Err(e) => return Err(e),
        }
    }
    let key = reader.query_key();
    // One table read through a grant makes the whole answer a read through a grant.
    let source = if through_grant {
        PolicySource::Grant
    } else {
        PolicySource::Owner
    };
    let max = app.query_limits().max_page_rows;
    let rows = match page.resolve(mode, source, max) {
        Some((limit, cursor)) => {
            let page = OffsetPage { limit, cursor };
            Rows::Page(app.engine.sql_page(&key, sql, &datasets, &page).await?)
        }
        None => Rows::All(app.engine.sql(&key, sql, &datasets).await?),
    };
    let target = if read.is_empty() {
        "sql".to_owned()
    } else {
        read.join(",")
    };
    record_read(
        app,
        reader,
        "query_sql",
        &target,
        json!({ "sql": sql, "mode": mode.code(), "tables": policies }),
        &open,
    )
    .await?;
    let delivery = Delivery::new(
        app,
        reader,
        &target,
        json!({ "mode": mode.code(), "tables": policies }),
    )
    .metered(Metering::of(
        open.iter().map(|o| o.entry_id.clone()).collect(),
        Channel::of(mode.share_mode()),
        reader,
    ))
    .watching(open);
    delivery.send(rows, format).await
}

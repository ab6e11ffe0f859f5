//! Aggregating an entry's data (`GET /api/v1/entries/{code}/data/aggregate`): groups and
//! measures over the reader's view, in the share mode the reader names — through an API-query
//! grant always one page of groups, so a grouping by a key cannot turn an API query into a
//! bulk download (H20).

use gongshu_query::{AggregateQuery, Format, OffsetPage};
use serde_json::json;

use super::delivery::Rows;
use super::mode::{PageAsked, ReadMode};
use super::read::{Access, Reader, readable, record_read, target};
use super::rows::{DataExport, deliver};
use crate::{App, Result};

/// What an aggregate read asks.
#[derive(Debug, Clone)]
pub struct AggregateRequest<'a> {
    /// A version by number; the current one when `None`.
    pub version: Option<i64>,
    pub query: &'a AggregateQuery,
    pub mode: ReadMode,
    /// One page of groups; or none, for every group (through an API-query grant: a page).
    pub page: PageAsked,
    pub format: Format,
    /// The request's query string, for the audit record.
    pub query_text: &'a str,
}

pub async fn aggregate_data(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    request: AggregateRequest<'_>,
) -> Result<DataExport> {
    let AggregateRequest {
        version,
        query,
        mode,
        page,
        format,
        query_text,
    } = request;
    let access = Access {
        action: "aggregate_data",
        mode: mode.share_mode(),
    };
    let r = readable(app, reader, code, version, access).await?;
    let key = reader.query_key();
    let max = app.query_limits().max_page_rows;
    let rows = match page.resolve(mode, r.policy.source, max) {
        Some((limit, cursor)) => {
            let page = OffsetPage { limit, cursor };
            Rows::Page(
                app.engine
                    .aggregate_page(&key, &r.dataset, query, &page)
                    .await?,
            )
        }
        None => Rows::All(app.engine.aggregate(&key, &r.dataset, query).await?),
    };
    let open: Vec<_> = r.open_read().into_iter().collect();
    record_read(
        app,
        reader,
        "aggregate_data",
        &target(&r),
        r.policy
            .audit(json!({ "query": query_text, "mode": mode.code() })),
        open.as_slice(),
    )
    .await?;
    deliver(app, reader, r, rows, format, mode).await
}

//! Reading an entry's rows (`GET /api/v1/entries/{code}/data`): one page with a keyset cursor,
//! or every matching row, in the share mode the reader names, encoded in the format it asked
//! for. A page read is audited as `read_data` with its row count, a streamed one as
//! `export_data`; both before any data leaves.

use gongshu_domain::catalog::ShareMode;
use gongshu_query::{Format, PageRequest, RowsQuery};
use serde_json::json;

use super::delivery::{Delivery, EncodedRows, Rows};
use super::mode::{PageAsked, ReadMode};
use super::policy::PolicySource;
use super::read::{Access, Readable, Reader, readable, record_read, target};
use crate::open::metering::{Channel, Metering};
use crate::{App, Result};

/// What a row read asks.
#[derive(Debug, Clone)]
pub struct RowsRequest<'a> {
    /// A version by number; the current one when `None`.
    pub version: Option<i64>,
    pub query: &'a RowsQuery,
    pub mode: ReadMode,
    /// One page; or none, for every row (an API query through a grant still gets a page).
    pub page: PageAsked,
    pub format: Format,
    /// The request's query string, for the audit record.
    pub query_text: &'a str,
}

/// A read's rows with where they came from, for the response headers.
#[derive(Debug)]
pub struct DataExport {
    pub entry_code: String,
    pub version: i64,
    pub policy: PolicySource,
    /// Columns the reader sees masked.
    pub masked: Vec<String>,
    pub rows: EncodedRows,
}

/// Reads rows of `code`'s current (or asked) version as the reader's policy shows them.
pub async fn read_rows(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    request: RowsRequest<'_>,
) -> Result<DataExport> {
    let RowsRequest {
        version,
        query,
        mode,
        page,
        format,
        query_text,
    } = request;
    // Refusals are on record under the action the mode implies (a page or an export).
    let action = match mode.share_mode() {
        ShareMode::BulkDownload => "export_data",
        _ => "read_data",
    };
    let access = Access {
        action,
        mode: mode.share_mode(),
    };
    let r = readable(app, reader, code, version, access).await?;
    let key = reader.query_key();
    let max = app.query_limits().max_page_rows;
    let fields = json!({ "query": query_text, "mode": mode.code() });
    let (rows, action, fields) = match page.resolve(mode, r.policy.source, max) {
        Some((limit, cursor)) => {
            let request = PageRequest { limit, cursor };
            let page = app.engine.page(&key, &r.dataset, query, &request).await?;
            let mut fields = fields;
            fields["rows"] = page.rows().into();
            (Rows::Page(page), "read_data", fields)
        }
        None => {
            let batches = app.engine.export(&key, &r.dataset, query).await?;
            (Rows::All(batches), "export_data", fields)
        }
    };
    let open: Vec<_> = r.open_read().into_iter().collect();
    record_read(
        app,
        reader,
        action,
        &target(&r),
        r.policy.audit(fields),
        open.as_slice(),
    )
    .await?;
    deliver(app, reader, r, rows, format, mode).await
}

/// Encodes and meters `rows` read from `r` in `mode`: every delivery is recorded, and one of
/// open data is counted too (H26).
pub(super) async fn deliver(
    app: &App,
    reader: Reader<'_>,
    r: Readable,
    rows: Rows,
    format: Format,
    mode: ReadMode,
) -> Result<DataExport> {
    let open: Vec<_> = r.open_read().into_iter().collect();
    let metering = Metering::of(
        open.iter().map(|o| o.entry_id.clone()).collect(),
        Channel::of(mode.share_mode()),
        reader,
    );
    let delivery = Delivery::new(app, reader, &target(&r), r.policy.audit(json!({})))
        .metered(metering)
        .watching(open);
    Ok(DataExport {
        rows: delivery.send(rows, format).await?,
        masked: r.policy.masked_columns(),
        entry_code: r.entry.code,
        version: r.version.version,
        policy: r.policy.source,
    })
}

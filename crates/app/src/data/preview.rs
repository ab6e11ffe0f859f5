//! The first rows of an entry's current version as text, for a page shown to a person (the
//! console's data preview, the portal's preview), and the first groups of an aggregate (the
//! portal's chart): read as an API query under the viewer's policy and audited like an API
//! page read (`read_data`), but rendered into the page, not sent as data, so no delivery is
//! recorded (nor metered).

use gongshu_domain::catalog::ShareMode;
use gongshu_query::{AggregateQuery, OffsetPage, PageRequest, RowsQuery};
use serde_json::json;

use super::read::{Access, Reader, readable, record_read, target};
use crate::{App, Result};

/// One column of a preview.
#[derive(Debug, Clone)]
pub struct PreviewColumn {
    /// The item code.
    pub code: String,
    /// Shown masked under the viewer's policy.
    pub masked: bool,
}

/// The first rows of a version as the viewer's policy shows them.
#[derive(Debug, Clone)]
pub struct RowsPreview {
    pub version: i64,
    pub columns: Vec<PreviewColumn>,
    /// Cells in column order as the platform shows them; `None` is a null.
    pub rows: Vec<Vec<Option<String>>>,
    /// More rows follow the ones shown.
    pub more: bool,
}

/// At most `limit` rows of `code`'s current version.
pub async fn preview_rows(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    limit: usize,
) -> Result<RowsPreview> {
    preview_rows_as(app, reader, code, limit, "console preview").await
}

/// [`preview_rows`], naming the page that shows them in the audit record.
pub async fn preview_rows_as(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    limit: usize,
    shown_on: &str,
) -> Result<RowsPreview> {
    let access = Access {
        action: "read_data",
        mode: ShareMode::ApiQuery,
    };
    let r = readable(app, reader, code, None, access).await?;
    let request = PageRequest {
        limit,
        cursor: None,
    };
    let page = app
        .engine
        .page(
            &reader.query_key(),
            &r.dataset,
            &RowsQuery::default(),
            &request,
        )
        .await?;
    let open: Vec<_> = r.open_read().into_iter().collect();
    record_read(
        app,
        reader,
        "read_data",
        &target(&r),
        r.policy
            .audit(json!({ "query": shown_on, "rows": page.rows() })),
        open.as_slice(),
    )
    .await?;
    let masked = r.policy.masked_columns();
    Ok(RowsPreview {
        version: r.version.version,
        columns: page
            .column_names()
            .into_iter()
            .map(|code| PreviewColumn {
                masked: masked.contains(&code),
                code,
            })
            .collect(),
        rows: page.text_rows()?,
        more: page.next_cursor.is_some(),
    })
}

/// At most `limit` groups of an aggregate over `code`'s current version, in the order of the
/// group columns, for a chart on a page; `shown_on` names the page in the audit record.
pub async fn preview_groups(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    query: &AggregateQuery,
    limit: usize,
    shown_on: &str,
) -> Result<RowsPreview> {
    let access = Access {
        action: "aggregate_data",
        mode: ShareMode::ApiQuery,
    };
    let r = readable(app, reader, code, None, access).await?;
    let page = OffsetPage {
        limit,
        cursor: None,
    };
    let page = app
        .engine
        .aggregate_page(&reader.query_key(), &r.dataset, query, &page)
        .await?;
    let open: Vec<_> = r.open_read().into_iter().collect();
    record_read(
        app,
        reader,
        "aggregate_data",
        &target(&r),
        r.policy
            .audit(json!({ "query": shown_on, "groups": page.rows() })),
        open.as_slice(),
    )
    .await?;
    let masked = r.policy.masked_columns();
    Ok(RowsPreview {
        version: r.version.version,
        columns: page
            .column_names()
            .into_iter()
            .map(|code| PreviewColumn {
                masked: masked.contains(&code),
                code,
            })
            .collect(),
        rows: page.text_rows()?,
        more: page.next_cursor.is_some(),
    })
}

//! Column statistics of the reader's view (`GET /api/v1/entries/{code}/data/stats`), for the
//! data preview: read as an API query, audited as `read_data_stats`.

use gongshu_domain::catalog::ShareMode;
use gongshu_query::ColumnStats;
use serde::Serialize;
use serde_json::json;

use super::read::{Access, Reader, readable, record_read, target};
use crate::{App, Result};

/// Column statistics of the reader's view, for the data preview.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DataStats {
    pub entry_code: String,
    pub version: i64,
    pub rows: i64,
    /// `owner` or `open`.
    pub policy: String,
    /// Columns the reader sees masked.
    pub masked: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub columns: Vec<ColumnStats>,
}

pub async fn data_stats(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    version: Option<i64>,
) -> Result<DataStats> {
    let access = Access {
        action: "read_data_stats",
        mode: ShareMode::ApiQuery,
    };
    let r = readable(app, reader, code, version, access).await?;
    let columns = app
        .engine
        .column_stats(&reader.query_key(), &r.dataset)
        .await?;
    let open: Vec<_> = r.open_read().into_iter().collect();
    record_read(
        app,
        reader,
        "read_data_stats",
        &target(&r),
        r.policy.audit(json!({})),
        open.as_slice(),
    )
    .await?;
    let rows = columns
        .first()
        .map_or(r.version.rows, |c| (c.non_null + c.nulls) as i64);
    Ok(DataStats {
        entry_code: r.entry.code,
        version: r.version.version,
        rows,
        policy: r.policy.source.code().to_owned(),
        masked: r.policy.masked_columns(),
        columns,
    })
}

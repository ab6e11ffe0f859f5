//! Downloading a version's rejects file: the rows dropped for bad cells, with their source
//! position and reasons, so the provider can fix them at the source (issue 4 item 1). The rows
//! are raw data, so only the owner agency and the reviewing authority may fetch them, and each
//! download is recorded in the audit log.

use bytes::Bytes;
use futures_util::stream::BoxStream;
use gongshu_store::versions;
use serde_json::json;

use super::{entry_for_versions, lake};
use crate::record::{Change, record};
use crate::{App, AppError, Ctx, Result};

/// An opened rejects file, streamed from the lake chunk by chunk.
pub struct RejectsDownload {
    pub body: BoxStream<'static, std::io::Result<Bytes>>,
    pub bytes: u64,
    /// A name for the download, e.g. `10100000001-v3-rejects.csv`.
    pub filename: String,
}

/// Opens the rejects file of `code` version `version`. Not found when the caller may not
/// manage the entry's versions, when there is no such version, or when it dropped no row.
pub async fn open_rejects(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    version: i64,
) -> Result<RejectsDownload> {
    let lake = lake(app)?;
    let entry = entry_for_versions(app, ctx, code).await?;
    let mut tx = app.db.begin_write().await?;
    let row = versions::get_version(&mut tx, &entry.id, version)
        .await?
        .ok_or(AppError::not_found("data version", "数据版本"))?;
    let rejects = row
        .rejects_file
        .ok_or(AppError::not_found("rejects file", "剔除行文件"))?;
    let (bytes, body) = lake.read(&rejects).await?;
    let target_id = format!("{code}/v{version}");
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "download_rejects",
            target_kind: "data_version",
            target_id: &target_id,
            payload: json!({ "rejects_sm3": row.rejects_sm3, "bytes": bytes }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(RejectsDownload {
        body,
        bytes,
        filename: format!("{code}-v{version}-rejects.csv"),
    })
}

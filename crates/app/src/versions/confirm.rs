//! Confirming a held data version (issue 11 item 4; H11, H12, B17): the owner agency says an
//! empty version, or one with far fewer rows than the current one, is what it means to supply.
//! The held version becomes the current one from this moment (readers, grantees and the
//! timeliness bookkeeping see it now); the confirmation is audited with the row counts.

use gongshu_domain::versions::VersionState;

use gongshu_store::versions;
use serde_json::json;

use super::{VersionView, version_to_change, view};
use crate::quality::VersionQuality;
use crate::record::{Change, record};
use crate::{App, AppError, Ctx, Result};

/// Makes held version `version` of `code` the current one. Owner agency only (another
/// agency is told the entry does not exist; the reviewing authority is refused). 409
/// `not_held` when the version is committed or withdrawn, `superseded` when a newer version
/// is already current.
pub async fn confirm_version(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    version: i64,
) -> Result<VersionView> {
    let (entry, mut tx, row) = version_to_change(app, ctx, code, version).await?;
    let target_id = format!("{code}/v{version}");
    if row.state != VersionState::Held || row.withdrawn_at.is_some() {
        return Err(AppError::conflict(
            "not_held",
            "该数据版本不是待确认的版本（已生效或已撤回），无需确认",
            "the data version is not held for confirmation (it is committed or withdrawn)",
        ));
    }
    let current = versions::get_current_version(&mut tx, &entry.id).await?;
    if let Some(current) = current.as_ref().filter(|c| c.version > version) {
        return Err(AppError::conflict(
            "superseded",
            format!(
                "已有更新的第{}版生效，不能再确认第{version}版；如需使用其数据，请重新上传",
                current.version
            ),
            format!(
                "version {} is newer and current; version {version} can no longer be confirmed (upload it again instead)",
                current.version
            ),
        ));
    }
    let now = app.now_micros();
    if !versions::confirm_version(&mut tx, &entry.id, version, &ctx.principal.username, now).await?
    {
        return Err(AppError::Internal(format!(
            "{target_id}: held version not updated"
        )));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "confirm_data_version",
            target_kind: "data_version",
            target_id: &target_id,
            payload: json!({
                "rows": row.rows,
                "rows_before": row.rows_before,
                "current_before": current.as_ref().map(|c| c.version),
                "rows_current_before": current.as_ref().map(|c| c.rows),
                "hold_reason": row.hold_reason.map(|r| r.code()),
            }),
        },
    )
    .await?;
    // Now current, its scores are a quality finding if they fall short (H11, B17).
    if let Some(quality) = VersionQuality::from_manifest(row.quality.as_deref())? {
        crate::quality::open_for_version(app, &mut tx, ctx.meta, &entry, version, &quality).await?;
    }
    tx.commit().await?;
    tracing::info!(entry.code = %code, version, rows = row.rows, "held data version confirmed");
    crate::catalog::search::reindex_published(app, code).await;
    let row = versions::get_version(&mut *app.db.acquire().await?, &entry.id, version)
        .await?
        .ok_or(AppError::not_found("data version", "数据版本"))?;
    view(code, row, true)
}

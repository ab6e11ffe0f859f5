//! Withdrawing a data version: a tombstone with a reason; the file stays, so what was once
//! served can still be explained. Withdrawing a held version is how its owner discards it
//! (issue 11 item 4).

use gongshu_domain::Violation;
use gongshu_domain::versions::VersionState;
use gongshu_store::versions;
use serde_json::json;

use super::{VersionView, version_to_change, view};
use crate::record::{Change, record};
use crate::{App, AppError, Ctx, Result};

pub async fn withdraw_version(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    version: i64,
    reason: &str,
) -> Result<VersionView> {
    withdraw(app, ctx, code, version, reason, false).await
}

/// Discards a held version (issue 11 item 4): withdraws it with `reason`; the current version
/// stays as it was. 409 `not_held` for a version that is not held.
pub async fn discard_version(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    version: i64,
    reason: &str,
) -> Result<VersionView> {
    withdraw(app, ctx, code, version, reason, true).await
}

async fn withdraw(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    version: i64,
    reason: &str,
    only_held: bool,
) -> Result<VersionView> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Violation::new(
            "reason",
            "required",
            "请填写撤回理由",
            "a reason for the withdrawal is required",
        )
        .into());
    }
    let (entry, mut tx, row) = version_to_change(app, ctx, code, version).await?;
    let target_id = format!("{code}/v{version}");
    if row.withdrawn_at.is_some() {
        return Err(AppError::conflict(
            "already_withdrawn",
            "该数据版本已撤回",
            "the data version is already withdrawn",
        ));
    }
    if only_held && row.state != VersionState::Held {
        return Err(AppError::conflict(
            "not_held",
            "该数据版本不是待确认的版本，不能放弃；如需停用请撤回",
            "the data version is not held; withdraw it instead",
        ));
    }
    let now = app.now_micros();
    versions::withdraw_version(&mut tx, &entry.id, version, reason, now).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "withdraw_data_version",
            target_kind: "data_version",
            target_id: &target_id,
            // A held version withdrawn is one its owner discarded.
            payload: json!({ "reason": reason, "state": row.state.code() }),
        },
    )
    .await?;
    tx.commit().await?;
    // The current version may have changed, and with it the grade of quality.
    crate::catalog::search::reindex_published(app, code).await;
    let row = versions::get_version(&mut *app.db.acquire().await?, &entry.id, version)
        .await?
        .ok_or(AppError::not_found("data version", "数据版本"))?;
    view(code, row, false)
}

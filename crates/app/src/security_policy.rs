//! The security policy (安全策略): read by every login and password change, set by the
//! security admin.

use gongshu_domain::{Action, SecurityPolicy, Target};
use gongshu_store::settings;
use serde_json::json;

use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

const KEY: &str = "security_policy";

/// The policy in force (the default until the security admin sets one).
pub async fn current(app: &App) -> Result<SecurityPolicy> {
    current_on(&mut *app.db.acquire().await?).await
}

/// The same, on a connection the caller already holds.
pub(crate) async fn current_on(conn: &mut gongshu_store::Conn) -> Result<SecurityPolicy> {
    match settings::get_setting(conn, KEY).await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| AppError::Internal(e.to_string())),
        None => Ok(SecurityPolicy::default()),
    }
}

pub async fn view(app: &App, ctx: Ctx<'_>) -> Result<SecurityPolicy> {
    authorize(
        app,
        ctx,
        Action::ViewSecurityPolicy,
        Target::Platform,
        "security_policy",
        KEY,
    )
    .await?;
    current(app).await
}

pub async fn update(app: &App, ctx: Ctx<'_>, policy: SecurityPolicy) -> Result<SecurityPolicy> {
    policy.validate()?;
    authorize(
        app,
        ctx,
        Action::UpdateSecurityPolicy,
        Target::Platform,
        "security_policy",
        KEY,
    )
    .await?;
    let before = current(app).await?;
    let value = serde_json::to_string(&policy).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = app.db.begin_write().await?;
    settings::put_setting(
        &mut tx,
        KEY,
        &value,
        Some(&ctx.principal.account_id),
        app.now_micros(),
    )
    .await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "update_security_policy",
            target_kind: "security_policy",
            target_id: KEY,
            payload: json!({ "before": before, "after": policy }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(policy)
}

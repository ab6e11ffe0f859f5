//! Changing one's own password.

use gongshu_domain::password::check_password;
use gongshu_domain::{Action, Target, Violation};
use gongshu_store::{accounts, sessions};
use serde::Deserialize;
use serde_json::json;

use super::secrets::{hash_password, verify_password};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, AuthVia, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password; every other session of the account ends.
pub async fn change_own_password(
    app: &App,
    ctx: Ctx<'_>,
    input: ChangePasswordInput,
) -> Result<()> {
    let p = ctx.principal;
    let policy = crate::security_policy::current(app).await?;
    check_password(&policy, &p.username, &input.new_password)?;
    let target = Target::Account {
        user_id: &p.account_id,
        org_id: p.org_id.as_deref(),
        roles: &p.actor.roles,
    };
    authorize(
        app,
        ctx,
        Action::ChangeOwnPassword,
        target,
        "account",
        &p.account_id,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let account = accounts::get_account(&mut conn, &p.account_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    drop(conn);
    if !verify_password(&input.current_password, &account.password_hash).await {
        return Err(Violation::new(
            "current_password",
            "wrong_password",
            "当前密码不正确",
            "the current password is wrong",
        )
        .into());
    }
    let hash = hash_password(&input.new_password).await?;
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    accounts::update_password(&mut tx, &p.account_id, &hash, now).await?;
    let keep = match &p.via {
        AuthVia::Session(current) => current.as_str(),
        _ => "",
    };
    sessions::end_sessions_except(&mut tx, &p.account_id, keep, now).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "change_own_password",
            target_kind: "account",
            target_id: &p.account_id,
            payload: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

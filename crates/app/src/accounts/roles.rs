//! The security admin's role commands. Which roles may combine is the domain's rule
//! (三员分立, role fits organisation kind); checked again inside the transaction.

use gongshu_domain::{Action, OrgKind, Role, Violation};
use gongshu_store::{accounts, orgs};
use serde_json::json;

use super::load;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

fn parse_role(raw: &str) -> Result<Role> {
    raw.parse::<Role>().map_err(AppError::from)
}

pub async fn grant_role(
    app: &App,
    ctx: Ctx<'_>,
    account_id: &str,
    role: &str,
) -> Result<Vec<String>> {
    let role = parse_role(role)?;
    let loaded = load(&mut *app.db.acquire().await?, account_id).await?;
    authorize(
        app,
        ctx,
        Action::GrantRole(role),
        loaded.target(),
        "account",
        account_id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    // Re-read inside the transaction: the check must see the roles the write will change.
    let loaded = load(&mut tx, account_id).await?;
    if loaded.roles.has(role) {
        return Err(AppError::conflict(
            "role_already_held",
            format!("该账号已拥有角色“{}”", role.zh()),
            format!("the account already holds {role}"),
        ));
    }
    let kind = match &loaded.row.org_id {
        Some(org) => orgs::get_org(&mut tx, org)
            .await?
            .and_then(|o| o.kind.parse::<OrgKind>().ok()),
        None => None,
    };
    let next = loaded.roles.with(role, kind)?;
    accounts::insert_role(
        &mut tx,
        account_id,
        role.as_str(),
        Some(&ctx.principal.account_id),
        app.now_micros(),
    )
    .await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "grant_role",
            target_kind: "account",
            target_id: account_id,
            payload: json!({ "username": loaded.row.username, "role": role }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(next.iter().map(|r| r.as_str().to_owned()).collect())
}

pub async fn revoke_role(
    app: &App,
    ctx: Ctx<'_>,
    account_id: &str,
    role: &str,
) -> Result<Vec<String>> {
    let role = parse_role(role)?;
    let loaded = load(&mut *app.db.acquire().await?, account_id).await?;
    authorize(
        app,
        ctx,
        Action::RevokeRole(role),
        loaded.target(),
        "account",
        account_id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    if !accounts::delete_role(&mut tx, account_id, role.as_str()).await? {
        return Err(Violation::new(
            "role",
            "role_not_held",
            format!("该账号没有角色“{}”", role.zh()),
            format!("the account does not hold {role}"),
        )
        .into());
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "revoke_role",
            target_kind: "account",
            target_id: account_id,
            payload: json!({ "username": loaded.row.username, "role": role }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(loaded
        .roles
        .iter()
        .filter(|r| *r != role)
        .map(|r| r.as_str().to_owned())
        .collect())
}

//! The system admin's account commands.

use gongshu_domain::password::check_password;
use gongshu_domain::{Action, OrgKind, Target, Violation, Violations};
use gongshu_store::accounts::{self, AccountRow};
use gongshu_store::{login_throttle, orgs, sessions};
use serde::Deserialize;
use serde_json::json;

use super::{AccountView, load, username_taken};
use crate::identity::{check_username, hash_password};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountInput {
    pub username: String,
    pub display_name: String,
    pub org_id: String,
    #[serde(default)]
    pub phone: String,
    /// The initial password, handed to the person out of band.
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccountInput {
    pub display_name: String,
    pub org_id: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordInput {
    pub new_password: String,
}

async fn org_kind(conn: &mut gongshu_store::Conn, org_id: &str) -> Result<(OrgKind, String)> {
    let org = orgs::get_org(conn, org_id).await?.ok_or_else(|| {
        AppError::from(Violation::new(
            "org_id",
            "unknown_org",
            "所属机构不存在",
            "the organisation does not exist",
        ))
    })?;
    let kind = org
        .kind
        .parse::<OrgKind>()
        .map_err(|e| AppError::Internal(e.en))?;
    Ok((kind, org.name))
}

pub async fn create_account(
    app: &App,
    ctx: Ctx<'_>,
    input: CreateAccountInput,
) -> Result<AccountView> {
    let mut v = Violations::default();
    let username = check_username(&mut v, &input.username);
    let display_name = v.text("display_name", "姓名", &input.display_name, 50);
    let org_id = v.text("org_id", "所属机构", &input.org_id, 64);
    let policy = crate::security_policy::current(app).await?;
    if let Err(e) = check_password(&policy, &username, &input.password) {
        v.0.extend(e.0);
    }
    v.into_result()?;
    authorize(
        app,
        ctx,
        Action::CreateAccount,
        Target::Organisation { id: &org_id },
        "account",
        &username,
    )
    .await?;
    let hash = hash_password(&input.password).await?;
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    let (_, org_name) = org_kind(&mut tx, &org_id).await?;
    let row = AccountRow {
        id: uuid::Uuid::now_v7().to_string(),
        username: username.clone(),
        display_name,
        org_id: Some(org_id),
        subject_kind: "staff".into(),
        subject_id: None,
        phone: input.phone.trim().to_owned(),
        password_hash: hash,
        status: "active".into(),
        password_changed_at: now,
        created_at: now,
        updated_at: now,
    };
    accounts::insert_account(&mut tx, &row)
        .await
        .map_err(|e| username_taken(e, &username))?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "create_account",
            target_kind: "account",
            target_id: &row.id,
            payload: json!({ "username": row.username, "display_name": row.display_name, "org_id": row.org_id }),
        },
    )
    .await?;
    // A name that was tried before it was taken keeps the locks it earned meanwhile.
    let locks = login_throttle::get_locks_of(&mut tx, &row.username, now).await?;
    tx.commit().await?;
    Ok(super::list::view(row, Vec::new(), Some(org_name), locks))
}

pub async fn update_account(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: UpdateAccountInput,
) -> Result<AccountView> {
    let mut v = Violations::default();
    let display_name = v.text("display_name", "姓名", &input.display_name, 50);
    let org_id = v.text("org_id", "所属机构", &input.org_id, 64);
    v.into_result()?;
    let loaded = load(&mut *app.db.acquire().await?, id).await?;
    authorize(
        app,
        ctx,
        Action::UpdateAccount,
        loaded.target(),
        "account",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let (kind, org_name) = org_kind(&mut tx, &org_id).await?;
    loaded.roles.check(Some(kind))?;
    let now = app.now_micros();
    accounts::update_profile(
        &mut tx,
        id,
        &display_name,
        input.phone.trim(),
        Some(&org_id),
        now,
    )
    .await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "update_account",
            target_kind: "account",
            target_id: id,
            payload: json!({
                "before": { "display_name": loaded.row.display_name, "org_id": loaded.row.org_id, "phone": loaded.row.phone },
                "after": { "display_name": display_name, "org_id": org_id, "phone": input.phone.trim() },
            }),
        },
    )
    .await?;
    let locks = login_throttle::get_locks_of(&mut tx, &loaded.row.username, now).await?;
    tx.commit().await?;
    let mut row = loaded.row;
    row.display_name = display_name;
    row.org_id = Some(org_id);
    row.phone = input.phone.trim().to_owned();
    let roles = loaded.roles.iter().map(|r| r.as_str().to_owned()).collect();
    Ok(super::list::view(row, roles, Some(org_name), locks))
}

/// Disables (ending every session at once) or re-enables an account.
pub async fn set_account_status(app: &App, ctx: Ctx<'_>, id: &str, active: bool) -> Result<()> {
    let action = if active {
        Action::EnableAccount
    } else {
        Action::DisableAccount
    };
    let loaded = load(&mut *app.db.acquire().await?, id).await?;
    authorize(app, ctx, action, loaded.target(), "account", id).await?;
    let mut tx = app.db.begin_write().await?;
    let now = app.now_micros();
    let status = if active { "active" } else { "disabled" };
    accounts::update_status(&mut tx, id, status, now).await?;
    if !active {
        sessions::end_sessions_of(&mut tx, id, now).await?;
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: if active { "enable_account" } else { "disable_account" },
            target_kind: "account",
            target_id: id,
            payload: json!({ "username": loaded.row.username, "before": loaded.row.status, "after": status }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts the locks on new password logins of the account, account-wide and at every address,
/// and forgets its failed logins.
pub async fn unlock_account(app: &App, ctx: Ctx<'_>, id: &str) -> Result<()> {
    let loaded = load(&mut *app.db.acquire().await?, id).await?;
    authorize(
        app,
        ctx,
        Action::UnlockAccount,
        loaded.target(),
        "account",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    login_throttle::delete_counters_of(&mut tx, &loaded.row.username).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "unlock_account",
            target_kind: "account",
            target_id: id,
            payload: json!({ "username": loaded.row.username }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password chosen by the system admin; every session of the account ends and the
/// locks on its password logins are lifted, so the new password works at once.
pub async fn reset_password(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: ResetPasswordInput,
) -> Result<()> {
    let mut conn = app.db.acquire().await?;
    let loaded = load(&mut conn, id).await?;
    drop(conn);
    let policy = crate::security_policy::current(app).await?;
    check_password(&policy, &loaded.row.username, &input.new_password)?;
    authorize(
        app,
        ctx,
        Action::ResetPassword,
        loaded.target(),
        "account",
        id,
    )
    .await?;
    let hash = hash_password(&input.new_password).await?;
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    accounts::update_password(&mut tx, id, &hash, now).await?;
    login_throttle::delete_counters_of(&mut tx, &loaded.row.username).await?;
    sessions::end_sessions_of(&mut tx, id, now).await?;
    gongshu_store::tokens::revoke_tokens_of(&mut tx, id, now).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "reset_password",
            target_kind: "account",
            target_id: id,
            payload: json!({ "username": loaded.row.username }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

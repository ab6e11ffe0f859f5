//! Turning a session cookie or a bearer token into a principal, on every request.

use gongshu_domain::{Actor, OrgKind, OrgLevel, Role, RoleSet, authz::OrgFacts};
use gongshu_store::{Conn, accounts, orgs, sessions, tokens};

use super::secrets::{TOKEN_PREFIX, secret_hash};
use crate::{App, AppError, AuthVia, Principal, Result};

/// Session activity is written at most once a minute, not on every request.
const TOUCH_EVERY_MICROS: i64 = 60_000_000;

/// Resolves a credential: a session token from the cookie, or `gst_…` from the
/// `Authorization: Bearer` header.
pub async fn authenticate(app: &App, credential: &str) -> Result<Principal> {
    let now = app.now_micros();
    let hash = secret_hash(credential);
    let mut conn = app.db.acquire().await?;
    if credential.starts_with(TOKEN_PREFIX) {
        let token = tokens::get_token_by_hash(&mut conn, &hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if token.revoked_at.is_some() {
            return Err(AppError::Unauthenticated);
        }
        if token.expires_at.is_some_and(|e| e <= now) {
            return Err(AppError::SessionExpired);
        }
        let account = active_account(&mut conn, &token.account_id).await?;
        if token
            .last_used_at
            .is_none_or(|t| now - t > TOUCH_EVERY_MICROS)
        {
            tokens::touch_token(&mut conn, &token.id, now).await?;
        }
        return load_principal(&mut conn, &account, AuthVia::Token(token.id)).await;
    }
    let session = sessions::get_session(&mut conn, &hash)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if session.ended_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    let policy = crate::security_policy::current_on(&mut conn).await?;
    let idle = i64::from(policy.session_idle_minutes) * 60_000_000;
    if session.expires_at <= now || now - session.last_seen_at > idle {
        return Err(AppError::SessionExpired);
    }
    let account = active_account(&mut conn, &session.account_id).await?;
    if now - session.last_seen_at > TOUCH_EVERY_MICROS {
        sessions::touch_session(&mut conn, &hash, now).await?;
    }
    load_principal(&mut conn, &account, AuthVia::Session(hash)).await
}

/// The principal an operator acts as on the command line (`--as USER`). Whoever runs the CLI
/// has the database in hand; naming the account keeps the audit trail and the access decision
/// the same as on the web.
pub async fn principal_for_cli(app: &App, username: &str) -> Result<Principal> {
    let mut conn = app.db.acquire().await?;
    let account = accounts::get_account_by_username(&mut conn, username)
        .await?
        .ok_or(AppError::not_found("account", "账号"))?;
    let account = active_account(&mut conn, &account.id).await?;
    load_principal(&mut conn, &account, AuthVia::Cli).await
}

/// The account behind a session or token, if it is active. A lock on password logins does
/// not count here: it refuses new logins only, so guessing cannot end the owner's sessions
/// and tokens (B8).
async fn active_account(conn: &mut Conn, id: &str) -> Result<accounts::AccountRow> {
    let account = accounts::get_account(conn, id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if account.status != "active" {
        return Err(AppError::AccountDisabled);
    }
    Ok(account)
}

/// Builds the principal (roles and organisation facts) of an account.
pub(crate) async fn load_principal(
    conn: &mut Conn,
    account: &accounts::AccountRow,
    via: AuthVia,
) -> Result<Principal> {
    let role_names = accounts::list_roles(conn, &account.id).await?;
    let roles = RoleSet::new(role_names.iter().filter_map(|r| r.parse::<Role>().ok()));
    let org = match &account.org_id {
        Some(id) => orgs::get_org(conn, id).await?,
        None => None,
    };
    let facts = org.as_ref().and_then(|o| {
        Some(OrgFacts {
            id: o.id.clone(),
            kind: o.kind.parse::<OrgKind>().ok()?,
            level: o.level.parse::<OrgLevel>().ok()?,
        })
    });
    Ok(Principal {
        account_id: account.id.clone(),
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        org_id: account.org_id.clone(),
        org_name: org.map(|o| o.name),
        roles: role_names,
        actor: Actor {
            user_id: account.id.clone(),
            org: facts,
            roles,
        },
        via,
    })
}

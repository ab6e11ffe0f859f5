//! Login and logout. Five failed logins in a row lock an account for fifteen minutes (the
//! security policy may tighten both); failures and locks are audit events like any change.

use chrono::Duration;
use gongshu_audit::Outcome;
use gongshu_store::{accounts, sessions};
use serde::Deserialize;
use serde_json::json;

use super::secrets::{dummy_hash, random_secret, secret_hash, verify_password};
use crate::record::{Change, Who, append, record, record_alone};
use crate::{App, AppError, AuthVia, Ctx, Principal, RequestMeta, Result, format_time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(Debug)]
pub struct LoginOutcome {
    /// The cookie value; shown to the client once, stored only as a hash.
    pub session_token: String,
    pub principal: Principal,
}

pub async fn login(app: &App, meta: &RequestMeta, input: LoginInput) -> Result<LoginOutcome> {
    let username: String = input.username.trim().chars().take(64).collect();
    let policy = crate::security_policy::current(app).await?;
    let mut conn = app.db.acquire().await?;
    let Some(account) = accounts::get_account_by_username(&mut conn, &username).await? else {
        drop(conn);
        verify_password(&input.password, dummy_hash()).await;
        fail(app, meta, None, &username, None, "unknown_user").await?;
        return Err(AppError::BadCredentials);
    };
    drop(conn);
    let now = app.now_micros();
    let threshold = i64::from(policy.lockout_threshold);
    let lock_until = now
        + Duration::minutes(i64::from(policy.lockout_minutes))
            .num_microseconds()
            .unwrap_or(0);
    let who = Who {
        id: Some(&account.id),
        name: &username,
        org: account.org_id.as_deref(),
    };
    // The attempt is counted before the password is checked, so parallel guesses cannot get
    // more than the threshold checked.
    let mut tx = app.db.begin_write().await?;
    let attempt = accounts::reserve_login_attempt(&mut tx, &account.id, now).await?;
    let refused = match attempt {
        None => Some(("locked", account.locked_until.unwrap_or(lock_until))),
        Some(n) if n > threshold => {
            accounts::update_login_counters(&mut tx, &account.id, 0, Some(lock_until)).await?;
            Some(("too_many_attempts", lock_until))
        }
        Some(_) => None,
    };
    if let Some((reason, until)) = refused {
        let change = Change {
            action: "login",
            target_kind: "account",
            target_id: &account.id,
            payload: json!({ "reason": reason }),
        };
        append(app, &mut tx, meta, who, Outcome::Failed, change).await?;
        tx.commit().await?;
        return Err(AppError::AccountLocked {
            until: format_time(until),
        });
    }
    tx.commit().await?;
    let failed = attempt.unwrap_or_default();
    if !verify_password(&input.password, &account.password_hash).await {
        let mut tx = app.db.begin_write().await?;
        let locks = failed >= threshold;
        if locks {
            accounts::update_login_counters(&mut tx, &account.id, 0, Some(lock_until)).await?;
        }
        let reason = if locks {
            "wrong_password_locked"
        } else {
            "wrong_password"
        };
        let change = Change {
            action: "login",
            target_kind: "account",
            target_id: &account.id,
            payload: json!({ "reason": reason, "failed_logins": failed }),
        };
        append(app, &mut tx, meta, who, Outcome::Failed, change).await?;
        tx.commit().await?;
        return Err(if locks {
            AppError::AccountLocked {
                until: format_time(lock_until),
            }
        } else {
            AppError::BadCredentials
        });
    }
    if account.status != "active" {
        fail(
            app,
            meta,
            Some(&account.id),
            &username,
            account.org_id.as_deref(),
            "disabled",
        )
        .await?;
        return Err(AppError::AccountDisabled);
    }

    let token = random_secret();
    let id_hash = secret_hash(&token);
    let mut tx = app.db.begin_write().await?;
    accounts::update_login_counters(&mut tx, &account.id, 0, None).await?;
    sessions::insert_session(
        &mut tx,
        &sessions::SessionRow {
            id_hash: id_hash.clone(),
            account_id: account.id.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now
                + Duration::hours(app.config.session_absolute_hours)
                    .num_microseconds()
                    .unwrap_or(0),
            client_addr: meta.client_addr.clone(),
            ended_at: None,
        },
    )
    .await?;
    let principal = super::load_principal(&mut tx, &account, AuthVia::Session(id_hash)).await?;
    let ctx = Ctx {
        meta,
        principal: &principal,
    };
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "login",
            target_kind: "account",
            target_id: &account.id,
            payload: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LoginOutcome {
        session_token: token,
        principal,
    })
}

async fn fail(
    app: &App,
    meta: &RequestMeta,
    account_id: Option<&str>,
    username: &str,
    org_id: Option<&str>,
    reason: &str,
) -> Result<()> {
    record_alone(
        app,
        meta,
        Who {
            id: account_id,
            name: username,
            org: org_id,
        },
        Outcome::Failed,
        Change {
            action: "login",
            target_kind: "account",
            target_id: account_id.unwrap_or(username),
            payload: json!({ "reason": reason }),
        },
    )
    .await
}

/// Ends the current session (a token-authenticated call has no session to end).
pub async fn logout(app: &App, ctx: Ctx<'_>) -> Result<()> {
    let mut tx = app.db.begin_write().await?;
    if let AuthVia::Session(id_hash) = &ctx.principal.via {
        sessions::end_session(&mut tx, id_hash, app.now_micros()).await?;
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "logout",
            target_kind: "account",
            target_id: &ctx.principal.account_id,
            payload: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

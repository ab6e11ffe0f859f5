//! Login and logout (B8 identity authentication, H35). Failed password logins are throttled
//! per account name at a client address, per address and per account name, as
//! `gongshu_domain::login_throttle` says: with the default policy, five failures in a row from
//! one address stop that address trying that name for fifteen minutes (doubling on repeats),
//! twenty from one address across names stop the address, and fifty across addresses lock the
//! name everywhere. A lock refuses new password logins only; sessions and API tokens keep
//! working, so guessing cannot log the owner out.
//!
//! A login reserves its places before the password is checked and gives them back after, so
//! parallel guesses never get more passwords checked than the limits, while correct logins in
//! parallel wait for a place instead of being refused. The whole login runs in a task of its
//! own, so a client that hangs up cannot leave a place taken; a place of a process that died
//! is given up after a minute.
//!
//! Unknown names go through the same steps (a dummy hash is verified, the name is counted
//! under the same keys), so the answer and its timing do not tell whether an account exists.
//! Failures, locks and refusals are audit events like any change.

use std::time::Duration as StdDuration;

use chrono::Duration;
use gongshu_audit::Outcome;
use gongshu_domain::login_throttle::{Admission, Block, ThrottleLimits, ThrottleScope, Verdict};
use gongshu_store::accounts::AccountRow;
use gongshu_store::login_throttle::ThrottleKey;
use gongshu_store::{accounts, sessions};
use serde::Deserialize;
use serde_json::{Value, json};

use super::secrets::{dummy_hash, random_secret, secret_hash, verify_password};
use super::throttle::{admit_in, settle_in};
use crate::record::{Change, Who, append, record};
use crate::{App, AppError, AuthVia, Ctx, Principal, RequestMeta, Result, format_time};

/// How long a login waits for a place while others are being checked before it gives up
/// with "busy". Checking a password takes well under a second.
const MAX_WAIT: StdDuration = StdDuration::from_secs(20);

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
    let limits = ThrottleLimits::of(&policy);
    let mut conn = app.db.acquire().await?;
    let account = accounts::get_account_by_username(&mut conn, &username).await?;
    drop(conn);
    let attempt = Attempt {
        keys: ThrottleKey::of_login(&username, &meta.client_addr),
        username,
        account,
        limits,
    };
    // The login runs in a task of its own: a client that hangs up while its password is being
    // checked cannot leave a place taken.
    let (app, meta) = (app.clone(), meta.clone());
    tokio::spawn(crate::one_connection_per_request(async move {
        attempt.run(&app, &meta, input.password).await
    }))
    .await
    .map_err(|e| AppError::Internal(format!("login task: {e}")))?
}

/// One login on its way through the throttle.
struct Attempt {
    username: String,
    account: Option<AccountRow>,
    keys: [ThrottleKey; 3],
    limits: ThrottleLimits,
}

/// A place under every key, or the lock that refuses the login (with the transaction that
/// read it, for the refusal's audit event).
enum Reservation {
    Place,
    Refused(Block, gongshu_store::Tx),
}

impl Attempt {
    async fn run(self, app: &App, meta: &RequestMeta, password: String) -> Result<LoginOutcome> {
        match self.reserve(app).await? {
            Reservation::Place => self.check(app, meta, password).await,
            Reservation::Refused(block, mut tx) => {
                let reason = match block.scope {
                    ThrottleScope::Account => "locked",
                    ThrottleScope::AccountAtAddress | ThrottleScope::Address => "throttled",
                };
                let payload = json!({ "reason": reason, "lock": lock_json(&block) });
                self.fail(app, &mut tx, meta, payload).await?;
                tx.commit().await?;
                Err(refusal(app, block))
            }
        }
    }

    /// Waits for a place under every key while other logins are being checked.
    async fn reserve(&self, app: &App) -> Result<Reservation> {
        let deadline = tokio::time::Instant::now() + MAX_WAIT;
        let mut pause = StdDuration::from_millis(10);
        loop {
            let mut tx = app.db.begin_write().await?;
            match admit_in(&mut tx, &self.keys, &self.limits, app.now_micros()).await? {
                Admission::Check => {
                    tx.commit().await?;
                    return Ok(Reservation::Place);
                }
                Admission::Refused(block) => return Ok(Reservation::Refused(block, tx)),
                Admission::Wait => {
                    drop(tx);
                    if tokio::time::Instant::now() + pause > deadline {
                        return Err(AppError::Busy);
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(StdDuration::from_millis(200));
                }
            }
        }
    }

    fn who(&self) -> Who<'_> {
        Who {
            id: self.account.as_ref().map(|a| a.id.as_str()),
            name: &self.username,
            org: self.account.as_ref().and_then(|a| a.org_id.as_deref()),
        }
    }

    /// Writes the failed-login event.
    async fn fail(
        &self,
        app: &App,
        conn: &mut gongshu_store::Conn,
        meta: &RequestMeta,
        payload: Value,
    ) -> Result<()> {
        let target_id = self
            .account
            .as_ref()
            .map_or(self.username.as_str(), |a| a.id.as_str());
        let change = Change {
            action: "login",
            target_kind: "account",
            target_id,
            payload,
        };
        append(app, conn, meta, self.who(), Outcome::Failed, change).await
    }

    /// Checks the password, settles the reservation and, for the right password of an active
    /// account, opens the session, all in one transaction with the audit event.
    async fn check(self, app: &App, meta: &RequestMeta, password: String) -> Result<LoginOutcome> {
        let stored: &str = match &self.account {
            Some(account) => &account.password_hash,
            None => dummy_hash(),
        };
        let right = verify_password(&password, stored).await && self.account.is_some();
        let verdict = if right {
            Verdict::Right
        } else {
            Verdict::Wrong
        };
        let now = app.now_micros();
        let mut tx = app.db.begin_write().await?;
        let lock = settle_in(&mut tx, &self.keys, &self.limits, now, verdict).await?;
        let account = match (&self.account, right) {
            (Some(account), true) => account,
            _ => {
                let reason = if self.account.is_some() {
                    "wrong_password"
                } else {
                    "unknown_user"
                };
                let mut payload = json!({ "reason": reason });
                if let Some(block) = &lock {
                    payload["lock"] = lock_json(block);
                }
                self.fail(app, &mut tx, meta, payload).await?;
                tx.commit().await?;
                return Err(lock.map_or(AppError::BadCredentials, |b| refusal(app, b)));
            }
        };
        if account.status != "active" {
            self.fail(app, &mut tx, meta, json!({ "reason": "disabled" }))
                .await?;
            tx.commit().await?;
            return Err(AppError::AccountDisabled);
        }
        let token = random_secret();
        let id_hash = secret_hash(&token);
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
        let principal = super::load_principal(&mut tx, account, AuthVia::Session(id_hash)).await?;
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
}

fn lock_json(block: &Block) -> Value {
    json!({ "scope": block.scope.as_str(), "until": format_time(block.until) })
}

/// The answer to a login a lock refuses: the account-wide lock is 423, the others 429.
fn refusal(app: &App, block: Block) -> AppError {
    let micros = u64::try_from(block.until - app.now_micros()).unwrap_or(0);
    let retry_after_secs = micros.div_ceil(1_000_000).max(1);
    let until = format_time(block.until);
    match block.scope {
        ThrottleScope::Account => AppError::AccountLocked {
            until,
            retry_after_secs,
        },
        ThrottleScope::AccountAtAddress | ThrottleScope::Address => AppError::LoginThrottled {
            until,
            retry_after_secs,
        },
    }
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

//! Login throttle counters (登录失败计数), one row per key: an account name at a client
//! address, a client address, or an account name. The rules that read and change them are in
//! `gongshu_domain::login_throttle`; callers hold the platform's write lock while they read,
//! decide and write back, so a read-decide-write is never interleaved with another.

use gongshu_domain::login_throttle::{Counter, KEEP_MICROS, ThrottleScope};

use crate::{Conn, Result};

/// The key of one counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    pub scope: ThrottleScope,
    /// `''` for the address scope.
    pub username: String,
    /// `''` for the account scope.
    pub client_addr: String,
}

impl ThrottleKey {
    /// The three keys a login from `client_addr` for `username` is counted under, in
    /// [`ThrottleScope::ALL`] order.
    pub fn of_login(username: &str, client_addr: &str) -> [ThrottleKey; 3] {
        ThrottleScope::ALL.map(|scope| {
            let (username, client_addr) = match scope {
                ThrottleScope::AccountAtAddress => (username, client_addr),
                ThrottleScope::Address => ("", client_addr),
                ThrottleScope::Account => (username, ""),
            };
            ThrottleKey {
                scope,
                username: username.to_owned(),
                client_addr: client_addr.to_owned(),
            }
        })
    }
}

type CounterRow = (i64, i64, Option<i64>, i64, i64, i64);

/// The counter under `key`; a key never counted is all zeros.
pub async fn get_counter(conn: &mut Conn, key: &ThrottleKey) -> Result<Counter> {
    let row: Option<CounterRow> = sqlx::query_as(
        "SELECT failures, window_start, blocked_until, locks, in_flight, in_flight_at \
         FROM login_throttle WHERE scope = $1 AND username = $2 AND client_addr = $3",
    )
    .bind(key.scope.as_str())
    .bind(&key.username)
    .bind(&key.client_addr)
    .fetch_optional(conn)
    .await?;
    Ok(row.map_or_else(Counter::default, |r| Counter {
        failures: r.0,
        window_start: r.1,
        blocked_until: r.2,
        locks: r.3,
        in_flight: r.4,
        in_flight_at: r.5,
    }))
}

/// Writes the counter under `key`; an idle counter is deleted instead, so the table holds
/// only what must be remembered.
pub async fn put_counter(conn: &mut Conn, key: &ThrottleKey, c: &Counter, now: i64) -> Result<()> {
    if c.is_idle() {
        sqlx::query(
            "DELETE FROM login_throttle WHERE scope = $1 AND username = $2 AND client_addr = $3",
        )
        .bind(key.scope.as_str())
        .bind(&key.username)
        .bind(&key.client_addr)
        .execute(conn)
        .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO login_throttle (scope, username, client_addr, failures, window_start, \
         blocked_until, locks, in_flight, in_flight_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (scope, username, client_addr) DO UPDATE SET \
         failures = excluded.failures, window_start = excluded.window_start, \
         blocked_until = excluded.blocked_until, locks = excluded.locks, \
         in_flight = excluded.in_flight, in_flight_at = excluded.in_flight_at, \
         updated_at = excluded.updated_at",
    )
    .bind(key.scope.as_str())
    .bind(&key.username)
    .bind(&key.client_addr)
    .bind(c.failures)
    .bind(c.window_start)
    .bind(c.blocked_until)
    .bind(c.locks)
    .bind(c.in_flight)
    .bind(c.in_flight_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets counters untouched for a day that block nothing any more: the table stays bounded
/// by the failures of one day.
pub async fn prune(conn: &mut Conn, now: i64) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM login_throttle WHERE updated_at < $1 \
         AND (blocked_until IS NULL OR blocked_until <= $2)",
    )
    .bind(now - KEEP_MICROS)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Locks in force on new password logins of `username`: (the account-wide lock, the latest
/// lock of the name at some address).
pub async fn get_locks_of(
    conn: &mut Conn,
    username: &str,
    now: i64,
) -> Result<(Option<i64>, Option<i64>)> {
    let locks = list_locks_of(conn, &[username.to_owned()], now).await?;
    Ok(locks
        .into_iter()
        .next()
        .map_or((None, None), |l| (l.1, l.2)))
}

/// The same for many names at once, for list pages: `(username, account lock, address lock)`
/// for the names with a lock in force.
pub async fn list_locks_of(
    conn: &mut Conn,
    usernames: &[String],
    now: i64,
) -> Result<Vec<(String, Option<i64>, Option<i64>)>> {
    if usernames.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (2..usernames.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT username, \
         MAX(CASE WHEN scope = 'account' THEN blocked_until END), \
         MAX(CASE WHEN scope = 'account_address' THEN blocked_until END) \
         FROM login_throttle WHERE blocked_until > $1 AND username IN ({}) \
         GROUP BY username",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now);
    for name in usernames {
        q = q.bind(name);
    }
    Ok(q.fetch_all(conn).await?)
}

/// Lifts every lock and forgets every failure of `username` (the system admin's unlock).
pub async fn delete_counters_of(conn: &mut Conn, username: &str) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM login_throttle WHERE username = $1 \
         AND scope IN ('account', 'account_address')",
    )
    .bind(username)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

//! Accounts (账号) and their roles.

use sqlx::FromRow;

use sqlx::AssertSqlSafe;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub org_id: Option<String>,
    /// `staff`, `person` or `company`.
    pub subject_kind: String,
    pub subject_id: Option<String>,
    pub phone: String,
    pub password_hash: String,
    /// `active` or `disabled`.
    pub status: String,
    pub password_changed_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

// The old lockout counters (`failed_logins`, `locked_until`) are no longer read or written:
// login throttling lives in `login_throttle`.
const COLUMNS: &str = "id, username, display_name, org_id, subject_kind, subject_id, phone, \
                       password_hash, status, password_changed_at, created_at, updated_at";

pub async fn insert_account(conn: &mut Conn, a: &AccountRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO accounts ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )))
    .bind(&a.id)
    .bind(&a.username)
    .bind(&a.display_name)
    .bind(&a.org_id)
    .bind(&a.subject_kind)
    .bind(&a.subject_id)
    .bind(&a.phone)
    .bind(&a.password_hash)
    .bind(&a.status)
    .bind(a.password_changed_at)
    .bind(a.created_at)
    .bind(a.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_account(conn: &mut Conn, id: &str) -> Result<Option<AccountRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn get_account_by_username(
    conn: &mut Conn,
    username: &str,
) -> Result<Option<AccountRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE username = $1"
    )))
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

/// Filter for the account list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub org_id: Option<String>,
    /// Matches user name or display name.
    pub query: Option<String>,
}

pub async fn list_accounts(
    conn: &mut Conn,
    filter: &AccountFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AccountRow>, i64)> {
    let pattern = filter.query.as_ref().map(|q| format!("%{q}%"));
    let predicate = "($1 IS NULL OR org_id = $1) \
                     AND ($2 IS NULL OR LOWER(username) LIKE LOWER($2) OR LOWER(display_name) LIKE LOWER($2))";
    let rows = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE {predicate} ORDER BY username LIMIT $3 OFFSET $4"
    )))
    .bind(&filter.org_id)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM accounts WHERE {predicate}"
    )))
    .bind(&filter.org_id)
    .bind(&pattern)
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

pub async fn update_profile(
    conn: &mut Conn,
    id: &str,
    display_name: &str,
    phone: &str,
    org_id: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET display_name = $2, phone = $3, org_id = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(display_name)
    .bind(phone)
    .bind(org_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_status(conn: &mut Conn, id: &str, status: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE accounts SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_password(conn: &mut Conn, id: &str, hash: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET password_hash = $2, password_changed_at = $3, updated_at = $3 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list_roles(conn: &mut Conn, account_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role")
            .bind(account_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// Roles of many accounts at once, as (account id, role) pairs, for list pages.
pub async fn list_roles_of(conn: &mut Conn, ids: &[String]) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT account_id, role FROM account_roles WHERE account_id IN ({}) ORDER BY role",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as(AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(conn).await?)
}

pub async fn insert_role(
    conn: &mut Conn,
    account_id: &str,
    role: &str,
    granted_by: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_roles (account_id, role, granted_by, granted_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(account_id)
    .bind(role)
    .bind(granted_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_role(conn: &mut Conn, account_id: &str, role: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM account_roles WHERE account_id = $1 AND role = $2")
        .bind(account_id)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

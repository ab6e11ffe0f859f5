//! Personal API tokens (个人API令牌): stored as an SM3 hash, shown once, revocable.

use sqlx::FromRow;

use sqlx::AssertSqlSafe;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub token_hash: String,
    /// The first characters of the token, so its owner can tell tokens apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str =
    "id, account_id, name, token_hash, prefix, created_at, last_used_at, expires_at, revoked_at";

pub async fn insert_token(conn: &mut Conn, t: &TokenRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO api_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )))
    .bind(&t.id)
    .bind(&t.account_id)
    .bind(&t.name)
    .bind(&t.token_hash)
    .bind(&t.prefix)
    .bind(t.created_at)
    .bind(t.last_used_at)
    .bind(t.expires_at)
    .bind(t.revoked_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_token_by_hash(conn: &mut Conn, hash: &str) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"
    )))
    .bind(hash)
    .fetch_optional(conn)
    .await?)
}

pub async fn get_token(conn: &mut Conn, id: &str) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn list_tokens(conn: &mut Conn, account_id: &str) -> Result<Vec<TokenRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC"
    )))
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}

pub async fn revoke_token(conn: &mut Conn, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn touch_token(conn: &mut Conn, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes every token of an account (its password was reset by an administrator).
pub async fn revoke_tokens_of(conn: &mut Conn, account_id: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

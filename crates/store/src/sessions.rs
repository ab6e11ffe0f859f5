//! Login sessions. The cookie holds a random token; only its SM3 hash is stored, so a copy of
//! the database does not let anyone log in.

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub account_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub client_addr: String,
    pub ended_at: Option<i64>,
}

pub async fn insert_session(conn: &mut Conn, s: &SessionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, expires_at, \
         client_addr, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.id_hash)
    .bind(&s.account_id)
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .bind(s.expires_at)
    .bind(&s.client_addr)
    .bind(s.ended_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_session(conn: &mut Conn, id_hash: &str) -> Result<Option<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT id_hash, account_id, created_at, last_seen_at, expires_at, client_addr, ended_at \
         FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await?)
}

pub async fn touch_session(conn: &mut Conn, id_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn end_session(conn: &mut Conn, id_hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL")
        .bind(id_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of an account (disabled, password reset, role change).
pub async fn end_sessions_of(conn: &mut Conn, account_id: &str, now: i64) -> Result<()> {
    end_sessions_except(conn, account_id, "", now).await
}

/// Ends every session of an account but the one with hash `keep` (a password change keeps the
/// session it was made from).
pub async fn end_sessions_except(
    conn: &mut Conn,
    account_id: &str,
    keep: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL \
         AND id_hash <> $3",
    )
    .bind(account_id)
    .bind(now)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(())
}

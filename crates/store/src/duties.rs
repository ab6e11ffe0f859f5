//! Update duties (H9): after an entry's legal basis or the agency's function changes, a revised
//! entry is due within 15 working days.

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct DutyRow {
    pub id: String,
    pub entry_id: String,
    /// `legal_basis_changed` or `function_changed`.
    pub reason_kind: String,
    pub reason: String,
    pub opened_at: i64,
    pub opened_by: String,
    pub due_date: String,
    pub due_provisional: i64,
    pub closed_at: Option<i64>,
    pub closed_revision: Option<i64>,
}

const COLUMNS: &str = "id, entry_id, reason_kind, reason, opened_at, opened_by, due_date, \
                       due_provisional, closed_at, closed_revision";

pub async fn insert_duty(conn: &mut Conn, d: &DutyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO update_duties (id, entry_id, reason_kind, reason, opened_at, opened_by, \
         due_date, due_provisional, closed_at, closed_revision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&d.id)
    .bind(&d.entry_id)
    .bind(&d.reason_kind)
    .bind(&d.reason)
    .bind(d.opened_at)
    .bind(&d.opened_by)
    .bind(&d.due_date)
    .bind(d.due_provisional)
    .bind(d.closed_at)
    .bind(d.closed_revision)
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes the entry's open duties when a revision is published: those opened before the
/// revision was submitted, which it can answer; later ones stay open.
pub async fn close_duties(
    conn: &mut Conn,
    entry_id: &str,
    revision: i64,
    submitted_at: i64,
    now: i64,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE update_duties SET closed_at = $3, closed_revision = $2 \
         WHERE entry_id = $1 AND closed_at IS NULL AND opened_at <= $4",
    )
    .bind(entry_id)
    .bind(revision)
    .bind(now)
    .bind(submitted_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn list_duties(conn: &mut Conn, entry_id: &str) -> Result<Vec<DutyRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM update_duties WHERE entry_id = $1 ORDER BY opened_at"
    )))
    .bind(entry_id)
    .fetch_all(conn)
    .await?)
}

pub async fn list_open_duties(conn: &mut Conn) -> Result<Vec<DutyRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM update_duties WHERE closed_at IS NULL ORDER BY due_date"
    )))
    .fetch_all(conn)
    .await?)
}

//! Assessments of conditionally shared entries (H19).

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct AssessmentRow {
    pub id: String,
    pub entry_id: String,
    pub revision: i64,
    pub outcome: String,
    pub reason: String,
    pub draft_revision: Option<i64>,
    pub assessed_by: String,
    pub assessed_on: String,
    pub assessed_at: i64,
}

pub async fn insert_assessment(conn: &mut Conn, a: &AssessmentRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO share_assessments (id, entry_id, revision, outcome, reason, draft_revision, \
         assessed_by, assessed_on, assessed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&a.id)
    .bind(&a.entry_id)
    .bind(a.revision)
    .bind(&a.outcome)
    .bind(&a.reason)
    .bind(a.draft_revision)
    .bind(&a.assessed_by)
    .bind(&a.assessed_on)
    .bind(a.assessed_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An entry's assessments, newest first.
pub async fn list_for_entry(conn: &mut Conn, entry_id: &str) -> Result<Vec<AssessmentRow>> {
    Ok(sqlx::query_as(
        "SELECT id, entry_id, revision, outcome, reason, draft_revision, assessed_by, \
         assessed_on, assessed_at FROM share_assessments WHERE entry_id = $1 \
         ORDER BY assessed_at DESC, id DESC",
    )
    .bind(entry_id)
    .fetch_all(conn)
    .await?)
}

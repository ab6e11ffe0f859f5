//! Masked derivative entries (脱敏衍生目录, H19): which entry derives from which not-shared
//! source, and the masking rule of each masked item per revision (stored as JSON text; the
//! application parses it into a rule).

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct DerivativeRow {
    /// The derivative entry.
    pub entry_id: String,
    /// The not-shared entry whose data it serves, masked.
    pub source_entry_id: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub entry_id: String,
    pub revision: i64,
    pub item_code: String,
    /// JSON wire form of the masking rule.
    pub rule: String,
}

pub async fn insert_derivative(conn: &mut Conn, d: &DerivativeRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO catalog_derivatives (entry_id, source_entry_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&d.entry_id)
    .bind(&d.source_entry_id)
    .bind(&d.created_by)
    .bind(d.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The derivative link of `entry_id`, if it is a derivative.
pub async fn get_derivative(conn: &mut Conn, entry_id: &str) -> Result<Option<DerivativeRow>> {
    Ok(sqlx::query_as(
        "SELECT entry_id, source_entry_id, created_by, created_at FROM catalog_derivatives \
         WHERE entry_id = $1",
    )
    .bind(entry_id)
    .fetch_optional(conn)
    .await?)
}

/// The entries derived from `source_entry_id`, oldest first: code and published revision.
pub async fn list_derivative_codes(
    conn: &mut Conn,
    source_entry_id: &str,
) -> Result<Vec<(String, Option<i64>)>> {
    Ok(sqlx::query_as(
        "SELECT e.code, e.published_revision FROM catalog_derivatives d JOIN catalog_entries e ON e.id = d.entry_id \
         WHERE d.source_entry_id = $1 ORDER BY d.created_at, e.code",
    )
    .bind(source_entry_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_rules(conn: &mut Conn, rules: &[RuleRow]) -> Result<()> {
    for r in rules {
        sqlx::query(
            "INSERT INTO derivative_rules (entry_id, revision, item_code, rule) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&r.entry_id)
        .bind(r.revision)
        .bind(&r.item_code)
        .bind(&r.rule)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn list_rules(conn: &mut Conn, entry_id: &str, revision: i64) -> Result<Vec<RuleRow>> {
    Ok(sqlx::query_as(
        "SELECT entry_id, revision, item_code, rule FROM derivative_rules \
         WHERE entry_id = $1 AND revision = $2 ORDER BY item_code",
    )
    .bind(entry_id)
    .bind(revision)
    .fetch_all(conn)
    .await?)
}

/// Removes the rules of a draft or returned revision about to be rewritten in place.
pub async fn delete_rules(conn: &mut Conn, entry_id: &str, revision: i64) -> Result<()> {
    sqlx::query("DELETE FROM derivative_rules WHERE entry_id = $1 AND revision = $2")
        .bind(entry_id)
        .bind(revision)
        .execute(conn)
        .await?;
    Ok(())
}

//! The registry of basic data elements (基础数据项, 一数一源, H13, H14): each element has
//! exactly one source department.

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct ElementRow {
    pub code: String,
    pub name: String,
    /// `natural_person` (keyed by citizen ID) or `organisation` (keyed by credit code).
    pub subject: String,
    /// The kind of department the regulation names, e.g. 公安机关.
    pub source_kind: String,
    /// The organisation on this platform that is the source.
    pub source_org_id: Option<String>,
    pub legal_basis: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "code, name, subject, source_kind, source_org_id, legal_basis, created_at, updated_at";

pub async fn insert_element(conn: &mut Conn, e: &ElementRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO data_elements (code, name, subject, source_kind, source_org_id, \
         legal_basis, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&e.code)
    .bind(&e.name)
    .bind(&e.subject)
    .bind(&e.source_kind)
    .bind(&e.source_org_id)
    .bind(&e.legal_basis)
    .bind(e.created_at)
    .bind(e.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_element(conn: &mut Conn, code: &str) -> Result<Option<ElementRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM data_elements WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(conn)
    .await?)
}

pub async fn list_elements(conn: &mut Conn) -> Result<Vec<ElementRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM data_elements ORDER BY code"
    )))
    .fetch_all(conn)
    .await?)
}

/// Names the source organisation, only if no one holds the element yet (the condition makes
/// a concurrent second claim change nothing).
pub async fn claim_element(conn: &mut Conn, code: &str, org_id: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE data_elements SET source_org_id = $2, updated_at = $3 \
         WHERE code = $1 AND source_org_id IS NULL",
    )
    .bind(code)
    .bind(org_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

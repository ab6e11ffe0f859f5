//! Versions of the classification scheme.

use crate::{Conn, Result};

/// The newest version: (version, definition JSON).
pub async fn get_latest_scheme(conn: &mut Conn) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT version, definition FROM classification_schemes ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?)
}

pub async fn get_scheme(conn: &mut Conn, version: i64) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT definition FROM classification_schemes WHERE version = $1")
            .bind(version)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(d,)| d))
}

/// (version, note, created at, created by), newest first.
pub async fn list_schemes(conn: &mut Conn) -> Result<Vec<(i64, String, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT version, note, created_at, created_by FROM classification_schemes \
         ORDER BY version DESC",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn insert_scheme(
    conn: &mut Conn,
    version: i64,
    definition: &str,
    note: &str,
    by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO classification_schemes (version, definition, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(version)
    .bind(definition)
    .bind(note)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

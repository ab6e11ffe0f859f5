//! Versions of the classification scheme. A version's definition is kept as the JSON text the
//! authority published (its SM3 digest is in the audit log) and read back as a typed
//! [`Scheme`]; a definition that does not parse is [`StoreError::Corrupt`], never a default.

use gongshu_domain::catalog::Scheme;

use crate::{Conn, Result, StoreError};

fn parse(version: i64, definition: &str) -> Result<Scheme> {
    Scheme::from_stored(definition).map_err(|e| StoreError::Corrupt {
        what: "classification scheme",
        id: version.to_string(),
        reason: e.to_string(),
    })
}

/// The newest version and its number.
pub async fn get_latest_scheme(conn: &mut Conn) -> Result<Option<(i64, Scheme)>> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT version, definition FROM classification_schemes ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|(version, definition)| Ok((version, parse(version, &definition)?)))
        .transpose()
}

pub async fn get_scheme(conn: &mut Conn, version: i64) -> Result<Option<Scheme>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT definition FROM classification_schemes WHERE version = $1")
            .bind(version)
            .fetch_optional(conn)
            .await?;
    row.map(|(definition,)| parse(version, &definition))
        .transpose()
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

/// Stores a version as the exact `definition` text whose digest the caller audits.
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

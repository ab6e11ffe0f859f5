//! Holiday notices imported after release (years beyond the shipped data, or corrections).

use crate::{Conn, Result};

/// (year, notice as JSON, imported at, imported by) for every imported year.
pub async fn list_years(conn: &mut Conn) -> Result<Vec<(i64, String, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT year, definition, imported_at, imported_by FROM calendar_years ORDER BY year",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn put_year(
    conn: &mut Conn,
    year: i64,
    definition: &str,
    by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO calendar_years (year, definition, imported_at, imported_by) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO UPDATE SET \
         definition = excluded.definition, imported_at = excluded.imported_at, \
         imported_by = excluded.imported_by",
    )
    .bind(year)
    .bind(definition)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

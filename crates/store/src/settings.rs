//! Platform settings as JSON values under a key (e.g. the security policy).

use crate::{Conn, Result};

pub async fn get_setting(conn: &mut Conn, key: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(v,)| v))
}

pub async fn put_setting(
    conn: &mut Conn,
    key: &str,
    value: &str,
    by: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

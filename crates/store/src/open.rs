//! Open data (开放数据, H25, H26) as the portal counts it: the open entries (published, open
//! unconditionally or conditionally), their data items and current rows, and the metering
//! counters of downloads and API reads (`open_usage`, one row per day, entry, channel and
//! reader).

use sqlx::AssertSqlSafe;

use crate::{Conn, Result};

/// Entries with their published revisions: the join every query here starts from.
const PUBLISHED: &str = "catalog_entries e JOIN catalog_revisions r \
     ON r.entry_id = e.id AND r.revision = e.published_revision";

/// Open data now: opened by its published revision and not withdrawn (H25, H27).
const OPEN: &str = crate::objections::OPEN_NOW;

/// The version readers see: the newest committed one not withdrawn.
const CURRENT_VERSION: &str = "v.state = 'committed' AND v.withdrawn_at IS NULL \
     AND v.version = (SELECT MAX(w.version) FROM data_versions w WHERE w.entry_id = v.entry_id \
     AND w.state = 'committed' AND w.withdrawn_at IS NULL)";

/// How much open data the platform holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenHoldings {
    /// Open entries.
    pub datasets: i64,
    /// Data items of their published revisions.
    pub items: i64,
    /// Rows of their current versions.
    pub rows: i64,
}

pub async fn get_holdings(conn: &mut Conn) -> Result<OpenHoldings> {
    let (datasets,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {PUBLISHED} WHERE {OPEN}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let (items,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {PUBLISHED} JOIN catalog_items i \
         ON i.entry_id = e.id AND i.revision = e.published_revision WHERE {OPEN}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let (rows,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(v.rows), 0) AS BIGINT) FROM {PUBLISHED} \
         JOIN data_versions v ON v.entry_id = e.id WHERE {OPEN} AND {CURRENT_VERSION}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok(OpenHoldings {
        datasets,
        items,
        rows,
    })
}

/// One open entry for the sitemap: its code and when it last changed (publication of its
/// revision or its newest data, UTC microseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEntryStamp {
    pub code: String,
    pub changed_at: i64,
}

/// Open entries by code, `limit` from `offset`.
pub async fn list_open_entries(
    conn: &mut Conn,
    limit: i64,
    offset: i64,
) -> Result<Vec<OpenEntryStamp>> {
    let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT e.code, COALESCE(r.published_at, e.updated_at), \
         (SELECT MAX(v.uploaded_at) FROM data_versions v WHERE v.entry_id = e.id \
          AND v.state = 'committed' AND v.withdrawn_at IS NULL) \
         FROM {PUBLISHED} WHERE {OPEN} ORDER BY e.code LIMIT $1 OFFSET $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, published, data)| OpenEntryStamp {
            code,
            changed_at: data.map_or(published, |d| d.max(published)),
        })
        .collect())
}

/// One metered delivery of open data.
#[derive(Debug, Clone, Copy)]
pub struct UsageAdd<'a> {
    /// YYYY-MM-DD, China time.
    pub day: &'a str,
    pub entry_id: &'a str,
    /// `download` or `api`.
    pub channel: &'a str,
    /// `account:<id>`, `token:<id>` or `address:<ip>`.
    pub reader: &'a str,
    pub rows: i64,
    pub bytes: i64,
}

/// Counts one delivery: one more request, its rows and bytes, on the day's row of the entry,
/// channel and reader. Call it in the transaction that records the delivery.
pub async fn add_usage(conn: &mut Conn, u: UsageAdd<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO open_usage (day, entry_id, channel, reader, requests, rows, bytes) \
         VALUES ($1, $2, $3, $4, 1, $5, $6) \
         ON CONFLICT (day, entry_id, channel, reader) DO UPDATE SET \
         requests = open_usage.requests + 1, rows = open_usage.rows + excluded.rows, \
         bytes = open_usage.bytes + excluded.bytes",
    )
    .bind(u.day)
    .bind(u.entry_id)
    .bind(u.channel)
    .bind(u.reader)
    .bind(u.rows)
    .bind(u.bytes)
    .execute(conn)
    .await?;
    Ok(())
}

/// What one channel delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageTotals {
    pub requests: i64,
    pub rows: i64,
    pub bytes: i64,
}

/// Deliveries of open data so far, per channel (`download`, `api`); of one entry when
/// `entry_id` is given.
pub async fn usage_totals(
    conn: &mut Conn,
    entry_id: Option<&str>,
) -> Result<Vec<(String, UsageTotals)>> {
    const SUMS: &str = "SELECT channel, CAST(SUM(requests) AS BIGINT), \
         CAST(SUM(rows) AS BIGINT), CAST(SUM(bytes) AS BIGINT) FROM open_usage";
    let rows: Vec<(String, i64, i64, i64)> = match entry_id {
        Some(id) => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{SUMS} WHERE entry_id = $1 GROUP BY channel ORDER BY channel"
            )))
            .bind(id)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{SUMS} GROUP BY channel ORDER BY channel"
            )))
            .fetch_all(conn)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(channel, requests, rows, bytes)| {
            (
                channel,
                UsageTotals {
                    requests,
                    rows,
                    bytes,
                },
            )
        })
        .collect())
}

//! Data versions (数据版本): the manifest row of each stored version of an entry's data. The
//! Parquet file it names (and its rejects file, if rows were dropped) is written before the
//! row is inserted, and never changed afterwards; withdrawal only sets a tombstone. A version
//! may be stored *held* (issue 11 item 4): it is then never the current version until its
//! owner confirms it.

use gongshu_domain::versions::{HoldReason, VersionColumn, VersionState};
use sqlx::{AssertSqlSafe, FromRow};

use crate::stored::{json, to_json};
use crate::{Conn, Result, StoreError};

/// A stored version, its codes and columns parsed once, when it is read.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub entry_id: String,
    pub version: i64,
    pub catalog_revision: i64,
    pub rows: i64,
    pub bad_rows: i64,
    pub source_name: String,
    pub source_format: String,
    pub source_encoding: Option<String>,
    pub source_bytes: i64,
    pub source_sm3: String,
    pub data_bytes: i64,
    pub data_sm3: String,
    /// Relative to the lake root, `/`-separated.
    pub data_file: String,
    /// The columns of the data file, in file order.
    pub schema: Vec<VersionColumn>,
    pub uploaded_by: String,
    pub uploaded_at: i64,
    pub withdrawn_at: Option<i64>,
    pub withdrawn_reason: Option<String>,
    /// The rows dropped for bad cells, relative to the lake root like `data_file`; `None`
    /// when no row was dropped.
    pub rejects_file: Option<String>,
    pub rejects_bytes: Option<i64>,
    pub rejects_sm3: Option<String>,
    /// JSON: the version's quality scores, per-item counts and worst rows (H11, B17); `None`
    /// for versions ingested before scoring existed.
    pub quality: Option<String>,
    /// Committed, or held for the owner's confirmation.
    pub state: VersionState,
    /// Why the version was held; kept after it is confirmed.
    pub hold_reason: Option<HoldReason>,
    /// The current version's row count when this one was uploaded.
    pub rows_before: Option<i64>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<i64>,
}

impl VersionRow {
    /// When the version's data came into force: when it was confirmed, if it was held,
    /// otherwise when it was uploaded.
    pub fn in_force_at(&self) -> i64 {
        self.confirmed_at.unwrap_or(self.uploaded_at)
    }
}

/// A version as stored: the schema as a JSON array of `{code, data_type}`, the state and the
/// hold reason as their codes.
#[derive(FromRow)]
struct VersionRecord {
    entry_id: String,
    version: i64,
    catalog_revision: i64,
    rows: i64,
    bad_rows: i64,
    source_name: String,
    source_format: String,
    source_encoding: Option<String>,
    source_bytes: i64,
    source_sm3: String,
    data_bytes: i64,
    data_sm3: String,
    data_file: String,
    schema: String,
    uploaded_by: String,
    uploaded_at: i64,
    withdrawn_at: Option<i64>,
    withdrawn_reason: Option<String>,
    rejects_file: Option<String>,
    rejects_bytes: Option<i64>,
    rejects_sm3: Option<String>,
    quality: Option<String>,
    state: String,
    hold_reason: Option<String>,
    rows_before: Option<i64>,
    confirmed_by: Option<String>,
    confirmed_at: Option<i64>,
}

impl TryFrom<VersionRecord> for VersionRow {
    type Error = StoreError;

    /// Fails closed: a version whose schema, state or hold reason does not parse is an error,
    /// so its data is never read with columns guessed or a held version taken as committed.
    fn try_from(r: VersionRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: format!("{} version {}", r.entry_id, r.version),
            reason,
        };
        Ok(VersionRow {
            schema: json(&r.schema).map_err(|e| bad("version schema", e))?,
            state: VersionState::parse(&r.state)
                .map_err(|e| bad("version state", e.to_string()))?,
            hold_reason: r
                .hold_reason
                .as_deref()
                .map(HoldReason::parse)
                .transpose()
                .map_err(|e| bad("version hold reason", e.to_string()))?,
            entry_id: r.entry_id,
            version: r.version,
            catalog_revision: r.catalog_revision,
            rows: r.rows,
            bad_rows: r.bad_rows,
            source_name: r.source_name,
            source_format: r.source_format,
            source_encoding: r.source_encoding,
            source_bytes: r.source_bytes,
            source_sm3: r.source_sm3,
            data_bytes: r.data_bytes,
            data_sm3: r.data_sm3,
            data_file: r.data_file,
            uploaded_by: r.uploaded_by,
            uploaded_at: r.uploaded_at,
            withdrawn_at: r.withdrawn_at,
            withdrawn_reason: r.withdrawn_reason,
            rejects_file: r.rejects_file,
            rejects_bytes: r.rejects_bytes,
            rejects_sm3: r.rejects_sm3,
            quality: r.quality,
            rows_before: r.rows_before,
            confirmed_by: r.confirmed_by,
            confirmed_at: r.confirmed_at,
        })
    }
}

fn versions(records: Vec<VersionRecord>) -> Result<Vec<VersionRow>> {
    records.into_iter().map(VersionRow::try_from).collect()
}

const COLUMNS: &str = "entry_id, version, catalog_revision, rows, bad_rows, source_name, \
    source_format, source_encoding, source_bytes, source_sm3, data_bytes, data_sm3, data_file, \
    schema, uploaded_by, uploaded_at, withdrawn_at, withdrawn_reason, rejects_file, rejects_bytes, \
    rejects_sm3, quality, state, hold_reason, rows_before, confirmed_by, confirmed_at";

/// The number the next version of an entry gets. Call it inside the write transaction that
/// inserts the version, so two uploads never get the same number.
pub async fn next_version(conn: &mut Conn, entry_id: &str) -> Result<i64> {
    let (max,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM data_versions WHERE entry_id = $1")
            .bind(entry_id)
            .fetch_one(conn)
            .await?;
    Ok(max.unwrap_or(0) + 1)
}

pub async fn insert_version(conn: &mut Conn, v: &VersionRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO data_versions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
    )))
    .bind(&v.entry_id)
    .bind(v.version)
    .bind(v.catalog_revision)
    .bind(v.rows)
    .bind(v.bad_rows)
    .bind(&v.source_name)
    .bind(&v.source_format)
    .bind(&v.source_encoding)
    .bind(v.source_bytes)
    .bind(&v.source_sm3)
    .bind(v.data_bytes)
    .bind(&v.data_sm3)
    .bind(&v.data_file)
    .bind(to_json(&v.schema))
    .bind(&v.uploaded_by)
    .bind(v.uploaded_at)
    .bind(v.withdrawn_at)
    .bind(&v.withdrawn_reason)
    .bind(&v.rejects_file)
    .bind(v.rejects_bytes)
    .bind(&v.rejects_sm3)
    .bind(&v.quality)
    .bind(v.state.code())
    .bind(v.hold_reason.map(HoldReason::code))
    .bind(v.rows_before)
    .bind(&v.confirmed_by)
    .bind(v.confirmed_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The versions of an entry, newest first.
pub async fn list_versions(conn: &mut Conn, entry_id: &str) -> Result<Vec<VersionRow>> {
    versions(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM data_versions WHERE entry_id = $1 ORDER BY version DESC"
        )))
        .bind(entry_id)
        .fetch_all(conn)
        .await?,
    )
}

pub async fn get_version(
    conn: &mut Conn,
    entry_id: &str,
    version: i64,
) -> Result<Option<VersionRow>> {
    sqlx::query_as::<_, VersionRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM data_versions WHERE entry_id = $1 AND version = $2"
    )))
    .bind(entry_id)
    .bind(version)
    .fetch_optional(conn)
    .await?
    .map(VersionRow::try_from)
    .transpose()
}

/// The current version of an entry: the newest one that is committed (not held) and not
/// withdrawn. It is the data readers, grantees and the quality bookkeeping see.
pub async fn get_current_version(conn: &mut Conn, entry_id: &str) -> Result<Option<VersionRow>> {
    sqlx::query_as::<_, VersionRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM data_versions WHERE entry_id = $1 AND withdrawn_at IS NULL \
         AND state = 'committed' ORDER BY version DESC LIMIT 1"
    )))
    .bind(entry_id)
    .fetch_optional(conn)
    .await?
    .map(VersionRow::try_from)
    .transpose()
}

/// Commits a held version that is not withdrawn. Returns false when there is no such version
/// or it is not held (any more).
pub async fn confirm_version(
    conn: &mut Conn,
    entry_id: &str,
    version: i64,
    by: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE data_versions SET state = 'committed', confirmed_by = $3, confirmed_at = $4 \
         WHERE entry_id = $1 AND version = $2 AND state = 'held' AND withdrawn_at IS NULL",
    )
    .bind(entry_id)
    .bind(version)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the tombstone of a version; the file stays. Returns false when there is no such
/// version or it was already withdrawn.
pub async fn withdraw_version(
    conn: &mut Conn,
    entry_id: &str,
    version: i64,
    reason: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE data_versions SET withdrawn_at = $3, withdrawn_reason = $4 \
         WHERE entry_id = $1 AND version = $2 AND withdrawn_at IS NULL",
    )
    .bind(entry_id)
    .bind(version)
    .bind(now)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every file some manifest row names (data and rejects files), for the orphan sweep at
/// start.
pub async fn list_data_files(conn: &mut Conn) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT data_file FROM data_versions \
         UNION ALL SELECT rejects_file FROM data_versions WHERE rejects_file IS NOT NULL",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(f,)| f).collect())
}

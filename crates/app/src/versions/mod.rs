//! Data versions (数据版本, issue 4 item 2): an agency uploads a file for one of its published
//! entries; ingest turns it into one immutable Parquet file in the lake (and, when bad rows
//! were dropped, a rejects CSV beside it), and a manifest row commits it. Files are written
//! first and the manifest last, so a crash leaves at most orphan files, which
//! [`sweep_orphans`] removes at start. Withdrawal is a tombstone.
//!
//! A version that is empty, or has fewer than half the current version's rows, is stored
//! *held* (issue 11 item 4): it is listed, but the current version stays what readers,
//! grantees and the quality bookkeeping see until the owner agency confirms the held one
//! ([`confirm_version`]) or discards it by withdrawing it.

mod confirm;
mod rejects;
mod upload;
mod withdraw;

use std::collections::HashSet;

use gongshu_domain::versions::{VersionColumn, VersionState};
use gongshu_domain::{Action, Target};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::versions::{self, VersionRow};
use serde::Serialize;

use crate::catalog::scope::org_map;
use crate::catalog::views::{Access, access};
use crate::quality::{QualityScores, VersionQuality};
use crate::record::authorize;
use crate::{App, AppError, Ctx, Result, format_time};
use gongshu_lake::storage::Lake;

pub use confirm::confirm_version;
pub use gongshu_lake::Progress;
pub use rejects::{RejectsDownload, open_rejects};
pub use upload::{UploadOptions, UploadSource, upload_version};
pub use withdraw::{discard_version, withdraw_version};

/// One stored version as the owner agency and the reviewing authority see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub entry_code: String,
    pub version: i64,
    /// `committed`, or `held` for the owner's confirmation: a held version is never the
    /// current one (see `hold`).
    pub state: &'static str,
    /// Whether this is the entry's current version: the newest committed one not withdrawn,
    /// which readers, grantees and the quality bookkeeping see.
    pub current: bool,
    /// Why the version was held, with the row counts before and after; kept once confirmed.
    pub hold: Option<HoldView>,
    /// Who confirmed the held version, and when.
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
    /// The catalog revision whose items the data was checked against.
    pub catalog_revision: i64,
    pub rows: i64,
    /// Rows dropped for bad cells (only when the uploader asked to drop them).
    pub bad_rows: i64,
    pub source_name: String,
    pub source_format: String,
    pub source_encoding: Option<String>,
    pub source_bytes: i64,
    /// SM3 of the file as uploaded, lowercase hex.
    pub source_sm3: String,
    pub data_bytes: i64,
    /// SM3 of the Parquet file, lowercase hex.
    pub data_sm3: String,
    /// The Parquet file, relative to the lake's root.
    pub data_file: String,
    /// The columns written: `[{code, data_type}]`.
    #[schema(value_type = Vec<Object>)]
    pub schema: Vec<VersionColumn>,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub withdrawn: bool,
    pub withdrawn_at: Option<String>,
    pub withdrawn_reason: Option<String>,
    /// The rows dropped for bad cells, relative to the lake's root (a CSV, downloadable by
    /// the owner agency and the reviewing authority); `None` when no row was dropped.
    pub rejects_file: Option<String>,
    pub rejects_bytes: Option<i64>,
    /// SM3 of the rejects file, lowercase hex.
    pub rejects_sm3: Option<String>,
    /// Quality scores computed while the version was ingested (H11, B17); `None` for versions
    /// ingested before scoring existed. The per-item counts and worst rows are in
    /// `GET /api/v1/entries/{code}/quality?version=N`.
    pub quality: Option<QualityScores>,
    /// What the upload should know that did not stop it (a title row skipped, a column that
    /// names no item); only in the answer to the upload itself.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Notice>,
}

/// Why a version was held for its owner's confirmation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HoldView {
    /// `empty` or `sharp_drop`.
    pub reason: &'static str,
    /// The current version's row count when this one was uploaded (`None`: there was none).
    pub rows_before: Option<i64>,
    pub rows: i64,
    pub zh: String,
    pub en: String,
}

/// A message in Chinese and English.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub zh: String,
    pub en: String,
}

/// `current`: whether this version is the entry's current one.
fn view(code: &str, r: VersionRow, current: bool) -> Result<VersionView> {
    let hold = r.hold_reason.map(|reason| {
        let before = r.rows_before.and_then(|b| u64::try_from(b).ok());
        let after = u64::try_from(r.rows).unwrap_or(0);
        HoldView {
            reason: reason.code(),
            rows_before: r.rows_before,
            rows: r.rows,
            zh: reason.zh(before, after),
            en: reason.en(before, after),
        }
    });
    let quality = VersionQuality::from_manifest(r.quality.as_deref())?.map(|q| q.scores);
    Ok(VersionView {
        entry_code: code.to_owned(),
        version: r.version,
        state: r.state.code(),
        current,
        hold,
        confirmed_by: r.confirmed_by,
        confirmed_at: r.confirmed_at.map(format_time),
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
        schema: r.schema,
        uploaded_by: r.uploaded_by,
        uploaded_at: format_time(r.uploaded_at),
        withdrawn: r.withdrawn_at.is_some(),
        withdrawn_at: r.withdrawn_at.map(format_time),
        withdrawn_reason: r.withdrawn_reason,
        rejects_file: r.rejects_file,
        rejects_bytes: r.rejects_bytes,
        rejects_sm3: r.rejects_sm3,
        quality,
        warnings: Vec::new(),
    })
}

/// The entry, if the caller may manage its versions (owner agency, reviewing authority);
/// anyone else is told it does not exist, as with drafts.
pub(crate) async fn entry_for_versions(app: &App, ctx: Ctx<'_>, code: &str) -> Result<EntryRow> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let orgs = org_map(&mut conn).await?;
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    match access(Some(ctx), &entry, published.as_ref(), &orgs) {
        Access::All => Ok(entry),
        Access::Published | Access::None => Err(not_found()),
    }
}

/// A version its owner agency is about to change (confirm, withdraw): the entry — the caller
/// must manage it, a denial is audited — and the version as read in the write transaction
/// that will change it.
pub(super) async fn version_to_change(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    version: i64,
) -> Result<(EntryRow, gongshu_store::Tx, VersionRow)> {
    let entry = entry_for_versions(app, ctx, code).await?;
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "data_version",
        &format!("{code}/v{version}"),
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let row = versions::get_version(&mut tx, &entry.id, version)
        .await?
        .ok_or(AppError::not_found("data version", "数据版本"))?;
    Ok((entry, tx, row))
}

/// The versions of an entry, newest first, withdrawn and held ones included.
pub async fn list_versions(app: &App, ctx: Ctx<'_>, code: &str) -> Result<Vec<VersionView>> {
    let entry = entry_for_versions(app, ctx, code).await?;
    let mut conn = app.db.acquire().await?;
    let rows = versions::list_versions(&mut conn, &entry.id).await?;
    // Newest first: the current version is the first committed one not withdrawn.
    let current = rows
        .iter()
        .find(|r| r.state == VersionState::Committed && r.withdrawn_at.is_none())
        .map(|r| r.version);
    rows.into_iter()
        .map(|r| {
            let is_current = Some(r.version) == current;
            view(&entry.code, r, is_current)
        })
        .collect()
}

/// The organisation that owns an entry (for tools that act as its admin by default).
pub async fn entry_org(app: &App, code: &str) -> Result<String> {
    let mut conn = app.db.acquire().await?;
    catalog::get_entry_by_code(&mut conn, code)
        .await?
        .map(|e| e.org_id)
        .ok_or(AppError::not_found("catalog entry", "目录条目"))
}

fn lake(app: &App) -> Result<&Lake> {
    app.config.lake.as_ref().ok_or_else(|| {
        AppError::conflict(
            "lake_not_configured",
            "数据目录未配置，不能上传数据",
            "no data directory is configured; uploads are refused",
        )
    })
}

/// Removes what a crash may have left in the lake: every staged file, and every version file
/// no manifest row names. Returns how many files were removed.
pub(crate) async fn sweep_orphans(app: &App, lake: &Lake) -> Result<usize> {
    let mut conn = app.db.acquire().await?;
    let named: HashSet<String> = versions::list_data_files(&mut conn)
        .await?
        .into_iter()
        .collect();
    drop(conn);
    Ok(lake.sweep(&named).await?)
}

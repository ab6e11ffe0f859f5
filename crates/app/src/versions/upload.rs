//! Uploading a new version of a published entry's data: validate, authorise, ingest into
//! staging files on a blocking thread (the Parquet file, and the rejects CSV when bad rows are
//! dropped) while the owner's quality rules are checked, then hand the files to the lake and
//! commit their manifest row, quality scores included (H11, B17), with the audit event in one
//! write transaction (files first, manifest last).
//!
//! The file must name the entry's items: a header that names none is refused, and so is one
//! without the key items (those with a `unique` or `required` quality rule). A version that
//! is empty or has fewer than half the current version's rows is stored held, not current,
//! unless the uploader confirms the drop up front (issue 11 item 4).

use std::io::{BufWriter, Read};

use gongshu_domain::catalog::{DataType, Vocabulary};
use gongshu_domain::quality::QualityRule;
use gongshu_domain::versions::{VersionColumn, VersionState, hold_reason};
use gongshu_domain::{Action, Target, Violation};
use gongshu_lake::{Format, IngestOptions, IngestReport, ItemSpec, Progress, Source};
use gongshu_store::catalog;
use gongshu_store::versions::{self, VersionRow};
use serde_json::json;

use super::{Notice, VersionView, entry_for_versions, lake, view};
use crate::quality::{VersionQuality, rules_for_ingest};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, FileProblem, Result, micros_to_datetime};
use gongshu_lake::storage::REJECTS_SUFFIX;

/// How many bad cells a refused upload lists (all are counted).
pub const LISTED_BAD_CELLS: usize = 100;

/// The uploaded file: its name as the uploader called it (its extension picks the format;
/// otherwise the bytes are sniffed), its bytes and, when known, its length. The reader is
/// pulled on a blocking thread, so it may block (a file, or an HTTP body bridged from the
/// runtime); it is never read whole into memory.
pub struct UploadSource {
    pub name: String,
    pub reader: Box<dyn Read + Send>,
    pub len: Option<u64>,
}

/// What the uploader asks for.
#[derive(Default)]
pub struct UploadOptions {
    /// Keep the good rows of a file with bad ones: the bad rows are counted in the version and
    /// kept in its rejects file.
    pub drop_bad_rows: bool,
    /// Called once per batch of rows read (the CLI's progress bar).
    pub progress: Option<Box<dyn FnMut(Progress) + Send>>,
    /// Make the version current even if it is empty or has fewer than half the current
    /// version's rows (it would otherwise be held for confirmation); the drop is recorded as
    /// confirmed by the uploader.
    pub confirm_drop: bool,
}

/// Uploads a new version of `entry_code`'s data (issue 4 item 2). A file with a bad cell is
/// refused with every bad cell counted and the first [`LISTED_BAD_CELLS`] listed, unless the
/// uploader asked to drop bad rows; nothing is kept then. A file that names no item, lacks a
/// key item or expands past a limit is refused likewise. An empty version, or one below half
/// the current rows, is stored held (its view says so and why) unless `confirm_drop`.
pub async fn upload_version(
    app: &App,
    ctx: Ctx<'_>,
    entry_code: &str,
    source: UploadSource,
    options: UploadOptions,
) -> Result<VersionView> {
    let lake = lake(app)?;
    let source_name = source.name.trim().to_owned();
    if source_name.is_empty() || source_name.contains(['/', '\\']) {
        return Err(Violation::new(
            "filename",
            "invalid",
            "请提供文件名（不含路径）",
            "give the file name, without a path",
        )
        .into());
    }
    let entry = entry_for_versions(app, ctx, entry_code).await?;
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "data_version",
        entry_code,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    crate::catalog::refuse_if_derivative(&mut conn, &entry, crate::catalog::Refused::Upload)
        .await?;
    drop(conn);
    // Refused before a byte is read when the length is known (a file's size, a
    // Content-Length); a stream of unknown length is cut off by the lake as soon as it passes
    // the limit.
    let format = std::path::Path::new(&source_name)
        .extension()
        .and_then(|e| Format::from_extension(&e.to_string_lossy()));
    let max_upload = app.config.max_upload_bytes;
    let max_xlsx = app.config.max_xlsx_bytes;
    if let Some(len) = source.len {
        if len > max_upload {
            return Err(AppError::TooLarge { limit: max_upload });
        }
        if matches!(format, Some(Format::Xlsx { .. })) && len > max_xlsx {
            return Err(AppError::TooLarge { limit: max_xlsx });
        }
    }
    let revision = entry.published_revision.ok_or_else(|| {
        AppError::conflict(
            "entry_not_published",
            "目录条目尚未发布，不能上传数据",
            "the catalog entry is not published; data cannot be uploaded",
        )
    })?;
    let mut conn = app.db.acquire().await?;
    let items = catalog::list_items(&mut conn, &entry.id, revision).await?;
    let published = catalog::get_revision(&mut conn, &entry.id, revision)
        .await?
        .ok_or_else(|| AppError::Internal(format!("entry {entry_code}: no revision {revision}")))?;
    let quality_rules = rules_for_ingest(&mut conn, &entry.id).await?;
    drop(conn);
    let rule_count = quality_rules.len();
    // The key items (a `unique` rule) and those the owner wants filled (a `required` rule)
    // must have a column; their blank cells are scored, not refused.
    let keyed = |code: &str| {
        quality_rules.iter().any(|r| {
            r.item == code && matches!(r.rule, QualityRule::Unique | QualityRule::Required)
        })
    };
    let specs = items
        .iter()
        .map(|i| {
            let spec = ItemSpec::new(&i.code, &i.name, DataType::parse(&i.data_type)?, false);
            Ok(if keyed(&i.code) {
                spec.with_column_required()
            } else {
                spec
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let schema: Vec<VersionColumn> = specs
        .iter()
        .map(|s| VersionColumn {
            code: s.code.clone(),
            data_type: s.data_type,
        })
        .collect();

    let staging_dir = lake.staging_dir().to_path_buf();
    let stage = uuid::Uuid::now_v7();
    let staged = staging_dir.join(format!("{stage}.parquet"));
    let staged_rejects = staging_dir.join(format!("{stage}{REJECTS_SUFFIX}"));
    let discard = |paths: &[&std::path::Path]| {
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    };
    let report = {
        let staged = staged.clone();
        let staged_rejects = staged_rejects.clone();
        let drop_bad_rows = options.drop_bad_rows;
        let mut progress = options.progress;
        let expansion = app.config.expansion.clone();
        tokio::task::spawn_blocking(move || -> Result<IngestReport> {
            let io = |e: std::io::Error| AppError::Internal(format!("lake staging: {e}"));
            std::fs::create_dir_all(&staging_dir).map_err(io)?;
            let out = BufWriter::new(std::fs::File::create(&staged).map_err(io)?);
            // Created up front so the lake can stream dropped rows into it; removed again
            // below when nothing was dropped.
            let mut rejects = BufWriter::new(std::fs::File::create(&staged_rejects).map_err(io)?);
            let mut src = Source::new(source.reader);
            if let Some(format) = format {
                src = src.with_format(format);
            }
            if let Some(len) = source.len {
                src = src.with_len(len);
            }
            let ingest_options = IngestOptions {
                drop_bad_rows,
                max_listed_errors: LISTED_BAD_CELLS,
                max_source_bytes: Some(max_upload),
                max_xlsx_bytes: max_xlsx,
                quality_rules,
                expansion,
                ..IngestOptions::default()
            };
            gongshu_lake::ingest(src, &specs, &ingest_options, out, &mut rejects, |p| {
                if let Some(f) = progress.as_mut() {
                    f(p)
                }
            })
            .map_err(AppError::from)
        })
        .await
        .map_err(|e| AppError::Internal(format!("ingest task: {e}")))
    };
    let report = match report.and_then(|r| r) {
        Ok(r) if r.written => r,
        Ok(r) => {
            discard(&[&staged, &staged_rejects]);
            return Err(refused(r));
        }
        Err(e) => {
            discard(&[&staged, &staged_rejects]);
            return Err(e);
        }
    };
    let keep_rejects = report.rejects_sm3.is_some();
    if !keep_rejects {
        discard(&[&staged_rejects]);
    }
    let taken = lake
        .take(
            &entry.code,
            &staged,
            keep_rejects.then_some(&*staged_rejects),
        )
        .await;
    let pending = match taken {
        Ok(p) => p,
        Err(e) => {
            discard(&[&staged, &staged_rejects]);
            return Err(e.into());
        }
    };

    // Files first, manifest last: the number is taken (and files still staged are moved into
    // place) inside the write transaction, which serialises uploads.
    let numbered = async {
        let mut tx = app.db.begin_write().await?;
        let version = versions::next_version(&mut tx, &entry.id).await?;
        // The current version: held ones never are.
        let previous = versions::get_current_version(&mut tx, &entry.id).await?;
        Ok::<_, AppError>((tx, version, previous))
    }
    .await;
    let placed = match numbered {
        Ok((tx, version, previous)) => pending
            .place(&entry.code, version)
            .map(|placed| (tx, version, previous, placed))
            .map_err(AppError::from),
        Err(e) => {
            lake.abandon(pending).await;
            Err(e)
        }
    };
    // Whatever happened, nothing of this upload stays staged.
    discard(&[&staged, &staged_rejects]);
    let (mut tx, version, previous, placed) = placed?;
    let uploaded_at = app.now_micros();
    // Timeliness (H12) of this update: how long the data it replaces had been in force (or,
    // for a first version, how long the entry waited for data since its publication).
    let since = previous
        .as_ref()
        .map(|p| p.in_force_at())
        .or(published.published_at)
        .map_or(chrono::Duration::zero(), |t| {
            micros_to_datetime(uploaded_at) - micros_to_datetime(t)
        });
    let quality = VersionQuality::score(
        &report.quality,
        rule_count,
        published.update_frequency,
        since,
    );
    // Empty, or a sharp drop against the current version: held for the owner's confirmation,
    // unless the uploader confirmed it up front.
    let rows_before = previous.as_ref().map(|p| p.rows);
    let held = hold_reason(
        rows_before.and_then(|r| u64::try_from(r).ok()),
        report.rows_written,
    );
    let (state, confirmed_by, confirmed_at) = match held {
        Some(_) if options.confirm_drop => (
            VersionState::Committed,
            Some(ctx.principal.username.clone()),
            Some(uploaded_at),
        ),
        Some(_) => (VersionState::Held, None, None),
        None => (VersionState::Committed, None, None),
    };
    let row = VersionRow {
        entry_id: entry.id.clone(),
        version,
        catalog_revision: revision,
        rows: report.rows_written as i64,
        bad_rows: report.bad_rows as i64,
        source_name,
        source_format: report.format.name().to_owned(),
        source_encoding: report.encoding.map(str::to_owned),
        source_bytes: report.source_bytes as i64,
        source_sm3: report.source_sm3.clone(),
        data_bytes: report.parquet_bytes as i64,
        data_sm3: report.parquet_sm3.clone().unwrap_or_default(),
        data_file: placed.data.clone(),
        schema,
        uploaded_by: ctx.principal.username.clone(),
        uploaded_at,
        withdrawn_at: None,
        withdrawn_reason: None,
        rejects_file: placed.rejects.clone(),
        rejects_bytes: keep_rejects.then_some(report.rejects_bytes as i64),
        rejects_sm3: report.rejects_sm3.clone(),
        quality: serde_json::to_string(&quality).ok(),
        state,
        hold_reason: held,
        rows_before,
        confirmed_by,
        confirmed_at,
    };
    let committed = async {
        versions::insert_version(&mut tx, &row).await?;
        record(
            app,
            &mut tx,
            ctx,
            Change {
                action: "upload_data_version",
                target_kind: "data_version",
                target_id: &format!("{}/v{version}", entry.code),
                payload: json!({
                    "rows": row.rows,
                    "bad_rows": row.bad_rows,
                    "source_name": row.source_name,
                    "source_sm3": row.source_sm3,
                    "data_sm3": row.data_sm3,
                    "rejects_sm3": row.rejects_sm3,
                    "quality": quality.scores,
                    "state": row.state.code(),
                    "hold_reason": row.hold_reason.map(|r| r.code()),
                    "rows_before": row.rows_before,
                    "confirmed_drop": row.confirmed_by.is_some(),
                }),
            },
        )
        .await?;
        // A current version whose scores fall short is a quality finding (H11, B17).
        if row.state == VersionState::Committed {
            crate::quality::open_for_version(app, &mut tx, ctx.meta, &entry, version, &quality)
                .await?;
        }
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(e) = committed {
        // No manifest row: the files are orphans; remove them now rather than at the next
        // start.
        lake.remove(&placed).await;
        return Err(e);
    }
    let current = row.state == VersionState::Committed;
    if current {
        tracing::info!(entry.code = %entry.code, version, rows = row.rows, "data version committed");
        // The portal's grade of quality follows the current version.
        crate::catalog::search::reindex_published(app, &entry.code).await;
    } else {
        tracing::info!(
            entry.code = %entry.code,
            version,
            rows = row.rows,
            rows_before = row.rows_before,
            "data version held for confirmation"
        );
    }
    let mut view = view(&entry.code, row, current)?;
    view.warnings = report
        .warnings
        .iter()
        .map(|w| Notice {
            zh: w.zh(),
            en: w.en(),
        })
        .collect();
    Ok(view)
}

/// The refusal of a file with bad rows: the first bad cells by position, all of them counted.
fn refused(r: IngestReport) -> AppError {
    let problems = r
        .bad_cells
        .iter()
        .map(|c| {
            let column = c.column.clone().unwrap_or_default();
            FileProblem {
                location: format!("{} {column}", c.source).trim().to_owned(),
                header: column,
                zh: format!("{}（值“{}”）", c.zh, c.value),
                en: format!("{} (value `{}`)", c.en, c.value),
            }
        })
        .collect();
    AppError::RejectedData {
        bad_rows: r.bad_rows,
        bad_cells: r.bad_cells_total,
        problems,
    }
}

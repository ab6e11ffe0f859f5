//! The data page of one entry (`/catalog/entries/{code}/data`). What it shows is read through
//! the same application reads as the API: the entry (for item names), the versions and the
//! quality report (owner agency and reviewing authority only), and the first page and column
//! statistics under the viewer's policy (each of those two reads is audited like an API read).
//! Data that cannot be shown yet — none uploaded, or not open to this viewer — is explained
//! on the page rather than answered with an error page; an entry the viewer may not see at
//! all is "not found" as everywhere else.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::catalog::{self, EntryView};
use gongshu_app::data::{self, DataStats, Reader};
use gongshu_app::quality::{self, EntryQuality};
use gongshu_app::versions::{self, VersionView};
use gongshu_app::{App, AppError, Ctx, RequestMeta};
use gongshu_domain::{Action, Target, decide};
use gongshu_query::XLSX_MAX_ROWS;
use minijinja::context;
use serde::Serialize;

use super::preview::Preview;
use crate::console::auth::Viewer;
use crate::console::render::{PageError, templates};
use crate::extract::Meta;
use crate::state::AppState;

/// Rows in the preview.
const PREVIEW_ROWS: usize = 100;

/// The download formats, in the order offered: (format parameter, label).
const DOWNLOADS: &[(&str, &str)] = &[
    ("csv", "CSV"),
    ("csv_gbk", "CSV（GBK）"),
    ("xlsx", "Excel（xlsx）"),
    ("json", "JSON"),
    ("ndjson", "NDJSON"),
    ("parquet", "Parquet"),
];

/// One line of the version list.
#[derive(Serialize)]
struct VersionLine {
    #[serde(flatten)]
    version: VersionView,
    /// The uploaded file's size, in readable units.
    source_size: String,
}

/// Everything the page shows.
#[derive(Serialize)]
struct DataView {
    e: EntryView,
    /// Item code → name, for column headers and statistics.
    names: HashMap<String, String>,
    /// Item code → data type in Chinese.
    types: HashMap<String, String>,
    /// `None` when the viewer may not manage the entry's versions.
    versions: Option<Vec<VersionLine>>,
    /// The version in force (the newest committed, not withdrawn), when the versions are
    /// shown.
    current: Option<i64>,
    /// Held versions waiting for the owner's confirmation (newer than the current one),
    /// newest first.
    held: Vec<VersionView>,
    /// The newest version's quality report, with the same visibility as the versions.
    quality: Option<EntryQuality>,
    preview: Option<Preview>,
    stats: Option<DataStats>,
    /// Why there is no preview (in Chinese), when there is none.
    unavailable: Option<String>,
    may_upload: bool,
    /// Too many rows for one worksheet: the XLSX download would be refused.
    xlsx_too_large: bool,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Result<Viewer, PageError>,
    Meta(meta): Meta,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let viewer = viewer.ok();
    let ctx = viewer.as_ref().map(Viewer::ctx);
    let view = load(&state.app, ctx, &meta, &code)
        .await
        .map_err(|e| match &viewer {
            Some(v) => v.fail(e),
            None => e.into(),
        })?;
    let ctx = context! { downloads => DOWNLOADS, ..minijinja::Value::from_serialize(&view) };
    Ok(match &viewer {
        Some(v) => v.page("catalog_data.html", ctx),
        None => templates().render("catalog_data.html", context! { public => true, ..ctx }),
    })
}

async fn load(
    app: &App,
    ctx: Option<Ctx<'_>>,
    meta: &RequestMeta,
    code: &str,
) -> Result<DataView, AppError> {
    let mut e = catalog::entry_view(app, ctx, code, None).await?;
    // Data is checked against the published revision; a draft in progress does not rename it.
    if let Some(published) = e.published_revision.filter(|p| *p != e.revision) {
        e = catalog::entry_view(app, ctx, code, Some(published)).await?;
    }
    let names = e
        .items
        .iter()
        .map(|i| (i.code.clone(), i.name.clone()))
        .collect();
    let types = e
        .items
        .iter()
        .map(|i| (i.code.clone(), i.data_type_zh.clone()))
        .collect();
    let published = e.published_revision.is_some();
    let mut view = DataView {
        names,
        types,
        versions: None,
        current: None,
        held: Vec::new(),
        quality: None,
        preview: None,
        stats: None,
        unavailable: None,
        may_upload: false,
        xlsx_too_large: false,
        e,
    };
    if let Some(ctx) = ctx {
        // A masked derivative serves its source's data and takes no upload (H19).
        view.may_upload = published
            && view.e.derived_from.is_none()
            && decide(
                &ctx.principal.actor,
                Action::ManageEntries,
                Target::Organisation { id: &view.e.org_id },
            )
            .is_allowed();
        view.versions = hidden_if_not_found(versions::list_versions(app, ctx, code).await)?
            .map(|list| list.into_iter().map(line).collect::<Vec<_>>());
        view.current = view
            .versions
            .iter()
            .flatten()
            .find_map(|l| l.version.current.then_some(l.version.version));
        // Only those newer than the current version can still be confirmed.
        let current = view.current;
        view.held = view
            .versions
            .iter()
            .flatten()
            .filter(|l| l.version.state == "held" && !l.version.withdrawn)
            .filter(|l| current.is_none_or(|c| l.version.version > c))
            .map(|l| l.version.clone())
            .collect();
        if view.versions.is_some() && published {
            view.quality = hidden_if_not_found(quality::entry_quality(app, ctx, code, None).await)?;
        }
    }
    if !published {
        view.unavailable = Some("目录条目尚未发布，发布后才能上传和读取数据".into());
        return Ok(view);
    }
    let reader = Reader::new(ctx, meta);
    let rows = match data::preview_rows(app, reader, code, PREVIEW_ROWS).await {
        Ok(rows) => rows,
        Err(e) => {
            view.unavailable = Some(explained(e, ctx.is_some())?);
            return Ok(view);
        }
    };
    let version = rows.version;
    view.preview = Some(Preview::new(rows, &view.names));
    let stats = data::data_stats(app, reader, code, Some(version)).await?;
    view.xlsx_too_large = usize::try_from(stats.rows).is_ok_and(|r| r > XLSX_MAX_ROWS);
    view.stats = Some(stats);
    Ok(view)
}

/// A read the viewer is not entitled to is left off the page; other errors stand.
fn hidden_if_not_found<T>(read: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match read {
        Ok(v) => Ok(Some(v)),
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The Chinese reason a preview cannot be shown, for the reads the page explains: no data
/// yet, no live grant, a suspension or a closure (H41) for this viewer, and (for a signed-in viewer who can see the entry)
/// nothing readable. Anything else, and an anonymous visitor's "not found", stays an error.
fn explained(e: AppError, signed: bool) -> Result<String, AppError> {
    match e {
        AppError::Conflict {
            code: "no_data",
            zh,
            ..
        }
        | AppError::Denied {
            code:
                "no_grant" | "access_suspended" | "access_closed" | "grant_unreadable"
                | "closure_unreadable",
            zh,
            ..
        } => Ok(zh),
        AppError::OpeningSuspended { zh, .. } => Ok(zh),
        AppError::NotFound { .. } if signed => Ok("暂无可读取的数据".into()),
        e => Err(e),
    }
}

fn line(version: VersionView) -> VersionLine {
    VersionLine {
        source_size: size_zh(version.source_bytes),
        version,
    }
}

/// Bytes in the largest unit that keeps a number of at least one, to one decimal.
fn size_zh(bytes: i64) -> String {
    const UNITS: [(f64, &str); 3] = [(1073741824.0, "GB"), (1048576.0, "MB"), (1024.0, "KB")];
    let b = bytes as f64;
    UNITS.iter().find(|(unit, _)| b >= *unit).map_or_else(
        || format!("{bytes} 字节"),
        |(unit, name)| format!("{:.1} {name}", b / unit),
    )
}

#[cfg(test)]
mod tests {
    use super::size_zh;

    #[test]
    fn sizes_read_in_the_largest_unit() {
        assert_eq!(size_zh(512), "512 字节");
        assert_eq!(size_zh(1536), "1.5 KB");
        assert_eq!(size_zh(3 * 1048576), "3.0 MB");
        assert_eq!(size_zh(5 * 1073741824), "5.0 GB");
    }
}

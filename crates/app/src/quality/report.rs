//! An entry's quality as its provider and the reviewing authority see it (H11, B17): the
//! scores and worst rows stored with the newest version in force (or a named version), and
//! how timely the data is *now* (H12), which changes with the clock, not with the data.

use gongshu_domain::catalog::Vocabulary;
use gongshu_domain::quality::{Scores, due_at, is_overdue, timeliness};
use gongshu_store::{catalog, versions};
use serde::Serialize;

use super::{QualityRuleView, VersionQuality, list_rules};
use crate::versions::entry_for_versions;
use crate::{App, AppError, Ctx, Result, format_time, micros_to_datetime};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryQuality {
    pub entry_code: String,
    pub entry_name: String,
    pub update_frequency: String,
    /// The version reported on: the current one (the newest committed, not withdrawn; a
    /// held version is not counted until confirmed), unless one was asked for; `None` when
    /// the entry has no data yet.
    pub version: Option<i64>,
    pub uploaded_at: Option<String>,
    /// Scores, per-item counts and worst rows stored when the version was committed; `None`
    /// for a version ingested before scoring existed, or when there is no version.
    pub quality: Option<VersionQuality>,
    /// Timeliness now: the age of the newest data in force (or of the publication, if no
    /// data was ever supplied) against the update frequency.
    pub timeliness_now: f64,
    /// The overall score with today's timeliness.
    pub overall_now: Option<f64>,
    /// Older than the update frequency allows (H12).
    pub overdue: bool,
    /// When the data becomes (or became) overdue; `None` for irregular updates.
    pub due_at: Option<String>,
    /// The rules the next upload is scored against.
    pub rules: Vec<QualityRuleView>,
}

/// The quality of `code`'s newest version in force, or of `version` (owner agency and
/// reviewing authority; anyone else is told the entry does not exist).
pub async fn entry_quality(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    version: Option<i64>,
) -> Result<EntryQuality> {
    let entry = entry_for_versions(app, ctx, code).await?;
    let mut conn = app.db.acquire().await?;
    let published = catalog::get_published_revision(&mut conn, &entry)
        .await?
        .ok_or_else(|| {
            AppError::conflict(
                "entry_not_published",
                "目录条目尚未发布，还没有数据质量可言",
                "the catalog entry is not published; it has no data to score",
            )
        })?;
    // The current version: a held one is not counted until it is confirmed.
    let latest = versions::get_current_version(&mut conn, &entry.id).await?;
    let shown = match version {
        Some(v) => Some(
            versions::get_version(&mut conn, &entry.id, v)
                .await?
                .ok_or(AppError::not_found("data version", "数据版本"))?,
        ),
        None => latest.clone(),
    };
    drop(conn);
    let frequency = published.update_frequency;
    let last_update = latest
        .as_ref()
        .map(|v| v.in_force_at())
        .or(published.published_at)
        .map(micros_to_datetime);
    let now = app.now();
    let (timeliness_now, overdue, due) = match last_update {
        Some(last) => (
            timeliness(frequency, now - last),
            is_overdue(frequency, last, now),
            due_at(frequency, last),
        ),
        None => (100.0, false, None),
    };
    let quality = match &shown {
        Some(v) => VersionQuality::from_manifest(v.quality.as_deref())?,
        None => None,
    };
    let overall_now = quality.as_ref().map(|q| {
        Scores::mean(
            q.scores.completeness,
            q.scores.validity,
            q.scores.uniqueness,
            timeliness_now,
        )
    });
    Ok(EntryQuality {
        entry_code: entry.code.clone(),
        entry_name: published.name,
        update_frequency: frequency.code().into(),
        version: shown.as_ref().map(|v| v.version),
        uploaded_at: shown.as_ref().map(|v| format_time(v.uploaded_at)),
        quality,
        timeliness_now,
        overall_now,
        overdue,
        due_at: due.map(|d| format_time(d.timestamp_micros())),
        rules: list_rules(app, ctx, code).await?,
    })
}

//! One open dataset as the portal shows it (开放数据集): the published revision's metadata
//! (the H8 fields) and data items, its update history (committed versions with their dates),
//! the quality of its current version with the checks behind the score, the licence, how
//! often it was downloaded and called, and — for an unconditionally open dataset only — the
//! first rows and a chart, read as an anonymous member of the public through the one read
//! path. A conditionally open dataset shows its metadata and never a row; a not-open entry
//! does not exist here (not found).

use gongshu_domain::catalog::{OpenType, Vocabulary};
use gongshu_domain::quality::QualityGrade;
use gongshu_domain::versions::VersionState;
use gongshu_store::versions::VersionRow;
use gongshu_store::{catalog as catalog_store, open, versions};
use serde::Serialize;

use super::chart::{ChartAsk, ChartData, chart_data};
use super::licence::{Licence, licence};
use super::metering::Channel;
use crate::catalog::{EntryView, entry_view};
use crate::data::{Reader, RowsPreview, preview_rows_as};
use crate::quality::{QualityScores, VersionQuality};
use crate::{App, AppError, RequestMeta, Result, format_time};

/// Rows in the preview.
pub const PREVIEW_ROWS: usize = 100;

/// Versions the update history lists, newest first (a daily dataset makes hundreds a year).
pub const HISTORY_VERSIONS: usize = 50;

/// One version in the update history.
#[derive(Debug, Clone, Serialize)]
pub struct OpenVersion {
    pub version: i64,
    pub rows: i64,
    /// When it came into force (uploaded, or confirmed when it was held).
    pub in_force_at: String,
    /// The version readers see now.
    pub current: bool,
}

/// One check behind the score.
#[derive(Debug, Clone, Serialize)]
pub struct QualityCheck {
    /// 完整性, 有效性, 唯一性, 及时性.
    pub name: &'static str,
    pub score: f64,
    /// What was counted, in Chinese.
    pub basis: String,
}

/// The counts of one data item in the current version.
#[derive(Debug, Clone, Serialize)]
pub struct ItemCheck {
    pub code: String,
    pub name: String,
    pub required: bool,
    pub key: bool,
    pub filled: u64,
    /// Cells failing their type, checksum, enum, range or pattern.
    pub failed: u64,
}

/// The quality of the current version, as the public sees it (no rows, no values).
#[derive(Debug, Clone, Serialize)]
pub struct QualityView {
    pub version: i64,
    pub scores: QualityScores,
    pub checks: Vec<QualityCheck>,
    pub items: Vec<ItemCheck>,
}

/// Everything the dataset page shows.
#[derive(Debug, Serialize)]
pub struct OpenDataset {
    pub entry: EntryView,
    /// Open without conditions: rows, downloads and the API are offered.
    pub unconditional: bool,
    /// The newest [`HISTORY_VERSIONS`], newest first.
    pub versions: Vec<OpenVersion>,
    /// Versions in force in all (the history may list fewer).
    pub versions_total: usize,
    pub quality: Option<QualityView>,
    /// 质量等级 (code) and its Chinese label.
    pub quality_grade: String,
    pub quality_grade_zh: String,
    pub licence: Licence,
    pub downloads: i64,
    pub api_calls: i64,
    /// The first rows, for an unconditionally open dataset with data.
    #[serde(skip)]
    pub preview: Option<RowsPreview>,
    pub chart: Option<ChartData>,
    /// Why the chosen chart cannot be drawn (a choice not on offer), in Chinese.
    pub chart_problem: Option<String>,
    /// Why there are no rows to show, in Chinese.
    pub no_rows: Option<String>,
    /// Publication of the revision and the latest change (its data included), ISO 8601.
    pub published_iso: Option<String>,
    pub modified_iso: Option<String>,
}

/// The open dataset `code`, with the chart `ask`ed for. Not found unless it is published and
/// open (unconditionally or conditionally).
pub async fn open_dataset(
    app: &App,
    meta: &RequestMeta,
    code: &str,
    ask: &ChartAsk,
) -> Result<OpenDataset> {
    // As an anonymous visitor: the published revision of an open entry, or not found.
    let entry = entry_view(app, None, code, None).await?;
    let open_type = OpenType::parse(&entry.open_type).map_err(AppError::from)?;
    if open_type == OpenType::NotOpen {
        return Err(AppError::not_found("catalog entry", "目录条目"));
    }
    let unconditional = open_type == OpenType::Unconditional;
    let mut conn = app.db.acquire().await?;
    let row = catalog_store::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(|| AppError::not_found("catalog entry", "目录条目"))?;
    // A masked derivative (H19) serves its source's versions.
    let data_entry = match &entry.derived_from {
        Some(d) => catalog_store::get_entry_by_code(&mut conn, &d.source_code)
            .await?
            .map_or(row.id.clone(), |e| e.id),
        None => row.id.clone(),
    };
    let rows = versions::list_versions(&mut conn, &data_entry).await?;
    let usage = open::usage_totals(&mut conn, Some(&row.id)).await?;
    let published_at = catalog_store::get_published_revision(&mut conn, &row)
        .await?
        .and_then(|r| r.published_at);
    drop(conn);
    let in_force: Vec<&VersionRow> = rows
        .iter()
        .filter(|v| v.state == VersionState::Committed && v.withdrawn_at.is_none())
        .collect();
    let current = in_force.first().copied();
    let quality = match current {
        Some(v) => VersionQuality::from_manifest(v.quality.as_deref())?
            .map(|q| quality_view(v.version, &q, &entry)),
        None => None,
    };
    let grade = QualityGrade::of(quality.as_ref().map(|q| q.scores.overall));
    let requests = |channel: Channel| {
        usage
            .iter()
            .find(|(c, _)| c == channel.code())
            .map_or(0, |(_, t)| t.requests)
    };
    let mut page = OpenDataset {
        unconditional,
        versions_total: in_force.len(),
        versions: in_force
            .iter()
            .take(HISTORY_VERSIONS)
            .map(|v| OpenVersion {
                version: v.version,
                rows: v.rows,
                in_force_at: format_time(v.in_force_at()),
                current: Some(v.version) == current.map(|c| c.version),
            })
            .collect(),
        quality,
        quality_grade: grade.code().to_owned(),
        quality_grade_zh: grade.zh().to_owned(),
        licence: licence(app).await?,
        downloads: requests(Channel::Download),
        api_calls: requests(Channel::Api),
        preview: None,
        chart: None,
        chart_problem: None,
        no_rows: None,
        published_iso: published_at.map(super::iso_time),
        modified_iso: published_at
            .into_iter()
            .chain(current.map(VersionRow::in_force_at))
            .max()
            .map(super::iso_time),
        entry,
    };
    if !unconditional {
        page.no_rows =
            Some("有条件开放的数据须申请并获批准后方可使用，此处不提供数据预览和下载".into());
        return Ok(page);
    }
    if current.is_none() {
        page.no_rows = Some("数据提供单位尚未上传数据".into());
        return Ok(page);
    }
    // An objection or a risk suspended the opening (H27): the page says so instead of rows.
    if let Some(opening) = &page.entry.opening {
        page.no_rows = Some(format!(
            "该数据于{}收到{}，已中止开放（预览、下载和接口暂停），待数源部门核实后撤回、恢复开放或依法处理后开放",
            opening.since, opening.kind_zh
        ));
        return Ok(page);
    }
    let reader = Reader::Anonymous(meta);
    page.preview = Some(preview_rows_as(app, reader, code, PREVIEW_ROWS, "portal preview").await?);
    match chart_data(app, meta, code, &page.entry.items, ask).await {
        Ok(chart) => page.chart = chart,
        // A choice that is not on offer is said next to the chart; the rest of the page stands.
        Err(AppError::Invalid(violations)) => {
            page.chart_problem = violations.0.first().map(|v| v.zh.clone());
            page.chart =
                chart_data(app, meta, code, &page.entry.items, &ChartAsk::default()).await?;
        }
        Err(e) => return Err(e),
    }
    Ok(page)
}

/// The public part of a version's quality: the scores, what each counted, and per item.
fn quality_view(version: i64, q: &VersionQuality, entry: &EntryView) -> QualityView {
    let s = q.scores;
    let checks = vec![
        QualityCheck {
            name: "完整性",
            score: s.completeness,
            basis: format!("应填{}格，已填{}格", q.expected_cells, q.filled_cells),
        },
        QualityCheck {
            name: "有效性",
            score: s.validity,
            basis: format!(
                "校验{}格（数据类型、身份号码和信用代码校验位、取值规则），不合格{}格",
                q.checked_cells, q.failed_cells
            ),
        },
        QualityCheck {
            name: "唯一性",
            score: s.uniqueness,
            basis: if q.key.is_empty() {
                "未声明主键，不检查重复".to_owned()
            } else {
                format!("按主键检查{}行，重复{}行", q.key_rows, q.duplicate_rows)
            },
        },
        QualityCheck {
            name: "及时性",
            score: s.timeliness,
            basis: format!(
                "距上次更新{}小时，更新频率为{}",
                q.hours_since_previous_update,
                gongshu_domain::catalog::label_zh::<gongshu_domain::catalog::UpdateFrequency>(
                    &q.update_frequency
                )
            ),
        },
    ];
    let items = q
        .items
        .iter()
        .map(|i| ItemCheck {
            name: entry
                .items
                .iter()
                .find(|e| e.code == i.code)
                .map_or_else(|| i.code.clone(), |e| e.name.clone()),
            code: i.code.clone(),
            required: i.required,
            key: i.key,
            filled: i.filled,
            failed: i.invalid + i.not_in_enum + i.out_of_range + i.pattern_mismatch,
        })
        .collect();
    QualityView {
        version,
        scores: s,
        checks,
        items,
    }
}

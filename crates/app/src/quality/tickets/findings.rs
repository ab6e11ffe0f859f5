//! The platform's own findings (H11, H12): a version committed with a completeness, validity or
//! uniqueness score below the threshold opens a ticket in the transaction that commits it
//! (upload, or the confirmation of a held version); data older than its update frequency
//! allows opens one when the scheduler next runs ([`run_quality_checks`], every five minutes
//! inside `serve`), once per version that went stale and never while the entry's ticket for an
//! earlier stale version is still active.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gongshu_domain::catalog::Vocabulary;
use gongshu_domain::quality::due_at;
use gongshu_domain::quality::ticket::{
    Evidence, ItemFailures, RowFinding, RuleFindings, RuleScores, SCORE_THRESHOLD, Staleness,
    TicketKind,
};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::{Conn, quality, tickets};
use serde::Serialize;

use super::{NewTicket, Opened, SYSTEM, open_ticket};
use crate::quality::VersionQuality;
use crate::{App, RequestMeta, Result, format_time, micros_to_datetime};

/// Opens a ticket for version `version` of `entry` if its scores fall short (inside the
/// transaction that makes it current). Returns the ticket's id when one was opened.
pub(crate) async fn open_for_version(
    app: &App,
    conn: &mut Conn,
    meta: &RequestMeta,
    entry: &EntryRow,
    version: i64,
    quality: &VersionQuality,
) -> Result<Option<String>> {
    let Some(findings) = rule_findings(version, quality) else {
        return Ok(None);
    };
    let shortfalls: Vec<String> = findings
        .shortfalls
        .iter()
        .map(|d| format!("{}{}分", d.zh(), findings.scores.score(*d)))
        .collect();
    let summary = format!(
        "第{version}版数据质量未达标：{}（低于{SCORE_THRESHOLD}分）",
        shortfalls.join("、")
    );
    let mut lines: Vec<String> = findings
        .items
        .iter()
        .map(|i| {
            let counts = [
                ("空值", i.blank),
                ("类型或校验码错误", i.invalid),
                ("不在枚举值内", i.not_in_enum),
                ("超出取值范围", i.out_of_range),
                ("格式不符", i.pattern_mismatch),
            ];
            let named: Vec<String> = counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(what, n)| format!("{what}{n}个"))
                .collect();
            format!("信息项{}：{}", i.code, named.join("，"))
        })
        .collect();
    if findings.duplicate_rows > 0 {
        lines.push(format!("主键重复{}行", findings.duplicate_rows));
    }
    let description = format!(
        "第{version}版共{}行。{}。问题最多的行见证据中的行号。",
        findings.rows,
        lines.join("；")
    );
    let new = NewTicket {
        entry,
        summary,
        description,
        evidence: Evidence::FailedRules(findings),
        reporter: None,
    };
    Ok(match open_ticket(app, conn, meta, SYSTEM, new).await? {
        Opened::New(t) => Some(t.id),
        Opened::Existing(_) => None,
    })
}

/// The evidence of a version whose scores fall short, or `None` when they do not.
fn rule_findings(version: i64, q: &VersionQuality) -> Option<RuleFindings> {
    let scores = RuleScores {
        completeness: q.scores.completeness,
        validity: q.scores.validity,
        uniqueness: q.scores.uniqueness,
    };
    let shortfalls = scores.shortfalls();
    if shortfalls.is_empty() {
        return None;
    }
    // Completeness counts the required items, or every item when none is required.
    let any_required = q.items.iter().any(|i| i.required);
    let items = q
        .items
        .iter()
        .map(|i| ItemFailures {
            code: i.code.clone(),
            blank: if i.required || !any_required {
                q.rows.saturating_sub(i.filled)
            } else {
                0
            },
            invalid: i.invalid,
            not_in_enum: i.not_in_enum,
            out_of_range: i.out_of_range,
            pattern_mismatch: i.pattern_mismatch,
        })
        .filter(|i| i.total() > 0)
        .collect();
    Some(RuleFindings {
        version,
        rows: q.rows,
        scores,
        shortfalls,
        items,
        duplicate_rows: q.duplicate_rows,
        worst_rows: q
            .worst_rows
            .iter()
            .map(|w| RowFinding {
                row: w.row,
                source: w.source.clone(),
                reasons: w.reasons.iter().map(|r| r.zh.clone()).collect(),
            })
            .collect(),
    })
}

/// What one run of the quality checks did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QualityCheckRun {
    /// Tickets opened for data overdue for an update.
    pub opened: usize,
}

/// Opens a ticket for every published entry whose data became overdue for an update (H12)
/// and has had none for that version yet. Safe to run concurrently: a finding already held by
/// an active ticket is not opened twice (the store's unique index decides a race).
pub async fn run_quality_checks(app: &App) -> Result<QualityCheckRun> {
    let now = app.now();
    let mut conn = app.db.acquire().await?;
    let fresh = quality::list_freshness(&mut conn).await?;
    let findings = tickets::list_findings(&mut conn, TicketKind::OverdueUpdate).await?;
    // A finding that had a ticket is not found again; nor is an entry's next stale version
    // while its ticket for an earlier one is still being dealt with.
    let found: HashSet<(&str, &str)> = findings
        .iter()
        .map(|f| (f.entry_id.as_str(), f.finding.as_str()))
        .collect();
    let pending: HashSet<&str> = findings
        .iter()
        .filter(|f| f.active)
        .map(|f| f.entry_id.as_str())
        .collect();
    drop(conn);
    let meta = RequestMeta {
        request_id: format!("scheduler-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let mut run = QualityCheckRun::default();
    for r in fresh {
        let Some(last) = r.last_uploaded_at.or(r.published_at) else {
            continue;
        };
        let Some(due) = due_at(r.update_frequency, micros_to_datetime(last)) else {
            continue;
        };
        if now <= due {
            continue;
        }
        let evidence = Evidence::OverdueUpdate(Staleness {
            update_frequency: r.update_frequency,
            last_version: r.last_version,
            last_update: format_time(last),
            due_at: format_time(due.timestamp_micros()),
        });
        if pending.contains(r.entry_id.as_str())
            || found.contains(&(r.entry_id.as_str(), evidence.finding(None).as_str()))
        {
            continue;
        }
        let mut tx = app.db.begin_write().await?;
        let Some(entry) = catalog::get_entry_by_id(&mut tx, &r.entry_id).await? else {
            continue;
        };
        let summary = format!(
            "数据未按更新频率（{}）更新，{}起逾期",
            r.update_frequency.zh(),
            format_time(due.timestamp_micros())
        );
        let description = match r.last_version {
            Some(v) => format!(
                "现行第{v}版数据于{}生效，按目录登记的更新频率应于{}前更新（第十二条）。请上传新版本后以“整改”答复，或说明未更新的原因。",
                format_time(last),
                format_time(due.timestamp_micros())
            ),
            None => format!(
                "目录于{}发布，至今没有数据，按目录登记的更新频率应于{}前提供（第十二条）。请上传数据后以“整改”答复，或说明原因。",
                format_time(last),
                format_time(due.timestamp_micros())
            ),
        };
        let new = NewTicket {
            entry: &entry,
            summary,
            description,
            evidence,
            reporter: None,
        };
        if let Opened::New(_) = open_ticket(app, &mut tx, &meta, SYSTEM, new).await? {
            run.opened += 1;
        }
        tx.commit().await?;
    }
    if run.opened > 0 {
        tracing::info!(
            quality.opened = run.opened,
            "quality tickets opened for stale data"
        );
    }
    Ok(run)
}

/// The scheduler inside `serve`: runs the quality checks at start and then every `every`
/// until `stop` is set. A failed run is logged and retried at the next tick.
pub async fn schedule_quality_checks(app: App, every: std::time::Duration, stop: Arc<AtomicBool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        if let Err(e) = run_quality_checks(&app).await {
            tracing::error!(error = %e, "quality check failed");
        }
    }
}

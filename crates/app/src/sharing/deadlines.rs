//! Deadlines of share requests (H21): one working day before an open step is due, its
//! assignee gets an in-app reminder; the day after, the step is overdue and goes on the
//! authority's escalation list (督办). `serve` runs [`run_deadlines`] on a timer; it reads time
//! from the app's clock, so tests drive it over simulated weeks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use gongshu_domain::{Action, Target};
use gongshu_store::sharing::{self, NotificationRow, StepRow};
use gongshu_store::{catalog, demands};
use serde::Serialize;

use super::step_zh;
use crate::record::authorize;
use crate::{App, Ctx, Result, format_time};

/// What one run of the scheduler did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeadlineRun {
    pub reminded: usize,
    pub overdue: usize,
}

/// Sends due reminders and marks overdue steps. Safe to run concurrently: each reminder and
/// each escalation is claimed by a guarded update, so it happens once.
pub async fn run_deadlines(app: &App) -> Result<DeadlineRun> {
    let today = crate::calendar::today(app);
    let next_working_day = crate::calendar::add_working_days(app, today, 1).date;
    let now = app.now_micros();
    let mut conn = app.db.acquire().await?;
    let open = sharing::open_steps(&mut conn).await?;
    drop(conn);
    let mut run = DeadlineRun::default();
    for step in open {
        let Some(due) = step
            .due_date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            continue;
        };
        if today > due && step.overdue_at.is_none() {
            let mut tx = app.db.begin_write().await?;
            if sharing::mark_overdue(&mut tx, &step.request_id, step.seq, now).await? {
                notify(
                    &mut tx,
                    &step,
                    "overdue",
                    format!(
                        "“{}”已超过办理期限（{}），已列入督办清单",
                        step_zh(&step.kind),
                        due
                    ),
                    now,
                )
                .await?;
                run.overdue += 1;
            }
            tx.commit().await?;
        } else if today <= due && next_working_day >= due && step.reminded_at.is_none() {
            let mut tx = app.db.begin_write().await?;
            if sharing::mark_reminded(&mut tx, &step.request_id, step.seq, now).await? {
                notify(
                    &mut tx,
                    &step,
                    "reminder",
                    format!("“{}”将于{}到期，请及时办理", step_zh(&step.kind), due),
                    now,
                )
                .await?;
                run.reminded += 1;
            }
            tx.commit().await?;
        }
    }
    let mut conn = app.db.acquire().await?;
    let open_demands = demands::list_demands(&mut conn).await?;
    drop(conn);
    for d in open_demands {
        let (Some(org), Some(due)) = (d.assignee_org_id.as_deref(), d.due_date) else {
            continue;
        };
        let overdue = today > due;
        let remind = today <= due && next_working_day >= due;
        if (overdue && d.overdue_at.is_none()) || (remind && d.reminded_at.is_none()) {
            let mut tx = app.db.begin_write().await?;
            if demands::mark_demand(&mut tx, &d.id, overdue, now).await? {
                let message = if overdue {
                    format!(
                        "数据需求“{}”已超过办理期限（{due}），已列入督办清单",
                        d.title
                    )
                } else {
                    format!("数据需求“{}”将于{due}到期，请及时办理", d.title)
                };
                let kind = if overdue { "overdue" } else { "reminder" };
                notify_org(&mut tx, org, kind, "demand_request", &d.id, message, now).await?;
                if overdue {
                    run.overdue += 1;
                } else {
                    run.reminded += 1;
                }
            }
            tx.commit().await?;
        }
    }
    if run != DeadlineRun::default() {
        tracing::info!(
            sharing.reminded = run.reminded,
            sharing.overdue = run.overdue,
            "share request deadlines checked"
        );
    }
    Ok(run)
}

async fn notify(
    conn: &mut gongshu_store::Conn,
    step: &StepRow,
    kind: &str,
    message: String,
    now: i64,
) -> Result<()> {
    match step.assignee_org_id.as_deref() {
        Some(org) => {
            notify_org(
                conn,
                org,
                kind,
                "share_request",
                &step.request_id,
                message,
                now,
            )
            .await
        }
        None => Ok(()),
    }
}

async fn notify_org(
    conn: &mut gongshu_store::Conn,
    org: &str,
    kind: &str,
    subject_kind: &str,
    subject_id: &str,
    message: String,
    now: i64,
) -> Result<()> {
    Ok(sharing::insert_notification(
        conn,
        &NotificationRow {
            id: uuid::Uuid::now_v7().to_string(),
            recipient_org_id: org.to_owned(),
            kind: kind.to_owned(),
            subject_kind: subject_kind.to_owned(),
            subject_id: subject_id.to_owned(),
            message,
            created_at: now,
            read_at: None,
        },
    )
    .await?)
}

/// The scheduler inside `serve`: runs the deadline rules at start and then every `every`
/// until `stop` is set. A failed run is logged and retried at the next tick.
pub async fn schedule_deadlines(app: App, every: std::time::Duration, stop: Arc<AtomicBool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        if let Err(e) = run_deadlines(&app).await {
            tracing::error!(error = %e, "share request deadline check failed");
        }
    }
}

/// One overdue step on the escalation list: a share request's step, or a demand request
/// (`step` = `demand_<state>`, no entry yet).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Escalation {
    pub request_id: String,
    pub entry_code: String,
    pub step: String,
    pub step_zh: &'static str,
    pub assignee_org_id: Option<String>,
    pub due_date: String,
    pub overdue_since: String,
}

/// Open steps past their due date, oldest due first: the regulator sees the whole city, an
/// authority the organisations under it (a county authority only its county).
pub async fn escalations(app: &App, ctx: Ctx<'_>) -> Result<Vec<Escalation>> {
    authorize(
        app,
        ctx,
        Action::ViewEscalations,
        Target::Platform,
        "escalations",
        "*",
    )
    .await?;
    let oversight = super::Oversight::of(ctx);
    let mut conn = app.db.acquire().await?;
    let orgs = crate::catalog::scope::org_map(&mut conn).await?;
    let late = |org: Option<&str>| org.is_some_and(|o| oversight.covers(&orgs, o));
    let mut out = Vec::new();
    for step in sharing::open_steps(&mut conn).await? {
        let (Some(overdue_at), Some(due_date)) = (step.overdue_at, step.due_date.clone()) else {
            continue;
        };
        if !late(step.assignee_org_id.as_deref()) {
            continue;
        }
        let Some(request) = sharing::get_request(&mut conn, &step.request_id).await? else {
            continue;
        };
        let entry_code = catalog::get_entry_by_id(&mut conn, &request.entry_id)
            .await?
            .map(|e| e.code)
            .unwrap_or_default();
        out.push(Escalation {
            request_id: step.request_id,
            entry_code,
            step_zh: step_zh(&step.kind),
            step: step.kind,
            assignee_org_id: step.assignee_org_id,
            due_date,
            overdue_since: format_time(overdue_at),
        });
    }
    for d in demands::list_demands(&mut conn).await? {
        let (Some(overdue_at), Some(due_date)) = (d.overdue_at, d.due_date) else {
            continue;
        };
        if !late(d.assignee_org_id.as_deref()) {
            continue;
        }
        out.push(Escalation {
            request_id: d.id,
            entry_code: String::new(),
            step: format!("demand_{}", d.state.code()),
            step_zh: "数据需求办理",
            assignee_org_id: d.assignee_org_id,
            due_date: due_date.to_string(),
            overdue_since: format_time(overdue_at),
        });
    }
    Ok(out)
}

//! Reading and verifying the audit log: for the auditor and, read-only, regulators.

use chrono::{NaiveDate, TimeZone};
use gongshu_audit::EventFilter;
pub use gongshu_audit::{Breakage, VerifyReport};
use gongshu_domain::Paging;
use gongshu_domain::{Action, Target, Violation, Violations};
use serde::{Deserialize, Serialize};

use crate::record::authorize;
use crate::{App, Ctx, Result, format_time};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// User name or account id of the actor.
    pub actor: Option<String>,
    pub org_id: Option<String>,
    /// Action name or its prefix (e.g. `login`, `grant_role`).
    pub action: Option<String>,
    /// success, denied or failed.
    pub outcome: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// First day included (YYYY-MM-DD, China Standard Time).
    pub from: Option<String>,
    /// Last day included (YYYY-MM-DD, China Standard Time).
    pub to: Option<String>,
    /// Cursor from the previous page's `next_before_seq`.
    pub before_seq: Option<i64>,
    /// 1–500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub occurred_at: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub org_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub target_kind: String,
    pub target_id: String,
    pub request_id: String,
    pub client_addr: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub payload_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `before_seq` for the next (older) page; absent on the last page.
    pub next_before_seq: Option<i64>,
}

fn day_start_micros(field: &str, raw: &str, v: &mut Violations, next_day: bool) -> Option<i64> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| {
            v.push(Violation::new(
                field,
                "bad_date",
                "日期格式应为YYYY-MM-DD",
                "date must be YYYY-MM-DD",
            ))
        })
        .ok()?;
    let date = if next_day { date.succ_opt()? } else { date };
    let cst = chrono::FixedOffset::east_opt(8 * 3600)?;
    Some(
        cst.from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
            .single()?
            .timestamp_micros(),
    )
}

pub async fn list_events(app: &App, ctx: Ctx<'_>, q: EventQuery) -> Result<EventPage> {
    let mut v = Violations::default();
    let nonempty = |s: Option<String>| s.map(|x| x.trim().to_owned()).filter(|x| !x.is_empty());
    let from = nonempty(q.from).and_then(|f| day_start_micros("from", &f, &mut v, false));
    let to = nonempty(q.to).and_then(|t| day_start_micros("to", &t, &mut v, true));
    let outcome = nonempty(q.outcome);
    if outcome
        .as_deref()
        .is_some_and(|o| !["success", "denied", "failed"].contains(&o))
    {
        v.push(Violation::new(
            "outcome",
            "bad_outcome",
            "结果只能是success、denied或failed",
            "outcome must be success, denied or failed",
        ));
    }
    v.into_result()?;
    authorize(
        app,
        ctx,
        Action::ViewAuditLog,
        Target::Platform,
        "audit_log",
        "*",
    )
    .await?;
    let limit = Paging::parse(1, q.limit.unwrap_or(50), 500)
        .map_err(|_| {
            Violation::new(
                "limit",
                "out_of_range",
                "条数应在 1 到 500 之间",
                "limit must be between 1 and 500",
            )
        })?
        .per_page();
    let filter = EventFilter {
        actor: nonempty(q.actor),
        org_id: nonempty(q.org_id),
        action: nonempty(q.action),
        outcome,
        target_kind: nonempty(q.target_kind),
        target_id: nonempty(q.target_id),
        from,
        to,
        before_seq: q.before_seq,
    };
    let mut conn = app.db.acquire().await?;
    let events = gongshu_audit::list_events(&mut conn, &filter, limit + 1).await?;
    let more = events.len() as i64 > limit;
    let items: Vec<EventView> = events
        .into_iter()
        .take(limit as usize)
        .map(|e| EventView {
            seq: e.seq,
            occurred_at: format_time(e.occurred_at),
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            org_id: e.org_id,
            action: e.action,
            outcome: e.outcome,
            target_kind: e.target_kind,
            target_id: e.target_id,
            request_id: e.request_id,
            client_addr: e.client_addr,
            payload: serde_json::from_str(&e.payload)
                .unwrap_or(serde_json::Value::String(e.payload)),
            payload_digest: e.payload_digest,
            prev_hash: e.prev_hash,
            hash: e.hash,
        })
        .collect();
    let next_before_seq = if more {
        items.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(EventPage {
        items,
        next_before_seq,
    })
}

/// Recomputes the chain for an auditor in the console or API.
pub async fn verify_chain(app: &App, ctx: Ctx<'_>) -> Result<VerifyReport> {
    authorize(
        app,
        ctx,
        Action::ViewAuditLog,
        Target::Platform,
        "audit_log",
        "*",
    )
    .await?;
    verify_unattended(app).await
}

/// Recomputes the chain for `gongshu audit verify`, run by an operator with database access.
pub async fn verify_unattended(app: &App) -> Result<VerifyReport> {
    let mut conn = app.db.acquire().await?;
    Ok(gongshu_audit::verify(&mut conn).await?)
}

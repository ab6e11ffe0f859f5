//! Asking for another agency's published entry (H20, H21). Unconditional entries are granted
//! at once and still recorded as a request, so the trail is complete; conditional ones wait
//! for the source's decision, due 5 working days later; not-shared ones accept verification
//! requests only.

use chrono::NaiveDate;
use gongshu_domain::Paging;
use gongshu_domain::catalog::Revision;
use gongshu_domain::catalog::{ShareMode, ShareType, Vocabulary};
use gongshu_domain::grant::RowFilter;
use gongshu_domain::sharing::{
    Ask, Commitments, DECISION_WORKING_DAYS, RequestAction, RequestState, check_ask, check_modes,
};
use gongshu_domain::sharing::{Decision, ShareRequest};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::sharing::{self, StepRow};
use serde::Deserialize;
use serde_json::json;

use super::grants::create_grant;
use super::{RequestView, end_of_day_micros, request_not_found, request_view};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    pub entry_code: String,
    /// Item codes wanted: a subset of the published entry's items.
    pub items: Vec<String>,
    /// Share modes: api_query, bulk_download, verification.
    pub modes: Vec<String>,
    /// 应用场景.
    pub scenario: String,
    pub purpose: String,
    /// The unit that will use the data (使用单位).
    pub using_unit: String,
    /// Last day of use, YYYY-MM-DD (inclusive).
    pub until: String,
    /// `{purpose_bound, no_onward_transfer, security}`: all three must be true (H20).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub commitments: Commitments,
}

/// The published entry and revision a request is about; unpublished entries do not exist for
/// requesters.
pub(super) async fn published_entry(app: &App, code: &str) -> Result<(EntryRow, Revision)> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let revision = entry.published_revision.ok_or_else(not_found)?;
    let published = catalog::get_revision(&mut conn, &entry.id, revision)
        .await?
        .ok_or_else(not_found)?;
    Ok((entry, published))
}

pub async fn request_share(app: &App, ctx: Ctx<'_>, input: RequestInput) -> Result<RequestView> {
    // Only agency users ask, for their own organisation; anyone else is denied (and recorded).
    let org = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::RequestShare,
        Target::Organisation { id: &org },
        "catalog_entry",
        &input.entry_code,
    )
    .await?;
    let (entry, published) = published_entry(app, &input.entry_code).await?;
    if entry.org_id == org {
        return Err(AppError::conflict(
            "own_entry",
            "本单位的数据无需申请共享",
            "an agency does not request its own data",
        ));
    }
    let mut conn = app.db.acquire().await?;
    let entry_items: Vec<String> = catalog::list_items(&mut conn, &entry.id, published.revision)
        .await?
        .into_iter()
        .map(|i| i.code)
        .collect();
    drop(conn);
    let share_type = published.share_type;
    let offered = &published.share_modes;

    let mut v = Violations::default();
    let scenario = v.text("scenario", "应用场景", &input.scenario, 2000);
    let purpose = v.text("purpose", "用途", &input.purpose, 2000);
    let using_unit = v.text("using_unit", "使用单位", &input.using_unit, 200);
    let mut modes = Vec::new();
    for (i, code) in input.modes.iter().enumerate() {
        match ShareMode::parse(code) {
            Ok(m) if !modes.contains(&m) => modes.push(m),
            Ok(_) => {}
            Err(_) => v.push(Violation::new(
                format!("modes[{i}]"),
                "unknown_mode",
                format!("未知的共享方式“{code}”"),
                format!("unknown share mode {code}"),
            )),
        }
    }
    if let Err(e) = check_modes(share_type, offered, &modes) {
        v.push(e);
    }
    let today = crate::calendar::today(app);
    let until = NaiveDate::parse_from_str(input.until.trim(), "%Y-%m-%d");
    match until {
        Ok(until) => {
            if let Err(e) = check_ask(&Ask {
                items: &input.items,
                entry_items: &entry_items,
                until,
                today,
                commitments: input.commitments,
            }) {
                v.0.extend(e.0);
            }
        }
        Err(_) => v.push(Violation::new(
            "until",
            "invalid_date",
            "使用截止日期格式应为 YYYY-MM-DD",
            "the end date must be YYYY-MM-DD",
        )),
    }
    v.into_result()?;
    let until = until.expect("checked above");

    let now = app.now_micros();
    let id = uuid::Uuid::now_v7().to_string();
    let at_once = share_type == ShareType::Unconditional;
    let state = if at_once {
        RequestState::Pending
            .next(RequestAction::GrantAtOnce)
            .map_err(|e| AppError::Internal(e.to_string()))?
    } else {
        RequestState::Pending
    };
    let row = ShareRequest {
        id: id.clone(),
        entry_id: entry.id.clone(),
        source_org_id: entry.org_id.clone(),
        requester_org_id: org.clone(),
        requested_by: ctx.principal.username.clone(),
        share_type,
        items: input.items.clone(),
        modes,
        scenario,
        purpose: purpose.clone(),
        using_unit,
        until,
        commitments: input.commitments,
        state,
        decision: at_once.then_some(Decision::GrantedAtOnce),
        decided_by: at_once.then(|| "system".to_owned()),
        decided_at: at_once.then_some(now),
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.begin_write().await?;
    sharing::insert_request(&mut tx, &row).await?;
    let mut step = StepRow {
        request_id: id.clone(),
        seq: 1,
        kind: "submit".into(),
        assignee_org_id: None,
        due_date: None,
        due_provisional: 0,
        done_at: Some(now),
        done_by: Some(ctx.principal.username.clone()),
        note: String::new(),
        reminded_at: None,
        overdue_at: None,
        created_at: now,
    };
    sharing::insert_step(&mut tx, &step).await?;
    step.seq = 2;
    let grant = if at_once {
        step.kind = "grant".into();
        step.note = "无条件共享，即时授权".into();
        sharing::insert_step(&mut tx, &step).await?;
        Some(
            create_grant(
                &mut tx,
                &row,
                &input.items,
                &RowFilter::none(),
                now,
                end_of_day_micros(until),
            )
            .await?,
        )
    } else {
        let due = crate::calendar::add_working_days(app, today, DECISION_WORKING_DAYS);
        step.kind = "decide".into();
        step.assignee_org_id = Some(entry.org_id.clone());
        step.due_date = Some(due.date.to_string());
        step.due_provisional = i64::from(due.provisional);
        step.done_at = None;
        step.done_by = None;
        sharing::insert_step(&mut tx, &step).await?;
        None
    };
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "request_share",
            target_kind: "share_request",
            target_id: &id,
            payload: json!({
                "entry": entry.code, "items": input.items,
                "modes": row.modes.iter().map(|m| m.code()).collect::<Vec<_>>(),
                "purpose": purpose, "until": row.until.to_string(), "state": row.state.code(),
                "grant": grant.as_ref().map(|g| &g.id),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    get_request(app, ctx, &id).await
}

/// One request with its timeline, for its requester, its source and the authorities.
pub async fn get_request(app: &App, ctx: Ctx<'_>, id: &str) -> Result<RequestView> {
    let mut conn = app.db.acquire().await?;
    let r = sharing::get_request(&mut conn, id)
        .await?
        .ok_or_else(request_not_found)?;
    let orgs = crate::catalog::scope::org_map(&mut conn).await?;
    if !may_see(ctx, &orgs, &r) {
        return Err(request_not_found());
    }
    request_view(app, &mut conn, r).await
}

/// Requesters, sources and the authorities overseeing either see a request; nobody else knows
/// it exists.
fn may_see(
    ctx: Ctx<'_>,
    orgs: &std::collections::HashMap<String, gongshu_store::orgs::OrgRow>,
    r: &ShareRequest,
) -> bool {
    let org = ctx.principal.org_id.as_deref();
    let oversight = super::Oversight::of(ctx);
    [r.requester_org_id.as_str(), r.source_org_id.as_str()]
        .into_iter()
        .any(|o| org == Some(o) || oversight.covers(orgs, o))
}

/// The requests an organisation made, newest first.
pub async fn list_requests(
    app: &App,
    ctx: Ctx<'_>,
    page: i64,
    per_page: i64,
) -> Result<Vec<RequestView>> {
    let paging = Paging::parse(page, per_page, 200)?;
    let Some(org) = ctx.principal.org_id.as_deref() else {
        return Ok(Vec::new());
    };
    let mut conn = app.db.acquire().await?;
    let rows =
        sharing::list_requests(&mut conn, org, false, paging.per_page(), paging.offset()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(request_view(app, &mut conn, r).await?);
    }
    Ok(out)
}

/// The inbox (待我答复): the requests the caller's organisation must still answer or deliver,
/// oldest first, so the nearest deadline leads. Only those who decide for the organisation
/// have one; anyone else is denied and the denial recorded. The API and the console show
/// this same list.
pub async fn inbox(app: &App, ctx: Ctx<'_>, page: i64, per_page: i64) -> Result<Vec<RequestView>> {
    let paging = Paging::parse(page, per_page, 200)?;
    let org = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::DecideShare,
        Target::Organisation { id: &org },
        "share_request",
        "*",
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let rows =
        sharing::list_open_requests(&mut conn, &org, paging.per_page(), paging.offset()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(request_view(app, &mut conn, r).await?);
    }
    Ok(out)
}

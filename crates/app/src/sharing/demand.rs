//! Demand requests for uncatalogued data (需求申请, H22) and upward requests (H23). The
//! requester describes the need; its reviewing authority reviews within 5 WD and names a source
//! department (or asks upward when the data is national, regional or another city's); the
//! source answers within 5 WD — share directly (catalog the data through the usual review and
//! deliver within 7 WD), needs processing (by a stated date), held upstream (an upward
//! request), or refuse with a legal basis. The open step's assignee and due date drive the
//! reminders and the escalation list like share requests do.

use chrono::NaiveDate;
use gongshu_domain::sharing::{
    DEMAND_ANSWER_WORKING_DAYS, DEMAND_DELIVERY_WORKING_DAYS, DEMAND_REVIEW_WORKING_DAYS,
    DemandAction, DemandRequest, DemandState, DemandStep, DemandStepAction, check_refusal,
};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::demands;
use gongshu_store::{catalog, orgs};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::catalog::scope::{org_map, reviewing_authority};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandInput {
    /// The data needed, in a few words.
    pub title: String,
    /// What it contains and which fields, as precisely as the requester can say.
    pub description: String,
    /// 应用场景.
    pub scenario: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandReviewInput {
    /// `assign` (name `source_org_id`), `upward` (national, regional or other-city data) or
    /// `reject`.
    pub decision: String,
    #[serde(default)]
    pub source_org_id: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandAnswerInput {
    /// `share`, `needs_processing` (give `date`), `held_upstream` or `refuse` (give `reason`
    /// and `legal_basis`).
    pub answer: String,
    /// When processed data can be shared (YYYY-MM-DD), for `needs_processing`.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandDeliverInput {
    /// The published catalog entry the data is now shared as (required when the source
    /// delivers; optional when the authority records an upward request's return).
    #[serde(default)]
    pub entry_code: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandView {
    pub id: String,
    pub requester_org_id: String,
    pub requested_by: String,
    pub title: String,
    pub description: String,
    pub scenario: String,
    pub state: &'static str,
    pub state_zh: &'static str,
    pub source_org_id: Option<String>,
    /// Who must act next, and by when.
    pub assignee_org_id: Option<String>,
    pub due_date: Option<String>,
    pub overdue: bool,
    pub entry_code: Option<String>,
    /// Every step: `{at, by, action, note}`.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<DemandStep>,
    pub created_at: String,
}

fn view(d: DemandRequest) -> DemandView {
    DemandView {
        history: d.history,
        id: d.id,
        requester_org_id: d.requester_org_id,
        requested_by: d.requested_by,
        title: d.title,
        description: d.description,
        scenario: d.scenario,
        state: d.state.code(),
        state_zh: d.state.zh(),
        source_org_id: d.source_org_id,
        assignee_org_id: d.assignee_org_id,
        due_date: d.due_date.map(|day| day.to_string()),
        overdue: d.overdue_at.is_some(),
        entry_code: d.entry_code,
        created_at: format_time(d.created_at),
    }
}

fn not_found() -> AppError {
    AppError::not_found("demand request", "数据需求申请")
}

fn due_in(app: &App, days: u32) -> NaiveDate {
    crate::calendar::add_working_days(app, crate::calendar::today(app), days).date
}

/// A step the caller takes at `at`.
fn step_by(ctx: Ctx<'_>, at: i64, action: DemandStepAction, note: &str) -> DemandStep {
    DemandStep {
        at: format_time(at),
        by: ctx.principal.username.clone(),
        action,
        note: note.to_owned(),
    }
}

/// The demand with one more step in its history.
fn step(
    app: &App,
    ctx: Ctx<'_>,
    d: &DemandRequest,
    action: DemandAction,
    note: &str,
) -> DemandRequest {
    let now = app.now_micros();
    let mut next = d.clone();
    next.history.push(step_by(ctx, now, action.into(), note));
    next.updated_at = now;
    next.reminded_at = None;
    next.overdue_at = None;
    next
}

/// Writes the step if nobody acted first, with its audit event.
async fn commit(
    app: &App,
    ctx: Ctx<'_>,
    before: &DemandRequest,
    after: &DemandRequest,
    action: &str,
    payload: Value,
) -> Result<DemandView> {
    let mut tx = app.db.begin_write().await?;
    if !demands::update_demand(&mut tx, after, before.state).await? {
        return Err(AppError::conflict(
            "already_decided",
            "该需求已由他人处理，请刷新后查看",
            "someone else has already acted on this demand",
        ));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action,
            target_kind: "demand_request",
            target_id: &before.id,
            payload,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view(after.clone()))
}

fn transition(d: &DemandRequest, action: DemandAction) -> Result<DemandState> {
    let state = d.state;
    state.next(action).ok_or_else(|| {
        AppError::conflict(
            "illegal_transition",
            format!("需求当前状态为“{}”，不能执行此操作", state.zh()),
            format!("the demand is {}; this step does not apply", state.code()),
        )
    })
}

pub async fn submit_demand(app: &App, ctx: Ctx<'_>, input: DemandInput) -> Result<DemandView> {
    let org = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::RequestShare,
        Target::Organisation { id: &org },
        "demand_request",
        "new",
    )
    .await?;
    let mut v = Violations::default();
    let title = v.text("title", "需求名称", &input.title, 200);
    let description = v.text("description", "需求描述", &input.description, 5000);
    let scenario = v.text("scenario", "应用场景", &input.scenario, 2000);
    v.into_result()?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    drop(conn);
    let authority = reviewing_authority(&orgs, &org)?.id.clone();
    let now = app.now_micros();
    let d = DemandRequest {
        id: uuid::Uuid::now_v7().to_string(),
        requester_org_id: org,
        requested_by: ctx.principal.username.clone(),
        title,
        description,
        scenario,
        state: DemandState::Submitted,
        source_org_id: None,
        assignee_org_id: Some(authority),
        due_date: Some(due_in(app, DEMAND_REVIEW_WORKING_DAYS)),
        reminded_at: None,
        overdue_at: None,
        entry_code: None,
        history: vec![step_by(ctx, now, DemandStepAction::Submit, "")],
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.begin_write().await?;
    demands::insert_demand(&mut tx, &d).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "submit_demand",
            target_kind: "demand_request",
            target_id: &d.id,
            payload: json!({ "title": d.title, "due_date": d.due_date }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view(d))
}

async fn load(app: &App, id: &str) -> Result<DemandRequest> {
    let mut conn = app.db.acquire().await?;
    demands::get_demand(&mut conn, id)
        .await?
        .ok_or_else(not_found)
}

/// The authority's review: name a source, ask upward (H23), or reject.
pub async fn review_demand(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: DemandReviewInput,
) -> Result<DemandView> {
    let d = load(app, id).await?;
    let authority = d.assignee_org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::ReviewDemands,
        Target::Organisation { id: &authority },
        "demand_request",
        id,
    )
    .await?;
    let note = input.note.trim().to_owned();
    let (action, audit) = match input.decision.as_str() {
        "assign" => (DemandAction::Assign, "assign_demand"),
        "upward" => (DemandAction::ForwardUpward, "forward_demand_upward"),
        "reject" => (DemandAction::Reject, "reject_demand"),
        _ => {
            return Err(Violation::new(
                "decision",
                "invalid_decision",
                "审核结论应为 assign（指定数源部门）、upward（向上级申请）或 reject（不予受理）",
                "decision must be assign, upward or reject",
            )
            .into());
        }
    };
    let next = transition(&d, action)?;
    let mut after = step(app, ctx, &d, action, &note);
    after.state = next;
    match action {
        DemandAction::Assign => {
            let source = input.source_org_id.as_deref().unwrap_or("").trim();
            let mut conn = app.db.acquire().await?;
            let org = orgs::get_org(&mut conn, source).await?;
            if source.is_empty() || org.as_ref().is_none_or(|o| o.kind == "authority") {
                return Err(Violation::new(
                    "source_org_id",
                    "invalid_source",
                    "请指定一个公共管理和服务机构作为数源部门",
                    "name an agency as the source department",
                )
                .into());
            }
            after.source_org_id = Some(source.to_owned());
            after.assignee_org_id = Some(source.to_owned());
            after.due_date = Some(due_in(app, DEMAND_ANSWER_WORKING_DAYS));
        }
        DemandAction::ForwardUpward => {
            // Tracked by the authority itself until the upper level answers.
            after.due_date = None;
        }
        _ => {
            if note.is_empty() {
                return Err(Violation::required("note", "不予受理的理由").into());
            }
            after.assignee_org_id = None;
            after.due_date = None;
        }
    }
    let payload =
        json!({ "state": after.state.code(), "source_org_id": after.source_org_id, "note": note });
    commit(app, ctx, &d, &after, audit, payload).await
}

/// The source department's answer (H22).
pub async fn answer_demand(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: DemandAnswerInput,
) -> Result<DemandView> {
    let d = load(app, id).await?;
    let source = d.source_org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::DecideShare,
        Target::Organisation { id: &source },
        "demand_request",
        id,
    )
    .await?;
    let action = match input.answer.as_str() {
        "share" => DemandAction::ShareDirectly,
        "needs_processing" => DemandAction::NeedsProcessing,
        "held_upstream" => DemandAction::HeldUpstream,
        "refuse" => DemandAction::Refuse,
        _ => {
            return Err(Violation::new(
                "answer",
                "invalid_answer",
                "答复应为 share、needs_processing、held_upstream 或 refuse",
                "answer must be share, needs_processing, held_upstream or refuse",
            )
            .into());
        }
    };
    let next = transition(&d, action)?;
    let note = input.note.trim().to_owned();
    let mut after = step(app, ctx, &d, action, &note);
    after.state = next;
    match action {
        DemandAction::ShareDirectly => {
            after.due_date = Some(due_in(app, DEMAND_DELIVERY_WORKING_DAYS));
        }
        DemandAction::NeedsProcessing => {
            let date = input
                .date
                .as_deref()
                .and_then(|t| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
                .filter(|d| *d >= crate::calendar::today(app))
                .ok_or_else(|| {
                    Violation::new(
                        "date",
                        "date_required",
                        "需加工处理的，应告知不早于今天的具体共享日期（YYYY-MM-DD）",
                        "give the date (YYYY-MM-DD, not in the past) the processed data can be shared",
                    )
                })?;
            after.due_date = Some(date);
        }
        DemandAction::HeldUpstream => {
            // The upward request is recorded now; the requester's authority tracks it.
            let mut conn = app.db.acquire().await?;
            let orgs = org_map(&mut conn).await?;
            after.assignee_org_id =
                Some(reviewing_authority(&orgs, &d.requester_org_id)?.id.clone());
            after.due_date = None;
        }
        _ => {
            check_refusal(&input.legal_basis, &input.reason)?;
            let mut v = Violations::default();
            v.text("reason", "拒绝理由", &input.reason, 2000);
            v.text("legal_basis", "法律法规依据", &input.legal_basis, 500);
            v.into_result()?;
            after.assignee_org_id = None;
            after.due_date = None;
        }
    }
    let payload = json!({
        "answer": input.answer, "due_date": after.due_date, "reason": input.reason.trim(),
        "legal_basis": input.legal_basis.trim(), "note": note,
    });
    commit(app, ctx, &d, &after, "answer_demand", payload).await
}

/// Records the delivery: the source names the published entry the data is now shared as; for
/// an upward request the authority records the upper level's answer.
pub async fn deliver_demand(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: DemandDeliverInput,
) -> Result<DemandView> {
    let d = load(app, id).await?;
    let upward = d.state == DemandState::Upward;
    // The authority tracking an upward request records its return; otherwise the source.
    let actor_org = if upward {
        d.assignee_org_id.clone()
    } else {
        d.source_org_id.clone()
    }
    .unwrap_or_default();
    let action = if upward {
        Action::ReviewDemands
    } else {
        Action::DecideShare
    };
    authorize(
        app,
        ctx,
        action,
        Target::Organisation { id: &actor_org },
        "demand_request",
        id,
    )
    .await?;
    let next = transition(&d, DemandAction::Deliver)?;
    let code = input
        .entry_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if !upward {
        let mut conn = app.db.acquire().await?;
        let entry = match code {
            Some(c) => catalog::get_entry_by_code(&mut conn, c).await?,
            None => None,
        };
        let ok = entry.is_some_and(|e| {
            e.published_revision.is_some() && Some(e.org_id.as_str()) == d.source_org_id.as_deref()
        });
        if !ok {
            return Err(Violation::new(
                "entry_code",
                "entry_not_published",
                "请填写本单位已发布的目录条目编码（数据须先编目并通过审核）",
                "name a published catalog entry of the source department",
            )
            .into());
        }
    }
    let mut after = step(app, ctx, &d, DemandAction::Deliver, input.note.trim());
    after.state = next;
    after.entry_code = code.map(str::to_owned);
    after.assignee_org_id = None;
    after.due_date = None;
    let payload = json!({ "entry_code": after.entry_code });
    commit(app, ctx, &d, &after, "deliver_demand", payload).await
}

/// Demands the caller may see: its organisation's own, those assigned to it, and those of
/// organisations under its oversight (authorities, the regulator).
pub async fn list_demands(app: &App, ctx: Ctx<'_>) -> Result<Vec<DemandView>> {
    let oversight = super::Oversight::of(ctx);
    let own = ctx.principal.org_id.as_deref();
    let mut conn = app.db.acquire().await?;
    let orgs = crate::catalog::scope::org_map(&mut conn).await?;
    let sees =
        |org: Option<&str>| org.is_some_and(|org| own == Some(org) || oversight.covers(&orgs, org));
    Ok(demands::list_demands(&mut conn)
        .await?
        .into_iter()
        .filter(|d| {
            sees(Some(&d.requester_org_id))
                || sees(d.source_org_id.as_deref())
                || sees(d.assignee_org_id.as_deref())
        })
        .map(view)
        .collect())
}

pub async fn get_demand(app: &App, ctx: Ctx<'_>, id: &str) -> Result<DemandView> {
    list_demands(app, ctx)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(not_found)
}

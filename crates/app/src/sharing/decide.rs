//! The source department's decision on a conditional request (H20, H21): approve — possibly
//! narrower (fewer items, a row filter, an earlier end date), at once or after a prepared
//! delivery due 5 working days later — or refuse citing a legal basis. Decisions are final; of
//! two people deciding at once, exactly one decision is recorded.

use chrono::NaiveDate;
use gongshu_domain::filter::Filter;
use gongshu_domain::grant::RowFilter;
use gongshu_domain::sharing::{
    DELIVERY_WORKING_DAYS, RequestAction, RequestState, check_approval, check_refusal,
};
use gongshu_domain::sharing::{Decision, ShareRequest};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::catalog;
use gongshu_store::sharing::{self, StepRow};
use serde::Deserialize;
use serde_json::{Value, json};

use super::grants::create_grant;
use super::{RequestView, end_of_day_micros, request_not_found, request_view};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    /// The items approved: the requested ones or fewer. Omitted: all requested items.
    #[serde(default)]
    pub items: Option<Vec<String>>,
    /// Last day of use (YYYY-MM-DD), no later than requested. Omitted: as requested.
    #[serde(default)]
    pub until: Option<String>,
    /// Rows the requester may see: `[[item, "op.value"], …]` with the data API's operators.
    #[serde(default)]
    pub row_filter: Vec<(String, String)>,
    /// Delivery needs preparation: the grant starts when the source delivers (due 5 WD).
    #[serde(default)]
    pub prepare: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseInput {
    pub reason: String,
    /// The law and article the refusal rests on (H21).
    #[serde(default)]
    pub legal_basis: String,
}

/// The request, if the caller may decide it (an admin of its source); anyone else is denied
/// and the denial recorded.
async fn load_for_source(app: &App, ctx: Ctx<'_>, id: &str) -> Result<ShareRequest> {
    let mut conn = app.db.acquire().await?;
    let r = sharing::get_request(&mut conn, id)
        .await?
        .ok_or_else(request_not_found)?;
    drop(conn);
    authorize(
        app,
        ctx,
        Action::DecideShare,
        Target::Organisation {
            id: &r.source_org_id,
        },
        "share_request",
        id,
    )
    .await?;
    Ok(r)
}

fn transition(r: &ShareRequest, action: RequestAction) -> Result<RequestState> {
    r.state
        .next(action)
        .map_err(|e| AppError::conflict("illegal_transition", e.zh(), e.to_string()))
}

fn already_decided() -> AppError {
    AppError::conflict(
        "already_decided",
        "该申请已由他人答复，请刷新后查看",
        "someone else has already decided this request",
    )
}

/// Writes the decision (guarded by the state it was read in), closes the open step and adds
/// the next ones.
async fn commit_decision(
    app: &App,
    ctx: Ctx<'_>,
    before: &ShareRequest,
    after: &ShareRequest,
    next_steps: Vec<StepRow>,
    audit: (&str, Value),
) -> Result<RequestView> {
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    if !sharing::update_request_state(&mut tx, after, before.state).await? {
        return Err(already_decided());
    }
    sharing::close_open_step(&mut tx, &before.id, now, &ctx.principal.username).await?;
    let seq = sharing::list_steps(&mut tx, &before.id).await?.len() as i64;
    for (i, mut step) in next_steps.into_iter().enumerate() {
        step.seq = seq + 1 + i as i64;
        sharing::insert_step(&mut tx, &step).await?;
    }
    if after.state == RequestState::Granted {
        let Some(Decision::Approved {
            items,
            until,
            row_filter,
            ..
        }) = &after.decision
        else {
            return Err(AppError::Internal(format!(
                "request {} granted without an approval",
                after.id
            )));
        };
        create_grant(
            &mut tx,
            after,
            items,
            row_filter,
            now,
            end_of_day_micros(*until),
        )
        .await?;
    }
    let (action, payload) = audit;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action,
            target_kind: "share_request",
            target_id: &before.id,
            payload,
        },
    )
    .await?;
    tx.commit().await?;
    let mut conn = app.db.acquire().await?;
    let r = sharing::get_request(&mut conn, &before.id)
        .await?
        .ok_or_else(request_not_found)?;
    request_view(app, &mut conn, r).await
}

fn step(app: &App, request_id: &str, kind: &str, note: String) -> StepRow {
    StepRow {
        request_id: request_id.to_owned(),
        seq: 0,
        kind: kind.to_owned(),
        assignee_org_id: None,
        due_date: None,
        due_provisional: 0,
        done_at: Some(app.now_micros()),
        done_by: None,
        note,
        reminded_at: None,
        overdue_at: None,
        created_at: app.now_micros(),
    }
}

pub async fn approve(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: ApproveInput,
) -> Result<RequestView> {
    let r = load_for_source(app, ctx, id).await?;
    let next = transition(
        &r,
        RequestAction::Approve {
            prepare: input.prepare,
        },
    )?;
    let requested = r.items.clone();
    let items = input.items.clone().unwrap_or_else(|| requested.clone());
    let requested_until = r.until;
    let mut v = Violations::default();
    let until = match input.until.as_deref().map(str::trim) {
        None | Some("") => requested_until,
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| {
            v.push(Violation::new(
                "until",
                "invalid_date",
                "使用截止日期格式应为 YYYY-MM-DD",
                "the end date must be YYYY-MM-DD",
            ));
            requested_until
        }),
    };
    let note = input.note.trim().to_owned();
    if note.chars().count() > 2000 {
        v.push(Violation::too_long("note", "说明", 2000));
    }
    if let Err(e) = check_approval(
        &requested,
        &items,
        requested_until,
        until,
        crate::calendar::today(app),
    ) {
        v.0.extend(e.0);
    }
    for (i, (item, expr)) in input.row_filter.iter().enumerate() {
        // A row filter may name any requested item, shown to the requester or not.
        if !requested.contains(item) {
            v.push(Violation::new(
                format!("row_filter[{i}]"),
                "unknown_item",
                format!("行过滤条件中的数据项“{item}”不在申请范围内"),
                format!("the row filter names {item}, which was not requested"),
            ));
        } else if let Err(e) = Filter::parse(item, expr) {
            v.push(Violation::new(
                format!("row_filter[{i}]"),
                "invalid_filter",
                format!("行过滤条件无效：{}", e.zh()),
                format!("invalid row filter: {e}"),
            ));
        }
    }
    // Checked condition by condition above, so this reads the same conditions.
    let row_filter = RowFilter::try_from(input.row_filter.clone()).unwrap_or_else(|e| {
        v.push(Violation::new(
            format!("row_filter[{}]", e.index),
            "invalid_filter",
            "行过滤条件无效：应为[数据项, \"运算符.值\"]",
            "invalid row filter: expected [item, \"op.value\"]",
        ));
        RowFilter::none()
    });
    v.into_result()?;
    let mut conn = app.db.acquire().await?;
    let sensitive = sensitive_items(&mut conn, &r, &items).await?;
    crate::confidentiality::require_for_sharing(&mut conn, id, &sensitive).await?;
    drop(conn);
    let now = app.now_micros();
    let mut after = r.clone();
    after.state = next;
    after.decision = Some(Decision::Approved {
        items: items.clone(),
        until,
        row_filter,
        prepare: input.prepare,
        note: note.clone(),
    });
    after.decided_by = Some(ctx.principal.username.clone());
    after.decided_at = Some(now);
    after.updated_at = now;
    let mut steps = Vec::new();
    if input.prepare {
        let due = crate::calendar::add_working_days(
            app,
            crate::calendar::today(app),
            DELIVERY_WORKING_DAYS,
        );
        let mut deliver = step(app, id, "deliver", String::new());
        deliver.done_at = None;
        deliver.assignee_org_id = Some(r.source_org_id.clone());
        deliver.due_date = Some(due.date.to_string());
        deliver.due_provisional = i64::from(due.provisional);
        steps.push(deliver);
    } else {
        steps.push(step(app, id, "grant", note.clone()));
    }
    let payload = json!({
        "items": items, "requested_items": requested, "until": until.to_string(),
        "row_filter": input.row_filter, "prepare": input.prepare,
    });
    commit_decision(app, ctx, &r, &after, steps, ("approve_share", payload)).await
}

/// The names of the approved items that hold sensitive personal information (敏感个人信息),
/// as the entry's published revision describes them.
async fn sensitive_items(
    conn: &mut gongshu_store::Conn,
    r: &ShareRequest,
    approved: &[String],
) -> Result<Vec<String>> {
    let entry = catalog::get_entry_by_id(conn, &r.entry_id)
        .await?
        .ok_or_else(|| AppError::Internal("request of a missing entry".into()))?;
    let Some(revision) = entry.published_revision else {
        return Ok(Vec::new());
    };
    Ok(catalog::list_items(conn, &entry.id, revision)
        .await?
        .into_iter()
        .filter(|i| i.sensitive_kind.is_some() && approved.contains(&i.code))
        .map(|i| i.name)
        .collect())
}

/// The source delivers a prepared approval: the grant starts now.
pub async fn deliver(app: &App, ctx: Ctx<'_>, id: &str) -> Result<RequestView> {
    let r = load_for_source(app, ctx, id).await?;
    let next = transition(&r, RequestAction::Deliver)?;
    let mut after = r.clone();
    after.state = next;
    after.updated_at = app.now_micros();
    let steps = vec![step(app, id, "grant", "已交付".into())];
    commit_decision(app, ctx, &r, &after, steps, ("deliver_share", json!({}))).await
}

pub async fn refuse(app: &App, ctx: Ctx<'_>, id: &str, input: RefuseInput) -> Result<RequestView> {
    let r = load_for_source(app, ctx, id).await?;
    let next = transition(&r, RequestAction::Refuse)?;
    check_refusal(&input.legal_basis, &input.reason)?;
    let mut v = Violations::default();
    let reason = v.text("reason", "拒绝理由", &input.reason, 2000);
    let legal_basis = v.text("legal_basis", "法律法规依据", &input.legal_basis, 500);
    v.into_result()?;
    let now = app.now_micros();
    let mut after = r.clone();
    after.state = next;
    after.decision = Some(Decision::Refused {
        reason: reason.clone(),
        legal_basis: legal_basis.clone(),
    });
    after.decided_by = Some(ctx.principal.username.clone());
    after.decided_at = Some(now);
    after.updated_at = now;
    let steps = vec![step(
        app,
        id,
        "refuse",
        format!("{reason}（依据：{legal_basis}）"),
    )];
    let payload = json!({ "reason": reason, "legal_basis": legal_basis });
    commit_decision(app, ctx, &r, &after, steps, ("refuse_share", payload)).await
}

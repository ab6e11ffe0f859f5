//! The review workflow (H8, H9): submit with a due date 5 working days later, approve, or
//! return with reasons. A county's entries are approved twice (第八条): the county authority's
//! approval reports them to the city authority with a new due date, and only the city's
//! approval publishes them (superseding the previous revision and closing update duties); the
//! city's own agencies' entries are published by the city's one approval. Either reviewer may
//! return the entry to its agency. Decisions are final: of two reviewers deciding at once,
//! exactly one decision counts.

use gongshu_domain::catalog::{CountyApproval, ReviewAction, ReviewState, Revision};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::{Conn, duties};
use serde::Deserialize;
use serde_json::json;

use super::scope::{org_map, reviewers, reviewing_authority};
use super::views::{Access, EntryView, access};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

/// Working days the authority has to review a submission (H9).
pub const REVIEW_WORKING_DAYS: u32 = 5;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// Why the entry goes back to its agency; shown to the agency.
    pub reasons: String,
}

/// The entry and its latest revision. A caller who may not see the entry at all gets "not
/// found", so workflow answers do not reveal drafts; the attempt is still recorded as a denial.
async fn load_latest(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    action: Action,
) -> Result<(EntryRow, Revision)> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let orgs = org_map(&mut conn).await?;
    if matches!(
        access(Some(ctx), &entry, published.as_ref(), &orgs),
        Access::None
    ) {
        drop(conn);
        let target = match action {
            Action::ManageEntries => entry.org_id.clone(),
            _ => reviewing_authority(&orgs, &entry.org_id)?.id.clone(),
        };
        let decided = authorize(
            app,
            ctx,
            action,
            Target::Organisation { id: &target },
            "catalog_entry",
            code,
        )
        .await;
        return Err(match decided {
            Err(AppError::Forbidden(_)) | Ok(()) => not_found(),
            Err(other) => other,
        });
    }
    let latest = catalog::get_revision(&mut conn, &entry.id, entry.latest_revision)
        .await?
        .ok_or_else(|| AppError::Internal("latest revision missing".into()))?;
    Ok((entry, latest))
}

fn transition(row: &Revision, action: ReviewAction) -> Result<ReviewState> {
    row.state
        .next(action)
        .map_err(|e| AppError::conflict("illegal_transition", e.zh(), e.to_string()))
}

fn already_decided() -> AppError {
    AppError::conflict(
        "already_decided",
        "该条目已由他人处理，请刷新后查看",
        "someone else has already acted on this entry",
    )
}

pub async fn submit(app: &App, ctx: Ctx<'_>, code: &str) -> Result<EntryView> {
    let (entry, latest) = load_latest(app, ctx, code, Action::ManageEntries).await?;
    transition(&latest, ReviewAction::Submit)?;
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "catalog_entry",
        code,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let revision = submit_revision(app, &mut tx, ctx, &entry, &latest).await?;
    tx.commit().await?;
    super::views::entry_view(app, Some(ctx), code, Some(revision)).await
}

/// Submits `latest` for review by the entry's reviewing authority, due 5 working days later,
/// inside the caller's transaction; returns the revision submitted. The caller has authorised.
pub(crate) async fn submit_revision(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    entry: &EntryRow,
    latest: &Revision,
) -> Result<i64> {
    let next = transition(latest, ReviewAction::Submit)?;
    let orgs = org_map(conn).await?;
    let reviewer = reviewers(&orgs, &entry.org_id)?.first;
    let due =
        crate::calendar::add_working_days(app, crate::calendar::today(app), REVIEW_WORKING_DAYS);
    let now = app.now_micros();
    let mut row = latest.clone();
    row.state = next;
    row.updated_at = now;
    row.submitted_at = Some(now);
    row.due_date = Some(due.date.to_string());
    row.due_provisional = due.provisional;
    row.reviewer_org_id = Some(reviewer.id.clone());
    row.county_approval = None;
    row.reviewed_at = None;
    row.reviewed_by = None;
    if !catalog::update_revision_state(conn, &row, latest.state).await? {
        return Err(already_decided());
    }
    record(
        app,
        conn,
        ctx,
        Change {
            action: "submit_entry",
            target_kind: "catalog_entry",
            target_id: &entry.code,
            payload: json!({ "revision": row.revision, "reviewer_org_id": reviewer.id, "due_date": row.due_date, "due_provisional": due.provisional }),
        },
    )
    .await?;
    Ok(row.revision)
}

/// Approves the revision the caller's authority holds: a county authority's approval of a
/// county revision reports it to the city authority (第八条), due 5 working days later; the
/// last approval of its route publishes it.
pub async fn approve(app: &App, ctx: Ctx<'_>, code: &str) -> Result<EntryView> {
    let approval = prepare_approval(app, ctx, code).await?;
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    approve_revision(app, &mut tx, ctx, &approval, now).await?;
    tx.commit().await?;
    approved(app, ctx, &approval, now).await
}

/// One approval, checked and authorised, ready to be written.
struct Approval {
    entry: EntryRow,
    latest: Revision,
    next: ReviewState,
    /// The authority a county approval reports the revision to.
    report_to: Option<String>,
}

/// Checks that the caller's authority may approve the entry's latest revision now, and what
/// the approval leads to. Nothing is written but a denial.
async fn prepare_approval(app: &App, ctx: Ctx<'_>, code: &str) -> Result<Approval> {
    let (entry, latest) = load_latest(app, ctx, code, Action::ReviewEntries).await?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    drop(conn);
    let route = reviewers(&orgs, &entry.org_id)?;
    let next = transition(&latest, ReviewAction::Approve(route.route()))?;
    let reviewer = latest.reviewer_org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::ReviewEntries,
        Target::Organisation { id: &reviewer },
        "catalog_entry",
        code,
    )
    .await?;
    let report_to = match next {
        ReviewState::CountyApproved => route.second.map(|city| city.id.clone()),
        _ => None,
    };
    Ok(Approval {
        entry,
        latest,
        next,
        report_to,
    })
}

/// Writes a prepared approval inside the caller's transaction, with its audit event.
async fn approve_revision(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    a: &Approval,
    now: i64,
) -> Result<()> {
    let mut row = a.latest.clone();
    row.state = a.next;
    row.updated_at = now;
    if a.next == ReviewState::CountyApproved {
        return report_to_city(app, conn, ctx, a, row, now).await;
    }
    crate::confidentiality::require_for_opening(conn, &a.latest).await?;
    row.reviewed_at = Some(now);
    row.reviewed_by = Some(ctx.principal.username.clone());
    row.review_reasons = String::new();
    row.published_at = Some(now);
    if !catalog::update_revision_state(conn, &row, a.latest.state).await? {
        return Err(already_decided());
    }
    let entry = &a.entry;
    if let Some(previous) = entry.published_revision
        && let Some(mut old) = catalog::get_revision(conn, &entry.id, previous).await?
    {
        let from = old.state;
        old.state = from
            .next(ReviewAction::Supersede)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        old.updated_at = now;
        catalog::update_revision_state(conn, &old, from).await?;
    }
    catalog::update_entry_pointers(
        conn,
        &entry.id,
        Some(row.revision),
        entry.latest_revision,
        now,
    )
    .await?;
    let closed = duties::close_duties(
        conn,
        &entry.id,
        row.revision,
        row.submitted_at.unwrap_or(now),
        now,
    )
    .await?;
    record(
        app,
        conn,
        ctx,
        Change {
            action: "approve_entry",
            target_kind: "catalog_entry",
            target_id: &entry.code,
            payload: json!({ "revision": row.revision, "superseded": entry.published_revision, "duties_closed": closed }),
        },
    )
    .await
}

/// The county authority's approval (第八条): the revision goes to the city authority, due 5
/// working days later; it is not published until the city approves it.
async fn report_to_city(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    a: &Approval,
    mut row: Revision,
    now: i64,
) -> Result<()> {
    let city = a
        .report_to
        .clone()
        .ok_or_else(|| AppError::Internal("a county approval without a city".into()))?;
    let county = a.latest.reviewer_org_id.clone().unwrap_or_default();
    let due =
        crate::calendar::add_working_days(app, crate::calendar::today(app), REVIEW_WORKING_DAYS);
    row.county_approval = Some(CountyApproval {
        org_id: county.clone(),
        by: ctx.principal.username.clone(),
        at: now,
    });
    row.reviewer_org_id = Some(city.clone());
    row.due_date = Some(due.date.to_string());
    row.due_provisional = due.provisional;
    row.reviewed_at = None;
    row.reviewed_by = None;
    row.review_reasons = String::new();
    if !catalog::update_revision_state(conn, &row, a.latest.state).await? {
        return Err(already_decided());
    }
    record(
        app,
        conn,
        ctx,
        Change {
            action: "forward_entry",
            target_kind: "catalog_entry",
            target_id: &a.entry.code,
            payload: json!({ "revision": row.revision, "county_org_id": county, "reviewer_org_id": city, "due_date": row.due_date, "due_provisional": due.provisional }),
        },
    )
    .await
}

/// After an approval committed: the entry as the approver now sees it, and a published one
/// indexed for search.
async fn approved(app: &App, ctx: Ctx<'_>, a: &Approval, now: i64) -> Result<EntryView> {
    let view =
        super::views::entry_view(app, Some(ctx), &a.entry.code, Some(a.latest.revision)).await?;
    if a.next == ReviewState::Published {
        super::published(app, &a.entry.id, &view, now).await;
    }
    Ok(view)
}

/// At most this many entries are approved in one batch.
pub const MAX_BATCH: usize = 100;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// Codes of the entries to approve, at most 100: all are approved in one transaction, or
    /// none when any of them cannot be.
    pub codes: Vec<String>,
}

/// Approves several entries the caller's authority holds at once: a county authority reports
/// a batch of its county's catalog to the city (第八条), the city approves a county's batch.
/// All or nothing: when any entry cannot be approved, the answer names it and none is.
pub async fn approve_batch(app: &App, ctx: Ctx<'_>, input: BatchInput) -> Result<Vec<EntryView>> {
    let codes = batch_codes(&input.codes)?;
    let mut approvals = Vec::with_capacity(codes.len());
    for code in &codes {
        approvals.push(
            prepare_approval(app, ctx, code)
                .await
                .map_err(|e| in_batch(code, e))?,
        );
    }
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    for a in &approvals {
        approve_revision(app, &mut tx, ctx, a, now)
            .await
            .map_err(|e| in_batch(&a.entry.code, e))?;
    }
    tx.commit().await?;
    let mut views = Vec::with_capacity(approvals.len());
    for a in &approvals {
        views.push(approved(app, ctx, a, now).await?);
    }
    Ok(views)
}

fn batch_codes(raw: &[String]) -> Result<Vec<String>> {
    let codes: Vec<String> = raw.iter().map(|c| c.trim().to_owned()).collect();
    let mut v = Violations::default();
    if codes.is_empty() {
        v.push(Violation::new(
            "codes",
            "required",
            "请至少选择一个条目",
            "choose at least one entry",
        ));
    } else if codes.len() > MAX_BATCH {
        v.push(Violation::new(
            "codes",
            "too_many",
            format!("一次最多审核{MAX_BATCH}个条目"),
            format!("at most {MAX_BATCH} entries in one batch"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, code) in codes.iter().enumerate() {
        if code.is_empty() {
            v.push(Violation::required(&format!("codes[{i}]"), "资源代码"));
        } else if !seen.insert(code.as_str()) {
            v.push(Violation::new(
                format!("codes[{i}]"),
                "duplicate",
                format!("资源代码“{code}”重复"),
                format!("entry {code} appears more than once"),
            ));
        }
    }
    v.into_result()?;
    Ok(codes)
}

/// A conflict of one entry of a batch, naming it; the batch as a whole was not done.
fn in_batch(code: &str, e: AppError) -> AppError {
    match e {
        AppError::Conflict { code: kind, zh, en } => AppError::Conflict {
            code: kind,
            zh: format!("资源“{code}”：{zh}。本批条目均未处理"),
            en: format!("entry {code}: {en}; nothing in the batch was done"),
        },
        other => other,
    }
}

/// Returns the revision under review to its agency with reasons, from either level; the agency
/// and (for a county entry) the county authority see them.
pub async fn return_entry(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: ReturnInput,
) -> Result<EntryView> {
    let mut v = Violations::default();
    let reasons = v.text("reasons", "退回理由", &input.reasons, 2000);
    v.into_result()?;
    let (_, latest) = load_latest(app, ctx, code, Action::ReviewEntries).await?;
    let reviewer = latest.reviewer_org_id.clone().unwrap_or_default();
    let next = transition(&latest, ReviewAction::Return)?;
    authorize(
        app,
        ctx,
        Action::ReviewEntries,
        Target::Organisation { id: &reviewer },
        "catalog_entry",
        code,
    )
    .await?;
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    let mut row = latest.clone();
    row.state = next;
    row.updated_at = now;
    row.reviewed_at = Some(now);
    row.reviewed_by = Some(ctx.principal.username.clone());
    row.review_reasons = reasons.clone();
    if !catalog::update_revision_state(&mut tx, &row, latest.state).await? {
        return Err(already_decided());
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "return_entry",
            target_kind: "catalog_entry",
            target_id: code,
            payload: json!({ "revision": row.revision, "reasons": reasons }),
        },
    )
    .await?;
    tx.commit().await?;
    super::views::entry_view(app, Some(ctx), code, Some(row.revision)).await
}

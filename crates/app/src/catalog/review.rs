//! The review workflow (H8, H9): submit with a due date 5 working days later, approve and
//! publish (superseding the previous revision and closing update duties), or return with
//! reasons. Decisions are final: of two reviewers deciding at once, exactly one decision counts.

use gongshu_domain::catalog::Revision;
use gongshu_domain::catalog::{ReviewAction, ReviewState};
use gongshu_domain::{Action, Target, Violations};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::{Conn, duties};
use serde::Deserialize;
use serde_json::json;

use super::scope::{org_map, reviewing_authority};
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
    let reviewer = reviewing_authority(&orgs, &entry.org_id)?;
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

/// Approves and publishes the submitted revision.
pub async fn approve(app: &App, ctx: Ctx<'_>, code: &str) -> Result<EntryView> {
    let (entry, latest) = load_latest(app, ctx, code, Action::ReviewEntries).await?;
    let reviewer = latest.reviewer_org_id.clone().unwrap_or_default();
    let next = transition(&latest, ReviewAction::Approve)?;
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
    crate::confidentiality::require_for_opening(&mut tx, &latest).await?;
    let mut row = latest.clone();
    row.state = next;
    row.updated_at = now;
    row.reviewed_at = Some(now);
    row.reviewed_by = Some(ctx.principal.username.clone());
    row.review_reasons = String::new();
    row.published_at = Some(now);
    if !catalog::update_revision_state(&mut tx, &row, latest.state).await? {
        return Err(already_decided());
    }
    if let Some(previous) = entry.published_revision
        && let Some(mut old) = catalog::get_revision(&mut tx, &entry.id, previous).await?
    {
        let from = old.state;
        old.state = from
            .next(ReviewAction::Supersede)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        old.updated_at = now;
        catalog::update_revision_state(&mut tx, &old, from).await?;
    }
    catalog::update_entry_pointers(
        &mut tx,
        &entry.id,
        Some(row.revision),
        entry.latest_revision,
        now,
    )
    .await?;
    let closed = duties::close_duties(
        &mut tx,
        &entry.id,
        row.revision,
        row.submitted_at.unwrap_or(now),
        now,
    )
    .await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "approve_entry",
            target_kind: "catalog_entry",
            target_id: code,
            payload: json!({ "revision": row.revision, "superseded": entry.published_revision, "duties_closed": closed }),
        },
    )
    .await?;
    tx.commit().await?;
    let view = super::views::entry_view(app, Some(ctx), code, Some(row.revision)).await?;
    super::published(app, &view, now);
    Ok(view)
}

/// Returns the submitted revision to its agency with reasons.
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

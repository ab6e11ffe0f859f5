//! Update duties (H9): when an agency records that an entry's legal basis or its function
//! changed, a revision is due within 15 working days; publishing a revision closes the duty.
//! The authority's desk lists what awaits its review (a county's approved entries on the
//! city's, 第八条) and the duties in its scope, overdue ones flagged.

use std::collections::HashMap;

use gongshu_domain::catalog::Revision;
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::catalog;
use gongshu_store::duties::{self, DutyRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::scope::{org_map, reviewers, reviewing_authority, within};
use super::views::CountyApprovalView;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result, format_time};

/// Working days an agency has to update its catalog after a change (H9).
pub const UPDATE_WORKING_DAYS: u32 = 15;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeInput {
    /// `legal_basis_changed` or `function_changed`.
    pub reason_kind: String,
    /// What changed, e.g. the new law or the reorganisation decision.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DutyView {
    pub id: String,
    pub entry_code: String,
    pub entry_name: String,
    pub org_id: String,
    pub org_name: String,
    pub reason_kind: String,
    pub reason: String,
    pub opened_at: String,
    pub opened_by: String,
    pub due_date: String,
    pub due_provisional: bool,
    pub overdue: bool,
    pub closed_at: Option<String>,
    pub closed_revision: Option<i64>,
}

/// Opens a 15-WD update duty on a published entry.
pub async fn record_change(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: ChangeInput,
) -> Result<DutyView> {
    let mut v = Violations::default();
    if !["legal_basis_changed", "function_changed"].contains(&input.reason_kind.as_str()) {
        v.push(Violation::new("reason_kind", "unknown_value", "变化类型须为“法律法规依据变化”（legal_basis_changed）或“法定职能变化”（function_changed）", "reason_kind must be legal_basis_changed or function_changed"));
    }
    let reason = v.text("reason", "变化说明", &input.reason, 2000);
    v.into_result()?;
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
    drop(conn);
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "catalog_entry",
        code,
    )
    .await?;
    if entry.published_revision.is_none() {
        return Err(AppError::conflict(
            "not_published",
            "条目尚未发布，无需登记更新义务",
            "the entry is not published yet",
        ));
    }
    let due =
        crate::calendar::add_working_days(app, crate::calendar::today(app), UPDATE_WORKING_DAYS);
    let now = app.now_micros();
    let row = DutyRow {
        id: uuid::Uuid::now_v7().to_string(),
        entry_id: entry.id.clone(),
        reason_kind: input.reason_kind.clone(),
        reason,
        opened_at: now,
        opened_by: ctx.principal.username.clone(),
        due_date: due.date.to_string(),
        due_provisional: i64::from(due.provisional),
        closed_at: None,
        closed_revision: None,
    };
    let mut tx = app.db.begin_write().await?;
    duties::insert_duty(&mut tx, &row).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change { action: "open_update_duty", target_kind: "catalog_entry", target_id: code, payload: json!({ "duty_id": row.id, "reason_kind": row.reason_kind, "due_date": row.due_date }) },
    )
    .await?;
    tx.commit().await?;
    let views = duty_views(app, vec![row]).await?;
    views
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("duty vanished".into()))
}

async fn duty_views(app: &App, rows: Vec<DutyRow>) -> Result<Vec<DutyView>> {
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let entries: HashMap<String, catalog::EntryRow> = catalog::list_entries(&mut conn)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let today = super::views::today_string(app);
    let mut out = Vec::new();
    for d in rows {
        let Some(entry) = entries.get(&d.entry_id) else {
            continue;
        };
        let name = catalog::get_published_revision(&mut conn, entry)
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
        out.push(DutyView {
            overdue: d.closed_at.is_none() && d.due_date < today,
            id: d.id,
            entry_code: entry.code.clone(),
            entry_name: name,
            org_id: entry.org_id.clone(),
            org_name: orgs
                .get(&entry.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            reason_kind: d.reason_kind,
            reason: d.reason,
            opened_at: format_time(d.opened_at),
            opened_by: d.opened_by,
            due_date: d.due_date,
            due_provisional: d.due_provisional != 0,
            closed_at: d.closed_at.map(format_time),
            closed_revision: d.closed_revision,
        });
    }
    Ok(out)
}

/// Duties of one entry (whoever may see the entry).
pub async fn entry_duties(app: &App, ctx: Ctx<'_>, code: &str) -> Result<Vec<DutyView>> {
    super::views::entry_view(app, Some(ctx), code, None).await?;
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
    let rows = duties::list_duties(&mut conn, &entry.id).await?;
    drop(conn);
    duty_views(app, rows).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub code: String,
    pub name: String,
    pub org_name: String,
    pub revision: i64,
    /// `submitted`, or `county_approved`: approved by a county authority and reported to the
    /// city authority (第八条).
    pub state: String,
    pub state_zh: String,
    pub submitted_at: Option<String>,
    /// The county authority's approval, for an entry at the city's review.
    pub county_approval: Option<CountyApprovalView>,
    pub due_date: Option<String>,
    pub due_provisional: bool,
    pub overdue: bool,
}

/// The authority's desk: what awaits its decision, and open update duties in its scope (a
/// county's for a county authority, the whole city for the city authority). The city's desk
/// holds its own agencies' submissions and the county entries the county authorities approved
/// (第八条); a county's desk also follows what it reported to the city until the city decides.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewDesk {
    /// Entries this authority must decide, earliest due first.
    pub reviews: Vec<ReviewItem>,
    /// Entries this authority approved that await the authority above it.
    pub reported: Vec<ReviewItem>,
    /// The authority above this one, to which its approvals report its area's entries (a
    /// county authority's city authority); none for the city authority, whose approvals
    /// publish.
    pub reports_to: Option<String>,
    pub open_duties: Vec<DutyView>,
    pub overdue_reviews: usize,
    pub overdue_duties: usize,
}

pub async fn review_desk(app: &App, ctx: Ctx<'_>) -> Result<ReviewDesk> {
    let own = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::ReviewEntries,
        Target::Organisation { id: &own },
        "review_desk",
        &own,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let city_wide = orgs.get(&own).is_some_and(|o| o.parent_id.is_none());
    let reports_to = reviewers(&orgs, &own)
        .ok()
        .and_then(|r| r.second)
        .map(|city| city.name.clone());
    let entries: HashMap<String, catalog::EntryRow> = catalog::list_entries(&mut conn)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let today = super::views::today_string(app);
    let item = |r: Revision| {
        let entry = entries.get(&r.entry_id)?;
        Some(ReviewItem {
            code: entry.code.clone(),
            name: r.name,
            org_name: orgs
                .get(&entry.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            revision: r.revision,
            state: r.state.code().into(),
            state_zh: r.state.zh().into(),
            submitted_at: r.submitted_at.map(format_time),
            county_approval: r
                .county_approval
                .as_ref()
                .map(|a| CountyApprovalView::of(a, &orgs)),
            overdue: r.due_date.as_deref().is_some_and(|d| d < today.as_str()),
            due_date: r.due_date,
            due_provisional: r.due_provisional,
        })
    };
    let reviews: Vec<ReviewItem> = catalog::list_revisions_awaiting(&mut conn, &own)
        .await?
        .into_iter()
        .filter_map(item)
        .collect();
    let reported: Vec<ReviewItem> = catalog::list_revisions_reported_by(&mut conn, &own)
        .await?
        .into_iter()
        .filter_map(item)
        .collect();
    let duties_in_scope: Vec<DutyRow> = duties::list_open_duties(&mut conn)
        .await?
        .into_iter()
        .filter(|d| {
            entries.get(&d.entry_id).is_some_and(|e| {
                city_wide
                    || reviewing_authority(&orgs, &e.org_id).is_ok_and(|a| a.id == own)
                    || within(&orgs, &e.org_id, &own)
            })
        })
        .collect();
    drop(conn);
    let open_duties = duty_views(app, duties_in_scope).await?;
    Ok(ReviewDesk {
        overdue_reviews: reviews.iter().filter(|r| r.overdue).count(),
        overdue_duties: open_duties.iter().filter(|d| d.overdue).count(),
        reviews,
        reported,
        reports_to,
        open_duties,
    })
}

/// The update duties of the caller's own organisation, open first, for its catalog page.
pub async fn own_duties(app: &App, ctx: Ctx<'_>) -> Result<Vec<DutyView>> {
    let own = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &own },
        "update_duty",
        &own,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let mine: std::collections::HashSet<String> = catalog::list_entries(&mut conn)
        .await?
        .into_iter()
        .filter(|e| e.org_id == own)
        .map(|e| e.id)
        .collect();
    let mut rows = Vec::new();
    for id in &mine {
        rows.extend(duties::list_duties(&mut conn, id).await?);
    }
    drop(conn);
    rows.sort_by(|a, b| {
        a.closed_at
            .is_some()
            .cmp(&b.closed_at.is_some())
            .then(a.due_date.cmp(&b.due_date))
    });
    duty_views(app, rows).await
}

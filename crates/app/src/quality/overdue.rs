//! Entries overdue for a data update (H12): published entries whose newest version in force is
//! older than their update frequency allows, or that never received data within that time of
//! being published. Computed on every request from the catalog and the manifests: overdue is
//! a query, not a stored flag (DESIGN principle 4). The authority sees the entries in its
//! scope (a county authority its county, the city authority the whole city); an agency its own.

use chrono::{DateTime, Utc};
use gongshu_domain::Paging;
use gongshu_domain::catalog::Vocabulary;
use gongshu_domain::quality::due_at;
use gongshu_domain::{Action, Target, decide};
use gongshu_store::quality::{self, FreshnessRow};
use serde::{Deserialize, Serialize};

use crate::catalog::scope::{org_map, reviewing_authority, within};
use crate::record::authorize;
use crate::{App, Ctx, Result, format_time, micros_to_datetime};

/// Entries per page unless asked otherwise, and at most.
const DEFAULT_PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 200;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OverdueParams {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<usize>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueEntry {
    pub code: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    pub update_frequency: String,
    pub update_frequency_zh: String,
    /// The newest version in force; `None` when no data was ever supplied.
    pub last_version: Option<i64>,
    /// When that version was uploaded, or the entry published if it has none.
    pub last_update: String,
    pub due_at: String,
    /// Whole days past the due time.
    pub days_overdue: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverduePage {
    pub total: usize,
    /// Most overdue first.
    pub entries: Vec<OverdueEntry>,
    pub page: usize,
    pub per_page: usize,
}

/// The entries overdue for an update that the caller answers for or oversees.
pub async fn overdue_entries(
    app: &App,
    ctx: Ctx<'_>,
    params: OverdueParams,
) -> Result<OverduePage> {
    let own = ctx.principal.org_id.clone().unwrap_or_default();
    let authority = decide(
        &ctx.principal.actor,
        Action::ReviewEntries,
        Target::Organisation { id: &own },
    )
    .is_allowed();
    if !authority {
        // An agency sees its own entries; anyone else is refused (and the refusal audited).
        authorize(
            app,
            ctx,
            Action::ManageEntries,
            Target::Organisation { id: &own },
            "overdue_updates",
            &own,
        )
        .await?;
    }
    let paging = Paging::parse_counts(
        params.page.unwrap_or(1),
        params.per_page.unwrap_or(DEFAULT_PER_PAGE),
        MAX_PER_PAGE,
    )?;
    let (page, per_page) = (paging.page_count(), paging.per_page_count());
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let rows = quality::list_freshness(&mut conn).await?;
    drop(conn);
    let now = app.now();
    // As on the review desk: the city authority (the root) oversees the whole city; a county
    // authority what it reviews and what sits under it.
    let city_wide = authority && orgs.get(&own).is_some_and(|o| o.parent_id.is_none());
    let mut overdue: Vec<(DateTime<Utc>, FreshnessRow, i64)> = rows
        .into_iter()
        .filter(|r| {
            if authority {
                city_wide
                    || reviewing_authority(&orgs, &r.org_id).is_ok_and(|a| a.id == own)
                    || within(&orgs, &r.org_id, &own)
            } else {
                r.org_id == own
            }
        })
        .filter_map(|r| {
            let last = r.last_uploaded_at.or(r.published_at)?;
            let due = due_at(r.update_frequency, micros_to_datetime(last))?;
            (now > due).then_some((due, r, last))
        })
        .collect();
    overdue.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
    let total = overdue.len();
    let entries = overdue
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|(due, r, last)| OverdueEntry {
            org_name: orgs
                .get(&r.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            update_frequency_zh: r.update_frequency.zh().into(),
            days_overdue: (now - due).num_days(),
            due_at: format_time(due.timestamp_micros()),
            last_update: format_time(last),
            last_version: r.last_version,
            code: r.code,
            name: r.name,
            org_id: r.org_id,
            update_frequency: r.update_frequency.code().into(),
        })
        .collect();
    Ok(OverduePage {
        total,
        entries,
        page,
        per_page,
    })
}

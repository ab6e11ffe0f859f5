//! Reading tickets: a page of those the caller sees (filtered by state, entry, organisation),
//! one ticket, and the overdue list — open tickets past their due date — for the authority
//! over the providers (its scope) and for a provider (its own). Reads write no audit event.

use gongshu_domain::catalog::Vocabulary;
use gongshu_domain::quality::ticket::TicketState;
use gongshu_domain::{Action, Paging, Target};
use gongshu_store::catalog;
use gongshu_store::tickets::{self, TicketFilter};
use serde::Deserialize;

use super::{EntryNames, Scope, TicketPage, TicketView, view, visible_ticket};
use crate::catalog::scope::org_map;
use crate::record::authorize;
use crate::{App, Ctx, Result};

/// Tickets per page unless asked otherwise, and at most.
const DEFAULT_PER_PAGE: i64 = 50;
const MAX_PER_PAGE: i64 = 200;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TicketParams {
    /// open | explained | corrected | closed
    pub state: Option<String>,
    /// A catalog entry's code.
    pub entry: Option<String>,
    /// The providing agency's id.
    pub org: Option<String>,
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OverdueTicketParams {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The tickets the caller sees, newest first: an agency's addressed to it, an authority's in
/// its scope, and anyone's own reports.
pub async fn list_tickets(app: &App, ctx: Ctx<'_>, params: TicketParams) -> Result<TicketPage> {
    let paging = Paging::parse(
        params.page.unwrap_or(1),
        params.per_page.unwrap_or(DEFAULT_PER_PAGE),
        MAX_PER_PAGE,
    )?;
    let state = params
        .state
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(TicketState::parse)
        .transpose()?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let scope = Scope::of(ctx, &orgs);
    let entry_id = match params.entry.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => Some(
            catalog::get_entry_by_code(&mut conn, code)
                .await?
                // An unknown entry has no tickets; the list is empty rather than an error.
                .map_or_else(String::new, |e| e.id),
        ),
        _ => None,
    };
    let filter = TicketFilter {
        state,
        entry_id,
        org_id: params.org.filter(|o| !o.trim().is_empty()),
        ..scope.filter()
    };
    page(app, &mut conn, &orgs, &filter, paging).await
}

/// One ticket the caller sees (404 for anyone else).
pub async fn get_ticket(app: &App, ctx: Ctx<'_>, id: &str) -> Result<TicketView> {
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let scope = Scope::of(ctx, &orgs);
    let ticket = visible_ticket(&mut conn, &scope, id).await?;
    let today = crate::calendar::today(app);
    view(&mut conn, &orgs, &mut EntryNames::default(), today, ticket).await
}

/// Open tickets past their due date, oldest due first: for an authority those of the agencies
/// it oversees (the escalation of H11 and B17: the authority organises the rectification), for
/// an agency its own. Anyone else is refused, and the refusal audited.
pub async fn overdue_tickets(
    app: &App,
    ctx: Ctx<'_>,
    params: OverdueTicketParams,
) -> Result<TicketPage> {
    let paging = Paging::parse(
        params.page.unwrap_or(1),
        params.per_page.unwrap_or(DEFAULT_PER_PAGE),
        MAX_PER_PAGE,
    )?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let scope = Scope::of(ctx, &orgs);
    if !scope.authority {
        drop(conn);
        authorize(
            app,
            ctx,
            Action::ManageEntries,
            Target::Organisation { id: &scope.own },
            "quality_ticket",
            "overdue",
        )
        .await?;
        conn = app.db.acquire().await?;
    }
    // Only the tickets addressed to the caller's scope: a reporter's own reports are not
    // theirs to chase.
    let filter = TicketFilter {
        visible_orgs: scope.visible.clone(),
        overdue_on: Some(crate::calendar::today(app)),
        ..TicketFilter::default()
    };
    page(app, &mut conn, &orgs, &filter, paging).await
}

async fn page(
    app: &App,
    conn: &mut gongshu_store::Conn,
    orgs: &std::collections::HashMap<String, gongshu_store::orgs::OrgRow>,
    filter: &TicketFilter,
    paging: Paging,
) -> Result<TicketPage> {
    let total = tickets::count_tickets(conn, filter).await?;
    let rows = tickets::list_tickets(conn, filter, paging.per_page(), paging.offset()).await?;
    let today = crate::calendar::today(app);
    let mut names = EntryNames::default();
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        out.push(view(conn, orgs, &mut names, today, t).await?);
    }
    Ok(TicketPage {
        total,
        page: paging.page(),
        per_page: paging.per_page(),
        tickets: out,
    })
}

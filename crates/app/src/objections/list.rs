//! Reading cases (H27): the objector follows theirs by its receipt number; the source agency
//! lists the cases against its data, being verified first and earliest due first; the
//! authority and the regulator oversee every agency's (overdue ones stand out).

use std::collections::HashMap;

use gongshu_domain::objection::Case;
use gongshu_domain::{Action, Paging, Target, decide};
use gongshu_store::objections::{self, Scope};
use gongshu_store::orgs::OrgRow;
use gongshu_store::{Conn, catalog};
use serde::{Deserialize, Serialize};

use super::{CaseView, view};
use crate::quality::tickets::EntryNames;
use crate::record::authorize;
use crate::{App, AppError, Ctx, Result};

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseSide {
    /// Those against the data of the caller's agency.
    #[default]
    Source,
    /// Every agency's: the authority's and the regulator's oversight.
    All,
    /// Those the caller filed.
    Mine,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseView>,
    pub page: i64,
    pub has_more: bool,
}

/// Whether the caller handles or oversees cases against `org_id`'s data, and so sees the
/// objector's name and contact.
fn handles(ctx: Option<Ctx<'_>>, org_id: &str) -> bool {
    ctx.is_some_and(|ctx| {
        let actor = &ctx.principal.actor;
        decide(
            actor,
            Action::HandleOpeningCases,
            Target::Organisation { id: org_id },
        )
        .is_allowed()
            || decide(actor, Action::ViewEscalations, Target::Platform).is_allowed()
    })
}

/// One case by its receipt number: anyone holding the number follows it; only the source and
/// the authority see who objected and how to reach them.
pub async fn get_case(app: &App, ctx: Option<Ctx<'_>>, id: &str) -> Result<CaseView> {
    let not_found = || AppError::not_found("objection case", "异议处理事项");
    let mut conn = app.db.acquire().await?;
    let case = objections::get_case(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let entry = catalog::get_entry_by_id(&mut conn, &case.entry_id)
        .await?
        .ok_or_else(not_found)?;
    let orgs = crate::catalog::scope::org_map(&mut conn).await?;
    let private = handles(ctx, &entry.org_id);
    let (_, name) = EntryNames::default().get(&mut conn, &entry.id).await?;
    let provider = orgs
        .get(&entry.org_id)
        .map(|o| o.name.as_str())
        .unwrap_or("");
    Ok(view(app, case, &entry, &name, provider, private))
}

pub async fn list_cases(
    app: &App,
    ctx: Ctx<'_>,
    side: CaseSide,
    pending_only: bool,
    page: i64,
    per_page: i64,
) -> Result<CaseList> {
    let paging = Paging::parse(page, per_page, 200)?;
    let p = ctx.principal;
    let own = p.org_id.clone().unwrap_or_default();
    let scope = match side {
        CaseSide::Source => {
            authorize(
                app,
                ctx,
                Action::HandleOpeningCases,
                Target::Organisation { id: &own },
                "opening_case",
                "*",
            )
            .await?;
            Scope::Provider(&own)
        }
        CaseSide::All => {
            authorize(
                app,
                ctx,
                Action::ViewEscalations,
                Target::Platform,
                "opening_case",
                "*",
            )
            .await?;
            Scope::All
        }
        CaseSide::Mine => Scope::FiledBy(&p.account_id),
    };
    let mut conn = app.db.acquire().await?;
    let orgs = crate::catalog::scope::org_map(&mut conn).await?;
    let mut rows = objections::list_cases(
        &mut conn,
        scope,
        pending_only,
        paging.per_page() + 1,
        paging.offset(),
    )
    .await?;
    let has_more = rows.len() as i64 > paging.per_page();
    rows.truncate(paging.per_page_count());
    let cases = views(app, &mut conn, &orgs, rows).await?;
    Ok(CaseList {
        cases,
        page: paging.page(),
        has_more,
    })
}

async fn views(
    app: &App,
    conn: &mut Conn,
    orgs: &HashMap<String, OrgRow>,
    rows: Vec<Case>,
) -> Result<Vec<CaseView>> {
    let mut names = EntryNames::default();
    let mut out = Vec::with_capacity(rows.len());
    for case in rows {
        let entry = catalog::get_entry_by_id(conn, &case.entry_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("case entry {} missing", case.entry_id)))?;
        let (_, name) = names.get(conn, &entry.id).await?;
        let provider = orgs
            .get(&entry.org_id)
            .map(|o| o.name.as_str())
            .unwrap_or("");
        out.push(view(app, case, &entry, &name, provider, true));
    }
    Ok(out)
}

//! Reading organisations: the tree in display order, paginated.

use gongshu_domain::Paging;
use std::collections::HashMap;

use gongshu_domain::{Action, OrgKind, OrgLevel, Target};
use gongshu_store::orgs::{self, OrgRow};
use serde::Serialize;

use crate::record::authorize;
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgView {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub kind_zh: String,
    pub level: String,
    pub level_zh: String,
    pub name: String,
    pub credit_code: String,
    pub liaison_name: String,
    pub liaison_phone: String,
    pub liaison_email: String,
    /// The head (主要负责人), first person responsible for data security; empty until named.
    pub head_name: String,
    /// The security lead's account (安全管理责任人); none until named.
    pub security_lead_id: Option<String>,
    /// Depth in the tree (0 = city authority), for indented display.
    pub depth: usize,
    pub created_at: String,
    pub updated_at: String,
}

impl OrgView {
    pub(crate) fn from_row(row: OrgRow, depth: usize) -> Self {
        let kind_zh = row
            .kind
            .parse::<OrgKind>()
            .map(|k| k.zh())
            .unwrap_or("")
            .to_owned();
        let level_zh = row
            .level
            .parse::<OrgLevel>()
            .map(|l| l.zh())
            .unwrap_or("")
            .to_owned();
        Self {
            id: row.id,
            parent_id: row.parent_id,
            kind: row.kind,
            kind_zh,
            level: row.level,
            level_zh,
            name: row.name,
            credit_code: row.credit_code,
            liaison_name: row.liaison_name,
            liaison_phone: row.liaison_phone,
            liaison_email: row.liaison_email,
            head_name: row.head_name,
            security_lead_id: row.security_lead_id,
            depth,
            created_at: format_time(row.created_at),
            updated_at: format_time(row.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgPage {
    pub items: Vec<OrgView>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// Depth-first order: each organisation followed by its children.
fn tree_order(rows: Vec<OrgRow>) -> Vec<(OrgRow, usize)> {
    let mut children: HashMap<Option<String>, Vec<OrgRow>> = HashMap::new();
    for row in rows {
        children.entry(row.parent_id.clone()).or_default().push(row);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(OrgRow, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|r| (r, 0))
        .collect();
    while let Some((row, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(row.id.clone())) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push((row, depth));
    }
    // Orphans cannot exist (foreign key), but never hide a row if they did.
    out.extend(children.into_values().flatten().map(|r| (r, 0)));
    out
}

pub async fn list_orgs(app: &App, ctx: Ctx<'_>, page: usize, per_page: usize) -> Result<OrgPage> {
    authorize(
        app,
        ctx,
        Action::ViewOrganisations,
        Target::Platform,
        "organisation",
        "*",
    )
    .await?;
    let paging = Paging::parse_counts(page, per_page, 500)?;
    let (page, per_page) = (paging.page_count(), paging.per_page_count());
    let mut conn = app.db.acquire().await?;
    let ordered = tree_order(orgs::list_orgs(&mut conn).await?);
    let total = ordered.len();
    let items = ordered
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|(row, depth)| OrgView::from_row(row, depth))
        .collect();
    Ok(OrgPage {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn get_org(app: &App, ctx: Ctx<'_>, id: &str) -> Result<OrgView> {
    authorize(
        app,
        ctx,
        Action::ViewOrganisations,
        Target::Organisation { id },
        "organisation",
        id,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let row = orgs::get_org(&mut conn, id)
        .await?
        .ok_or(AppError::not_found("organisation", "机构"))?;
    Ok(OrgView::from_row(row, 0))
}

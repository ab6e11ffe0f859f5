//! The three lists of H17 (需求清单、责任清单、负面清单): every share request and its state; each
//! agency's pending answers, deliveries, catalog update duties, yearly assessments of
//! conditional entries (H19) and owed usage reports (H34);
//! and the entries that are not shared, with their legal bases. The regulator sees the whole
//! city, an authority the organisations under it ([`Oversight`]), an agency its own lines; each
//! list also comes as an .xlsx file.

use std::collections::HashMap;

use gongshu_domain::catalog::{ShareType, Vocabulary};
use gongshu_domain::sharing::usage_periods_due;
use gongshu_domain::{Action, Target};
use gongshu_store::catalog;
use gongshu_store::duties;
use gongshu_store::sharing;
use serde::Serialize;

use super::Oversight;
use super::usage::day_of;
use crate::catalog::scope::org_map;
use crate::record::authorize;
use crate::{App, AppError, Ctx, Result, format_time};

/// One share request on the demand list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandLine {
    pub request_id: String,
    pub entry_code: String,
    pub entry_name: String,
    pub requester: String,
    pub source: String,
    pub share_type: String,
    pub state: String,
    pub state_zh: &'static str,
    pub created_at: String,
}

/// One thing an agency owes, on the responsibility list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResponsibilityLine {
    pub org_id: String,
    pub org_name: String,
    /// decide | deliver | catalog_duty | share_assessment | usage_report
    pub kind: &'static str,
    pub kind_zh: &'static str,
    /// What it is about: a request id, an entry code, a grant id and month.
    pub subject: String,
    pub due_date: Option<String>,
    pub overdue: bool,
}

/// One not-shared entry on the negative list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NegativeLine {
    pub entry_code: String,
    pub entry_name: String,
    pub org_name: String,
    /// `law article` citations, joined.
    pub legal_bases: String,
}

async fn staff_only(app: &App, ctx: Ctx<'_>, list: &str) -> Result<()> {
    authorize(
        app,
        ctx,
        Action::ViewCatalog,
        Target::Platform,
        "sharing_list",
        list,
    )
    .await
}

pub async fn demand_list(app: &App, ctx: Ctx<'_>) -> Result<Vec<DemandLine>> {
    staff_only(app, ctx, "demand").await?;
    let oversight = Oversight::of(ctx);
    let own = ctx.principal.org_id.as_deref();
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let name = |id: &str| {
        orgs.get(id)
            .map_or_else(|| id.to_owned(), |o| o.name.clone())
    };
    let mut entries: HashMap<String, (String, String)> = HashMap::new();
    let mut out = Vec::new();
    for r in sharing::list_all_requests(&mut conn).await? {
        let sees = |org: &str| own == Some(org) || oversight.covers(&orgs, org);
        if !sees(&r.requester_org_id) && !sees(&r.source_org_id) {
            continue;
        }
        if !entries.contains_key(&r.entry_id) {
            let entry = catalog::get_entry_by_id(&mut conn, &r.entry_id)
                .await?
                .ok_or_else(|| AppError::Internal("request of a missing entry".into()))?;
            let entry_name = catalog::get_published_revision(&mut conn, &entry)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            entries.insert(r.entry_id.clone(), (entry.code, entry_name));
        }
        let (code, entry_name) = entries[&r.entry_id].clone();
        out.push(DemandLine {
            request_id: r.id,
            entry_code: code,
            entry_name,
            requester: name(&r.requester_org_id),
            source: name(&r.source_org_id),
            share_type: r.share_type.zh().to_owned(),
            state: r.state.code().to_owned(),
            state_zh: r.state.zh(),
            created_at: format_time(r.created_at),
        });
    }
    Ok(out)
}

pub async fn responsibility_list(app: &App, ctx: Ctx<'_>) -> Result<Vec<ResponsibilityLine>> {
    staff_only(app, ctx, "responsibility").await?;
    let oversight = Oversight::of(ctx);
    let own = ctx.principal.org_id.clone().unwrap_or_default();
    let today = crate::calendar::today(app);
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let mut out = Vec::new();
    let mut push = |org_id: &str, kind: &'static str, subject: String, due: Option<String>| {
        if org_id != own && !oversight.covers(&orgs, org_id) {
            return;
        }
        let overdue = due
            .as_deref()
            .is_some_and(|d| d < today.to_string().as_str());
        out.push(ResponsibilityLine {
            org_id: org_id.to_owned(),
            org_name: orgs
                .get(org_id)
                .map_or_else(String::new, |o| o.name.clone()),
            kind,
            kind_zh: match kind {
                "decide" => "答复共享申请",
                "deliver" => "交付共享数据",
                "catalog_duty" => "更新目录",
                "share_assessment" => "有条件共享年度评估",
                _ => "反馈使用情况",
            },
            subject,
            due_date: due,
            overdue,
        });
    };
    for step in sharing::open_steps(&mut conn).await? {
        let Some(org) = step.assignee_org_id.as_deref() else {
            continue;
        };
        let kind = if step.kind == "deliver" {
            "deliver"
        } else {
            "decide"
        };
        push(org, kind, step.request_id.clone(), step.due_date.clone());
    }
    for duty in duties::list_open_duties(&mut conn).await? {
        if let Some(entry) = catalog::get_entry_by_id(&mut conn, &duty.entry_id).await? {
            push(
                &entry.org_id,
                "catalog_duty",
                entry.code,
                Some(duty.due_date.clone()),
            );
        }
    }
    for due in super::assessment::due_list(app, &mut conn).await? {
        push(
            &due.org_id,
            "share_assessment",
            due.entry_code,
            Some(due.due_date),
        );
    }
    for grant in sharing::list_all_grants(&mut conn, i64::MAX, 0).await? {
        let first = day_of(grant.valid_from);
        let last = day_of(grant.valid_until - 1);
        let due = usage_periods_due(first, last, today);
        if due.is_empty() {
            continue;
        }
        let reported: Vec<String> = sharing::list_usage_reports(&mut conn, &grant.id)
            .await?
            .into_iter()
            .map(|r| r.period)
            .collect();
        for period in due.into_iter().filter(|p| !reported.contains(p)) {
            push(
                &grant.grantee_org_id,
                "usage_report",
                format!("{} {period}", grant.id),
                None,
            );
        }
    }
    Ok(out)
}

pub async fn negative_list(app: &App, ctx: Ctx<'_>) -> Result<Vec<NegativeLine>> {
    staff_only(app, ctx, "negative").await?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let mut out = Vec::new();
    for entry in catalog::list_entries(&mut conn).await? {
        let Some(p) = catalog::get_published_revision(&mut conn, &entry).await? else {
            continue;
        };
        if p.share_type != ShareType::NotShared {
            continue;
        }
        let legal_bases = p
            .legal_bases
            .iter()
            .map(|b| format!("《{}》{}", b.law, b.article))
            .collect::<Vec<_>>()
            .join("；");
        out.push(NegativeLine {
            entry_code: entry.code,
            entry_name: p.name,
            org_name: orgs
                .get(&entry.org_id)
                .map_or_else(String::new, |o| o.name.clone()),
            legal_bases,
        });
    }
    Ok(out)
}

/// Which list, for its console page and the spreadsheet export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharingList {
    Demand,
    Responsibility,
    Negative,
}

impl SharingList {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "demand" => Some(Self::Demand),
            "responsibility" => Some(Self::Responsibility),
            "negative" => Some(Self::Negative),
            _ => None,
        }
    }

    /// The name in addresses: `/sharing/lists/{code}`, `/api/v1/sharing/lists/{code}/xlsx`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Demand => "demand",
            Self::Responsibility => "responsibility",
            Self::Negative => "negative",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Self::Demand => "需求清单.xlsx",
            Self::Responsibility => "责任清单.xlsx",
            Self::Negative => "负面清单.xlsx",
        }
    }
}

/// A list as an .xlsx workbook.
pub async fn list_xlsx(app: &App, ctx: Ctx<'_>, list: SharingList) -> Result<Vec<u8>> {
    let (title, headers, rows): (&str, &[&str], Vec<Vec<String>>) = match list {
        SharingList::Demand => (
            "需求清单",
            &[
                "申请编号",
                "目录编码",
                "目录名称",
                "申请单位",
                "提供单位",
                "共享类型",
                "状态",
                "申请时间",
            ],
            demand_list(app, ctx)
                .await?
                .into_iter()
                .map(|l| {
                    vec![
                        l.request_id,
                        l.entry_code,
                        l.entry_name,
                        l.requester,
                        l.source,
                        l.share_type,
                        l.state_zh.to_owned(),
                        l.created_at,
                    ]
                })
                .collect(),
        ),
        SharingList::Responsibility => (
            "责任清单",
            &["单位", "事项", "对象", "办理期限", "是否逾期"],
            responsibility_list(app, ctx)
                .await?
                .into_iter()
                .map(|l| {
                    vec![
                        l.org_name,
                        l.kind_zh.to_owned(),
                        l.subject,
                        l.due_date.unwrap_or_default(),
                        if l.overdue { "是" } else { "否" }.to_owned(),
                    ]
                })
                .collect(),
        ),
        SharingList::Negative => (
            "负面清单",
            &["目录编码", "目录名称", "提供单位", "不予共享依据"],
            negative_list(app, ctx)
                .await?
                .into_iter()
                .map(|l| vec![l.entry_code, l.entry_name, l.org_name, l.legal_bases])
                .collect(),
        ),
    };
    gongshu_sheets::write_table(title, headers, &rows)
        .map_err(|e| AppError::Internal(format!("list workbook: {e}")))
}

//! A person reports a data quality problem on a published entry (报告数据问题, H11, B17): any
//! staff member — the operator's included, whose feedback on quality goes to the authority,
//! which organises the provider's rectification (B17). The report becomes a ticket addressed
//! to the providing agency, naming the item and the rows (by number) if the reporter does;
//! the reporter sees it and its answer.

use gongshu_domain::OrgKind;
use gongshu_domain::quality::ticket::{Evidence, Report, check_rows, required_text};
use gongshu_domain::{Action, Target, Violation};
use gongshu_store::{catalog, versions};
use serde::Deserialize;

use super::{EntryNames, NewTicket, Opened, TicketView, open_ticket, view, who};
use crate::catalog::scope::org_map;
use crate::record::authorize;
use crate::{App, AppError, Ctx, Result};

/// A report, as the reporter writes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// What is wrong (at most 2,000 characters).
    pub description: String,
    /// The data item the problem is in, by its code in the published entry.
    #[serde(default)]
    pub item_code: Option<String>,
    /// The version the rows are in; default: the current version.
    #[serde(default)]
    pub version: Option<i64>,
    /// Rows of that version, by number (1 is the first data row); at most 20.
    #[serde(default)]
    pub rows: Vec<u64>,
}

/// Opens a ticket for a reported problem on published entry `code`. 409 `duplicate_ticket`
/// when the reporter's own report on the same item is still active.
pub async fn report_problem(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: ReportInput,
) -> Result<TicketView> {
    authorize(
        app,
        ctx,
        Action::ReportQualityProblem,
        Target::Platform,
        "quality_ticket",
        code,
    )
    .await?;
    let description = required_text("description", "问题描述", &input.description)?;
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut tx = app.db.begin_write().await?;
    let entry = catalog::get_entry_by_code(&mut tx, code)
        .await?
        .ok_or_else(not_found)?;
    // Only published entries are everyone's to see, and so to report on.
    let revision = entry.published_revision.ok_or_else(not_found)?;
    let items = catalog::list_items(&mut tx, &entry.id, revision).await?;
    let item = match input.item_code.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => Some(items.iter().find(|i| i.code == c).ok_or_else(|| {
            Violation::new(
                "item_code",
                "unknown_item",
                format!("该目录条目没有信息项“{c}”"),
                format!("the entry has no data item `{c}`"),
            )
        })?),
        _ => None,
    };
    let version = match input.version {
        Some(v) => Some(
            versions::get_version(&mut tx, &entry.id, v)
                .await?
                .filter(|v| v.withdrawn_at.is_none())
                .ok_or_else(|| {
                    Violation::new(
                        "version",
                        "unknown_version",
                        format!("该目录条目没有可用的第{v}版数据"),
                        format!("the entry has no version {v} in use"),
                    )
                })?,
        ),
        None => versions::get_current_version(&mut tx, &entry.id).await?,
    };
    let rows = match (&version, input.rows.is_empty()) {
        (_, true) => Vec::new(),
        (Some(v), false) => check_rows(&input.rows, u64::try_from(v.rows).unwrap_or(0))?,
        (None, false) => {
            return Err(Violation::new(
                "rows",
                "no_data",
                "该目录条目还没有数据，不能指明行号",
                "the entry has no data yet; rows cannot be named",
            )
            .into());
        }
    };
    let orgs = org_map(&mut tx).await?;
    let reporter_org = ctx.principal.org_id.as_deref();
    let by_operator = reporter_org
        .and_then(|o| orgs.get(o))
        .is_some_and(|o| o.kind == OrgKind::Operator.as_str());
    let what = match item {
        Some(i) => format!("信息项“{}”", i.name),
        None => "数据".to_owned(),
    };
    let summary = format!(
        "{}：{what}存在质量问题{}",
        if by_operator {
            "运营单位反馈"
        } else {
            "用户报告"
        },
        version
            .as_ref()
            .map(|v| format!("（第{}版）", v.version))
            .unwrap_or_default()
    );
    let evidence = Evidence::Report(Report {
        item_code: item.map(|i| i.code.clone()),
        version: version.as_ref().map(|v| v.version),
        rows,
        by_operator,
    });
    let new = NewTicket {
        entry: &entry,
        summary,
        description,
        evidence,
        reporter: Some((&ctx.principal.account_id, reporter_org)),
    };
    let ticket = match open_ticket(app, &mut tx, ctx.meta, who(ctx), new).await? {
        Opened::New(t) => t,
        Opened::Existing(t) => {
            return Err(AppError::conflict(
                "duplicate_ticket",
                format!(
                    "您对该{what}报告的问题尚在办理中（工单{}），请在原工单中跟进",
                    t.id
                ),
                format!(
                    "your report on this is still being dealt with (ticket {}); follow it up there",
                    t.id
                ),
            ));
        }
    };
    let today = crate::calendar::today(app);
    let shown = view(&mut tx, &orgs, &mut EntryNames::default(), today, *ticket).await?;
    tx.commit().await?;
    Ok(shown)
}

//! Opening a case (H27): an objection by anyone, or a risk flagged by the source agency. The
//! case, its audit event and the source's notification are one transaction; from its commit
//! the dataset's open reads are refused.

use gongshu_audit::Outcome;
use gongshu_domain::catalog::OpenType;
use gongshu_domain::objection::{Case, CaseKind, Contact, Objector, Opening};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::sharing::{self, NotificationRow};
use gongshu_store::{Conn, objections};
use serde::Deserialize;
use serde_json::json;

use super::{CaseView, VERIFY_WORKING_DAYS, view};
use crate::record::{Change, Who, append, authorize};
use crate::{App, AppError, Ctx, RequestMeta, Result};

/// Objections one client address may file in an hour. An objection suspends an opening at
/// once, so an anonymous crowd must not be able to switch the city's open data off; a person
/// with a real objection files one, an office behind one address a few.
pub const OBJECTIONS_PER_ADDRESS_PER_HOUR: i64 = 5;
const HOUR_MICROS: i64 = 3_600_000_000;

/// An objection (异议) to an open dataset.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInput {
    /// What is wrong with opening this data (whose rights it harms, what it exposes).
    pub reason: String,
    /// A telephone number or e-mail address for the answer; required.
    pub contact: String,
    /// The objector's name or organisation, if they give it.
    #[serde(default)]
    pub name: Option<String>,
    /// The data item concerned, if one.
    #[serde(default)]
    pub item_code: Option<String>,
}

/// A risk (风险) the source agency found in its own open data.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    /// The risk: to national security, the public interest or someone's lawful rights.
    pub reason: String,
    #[serde(default)]
    pub item_code: Option<String>,
}

/// Anyone objects to an open dataset; signed in or not.
pub async fn file_objection(
    app: &App,
    ctx: Option<Ctx<'_>>,
    meta: &RequestMeta,
    code: &str,
    input: ObjectionInput,
) -> Result<CaseView> {
    let mut v = Violations::default();
    let reason = v.text("reason", "异议理由", &input.reason, 2000);
    let contact = Contact::parse(&input.contact).map_err(|e| v.push(e)).ok();
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 100) {
        v.push(Violation::too_long("name", "异议人姓名或名称", 100));
    }
    v.into_result()?;
    let who = match ctx {
        Some(ctx) => Who {
            id: Some(&ctx.principal.account_id),
            name: &ctx.principal.username,
            org: ctx.principal.org_id.as_deref(),
        },
        None => Who {
            id: None,
            name: "anonymous",
            org: None,
        },
    };
    let objector = Objector {
        name: name.map(str::to_owned),
        contact,
        account_id: who.id.map(str::to_owned),
    };
    let ask = Ask {
        kind: CaseKind::Objection,
        reason,
        item_code: input.item_code,
        objector,
    };
    open_case(app, meta, who, code, ask, None).await
}

/// The source agency flags a risk in its own open data.
pub async fn flag_risk(app: &App, ctx: Ctx<'_>, code: &str, input: RiskInput) -> Result<CaseView> {
    let mut v = Violations::default();
    let reason = v.text("reason", "风险情况", &input.reason, 2000);
    v.into_result()?;
    let p = ctx.principal;
    let who = Who {
        id: Some(&p.account_id),
        name: &p.username,
        org: p.org_id.as_deref(),
    };
    let ask = Ask {
        kind: CaseKind::Risk,
        reason,
        item_code: input.item_code,
        objector: Objector {
            name: p.org_name.clone(),
            contact: None,
            account_id: Some(p.account_id.clone()),
        },
    };
    open_case(app, ctx.meta, who, code, ask, Some(ctx)).await
}

/// What a case is opened with.
struct Ask {
    kind: CaseKind,
    reason: String,
    item_code: Option<String>,
    objector: Objector,
}

/// The entry must be open data the public can see (a withdrawn one no longer is); a named
/// item must be one of its published items. `source` is the flagging agency's context, which
/// must manage the entry.
async fn open_case(
    app: &App,
    meta: &RequestMeta,
    who: Who<'_>,
    code: &str,
    ask: Ask,
    source: Option<Ctx<'_>>,
) -> Result<CaseView> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let published = catalog::get_published_revision(&mut conn, &entry)
        .await?
        .filter(|p| p.open_type != OpenType::NotOpen)
        .ok_or_else(not_found)?;
    let revision = published.revision;
    let cases = objections::cases_deciding_opening(&mut conn, &entry.id).await?;
    if matches!(Opening::of(&cases, revision), Opening::Withdrawn(_)) {
        return Err(not_found());
    }
    let item_code = match ask
        .item_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(item) => {
            let items = catalog::list_items(&mut conn, &entry.id, revision).await?;
            if !items.iter().any(|i| i.code == item) {
                return Err(Violation::new(
                    "item_code",
                    "unknown_item",
                    format!("该数据资源没有数据项“{item}”"),
                    format!("this dataset has no data item {item:?}"),
                )
                .into());
            }
            Some(item.to_owned())
        }
    };
    let provider = crate::catalog::scope::org_map(&mut conn)
        .await?
        .remove(&entry.org_id)
        .map(|o| o.name)
        .unwrap_or_default();
    drop(conn);
    if let Some(ctx) = source {
        authorize(
            app,
            ctx,
            Action::HandleOpeningCases,
            Target::Organisation { id: &entry.org_id },
            "catalog_entry",
            code,
        )
        .await?;
    }

    let now = app.now_micros();
    let case = Case {
        id: uuid::Uuid::now_v7().to_string(),
        entry_id: entry.id.clone(),
        revision,
        kind: ask.kind,
        reason: ask.reason,
        item_code,
        objector: ask.objector,
        filed_at: now,
        due_date: crate::calendar::add_working_days(
            app,
            crate::calendar::today(app),
            VERIFY_WORKING_DAYS,
        )
        .date,
        resolution: None,
    };
    let mut tx = app.db.begin_write().await?;
    if ask.kind == CaseKind::Objection {
        throttle(&mut tx, &meta.client_addr, now).await?;
    }
    objections::insert_case(&mut tx, &case, &entry.org_id, &meta.client_addr).await?;
    let change = Change {
        action: match ask.kind {
            CaseKind::Objection => "file_objection",
            CaseKind::Risk => "flag_opening_risk",
        },
        target_kind: "catalog_entry",
        target_id: code,
        payload: json!({
            "case": case.id,
            "kind": case.kind.code(),
            "revision": revision,
            "item": case.item_code,
            "suspends_opening": true,
        }),
    };
    append(app, &mut tx, meta, who, Outcome::Success, change).await?;
    notify(app, &mut tx, &entry, &case).await?;
    tx.commit().await?;
    tracing::info!(entry.code = %code, case.id = %case.id, case.kind = case.kind.code(), "opening suspended");
    Ok(view(app, case, &entry, &published.name, &provider, true))
}

/// Refuses a sixth objection from one address within the hour, saying when the next one may
/// be filed. Counted inside the write transaction, so concurrent filings cannot slip past.
async fn throttle(tx: &mut Conn, client_addr: &str, now: i64) -> Result<()> {
    let since = now - HOUR_MICROS;
    if objections::count_filed_from(tx, client_addr, since).await? < OBJECTIONS_PER_ADDRESS_PER_HOUR
    {
        return Ok(());
    }
    let oldest = objections::oldest_filed_from(tx, client_addr, since)
        .await?
        .unwrap_or(now);
    let retry_after_secs = u64::try_from((oldest + HOUR_MICROS - now) / 1_000_000)
        .unwrap_or(0)
        .max(1);
    Err(AppError::Throttled {
        code: "too_many_objections",
        zh: format!(
            "同一网络地址每小时最多提交{OBJECTIONS_PER_ADDRESS_PER_HOUR}件异议，请{retry_after_secs}秒后再试"
        ),
        en: format!(
            "at most {OBJECTIONS_PER_ADDRESS_PER_HOUR} objections an hour from one address; retry in {retry_after_secs} s"
        ),
        retry_after_secs,
    })
}

/// Tells the source agency a case suspended its data's opening and by when to verify.
async fn notify(app: &App, tx: &mut Conn, entry: &EntryRow, case: &Case) -> Result<()> {
    Ok(sharing::insert_notification(
        tx,
        &NotificationRow {
            id: uuid::Uuid::now_v7().to_string(),
            recipient_org_id: entry.org_id.clone(),
            kind: "opening_case".into(),
            subject_kind: "opening_case".into(),
            subject_id: case.id.clone(),
            message: format!(
                "开放数据{}因{}已中止开放，请核实并于{}前作出撤回、恢复开放或处理后开放的决定",
                entry.code,
                case.kind.zh(),
                case.due_date
            ),
            created_at: app.now_micros(),
            read_at: None,
        },
    )
    .await?)
}

//! What the console's sharing pages show, each composed in one call: the request form of a
//! published entry, lists of requests with the names of the organisations involved, a request
//! with the steps the viewer may take on it, the grants and suspensions an authority manages,
//! the verification grants an agency may check records against, the three lists of H17 page
//! by page, the yearly assessments due (H19) with the ones the viewer may record, and the
//! in-app notices of deadlines. Every command decides again when a form is submitted.

use std::collections::{BTreeMap, BTreeSet};

use gongshu_domain::catalog::{ShareMode, ShareType, Vocabulary};
use gongshu_domain::sharing::{GrantStatus, RequestState};
use gongshu_domain::{Action, Target, Violation, Violations, decide};
use gongshu_store::catalog;
use gongshu_store::sharing;
use serde::Serialize;

use super::assessment::AssessmentDue;
use super::deadlines::Escalation;
use super::lists::{DemandLine, NegativeLine, ResponsibilityLine, SharingList};
use super::notifications::{NotificationView, notification_view};
use super::request::published_entry;
use super::suspend::{SuspendInput, SuspensionView};
use super::{GrantView, RequestView, grant_view};
use crate::data::MAX_VERIFY_RECORDS;
use crate::record::authorize;
use crate::{App, AppError, Ctx, Result, format_time};

/// Organisation names by id, for showing who asked, who answers and who holds a grant.
pub type OrgNames = BTreeMap<String, String>;

async fn org_names(conn: &mut gongshu_store::Conn) -> Result<OrgNames> {
    Ok(gongshu_store::orgs::list_orgs(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// One checkbox of a form: a stored code and its Chinese label.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The request form of a published entry of another organisation.
#[derive(Debug, Clone, Serialize)]
pub struct NewRequestPage {
    pub entry_code: String,
    pub entry_name: String,
    pub provider_name: String,
    pub share_type: String,
    pub share_type_zh: &'static str,
    pub share_conditions: String,
    /// The published revision's items.
    pub items: Vec<Choice>,
    /// The modes that may be asked for: the entry's own, or only verification when the entry
    /// is not shared.
    pub modes: Vec<Choice>,
}

pub async fn new_request_page(app: &App, ctx: Ctx<'_>, code: &str) -> Result<NewRequestPage> {
    let org = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::RequestShare,
        Target::Organisation { id: &org },
        "catalog_entry",
        code,
    )
    .await?;
    let (entry, published) = published_entry(app, code).await?;
    if entry.org_id == org {
        return Err(AppError::conflict(
            "own_entry",
            "本单位的数据无需申请共享",
            "an agency does not request its own data",
        ));
    }
    let modes = if published.share_type == ShareType::NotShared {
        vec![ShareMode::Verification]
    } else {
        published.share_modes.clone()
    };
    let mut conn = app.db.acquire().await?;
    let items = catalog::list_items(&mut conn, &entry.id, published.revision)
        .await?
        .into_iter()
        .map(|i| Choice {
            value: i.code,
            label: i.name,
        })
        .collect();
    let provider_name = gongshu_store::orgs::get_org(&mut conn, &entry.org_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(NewRequestPage {
        entry_code: entry.code,
        entry_name: published.name,
        provider_name,
        share_type: published.share_type.code().to_owned(),
        share_type_zh: published.share_type.zh(),
        share_conditions: published.share_conditions,
        items,
        modes: modes
            .into_iter()
            .map(|m| Choice {
                value: m.code().to_owned(),
                label: m.zh().to_owned(),
            })
            .collect(),
    })
}

/// A page of requests with the organisations' names.
#[derive(Debug, Clone, Serialize)]
pub struct RequestsPage {
    pub requests: Vec<RequestView>,
    pub orgs: OrgNames,
    pub page: i64,
    pub has_more: bool,
}

/// The requests the viewer's organisation made, newest first.
pub async fn my_requests_page(
    app: &App,
    ctx: Ctx<'_>,
    page: i64,
    per_page: i64,
) -> Result<RequestsPage> {
    let org = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::RequestShare,
        Target::Organisation { id: &org },
        "share_request",
        "*",
    )
    .await?;
    let page = page.max(1);
    let mut requests = super::list_requests(app, ctx, page, per_page + 1).await?;
    let has_more = requests.len() as i64 > per_page;
    requests.truncate(per_page as usize);
    let mut conn = app.db.acquire().await?;
    Ok(RequestsPage {
        requests,
        orgs: org_names(&mut conn).await?,
        page,
        has_more,
    })
}

/// The inbox of the organisation's admin: the requests it must still answer or deliver,
/// oldest first, a page at a time.
pub async fn inbox_page(app: &App, ctx: Ctx<'_>, page: i64, per_page: i64) -> Result<RequestsPage> {
    let page = page.max(1);
    let mut requests = super::inbox(app, ctx, page, per_page + 1).await?;
    let has_more = requests.len() as i64 > per_page;
    requests.truncate(per_page as usize);
    let mut conn = app.db.acquire().await?;
    Ok(RequestsPage {
        requests,
        orgs: org_names(&mut conn).await?,
        page,
        has_more,
    })
}

/// One request with its timeline, the items' names, and the steps the viewer may take.
#[derive(Debug, Clone, Serialize)]
pub struct RequestPage {
    pub request: RequestView,
    pub orgs: OrgNames,
    /// Item names of the entry's published revision, by code.
    pub item_names: BTreeMap<String, String>,
    pub may_decide: bool,
    pub may_deliver: bool,
    /// Requested items holding sensitive personal information: their approval waits for a
    /// confidentiality review (第三十四条).
    pub sensitive_items: Vec<String>,
    /// The viewer is the source's security lead and the pending request awaits their review.
    pub may_sign_review: bool,
}

pub async fn request_page(app: &App, ctx: Ctx<'_>, id: &str) -> Result<RequestPage> {
    let request = super::get_request(app, ctx, id).await?;
    let published = published_entry(app, &request.entry_code).await.ok();
    let mut conn = app.db.acquire().await?;
    let items = match published {
        Some((entry, published)) => {
            catalog::list_items(&mut conn, &entry.id, published.revision).await?
        }
        None => Vec::new(),
    };
    let sensitive_items: Vec<String> = items
        .iter()
        .filter(|i| i.sensitive_kind.is_some() && request.items.contains(&i.code))
        .map(|i| i.name.clone())
        .collect();
    let item_names = items.into_iter().map(|i| (i.code, i.name)).collect();
    let lead = gongshu_store::orgs::get_org(&mut conn, &request.source_org_id)
        .await?
        .and_then(|o| o.security_lead_id);
    let is_lead = decide(
        &ctx.principal.actor,
        Action::SignConfidentialityReview,
        Target::SecurityLead {
            org_id: &request.source_org_id,
            lead_id: lead.as_deref(),
        },
    )
    .is_allowed();
    let pending = request.state == RequestState::Pending.code();
    let source_admin = decide(
        &ctx.principal.actor,
        Action::DecideShare,
        Target::Organisation {
            id: &request.source_org_id,
        },
    )
    .is_allowed();
    Ok(RequestPage {
        may_decide: source_admin && pending,
        may_sign_review: is_lead
            && pending
            && !sensitive_items.is_empty()
            && request.confidentiality_reviews.is_empty(),
        sensitive_items,
        may_deliver: source_admin && request.state == RequestState::Preparing.code(),
        orgs: org_names(&mut conn).await?,
        item_names,
        request,
    })
}

/// The escalation list with the names of the organisations that are late.
#[derive(Debug, Clone, Serialize)]
pub struct EscalationsPage {
    pub escalations: Vec<Escalation>,
    pub orgs: OrgNames,
}

pub async fn escalations_page(app: &App, ctx: Ctx<'_>) -> Result<EscalationsPage> {
    let escalations = super::escalations(app, ctx).await?;
    let mut conn = app.db.acquire().await?;
    Ok(EscalationsPage {
        escalations,
        orgs: org_names(&mut conn).await?,
    })
}

/// Grants with what the viewer may do to them: the city authority sees every grant of the
/// platform (it may suspend any); anyone else those its organisation holds or gave.
#[derive(Debug, Clone, Serialize)]
pub struct GrantsPage {
    pub grants: Vec<GrantView>,
    pub orgs: OrgNames,
    pub all: bool,
    /// The viewer may revoke grants its organisation gave.
    pub may_revoke: bool,
    pub may_suspend: bool,
    pub page: i64,
    pub has_more: bool,
}

pub async fn grants_page(app: &App, ctx: Ctx<'_>, page: i64, per_page: i64) -> Result<GrantsPage> {
    let actor = &ctx.principal.actor;
    let org = ctx.principal.org_id.clone().unwrap_or_default();
    let all = decide(actor, Action::SuspendAccess, Target::Platform).is_allowed();
    let may_revoke = decide(
        actor,
        Action::RevokeGrant,
        Target::Organisation { id: &org },
    )
    .is_allowed();
    // Agency users see their organisation's grants; the city authority sees all.
    if !all {
        authorize(
            app,
            ctx,
            Action::RequestShare,
            Target::Organisation { id: &org },
            "grant",
            "*",
        )
        .await?;
    }
    let page = page.max(1);
    let mut grants = if all {
        let mut conn = app.db.acquire().await?;
        let rows =
            sharing::list_all_grants(&mut conn, per_page + 1, (page - 1).saturating_mul(per_page))
                .await?;
        let now = app.now_micros();
        let mut out = Vec::with_capacity(rows.len());
        for g in rows {
            let code = catalog::get_entry_by_id(&mut conn, &g.entry_id)
                .await?
                .map(|e| e.code)
                .unwrap_or_default();
            out.push(grant_view(g, &code, now));
        }
        out
    } else {
        super::list_grants(app, ctx, page, per_page + 1).await?
    };
    let has_more = grants.len() as i64 > per_page;
    grants.truncate(per_page as usize);
    let mut conn = app.db.acquire().await?;
    Ok(GrantsPage {
        grants,
        orgs: org_names(&mut conn).await?,
        all,
        may_revoke,
        may_suspend: all,
        page,
        has_more,
    })
}

/// A live verification grant (核验比对) of the viewer's organisation: what it may check
/// records against. Only the newest live grant of an entry is listed, as it is the one the
/// verification command uses.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationGrant {
    pub grant_id: String,
    pub entry_code: String,
    pub entry_name: String,
    pub provider_name: String,
    /// The granted items with their names: the key and the claimed items are among them.
    pub items: Vec<Choice>,
    pub valid_until: String,
}

/// The verification pages: the grants, and the most records one submission may check.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationPage {
    pub grants: Vec<VerificationGrant>,
    pub max_records: usize,
}

/// Every live verification grant of the viewer's organisation, newest first.
pub async fn verification_page(app: &App, ctx: Ctx<'_>) -> Result<VerificationPage> {
    Ok(VerificationPage {
        grants: verification_grants(app, ctx, None).await?,
        max_records: MAX_VERIFY_RECORDS,
    })
}

/// The verification form of one entry: the grant it checks against.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationForm {
    pub grant: VerificationGrant,
    pub max_records: usize,
}

/// The verification form of one entry, or `no_grant` (403) when the viewer's organisation
/// holds no live verification grant on it — as the verification command would refuse.
pub async fn verification_form_page(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
) -> Result<VerificationForm> {
    let grant = verification_grants(app, ctx, Some(code))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Denied {
            code: "no_grant",
            zh: "本单位没有该数据资源有效的核验授权：须经共享申请获批“核验比对”方式并在有效期内方可核验"
                .to_owned(),
            en: "no live verification grant on this entry".to_owned(),
        })?;
    Ok(VerificationForm {
        grant,
        max_records: MAX_VERIFY_RECORDS,
    })
}

async fn verification_grants(
    app: &App,
    ctx: Ctx<'_>,
    code: Option<&str>,
) -> Result<Vec<VerificationGrant>> {
    let org = ctx.principal.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::RequestShare,
        Target::Organisation { id: &org },
        "grant",
        code.unwrap_or("*"),
    )
    .await?;
    let now = app.now_micros();
    let mut conn = app.db.acquire().await?;
    let orgs = org_names(&mut conn).await?;
    let mut entries_seen = BTreeSet::new();
    let mut out = Vec::new();
    for g in sharing::list_held_grants(&mut conn, &org).await? {
        if g.status(now) != GrantStatus::Active
            || !g.covers(ShareMode::Verification)
            || !entries_seen.insert(g.entry_id.clone())
        {
            continue;
        }
        let Some(entry) = catalog::get_entry_by_id(&mut conn, &g.entry_id).await? else {
            continue;
        };
        if code.is_some_and(|c| c != entry.code) {
            continue;
        }
        // The data path reads only published entries; an unpublished one cannot be checked.
        let Some(revision) = entry.published_revision else {
            continue;
        };
        let Some(published) = catalog::get_revision(&mut conn, &entry.id, revision).await? else {
            continue;
        };
        let names: BTreeMap<String, String> = catalog::list_items(&mut conn, &entry.id, revision)
            .await?
            .into_iter()
            .map(|i| (i.code, i.name))
            .collect();
        let items = g
            .items
            .into_iter()
            .map(|code| Choice {
                label: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                value: code,
            })
            .collect();
        out.push(VerificationGrant {
            grant_id: g.id,
            entry_code: entry.code,
            entry_name: published.name,
            provider_name: orgs.get(&g.source_org_id).cloned().unwrap_or_default(),
            items,
            valid_until: format_time(g.valid_until),
        });
    }
    Ok(out)
}

/// Every suspension with the names of the accounts and organisations concerned.
#[derive(Debug, Clone, Serialize)]
pub struct SuspensionsPage {
    pub suspensions: Vec<SuspensionView>,
    pub orgs: OrgNames,
    /// `username（display name）` of the suspended accounts, by account id.
    pub accounts: BTreeMap<String, String>,
    /// Every organisation, in the platform's order, for the form's select box.
    pub org_choices: Vec<Choice>,
}

pub async fn suspensions_page(app: &App, ctx: Ctx<'_>) -> Result<SuspensionsPage> {
    let suspensions = super::list_suspensions(app, ctx).await?;
    let mut conn = app.db.acquire().await?;
    let mut accounts = BTreeMap::new();
    for s in suspensions.iter().filter(|s| s.subject_kind == "account") {
        if let Some(a) = gongshu_store::accounts::get_account(&mut conn, &s.subject_id).await? {
            accounts.insert(a.id, format!("{}（{}）", a.username, a.display_name));
        }
    }
    let org_choices = gongshu_store::orgs::list_orgs(&mut conn)
        .await?
        .into_iter()
        .map(|o| Choice {
            value: o.id,
            label: o.name,
        })
        .collect();
    Ok(SuspensionsPage {
        suspensions,
        orgs: org_names(&mut conn).await?,
        accounts,
        org_choices,
    })
}

/// The suspension form: an organisation chosen from the list, or an account by user name.
#[derive(Debug, Clone, Default)]
pub struct SuspendNamed {
    /// `account` or `organisation`.
    pub subject_kind: String,
    pub org_id: String,
    pub username: String,
    pub reason: String,
}

/// Suspends the account or organisation the form names (H41).
pub async fn suspend_named(app: &App, ctx: Ctx<'_>, form: SuspendNamed) -> Result<SuspensionView> {
    // Only the city authority learns whether a user name exists; `suspend` decides again and
    // records the decision.
    if let gongshu_domain::Decision::Deny(reason) = decide(
        &ctx.principal.actor,
        Action::SuspendAccess,
        Target::Platform,
    ) {
        return Err(AppError::Forbidden(reason));
    }
    let subject_id = if form.subject_kind == "account" {
        let mut conn = app.db.acquire().await?;
        let username = form.username.trim();
        match gongshu_store::accounts::get_account_by_username(&mut conn, username).await? {
            Some(a) => a.id,
            None => {
                let mut v = Violations::default();
                v.push(if username.is_empty() {
                    Violation::required("username", "用户名")
                } else {
                    Violation::new(
                        "username",
                        "unknown_account",
                        format!("没有用户名为“{username}”的账号"),
                        format!("no account is named {username}"),
                    )
                });
                return Err(v.into());
            }
        }
    } else {
        form.org_id
    };
    super::suspend(
        app,
        ctx,
        SuspendInput {
            subject_kind: form.subject_kind,
            subject_id,
            reason: form.reason,
        },
    )
    .await
}

/// The unread notices of the viewer's organisation about requests still waiting for it,
/// newest first (at most 20): once the step is done, its reminder is no longer news.
pub async fn unread_notifications(app: &App, ctx: Ctx<'_>) -> Result<Vec<NotificationView>> {
    let Some(org) = ctx.principal.org_id.as_deref() else {
        return Ok(Vec::new());
    };
    let mut conn = app.db.acquire().await?;
    let mut out = Vec::new();
    for n in sharing::list_notifications(&mut conn, org, 20, 0).await? {
        if n.read_at.is_some() || n.subject_kind != "share_request" {
            continue;
        }
        let waiting = sharing::get_request(&mut conn, &n.subject_id)
            .await?
            .is_some_and(|r| r.state.is_open());
        if waiting {
            out.push(notification_view(n));
        }
    }
    Ok(out)
}

/// The lines of one of the three lists (H17), named by `list` for the page's tabs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "list", content = "lines", rename_all = "snake_case")]
pub enum ListLines {
    Demand(Vec<DemandLine>),
    Responsibility(Vec<ResponsibilityLine>),
    Negative(Vec<NegativeLine>),
}

/// One page of a list; the lists are built whole (they span requests, duties, assessments and
/// grants), so the page is cut from the list the viewer may see.
#[derive(Debug, Clone, Serialize)]
pub struct SharingListPage {
    #[serde(flatten)]
    pub lines: ListLines,
    /// Lines of the whole list, on every page.
    pub total: usize,
    pub page: i64,
    pub has_more: bool,
}

/// Page `page` (from 1) of `all`, and whether more follow.
fn page_of<T>(all: Vec<T>, page: i64, per_page: i64) -> (Vec<T>, bool) {
    let per_page = usize::try_from(per_page.max(1)).unwrap_or(usize::MAX);
    let skip = usize::try_from(page - 1)
        .unwrap_or(0)
        .saturating_mul(per_page);
    let has_more = all.len() > skip.saturating_add(per_page);
    (
        all.into_iter().skip(skip).take(per_page).collect(),
        has_more,
    )
}

pub async fn sharing_list_page(
    app: &App,
    ctx: Ctx<'_>,
    list: SharingList,
    page: i64,
    per_page: i64,
) -> Result<SharingListPage> {
    let page = page.max(1);
    let (lines, total, has_more) = match list {
        SharingList::Demand => {
            let all = super::demand_list(app, ctx).await?;
            let total = all.len();
            let (lines, more) = page_of(all, page, per_page);
            (ListLines::Demand(lines), total, more)
        }
        SharingList::Responsibility => {
            let all = super::responsibility_list(app, ctx).await?;
            let total = all.len();
            let (lines, more) = page_of(all, page, per_page);
            (ListLines::Responsibility(lines), total, more)
        }
        SharingList::Negative => {
            let all = super::negative_list(app, ctx).await?;
            let total = all.len();
            let (lines, more) = page_of(all, page, per_page);
            (ListLines::Negative(lines), total, more)
        }
    };
    Ok(SharingListPage {
        lines,
        total,
        page,
        has_more,
    })
}

/// An assessment coming up or overdue, and whether the viewer may record it: only the
/// entry's own agency assesses its entries.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentLine {
    #[serde(flatten)]
    pub due: AssessmentDue,
    pub may_assess: bool,
}

/// The assessments the viewer sees (its agency's, or the whole city's for authorities and
/// the regulator), soonest first.
pub async fn assessments_page(app: &App, ctx: Ctx<'_>) -> Result<Vec<AssessmentLine>> {
    Ok(super::assessments_due(app, ctx)
        .await?
        .into_iter()
        .map(|due| AssessmentLine {
            may_assess: decide(
                &ctx.principal.actor,
                Action::ManageEntries,
                Target::Organisation { id: &due.org_id },
            )
            .is_allowed(),
            due,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn a_page_is_cut_from_the_whole_list() {
        let all: Vec<i32> = (1..=120).collect();
        assert_eq!(page_of(all.clone(), 1, 50), ((1..=50).collect(), true));
        assert_eq!(page_of(all.clone(), 3, 50), ((101..=120).collect(), false));
        assert_eq!(page_of(all.clone(), 4, 50), (vec![], false));
        assert!(!page_of((1..=50).collect::<Vec<i32>>(), 1, 50).1);
    }
}

//! Quality tickets (质量问题工单, H11, H12, B11, B17): findings addressed to the providing
//! agency — a committed version whose scores fall short, data older than its update frequency
//! allows, a report by a staff user or the operator, a disagreement with the source department
//! of a basic data element (一数一源) — answered with a correction (a new version) or an
//! explanation within five working days, then closed or reopened by the provider's reviewing
//! authority, which also sees the unanswered ones past their due date.
//!
//! Who sees a ticket: the providing agency it is addressed to, the authorities over that
//! agency (its reviewing authority, a county authority for its county, the city authority for
//! the whole city) and the person who reported it. Nobody else learns it exists.
//!
//! Every opening, answer and judgement is one transaction with its audit event; the agency (or
//! authority) whose turn it is gets an in-app notification in the same transaction.

mod answer;
mod consistency;
mod findings;
mod judge;
mod list;
mod report;

use std::collections::HashMap;

use gongshu_audit::Outcome;
use gongshu_domain::catalog::Vocabulary;
use gongshu_domain::quality::ticket::{
    Evidence, QualityTicket, TICKET_ANSWER_WORKING_DAYS, TicketState, TicketStep, TicketStepAction,
};
use gongshu_domain::{Action, Target, decide};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::orgs::OrgRow;
use gongshu_store::sharing::{self, NotificationRow};
use gongshu_store::tickets::{self, TicketFilter};
use gongshu_store::{Conn, StoreError};
use serde::Serialize;
use serde_json::json;

use crate::catalog::scope::{reviewing_authority, within};
use crate::record::{Change, Who, append};
use crate::{App, AppError, Ctx, RequestMeta, Result, format_time};

pub use answer::{AnswerInput, answer_ticket};
pub use consistency::{ConsistencyLine, ConsistencyRun, check_element};
pub(crate) use findings::open_for_version;
pub use findings::{QualityCheckRun, run_quality_checks, schedule_quality_checks};
pub use judge::{JudgeInput, close_ticket, reopen_ticket};
pub use list::{OverdueTicketParams, TicketParams, get_ticket, list_tickets, overdue_tickets};
pub use report::{ReportInput, report_problem};

/// One step of a ticket's history, as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketStepView {
    pub at: String,
    pub by: String,
    /// open | explain | correct | close | reopen
    #[schema(value_type = String)]
    pub action: TicketStepAction,
    pub action_zh: &'static str,
    pub note: String,
    /// The correcting version, for a correction.
    pub version: Option<i64>,
}

/// A ticket as the provider, its authorities and its reporter see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketView {
    pub id: String,
    pub entry_code: String,
    pub entry_name: String,
    /// The providing agency the ticket is addressed to.
    pub org_id: String,
    pub org_name: String,
    /// failed_rules | overdue_update | report | cross_source
    pub kind: &'static str,
    pub kind_zh: &'static str,
    /// open | explained | corrected | closed
    pub state: &'static str,
    pub state_zh: &'static str,
    pub summary: String,
    pub description: String,
    /// What the finding rests on, `{kind, …}`: the failed dimensions, items and worst rows by
    /// number; the staleness; the reported item and rows; the compared items, counts and a few
    /// masked keys. Never a cell's value.
    #[schema(value_type = Object)]
    pub evidence: Evidence,
    /// The version the finding is about, if any.
    pub version: Option<i64>,
    /// Who reported it; `None` when the platform found it.
    pub reported_by: Option<String>,
    pub reporter_org_name: Option<String>,
    /// The last day (China time) the provider may answer.
    pub due_date: String,
    /// Unanswered past the due date.
    pub overdue: bool,
    /// The version the provider's last correction named.
    pub fixed_version: Option<i64>,
    pub history: Vec<TicketStepView>,
    pub opened_at: String,
    pub updated_at: String,
}

/// A page of tickets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub tickets: Vec<TicketView>,
}

/// What the caller may see and do with tickets, from their organisation and roles.
pub(crate) struct Scope {
    pub account_id: String,
    /// The caller's organisation ("" for a member of the public).
    pub own: String,
    /// An authority reviewer (of `own`).
    pub authority: bool,
    /// Ticket addressees the caller sees; `None`: every organisation (the city authority).
    pub visible: Option<Vec<String>>,
}

impl Scope {
    /// The caller's scope: an agency its own tickets, an authority the agencies it oversees
    /// (the city authority all of them), anyone the tickets they reported.
    pub(crate) fn of(ctx: Ctx<'_>, orgs: &HashMap<String, OrgRow>) -> Self {
        let own = ctx.principal.org_id.clone().unwrap_or_default();
        let actor = &ctx.principal.actor;
        let target = Target::Organisation { id: &own };
        let authority = decide(actor, Action::ReviewEntries, target).is_allowed();
        let provider = decide(actor, Action::ManageEntries, target).is_allowed();
        let city_wide = authority && orgs.get(&own).is_some_and(|o| o.parent_id.is_none());
        let visible = if city_wide {
            None
        } else {
            Some(
                orgs.keys()
                    .filter(|o| (authority && oversees(orgs, &own, o)) || (provider && **o == own))
                    .cloned()
                    .collect(),
            )
        };
        Scope {
            account_id: ctx.principal.account_id.clone(),
            own,
            authority,
            visible,
        }
    }

    pub(crate) fn sees(&self, t: &QualityTicket) -> bool {
        t.reporter_id.as_deref() == Some(self.account_id.as_str())
            || self
                .visible
                .as_ref()
                .is_none_or(|orgs| orgs.contains(&t.org_id))
    }

    /// The store's filter of what the caller sees.
    pub(crate) fn filter(&self) -> TicketFilter {
        TicketFilter {
            visible_orgs: self.visible.clone(),
            reporter_id: Some(self.account_id.clone()),
            ..TicketFilter::default()
        }
    }
}

/// Whether `authority_id` oversees `org_id`: it reviews the organisation's catalog, or the
/// organisation sits under it (the city authority over the whole city, a county authority
/// over its county).
pub(crate) fn oversees(orgs: &HashMap<String, OrgRow>, authority_id: &str, org_id: &str) -> bool {
    reviewing_authority(orgs, org_id).is_ok_and(|a| a.id == authority_id)
        || within(orgs, org_id, authority_id)
}

pub(crate) fn not_found() -> AppError {
    AppError::not_found("quality ticket", "质量问题工单")
}

/// The due date of a ticket opened (or reopened) today.
pub(crate) fn due_date(app: &App) -> chrono::NaiveDate {
    crate::calendar::add_working_days(app, crate::calendar::today(app), TICKET_ANSWER_WORKING_DAYS)
        .date
}

/// The platform as the author of its own findings.
pub(crate) const SYSTEM: Who<'static> = Who {
    id: None,
    name: "system",
    org: None,
};

/// The caller as the author of an event.
pub(crate) fn who<'a>(ctx: Ctx<'a>) -> Who<'a> {
    Who {
        id: Some(&ctx.principal.account_id),
        name: &ctx.principal.username,
        org: ctx.principal.org_id.as_deref(),
    }
}

/// A finding about to become a ticket.
pub(crate) struct NewTicket<'a> {
    pub entry: &'a EntryRow,
    pub summary: String,
    pub description: String,
    pub evidence: Evidence,
    /// The reporting account and its organisation; `None` for the platform's own findings.
    pub reporter: Option<(&'a str, Option<&'a str>)>,
}

/// What opening a finding did.
pub(crate) enum Opened {
    New(Box<QualityTicket>),
    /// An active ticket already holds the finding; nothing was written.
    Existing(Box<QualityTicket>),
}

/// Opens a ticket for a finding inside the caller's transaction, with its audit event and a
/// notification to the providing agency; an active ticket of the same finding is returned
/// instead (no duplicate, DESIGN: one finding, one ticket).
pub(crate) async fn open_ticket(
    app: &App,
    conn: &mut Conn,
    meta: &RequestMeta,
    author: Who<'_>,
    new: NewTicket<'_>,
) -> Result<Opened> {
    let finding = new.evidence.finding(new.reporter.map(|(id, _)| id));
    if let Some(active) = tickets::get_active_ticket(conn, &new.entry.id, &finding).await? {
        return Ok(Opened::Existing(Box::new(active)));
    }
    let now = app.now_micros();
    let ticket = QualityTicket {
        id: uuid::Uuid::now_v7().to_string(),
        entry_id: new.entry.id.clone(),
        org_id: new.entry.org_id.clone(),
        finding,
        state: TicketState::Open,
        version: new.evidence.version(),
        history: vec![TicketStep {
            at: format_time(now),
            by: author.name.to_owned(),
            action: TicketStepAction::Open,
            note: new.summary.clone(),
            version: None,
        }],
        summary: new.summary,
        description: new.description,
        evidence: new.evidence,
        reporter_id: new.reporter.map(|(id, _)| id.to_owned()),
        reporter_org_id: new.reporter.and_then(|(_, org)| org.map(str::to_owned)),
        due_date: due_date(app),
        fixed_version: None,
        created_at: now,
        updated_at: now,
    };
    match tickets::insert_ticket(conn, &ticket).await {
        Ok(()) => {}
        // Opened by someone else between the look and the write: theirs stands.
        Err(StoreError::Duplicate(_)) => {
            return tickets::get_active_ticket(conn, &ticket.entry_id, &ticket.finding)
                .await?
                .map(|t| Opened::Existing(Box::new(t)))
                .ok_or(AppError::Busy);
        }
        Err(e) => return Err(e.into()),
    }
    append(
        app,
        conn,
        meta,
        author,
        Outcome::Success,
        Change {
            action: "open_quality_ticket",
            target_kind: "quality_ticket",
            target_id: &ticket.id,
            payload: json!({
                "entry_code": new.entry.code,
                "org_id": ticket.org_id,
                "kind": ticket.kind().code(),
                "finding": ticket.finding,
                "version": ticket.version,
                "due_date": ticket.due_date.to_string(),
                "summary": ticket.summary,
            }),
        },
    )
    .await?;
    notify(
        app,
        conn,
        &ticket.org_id,
        &ticket.id,
        format!(
            "目录条目{}有新的数据质量问题工单：{}，请于{}前答复",
            new.entry.code, ticket.summary, ticket.due_date
        ),
    )
    .await?;
    Ok(Opened::New(Box::new(ticket)))
}

/// An in-app notification about a ticket to an organisation.
pub(crate) async fn notify(
    app: &App,
    conn: &mut Conn,
    org_id: &str,
    ticket_id: &str,
    message: String,
) -> Result<()> {
    Ok(sharing::insert_notification(
        conn,
        &NotificationRow {
            id: uuid::Uuid::now_v7().to_string(),
            recipient_org_id: org_id.to_owned(),
            kind: "quality_ticket".into(),
            subject_kind: "quality_ticket".into(),
            subject_id: ticket_id.to_owned(),
            message,
            created_at: app.now_micros(),
            read_at: None,
        },
    )
    .await?)
}

/// Names of entries by id, read once per page.
#[derive(Default)]
pub(crate) struct EntryNames(HashMap<String, (String, String)>);

impl EntryNames {
    pub(crate) async fn get(
        &mut self,
        conn: &mut Conn,
        entry_id: &str,
    ) -> Result<(String, String)> {
        if let Some(found) = self.0.get(entry_id) {
            return Ok(found.clone());
        }
        let entry = catalog::get_entry_by_id(conn, entry_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("ticket entry {entry_id} missing")))?;
        let name = catalog::get_published_revision(conn, &entry)
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
        let found = (entry.code, name);
        self.0.insert(entry_id.to_owned(), found.clone());
        Ok(found)
    }
}

/// The view of a ticket on `today`.
pub(crate) async fn view(
    conn: &mut Conn,
    orgs: &HashMap<String, OrgRow>,
    names: &mut EntryNames,
    today: chrono::NaiveDate,
    t: QualityTicket,
) -> Result<TicketView> {
    let (entry_code, entry_name) = names.get(conn, &t.entry_id).await?;
    let org_name = |id: &str| orgs.get(id).map(|o| o.name.clone()).unwrap_or_default();
    let kind = t.kind();
    Ok(TicketView {
        overdue: t.is_overdue(today),
        entry_code,
        entry_name,
        org_name: org_name(&t.org_id),
        kind: kind.code(),
        kind_zh: kind.zh(),
        state: t.state.code(),
        state_zh: t.state.zh(),
        reported_by: t
            .reporter_id
            .as_ref()
            .and_then(|_| t.history.first())
            .map(|s| s.by.clone()),
        reporter_org_name: t.reporter_org_id.as_deref().map(org_name),
        due_date: t.due_date.to_string(),
        history: t
            .history
            .into_iter()
            .map(|s| TicketStepView {
                action_zh: s.action.zh(),
                at: s.at,
                by: s.by,
                action: s.action,
                note: s.note,
                version: s.version,
            })
            .collect(),
        opened_at: format_time(t.created_at),
        updated_at: format_time(t.updated_at),
        id: t.id,
        org_id: t.org_id,
        summary: t.summary,
        description: t.description,
        evidence: t.evidence,
        version: t.version,
        fixed_version: t.fixed_version,
    })
}

/// A ticket the caller may see, read for a step (404 for anyone else, who must not learn it
/// exists).
pub(crate) async fn visible_ticket(
    conn: &mut Conn,
    scope: &Scope,
    id: &str,
) -> Result<QualityTicket> {
    tickets::get_ticket(conn, id)
        .await?
        .filter(|t| scope.sees(t))
        .ok_or_else(not_found)
}

/// The ticket as it stands in the write transaction about to change it.
pub(crate) async fn reread(conn: &mut Conn, id: &str) -> Result<QualityTicket> {
    tickets::get_ticket(conn, id).await?.ok_or_else(not_found)
}

/// The next state after `action`, or 409 `illegal_transition`.
pub(crate) fn transition(
    t: &QualityTicket,
    action: gongshu_domain::quality::ticket::TicketAction,
) -> Result<TicketState> {
    t.state.next(action).ok_or_else(|| {
        AppError::conflict(
            "illegal_transition",
            format!("工单当前状态为“{}”，不能执行此操作", t.state.zh()),
            format!("the ticket is {}; this step does not apply", t.state.code()),
        )
    })
}

/// Writes a step if nobody acted first, with its audit event.
pub(crate) async fn commit_step(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    before: TicketState,
    after: &QualityTicket,
    action: &str,
    payload: serde_json::Value,
) -> Result<()> {
    if !tickets::update_ticket(conn, after, before).await? {
        return Err(AppError::conflict(
            "already_decided",
            "该工单已由他人处理，请刷新后查看",
            "someone else has already acted on this ticket",
        ));
    }
    crate::record::record(
        app,
        conn,
        ctx,
        Change {
            action,
            target_kind: "quality_ticket",
            target_id: &after.id,
            payload,
        },
    )
    .await
}

//! Sharing between agencies (共享, issue 5): share requests and their timelines, decisions by
//! the source department within working-day deadlines, grants that every read of another
//! agency's data goes through, the authority's suspensions and the closures by a source or an
//! authority (H41), demand requests for uncatalogued data (H22, H23), usage reports and lists
//! (H17, H34), the deadline scheduler that reminds and escalates (督办), and the in-app
//! notifications it writes. Sharing between agencies is free: nothing here has a price.

mod assessment;
mod closures;
mod deadlines;
mod decide;
mod demand;
mod grants;
mod lists;
mod notifications;
pub mod pages;
mod request;
mod suspend;
mod usage;

use chrono::NaiveDate;
use gongshu_domain::catalog::{ShareMode, Vocabulary};
use gongshu_domain::grant::Grant;
use gongshu_domain::sharing::ShareRequest;
use gongshu_store::Conn;
use gongshu_store::sharing::{self, StepRow};
use gongshu_store::{catalog, confidentiality};
use serde::Serialize;

use crate::confidentiality::{ReviewView, review_view};
use crate::{App, AppError, Result, format_time};

pub use assessment::{
    AssessmentDue, AssessmentInput, AssessmentView, assess_share_type, assessments_due,
    entry_assessments,
};
pub use closures::{
    CloseInput, CloseNamed, ClosureSide, ClosureView, ClosuresPage, ReopenInput, close_access,
    close_named, closures_page, list_closures, reopen_access,
};
pub use deadlines::{DeadlineRun, Escalation, escalations, run_deadlines, schedule_deadlines};
pub use decide::{ApproveInput, RefuseInput, approve, deliver, refuse};
pub use demand::{
    DemandAnswerInput, DemandDeliverInput, DemandInput, DemandReviewInput, DemandView,
    answer_demand, deliver_demand, get_demand, list_demands, review_demand, submit_demand,
};
pub use grants::{GrantChange, list_grants, reinstate_grant, revoke_grant, suspend_grant};
pub use lists::{
    DemandLine, NegativeLine, ResponsibilityLine, SharingList, demand_list, list_xlsx,
    negative_list, responsibility_list,
};
pub use notifications::{
    NotificationView, NotificationsPage, ReadAll, list_notifications, read_all_notifications,
    read_notification,
};
pub use request::{RequestInput, get_request, inbox, list_requests, request_share};
pub use suspend::{SuspendInput, SuspensionView, lift_suspension, list_suspensions, suspend};
pub use usage::{UsageInput, UsageReportView, report_usage};

/// One step of a request's timeline, as the requester and the source see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub seq: i64,
    /// submit | decide | deliver | grant | refuse
    pub kind: String,
    pub kind_zh: &'static str,
    pub assignee_org_id: Option<String>,
    /// Due date (China time, inclusive) of an open step.
    pub due_date: Option<String>,
    /// The due date falls in a year whose holiday notice is not loaded yet.
    pub due_provisional: bool,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
    pub note: String,
    pub overdue: bool,
}

fn step_zh(kind: &str) -> &'static str {
    match kind {
        "submit" => "提交申请",
        "decide" => "源部门答复",
        "deliver" => "源部门交付",
        "grant" => "授权生效",
        "refuse" => "拒绝共享",
        _ => "其他",
    }
}

fn step_view(s: StepRow) -> StepView {
    StepView {
        seq: s.seq,
        kind_zh: step_zh(&s.kind),
        kind: s.kind,
        assignee_org_id: s.assignee_org_id,
        due_date: s.due_date,
        due_provisional: s.due_provisional != 0,
        done_at: s.done_at.map(format_time),
        done_by: s.done_by,
        note: s.note,
        overdue: s.overdue_at.is_some(),
    }
}

/// A share request with its timeline and, once granted, its grant.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: String,
    pub entry_code: String,
    pub entry_name: String,
    pub source_org_id: String,
    pub requester_org_id: String,
    pub requested_by: String,
    pub share_type: String,
    pub items: Vec<String>,
    pub modes: Vec<String>,
    pub scenario: String,
    pub purpose: String,
    pub using_unit: String,
    pub until: String,
    pub state: String,
    pub state_zh: &'static str,
    #[schema(value_type = Option<Object>)]
    pub decision: Option<serde_json::Value>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub created_at: String,
    pub timeline: Vec<StepView>,
    pub grant: Option<GrantView>,
    /// The source's confidentiality reviews of the request (保密审查), newest first.
    pub confidentiality_reviews: Vec<ReviewView>,
}

/// A grant as its grantee and its source see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: String,
    pub request_id: String,
    pub entry_code: String,
    pub source_org_id: String,
    pub grantee_org_id: String,
    pub items: Vec<String>,
    pub modes: Vec<String>,
    /// `[[item, "op.value"], …]`: rows the grantee sees.
    pub row_filter: Vec<(String, String)>,
    pub purpose: String,
    pub valid_from: String,
    pub valid_until: String,
    /// active | not_yet_valid | expired | suspended | revoked, at the time of the answer.
    pub status: String,
    pub status_zh: &'static str,
    pub state_reason: String,
}

pub(crate) fn grant_view(g: Grant, entry_code: &str, now: i64) -> GrantView {
    let status = g.status(now);
    GrantView {
        modes: ShareMode::codes(&g.modes),
        row_filter: g.row_filter.pairs(),
        items: g.items,
        id: g.id,
        request_id: g.request_id,
        entry_code: entry_code.to_owned(),
        source_org_id: g.source_org_id,
        grantee_org_id: g.grantee_org_id,
        purpose: g.purpose,
        valid_from: format_time(g.valid_from),
        valid_until: format_time(g.valid_until),
        status: status.code().to_owned(),
        status_zh: status.zh(),
        state_reason: g.state_reason,
    }
}

/// A request as its parties see it: with its entry's code and name, its timeline and the grant
/// it produced.
pub(crate) async fn request_view(
    app: &App,
    conn: &mut Conn,
    r: ShareRequest,
) -> Result<RequestView> {
    let entry = catalog::get_entry_by_id(conn, &r.entry_id)
        .await?
        .ok_or_else(|| AppError::Internal("request of a missing entry".into()))?;
    let entry_name = catalog::get_published_revision(conn, &entry)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let steps = sharing::list_steps(conn, &r.id).await?;
    let reviews = confidentiality::reviews_of_request(conn, &r.id).await?;
    let grant = sharing::get_grant_of_request(conn, &r.id)
        .await?
        .map(|g| grant_view(g, &entry.code, app.now_micros()));
    Ok(RequestView {
        modes: ShareMode::codes(&r.modes),
        items: r.items,
        decision: r
            .decision
            .map(|d| serde_json::to_value(d).expect("a decision serialises")),
        id: r.id,
        entry_code: entry.code,
        entry_name,
        source_org_id: r.source_org_id,
        requester_org_id: r.requester_org_id,
        requested_by: r.requested_by,
        share_type: r.share_type.code().to_owned(),
        scenario: r.scenario,
        purpose: r.purpose,
        using_unit: r.using_unit,
        until: r.until.to_string(),
        state: r.state.code().to_owned(),
        state_zh: r.state.zh(),
        decided_by: r.decided_by,
        decided_at: r.decided_at.map(format_time),
        created_at: format_time(r.created_at),
        timeline: steps.into_iter().map(step_view).collect(),
        grant,
        confidentiality_reviews: reviews.into_iter().map(review_view).collect(),
    })
}

/// The instant a grant valid through `until` (inclusive, China time) stops: midnight China
/// time at the start of the next day.
pub(crate) fn end_of_day_micros(until: NaiveDate) -> i64 {
    let next = until.succ_opt().unwrap_or(until);
    let midnight = next.and_hms_opt(0, 0, 0).expect("midnight exists");
    (midnight - chrono::Duration::hours(8))
        .and_utc()
        .timestamp_micros()
}

/// How far a caller's oversight of sharing reaches (督办): the regulator supervises the whole
/// city; an authority reviewer the organisations under their authority — the city authority
/// the city, a county authority its county, the same scope as catalog review (H8); anyone else
/// only what their own organisation takes part in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Oversight {
    City,
    Authority(String),
    Own,
}

impl Oversight {
    pub(crate) fn of(ctx: crate::Ctx<'_>) -> Self {
        let roles = &ctx.principal.actor.roles;
        if roles.has(gongshu_domain::Role::Regulator) {
            Self::City
        } else if roles.has(gongshu_domain::Role::AuthorityReviewer) {
            // An authority reviewer without an organisation oversees nothing: fail closed.
            ctx.principal
                .org_id
                .clone()
                .map_or(Self::Own, Self::Authority)
        } else {
            Self::Own
        }
    }

    /// Whether the caller oversees `org_id`'s sharing.
    pub(crate) fn covers(
        &self,
        orgs: &std::collections::HashMap<String, gongshu_store::orgs::OrgRow>,
        org_id: &str,
    ) -> bool {
        match self {
            Self::City => true,
            Self::Authority(authority) => crate::catalog::scope::within(orgs, org_id, authority),
            Self::Own => false,
        }
    }
}

fn request_not_found() -> AppError {
    AppError::not_found("share request", "共享申请")
}

fn grant_not_found() -> AppError {
    AppError::not_found("grant", "共享授权")
}

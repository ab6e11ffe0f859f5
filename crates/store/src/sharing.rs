//! Sharing between agencies (共享): share requests with their timeline steps, the grants
//! approvals create, the authority's suspensions (H41) and in-app notifications.

use chrono::NaiveDate;
use gongshu_domain::catalog::{ShareType, Vocabulary};
use gongshu_domain::grant::{Grant, PolicySalt};
use gongshu_domain::sharing::ShareRequest;
use gongshu_domain::sharing::{GrantState, RequestState};
use sqlx::{AssertSqlSafe, FromRow};

use crate::stored::{json, mode_codes, modes, to_json};
use crate::{Conn, Result, StoreError};

/// A share request as stored: lists and the decision as JSON text, dates as text.
#[derive(FromRow)]
struct RequestRecord {
    id: String,
    entry_id: String,
    source_org_id: String,
    requester_org_id: String,
    requested_by: String,
    share_type: String,
    items: String,
    modes: String,
    scenario: String,
    purpose: String,
    using_unit: String,
    until_date: String,
    commitments: String,
    state: String,
    decision: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<RequestRecord> for ShareRequest {
    type Error = StoreError;

    fn try_from(r: RequestRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: r.id.clone(),
            reason,
        };
        Ok(ShareRequest {
            share_type: ShareType::parse(&r.share_type)
                .map_err(|_| bad("share request share type", r.share_type.clone()))?,
            items: json(&r.items).map_err(|e| bad("share request items", e))?,
            modes: modes(&r.modes).map_err(|e| bad("share request modes", e))?,
            until: NaiveDate::parse_from_str(&r.until_date, "%Y-%m-%d")
                .map_err(|e| bad("share request end date", e.to_string()))?,
            commitments: json(&r.commitments).map_err(|e| bad("share request commitments", e))?,
            state: RequestState::parse(&r.state)
                .ok_or_else(|| bad("share request state", r.state.clone()))?,
            decision: r
                .decision
                .as_deref()
                .map(json)
                .transpose()
                .map_err(|e| bad("share request decision", e))?,
            id: r.id,
            entry_id: r.entry_id,
            source_org_id: r.source_org_id,
            requester_org_id: r.requester_org_id,
            requested_by: r.requested_by,
            scenario: r.scenario,
            purpose: r.purpose,
            using_unit: r.using_unit,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn requests(records: Vec<RequestRecord>) -> Result<Vec<ShareRequest>> {
    records.into_iter().map(ShareRequest::try_from).collect()
}

const REQUEST_COLUMNS: &str = "id, entry_id, source_org_id, requester_org_id, requested_by, \
    share_type, items, modes, scenario, purpose, using_unit, until_date, commitments, state, \
    decision, decided_by, decided_at, created_at, updated_at";

pub async fn insert_request(conn: &mut Conn, r: &ShareRequest) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO share_requests ({REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    )))
    .bind(&r.id)
    .bind(&r.entry_id)
    .bind(&r.source_org_id)
    .bind(&r.requester_org_id)
    .bind(&r.requested_by)
    .bind(r.share_type.code())
    .bind(to_json(&r.items))
    .bind(mode_codes(&r.modes))
    .bind(&r.scenario)
    .bind(&r.purpose)
    .bind(&r.using_unit)
    .bind(r.until.to_string())
    .bind(to_json(&r.commitments))
    .bind(r.state.code())
    .bind(r.decision.as_ref().map(to_json))
    .bind(&r.decided_by)
    .bind(r.decided_at)
    .bind(r.created_at)
    .bind(r.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_request(conn: &mut Conn, id: &str) -> Result<Option<ShareRequest>> {
    sqlx::query_as::<_, RequestRecord>(AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM share_requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(ShareRequest::try_from)
    .transpose()
}

/// Requests an organisation made or must answer, newest first.
pub async fn list_requests(
    conn: &mut Conn,
    org_id: &str,
    as_source: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<ShareRequest>> {
    let column = if as_source {
        "source_org_id"
    } else {
        "requester_org_id"
    };
    requests(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REQUEST_COLUMNS} FROM share_requests WHERE {column} = $1 \
         ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
        )))
        .bind(org_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await?,
    )
}

/// Every request, newest first (the demand list).
pub async fn list_all_requests(conn: &mut Conn) -> Result<Vec<ShareRequest>> {
    requests(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REQUEST_COLUMNS} FROM share_requests ORDER BY created_at DESC, id"
        )))
        .fetch_all(conn)
        .await?,
    )
}

/// The requests an organisation must still answer or deliver, oldest first (its inbox).
pub async fn list_open_requests(
    conn: &mut Conn,
    source_org_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<ShareRequest>> {
    requests(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REQUEST_COLUMNS} FROM share_requests WHERE source_org_id = $1 \
             AND state IN ('pending', 'preparing') ORDER BY created_at, id LIMIT $2 OFFSET $3"
        )))
        .bind(source_org_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await?,
    )
}

/// Records a decision if the request is still in `from`; `false` when someone else decided
/// first (exactly one decision counts).
pub async fn update_request_state(
    conn: &mut Conn,
    r: &ShareRequest,
    from: RequestState,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE share_requests SET state = $1, decision = $2, decided_by = $3, decided_at = $4, \
         updated_at = $5 WHERE id = $6 AND state = $7",
    )
    .bind(r.state.code())
    .bind(r.decision.as_ref().map(to_json))
    .bind(&r.decided_by)
    .bind(r.decided_at)
    .bind(r.updated_at)
    .bind(&r.id)
    .bind(from.code())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct StepRow {
    pub request_id: String,
    pub seq: i64,
    pub kind: String,
    pub assignee_org_id: Option<String>,
    pub due_date: Option<String>,
    pub due_provisional: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    pub note: String,
    pub reminded_at: Option<i64>,
    pub overdue_at: Option<i64>,
    pub created_at: i64,
}

const STEP_COLUMNS: &str = "request_id, seq, kind, assignee_org_id, due_date, due_provisional, \
    done_at, done_by, note, reminded_at, overdue_at, created_at";

pub async fn insert_step(conn: &mut Conn, s: &StepRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO share_steps ({STEP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12)"
    )))
    .bind(&s.request_id)
    .bind(s.seq)
    .bind(&s.kind)
    .bind(&s.assignee_org_id)
    .bind(&s.due_date)
    .bind(s.due_provisional)
    .bind(s.done_at)
    .bind(&s.done_by)
    .bind(&s.note)
    .bind(s.reminded_at)
    .bind(s.overdue_at)
    .bind(s.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list_steps(conn: &mut Conn, request_id: &str) -> Result<Vec<StepRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {STEP_COLUMNS} FROM share_steps WHERE request_id = $1 ORDER BY seq"
    )))
    .bind(request_id)
    .fetch_all(conn)
    .await?)
}

/// Closes the open step of a request (there is at most one).
pub async fn close_open_step(
    conn: &mut Conn,
    request_id: &str,
    done_at: i64,
    done_by: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE share_steps SET done_at = $1, done_by = $2 WHERE request_id = $3 AND done_at IS NULL",
    )
    .bind(done_at)
    .bind(done_by)
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every open step with a due date, oldest due first (the scheduler's and the escalation
/// list's input).
pub async fn open_steps(conn: &mut Conn) -> Result<Vec<StepRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {STEP_COLUMNS} FROM share_steps WHERE done_at IS NULL AND due_date IS NOT NULL \
         ORDER BY due_date, request_id"
    )))
    .fetch_all(conn)
    .await?)
}

/// Marks a reminder sent; `false` when it already was (two schedulers never both notify).
pub async fn mark_reminded(conn: &mut Conn, request_id: &str, seq: i64, at: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE share_steps SET reminded_at = $1 WHERE request_id = $2 AND seq = $3 \
         AND reminded_at IS NULL AND done_at IS NULL",
    )
    .bind(at)
    .bind(request_id)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a step overdue (督办); `false` when it already was.
pub async fn mark_overdue(conn: &mut Conn, request_id: &str, seq: i64, at: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE share_steps SET overdue_at = $1 WHERE request_id = $2 AND seq = $3 \
         AND overdue_at IS NULL AND done_at IS NULL",
    )
    .bind(at)
    .bind(request_id)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A grant as stored: lists and the row filter as JSON text, the salt as hex.
#[derive(FromRow)]
struct GrantRecord {
    id: String,
    request_id: String,
    entry_id: String,
    source_org_id: String,
    grantee_org_id: String,
    items: String,
    modes: String,
    row_filter: String,
    purpose: String,
    valid_from: i64,
    valid_until: i64,
    state: String,
    salt: String,
    state_reason: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<GrantRecord> for Grant {
    type Error = StoreError;

    /// Fails closed: a grant whose row filter, modes, state or salt does not parse is an
    /// error, so no read can go through it with a condition silently dropped.
    fn try_from(g: GrantRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: g.id.clone(),
            reason,
        };
        Ok(Grant {
            items: json(&g.items).map_err(|e| bad("grant items", e))?,
            modes: modes(&g.modes).map_err(|e| bad("grant modes", e))?,
            row_filter: json(&g.row_filter).map_err(|e| bad("grant row filter", e))?,
            state: GrantState::parse(&g.state)
                .ok_or_else(|| bad("grant state", g.state.clone()))?,
            salt: PolicySalt::parse_hex(&g.salt).map_err(|e| bad("grant salt", e.to_string()))?,
            id: g.id,
            request_id: g.request_id,
            entry_id: g.entry_id,
            source_org_id: g.source_org_id,
            grantee_org_id: g.grantee_org_id,
            purpose: g.purpose,
            valid_from: g.valid_from,
            valid_until: g.valid_until,
            state_reason: g.state_reason,
            created_at: g.created_at,
            updated_at: g.updated_at,
        })
    }
}

fn grants(records: Vec<GrantRecord>) -> Result<Vec<Grant>> {
    records.into_iter().map(Grant::try_from).collect()
}

const GRANT_COLUMNS: &str = "id, request_id, entry_id, source_org_id, grantee_org_id, items, \
    modes, row_filter, purpose, valid_from, valid_until, state, salt, state_reason, created_at, \
    updated_at";

pub async fn insert_grant(conn: &mut Conn, g: &Grant) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO grants ({GRANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16)"
    )))
    .bind(&g.id)
    .bind(&g.request_id)
    .bind(&g.entry_id)
    .bind(&g.source_org_id)
    .bind(&g.grantee_org_id)
    .bind(to_json(&g.items))
    .bind(mode_codes(&g.modes))
    .bind(to_json(&g.row_filter))
    .bind(&g.purpose)
    .bind(g.valid_from)
    .bind(g.valid_until)
    .bind(g.state.code())
    .bind(g.salt.to_hex())
    .bind(&g.state_reason)
    .bind(g.created_at)
    .bind(g.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_grant(conn: &mut Conn, id: &str) -> Result<Option<Grant>> {
    sqlx::query_as::<_, GrantRecord>(AssertSqlSafe(format!(
        "SELECT {GRANT_COLUMNS} FROM grants WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(Grant::try_from)
    .transpose()
}

pub async fn get_grant_of_request(conn: &mut Conn, request_id: &str) -> Result<Option<Grant>> {
    sqlx::query_as::<_, GrantRecord>(AssertSqlSafe(format!(
        "SELECT {GRANT_COLUMNS} FROM grants WHERE request_id = $1"
    )))
    .bind(request_id)
    .fetch_optional(conn)
    .await?
    .map(Grant::try_from)
    .transpose()
}

/// The grants of one organisation on one entry, newest first (the read path picks a live one).
pub async fn grants_for(
    conn: &mut Conn,
    grantee_org_id: &str,
    entry_id: &str,
) -> Result<Vec<Grant>> {
    grants(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM grants WHERE grantee_org_id = $1 AND entry_id = $2 \
         ORDER BY created_at DESC, id"
        )))
        .bind(grantee_org_id)
        .bind(entry_id)
        .fetch_all(conn)
        .await?,
    )
}

/// Whether an organisation holds (or held) any grant of a provider's data: on one entry, or on
/// any of the provider's entries. Whose access a closure may close (H41).
pub async fn holds_grants_of(
    conn: &mut Conn,
    grantee_org_id: &str,
    source_org_id: &str,
    entry_id: Option<&str>,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM grants WHERE grantee_org_id = $1 AND source_org_id = $2 \
         AND (entry_id = $3 OR $4 = 0)",
    )
    .bind(grantee_org_id)
    .bind(source_org_id)
    .bind(entry_id.unwrap_or(""))
    .bind(i64::from(entry_id.is_some()))
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The grants a provider gave, newest first: few per provider, so not paged (the organisations
/// and entries a closure may name).
pub async fn list_given_grants(conn: &mut Conn, source_org_id: &str) -> Result<Vec<Grant>> {
    grants(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM grants WHERE source_org_id = $1 ORDER BY created_at DESC, id"
        )))
        .bind(source_org_id)
        .fetch_all(conn)
        .await?,
    )
}

/// Grants an organisation holds or gave, newest first.
pub async fn list_grants(
    conn: &mut Conn,
    org_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Grant>> {
    grants(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM grants WHERE grantee_org_id = $1 OR source_org_id = $1 \
         ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
        )))
        .bind(org_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await?,
    )
}

/// Every grant an organisation holds, newest first: few per organisation, so not paged.
pub async fn list_held_grants(conn: &mut Conn, grantee_org_id: &str) -> Result<Vec<Grant>> {
    grants(
        sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {GRANT_COLUMNS} FROM grants WHERE grantee_org_id = $1 ORDER BY created_at DESC, id"
    )))
    .bind(grantee_org_id)
    .fetch_all(conn)
    .await?,
    )
}

/// Every grant of the platform, newest first (the city authority, which may suspend any).
pub async fn list_all_grants(conn: &mut Conn, limit: i64, offset: i64) -> Result<Vec<Grant>> {
    grants(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM grants ORDER BY created_at DESC, id LIMIT $1 OFFSET $2"
        )))
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await?,
    )
}

/// Moves a grant from one state to another; `false` when it was no longer in `from`.
pub async fn update_grant_state(
    conn: &mut Conn,
    id: &str,
    from: GrantState,
    to: GrantState,
    reason: &str,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE grants SET state = $1, state_reason = $2, updated_at = $3 WHERE id = $4 AND state = $5",
    )
    .bind(to.code())
    .bind(reason)
    .bind(at)
    .bind(id)
    .bind(from.code())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct SuspensionRow {
    pub id: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub reason: String,
    pub suspended_by: String,
    pub suspended_at: i64,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<i64>,
    pub lift_reason: Option<String>,
}

const SUSPENSION_COLUMNS: &str = "id, subject_kind, subject_id, reason, suspended_by, \
    suspended_at, lifted_by, lifted_at, lift_reason";

pub async fn insert_suspension(conn: &mut Conn, s: &SuspensionRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO suspensions ({SUSPENSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )))
    .bind(&s.id)
    .bind(&s.subject_kind)
    .bind(&s.subject_id)
    .bind(&s.reason)
    .bind(&s.suspended_by)
    .bind(s.suspended_at)
    .bind(&s.lifted_by)
    .bind(s.lifted_at)
    .bind(&s.lift_reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// The open suspensions of an account or of an organisation.
pub async fn open_suspensions(
    conn: &mut Conn,
    account_id: &str,
    org_id: Option<&str>,
) -> Result<Vec<SuspensionRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {SUSPENSION_COLUMNS} FROM suspensions WHERE lifted_at IS NULL AND \
         ((subject_kind = 'account' AND subject_id = $1) OR \
          (subject_kind = 'organisation' AND subject_id = $2)) ORDER BY suspended_at"
    )))
    .bind(account_id)
    .bind(org_id.unwrap_or(""))
    .fetch_all(conn)
    .await?)
}

pub async fn list_suspensions(conn: &mut Conn) -> Result<Vec<SuspensionRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {SUSPENSION_COLUMNS} FROM suspensions ORDER BY suspended_at DESC, id"
    )))
    .fetch_all(conn)
    .await?)
}

/// Lifts an open suspension; `false` when it was already lifted or does not exist.
pub async fn lift_suspension(
    conn: &mut Conn,
    id: &str,
    by: &str,
    at: i64,
    reason: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE suspensions SET lifted_by = $1, lifted_at = $2, lift_reason = $3 \
         WHERE id = $4 AND lifted_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(reason)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: String,
    pub recipient_org_id: String,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub message: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn insert_notification(conn: &mut Conn, n: &NotificationRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO notifications (id, recipient_org_id, kind, subject_kind, subject_id, \
         message, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&n.id)
    .bind(&n.recipient_org_id)
    .bind(&n.kind)
    .bind(&n.subject_kind)
    .bind(&n.subject_id)
    .bind(&n.message)
    .bind(n.created_at)
    .bind(n.read_at)
    .execute(conn)
    .await?;
    Ok(())
}

const NOTIFICATION_COLUMNS: &str =
    "id, recipient_org_id, kind, subject_kind, subject_id, message, created_at, read_at";

/// An organisation's notifications, newest first, a page at a time.
pub async fn list_notifications(
    conn: &mut Conn,
    org_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<NotificationRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE recipient_org_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    )))
    .bind(org_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?)
}

pub async fn count_unread_notifications(conn: &mut Conn, org_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE recipient_org_id = $1 AND read_at IS NULL",
    )
    .bind(org_id)
    .fetch_one(conn)
    .await?)
}

pub async fn get_notification(conn: &mut Conn, id: &str) -> Result<Option<NotificationRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Marks a notification read at `at`; `false` when it already was.
pub async fn mark_notification_read(conn: &mut Conn, id: &str, at: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks every unread notification of an organisation read at `at`; how many were.
pub async fn mark_all_notifications_read(conn: &mut Conn, org_id: &str, at: i64) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE recipient_org_id = $2 AND read_at IS NULL",
    )
    .bind(at)
    .bind(org_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[derive(Debug, Clone, FromRow)]
pub struct UsageReportRow {
    pub id: String,
    pub grant_id: String,
    pub period: String,
    pub summary: String,
    pub reported_by: String,
    pub reported_at: i64,
}

/// Inserts a usage report; `false` when the grant already has one for the period.
pub async fn insert_usage_report(conn: &mut Conn, r: &UsageReportRow) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO usage_reports (id, grant_id, period, summary, reported_by, reported_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (grant_id, period) DO NOTHING",
    )
    .bind(&r.id)
    .bind(&r.grant_id)
    .bind(&r.period)
    .bind(&r.summary)
    .bind(&r.reported_by)
    .bind(r.reported_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn list_usage_reports(conn: &mut Conn, grant_id: &str) -> Result<Vec<UsageReportRow>> {
    Ok(sqlx::query_as(
        "SELECT id, grant_id, period, summary, reported_by, reported_at FROM usage_reports \
         WHERE grant_id = $1 ORDER BY period",
    )
    .bind(grant_id)
    .fetch_all(conn)
    .await?)
}

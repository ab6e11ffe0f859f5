//! Demand requests (需求申请) for uncatalogued data (H22, H23).

use chrono::NaiveDate;
use gongshu_domain::sharing::{DemandRequest, DemandState};
use sqlx::{AssertSqlSafe, FromRow};

use crate::stored::{json, to_json};
use crate::{Conn, Result, StoreError};

/// A demand request as stored: the state as its code, the due date as text, the history as a
/// JSON array of `{at, by, action, note}`.
#[derive(FromRow)]
struct DemandRecord {
    id: String,
    requester_org_id: String,
    requested_by: String,
    title: String,
    description: String,
    scenario: String,
    state: String,
    source_org_id: Option<String>,
    assignee_org_id: Option<String>,
    due_date: Option<String>,
    reminded_at: Option<i64>,
    overdue_at: Option<i64>,
    entry_code: Option<String>,
    history: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<DemandRecord> for DemandRequest {
    type Error = StoreError;

    /// Fails closed: a demand whose state, due date or history does not parse is an error, so
    /// it is never shown, reminded or moved on from a guessed state.
    fn try_from(r: DemandRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: r.id.clone(),
            reason,
        };
        Ok(DemandRequest {
            state: DemandState::parse(&r.state)
                .ok_or_else(|| bad("demand state", r.state.clone()))?,
            due_date: r
                .due_date
                .as_deref()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d"))
                .transpose()
                .map_err(|e| bad("demand due date", e.to_string()))?,
            history: json(&r.history).map_err(|e| bad("demand history", e))?,
            id: r.id,
            requester_org_id: r.requester_org_id,
            requested_by: r.requested_by,
            title: r.title,
            description: r.description,
            scenario: r.scenario,
            source_org_id: r.source_org_id,
            assignee_org_id: r.assignee_org_id,
            reminded_at: r.reminded_at,
            overdue_at: r.overdue_at,
            entry_code: r.entry_code,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const COLUMNS: &str = "id, requester_org_id, requested_by, title, description, scenario, state, \
    source_org_id, assignee_org_id, due_date, reminded_at, overdue_at, entry_code, history, \
    created_at, updated_at";

pub async fn insert_demand(conn: &mut Conn, d: &DemandRequest) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO demand_requests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16)"
    )))
    .bind(&d.id)
    .bind(&d.requester_org_id)
    .bind(&d.requested_by)
    .bind(&d.title)
    .bind(&d.description)
    .bind(&d.scenario)
    .bind(d.state.code())
    .bind(&d.source_org_id)
    .bind(&d.assignee_org_id)
    .bind(d.due_date.map(|day| day.to_string()))
    .bind(d.reminded_at)
    .bind(d.overdue_at)
    .bind(&d.entry_code)
    .bind(to_json(&d.history))
    .bind(d.created_at)
    .bind(d.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_demand(conn: &mut Conn, id: &str) -> Result<Option<DemandRequest>> {
    sqlx::query_as::<_, DemandRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM demand_requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(DemandRequest::try_from)
    .transpose()
}

/// Every demand, newest first (a city has hundreds a year).
pub async fn list_demands(conn: &mut Conn) -> Result<Vec<DemandRequest>> {
    sqlx::query_as::<_, DemandRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM demand_requests ORDER BY created_at DESC, id"
    )))
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(DemandRequest::try_from)
    .collect()
}

/// Writes the next step if the demand is still in `from`; `false` when someone acted first.
pub async fn update_demand(conn: &mut Conn, d: &DemandRequest, from: DemandState) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE demand_requests SET state = $1, source_org_id = $2, assignee_org_id = $3, \
         due_date = $4, reminded_at = $5, overdue_at = $6, entry_code = $7, history = $8, \
         updated_at = $9 WHERE id = $10 AND state = $11",
    )
    .bind(d.state.code())
    .bind(&d.source_org_id)
    .bind(&d.assignee_org_id)
    .bind(d.due_date.map(|day| day.to_string()))
    .bind(d.reminded_at)
    .bind(d.overdue_at)
    .bind(&d.entry_code)
    .bind(to_json(&d.history))
    .bind(d.updated_at)
    .bind(&d.id)
    .bind(from.code())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a demand's open step reminded or overdue (`column`), once.
pub async fn mark_demand(conn: &mut Conn, id: &str, overdue: bool, at: i64) -> Result<bool> {
    let column = if overdue { "overdue_at" } else { "reminded_at" };
    let done = sqlx::query(AssertSqlSafe(format!(
        "UPDATE demand_requests SET {column} = $1 WHERE id = $2 AND {column} IS NULL"
    )))
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

//! Demand requests (需求申请) for uncatalogued data (H22, H23).

use sqlx::{AssertSqlSafe, FromRow};

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct DemandRow {
    pub id: String,
    pub requester_org_id: String,
    pub requested_by: String,
    pub title: String,
    pub description: String,
    pub scenario: String,
    pub state: String,
    pub source_org_id: Option<String>,
    pub assignee_org_id: Option<String>,
    pub due_date: Option<String>,
    pub reminded_at: Option<i64>,
    pub overdue_at: Option<i64>,
    pub entry_code: Option<String>,
    /// JSON array of `{at, by, action, note}`.
    pub history: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, requester_org_id, requested_by, title, description, scenario, state, \
    source_org_id, assignee_org_id, due_date, reminded_at, overdue_at, entry_code, history, \
    created_at, updated_at";

pub async fn insert_demand(conn: &mut Conn, d: &DemandRow) -> Result<()> {
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
    .bind(&d.state)
    .bind(&d.source_org_id)
    .bind(&d.assignee_org_id)
    .bind(&d.due_date)
    .bind(d.reminded_at)
    .bind(d.overdue_at)
    .bind(&d.entry_code)
    .bind(&d.history)
    .bind(d.created_at)
    .bind(d.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_demand(conn: &mut Conn, id: &str) -> Result<Option<DemandRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM demand_requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Every demand, newest first (a city has hundreds a year).
pub async fn list_demands(conn: &mut Conn) -> Result<Vec<DemandRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM demand_requests ORDER BY created_at DESC, id"
    )))
    .fetch_all(conn)
    .await?)
}

/// Writes the next step if the demand is still in `from`; `false` when someone acted first.
pub async fn update_demand(conn: &mut Conn, d: &DemandRow, from: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE demand_requests SET state = $1, source_org_id = $2, assignee_org_id = $3, \
         due_date = $4, reminded_at = $5, overdue_at = $6, entry_code = $7, history = $8, \
         updated_at = $9 WHERE id = $10 AND state = $11",
    )
    .bind(&d.state)
    .bind(&d.source_org_id)
    .bind(&d.assignee_org_id)
    .bind(&d.due_date)
    .bind(d.reminded_at)
    .bind(d.overdue_at)
    .bind(&d.entry_code)
    .bind(&d.history)
    .bind(d.updated_at)
    .bind(&d.id)
    .bind(from)
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

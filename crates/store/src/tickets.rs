//! Quality tickets (质量问题工单, H11, H12, B11, B17): findings addressed to the providing
//! agency, stored with their evidence and history as JSON and parsed back into
//! [`QualityTicket`] once, here; a row that does not parse is an error, never a default.

use chrono::NaiveDate;
use gongshu_domain::catalog::Vocabulary;
use gongshu_domain::quality::ticket::{Evidence, QualityTicket, TicketKind, TicketState};
use sqlx::{AssertSqlSafe, FromRow};

use crate::stored::{code, json, to_json};
use crate::{Conn, Result, StoreError};

/// A ticket as stored: vocabularies as codes, the due date as text, evidence and history as
/// JSON.
#[derive(FromRow)]
struct TicketRecord {
    id: String,
    entry_id: String,
    org_id: String,
    kind: String,
    finding: String,
    state: String,
    summary: String,
    description: String,
    evidence: String,
    version: Option<i64>,
    reporter_id: Option<String>,
    reporter_org_id: Option<String>,
    due_date: String,
    fixed_version: Option<i64>,
    history: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TicketRecord> for QualityTicket {
    type Error = StoreError;

    /// Fails closed: a ticket whose state, due date, evidence or history does not parse — or
    /// whose evidence is of another kind than its row says — is an error, so it is never
    /// shown, answered or counted from a guess.
    fn try_from(r: TicketRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: r.id.clone(),
            reason,
        };
        let kind: TicketKind = code(&r.kind).map_err(|e| bad("quality ticket kind", e))?;
        let evidence: Evidence =
            json(&r.evidence).map_err(|e| bad("quality ticket evidence", e))?;
        if evidence.kind() != kind {
            return Err(bad(
                "quality ticket evidence",
                format!(
                    "evidence of kind `{}` on a `{}` ticket",
                    evidence.kind().code(),
                    kind.code()
                ),
            ));
        }
        Ok(QualityTicket {
            state: code(&r.state).map_err(|e| bad("quality ticket state", e))?,
            due_date: NaiveDate::parse_from_str(&r.due_date, "%Y-%m-%d")
                .map_err(|e| bad("quality ticket due date", e.to_string()))?,
            history: json(&r.history).map_err(|e| bad("quality ticket history", e))?,
            evidence,
            id: r.id,
            entry_id: r.entry_id,
            org_id: r.org_id,
            finding: r.finding,
            summary: r.summary,
            description: r.description,
            version: r.version,
            reporter_id: r.reporter_id,
            reporter_org_id: r.reporter_org_id,
            fixed_version: r.fixed_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn tickets(records: Vec<TicketRecord>) -> Result<Vec<QualityTicket>> {
    records.into_iter().map(QualityTicket::try_from).collect()
}

const COLUMNS: &str = "id, entry_id, org_id, kind, finding, state, summary, description, \
    evidence, version, reporter_id, reporter_org_id, due_date, fixed_version, history, \
    created_at, updated_at";

/// Stores a new ticket. A second active ticket for the same finding on the same entry is a
/// [`StoreError::Duplicate`] (the partial unique index), however two findings race.
pub async fn insert_ticket(conn: &mut Conn, t: &QualityTicket) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO quality_tickets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17)"
    )))
    .bind(&t.id)
    .bind(&t.entry_id)
    .bind(&t.org_id)
    .bind(t.kind().code())
    .bind(&t.finding)
    .bind(t.state.code())
    .bind(&t.summary)
    .bind(&t.description)
    .bind(to_json(&t.evidence))
    .bind(t.version)
    .bind(&t.reporter_id)
    .bind(&t.reporter_org_id)
    .bind(t.due_date.to_string())
    .bind(t.fixed_version)
    .bind(to_json(&t.history))
    .bind(t.created_at)
    .bind(t.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_ticket(conn: &mut Conn, id: &str) -> Result<Option<QualityTicket>> {
    sqlx::query_as::<_, TicketRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM quality_tickets WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(QualityTicket::try_from)
    .transpose()
}

/// The active (not closed) ticket of a finding on an entry, if any.
pub async fn get_active_ticket(
    conn: &mut Conn,
    entry_id: &str,
    finding: &str,
) -> Result<Option<QualityTicket>> {
    sqlx::query_as::<_, TicketRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM quality_tickets WHERE entry_id = $1 AND finding = $2 \
         AND state <> 'closed'"
    )))
    .bind(entry_id)
    .bind(finding)
    .fetch_optional(conn)
    .await?
    .map(QualityTicket::try_from)
    .transpose()
}

/// A ticket's finding and whether it is still active, as the scheduler needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub entry_id: String,
    pub finding: String,
    pub active: bool,
}

/// The finding of every ticket of `kind`, in any state: the scheduler opens no ticket for a
/// finding that already had one.
pub async fn list_findings(conn: &mut Conn, kind: TicketKind) -> Result<Vec<FindingRow>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT entry_id, finding, state FROM quality_tickets WHERE kind = $1")
            .bind(kind.code())
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(entry_id, finding, state)| FindingRow {
            entry_id,
            finding,
            active: state != TicketState::Closed.code(),
        })
        .collect())
}

/// Writes the next step if the ticket is still in `from`; `false` when someone acted first.
pub async fn update_ticket(conn: &mut Conn, t: &QualityTicket, from: TicketState) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE quality_tickets SET state = $1, due_date = $2, fixed_version = $3, \
         history = $4, updated_at = $5 WHERE id = $6 AND state = $7",
    )
    .bind(t.state.code())
    .bind(t.due_date.to_string())
    .bind(t.fixed_version)
    .bind(to_json(&t.history))
    .bind(t.updated_at)
    .bind(&t.id)
    .bind(from.code())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which tickets a list shows. `visible_orgs` and `reporter_id` say what the caller may see
/// (tickets addressed to those organisations, or reported by that account; `None` for the
/// first: every organisation); the rest narrow it.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub visible_orgs: Option<Vec<String>>,
    pub reporter_id: Option<String>,
    pub state: Option<TicketState>,
    pub entry_id: Option<String>,
    pub org_id: Option<String>,
    /// Only open tickets whose due date is before this day: overdue on it.
    pub overdue_on: Option<NaiveDate>,
}

/// Adds a parameter of a filtered query; its placeholder (`$n`, in binding order).
fn param(args: &mut Vec<String>, value: impl Into<String>) -> String {
    args.push(value.into());
    format!("${}", args.len())
}

impl TicketFilter {
    /// The `WHERE` clause and its parameters (numbered from `$1`).
    fn clause(&self) -> (String, Vec<String>) {
        let mut parts = Vec::new();
        let mut args = Vec::new();
        let mut visible = Vec::new();
        match &self.visible_orgs {
            None => visible.push("1 = 1".to_owned()),
            Some(orgs) if !orgs.is_empty() => {
                let marks: Vec<String> =
                    orgs.iter().map(|o| param(&mut args, o.as_str())).collect();
                visible.push(format!("org_id IN ({})", marks.join(", ")));
            }
            Some(_) => {}
        }
        if let Some(reporter) = &self.reporter_id {
            visible.push(format!(
                "reporter_id = {}",
                param(&mut args, reporter.as_str())
            ));
        }
        parts.push(if visible.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("({})", visible.join(" OR "))
        });
        if let Some(state) = self.state {
            parts.push(format!("state = {}", param(&mut args, state.code())));
        }
        if let Some(entry) = &self.entry_id {
            parts.push(format!("entry_id = {}", param(&mut args, entry.as_str())));
        }
        if let Some(org) = &self.org_id {
            parts.push(format!("org_id = {}", param(&mut args, org.as_str())));
        }
        if let Some(day) = self.overdue_on {
            parts.push(format!(
                "state = 'open' AND due_date < {}",
                param(&mut args, day.to_string())
            ));
        }
        (parts.join(" AND "), args)
    }
}

/// One page of the tickets a filter selects: overdue lists oldest due first, other lists
/// newest first.
pub async fn list_tickets(
    conn: &mut Conn,
    filter: &TicketFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<QualityTicket>> {
    let (clause, args) = filter.clause();
    let order = if filter.overdue_on.is_some() {
        "due_date, created_at, id"
    } else {
        "created_at DESC, id DESC"
    };
    let n = args.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM quality_tickets WHERE {clause} ORDER BY {order} \
         LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query_as::<_, TicketRecord>(AssertSqlSafe(sql));
    for value in args {
        query = query.bind(value);
    }
    tickets(query.bind(limit).bind(offset).fetch_all(conn).await?)
}

/// How many tickets a filter selects.
pub async fn count_tickets(conn: &mut Conn, filter: &TicketFilter) -> Result<i64> {
    let (clause, args) = filter.clause();
    let sql = format!("SELECT COUNT(*) FROM quality_tickets WHERE {clause}");
    let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
    for value in args {
        query = query.bind(value);
    }
    Ok(query.fetch_one(conn).await?)
}

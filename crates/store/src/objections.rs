//! Objection and risk cases against an opening (H27). Rows come out as [`Case`]s; a kind,
//! outcome or due date that does not parse is [`StoreError::Corrupt`], so an open read never
//! passes a case it could not understand.

use chrono::NaiveDate;
use gongshu_domain::objection::{Case, CaseKind, CaseOutcome, Contact, Objector, Resolution};
use sqlx::{AssertSqlSafe, FromRow};

use crate::{Conn, Result, StoreError};

#[derive(FromRow)]
struct CaseRecord {
    id: String,
    entry_id: String,
    revision: i64,
    kind: String,
    reason: String,
    item_code: Option<String>,
    objector_name: Option<String>,
    contact: Option<String>,
    account_id: Option<String>,
    filed_at: i64,
    due_date: String,
    outcome: Option<String>,
    answer: Option<String>,
    resolved_by: Option<String>,
    resolved_at: Option<i64>,
    version: Option<i64>,
}

impl TryFrom<CaseRecord> for Case {
    type Error = StoreError;

    fn try_from(r: CaseRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: r.id.clone(),
            reason,
        };
        let kind = CaseKind::parse(&r.kind).ok_or_else(|| bad("objection kind", r.kind.clone()))?;
        let due_date = NaiveDate::parse_from_str(&r.due_date, "%Y-%m-%d")
            .map_err(|e| bad("objection due date", e.to_string()))?;
        let resolution = match (r.outcome, r.answer, r.resolved_by, r.resolved_at) {
            (None, None, None, None) => None,
            (Some(outcome), Some(answer), Some(resolved_by), Some(resolved_at)) => {
                Some(Resolution {
                    outcome: CaseOutcome::parse(&outcome)
                        .ok_or_else(|| bad("objection outcome", outcome.clone()))?,
                    answer,
                    resolved_by,
                    resolved_at,
                    version: r.version,
                })
            }
            _ => return Err(bad("objection outcome", "partly recorded".into())),
        };
        Ok(Case {
            id: r.id,
            entry_id: r.entry_id,
            revision: r.revision,
            kind,
            reason: r.reason,
            item_code: r.item_code,
            objector: Objector {
                name: r.objector_name,
                contact: r.contact.map(Contact::stored),
                account_id: r.account_id,
            },
            filed_at: r.filed_at,
            due_date,
            resolution,
        })
    }
}

fn cases(records: Vec<CaseRecord>) -> Result<Vec<Case>> {
    records.into_iter().map(Case::try_from).collect()
}

/// The published revision `r` of entry `e` opens it, conditionally or not (H25), and the
/// source has not withdrawn it after an objection or a risk (H27): what the open lists (the
/// portal's figures and sitemap, CKAN, DCAT-AP) count as open data.
pub(crate) const OPEN_NOW: &str = "r.open_type IN ('unconditional', 'conditional') \
     AND NOT EXISTS (SELECT 1 FROM open_objections o WHERE o.entry_id = e.id \
     AND o.outcome = 'withdrawn' AND o.revision >= e.published_revision)";

const COLUMNS: &str = "id, entry_id, revision, kind, reason, item_code, objector_name, contact, \
    account_id, filed_at, due_date, outcome, answer, resolved_by, resolved_at, version";

/// Records a new case; `org_id` is the providing agency and `client_addr` where it came from.
pub async fn insert_case(conn: &mut Conn, c: &Case, org_id: &str, client_addr: &str) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO open_objections ({COLUMNS}, org_id, client_addr) VALUES ($1, $2, $3, $4, \
         $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL, NULL, NULL, $12, $13)"
    )))
    .bind(&c.id)
    .bind(&c.entry_id)
    .bind(c.revision)
    .bind(c.kind.code())
    .bind(&c.reason)
    .bind(c.item_code.as_deref())
    .bind(c.objector.name.as_deref())
    .bind(c.objector.contact.as_ref().map(Contact::as_str))
    .bind(c.objector.account_id.as_deref())
    .bind(c.filed_at)
    .bind(c.due_date.to_string())
    .bind(org_id)
    .bind(client_addr)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_case(conn: &mut Conn, id: &str) -> Result<Option<Case>> {
    sqlx::query_as::<_, CaseRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM open_objections WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(Case::try_from)
    .transpose()
}

/// The cases that decide an entry's opening: every one still being verified, and the
/// withdrawals (a withdrawal holds until a later revision is published). What every open read
/// asks; the index on `(entry_id, filed_at)` keeps it to the entry's own rows.
pub async fn cases_deciding_opening(conn: &mut Conn, entry_id: &str) -> Result<Vec<Case>> {
    cases(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM open_objections WHERE entry_id = $1 \
             AND (outcome IS NULL OR outcome = 'withdrawn') ORDER BY filed_at, id"
        )))
        .bind(entry_id)
        .fetch_all(conn)
        .await?,
    )
}

/// How many cases were filed from `client_addr` since `since` (microseconds).
pub async fn count_filed_from(conn: &mut Conn, client_addr: &str, since: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM open_objections WHERE client_addr = $1 AND filed_at >= $2",
    )
    .bind(client_addr)
    .bind(since)
    .fetch_one(conn)
    .await?)
}

/// The oldest case filed from `client_addr` since `since`, when it was filed: the instant the
/// next one may be filed is a window after it.
pub async fn oldest_filed_from(
    conn: &mut Conn,
    client_addr: &str,
    since: i64,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(filed_at) FROM open_objections WHERE client_addr = $1 AND filed_at >= $2",
    )
    .bind(client_addr)
    .bind(since)
    .fetch_one(conn)
    .await?)
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Those against the data of one agency.
    Provider(&'a str),
    /// Every agency's.
    All,
    /// Those filed by one account.
    FiledBy(&'a str),
}

/// A page of cases: those being verified first (earliest due first), then the newest ended.
pub async fn list_cases(
    conn: &mut Conn,
    scope: Scope<'_>,
    pending_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<Case>> {
    let pending = if pending_only {
        "AND outcome IS NULL"
    } else {
        ""
    };
    let order = "ORDER BY CASE WHEN outcome IS NULL THEN 0 ELSE 1 END, \
        CASE WHEN outcome IS NULL THEN due_date ELSE '' END, filed_at DESC, id";
    let records = match scope {
        Scope::Provider(org) => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM open_objections WHERE org_id = $1 {pending} {order} \
                 LIMIT $2 OFFSET $3"
            )))
            .bind(org)
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?
        }
        Scope::All => {
            let filter = if pending_only {
                "WHERE outcome IS NULL"
            } else {
                ""
            };
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM open_objections {filter} {order} LIMIT $1 OFFSET $2"
            )))
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?
        }
        Scope::FiledBy(account) => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM open_objections WHERE account_id = $1 AND kind = \
                 'objection' {pending} {order} LIMIT $2 OFFSET $3"
            )))
            .bind(account)
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?
        }
    };
    cases(records)
}

/// Records how a case ended; `false` when it had already ended.
pub async fn resolve_case(conn: &mut Conn, id: &str, r: &Resolution) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE open_objections SET outcome = $1, answer = $2, resolved_by = $3, \
         resolved_at = $4, version = $5 WHERE id = $6 AND outcome IS NULL",
    )
    .bind(r.outcome.code())
    .bind(&r.answer)
    .bind(&r.resolved_by)
    .bind(r.resolved_at)
    .bind(r.version)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cases the sources ended (withdrawn, restored or re-opened): the portal's "objections
/// handled".
pub async fn count_resolved(conn: &mut Conn) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM open_objections WHERE outcome IS NOT NULL")
            .fetch_one(conn)
            .await?,
    )
}

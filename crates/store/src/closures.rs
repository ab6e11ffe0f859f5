//! Closures (暂时关闭访问权限, H41): a data user's access to a provider's data, closed by the
//! source or an authority until corrected. Rows come out as [`Closure`]s; a subject or scope
//! that does not parse is [`StoreError::Corrupt`], so a read never passes a closure it could not
//! understand.

use gongshu_domain::closure::{Closure, ClosureScope, ClosureSubject, Reopening};
use sqlx::{AssertSqlSafe, FromRow};

use crate::{Conn, Result, StoreError};

/// A closure as stored: its subject and scope as kind columns, the reopening as nullable ones.
#[derive(FromRow)]
struct ClosureRecord {
    id: String,
    subject_kind: String,
    subject_id: String,
    provider_org_id: String,
    scope_kind: String,
    entry_id: Option<String>,
    reason: String,
    correction: String,
    closed_by: String,
    closing_org_id: String,
    closing_org_name: String,
    closed_at: i64,
    reopened_by: Option<String>,
    reopened_at: Option<i64>,
    correction_note: Option<String>,
}

impl TryFrom<ClosureRecord> for Closure {
    type Error = StoreError;

    fn try_from(r: ClosureRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: r.id.clone(),
            reason,
        };
        let subject = ClosureSubject::parse(&r.subject_kind, r.subject_id.clone())
            .ok_or_else(|| bad("closure subject", r.subject_kind.clone()))?;
        let scope = ClosureScope::parse(&r.scope_kind, r.entry_id.clone()).ok_or_else(|| {
            bad(
                "closure scope",
                format!("{} with entry {:?}", r.scope_kind, r.entry_id),
            )
        })?;
        let reopening = match (r.reopened_by, r.reopened_at, r.correction_note) {
            (None, None, None) => None,
            (Some(by), Some(at), Some(note)) => Some(Reopening { by, at, note }),
            _ => return Err(bad("closure reopening", "partly recorded".into())),
        };
        Ok(Closure {
            id: r.id,
            subject,
            provider_org_id: r.provider_org_id,
            scope,
            reason: r.reason,
            correction: r.correction,
            closed_by: r.closed_by,
            closing_org_id: r.closing_org_id,
            closing_org_name: r.closing_org_name,
            closed_at: r.closed_at,
            reopening,
        })
    }
}

fn closures(records: Vec<ClosureRecord>) -> Result<Vec<Closure>> {
    records.into_iter().map(Closure::try_from).collect()
}

const COLUMNS: &str = "id, subject_kind, subject_id, provider_org_id, scope_kind, entry_id, \
    reason, correction, closed_by, closing_org_id, closing_org_name, closed_at, reopened_by, \
    reopened_at, correction_note";

/// The rows whose subject is the account or its organisation.
const OF_SUBJECT: &str = "((subject_kind = 'account' AND subject_id = $1) OR \
    (subject_kind = 'organisation' AND subject_id = $2))";

pub async fn insert_closure(conn: &mut Conn, c: &Closure) -> Result<()> {
    let reopening = c.reopening.as_ref();
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO access_closures ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15)"
    )))
    .bind(&c.id)
    .bind(c.subject.kind())
    .bind(c.subject.id())
    .bind(&c.provider_org_id)
    .bind(c.scope.kind())
    .bind(c.scope.entry_id())
    .bind(&c.reason)
    .bind(&c.correction)
    .bind(&c.closed_by)
    .bind(&c.closing_org_id)
    .bind(&c.closing_org_name)
    .bind(c.closed_at)
    .bind(reopening.map(|r| r.by.as_str()))
    .bind(reopening.map(|r| r.at))
    .bind(reopening.map(|r| r.note.as_str()))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_closure(conn: &mut Conn, id: &str) -> Result<Option<Closure>> {
    sqlx::query_as::<_, ClosureRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM access_closures WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(Closure::try_from)
    .transpose()
}

/// The open closures of an account or of its organisation, oldest first: what every read of
/// the account asks.
pub async fn open_closures_of(
    conn: &mut Conn,
    account_id: &str,
    org_id: Option<&str>,
) -> Result<Vec<Closure>> {
    closures(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM access_closures WHERE reopened_at IS NULL AND {OF_SUBJECT} \
             ORDER BY closed_at, id"
        )))
        .bind(account_id)
        .bind(org_id.unwrap_or(""))
        .fetch_all(conn)
        .await?,
    )
}

/// The open closure of this subject on this scope, if there is one (there is at most one).
pub async fn open_closure_on(
    conn: &mut Conn,
    subject: &ClosureSubject,
    provider_org_id: &str,
    scope: &ClosureScope,
) -> Result<Option<Closure>> {
    sqlx::query_as::<_, ClosureRecord>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM access_closures WHERE reopened_at IS NULL AND subject_kind = $1 \
         AND subject_id = $2 AND provider_org_id = $3 AND scope_kind = $4 \
         AND COALESCE(entry_id, '') = $5"
    )))
    .bind(subject.kind())
    .bind(subject.id())
    .bind(provider_org_id)
    .bind(scope.kind())
    .bind(scope.entry_id().unwrap_or(""))
    .fetch_optional(conn)
    .await?
    .map(Closure::try_from)
    .transpose()
}

/// Which closures a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side<'a> {
    /// Those on an account or its organisation (the data user's own).
    Subject {
        account_id: &'a str,
        org_id: Option<&'a str>,
    },
    /// Those an organisation made.
    ClosedBy(&'a str),
}

/// A page of closures, open ones first, then newest first.
pub async fn list_closures(
    conn: &mut Conn,
    side: Side<'_>,
    open_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<Closure>> {
    let open = if open_only {
        "AND reopened_at IS NULL"
    } else {
        ""
    };
    let page = "ORDER BY CASE WHEN reopened_at IS NULL THEN 0 ELSE 1 END, closed_at DESC, id";
    let records = match side {
        Side::Subject { account_id, org_id } => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM access_closures WHERE {OF_SUBJECT} {open} {page} \
                 LIMIT $3 OFFSET $4"
            )))
            .bind(account_id)
            .bind(org_id.unwrap_or(""))
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?
        }
        Side::ClosedBy(org) => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM access_closures WHERE closing_org_id = $1 {open} {page} \
                 LIMIT $2 OFFSET $3"
            )))
            .bind(org)
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?
        }
    };
    closures(records)
}

/// Records the reopening of an open closure; `false` when it was already reopened or does not
/// exist.
pub async fn reopen_closure(conn: &mut Conn, id: &str, reopening: &Reopening) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE access_closures SET reopened_by = $1, reopened_at = $2, correction_note = $3 \
         WHERE id = $4 AND reopened_at IS NULL",
    )
    .bind(&reopening.by)
    .bind(reopening.at)
    .bind(&reopening.note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

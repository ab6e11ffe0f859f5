//! Appending and reading events.

use gongshu_store::Conn;
use serde::Serialize;
use sm3::{Digest, Sm3};
use sqlx::{AssertSqlSafe, FromRow};

use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    /// The access decision said no.
    Denied,
    /// The command was attempted and failed (e.g. wrong password).
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// An event about to be appended.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub occurred_at: i64,
    pub actor_id: Option<&'a str>,
    pub actor_name: &'a str,
    pub org_id: Option<&'a str>,
    pub action: &'a str,
    pub outcome: Outcome,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub request_id: &'a str,
    pub client_addr: &'a str,
    pub payload: serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub occurred_at: i64,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub org_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub target_kind: String,
    pub target_id: String,
    pub request_id: String,
    pub client_addr: String,
    pub payload: String,
    pub payload_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event should carry, recomputed from its fields.
    pub fn expected_hash(&self) -> String {
        let canonical = serde_json::to_string(&(
            self.seq,
            self.occurred_at,
            &self.actor_id,
            &self.actor_name,
            &self.org_id,
            &self.action,
            &self.outcome,
            &self.target_kind,
            &self.target_id,
            &self.request_id,
            &self.client_addr,
            &self.payload_digest,
            &self.prev_hash,
        ))
        .expect("tuples of strings and integers serialise");
        sm3_hex(canonical.as_bytes())
    }
}

pub(crate) fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

/// Appends one event inside the caller's transaction. The first statement locks the chain head
/// row, so concurrent appenders queue behind each other and never fork the chain.
pub async fn append(conn: &mut Conn, event: &NewEvent<'_>) -> Result<AuditEvent> {
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *conn)
            .await?;
    let payload = event.payload.to_string();
    let mut stored = AuditEvent {
        seq,
        occurred_at: event.occurred_at,
        actor_id: event.actor_id.map(str::to_owned),
        actor_name: event.actor_name.to_owned(),
        org_id: event.org_id.map(str::to_owned),
        action: event.action.to_owned(),
        outcome: event.outcome.as_str().to_owned(),
        target_kind: event.target_kind.to_owned(),
        target_id: event.target_id.to_owned(),
        request_id: event.request_id.to_owned(),
        client_addr: event.client_addr.to_owned(),
        payload_digest: sm3_hex(payload.as_bytes()),
        payload,
        prev_hash,
        hash: String::new(),
    };
    stored.hash = stored.expected_hash();
    sqlx::query(
        "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_name, org_id, action, \
         outcome, target_kind, target_id, request_id, client_addr, payload, payload_digest, \
         prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(stored.seq)
    .bind(stored.occurred_at)
    .bind(&stored.actor_id)
    .bind(&stored.actor_name)
    .bind(&stored.org_id)
    .bind(&stored.action)
    .bind(&stored.outcome)
    .bind(&stored.target_kind)
    .bind(&stored.target_id)
    .bind(&stored.request_id)
    .bind(&stored.client_addr)
    .bind(&stored.payload)
    .bind(&stored.payload_digest)
    .bind(&stored.prev_hash)
    .bind(&stored.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&stored.hash)
        .execute(&mut *conn)
        .await?;
    Ok(stored)
}

/// Filter for listing; every field narrows, `None` means any.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub actor: Option<String>,
    pub org_id: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Keyset cursor: only events with a smaller sequence number (newest first).
    pub before_seq: Option<i64>,
}

pub(crate) const COLUMNS: &str = "seq, occurred_at, actor_id, actor_name, org_id, action, \
     outcome, target_kind, target_id, request_id, client_addr, payload, payload_digest, \
     prev_hash, hash";

/// Newest first, at most `limit` events.
pub async fn list_events(
    conn: &mut Conn,
    filter: &EventFilter,
    limit: i64,
) -> Result<Vec<AuditEvent>> {
    // Actions are lower-case names; lower-casing the prefix makes the filter answer alike on
    // SQLite (case-insensitive LIKE) and PostgreSQL (case-sensitive LIKE).
    let action_pattern = filter
        .action
        .as_ref()
        .map(|a| format!("{}%", a.to_lowercase()));
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_events WHERE \
         ($1 IS NULL OR actor_name = $1 OR actor_id = $1) \
         AND ($2 IS NULL OR org_id = $2) \
         AND ($3 IS NULL OR action LIKE $3) \
         AND ($4 IS NULL OR outcome = $4) \
         AND ($5 IS NULL OR target_kind = $5) \
         AND ($6 IS NULL OR target_id = $6) \
         AND ($7 IS NULL OR occurred_at >= $7) \
         AND ($8 IS NULL OR occurred_at < $8) \
         AND ($9 IS NULL OR seq < $9) \
         ORDER BY seq DESC LIMIT $10"
    )))
    .bind(&filter.actor)
    .bind(&filter.org_id)
    .bind(&action_pattern)
    .bind(&filter.outcome)
    .bind(&filter.target_kind)
    .bind(&filter.target_id)
    .bind(filter.from)
    .bind(filter.to)
    .bind(filter.before_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

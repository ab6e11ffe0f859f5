//! Recomputing the chain: the evidence check behind `gongshu audit verify`.

use gongshu_store::Conn;
use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::events::{AuditEvent, COLUMNS, sm3_hex};
use crate::{GENESIS, Result};

/// What broke at the first broken sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakage {
    /// The event with this number is missing (removed, or renumbered away).
    Missing,
    /// The event's fields no longer produce its hash (edited, or moved to another place).
    Altered,
    /// The payload no longer matches its digest.
    PayloadAltered,
    /// The event does not point at the hash of the event before it.
    Unlinked,
    /// Events at the end of the log are gone: the chain head is ahead of the last event.
    Truncated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub events_checked: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// `None` when the chain is intact.
    pub first_broken: Option<(i64, Breakage)>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

const PAGE: i64 = 1000;

/// Walks every event up to the head read first, in sequence order and in pages so memory stays
/// bounded for a 20-year log; events appended while it walks belong to the next check.
pub async fn verify(conn: &mut Conn) -> Result<VerifyReport> {
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_owned();
    let mut checked = 0;
    let report = |checked, first_broken| VerifyReport {
        events_checked: checked,
        head_seq,
        head_hash: head_hash.clone(),
        first_broken,
    };
    loop {
        let page: Vec<AuditEvent> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq >= $1 AND seq <= $3 ORDER BY seq LIMIT $2"
        )))
        .bind(expected_seq)
        .bind(PAGE)
        .bind(head_seq)
        .fetch_all(&mut *conn)
        .await?;
        let done = (page.len() as i64) < PAGE;
        for event in page {
            if let Some(breakage) = check(&event, expected_seq, &prev_hash) {
                return Ok(report(checked, Some((expected_seq, breakage))));
            }
            checked += 1;
            expected_seq += 1;
            prev_hash = event.hash;
        }
        if done {
            break;
        }
    }
    let last = expected_seq - 1;
    if last < head_seq {
        return Ok(report(checked, Some((last + 1, Breakage::Truncated))));
    }
    if last > 0 && prev_hash != head_hash {
        // The last event was rewritten consistently with itself, but the head remembers
        // another hash: the last event is the altered one.
        return Ok(report(checked - 1, Some((last, Breakage::Altered))));
    }
    Ok(report(checked, None))
}

fn check(event: &AuditEvent, expected_seq: i64, prev_hash: &str) -> Option<Breakage> {
    if event.seq != expected_seq {
        Some(Breakage::Missing)
    } else if sm3_hex(event.payload.as_bytes()) != event.payload_digest {
        Some(Breakage::PayloadAltered)
    } else if event.expected_hash() != event.hash {
        Some(Breakage::Altered)
    } else if event.prev_hash != prev_hash {
        Some(Breakage::Unlinked)
    } else {
        None
    }
}

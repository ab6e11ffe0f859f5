//! The city catalog's submissions to the autonomous region (第八条): each kept with its package
//! and the region's answer. Lists read the record without the package; the package is read
//! alone, when someone downloads it.

use chrono::NaiveDate;
use gongshu_domain::catalog::{RecordedAnswer, RegionAnswer, RegionSubmission, SubmissionState};
use sqlx::{AssertSqlSafe, FromRow};

use crate::{Conn, Result, StoreError};

/// A submission as stored: state and dates as text.
#[derive(FromRow)]
struct SubmissionRecord {
    id: String,
    state: String,
    connector: String,
    entry_count: i64,
    package_sm3: String,
    package_bytes: i64,
    note: String,
    submitted_on: String,
    submitted_at: i64,
    submitted_by: String,
    answered_on: Option<String>,
    answered_at: Option<i64>,
    answered_by: Option<String>,
    answer_reasons: String,
}

impl TryFrom<SubmissionRecord> for RegionSubmission {
    type Error = StoreError;

    fn try_from(r: SubmissionRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: r.id.clone(),
            reason,
        };
        let date = |what: &'static str, text: &str| {
            text.parse::<NaiveDate>()
                .map_err(|e| bad(what, format!("`{text}`: {e}")))
        };
        let state = SubmissionState::parse(&r.state)
            .ok_or_else(|| bad("region submission state", r.state.clone()))?;
        let submitted_on = date("region submission date", &r.submitted_on)?;
        let answer = match (
            state,
            r.answered_on.as_deref(),
            r.answered_at,
            &r.answered_by,
        ) {
            (SubmissionState::Submitted, None, None, None) => None,
            (
                SubmissionState::Accepted | SubmissionState::Returned,
                Some(on),
                Some(at),
                Some(by),
            ) => Some(RecordedAnswer {
                answer: match state {
                    SubmissionState::Returned => RegionAnswer::Returned {
                        reasons: r.answer_reasons.clone(),
                    },
                    _ => RegionAnswer::Accepted,
                },
                on: date("region answer date", on)?,
                at,
                by: by.clone(),
            }),
            _ => {
                return Err(bad(
                    "region answer",
                    format!("state {} does not match the answer columns", r.state),
                ));
            }
        };
        Ok(RegionSubmission {
            id: r.id,
            connector: r.connector,
            entry_count: r.entry_count,
            package_sm3: r.package_sm3,
            package_bytes: r.package_bytes,
            note: r.note,
            submitted_on,
            submitted_at: r.submitted_at,
            submitted_by: r.submitted_by,
            answer,
        })
    }
}

const COLUMNS: &str = "id, state, connector, entry_count, package_sm3, package_bytes, note, \
    submitted_on, submitted_at, submitted_by, answered_on, answered_at, answered_by, \
    answer_reasons";

/// Stores a new submission (awaiting its answer) with its package.
pub async fn insert_submission(
    conn: &mut Conn,
    s: &RegionSubmission,
    package: &[u8],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO region_submissions (id, state, connector, entry_count, package, \
         package_sm3, package_bytes, note, submitted_on, submitted_at, submitted_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&s.id)
    .bind(s.state().code())
    .bind(&s.connector)
    .bind(s.entry_count)
    .bind(package)
    .bind(&s.package_sm3)
    .bind(s.package_bytes)
    .bind(&s.note)
    .bind(s.submitted_on.to_string())
    .bind(s.submitted_at)
    .bind(&s.submitted_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the answer of a submission still awaiting one. False when it was answered in the
/// meantime: of two answers recorded at once, exactly one counts.
pub async fn update_answer(conn: &mut Conn, id: &str, answer: &RecordedAnswer) -> Result<bool> {
    let (state, reasons) = match &answer.answer {
        RegionAnswer::Accepted => (SubmissionState::Accepted, ""),
        RegionAnswer::Returned { reasons } => (SubmissionState::Returned, reasons.as_str()),
    };
    let done = sqlx::query(
        "UPDATE region_submissions SET state = $2, answered_on = $3, answered_at = $4, \
         answered_by = $5, answer_reasons = $6 WHERE id = $1 AND state = $7",
    )
    .bind(id)
    .bind(state.code())
    .bind(answer.on.to_string())
    .bind(answer.at)
    .bind(&answer.by)
    .bind(reasons)
    .bind(SubmissionState::Submitted.code())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get_submission(conn: &mut Conn, id: &str) -> Result<Option<RegionSubmission>> {
    let record: Option<SubmissionRecord> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM region_submissions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    record.map(RegionSubmission::try_from).transpose()
}

/// A page of submissions, newest first, and how many there are.
pub async fn list_submissions(
    conn: &mut Conn,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RegionSubmission>, i64)> {
    let records: Vec<SubmissionRecord> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM region_submissions ORDER BY submitted_at DESC, id DESC \
         LIMIT $1 OFFSET $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM region_submissions")
        .fetch_one(conn)
        .await?;
    let page = records
        .into_iter()
        .map(RegionSubmission::try_from)
        .collect::<Result<_>>()?;
    Ok((page, total))
}

/// The submission still awaiting the region's answer, if any.
pub async fn get_pending_submission(conn: &mut Conn) -> Result<Option<RegionSubmission>> {
    let record: Option<SubmissionRecord> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM region_submissions WHERE state = $1 \
         ORDER BY submitted_at DESC LIMIT 1"
    )))
    .bind(SubmissionState::Submitted.code())
    .fetch_optional(conn)
    .await?;
    record.map(RegionSubmission::try_from).transpose()
}

/// The package of a submission as it was sent.
pub async fn get_package(conn: &mut Conn, id: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT package FROM region_submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(bytes,)| bytes))
}

//! Confidentiality reviews (保密审查, 第三十四条) and the security lead they are signed by.

use gongshu_domain::confidentiality::{Checklist, Review, Subject};
use sqlx::{AssertSqlSafe, FromRow};

use crate::{Conn, Result, StoreError};

/// A review as stored: the subject as kind and id, the checklist as three flags.
#[derive(FromRow)]
struct ReviewRecord {
    id: String,
    org_id: String,
    subject_kind: String,
    subject_id: String,
    revision: Option<i64>,
    revision_submitted_at: Option<i64>,
    no_state_secret: i64,
    personal_information_protected: i64,
    legal_basis_checked: i64,
    opinion: String,
    signed_by: String,
    signed_by_name: String,
    signed_at: i64,
}

impl TryFrom<ReviewRecord> for Review {
    type Error = StoreError;

    fn try_from(r: ReviewRecord) -> Result<Self> {
        let subject = match (r.subject_kind.as_str(), r.revision, r.revision_submitted_at) {
            ("entry_revision", Some(revision), Some(submitted_at)) => Subject::EntryRevision {
                entry_id: r.subject_id,
                revision,
                submitted_at,
            },
            ("share_request", None, None) => Subject::ShareRequest {
                request_id: r.subject_id,
            },
            (kind, ..) => {
                return Err(StoreError::Corrupt {
                    what: "confidentiality review subject",
                    id: r.id,
                    reason: format!("kind `{kind}` with revision {:?}", r.revision),
                });
            }
        };
        Ok(Review {
            id: r.id,
            org_id: r.org_id,
            subject,
            checklist: Checklist {
                no_state_secret: r.no_state_secret != 0,
                personal_information_protected: r.personal_information_protected != 0,
                legal_basis_checked: r.legal_basis_checked != 0,
            },
            opinion: r.opinion,
            signed_by: r.signed_by,
            signed_by_name: r.signed_by_name,
            signed_at: r.signed_at,
        })
    }
}

const COLUMNS: &str = "id, org_id, subject_kind, subject_id, revision, revision_submitted_at, \
    no_state_secret, personal_information_protected, legal_basis_checked, opinion, signed_by, \
    signed_by_name, signed_at";

fn kind_and_id(subject: &Subject) -> (&'static str, &str, Option<i64>, Option<i64>) {
    match subject {
        Subject::EntryRevision {
            entry_id,
            revision,
            submitted_at,
        } => (
            "entry_revision",
            entry_id,
            Some(*revision),
            Some(*submitted_at),
        ),
        Subject::ShareRequest { request_id } => ("share_request", request_id, None, None),
    }
}

pub async fn insert_review(conn: &mut Conn, r: &Review) -> Result<()> {
    let (kind, subject_id, revision, submitted_at) = kind_and_id(&r.subject);
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO confidentiality_reviews ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    )))
    .bind(&r.id)
    .bind(&r.org_id)
    .bind(kind)
    .bind(subject_id)
    .bind(revision)
    .bind(submitted_at)
    .bind(i64::from(r.checklist.no_state_secret))
    .bind(i64::from(r.checklist.personal_information_protected))
    .bind(i64::from(r.checklist.legal_basis_checked))
    .bind(&r.opinion)
    .bind(&r.signed_by)
    .bind(&r.signed_by_name)
    .bind(r.signed_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The reviews of an entry, every revision, newest first.
pub async fn reviews_of_entry(conn: &mut Conn, entry_id: &str) -> Result<Vec<Review>> {
    list(conn, "entry_revision", entry_id).await
}

/// The reviews of a share request, newest first.
pub async fn reviews_of_request(conn: &mut Conn, request_id: &str) -> Result<Vec<Review>> {
    list(conn, "share_request", request_id).await
}

async fn list(conn: &mut Conn, kind: &str, subject_id: &str) -> Result<Vec<Review>> {
    let records: Vec<ReviewRecord> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM confidentiality_reviews \
         WHERE subject_kind = $1 AND subject_id = $2 ORDER BY signed_at DESC, id DESC"
    )))
    .bind(kind)
    .bind(subject_id)
    .fetch_all(conn)
    .await?;
    records.into_iter().map(Review::try_from).collect()
}

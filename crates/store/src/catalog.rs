//! Catalog entries, their revisions and data items. An entry is the stable identity (code,
//! provider); each revision is one reviewed version of its description. Published revisions
//! are never updated except to mark them superseded.

use gongshu_domain::catalog::{CountyApproval, ReviewState, Revision, Vocabulary};
use sqlx::{AssertSqlSafe, FromRow};

use crate::stored::{code, json, mode_codes, modes, to_json};
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct EntryRow {
    pub id: String,
    pub code: String,
    pub org_id: String,
    pub published_revision: Option<i64>,
    pub latest_revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A revision as stored: vocabularies as codes, lists as JSON text.
#[derive(FromRow)]
struct RevisionRecord {
    entry_id: String,
    revision: i64,
    state: String,
    scheme_version: i64,
    name: String,
    summary: String,
    category_code: String,
    grade: String,
    data_form: String,
    share_type: String,
    share_conditions: String,
    share_scope: String,
    share_modes: String,
    open_type: String,
    open_conditions: String,
    not_open_reason: Option<String>,
    legal_bases: String,
    update_frequency: String,
    departure_reason: String,
    source_org_id: Option<String>,
    collecting_dept: String,
    approving_dept: String,
    providing_dept: String,
    related_codes: String,
    change_note: String,
    created_by: String,
    created_at: i64,
    updated_at: i64,
    submitted_at: Option<i64>,
    due_date: Option<String>,
    due_provisional: i64,
    reviewer_org_id: Option<String>,
    county_reviewer_org_id: Option<String>,
    county_reviewed_at: Option<i64>,
    county_reviewed_by: Option<String>,
    reviewed_at: Option<i64>,
    reviewed_by: Option<String>,
    review_reasons: String,
    published_at: Option<i64>,
}

impl TryFrom<RevisionRecord> for Revision {
    type Error = StoreError;

    fn try_from(r: RevisionRecord) -> Result<Self> {
        let bad = |what: &'static str, reason: String| StoreError::Corrupt {
            what,
            id: format!("{}#{}", r.entry_id, r.revision),
            reason,
        };
        Ok(Revision {
            state: ReviewState::parse(&r.state)
                .ok_or_else(|| bad("catalog revision state", r.state.clone()))?,
            data_form: code(&r.data_form).map_err(|e| bad("catalog revision data form", e))?,
            share_type: code(&r.share_type).map_err(|e| bad("catalog revision share type", e))?,
            share_modes: modes(&r.share_modes)
                .map_err(|e| bad("catalog revision share modes", e))?,
            open_type: code(&r.open_type).map_err(|e| bad("catalog revision open type", e))?,
            not_open_reason: r
                .not_open_reason
                .as_deref()
                .map(code)
                .transpose()
                .map_err(|e| bad("catalog revision reason not to open", e))?,
            legal_bases: json(&r.legal_bases)
                .map_err(|e| bad("catalog revision legal bases", e))?,
            update_frequency: code(&r.update_frequency)
                .map_err(|e| bad("catalog revision update frequency", e))?,
            related_codes: json(&r.related_codes)
                .map_err(|e| bad("catalog revision related entries", e))?,
            due_provisional: r.due_provisional != 0,
            county_approval: match (
                r.county_reviewer_org_id,
                r.county_reviewed_by,
                r.county_reviewed_at,
            ) {
                (None, None, None) => None,
                (Some(org_id), Some(by), Some(at)) => Some(CountyApproval { org_id, by, at }),
                partial => {
                    return Err(bad(
                        "catalog revision county approval",
                        format!("incomplete: {partial:?}"),
                    ));
                }
            },
            entry_id: r.entry_id,
            revision: r.revision,
            scheme_version: r.scheme_version,
            departure_reason: r.departure_reason,
            name: r.name,
            summary: r.summary,
            category_code: r.category_code,
            grade: r.grade,
            share_conditions: r.share_conditions,
            share_scope: r.share_scope,
            open_conditions: r.open_conditions,
            source_org_id: r.source_org_id,
            collecting_dept: r.collecting_dept,
            approving_dept: r.approving_dept,
            providing_dept: r.providing_dept,
            change_note: r.change_note,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            submitted_at: r.submitted_at,
            due_date: r.due_date,
            reviewer_org_id: r.reviewer_org_id,
            reviewed_at: r.reviewed_at,
            reviewed_by: r.reviewed_by,
            review_reasons: r.review_reasons,
            published_at: r.published_at,
        })
    }
}

fn revisions(records: Vec<RevisionRecord>) -> Result<Vec<Revision>> {
    records.into_iter().map(Revision::try_from).collect()
}

#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub entry_id: String,
    pub revision: i64,
    pub position: i64,
    pub code: String,
    pub name: String,
    pub data_type: String,
    pub description: String,
    pub grade: String,
    pub personal: i64,
    pub sensitive_kind: Option<String>,
    pub masked: i64,
    pub element_code: Option<String>,
}

const ENTRY_COLUMNS: &str =
    "id, code, org_id, published_revision, latest_revision, created_at, updated_at";
const REVISION_COLUMNS: &str = "entry_id, revision, state, scheme_version, name, summary, \
    category_code, grade, data_form, share_type, share_conditions, share_scope, share_modes, \
    open_type, open_conditions, not_open_reason, legal_bases, update_frequency, source_org_id, \
    collecting_dept, approving_dept, providing_dept, related_codes, change_note, created_by, \
    created_at, updated_at, submitted_at, due_date, due_provisional, reviewer_org_id, \
    county_reviewer_org_id, county_reviewed_at, county_reviewed_by, reviewed_at, reviewed_by, \
    review_reasons, published_at, departure_reason";
const ITEM_COLUMNS: &str = "entry_id, revision, position, code, name, data_type, description, \
    grade, personal, sensitive_kind, masked, element_code";

/// Hands out the next sequence number of a category; the row lock serialises concurrent
/// drafts so two entries never get the same code.
pub async fn next_sequence(conn: &mut Conn, category_code: &str) -> Result<i64> {
    sqlx::query(
        "INSERT INTO catalog_sequences (category_code, next_seq) VALUES ($1, 1) \
         ON CONFLICT (category_code) DO NOTHING",
    )
    .bind(category_code)
    .execute(&mut *conn)
    .await?;
    let (seq,): (i64,) = sqlx::query_as(
        "UPDATE catalog_sequences SET next_seq = next_seq + 1 WHERE category_code = $1 \
         RETURNING next_seq - 1",
    )
    .bind(category_code)
    .fetch_one(conn)
    .await?;
    Ok(seq)
}

pub async fn insert_entry(conn: &mut Conn, e: &EntryRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO catalog_entries ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )))
    .bind(&e.id)
    .bind(&e.code)
    .bind(&e.org_id)
    .bind(e.published_revision)
    .bind(e.latest_revision)
    .bind(e.created_at)
    .bind(e.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_entry_pointers(
    conn: &mut Conn,
    id: &str,
    published_revision: Option<i64>,
    latest_revision: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE catalog_entries SET published_revision = $2, latest_revision = $3, \
         updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(published_revision)
    .bind(latest_revision)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_entry_by_code(conn: &mut Conn, code: &str) -> Result<Option<EntryRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM catalog_entries WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(conn)
    .await?)
}

pub async fn get_entry_by_id(conn: &mut Conn, id: &str) -> Result<Option<EntryRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM catalog_entries WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn list_entries(conn: &mut Conn) -> Result<Vec<EntryRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM catalog_entries ORDER BY code"
    )))
    .fetch_all(conn)
    .await?)
}

pub async fn insert_revision(conn: &mut Conn, r: &Revision) -> Result<()> {
    let placeholders: Vec<String> = (1..=39).map(|i| format!("${i}")).collect();
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO catalog_revisions ({REVISION_COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    )))
    .bind(&r.entry_id)
    .bind(r.revision)
    .bind(r.state.code())
    .bind(r.scheme_version)
    .bind(&r.name)
    .bind(&r.summary)
    .bind(&r.category_code)
    .bind(&r.grade)
    .bind(r.data_form.code())
    .bind(r.share_type.code())
    .bind(&r.share_conditions)
    .bind(&r.share_scope)
    .bind(mode_codes(&r.share_modes))
    .bind(r.open_type.code())
    .bind(&r.open_conditions)
    .bind(r.not_open_reason.map(|n| n.code()))
    .bind(to_json(&r.legal_bases))
    .bind(r.update_frequency.code())
    .bind(&r.source_org_id)
    .bind(&r.collecting_dept)
    .bind(&r.approving_dept)
    .bind(&r.providing_dept)
    .bind(to_json(&r.related_codes))
    .bind(&r.change_note)
    .bind(&r.created_by)
    .bind(r.created_at)
    .bind(r.updated_at)
    .bind(r.submitted_at)
    .bind(&r.due_date)
    .bind(i64::from(r.due_provisional))
    .bind(&r.reviewer_org_id)
    .bind(r.county_approval.as_ref().map(|a| &a.org_id))
    .bind(r.county_approval.as_ref().map(|a| a.at))
    .bind(r.county_approval.as_ref().map(|a| &a.by))
    .bind(r.reviewed_at)
    .bind(&r.reviewed_by)
    .bind(&r.review_reasons)
    .bind(r.published_at)
    .bind(&r.departure_reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a revision (only ever called for draft or returned revisions, or to record a
/// workflow step); the caller checked the state machine.
pub async fn replace_revision(conn: &mut Conn, r: &Revision) -> Result<()> {
    sqlx::query("DELETE FROM catalog_items WHERE entry_id = $1 AND revision = $2")
        .bind(&r.entry_id)
        .bind(r.revision)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM catalog_revisions WHERE entry_id = $1 AND revision = $2")
        .bind(&r.entry_id)
        .bind(r.revision)
        .execute(&mut *conn)
        .await?;
    insert_revision(conn, r).await
}

/// Moves a revision from `from_state` to `r.state` with its review facts. False when the
/// revision was no longer in `from_state` (someone else decided first): exactly one of two
/// concurrent decisions takes effect.
pub async fn update_revision_state(
    conn: &mut Conn,
    r: &Revision,
    from_state: ReviewState,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE catalog_revisions SET state = $3, updated_at = $4, submitted_at = $5, \
         due_date = $6, due_provisional = $7, reviewer_org_id = $8, reviewed_at = $9, \
         reviewed_by = $10, review_reasons = $11, published_at = $12, \
         county_reviewer_org_id = $14, county_reviewed_at = $15, county_reviewed_by = $16 \
         WHERE entry_id = $1 AND revision = $2 AND state = $13",
    )
    .bind(&r.entry_id)
    .bind(r.revision)
    .bind(r.state.code())
    .bind(r.updated_at)
    .bind(r.submitted_at)
    .bind(&r.due_date)
    .bind(i64::from(r.due_provisional))
    .bind(&r.reviewer_org_id)
    .bind(r.reviewed_at)
    .bind(&r.reviewed_by)
    .bind(&r.review_reasons)
    .bind(r.published_at)
    .bind(from_state.code())
    .bind(r.county_approval.as_ref().map(|a| &a.org_id))
    .bind(r.county_approval.as_ref().map(|a| a.at))
    .bind(r.county_approval.as_ref().map(|a| &a.by))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get_revision(
    conn: &mut Conn,
    entry_id: &str,
    revision: i64,
) -> Result<Option<Revision>> {
    let record: Option<RevisionRecord> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {REVISION_COLUMNS} FROM catalog_revisions WHERE entry_id = $1 AND revision = $2"
    )))
    .bind(entry_id)
    .bind(revision)
    .fetch_optional(conn)
    .await?;
    record.map(Revision::try_from).transpose()
}

/// The revision in force: the published one, if the entry has been published.
pub async fn get_published_revision(conn: &mut Conn, entry: &EntryRow) -> Result<Option<Revision>> {
    match entry.published_revision {
        Some(revision) => get_revision(conn, &entry.id, revision).await,
        None => Ok(None),
    }
}

pub async fn list_revisions(conn: &mut Conn, entry_id: &str) -> Result<Vec<Revision>> {
    revisions(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REVISION_COLUMNS} FROM catalog_revisions WHERE entry_id = $1 \
             ORDER BY revision"
        )))
        .bind(entry_id)
        .fetch_all(conn)
        .await?,
    )
}

/// A page of the codes of published entries that are open (conditionally or not), in code
/// order: what the harvest interfaces (CKAN, DCAT-AP) list.
pub async fn list_open_codes(conn: &mut Conn, offset: i64, limit: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT e.code FROM catalog_entries e JOIN catalog_revisions r \
         ON r.entry_id = e.id AND r.revision = e.published_revision \
         WHERE {} ORDER BY e.code LIMIT $1 OFFSET $2",
        crate::objections::OPEN_NOW
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?)
}

/// How many published entries are open (conditionally or not).
pub async fn count_open(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM catalog_entries e JOIN catalog_revisions r \
         ON r.entry_id = e.id AND r.revision = e.published_revision WHERE {}",
        crate::objections::OPEN_NOW
    )))
    .fetch_one(conn)
    .await?)
}

/// Revisions an authority must decide (its review desk): submitted to it, or — for the city
/// authority — approved by a county and reported to it, earliest due first.
pub async fn list_revisions_awaiting(
    conn: &mut Conn,
    reviewer_org_id: &str,
) -> Result<Vec<Revision>> {
    revisions(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REVISION_COLUMNS} FROM catalog_revisions WHERE state IN ($1, $2) \
             AND reviewer_org_id = $3 ORDER BY due_date, entry_id"
        )))
        .bind(ReviewState::Submitted.code())
        .bind(ReviewState::CountyApproved.code())
        .bind(reviewer_org_id)
        .fetch_all(conn)
        .await?,
    )
}

/// Revisions a county authority approved that still await the authority above it (第八条).
pub async fn list_revisions_reported_by(
    conn: &mut Conn,
    county_reviewer_org_id: &str,
) -> Result<Vec<Revision>> {
    revisions(
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REVISION_COLUMNS} FROM catalog_revisions WHERE state = $1 \
             AND county_reviewer_org_id = $2 ORDER BY due_date, entry_id"
        )))
        .bind(ReviewState::CountyApproved.code())
        .bind(county_reviewer_org_id)
        .fetch_all(conn)
        .await?,
    )
}

pub async fn insert_items(conn: &mut Conn, items: &[ItemRow]) -> Result<()> {
    for i in items {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO catalog_items ({ITEM_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(&i.entry_id)
        .bind(i.revision)
        .bind(i.position)
        .bind(&i.code)
        .bind(&i.name)
        .bind(&i.data_type)
        .bind(&i.description)
        .bind(&i.grade)
        .bind(i.personal)
        .bind(&i.sensitive_kind)
        .bind(i.masked)
        .bind(&i.element_code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn list_items(conn: &mut Conn, entry_id: &str, revision: i64) -> Result<Vec<ItemRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ITEM_COLUMNS} FROM catalog_items WHERE entry_id = $1 AND revision = $2 \
         ORDER BY position"
    )))
    .bind(entry_id)
    .bind(revision)
    .fetch_all(conn)
    .await?)
}

/// Published entries whose items collect a data element: (entry code, org id, item name).
pub async fn list_published_collectors(
    conn: &mut Conn,
    element_code: &str,
) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT e.code, e.org_id, i.name FROM catalog_items i \
         JOIN catalog_entries e ON e.id = i.entry_id AND e.published_revision = i.revision \
         WHERE i.element_code = $1 ORDER BY e.code",
    )
    .bind(element_code)
    .fetch_all(conn)
    .await?)
}

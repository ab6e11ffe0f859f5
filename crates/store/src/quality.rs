//! Data quality (H11, H12): the quality rules owner agencies add to their items, and what the
//! overdue-update list needs to know of every published entry.

use gongshu_domain::catalog::UpdateFrequency;
use sqlx::{AssertSqlSafe, FromRow};

use crate::stored::code;
use crate::{Conn, Result, StoreError};

/// One quality rule on one item of an entry. Unique per (entry, item, kind).
#[derive(Debug, Clone, FromRow)]
pub struct QualityRuleRow {
    pub id: String,
    pub entry_id: String,
    pub item_code: String,
    pub kind: String,
    /// JSON of the validated rule (`{"kind": …, …parameters}`).
    pub params: String,
    pub created_by: String,
    pub created_at: i64,
}

const RULE_COLUMNS: &str = "id, entry_id, item_code, kind, params, created_by, created_at";

/// Inserts a rule; a second rule of the same kind on the same item is `Duplicate`.
pub async fn insert_rule(conn: &mut Conn, r: &QualityRuleRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO quality_rules ({RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )))
    .bind(&r.id)
    .bind(&r.entry_id)
    .bind(&r.item_code)
    .bind(&r.kind)
    .bind(&r.params)
    .bind(&r.created_by)
    .bind(r.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The rules of an entry, by item then kind.
pub async fn list_rules(conn: &mut Conn, entry_id: &str) -> Result<Vec<QualityRuleRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {RULE_COLUMNS} FROM quality_rules WHERE entry_id = $1 ORDER BY item_code, kind"
    )))
    .bind(entry_id)
    .fetch_all(conn)
    .await?)
}

pub async fn get_rule(conn: &mut Conn, entry_id: &str, id: &str) -> Result<Option<QualityRuleRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {RULE_COLUMNS} FROM quality_rules WHERE entry_id = $1 AND id = $2"
    )))
    .bind(entry_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Deletes a rule; false when there was none (someone deleted it first).
pub async fn delete_rule(conn: &mut Conn, entry_id: &str, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM quality_rules WHERE entry_id = $1 AND id = $2")
        .bind(entry_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A published entry as the overdue-update list (H12) sees it: its frequency, when it was
/// published, and when its current version (committed, not withdrawn; a held version does
/// not count) came into force.
#[derive(Debug, Clone)]
pub struct FreshnessRow {
    pub entry_id: String,
    pub code: String,
    pub org_id: String,
    pub name: String,
    pub update_frequency: UpdateFrequency,
    pub published_at: Option<i64>,
    pub last_version: Option<i64>,
    pub last_uploaded_at: Option<i64>,
}

#[derive(FromRow)]
struct FreshnessRecord {
    entry_id: String,
    code: String,
    org_id: String,
    name: String,
    update_frequency: String,
    published_at: Option<i64>,
    last_version: Option<i64>,
    last_uploaded_at: Option<i64>,
}

impl TryFrom<FreshnessRecord> for FreshnessRow {
    type Error = StoreError;

    fn try_from(r: FreshnessRecord) -> Result<Self> {
        Ok(FreshnessRow {
            update_frequency: code(&r.update_frequency).map_err(|reason| StoreError::Corrupt {
                what: "catalog revision update frequency",
                id: r.code.clone(),
                reason,
            })?,
            entry_id: r.entry_id,
            code: r.code,
            org_id: r.org_id,
            name: r.name,
            published_at: r.published_at,
            last_version: r.last_version,
            last_uploaded_at: r.last_uploaded_at,
        })
    }
}

/// Every published entry with the time its current version came into force (uploaded, or
/// confirmed if it was held), in code order. One query for the whole city: the list is
/// computed, not stored (deadlines are a query, DESIGN principle 4).
pub async fn list_freshness(conn: &mut Conn) -> Result<Vec<FreshnessRow>> {
    let records: Vec<FreshnessRecord> = sqlx::query_as(
        "SELECT e.id AS entry_id, e.code, e.org_id, r.name, r.update_frequency, r.published_at, \
                v.version AS last_version, \
                COALESCE(v.confirmed_at, v.uploaded_at) AS last_uploaded_at \
         FROM catalog_entries e \
         JOIN catalog_revisions r ON r.entry_id = e.id AND r.revision = e.published_revision \
         LEFT JOIN data_versions v ON v.entry_id = e.id AND v.withdrawn_at IS NULL \
              AND v.state = 'committed' \
              AND v.version = (SELECT MAX(w.version) FROM data_versions w \
                               WHERE w.entry_id = e.id AND w.withdrawn_at IS NULL \
                                 AND w.state = 'committed') \
         ORDER BY e.code",
    )
    .fetch_all(conn)
    .await?;
    records.into_iter().map(FreshnessRow::try_from).collect()
}

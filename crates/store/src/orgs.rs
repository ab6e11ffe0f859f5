//! Organisations repository.

use sqlx::FromRow;

use sqlx::AssertSqlSafe;

use crate::{Conn, Result};

#[derive(Debug, Clone, FromRow)]
pub struct OrgRow {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub level: String,
    pub name: String,
    pub credit_code: String,
    pub liaison_name: String,
    pub liaison_phone: String,
    pub liaison_email: String,
    /// The head (主要负责人): the first person responsible for data security (第三十三条).
    pub head_name: String,
    /// The account that signs confidentiality reviews (安全管理责任人, 第三十四条).
    pub security_lead_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, parent_id, kind, level, name, credit_code, liaison_name, \
                       liaison_phone, liaison_email, head_name, security_lead_id, created_at, \
                       updated_at";

pub async fn insert_org(conn: &mut Conn, org: &OrgRow) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO organisations ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    )))
    .bind(&org.id)
    .bind(&org.parent_id)
    .bind(&org.kind)
    .bind(&org.level)
    .bind(&org.name)
    .bind(&org.credit_code)
    .bind(&org.liaison_name)
    .bind(&org.liaison_phone)
    .bind(&org.liaison_email)
    .bind(&org.head_name)
    .bind(&org.security_lead_id)
    .bind(org.created_at)
    .bind(org.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_org(conn: &mut Conn, org: &OrgRow) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE organisations SET parent_id = $2, kind = $3, level = $4, name = $5, \
         credit_code = $6, liaison_name = $7, liaison_phone = $8, liaison_email = $9, \
         head_name = $10, security_lead_id = $11, updated_at = $12 WHERE id = $1",
    )
    .bind(&org.id)
    .bind(&org.parent_id)
    .bind(&org.kind)
    .bind(&org.level)
    .bind(&org.name)
    .bind(&org.credit_code)
    .bind(&org.liaison_name)
    .bind(&org.liaison_phone)
    .bind(&org.liaison_email)
    .bind(&org.head_name)
    .bind(&org.security_lead_id)
    .bind(org.updated_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get_org(conn: &mut Conn, id: &str) -> Result<Option<OrgRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM organisations WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// All organisations in tree order (parents before children, then by name). A city has a few
/// hundred bodies, so the tree is read whole and paged by the caller.
pub async fn list_orgs(conn: &mut Conn) -> Result<Vec<OrgRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM organisations ORDER BY created_at, name"
    )))
    .fetch_all(conn)
    .await?)
}

pub async fn count_orgs(conn: &mut Conn) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM organisations")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

/// Children and member accounts: an organisation with either cannot be deleted.
pub async fn count_dependents(conn: &mut Conn, id: &str) -> Result<(i64, i64)> {
    let (children,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM organisations WHERE parent_id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let (accounts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE org_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((children, accounts))
}

pub async fn delete_org(conn: &mut Conn, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM organisations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

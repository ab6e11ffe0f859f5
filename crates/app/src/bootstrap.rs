//! Setting up a new platform (初始化): the organisations and accounts of a city written into an
//! empty database in one transaction, each with its audit event, and what a database already
//! holds, so a seeder (the demo city, a test fixture) can seed once and never twice.
//!
//! These are commands for the operator's tools, not for any web door: nobody is signed in on
//! an empty platform, so the actor is the tool (`system:<tool>`), and the command refuses to
//! touch a database that already has an organisation.

use std::collections::HashMap;

use gongshu_audit::Outcome;
use gongshu_domain::{CreditCode, OrgKind, OrgLevel, Role};
use gongshu_store::accounts::{self, AccountRow};
use gongshu_store::orgs::{self, OrgRow};
use gongshu_store::{catalog, sharing};
use serde_json::json;

use crate::identity::hash_password_blocking;
use crate::record::{Change, Who, append};
use crate::{App, AppError, RequestMeta, Result};

/// How much a database already holds, by what a seeder creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inventory {
    pub organisations: usize,
    /// Catalog entries in any state, drafts included.
    pub entries: usize,
    /// Share requests in any state.
    pub share_requests: usize,
}

/// Counts what the database holds (see [`Inventory`]).
pub async fn inventory(app: &App) -> Result<Inventory> {
    let mut conn = app.db.acquire().await?;
    Ok(Inventory {
        organisations: usize::try_from(orgs::count_orgs(&mut conn).await?).unwrap_or(usize::MAX),
        entries: catalog::list_entries(&mut conn).await?.len(),
        share_requests: sharing::list_all_requests(&mut conn).await?.len(),
    })
}

/// One organisation of a new platform; `key` names it within the directory (parents and
/// accounts refer to it), and a parent comes before its children.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub key: String,
    pub parent: Option<String>,
    pub kind: OrgKind,
    pub level: OrgLevel,
    pub name: String,
    pub credit_code: CreditCode,
    pub liaison_name: String,
    pub liaison_phone: String,
}

/// Who an account of a new platform is: staff of an organisation of the directory, or a
/// member of the public (a person or a company, by citizen ID or credit code).
#[derive(Debug, Clone)]
pub enum Member {
    Staff { org: String, role: Role },
    Public { kind: PublicKind, subject: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKind {
    Person,
    Company,
}

impl PublicKind {
    fn as_str(self) -> &'static str {
        match self {
            PublicKind::Person => "person",
            PublicKind::Company => "company",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub member: Member,
}

/// The organisations and accounts of a new platform; every account gets `password`, which
/// must satisfy the security policy.
#[derive(Debug, Clone)]
pub struct Directory {
    /// The tool acting, recorded as `system:<tool>` in the audit log.
    pub tool: &'static str,
    pub orgs: Vec<NewOrg>,
    pub accounts: Vec<NewAccount>,
    pub password: String,
}

/// Creates `directory` in one transaction with an audit event per organisation and account.
/// Returns false, creating nothing, when the database already has an organisation.
pub async fn create_directory(app: &App, directory: Directory) -> Result<bool> {
    let mut conn = app.db.acquire().await?;
    let empty = orgs::count_orgs(&mut conn).await? == 0;
    drop(conn);
    if !empty {
        return Ok(false);
    }
    let policy = crate::security_policy::current(app).await?;
    gongshu_domain::password::check_password(&policy, "", &directory.password)?;
    // One hash for every account: they share the password, and hashing each would slow every
    // start of the demo and every test.
    let password = directory.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;

    let tool = format!("system:{}", directory.tool);
    let meta = RequestMeta {
        request_id: format!("{}-{}", directory.tool, uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let who = Who {
        id: None,
        name: &tool,
        org: None,
    };
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    let mut ids: HashMap<&str, String> = HashMap::new();
    for org in &directory.orgs {
        let parent_id = match &org.parent {
            None => None,
            Some(key) => Some(ids.get(key.as_str()).cloned().ok_or_else(|| {
                AppError::Internal(format!("organisation {key} is not before its children"))
            })?),
        };
        let id = uuid::Uuid::now_v7().to_string();
        let row = OrgRow {
            id: id.clone(),
            parent_id,
            kind: org.kind.as_str().into(),
            level: org.level.as_str().into(),
            name: org.name.clone(),
            credit_code: org.credit_code.to_string(),
            liaison_name: org.liaison_name.clone(),
            liaison_phone: org.liaison_phone.clone(),
            liaison_email: String::new(),
            head_name: String::new(),
            security_lead_id: None,
            created_at: now,
            updated_at: now,
        };
        orgs::insert_org(&mut tx, &row).await?;
        let change = Change {
            action: "create_organisation",
            target_kind: "organisation",
            target_id: &id,
            payload: json!({ "name": row.name, "kind": row.kind, "level": row.level, "credit_code": row.credit_code, "parent_id": row.parent_id }),
        };
        append(app, &mut tx, &meta, who, Outcome::Success, change).await?;
        ids.insert(&org.key, id);
    }
    for account in &directory.accounts {
        let id = uuid::Uuid::now_v7().to_string();
        let (org_id, subject_kind, subject_id, role) = match &account.member {
            Member::Staff { org, role } => {
                let org_id = ids.get(org.as_str()).cloned().ok_or_else(|| {
                    AppError::Internal(format!("organisation {org} is not in the directory"))
                })?;
                (Some(org_id), "staff", None, *role)
            }
            Member::Public { kind, subject } => {
                (None, kind.as_str(), Some(subject.clone()), Role::Public)
            }
        };
        let row = AccountRow {
            id: id.clone(),
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            org_id,
            subject_kind: subject_kind.into(),
            subject_id,
            phone: String::new(),
            password_hash: hash.clone(),
            status: "active".into(),
            password_changed_at: now,
            created_at: now,
            updated_at: now,
        };
        accounts::insert_account(&mut tx, &row).await?;
        accounts::insert_role(&mut tx, &id, role.as_str(), None, now).await?;
        let change = match account.member {
            Member::Staff { .. } => Change {
                action: "create_account",
                target_kind: "account",
                target_id: &id,
                payload: json!({ "username": row.username, "display_name": row.display_name, "org_id": row.org_id, "role": role }),
            },
            Member::Public { .. } => Change {
                action: "register_public",
                target_kind: "account",
                target_id: &id,
                payload: json!({ "username": row.username, "subject_kind": subject_kind }),
            },
        };
        append(app, &mut tx, &meta, who, Outcome::Success, change).await?;
    }
    tx.commit().await?;
    Ok(true)
}

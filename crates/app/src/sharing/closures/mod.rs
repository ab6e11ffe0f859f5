//! Closures (暂时关闭访问权限, H41): the source agency temporarily closes a data user's access to
//! its own data, one entry or all of it, and demands a correction (督促改正); an authority does
//! the same for the data of the organisations under it (a county authority its county, the
//! city authority the city). When the user has corrected, the organisation that closed reopens
//! access with a note on the correction. A closure is not a revocation: the user's grants stay
//! as they are and every other one still reads; the read decision (`domain::access`) refuses
//! the covered reads with `access_closed`, naming who closed and the correction demanded.
//!
//! The subject is an account or an organisation, so an open-data user's account (and later an
//! application unit) can be closed out the same way once the open-data portal gives them
//! grants.

mod close;
mod list;
mod page;
mod reopen;

use std::collections::HashMap;

use gongshu_domain::closure::{Closure, ClosureScope, ClosureSubject};
use gongshu_store::orgs::OrgRow;
use gongshu_store::{Conn, accounts, catalog};
use serde::Serialize;

use crate::catalog::scope::org_map;
use crate::{AppError, Result, format_time};

pub use close::{CloseInput, close_access};
pub use list::{ClosureSide, list_closures};
pub use page::{CloseNamed, ClosuresPage, close_named, closures_page};
pub use reopen::{ReopenInput, reopen_access};

/// A closure as its subject and its closer see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosureView {
    pub id: String,
    /// `account` or `organisation`.
    pub subject_kind: String,
    pub subject_kind_zh: &'static str,
    pub subject_id: String,
    /// The account's `user name（display name）` or the organisation's name.
    pub subject_name: String,
    /// `entry`: one entry; `provider`: every entry of the provider.
    pub scope: String,
    pub entry_code: Option<String>,
    pub entry_name: Option<String>,
    pub provider_org_id: String,
    pub provider_name: String,
    /// The misuse found.
    pub reason: String,
    /// What the user must correct before access reopens (督促改正).
    pub correction: String,
    pub closed_by: String,
    pub closing_org_id: String,
    pub closing_org_name: String,
    pub closed_at: String,
    /// Access is closed now.
    pub open: bool,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<String>,
    /// What the user corrected, as the closer recorded it on reopening.
    pub correction_note: Option<String>,
}

/// Names for showing closures: organisations, accounts and entries, each looked up once.
struct Names {
    orgs: HashMap<String, OrgRow>,
    accounts: HashMap<String, String>,
    /// Entry id → (code, published name).
    entries: HashMap<String, (String, String)>,
}

impl Names {
    async fn load(conn: &mut Conn) -> Result<Self> {
        Ok(Self {
            orgs: org_map(conn).await?,
            accounts: HashMap::new(),
            entries: HashMap::new(),
        })
    }

    fn org(&self, id: &str) -> String {
        self.orgs
            .get(id)
            .map_or_else(|| id.to_owned(), |o| o.name.clone())
    }

    async fn subject(&mut self, conn: &mut Conn, subject: &ClosureSubject) -> Result<String> {
        let id = subject.id();
        Ok(match subject {
            ClosureSubject::Organisation(_) => self.org(id),
            ClosureSubject::Account(_) => {
                if !self.accounts.contains_key(id) {
                    let name = accounts::get_account(conn, id).await?.map_or_else(
                        || id.to_owned(),
                        |a| format!("{}（{}）", a.username, a.display_name),
                    );
                    self.accounts.insert(id.to_owned(), name);
                }
                self.accounts[id].clone()
            }
        })
    }

    async fn entry(&mut self, conn: &mut Conn, id: &str) -> Result<(String, String)> {
        if !self.entries.contains_key(id) {
            let entry = catalog::get_entry_by_id(conn, id)
                .await?
                .ok_or_else(|| AppError::Internal(format!("closure of a missing entry {id}")))?;
            let name = catalog::get_published_revision(conn, &entry)
                .await?
                .map(|r| r.name)
                .unwrap_or_default();
            self.entries.insert(id.to_owned(), (entry.code, name));
        }
        Ok(self.entries[id].clone())
    }
}

async fn views(conn: &mut Conn, closures: Vec<Closure>) -> Result<Vec<ClosureView>> {
    let mut names = Names::load(conn).await?;
    let mut out = Vec::with_capacity(closures.len());
    for c in closures {
        out.push(view(conn, &mut names, c).await?);
    }
    Ok(out)
}

async fn view(conn: &mut Conn, names: &mut Names, c: Closure) -> Result<ClosureView> {
    let subject_name = names.subject(conn, &c.subject).await?;
    let entry = match &c.scope {
        ClosureScope::Entry(id) => Some(names.entry(conn, id).await?),
        ClosureScope::Provider => None,
    };
    let (entry_code, entry_name) = entry.unzip();
    let reopening = c.reopening.clone();
    Ok(ClosureView {
        open: c.is_open(),
        subject_kind: c.subject.kind().to_owned(),
        subject_kind_zh: c.subject.kind_zh(),
        subject_id: c.subject.id().to_owned(),
        subject_name,
        scope: c.scope.kind().to_owned(),
        entry_code,
        entry_name,
        provider_name: names.org(&c.provider_org_id),
        provider_org_id: c.provider_org_id,
        reason: c.reason,
        correction: c.correction,
        closed_by: c.closed_by,
        closing_org_id: c.closing_org_id,
        closing_org_name: c.closing_org_name,
        closed_at: format_time(c.closed_at),
        reopened_by: reopening.as_ref().map(|r| r.by.clone()),
        reopened_at: reopening.as_ref().map(|r| format_time(r.at)),
        correction_note: reopening.map(|r| r.note),
        id: c.id,
    })
}

/// The organisations above `org_id` (nearest first): the authorities that govern its data.
fn above(orgs: &HashMap<String, OrgRow>, org_id: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = orgs.get(org_id).and_then(|o| o.parent_id.as_ref());
    while let Some(id) = cursor {
        // A cycle in the directory would be a bug elsewhere; stop rather than loop.
        if out.contains(id) {
            break;
        }
        out.push(id.clone());
        cursor = orgs.get(id).and_then(|o| o.parent_id.as_ref());
    }
    out
}

fn closure_not_found() -> AppError {
    AppError::not_found("closure", "访问权限关闭记录")
}

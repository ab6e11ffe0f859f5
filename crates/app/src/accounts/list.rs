//! Reading accounts.

use gongshu_domain::Paging;
use std::collections::HashMap;

use gongshu_domain::{Action, Role, Target, decide};
use gongshu_store::accounts::{self, AccountFilter, AccountRow};
use gongshu_store::{login_throttle, orgs};
use serde::{Deserialize, Serialize};

use crate::record::authorize;
use crate::{App, Ctx, Result, format_time};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountFilterInput {
    /// Only accounts of this organisation.
    pub org_id: Option<String>,
    /// Part of the user name or display name.
    pub q: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Rows per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    /// staff, person or company.
    pub subject_kind: String,
    pub phone: String,
    /// active or disabled.
    pub status: String,
    /// New password logins of the account are refused from every address until then (too
    /// many failures from many addresses). Sessions and API tokens keep working.
    pub locked_until: Option<String>,
    /// New password logins from at least one address are refused until then (too many
    /// failures from that address); other addresses are not affected.
    pub throttled_until: Option<String>,
    pub roles: Vec<String>,
    pub roles_zh: Vec<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountPage {
    pub items: Vec<AccountView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Locks in force on an account's password logins: (account-wide, at some address).
pub(crate) type Locks = (Option<i64>, Option<i64>);

pub(crate) fn view(
    row: AccountRow,
    roles: Vec<String>,
    org_name: Option<String>,
    locks: Locks,
) -> AccountView {
    let roles_zh = roles
        .iter()
        .filter_map(|r| r.parse::<Role>().ok())
        .map(|r| r.zh().to_owned())
        .collect();
    AccountView {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        org_id: row.org_id,
        org_name,
        subject_kind: row.subject_kind,
        phone: row.phone,
        status: row.status,
        locked_until: locks.0.map(format_time),
        throttled_until: locks.1.map(format_time),
        roles,
        roles_zh,
        created_at: format_time(row.created_at),
    }
}

/// Lists accounts; an agency admin sees its own organisation's accounts only.
pub async fn list_accounts(
    app: &App,
    ctx: Ctx<'_>,
    filter: AccountFilterInput,
) -> Result<AccountPage> {
    let actor = &ctx.principal.actor;
    let own_org = ctx.principal.org_id.clone();
    let platform_wide = decide(actor, Action::ViewAccounts, Target::Platform).is_allowed();
    let org_id = match filter.org_id.filter(|o| !o.is_empty()) {
        Some(o) => Some(o),
        None if platform_wide => None,
        None => own_org,
    };
    match &org_id {
        Some(id) => {
            authorize(
                app,
                ctx,
                Action::ViewAccounts,
                Target::Organisation { id },
                "organisation",
                id,
            )
            .await?
        }
        None => {
            authorize(
                app,
                ctx,
                Action::ViewAccounts,
                Target::Platform,
                "account",
                "*",
            )
            .await?
        }
    }
    let paging = Paging::parse(filter.page.unwrap_or(1), filter.per_page.unwrap_or(50), 200)?;
    let (page, per_page) = (paging.page(), paging.per_page());
    let mut conn = app.db.acquire().await?;
    let store_filter = AccountFilter {
        org_id,
        query: filter
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty()),
    };
    let offset = (page - 1).saturating_mul(per_page);
    let (rows, total) = accounts::list_accounts(&mut conn, &store_filter, per_page, offset).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut roles: HashMap<String, Vec<String>> = HashMap::new();
    for (id, role) in accounts::list_roles_of(&mut conn, &ids).await? {
        roles.entry(id).or_default().push(role);
    }
    let org_names: HashMap<String, String> = orgs::list_orgs(&mut conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let usernames: Vec<String> = rows.iter().map(|r| r.username.clone()).collect();
    let mut locks: HashMap<String, Locks> =
        login_throttle::list_locks_of(&mut conn, &usernames, app.now_micros())
            .await?
            .into_iter()
            .map(|(name, account, address)| (name, (account, address)))
            .collect();
    let items = rows
        .into_iter()
        .map(|row| {
            let r = roles.remove(&row.id).unwrap_or_default();
            let org_name = row.org_id.as_ref().and_then(|o| org_names.get(o).cloned());
            let l = locks.remove(&row.username).unwrap_or_default();
            view(row, r, org_name, l)
        })
        .collect();
    Ok(AccountPage {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn get_account(app: &App, ctx: Ctx<'_>, id: &str) -> Result<AccountView> {
    let loaded = super::load(&mut *app.db.acquire().await?, id).await?;
    let org_id = loaded.row.org_id.clone().unwrap_or_default();
    authorize(
        app,
        ctx,
        Action::ViewAccounts,
        Target::Organisation { id: &org_id },
        "account",
        id,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let org_name = match &loaded.row.org_id {
        Some(o) => orgs::get_org(&mut conn, o).await?.map(|o| o.name),
        None => None,
    };
    let roles = loaded.roles.iter().map(|r| r.as_str().to_owned()).collect();
    let locks =
        login_throttle::get_locks_of(&mut conn, &loaded.row.username, app.now_micros()).await?;
    Ok(view(loaded.row, roles, org_name, locks))
}

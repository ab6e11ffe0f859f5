//! Accounts (账号): created and maintained by the system admin, given roles by the security
//! admin (三员分立). Public users register themselves (see `identity`).

mod list;
mod roles;
mod write;

pub use list::{AccountFilterInput, AccountPage, AccountView, get_account, list_accounts};
pub use roles::{grant_role, revoke_role};
pub use write::{
    CreateAccountInput, ResetPasswordInput, UpdateAccountInput, create_account, reset_password,
    set_account_status, unlock_account, update_account,
};

use gongshu_domain::{RoleSet, Target, Violation};
use gongshu_store::accounts::AccountRow;

use crate::{AppError, Result};

/// Maps a duplicate user name to a field error.
pub(crate) fn username_taken(e: gongshu_store::StoreError, username: &str) -> AppError {
    match e {
        gongshu_store::StoreError::Duplicate(_) => Violation::new(
            "username",
            "username_taken",
            format!("用户名“{username}”已被使用"),
            format!("user name {username} is taken"),
        )
        .into(),
        other => other.into(),
    }
}

/// An account with its roles, as decisions see it.
pub(crate) struct Loaded {
    pub row: AccountRow,
    pub roles: RoleSet,
}

impl Loaded {
    pub fn target(&self) -> Target<'_> {
        Target::Account {
            user_id: &self.row.id,
            org_id: self.row.org_id.as_deref(),
            roles: &self.roles,
        }
    }
}

pub(crate) async fn load(conn: &mut gongshu_store::Conn, id: &str) -> Result<Loaded> {
    let row = gongshu_store::accounts::get_account(conn, id)
        .await?
        .ok_or(AppError::not_found("account", "账号"))?;
    let roles = gongshu_store::accounts::list_roles(conn, id).await?;
    Ok(Loaded {
        row,
        roles: RoleSet::new(roles.iter().filter_map(|r| r.parse().ok())),
    })
}

/// The user name of an organisation's first agency admin, for command-line work done on the
/// organisation's behalf.
pub async fn first_admin_of(app: &crate::App, org_id: &str) -> Result<Option<String>> {
    let mut conn = app.db().acquire().await?;
    let filter = gongshu_store::accounts::AccountFilter {
        org_id: Some(org_id.to_owned()),
        query: None,
    };
    let (rows, _) = gongshu_store::accounts::list_accounts(&mut conn, &filter, 200, 0).await?;
    for row in rows {
        if gongshu_store::accounts::list_roles(&mut conn, &row.id)
            .await?
            .iter()
            .any(|r| r == "agency_admin")
        {
            return Ok(Some(row.username));
        }
    }
    Ok(None)
}

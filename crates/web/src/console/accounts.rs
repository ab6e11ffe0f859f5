//! 账号管理: accounts filtered by organisation and text; the system admin creates, edits,
//! disables, enables, unlocks accounts and resets passwords; the security admin grants and
//! revokes roles. The page shows only the buttons the viewer's roles allow; every command
//! decides again.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::accounts::{
    self, AccountFilterInput, CreateAccountInput, ResetPasswordInput, UpdateAccountInput,
};
use gongshu_domain::Role;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::forms::{Fields, FormErrors, Params, all_orgs, back_to, form_errors, staff_roles};
use super::render::{PageError, done};
use crate::state::AppState;

const PER_PAGE: i64 = 30;

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ListParams {
    org_id: String,
    q: String,
    #[serde(skip_serializing)]
    page: String,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<ListParams>,
) -> Result<Response, PageError> {
    let filter = AccountFilterInput {
        org_id: Some(q.org_id.clone()).filter(|o| !o.is_empty()),
        q: Some(q.q.clone()).filter(|t| !t.trim().is_empty()),
        page: q.page.trim().parse().ok(),
        per_page: Some(PER_PAGE),
    };
    let page = accounts::list_accounts(&state.app, viewer.ctx(), filter)
        .await
        .map_err(|e| viewer.fail(e))?;
    // Only the platform-wide viewers choose an organisation; an agency admin sees its own.
    let platform_wide = viewer.has_role(Role::SystemAdmin) || viewer.has_role(Role::SecurityAdmin);
    let orgs = if platform_wide {
        all_orgs(&state.app, viewer.ctx())
            .await
            .map_err(|e| viewer.fail(e))?
    } else {
        Vec::new()
    };
    let pages = (page.total + page.per_page - 1) / page.per_page;
    Ok(viewer.page(
        "accounts.html",
        context! {
            page => page,
            pages => pages.max(1),
            filter => q,
            orgs => orgs,
            platform_wide => platform_wide,
            may_manage => viewer.may("create_account"),
            may_grant => viewer.may("grant_role"),
            roles => staff_roles(),
        },
    ))
}

/// The fields of the create and edit forms, kept to show them again with their errors.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct AccountFields {
    username: String,
    display_name: String,
    org_id: String,
    phone: String,
    #[serde(skip_serializing)]
    password: String,
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<&accounts::AccountView>,
    fields: &AccountFields,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let orgs = all_orgs(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! { editing => editing, form => fields, orgs => orgs };
    Ok(match failed {
        None => viewer.page("account_form.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "account_form.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer.require("create_account")?;
    form_page(&state, &viewer, None, &AccountFields::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<AccountFields>,
) -> Result<Response, PageError> {
    let input = CreateAccountInput {
        username: fields.username.clone(),
        display_name: fields.display_name.clone(),
        org_id: fields.org_id.clone(),
        phone: fields.phone.clone(),
        password: fields.password.clone(),
    };
    match accounts::create_account(&state.app, viewer.ctx(), input).await {
        Ok(_) => Ok(done("/accounts", "account_created")),
        Err(e) => {
            form_page(
                &state,
                &viewer,
                None,
                &fields,
                Some(form_errors(&viewer, e)?),
            )
            .await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require("create_account")?;
    let account = accounts::get_account(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back("/accounts"))?;
    let fields = AccountFields {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        org_id: account.org_id.clone().unwrap_or_default(),
        phone: account.phone.clone(),
        password: String::new(),
    };
    form_page(&state, &viewer, Some(&account), &fields, None).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<AccountFields>,
) -> Result<Response, PageError> {
    let input = UpdateAccountInput {
        display_name: fields.display_name.clone(),
        org_id: fields.org_id.clone(),
        phone: fields.phone.clone(),
    };
    match accounts::update_account(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done("/accounts", "account_updated")),
        Err(e) => {
            let failed = form_errors(&viewer, e)?;
            let account = accounts::get_account(&state.app, viewer.ctx(), &id)
                .await
                .map_err(|e| viewer.fail(e))?;
            form_page(&state, &viewer, Some(&account), &fields, Some(failed)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordFields {
    new_password: String,
    new_password_again: String,
}

pub async fn password_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require("create_account")?;
    let account = accounts::get_account(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back("/accounts"))?;
    Ok(viewer.page("account_password.html", context! { account => account }))
}

pub async fn reset_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<PasswordFields>,
) -> Result<Response, PageError> {
    let outcome = if fields.new_password != fields.new_password_again {
        Err(FormErrors::field(
            "new_password_again",
            "两次输入的新密码不一致",
        ))
    } else {
        match accounts::reset_password(
            &state.app,
            viewer.ctx(),
            &id,
            ResetPasswordInput {
                new_password: fields.new_password,
            },
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(e) => Err(form_errors(&viewer, e)?),
        }
    };
    match outcome {
        Ok(()) => Ok(done("/accounts", "password_reset")),
        Err(failed) => {
            let account = accounts::get_account(&state.app, viewer.ctx(), &id)
                .await
                .map_err(|e| viewer.fail(e))?;
            Ok(viewer.page_with_status(
                failed.status,
                "account_password.html",
                context! { account => account, error => failed.message, errors => failed.fields },
            ))
        }
    }
}

/// The list address an action button came from, to return to after the action.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionFields {
    back: String,
    role: String,
}

pub async fn disable(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(f): Fields<ActionFields>,
) -> Result<Response, PageError> {
    let back = back_to(&f.back, "/accounts");
    accounts::set_account_status(&state.app, viewer.ctx(), &id, false)
        .await
        .map_err(|e| viewer.fail(e).back(&back))?;
    Ok(done(&back, "account_disabled"))
}

pub async fn enable(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(f): Fields<ActionFields>,
) -> Result<Response, PageError> {
    let back = back_to(&f.back, "/accounts");
    accounts::set_account_status(&state.app, viewer.ctx(), &id, true)
        .await
        .map_err(|e| viewer.fail(e).back(&back))?;
    Ok(done(&back, "account_enabled"))
}

pub async fn unlock(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(f): Fields<ActionFields>,
) -> Result<Response, PageError> {
    let back = back_to(&f.back, "/accounts");
    accounts::unlock_account(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back(&back))?;
    Ok(done(&back, "account_unlocked"))
}

pub async fn grant_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(f): Fields<ActionFields>,
) -> Result<Response, PageError> {
    let back = back_to(&f.back, "/accounts");
    accounts::grant_role(&state.app, viewer.ctx(), &id, &f.role)
        .await
        .map_err(|e| viewer.fail(e).back(&back))?;
    Ok(done(&back, "role_granted"))
}

pub async fn revoke_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, role)): Path<(String, String)>,
    Fields(f): Fields<ActionFields>,
) -> Result<Response, PageError> {
    let back = back_to(&f.back, "/accounts");
    accounts::revoke_role(&state.app, viewer.ctx(), &id, &role)
        .await
        .map_err(|e| viewer.fail(e).back(&back))?;
    Ok(done(&back, "role_revoked"))
}

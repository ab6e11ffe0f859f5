//! 机构管理: the organisation tree for every staff member; creating, editing and deleting
//! organisations for the system admin; an agency admin keeps its own liaison up to date.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::orgs::{self, LiaisonInput, OrgInput, OrgView, ResponsibilityInput};
use gongshu_domain::Role;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::forms::{Fields, FormErrors, Params, all_orgs, form_errors, org_kinds, org_levels};
use super::render::{PageError, done};
use crate::state::AppState;

const PER_PAGE: usize = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    page: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<ListParams>,
) -> Result<Response, PageError> {
    let page = orgs::list_orgs(&state.app, viewer.ctx(), q.page.unwrap_or(1), PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    let pages = page.total.div_ceil(page.per_page).max(1);
    Ok(viewer.page(
        "orgs.html",
        context! {
            page => page,
            pages => pages,
            may_manage => viewer.has_role(Role::SystemAdmin),
            may_liaison => viewer.may("update_liaison"),
            own_org => viewer.principal.org_id,
        },
    ))
}

/// The fields of the organisation form, kept to show them again with their errors.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct OrgFields {
    parent_id: String,
    kind: String,
    level: String,
    name: String,
    credit_code: String,
    liaison_name: String,
    liaison_phone: String,
    liaison_email: String,
}

impl OrgFields {
    fn input(&self) -> OrgInput {
        OrgInput {
            parent_id: Some(self.parent_id.clone()).filter(|p| !p.trim().is_empty()),
            kind: self.kind.clone(),
            level: self.level.clone(),
            name: self.name.clone(),
            credit_code: self.credit_code.clone(),
            liaison_name: self.liaison_name.clone(),
            liaison_phone: self.liaison_phone.clone(),
            liaison_email: self.liaison_email.clone(),
        }
    }

    fn of(org: &OrgView) -> Self {
        Self {
            parent_id: org.parent_id.clone().unwrap_or_default(),
            kind: org.kind.clone(),
            level: org.level.clone(),
            name: org.name.clone(),
            credit_code: org.credit_code.clone(),
            liaison_name: org.liaison_name.clone(),
            liaison_phone: org.liaison_phone.clone(),
            liaison_email: org.liaison_email.clone(),
        }
    }
}

/// The create or edit form; `editing` is the organisation being changed.
async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<&str>,
    fields: &OrgFields,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let parents = all_orgs(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! {
        editing => editing,
        form => fields,
        parents => parents,
        kinds => org_kinds(),
        levels => org_levels(),
    };
    Ok(match failed {
        None => viewer.page("org_form.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "org_form.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer.require("create_organisation")?;
    let fields = OrgFields {
        kind: "agency".into(),
        level: "city".into(),
        ..OrgFields::default()
    };
    form_page(&state, &viewer, None, &fields, None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<OrgFields>,
) -> Result<Response, PageError> {
    match orgs::create_org(&state.app, viewer.ctx(), fields.input()).await {
        Ok(_) => Ok(done("/orgs", "org_created")),
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
    viewer.require("create_organisation")?;
    let org = orgs::get_org(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back("/orgs"))?;
    form_page(&state, &viewer, Some(&id), &OrgFields::of(&org), None).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<OrgFields>,
) -> Result<Response, PageError> {
    match orgs::update_org(&state.app, viewer.ctx(), &id, fields.input()).await {
        Ok(_) => Ok(done("/orgs", "org_updated")),
        Err(e) => {
            form_page(
                &state,
                &viewer,
                Some(&id),
                &fields,
                Some(form_errors(&viewer, e)?),
            )
            .await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    orgs::delete_org(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back("/orgs"))?;
    Ok(done("/orgs", "org_deleted"))
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct LiaisonFields {
    liaison_name: String,
    liaison_phone: String,
    liaison_email: String,
}

pub async fn liaison_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require("update_liaison")?;
    let org = orgs::get_org(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back("/orgs"))?;
    let form = LiaisonFields {
        liaison_name: org.liaison_name.clone(),
        liaison_phone: org.liaison_phone.clone(),
        liaison_email: org.liaison_email.clone(),
    };
    Ok(viewer.page("org_liaison.html", context! { org => org, form => form }))
}

pub async fn update_liaison(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<LiaisonFields>,
) -> Result<Response, PageError> {
    let input = LiaisonInput {
        liaison_name: fields.liaison_name.clone(),
        liaison_phone: fields.liaison_phone.clone(),
        liaison_email: fields.liaison_email.clone(),
    };
    match orgs::update_liaison(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done("/orgs", "liaison_updated")),
        Err(e) => {
            let failed = form_errors(&viewer, e)?;
            let org = orgs::get_org(&state.app, viewer.ctx(), &id)
                .await
                .map_err(|e| viewer.fail(e))?;
            Ok(viewer.page_with_status(failed.status, "org_liaison.html", context! { org => org, form => fields, error => failed.message, errors => failed.fields }))
        }
    }
}

/// The form naming the head and the security lead (第三十三条, 第三十四条), as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ResponsibilityFields {
    head_name: String,
    security_lead_id: String,
}

pub async fn responsibility_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let page = orgs::responsibility_form(&state.app, viewer.ctx(), &id)
        .await
        .map_err(|e| viewer.fail(e).back("/orgs"))?;
    let form = ResponsibilityFields {
        head_name: page.org.head_name.clone(),
        security_lead_id: page.org.security_lead_id.clone().unwrap_or_default(),
    };
    Ok(viewer.page(
        "org_responsibility.html",
        context! { org => page.org, candidates => page.candidates, form => form },
    ))
}

pub async fn name_responsible_persons(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Fields(fields): Fields<ResponsibilityFields>,
) -> Result<Response, PageError> {
    let input = ResponsibilityInput {
        head_name: fields.head_name.clone(),
        security_lead_id: fields.security_lead_id.clone(),
    };
    match orgs::name_responsible_persons(&state.app, viewer.ctx(), &id, input).await {
        Ok(_) => Ok(done("/orgs", "responsibility_named")),
        Err(e) => {
            let failed = form_errors(&viewer, e)?;
            let page = orgs::responsibility_form(&state.app, viewer.ctx(), &id)
                .await
                .map_err(|e| viewer.fail(e))?;
            Ok(viewer.page_with_status(
                failed.status,
                "org_responsibility.html",
                context! { org => page.org, candidates => page.candidates, form => fields, error => failed.message, errors => failed.fields },
            ))
        }
    }
}

//! 编制目录: the form to draft a new entry of one's own organisation or to edit one (a draft or
//! returned revision in place, a published entry through a new revision). Every field of the
//! entry, its legal bases and its data items on one page, with the grade rules of the scheme
//! in force beside the share and open types; the command's errors come back next
//! to the inputs with everything typed kept.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::catalog::{self, EntryView};
use minijinja::context;

use super::fields::EntryFields;
use super::grade_rules::rows;
use super::labels::{choices, labels};
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, all_orgs, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

/// The form, filled with `fields`; `editing` is the entry's latest revision when editing.
async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<&EntryView>,
    fields: EntryFields,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let scheme = catalog::scheme::current(&state.app)
        .await
        .map_err(|e| viewer.fail(e))?;
    let orgs = all_orgs(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    // The element codes to pick from; a viewer who may not read the registry types them.
    let elements = if viewer.may("view_catalog") {
        catalog::elements::list_elements(&state.app, viewer.ctx())
            .await
            .map_err(|e| viewer.fail(e))?
    } else {
        Vec::new()
    };
    let ctx = context! {
        editing => editing,
        form => fields.padded(),
        choices => choices(&scheme.scheme),
        grades => rows(&scheme.scheme),
        scheme_version => scheme.version,
        labels => labels(),
        orgs => orgs,
        elements => elements,
        own_org => viewer.principal.org_id,
    };
    Ok(match failed {
        None => viewer.page("catalog_form.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "catalog_form.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer.require("manage_entries")?;
    form_page(&state, &viewer, None, EntryFields::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(pairs): Fields<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = EntryFields::from_pairs(pairs);
    let submitted = fields.submitted();
    match catalog::create_entry(&state.app, viewer.ctx(), None, submitted.input.clone()).await {
        Ok(view) => Ok(done(
            &format!("/catalog/entries/{}", view.code),
            "entry_created",
        )),
        Err(e) => {
            let mut failed = form_errors(&viewer, e)?;
            failed.fields = submitted.remap(failed.fields);
            form_page(&state, &viewer, None, fields, Some(failed)).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    viewer.require("manage_entries")?;
    let entry = catalog::entry_view(&state.app, Some(viewer.ctx()), &code, None)
        .await
        .map_err(|e| viewer.fail(e).back("/catalog/mine"))?;
    let fields = EntryFields::of(&entry);
    form_page(&state, &viewer, Some(&entry), fields, None).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(pairs): Fields<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = EntryFields::from_pairs(pairs);
    let submitted = fields.submitted();
    match catalog::update_entry(&state.app, viewer.ctx(), &code, submitted.input.clone()).await {
        Ok(view) => Ok(done(
            &format!("/catalog/entries/{}", view.code),
            "entry_saved",
        )),
        Err(e) => {
            let mut failed = form_errors(&viewer, e)?;
            failed.fields = submitted.remap(failed.fields);
            let entry = catalog::entry_view(&state.app, Some(viewer.ctx()), &code, None)
                .await
                .map_err(|e| viewer.fail(e))?;
            form_page(&state, &viewer, Some(&entry), fields, Some(failed)).await
        }
    }
}

//! 分类分级方案: the scheme in force (or an earlier version) with its categories in the three
//! groups, the base databases they feed (H15, H16), what each grade means and its rule (H7,
//! H36: allowed and suggested share and open types, default masking); the version
//! history; and for the city authority's reviewer a new version, edited as the scheme's JSON
//! with a note on what changed. Entries keep the version they were graded under.

use axum::extract::State;
use axum::response::Response;
use std::collections::BTreeMap;

use gongshu_app::catalog;
use gongshu_app::catalog::scheme::{self, SchemeInput, SchemeView};
use gongshu_domain::catalog::Scheme;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::grade_rules::rows;
use super::labels::labels;
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, Params, form_errors};
use crate::console::render::{PageError, done};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionParams {
    version: String,
}

/// The edit form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct SchemeFields {
    definition: String,
    note: String,
}

async fn scheme_page(
    state: &AppState,
    viewer: &Viewer,
    version: Option<i64>,
    form: Option<SchemeFields>,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let current = scheme::current(&state.app)
        .await
        .map_err(|e| viewer.fail(e))?;
    let shown: SchemeView = match version.filter(|v| *v != current.version) {
        Some(v) => scheme::get_version(&state.app, v)
            .await
            .map_err(|e| viewer.fail(e).back("/catalog/scheme"))?,
        None => current.clone(),
    };
    let versions = scheme::list_versions(&state.app)
        .await
        .map_err(|e| viewer.fail(e))?;
    // Published entries per category: the base and thematic databases (H15, H16).
    let counts: BTreeMap<String, usize> =
        catalog::search::databases(&state.app, Some(viewer.ctx()))
            .await
            .map_err(|e| viewer.fail(e))?
            .into_iter()
            .map(|d| (d.category_code, d.entries))
            .collect();
    let may_update = viewer.may("update_scheme");
    let form = form.unwrap_or_else(|| SchemeFields {
        definition: serde_json::to_string_pretty(&current.scheme).unwrap_or_default(),
        note: String::new(),
    });
    let ctx = context! {
        shown => shown,
        current_version => current.version,
        versions => versions,
        grades => rows(&shown.scheme),
        counts => counts,
        labels => labels(),
        may_update => may_update,
        form => form,
    };
    Ok(match failed {
        None => viewer.page("catalog_scheme.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "catalog_scheme.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn view(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<VersionParams>,
) -> Result<Response, PageError> {
    let version = q.version.trim().parse().ok();
    scheme_page(&state, &viewer, version, None, None).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<SchemeFields>,
) -> Result<Response, PageError> {
    let parsed: Result<Scheme, _> = serde_json::from_str(&fields.definition);
    let outcome = match parsed {
        Err(e) => Err(FormErrors::field(
            "definition",
            &format!(
                "方案JSON无法解析（第{}行第{}列）：{e}",
                e.line(),
                e.column()
            ),
        )),
        Ok(scheme) => {
            let input = SchemeInput {
                scheme,
                note: fields.note.clone(),
            };
            match scheme::update(&state.app, viewer.ctx(), input).await {
                Ok(_) => Ok(()),
                Err(e) => Err(form_errors(&viewer, e).map_err(|p| p.back("/catalog/scheme"))?),
            }
        }
    };
    match outcome {
        Ok(()) => Ok(done("/catalog/scheme", "scheme_updated")),
        Err(failed) => scheme_page(&state, &viewer, None, Some(fields), Some(failed)).await,
    }
}

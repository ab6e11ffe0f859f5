//! 公共数据目录 in the console (issue 3, item 7): lists of entries, drafting and editing
//! entries with their data items, the entry page with its review steps and update duties,
//! masked derivatives of not-shared entries (H19), revisions and diffs, the reviewing
//! authority's desk (with batch approval), the city catalog's submissions to the region
//! (第八条), the single-source registry, the classification scheme, and the Excel round trip,
//! and the public catalog with search and facets (no login). Each page calls the same
//! application commands as the JSON API.

mod derive;
mod desk;
mod edit;
mod elements;
mod entry;
mod excel;
mod fields;
mod grade_rules;
mod history;
pub(crate) mod labels;
pub(crate) mod listing;
pub(crate) mod public;
mod region;
mod scheme;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use gongshu_app::catalog::excel::MAX_IMPORT_BYTES;

use crate::state::AppState;

/// Room for the multipart envelope around the largest accepted workbook.
const MULTIPART_SLACK: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/catalog", get(public::list))
        .route("/catalog/mine", get(desk::mine))
        .route("/catalog/review", get(desk::review))
        .route("/catalog/review/batch", post(desk::approve_batch))
        .route("/catalog/region", get(region::list).post(region::submit))
        .route("/catalog/region/{id}/package", get(region::package))
        .route("/catalog/region/{id}/answer", post(region::answer))
        .route("/catalog/entries", post(edit::create))
        .route("/catalog/entries/new", get(edit::new_form))
        .route("/catalog/entries/{code}", get(entry::show))
        .route(
            "/catalog/entries/{code}/edit",
            get(edit::edit_form).post(edit::update),
        )
        .route("/catalog/entries/{code}/derivatives", post(derive::create))
        .route("/catalog/entries/{code}/derivative", post(derive::revise))
        .route(
            "/catalog/entries/{code}/derivative/edit",
            get(derive::edit_form),
        )
        .route(
            "/catalog/entries/{code}/derivatives/new",
            get(derive::new_form),
        )
        .route("/catalog/entries/{code}/submit", post(entry::submit))
        .route("/catalog/entries/{code}/approve", post(entry::approve))
        .route(
            "/catalog/entries/{code}/confidentiality-review",
            post(entry::sign_review),
        )
        .route("/catalog/entries/{code}/return", post(entry::return_entry))
        .route(
            "/catalog/entries/{code}/changes",
            post(entry::record_change),
        )
        .route("/catalog/entries/{code}/revisions", get(history::revisions))
        .route("/catalog/entries/{code}/diff", get(history::diff))
        .route("/catalog/elements", get(elements::list))
        .route(
            "/catalog/elements/{code}/source",
            post(elements::assign_source),
        )
        .route("/catalog/scheme", get(scheme::view).post(scheme::update))
        .route(
            "/catalog/import",
            get(excel::import_form)
                .post(excel::import)
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + MULTIPART_SLACK)),
        )
        .route("/catalog/export.xlsx", get(excel::export))
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalog_templates_compile() {
        // Building the template set panics on any syntax error.
        let _ = crate::console::render::templates();
    }
}

//! The catalog (公共数据目录, H7–H16): the classification scheme, entries drafted by agencies
//! and reviewed by their level's authority (a county's then by the city's, 第八条), the city
//! catalog's submissions to the region, update duties, the single-source registry, and masked
//! derivatives of not-shared entries (H19).

mod derivative;
mod derivative_views;
pub(crate) mod draft;
pub mod duties;
pub mod elements;
pub mod excel;
pub(crate) mod input;
mod page;
pub(crate) mod records;
pub mod region;
pub(crate) mod review;
pub mod scheme;
pub(crate) mod scope;
pub mod search;
pub(crate) mod views;

pub use derivative::{DerivativeInput, DerivedItemInput, propose_derivative, revise_derivative};
pub(crate) use derivative::{Refused, refuse_if_derivative};
pub(crate) use derivative_views::approved_rules;
pub use derivative_views::{DerivativeView, RuleView};
pub use draft::{create_entry, update_entry};
pub use input::{EntryInput, ItemInput};
pub use page::{EntryPage, EntrySteps, entry_page};
pub use review::{
    BatchInput, MAX_BATCH, REVIEW_WORKING_DAYS, ReturnInput, approve, approve_batch, return_entry,
    submit,
};
pub use views::{
    CountyApprovalView, DuplicateCollection, EntryView, FieldChange, ItemView, RevisionSummary,
    diff, entry_view, revisions,
};

use crate::{App, Result};

/// Writes the default scheme and the element registry if missing.
pub(crate) async fn ensure_reference_data(app: &App) -> Result<()> {
    scheme::ensure_default(app).await?;
    elements::ensure_seeded(app).await
}

/// After-commit effect of publishing an entry: the search index learns it.
pub(crate) async fn published(app: &App, entry_id: &str, view: &EntryView, published_at: i64) {
    tracing::debug!(entry.code = %view.code, entry.revision = view.revision, "catalog entry published");
    search::index_published(app, entry_id, view, published_at).await;
}

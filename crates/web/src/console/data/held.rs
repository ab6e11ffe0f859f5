//! The two answers to a held data version on the data page (issue 11 item 4): confirm it, so
//! it becomes the current version, or discard it, which withdraws it and leaves the current
//! version as it was. Both are application commands (confirm is the API's); the page asks
//! before posting.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::versions;

use crate::console::auth::Viewer;
use crate::console::render::{PageError, done};
use crate::state::AppState;

/// The reason recorded when a held version is discarded from the page.
const DISCARD_REASON: &str = "放弃待确认的版本（行数为零或骤减，未予确认）";

pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let back = format!("/catalog/entries/{code}/data");
    versions::confirm_version(&state.app, viewer.ctx(), &code, version)
        .await
        .map_err(|e| viewer.fail(e).back(back.clone()))?;
    Ok(done(&back, "version_confirmed"))
}

pub async fn discard(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let back = format!("/catalog/entries/{code}/data");
    versions::discard_version(&state.app, viewer.ctx(), &code, version, DISCARD_REASON)
        .await
        .map_err(|e| viewer.fail(e).back(back.clone()))?;
    Ok(done(&back, "version_discarded"))
}

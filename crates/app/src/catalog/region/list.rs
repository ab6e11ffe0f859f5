//! Reading the submissions (city authority): a page of them, newest first, one of them, and
//! its package as it was sent.

use gongshu_domain::{Action, Paging, Target};
use gongshu_store::region_submissions;
use serde::Serialize;

use super::SubmissionView;
use crate::record::authorize;
use crate::{App, AppError, Ctx, Result};

/// Largest page of submissions.
const MAX_PER_PAGE: i64 = 100;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionPage {
    pub submissions: Vec<SubmissionView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Whether a new submission may be made now (none awaits the region's answer).
    pub may_submit: bool,
}

async fn allowed(app: &App, ctx: Ctx<'_>, id: &str) -> Result<()> {
    authorize(
        app,
        ctx,
        Action::SubmitCatalogToRegion,
        Target::Platform,
        "region_submission",
        id,
    )
    .await
}

fn not_found() -> AppError {
    AppError::not_found("region submission", "报送记录")
}

pub async fn list_submissions(
    app: &App,
    ctx: Ctx<'_>,
    page: i64,
    per_page: i64,
) -> Result<SubmissionPage> {
    let paging = Paging::parse(page, per_page, MAX_PER_PAGE)?;
    allowed(app, ctx, "*").await?;
    let mut conn = app.db.acquire().await?;
    let (rows, total) =
        region_submissions::list_submissions(&mut conn, paging.per_page(), paging.offset()).await?;
    let pending = region_submissions::get_pending_submission(&mut conn).await?;
    Ok(SubmissionPage {
        submissions: rows.iter().map(SubmissionView::from).collect(),
        total,
        page: paging.page(),
        per_page: paging.per_page(),
        may_submit: pending.is_none(),
    })
}

pub async fn get_submission(app: &App, ctx: Ctx<'_>, id: &str) -> Result<SubmissionView> {
    allowed(app, ctx, id).await?;
    let mut conn = app.db.acquire().await?;
    let submission = region_submissions::get_submission(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(SubmissionView::from(&submission))
}

/// The package of a submission, byte for byte as it was sent, with a file name for it.
pub async fn download_package(app: &App, ctx: Ctx<'_>, id: &str) -> Result<(String, Vec<u8>)> {
    allowed(app, ctx, id).await?;
    let mut conn = app.db.acquire().await?;
    let submission = region_submissions::get_submission(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let bytes = region_submissions::get_package(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let name = format!("city-catalog-{}.zip", submission.submitted_on);
    Ok((name, bytes))
}

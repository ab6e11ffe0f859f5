//! Submitting the city catalog to the region: authorise (city authority), refuse while an
//! earlier submission awaits its answer, build the package, hand it to the connector, then
//! store the submission and its audit event in one transaction.

use gongshu_domain::catalog::RegionSubmission;
use gongshu_domain::{Action, Target, Violations};
use gongshu_store::region_submissions;
use serde::Deserialize;
use serde_json::json;

use super::{SubmissionView, package};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SubmitInput {
    /// A note kept with the submission, e.g. which round of the year it is.
    pub note: String,
}

fn pending() -> AppError {
    AppError::conflict(
        "submission_pending",
        "上一次报送尚未登记自治区答复，请先登记答复再报送",
        "the previous submission still awaits the region's answer; record it first",
    )
}

pub async fn submit_catalog(app: &App, ctx: Ctx<'_>, input: SubmitInput) -> Result<SubmissionView> {
    let mut v = Violations::default();
    let note = input.note.trim().to_owned();
    if note.chars().count() > 500 {
        v.push(gongshu_domain::Violation::too_long("note", "报送说明", 500));
    }
    v.into_result()?;
    authorize(
        app,
        ctx,
        Action::SubmitCatalogToRegion,
        Target::Platform,
        "region_submission",
        "*",
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    if region_submissions::get_pending_submission(&mut conn)
        .await?
        .is_some()
    {
        return Err(pending());
    }
    let org_id = ctx.principal.org_id.clone().unwrap_or_default();
    let city_authority = gongshu_store::orgs::get_org(&mut conn, &org_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    drop(conn);
    let package = package::build(app, ctx, &city_authority).await?;
    let connector = app.region.as_ref();
    connector.deliver(&package).await?;
    let submission = RegionSubmission {
        id: uuid::Uuid::now_v7().to_string(),
        connector: connector.name().to_owned(),
        entry_count: i64::try_from(package.entry_count).unwrap_or(i64::MAX),
        package_sm3: package.sm3.clone(),
        package_bytes: i64::try_from(package.bytes.len()).unwrap_or(i64::MAX),
        note,
        submitted_on: crate::calendar::today(app),
        submitted_at: app.now_micros(),
        submitted_by: ctx.principal.username.clone(),
        answer: None,
    };
    let mut tx = app.db.begin_write().await?;
    // Under the write lock: of two submissions started at once, the second finds the first.
    if region_submissions::get_pending_submission(&mut tx)
        .await?
        .is_some()
    {
        return Err(pending());
    }
    region_submissions::insert_submission(&mut tx, &submission, &package.bytes).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "submit_catalog_to_region",
            target_kind: "region_submission",
            target_id: &submission.id,
            payload: json!({
                "entry_count": submission.entry_count,
                "package_sm3": submission.package_sm3,
                "package_bytes": submission.package_bytes,
                "connector": submission.connector,
                "submitted_on": submission.submitted_on.to_string(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(SubmissionView::from(&submission))
}

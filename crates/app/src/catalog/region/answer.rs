//! Recording the region's answer to a submission (accepted, or returned with reasons), as the
//! city authority received it. The answer is checked by the domain's rules and is final.

use chrono::NaiveDate;
use gongshu_domain::catalog::{RecordedAnswer, RegionAnswer, parse_answer};
use gongshu_domain::{Action, Target, Violation};
use gongshu_store::region_submissions;
use serde::Deserialize;
use serde_json::json;

use super::SubmissionView;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// `accepted` or `returned`.
    pub outcome: String,
    /// The region's reasons; required when the catalog was returned.
    #[serde(default)]
    pub reasons: String,
    /// The date of the region's answer (YYYY-MM-DD); default today.
    #[serde(default)]
    pub answered_on: Option<String>,
}

fn already_answered(zh: String, en: String) -> AppError {
    AppError::conflict("already_answered", zh, en)
}

pub async fn record_answer(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: AnswerInput,
) -> Result<SubmissionView> {
    authorize(
        app,
        ctx,
        Action::SubmitCatalogToRegion,
        Target::Platform,
        "region_submission",
        id,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let submission = region_submissions::get_submission(&mut conn, id)
        .await?
        .ok_or(AppError::not_found("region submission", "报送记录"))?;
    drop(conn);
    let today = crate::calendar::today(app);
    let answered_on = match input.answered_on.as_deref().map(str::trim) {
        None | Some("") => today,
        Some(text) => text.parse::<NaiveDate>().map_err(|_| {
            Violation::new(
                "answered_on",
                "invalid_date",
                "答复日期应为“年-月-日”格式，如2025-09-01",
                "answered_on must be a date like 2025-09-01",
            )
        })?,
    };
    let answer = parse_answer(
        &input.outcome,
        &input.reasons,
        answered_on,
        submission.submitted_on,
        today,
    )?;
    let next = submission
        .state()
        .answer(&answer)
        .map_err(|e| already_answered(e.zh(), e.to_string()))?;
    let recorded = RecordedAnswer {
        answer,
        on: answered_on,
        at: app.now_micros(),
        by: ctx.principal.username.clone(),
    };
    let mut tx = app.db.begin_write().await?;
    if !region_submissions::update_answer(&mut tx, id, &recorded).await? {
        return Err(already_answered(
            "该次报送已由他人登记答复，请刷新后查看".into(),
            "someone else has already recorded the answer".into(),
        ));
    }
    let reasons = match &recorded.answer {
        RegionAnswer::Returned { reasons } => reasons.as_str(),
        RegionAnswer::Accepted => "",
    };
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "record_region_answer",
            target_kind: "region_submission",
            target_id: id,
            payload: json!({
                "outcome": next.code(),
                "reasons": reasons,
                "answered_on": answered_on.to_string(),
                "package_sm3": submission.package_sm3,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    let mut answered = submission;
    answered.answer = Some(recorded);
    Ok(SubmissionView::from(&answered))
}

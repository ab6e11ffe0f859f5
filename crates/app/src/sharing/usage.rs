//! Usage feedback (使用情况反馈, H34): the grantee reports, per grant and calendar month, how the
//! shared data was used. Months of use that ended without a report are listed as owed on the
//! responsibility list.

use chrono::{Datelike, NaiveDate};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::sharing::{self, UsageReportRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::grant_not_found;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageInput {
    /// The month reported on, `YYYY-MM`.
    pub period: String,
    /// How the data was used: scenarios, volumes, results.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsageReportView {
    pub id: String,
    pub grant_id: String,
    pub period: String,
    pub summary: String,
    pub reported_by: String,
    pub reported_at: String,
}

fn view(r: UsageReportRow) -> UsageReportView {
    UsageReportView {
        id: r.id,
        grant_id: r.grant_id,
        period: r.period,
        summary: r.summary,
        reported_by: r.reported_by,
        reported_at: format_time(r.reported_at),
    }
}

/// The China-time day of an instant in microseconds.
pub(crate) fn day_of(micros: i64) -> NaiveDate {
    let at =
        chrono::DateTime::from_timestamp_micros(micros + 8 * 3_600_000_000).unwrap_or_default();
    at.date_naive()
}

pub async fn report_usage(
    app: &App,
    ctx: Ctx<'_>,
    grant_id: &str,
    input: UsageInput,
) -> Result<UsageReportView> {
    let mut conn = app.db.acquire().await?;
    let grant = sharing::get_grant(&mut conn, grant_id)
        .await?
        .ok_or_else(grant_not_found)?;
    drop(conn);
    authorize(
        app,
        ctx,
        Action::RequestShare,
        Target::Organisation {
            id: &grant.grantee_org_id,
        },
        "grant",
        grant_id,
    )
    .await?;
    let mut v = Violations::default();
    let summary = v.text("summary", "使用情况", &input.summary, 5000);
    let period = input.period.trim();
    let month = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d");
    let first = day_of(grant.valid_from).with_day(1).expect("day 1 exists");
    let last = day_of(grant.valid_until - 1);
    let today = crate::calendar::today(app);
    match month {
        Err(_) => v.push(Violation::new(
            "period",
            "invalid_period",
            "反馈期间格式应为 YYYY-MM",
            "the period must be YYYY-MM",
        )),
        Ok(m) if m < first || m > last || m > today => v.push(Violation::new(
            "period",
            "period_outside_grant",
            "反馈期间应在授权使用期内且不晚于本月",
            "the period must fall within the grant's period of use and not after this month",
        )),
        Ok(_) => {}
    }
    v.into_result()?;
    let row = UsageReportRow {
        id: uuid::Uuid::now_v7().to_string(),
        grant_id: grant_id.to_owned(),
        period: period.to_owned(),
        summary,
        reported_by: ctx.principal.username.clone(),
        reported_at: app.now_micros(),
    };
    let mut tx = app.db.begin_write().await?;
    if !sharing::insert_usage_report(&mut tx, &row).await? {
        return Err(AppError::conflict(
            "usage_already_reported",
            format!("{period} 的使用情况已反馈"),
            format!("usage for {period} has already been reported"),
        ));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "report_usage",
            target_kind: "grant",
            target_id: grant_id,
            payload: json!({ "period": row.period, "report": row.id }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view(row))
}

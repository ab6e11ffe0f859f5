//! The working-day calendar as the platform holds it: shipped years plus years the authority
//! imported. Deadlines in a year with no notice are provisional and the authority is warned.

use chrono::{Datelike, Duration, NaiveDate};
use gongshu_audit::Outcome;
use gongshu_domain::{Action, Deadline, Target, WorkingCalendar, YearCalendar};
use serde::Serialize;
use serde_json::json;

use crate::record::{Change, Who, append, authorize, record};
use crate::{App, AppError, Ctx, RequestMeta, Result};

/// Loads imported years over the shipped ones.
pub(crate) async fn reload(app: &App) -> Result<()> {
    let mut conn = app.db.acquire().await?;
    let mut calendar = WorkingCalendar::official();
    for (year, definition, _, _) in gongshu_store::calendar::list_years(&mut conn).await? {
        match serde_json::from_str::<YearCalendar>(&definition) {
            Ok(y) => calendar.load(y),
            Err(e) => {
                tracing::error!(calendar.year = year, error = %e, "stored holiday notice is unreadable; year ignored")
            }
        }
    }
    *app.calendar.write().expect("calendar lock") = calendar;
    Ok(())
}

/// Today in China Standard Time.
pub fn today(app: &App) -> NaiveDate {
    (app.now() + Duration::hours(8)).date_naive()
}

pub fn add_working_days(app: &App, start: NaiveDate, n: u32) -> Deadline {
    app.calendar
        .read()
        .expect("calendar lock")
        .add_working_days(start, n)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearSummary {
    pub year: i32,
    pub source: String,
    pub holiday_days: usize,
    pub adjusted_working_days: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarStatus {
    pub years: Vec<YearSummary>,
    /// Years a deadline could reach soon (within 60 days) that have no notice loaded.
    pub missing_years: Vec<i32>,
    /// A sentence for the authority when `missing_years` is not empty.
    pub warning_zh: Option<String>,
}

/// Loaded years, and the warning the authority sees when a coming year is missing.
pub fn status(app: &App) -> CalendarStatus {
    let calendar = app.calendar.read().expect("calendar lock");
    let years = calendar
        .years()
        .map(|y| YearSummary {
            year: y.year,
            source: y.source.clone(),
            holiday_days: y
                .holidays
                .iter()
                .map(|p| (p.to - p.from).num_days() as usize + 1)
                .sum(),
            adjusted_working_days: y.adjusted_working_days.len(),
        })
        .collect();
    let today = today(app);
    let horizon = today + Duration::days(60);
    let missing_years: Vec<i32> = (today.year()..=horizon.year())
        .filter(|y| !calendar.has_year(*y))
        .collect();
    let warning_zh = (!missing_years.is_empty()).then(|| {
        let list: Vec<String> = missing_years.iter().map(|y| format!("{y}年")).collect();
        format!(
            "尚未导入{}的节假日安排：落在这些年份的期限暂按周一至周五计算，标记为“临时”。请在国务院办公厅通知发布后及时导入。",
            list.join("、")
        )
    });
    CalendarStatus {
        years,
        missing_years,
        warning_zh,
    }
}

pub async fn view(app: &App, ctx: Ctx<'_>) -> Result<CalendarStatus> {
    authorize(
        app,
        ctx,
        Action::ViewCalendar,
        Target::Platform,
        "calendar",
        "*",
    )
    .await?;
    Ok(status(app))
}

fn parse(json_text: &str) -> Result<YearCalendar> {
    let year: YearCalendar = serde_json::from_str(json_text).map_err(|e| {
        AppError::from(gongshu_domain::Violation::new(
            "file",
            "bad_calendar_file",
            format!("节假日文件格式不正确：{e}"),
            format!("the holiday file is not valid: {e}"),
        ))
    })?;
    year.validate()?;
    Ok(year)
}

/// The authority loads (or corrects) one year's notice.
pub async fn import_year(app: &App, ctx: Ctx<'_>, year: YearCalendar) -> Result<YearSummary> {
    year.validate()?;
    let id = year.year.to_string();
    authorize(
        app,
        ctx,
        Action::ImportCalendar,
        Target::Platform,
        "calendar_year",
        &id,
    )
    .await?;
    let definition = serde_json::to_string(&year).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = app.db.begin_write().await?;
    gongshu_store::calendar::put_year(
        &mut tx,
        i64::from(year.year),
        &definition,
        &ctx.principal.username,
        app.now_micros(),
    )
    .await?;
    record(
        app,
        &mut tx,
        ctx,
        Change { action: "import_calendar", target_kind: "calendar_year", target_id: &id, payload: json!({ "year": year.year, "source": year.source, "definition_sm3": crate::identity::secret_hash(&definition) }) },
    )
    .await?;
    tx.commit().await?;
    reload(app).await?;
    Ok(summary(&year))
}

fn summary(y: &YearCalendar) -> YearSummary {
    YearSummary {
        year: y.year,
        source: y.source.clone(),
        holiday_days: y
            .holidays
            .iter()
            .map(|p| (p.to - p.from).num_days() as usize + 1)
            .sum(),
        adjusted_working_days: y.adjusted_working_days.len(),
    }
}

/// `gongshu calendar import FILE`: an operator with database access loads a notice; recorded
/// with the operator's login name as actor.
pub async fn import_file_unattended(
    app: &App,
    operator: &str,
    json_text: &str,
) -> Result<YearSummary> {
    let year = parse(json_text)?;
    let id = year.year.to_string();
    let definition = serde_json::to_string(&year).map_err(|e| AppError::Internal(e.to_string()))?;
    let meta = RequestMeta::cli();
    let actor = format!("cli:{operator}");
    let mut tx = app.db.begin_write().await?;
    gongshu_store::calendar::put_year(
        &mut tx,
        i64::from(year.year),
        &definition,
        &actor,
        app.now_micros(),
    )
    .await?;
    append(
        app,
        &mut tx,
        &meta,
        Who { id: None, name: &actor, org: None },
        Outcome::Success,
        Change { action: "import_calendar", target_kind: "calendar_year", target_id: &id, payload: json!({ "year": year.year, "source": year.source, "definition_sm3": crate::identity::secret_hash(&definition) }) },
    )
    .await?;
    tx.commit().await?;
    reload(app).await?;
    Ok(summary(&year))
}

/// Parses an uploaded file (console or API) and imports it.
pub async fn import_text(app: &App, ctx: Ctx<'_>, json_text: &str) -> Result<YearSummary> {
    import_year(app, ctx, parse(json_text)?).await
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// The submission day, YYYY-MM-DD (never counted).
    pub start: chrono::NaiveDate,
    /// Working days to add, 0–250.
    pub days: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    pub start: chrono::NaiveDate,
    pub days: u32,
    pub due: chrono::NaiveDate,
    /// True when a year on the way has no loaded notice (Monday–Friday assumed).
    pub provisional: bool,
}

/// Computes a deadline for anyone who may see the calendar.
pub async fn deadline(app: &App, ctx: Ctx<'_>, q: DeadlineQuery) -> Result<DeadlineView> {
    if !(1900..=2200).contains(&q.start.year()) {
        return Err(gongshu_domain::Violation::new(
            "start",
            "out_of_range",
            "起始日期须在1900年至2200年之间",
            "start must be between the years 1900 and 2200",
        )
        .into());
    }
    if q.days > 250 {
        return Err(gongshu_domain::Violation::new(
            "days",
            "out_of_range",
            "工作日数必须在0到250之间",
            "days must be between 0 and 250",
        )
        .into());
    }
    authorize(
        app,
        ctx,
        Action::ViewCalendar,
        Target::Platform,
        "calendar",
        "*",
    )
    .await?;
    let d = add_working_days(app, q.start, q.days);
    Ok(DeadlineView {
        start: q.start,
        days: q.days,
        due: d.date,
        provisional: d.provisional,
    })
}

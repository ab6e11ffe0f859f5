//! 工作日历: the loaded holiday notices and the warning for years still missing; the city
//! authority's reviewer imports a year's notice (an uploaded JSON file or pasted text); anyone
//! who may see the calendar works out a deadline N working days after a start date.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::NaiveDate;
use gongshu_app::calendar::{self, DeadlineQuery};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::forms::{FormErrors, Params, form_errors, number};
use super::render::{PageError, done};
use crate::error::ApiError;
use crate::state::AppState;

/// The deadline calculator's form as typed.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct DeadlineFields {
    start: String,
    days: String,
}

impl DeadlineFields {
    fn today(state: &AppState) -> Self {
        Self {
            start: calendar::today(&state.app).to_string(),
            days: "10".into(),
        }
    }

    fn query(&self) -> Result<DeadlineQuery, FormErrors> {
        let start = NaiveDate::parse_from_str(self.start.trim(), "%Y-%m-%d")
            .map_err(|_| FormErrors::field("start", "开始日期格式应为YYYY-MM-DD"))?;
        let days = number(&self.days)
            .ok_or_else(|| FormErrors::field("days", "工作日数必须是0到250之间的整数"))?;
        Ok(DeadlineQuery { start, days })
    }
}

async fn calendar_page(
    state: &AppState,
    viewer: &Viewer,
    pasted: &str,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let status = calendar::view(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! {
        status => status,
        may_import => viewer.may("import_calendar"),
        pasted => pasted,
        deadline => DeadlineFields::today(state),
    };
    Ok(match failed {
        None => viewer.page("calendar.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "calendar.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn view(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    calendar_page(&state, &viewer, "", None).await
}

/// The uploaded file if one was chosen, else the pasted text.
async fn notice_text(mut form: Multipart) -> Result<String, FormErrors> {
    let unreadable = |_| FormErrors::field("file", "上传的内容无法读取，请重新选择文件");
    let (mut file, mut text) = (String::new(), String::new());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                file = String::from_utf8(bytes.to_vec())
                    .map_err(|_| FormErrors::field("file", "文件须为UTF-8编码的JSON文本"))?;
            }
            Some("text") => text = field.text().await.map_err(unreadable)?,
            _ => {}
        }
    }
    let chosen = if file.trim().is_empty() { text } else { file };
    if chosen.trim().is_empty() {
        return Err(FormErrors::field(
            "file",
            "请选择节假日文件，或把文件内容粘贴到文本框中",
        ));
    }
    Ok(chosen)
}

pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let form = form.map_err(|r| {
        viewer
            .fail(ApiError::new(
                r.status(),
                "bad_request",
                "上传的表单无法识别，请返回后重试",
                r.body_text(),
            ))
            .back("/calendar")
    })?;
    let text = match notice_text(form).await {
        Ok(text) => text,
        Err(failed) => return calendar_page(&state, &viewer, "", Some(failed)).await,
    };
    match calendar::import_text(&state.app, viewer.ctx(), &text).await {
        Ok(_) => Ok(done("/calendar", "calendar_imported")),
        Err(e) => calendar_page(&state, &viewer, &text, Some(form_errors(&viewer, e)?)).await,
    }
}

pub async fn deadline(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(fields): Params<DeadlineFields>,
) -> Result<Response, PageError> {
    let outcome = match fields.query() {
        Ok(q) => match calendar::deadline(&state.app, viewer.ctx(), q).await {
            Ok(result) => Ok(result),
            Err(e) => Err(form_errors(&viewer, e)?),
        },
        Err(failed) => Err(failed),
    };
    Ok(match outcome {
        Ok(result) => viewer.page(
            "calendar_deadline.html",
            context! { form => fields, result => result },
        ),
        Err(f) => viewer.page_with_status(
            f.status,
            "calendar_deadline.html",
            context! { form => fields, error => f.message, errors => f.fields },
        ),
    })
}

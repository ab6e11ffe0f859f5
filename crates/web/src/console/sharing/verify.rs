//! 核验比对 in the console (H21): the live verification grants of one's organisation, and per
//! entry a form where records are pasted or uploaded as CSV and checked by the same command as
//! `POST /api/v1/verify/{code}`. The result says per record and item only 一致 or 不一致 —
//! a key that is not in the data looks exactly like a mismatch — and never shows a value.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongshu_app::data;
use gongshu_app::sharing::pages::{self, Choice, VerificationForm};
use minijinja::context;

use super::verify_csv::{self, FIELD, ResultRow};
use crate::console::auth::Viewer;
use crate::console::forms::{FormErrors, form_errors};
use crate::console::render::PageError;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let page = pages::verification_page(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page("sharing_verify.html", context! { p => page }))
}

/// What the form shows besides the grant: the text submitted, and either the result table or
/// what was wrong.
#[derive(Default)]
struct Outcome {
    text: String,
    key: Option<Choice>,
    claimed: Vec<Choice>,
    rows: Vec<ResultRow>,
    failed: Option<FormErrors>,
}

async fn grant_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<VerificationForm, PageError> {
    pages::verification_form_page(&state.app, viewer.ctx(), code)
        .await
        .map_err(|e| viewer.fail(e).back("/sharing/verify"))
}

fn render(viewer: &Viewer, page: VerificationForm, outcome: Outcome) -> Response {
    let ctx = context! {
        p => page,
        text => outcome.text,
        key => outcome.key,
        claimed => outcome.claimed,
        rows => outcome.rows,
    };
    match outcome.failed {
        None => viewer.page("sharing_verify_form.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "sharing_verify_form.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    }
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let page = grant_page(&state, &viewer, &code).await?;
    Ok(render(&viewer, page, Outcome::default()))
}

/// The records as text: the uploaded file when one was chosen, else the text area.
async fn submitted_text(mut form: Multipart) -> Result<String, FormErrors> {
    let unreadable = |_| {
        FormErrors::field(
            FIELD,
            "提交的内容无法读取，请重新粘贴或选择文件（文件不得超过2MB）",
        )
    };
    let (mut text, mut file) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("records") => text = field.text().await.map_err(unreadable)?,
            Some("file") => file = field.bytes().await.map_err(unreadable)?.to_vec(),
            _ => {}
        }
    }
    if file.is_empty() {
        return Ok(text);
    }
    String::from_utf8(file).map_err(|_| {
        FormErrors::field(
            FIELD,
            "上传的文件不是UTF-8编码的文本，请在电子表格软件中另存为“CSV UTF-8”格式后再上传",
        )
    })
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let back = format!("/sharing/verify/{code}");
    let form = form.map_err(|r| {
        viewer
            .fail(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "提交的表单无法识别，请返回后重试",
                r.body_text(),
            ))
            .back(back.clone())
    })?;
    // No grant, no form: refused before anything submitted is read.
    let page = grant_page(&state, &viewer, &code).await?;
    let text = match submitted_text(form).await {
        Ok(text) => text,
        Err(f) => {
            let outcome = Outcome {
                failed: Some(f),
                ..Outcome::default()
            };
            return Ok(render(&viewer, page, outcome));
        }
    };
    let items = &page.grant.items;
    let records = match verify_csv::parse(&text, items) {
        Ok(records) => records,
        Err(f) => {
            let outcome = Outcome {
                text,
                failed: Some(f),
                ..Outcome::default()
            };
            return Ok(render(&viewer, page, outcome));
        }
    };
    let choice = |code: &String| Choice {
        label: items
            .iter()
            .find(|i| &i.value == code)
            .map_or_else(|| code.clone(), |i| i.label.clone()),
        value: code.clone(),
    };
    let mut outcome = Outcome {
        key: Some(choice(&records.input.key)),
        claimed: records.claimed.iter().map(choice).collect(),
        text,
        ..Outcome::default()
    };
    match data::verify(&state.app, viewer.ctx(), &code, records.input.clone()).await {
        Ok(answer) => outcome.rows = records.table(&answer),
        Err(e) => outcome.failed = Some(form_errors(&viewer, e).map_err(|p| p.back(back))?),
    }
    Ok(render(&viewer, page, outcome))
}

//! What the console's forms share: query and form extractors whose rejections are error pages
//! rather than plain text, the split of a failed command into field errors (shown again next
//! to the form) or the error page, the safe "back to the list" address, and the choices of the
//! select boxes (organisation kinds, levels, roles) with their Chinese names.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use gongshu_app::{App, AppError, Ctx, orgs};
use gongshu_domain::{OrgKind, OrgLevel, Role};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::auth::Viewer;
use super::render::PageError;
use crate::error::ApiError;

/// Query parameters of a console page; malformed ones give the error page (400).
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|r| bad_request(&r.body_text()))
    }
}

/// A submitted console form; a malformed one gives the error page (400).
pub struct Fields<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Fields<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| Fields(f.0))
            .map_err(|r| bad_request(&r.body_text()))
    }
}

fn bad_request(detail: &str) -> PageError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "提交的内容无法识别，请返回后重新填写",
        detail,
    )
    .into()
}

/// A failed command whose cause the user can fix in the form: the summary for the top of
/// the page and the message for each field.
#[derive(Debug)]
pub struct FormErrors {
    pub status: StatusCode,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

impl FormErrors {
    /// An error found while reading the form itself, before any command ran.
    pub fn field(field: &str, zh: &str) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!("输入有误：{zh}"),
            fields: BTreeMap::from([(field.to_owned(), zh.to_owned())]),
        }
    }
}

/// Invalid input, conflicts and rate limits (whose message says when to try again) go back
/// to the form, so nothing typed is lost; anything else (forbidden, not found, internal) is
/// the error page.
pub fn form_errors(viewer: &Viewer, e: AppError) -> Result<FormErrors, PageError> {
    let err = ApiError::from(e);
    let back_to_form = [
        StatusCode::UNPROCESSABLE_ENTITY,
        StatusCode::CONFLICT,
        StatusCode::TOO_MANY_REQUESTS,
    ];
    if !back_to_form.contains(&err.status) {
        return Err(viewer.fail(err));
    }
    let fields = join_messages(err.errors.iter().map(|f| (f.field.clone(), f.zh.clone())));
    Ok(FormErrors {
        status: err.status,
        message: err.zh,
        fields,
    })
}

/// Field messages by the place of the form that shows them: several fields of a command can
/// land on one place (a row, a group of lines), where their messages are joined.
pub fn join_messages(
    fields: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (place, message) in fields {
        out.entry(place)
            .and_modify(|m| {
                m.push('；');
                m.push_str(&message);
            })
            .or_insert(message);
    }
    out
}

/// The list address a form came from, if it is one of ours under `under`; else `under`.
pub fn back_to(back: &str, under: &'static str) -> String {
    let safe = back.starts_with(under)
        && !back.starts_with("//")
        && !back.contains("://")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if safe {
        without_notice(back)
    } else {
        under.to_owned()
    }
}

fn without_notice(path: &str) -> String {
    match path.split_once('?') {
        None => path.to_owned(),
        Some((p, q)) => {
            let kept: Vec<&str> = q
                .split('&')
                .filter(|kv| !kv.starts_with("notice=") && !kv.is_empty())
                .collect();
            if kept.is_empty() {
                p.to_owned()
            } else {
                format!("{p}?{}", kept.join("&"))
            }
        }
    }
}

/// One option of a select box.
#[derive(Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

pub fn org_kinds() -> Vec<Choice> {
    OrgKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str(),
            label: k.zh(),
        })
        .collect()
}

pub fn org_levels() -> Vec<Choice> {
    [OrgLevel::City, OrgLevel::County]
        .iter()
        .map(|l| Choice {
            value: l.as_str(),
            label: l.zh(),
        })
        .collect()
}

/// Roles the security admin can grant to staff (public users register themselves).
pub fn staff_roles() -> Vec<Choice> {
    Role::ALL
        .iter()
        .filter(|r| **r != Role::Public)
        .map(|r| Choice {
            value: r.as_str(),
            label: r.zh(),
        })
        .collect()
}

/// Every organisation in tree order, for select boxes: the one listing query, page by page.
pub async fn all_orgs(app: &App, ctx: Ctx<'_>) -> Result<Vec<orgs::OrgView>, AppError> {
    const PER_PAGE: usize = 500;
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let chunk = orgs::list_orgs(app, ctx, page, PER_PAGE).await?;
        let total = chunk.total;
        out.extend(chunk.items);
        if out.len() >= total || page * PER_PAGE >= total {
            return Ok(out);
        }
        page += 1;
    }
}

/// A number typed into a form; anything unreadable becomes `None` for the command to refuse.
pub fn number(raw: &str) -> Option<u32> {
    raw.trim().parse().ok()
}

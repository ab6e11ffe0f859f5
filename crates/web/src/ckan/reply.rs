//! CKAN's envelope around every answer, `{help, success, result}`, and its error shape,
//! `{help, success: false, error: {__type, message, …}}` with CKAN's statuses: 404 "Not Found
//! Error", 409 "Validation Error" (the fields named, each with its messages), 403
//! "Authorization Error", 400 for an unknown action. The platform's own errors are mapped to
//! HTTP once, in `crate::error`; here they are only re-dressed, keeping their stable `code`
//! and the Chinese and English messages beside CKAN's `message`.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use gongshu_query::Encoded;
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// What an action answers: a JSON result, or a result whose `records` stream (a page of
/// rows encoded by the application, spliced in as they come).
pub(crate) enum Reply {
    Json(Value),
    Records {
        /// Every field of the result but `records`.
        result: Map<String, Value>,
        /// The JSON array of the records.
        records: Encoded,
    },
}

/// An action's error in CKAN's terms (boxed: errors are rare, results are passed around).
#[derive(Debug)]
pub(crate) struct CkanError(Box<Details>);

#[derive(Debug)]
struct Details {
    status: StatusCode,
    kind: &'static str,
    code: &'static str,
    zh: String,
    en: String,
    /// Validation errors: the fields with their messages.
    fields: BTreeMap<String, Vec<String>>,
    retry_after: Option<u64>,
    error_id: Option<String>,
}

impl CkanError {
    /// A bad parameter (409 "Validation Error" naming it).
    pub(crate) fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        let (zh, en) = (zh.into(), en.into());
        let fields = BTreeMap::from([(field.to_owned(), vec![format!("{zh} / {en}")])]);
        let mut error = Self::new(
            StatusCode::CONFLICT,
            "Validation Error",
            "invalid_input",
            zh,
            en,
        );
        error.0.fields = fields;
        error
    }

    /// Nothing the public may see has this id (404 "Not Found Error").
    pub(crate) fn not_found(what_zh: &str, what_en: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not Found Error",
            "not_found",
            format!("{what_zh}不存在"),
            format!("{what_en} not found"),
        )
    }

    /// The caller has no basis to read this (403 "Authorization Error").
    pub(crate) fn not_authorized(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization Error",
            "no_basis",
            zh.into(),
            en.into(),
        )
    }

    /// An action this API does not offer (400, as CKAN answers).
    pub(crate) fn unknown_action(name: &str) -> Self {
        let name: String = name.chars().take(64).collect();
        Self::new(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "unknown_action",
            format!("未知的接口动作：{name}"),
            format!("Action name not known: {name}"),
        )
    }

    fn new(
        status: StatusCode,
        kind: &'static str,
        code: &'static str,
        zh: String,
        en: String,
    ) -> Self {
        Self(Box::new(Details {
            status,
            kind,
            code,
            zh,
            en,
            fields: BTreeMap::new(),
            retry_after: None,
            error_id: None,
        }))
    }

    fn body(self) -> Value {
        let d = *self.0;
        let mut error = json!({
            "__type": d.kind,
            "message": format!("{}: {} / {}", d.kind, d.zh, d.en),
            "code": d.code,
            "message_zh": d.zh,
            "message_en": d.en,
        });
        if let Some(id) = d.error_id {
            error["error_id"] = id.into();
        }
        for (field, messages) in d.fields {
            error[field] = messages.into();
        }
        error
    }
}

impl From<ApiError> for CkanError {
    fn from(e: ApiError) -> Self {
        let (status, kind) = match e.status {
            StatusCode::NOT_FOUND => (StatusCode::NOT_FOUND, "Not Found Error"),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                (StatusCode::FORBIDDEN, "Authorization Error")
            }
            StatusCode::BAD_REQUEST
            | StatusCode::CONFLICT
            | StatusCode::UNPROCESSABLE_ENTITY
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE => (StatusCode::CONFLICT, "Validation Error"),
            StatusCode::INTERNAL_SERVER_ERROR => {
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
            // 429, 451, 503: the status says what the client should do; keep it.
            other => (other, other.canonical_reason().unwrap_or("Error")),
        };
        let mut fields = BTreeMap::new();
        for f in e.errors {
            fields
                .entry(f.field)
                .or_insert_with(Vec::new)
                .push(format!("{} / {}", f.zh, f.en));
        }
        if kind == "Validation Error" && fields.is_empty() {
            fields.insert(e.code.to_owned(), vec![format!("{} / {}", e.zh, e.en)]);
        }
        Self(Box::new(Details {
            status,
            kind,
            code: e.code,
            zh: e.zh,
            en: e.en,
            fields,
            retry_after: e.retry_after,
            error_id: e.error_id,
        }))
    }
}

impl From<gongshu_app::AppError> for CkanError {
    fn from(e: gongshu_app::AppError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<gongshu_query::QueryError> for CkanError {
    fn from(e: gongshu_query::QueryError) -> Self {
        ApiError::from(e).into()
    }
}

/// The answer with its envelope; `help` is the action's help address.
pub(crate) fn respond(help: String, answer: Result<Reply, CkanError>) -> Response {
    let json_type = HeaderValue::from_static("application/json;charset=utf-8");
    match answer {
        Ok(Reply::Json(result)) => {
            let body = json!({ "help": help, "success": true, "result": result });
            let mut res = axum::Json(body).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, json_type);
            res
        }
        Ok(Reply::Records { result, records }) => {
            // `{"help":…,"success":true,"result":{…,"records":` rows `}}`: the envelope is
            // written around the rows, which are never parsed again.
            let head = json!({ "help": help, "success": true });
            let mut prefix = head.to_string();
            prefix.pop();
            let mut fields = Value::Object(result).to_string();
            fields.pop();
            prefix.push_str(",\"result\":");
            prefix.push_str(&fields);
            if !fields.ends_with('{') {
                prefix.push(',');
            }
            prefix.push_str("\"records\":");
            let body = stream::once(async move { Ok(Bytes::from(prefix)) })
                .chain(records)
                .chain(stream::once(async { Ok(Bytes::from_static(b"}}")) }));
            let mut res = Body::from_stream(body).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, json_type);
            res
        }
        Err(e) => {
            let status = e.0.status;
            let retry_after = e.0.retry_after;
            let body = json!({ "help": help, "success": false, "error": e.body() });
            let mut res = (status, axum::Json(body)).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, json_type);
            if let Some(secs) = retry_after {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            res
        }
    }
}

//! The one place where errors become HTTP answers: `application/problem+json` (RFC 9457) with a
//! stable `code`, a message in Chinese and English, the broken fields, and the request id.
//! Internal errors are logged once with an error id; the client sees only that id.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongshu_app::AppError;
use gongshu_domain::Violation;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code, e.g. `invalid_input`, `forbidden`, `session_expired`.
    pub code: String,
    /// English message.
    pub detail: String,
    pub message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl From<&Violation> for FieldError {
    fn from(v: &Violation) -> Self {
        Self {
            field: v.field.clone(),
            code: v.code.into(),
            zh: v.zh.clone(),
            en: v.en.clone(),
        }
    }
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
    pub errors: Vec<FieldError>,
    pub error_id: Option<String>,
    /// Seconds the client should wait before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            zh: zh.into(),
            en: en.into(),
            errors: Vec::new(),
            error_id: None,
            retry_after: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "请求的资源不存在",
            "no such resource",
        )
    }

    pub fn into_problem(self) -> Problem {
        Problem {
            kind: format!("urn:gongshu:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").into(),
            status: self.status.as_u16(),
            code: self.code.into(),
            detail: self.en.clone(),
            message: Message {
                zh: self.zh,
                en: self.en,
            },
            errors: self.errors,
            error_id: self.error_id,
        }
    }
}

impl From<gongshu_query::QueryError> for ApiError {
    fn from(e: gongshu_query::QueryError) -> Self {
        AppError::from(e).into()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use StatusCode as S;
        match e {
            AppError::Invalid(v) => {
                let mut err = ApiError::new(
                    S::UNPROCESSABLE_ENTITY,
                    "invalid_input",
                    format!(
                        "输入有误：{}",
                        v.0.iter()
                            .map(|x| x.zh.as_str())
                            .collect::<Vec<_>>()
                            .join("；")
                    ),
                    format!("invalid input: {v}"),
                );
                err.errors = v.0.iter().map(FieldError::from).collect();
                err
            }
            AppError::BadCredentials => ApiError::new(
                S::UNAUTHORIZED,
                "bad_credentials",
                "用户名或密码错误",
                "wrong user name or password",
            ),
            AppError::Unauthenticated => ApiError::new(
                S::UNAUTHORIZED,
                "unauthenticated",
                "请先登录",
                "please log in",
            ),
            AppError::SessionExpired => ApiError::new(
                S::UNAUTHORIZED,
                "session_expired",
                "登录已过期，请重新登录",
                "your session has expired; log in again",
            ),
            AppError::AccountDisabled => ApiError::new(
                S::FORBIDDEN,
                "account_disabled",
                "账号已停用，请联系系统管理员",
                "this account is disabled",
            ),
            AppError::AccountLocked {
                until,
                retry_after_secs,
            } => {
                let mut err = ApiError::new(
                    S::LOCKED,
                    "account_locked",
                    format!(
                        "该账号登录失败次数过多，已暂停密码登录至{until}；已登录的会话不受影响"
                    ),
                    format!(
                        "too many failed logins; password logins of this account are locked until {until} (UTC+8)"
                    ),
                );
                err.retry_after = Some(retry_after_secs);
                err
            }
            AppError::LoginThrottled {
                until,
                retry_after_secs,
            } => {
                let mut err = ApiError::new(
                    S::TOO_MANY_REQUESTS,
                    "login_throttled",
                    format!("登录失败次数过多，请于{until}后再试"),
                    format!(
                        "too many failed logins from this address; try again after {until} (UTC+8)"
                    ),
                );
                err.retry_after = Some(retry_after_secs);
                err
            }
            AppError::Forbidden(reason) => {
                ApiError::new(S::FORBIDDEN, "forbidden", reason.zh(), reason.en())
            }
            AppError::NotFound { what, zh } => ApiError::new(
                S::NOT_FOUND,
                "not_found",
                format!("{zh}不存在"),
                format!("{what} not found"),
            ),
            AppError::Conflict { code, zh, en } => ApiError::new(S::CONFLICT, code, zh, en),
            AppError::Denied { code, zh, en } => ApiError::new(S::FORBIDDEN, code, zh, en),
            AppError::OpeningSuspended { zh, en, .. } => ApiError::new(
                S::UNAVAILABLE_FOR_LEGAL_REASONS,
                "opening_suspended",
                zh,
                en,
            ),
            AppError::Throttled {
                code,
                zh,
                en,
                retry_after_secs,
            } => {
                let mut err = ApiError::new(S::TOO_MANY_REQUESTS, code, zh, en);
                err.retry_after = Some(retry_after_secs);
                err
            }
            AppError::InvalidFile(problems) => {
                let first = problems
                    .first()
                    .map(|p| format!("{} {}", p.location, p.zh))
                    .unwrap_or_default();
                let mut err = ApiError::new(
                    S::UNPROCESSABLE_ENTITY,
                    "invalid_file",
                    format!(
                        "文件有{}处错误，未导入任何内容；第一处：{first}",
                        problems.len()
                    ),
                    format!(
                        "the file has {} problem(s); nothing was imported",
                        problems.len()
                    ),
                );
                err.errors = problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: p.location,
                        code: "invalid_cell".into(),
                        zh: format!("{}：{}", p.header, p.zh),
                        en: p.en,
                    })
                    .collect();
                err
            }
            AppError::RejectedData {
                bad_rows,
                bad_cells,
                problems,
            } => {
                let first = problems
                    .first()
                    .map(|p| format!("{} {}", p.location, p.zh))
                    .unwrap_or_default();
                let mut err = ApiError::new(
                    S::UNPROCESSABLE_ENTITY,
                    "invalid_data",
                    format!(
                        "文件有{bad_rows}行共{bad_cells}处错误，未保存任何版本；第一处：{first}"
                    ),
                    format!(
                        "the file has {bad_cells} bad cell(s) in {bad_rows} row(s); no version was kept"
                    ),
                );
                err.errors = problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: p.location,
                        code: "invalid_cell".into(),
                        zh: format!("{}：{}", p.header, p.zh),
                        en: p.en,
                    })
                    .collect();
                err
            }
            AppError::TooLarge { limit } => ApiError::new(
                S::PAYLOAD_TOO_LARGE,
                "file_too_large",
                format!("文件超过大小上限（{}），未保存任何内容", size_text(limit)),
                format!(
                    "the file is larger than the limit of {}; nothing was kept",
                    size_text(limit)
                ),
            ),
            AppError::ExpandedTooLarge { limit_zh, limit_en } => ApiError::new(
                S::PAYLOAD_TOO_LARGE,
                "expanded_too_large",
                format!("文件解压后超过{limit_zh}，未保存任何内容"),
                format!("the file expands past {limit_en}; nothing was kept"),
            ),
            AppError::UnusableFile { code, zh, en } => ApiError::new(
                S::UNPROCESSABLE_ENTITY,
                code,
                format!("{zh}。未保存任何内容"),
                format!("{en}; nothing was kept"),
            ),
            AppError::Query(e) => {
                use gongshu_query::{Fault, QueryError as Q};
                let status = match (e.fault(), &e) {
                    (Fault::Input, _) => S::BAD_REQUEST,
                    (Fault::Limit, Q::SqlTooLong { .. } | Q::TooManyRowsForXlsx { .. }) => {
                        S::PAYLOAD_TOO_LARGE
                    }
                    (Fault::Limit, _) => S::UNPROCESSABLE_ENTITY,
                    (Fault::Busy, _) => S::TOO_MANY_REQUESTS,
                    (Fault::Internal, _) => {
                        return ApiError::from(AppError::Internal(e.to_string()));
                    }
                };
                let mut err = ApiError::new(status, e.code(), e.zh(), e.to_string());
                err.retry_after = e.retry_after_secs();
                err
            }
            AppError::Storage(e) => ApiError::from(AppError::Internal(e.to_string())),
            AppError::RateLimited {
                retry_after_secs,
                keys_per_minute,
            } => {
                let mut err = ApiError::new(
                    S::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!(
                        "核验次数已达上限（每分钟{keys_per_minute}条），请{retry_after_secs}秒后再试"
                    ),
                    format!(
                        "verification limit of {keys_per_minute} keys a minute reached; retry in {retry_after_secs} s"
                    ),
                );
                err.retry_after = Some(retry_after_secs);
                err
            }
            AppError::Busy => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                "busy",
                "系统繁忙，请稍后重试",
                "the platform is busy; try again",
            ),
            AppError::Internal(detail) => {
                let id = uuid::Uuid::now_v7().to_string();
                tracing::error!(error.id = %id, error.detail = %detail, "internal error");
                let mut err = ApiError::new(
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    format!("系统内部错误，错误编号{id}"),
                    format!("internal error; error id {id}"),
                );
                err.error_id = Some(id);
                err
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let retry_after = match (self.retry_after, status) {
            (Some(secs), _) => Some(HeaderValue::from(secs)),
            (None, StatusCode::SERVICE_UNAVAILABLE) => Some(HeaderValue::from_static("1")),
            (None, _) => None,
        };
        let mut res = (status, Json(self.into_problem())).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(value) = retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, value);
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A size limit as people read it: `2 GiB`, `100 MiB`, or the bytes when not a round unit.
fn size_text(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    #[test]
    fn size_limits_read_in_round_units() {
        assert_eq!(super::size_text(2 << 30), "2 GiB");
        assert_eq!(super::size_text(100 << 20), "100 MiB");
        assert_eq!(super::size_text(1000), "1000 bytes");
        assert_eq!(super::size_text(1536), "1536 bytes");
        assert_eq!(super::size_text(4096), "4 KiB");
    }
}

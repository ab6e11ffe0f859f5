//! The application's one error type. The web crate maps each variant to an HTTP status and a
//! problem+json body in one place; the variants carry what a user needs to fix the input.

use gongshu_domain::{DenyReason, Violations};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Invalid(#[from] Violations),
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("not logged in")]
    Unauthenticated,
    #[error("session expired")]
    SessionExpired,
    #[error("account disabled")]
    AccountDisabled,
    /// New password logins of this account name are refused from every address until `until`
    /// (too many failures from many addresses). Sessions and tokens keep working.
    #[error("account locked until {until}")]
    AccountLocked {
        until: String,
        retry_after_secs: u64,
    },
    /// New password logins of this name from this client address (or from this address at
    /// all) are refused until `until` (too many failures from here).
    #[error("too many failed logins; try again after {until}")]
    LoginThrottled {
        until: String,
        retry_after_secs: u64,
    },
    #[error("forbidden: {}", .0.en())]
    Forbidden(DenyReason),
    /// Refused by the rules of the data itself rather than by role: no live grant, a
    /// suspension (H41). The code tells the reader which.
    #[error("{en}")]
    Denied {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// The opening of the data is suspended while an objection or a risk is verified (H27):
    /// HTTP 451, the status for content withheld on a legal demand.
    #[error("{en}")]
    OpeningSuspended {
        case_id: String,
        zh: String,
        en: String,
    },
    #[error("{what} not found")]
    NotFound {
        what: &'static str,
        zh: &'static str,
    },
    #[error("{en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// An uploaded file broke the rules in these places; nothing was written.
    #[error("the file has {} problem(s)", .0.len())]
    InvalidFile(Vec<FileProblem>),
    /// An uploaded data file has bad rows and the uploader did not ask to drop them; nothing
    /// was kept. `problems` lists the first bad cells, `bad_cells` counts all of them.
    #[error("the data file has {bad_cells} bad cell(s) in {bad_rows} row(s)")]
    RejectedData {
        bad_rows: u64,
        bad_cells: u64,
        problems: Vec<FileProblem>,
    },
    /// An uploaded file is larger than the platform accepts (refused before it is read when
    /// its length is known, otherwise as soon as it passes the limit); nothing was kept.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// A compressed upload expands past one of the expansion limits (a decompression bomb),
    /// measured before it was read; nothing was kept. The limit is named in both languages.
    #[error("the file expands past {limit_en}")]
    ExpandedTooLarge { limit_zh: String, limit_en: String },
    /// An uploaded file that cannot be used as a whole, for a reason with its own stable code
    /// (`no_matching_columns`, `unsupported_compression`); nothing was kept.
    #[error("{en}")]
    UnusableFile {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// A verification grant used up its keys for now (H21); retry after this many seconds.
    #[error("rate limit of {keys_per_minute} keys a minute reached; retry in {retry_after_secs} s")]
    RateLimited {
        retry_after_secs: u64,
        keys_per_minute: u32,
    },
    /// Too many of one kind of request from one client for now (objections from one address);
    /// retry after this many seconds.
    #[error("{en}")]
    Throttled {
        code: &'static str,
        zh: String,
        en: String,
        retry_after_secs: u64,
    },
    #[error("the database is busy; try again")]
    Busy,
    #[error("internal error: {0}")]
    Internal(String),
    /// A data query the engine refused or could not finish.
    #[error(transparent)]
    Query(#[from] gongshu_query::QueryError),
    /// The lake's storage failed (a bucket unreachable, a disk full): the platform's fault.
    #[error(transparent)]
    Storage(#[from] gongshu_lake::storage::StorageError),
}

impl AppError {
    pub fn not_found(what: &'static str, zh: &'static str) -> Self {
        AppError::NotFound { what, zh }
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl From<gongshu_store::StoreError> for AppError {
    fn from(e: gongshu_store::StoreError) -> Self {
        use gongshu_store::StoreError;
        match e {
            StoreError::Duplicate(what) => AppError::conflict(
                "duplicate",
                format!("已存在相同的记录（{what}）"),
                format!("a record with the same {what} already exists"),
            ),
            StoreError::Busy => AppError::Busy,
            StoreError::StillReferenced => AppError::conflict(
                "still_referenced",
                "该记录仍被其他数据引用（如目录条目），不能删除或修改",
                "the record is still referenced by other records",
            ),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        gongshu_store::StoreError::from(e).into()
    }
}

impl From<gongshu_audit::AuditError> for AppError {
    fn from(e: gongshu_audit::AuditError) -> Self {
        match e {
            gongshu_audit::AuditError::Store(s) => s.into(),
        }
    }
}

/// One problem at one place of an uploaded file (e.g. `资源目录!C5`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FileProblem {
    pub location: String,
    pub header: String,
    pub zh: String,
    pub en: String,
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// What an ingest refused, as the doors show it: size and expansion limits with their own
/// answers (413), a file that names no item or is compressed unusably with its own code, and
/// everything else as a problem with the `file` field.
impl From<gongshu_lake::IngestError> for AppError {
    fn from(e: gongshu_lake::IngestError) -> Self {
        use gongshu_lake::IngestError as E;
        match e {
            E::TooLarge { limit } => AppError::TooLarge { limit },
            E::ExpandedTooLarge { what, limit } => AppError::ExpandedTooLarge {
                limit_zh: what.zh(limit),
                limit_en: what.en(limit),
            },
            e @ (E::NoMatchingColumns { .. } | E::UnsupportedCompression { .. }) => {
                AppError::UnusableFile {
                    code: e.code(),
                    zh: e.zh(),
                    en: e.to_string(),
                }
            }
            e => gongshu_domain::Violation::new("file", e.code(), e.zh(), e.to_string()).into(),
        }
    }
}

impl From<gongshu_domain::Violation> for AppError {
    fn from(v: gongshu_domain::Violation) -> Self {
        AppError::Invalid(v.into())
    }
}

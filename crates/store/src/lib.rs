//! Metadata storage (元数据存储) on SQLite or PostgreSQL, chosen by URL, through one SQL text
//! (`$1` placeholders work on both). Repositories are free functions per aggregate that take the
//! connection or transaction explicitly, so a command decides what one transaction covers.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod assessments;
pub mod calendar;
pub mod catalog;
pub mod closures;
pub mod confidentiality;
mod db;
pub mod demands;
pub mod derivatives;
pub mod duties;
pub mod elements;
pub mod login_throttle;
pub mod objections;
pub mod open;
pub mod orgs;
pub mod quality;
pub mod region_submissions;
pub mod schemes;
mod scope;
pub mod sessions;
pub mod settings;
pub mod sharing;
mod stored;
pub mod tickets;
pub mod tokens;
pub mod verify_buckets;
pub mod versions;

pub use db::{ACQUIRE_TIMEOUT, Backend, Db, DbConn, Tx};
pub use scope::one_connection_per_request;

pub type Conn = sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("a row with the same {0} already exists")]
    Duplicate(String),
    #[error("the row is still referenced by other records")]
    StillReferenced,
    /// Lock contention, or no pooled connection free within [`ACQUIRE_TIMEOUT`]: the
    /// request may be retried.
    #[error("the database is busy; try again")]
    Busy,
    /// A request asked for a second connection while holding one (see `scope`): our bug.
    #[error("a request asked for a second database connection while holding one")]
    NestedAcquire,
    /// A stored value that does not parse into its domain type: refused, never defaulted.
    #[error("stored {what} of {id} does not parse: {reason}")]
    Corrupt {
        what: &'static str,
        id: String,
        reason: String,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// Unique violations and lock contention are mapped here, once, so callers can answer
    /// 409 or "retry" instead of a generic failure.
    fn from(e: sqlx::Error) -> Self {
        if matches!(e, sqlx::Error::PoolTimedOut) {
            return StoreError::Busy;
        }
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                let constraint = db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| unique_column(db.message()));
                return StoreError::Duplicate(constraint);
            }
            if db.is_foreign_key_violation() {
                return StoreError::StillReferenced;
            }
            let code = db.code().unwrap_or_default();
            // SQLITE_BUSY (5), SQLITE_LOCKED (6); PostgreSQL serialization / deadlock.
            if matches!(code.as_ref(), "5" | "6" | "517" | "40001" | "40P01") {
                return StoreError::Busy;
            }
        }
        StoreError::Database(e)
    }
}

/// SQLite names the column in its message ("UNIQUE constraint failed: accounts.username").
fn unique_column(message: &str) -> String {
    message
        .rsplit(": ")
        .next()
        .unwrap_or(message)
        .trim()
        .to_owned()
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

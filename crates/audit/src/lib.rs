//! The audit log (审计日志): every command appends one event in the same transaction as its
//! change, and each event carries the SM3 hash of the one before it, so editing, removing or
//! reordering any stored event breaks the chain at a sequence number [`verify`] can name.
//! Nothing in the platform updates or deletes an event; the tables also refuse it by trigger.
#![forbid(unsafe_code)]

mod chain;
mod events;

pub use chain::{Breakage, VerifyReport, verify};
pub use events::{AuditEvent, EventFilter, NewEvent, Outcome, append, list_events};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] gongshu_store::StoreError),
}

impl From<sqlx::Error> for AuditError {
    fn from(e: sqlx::Error) -> Self {
        AuditError::Store(e.into())
    }
}

pub type Result<T, E = AuditError> = std::result::Result<T, E>;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

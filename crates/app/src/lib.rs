//! Application commands and queries (应用层): the only door through which anything changes.
//! Every command has the same shape: validate the input into domain types, ask the domain's
//! access decision, act in one transaction that also appends the audit event, then run any
//! after-commit effects. Web pages, the REST API and the CLI all call these functions.
#![forbid(unsafe_code)]

pub mod accounts;
mod app;
pub mod audit_log;
pub mod bootstrap;
pub mod calendar;
pub mod catalog;
mod clock;
pub mod confidentiality;
mod context;
pub mod data;
mod error;
pub mod identity;
pub mod interop;
pub mod objections;
pub mod open;
pub mod orgs;
pub mod quality;
mod record;
pub mod security_policy;
pub mod sharing;
mod time;
pub mod versions;

pub use app::{
    App, AppConfig, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_MAX_XLSX_BYTES,
    DEFAULT_VERIFY_KEYS_PER_MINUTE, SearchIndex,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use context::{AuthVia, Ctx, Principal, RequestMeta};
pub use error::{AppError, FileProblem, Result};
/// How far a compressed upload may expand (issue 11 item 3), for `AppConfig::expansion`.
pub use gongshu_lake::ExpansionLimits;
/// Every door runs a request's commands inside this, so a request holds one database
/// connection at a time.
pub use gongshu_store::one_connection_per_request;
pub use time::{format_time, micros_to_datetime};

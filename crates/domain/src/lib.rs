//! Pure rules of the Gongshu platform (公数). Nothing here performs I/O: identifiers, the
//! working-day calendar, organisations, roles and the single access decision are all
//! functions of their inputs, so they can be tested exhaustively and reused by every door
//! (web, API, CLI) through the application layer.
#![forbid(unsafe_code)]

pub mod access;
pub mod authz;
pub mod calendar;
pub mod catalog;
pub mod citizen_id;
pub mod closure;
pub mod confidentiality;
pub mod credit_code;
pub mod error;
pub mod filter;
pub mod grant;
pub mod key_bucket;
pub mod login_throttle;
pub mod objection;
pub mod org;
pub mod paging;
pub mod password;
pub mod quality;
pub mod role;
pub mod security_policy;
pub mod share_assessment;
pub mod sharing;
pub mod versions;

pub use authz::{Action, Actor, Decision, DenyReason, Target, decide};
pub use calendar::{Deadline, WorkingCalendar, YearCalendar};
pub use citizen_id::CitizenId;
pub use credit_code::CreditCode;
pub use error::{IdDefect, Violation, Violations};
pub use org::{OrgKind, OrgLevel, OrgPlacement};
pub use paging::Paging;
pub use role::{Role, RoleSet};
pub use security_policy::SecurityPolicy;

//! The query model of the data plane (数据查询) of Gongshu (公数): what a reader asks — a page
//! of rows, an export, an aggregate, read-only SQL — over which [`Dataset`]s and policy
//! [`View`]s, what comes back ([`Page`], [`Batches`]) and how it is encoded for download; and
//! the port a query engine implements ([`QueryEngine`]).
//!
//! Why two crates: this one needs only Arrow, so the application and the web layer build and
//! link without the engine; `gongshu-engine` runs the queries with DataFusion, and only the
//! composition root (the binary, the tests) depends on it. The names follow the words:
//! a reader sends a *query*; the *engine* runs it.
//!
//! The crate knows nothing of catalogs, grants or HTTP: the application decides which datasets
//! a reader may read, through which view, and hands them to the engine.
#![forbid(unsafe_code)]

mod aggregate;
mod batches;
mod encode;
mod engine;
mod error;
mod filter;
mod limits;
mod order;
mod rows;
mod stats;
mod text;
mod verify;
mod view;

pub use aggregate::{AggregateQuery, Function, Measure};
pub use batches::Batches;
pub use encode::{Encoded, Format, XLSX_MAX_ROWS, encode};
pub use engine::QueryEngine;
pub use error::{Fault, QueryError};
pub use filter::{Filter, Op};
pub use limits::{LaneLimits, Limits};
pub use order::OrderKey;
pub use rows::{OffsetPage, Page, PageRequest, RowsQuery, take_rows};
pub use stats::ColumnStats;
pub use verify::{Claim, Digests, VerifyIndex};
pub use view::{Dataset, View, ViewColumn};

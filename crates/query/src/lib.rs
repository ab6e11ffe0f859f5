//! Queries over the data plane (数据查询) of Gongshu (公数): DataFusion over the Parquet
//! versions the lake writes. Every read goes through a policy [`View`] — the items a reader
//! may see, a row filter, a masking function per item — built here as the base of the
//! reader's query, so filters, aggregates and SQL only ever see what the view shows.
//!
//! The crate knows nothing of catalogs, grants or HTTP: the application layer decides which
//! [`Dataset`]s a reader may read and hands them in. DataFusion stays inside this crate so the
//! rest of the workspace rebuilds quickly.
#![forbid(unsafe_code)]

mod aggregate;
mod encode;
mod engine;
mod error;
mod executor;
mod filter;
mod functions;
mod joins;
mod mask;
mod order;
mod restrict;
mod rows;
mod sql;
mod stats;
mod verify;
mod view;
mod yielding;

pub use aggregate::{AggregateQuery, Function, Measure};
pub use encode::{Format, XLSX_MAX_ROWS, encode, encode_batches};
pub use engine::{Batches, Engine, Limits};
pub use error::{Fault, QueryError};
pub use executor::LaneLimits;
pub use filter::{Filter, Op};
pub use order::OrderKey;
pub use rows::{OffsetPage, Page, PageRequest, RowsQuery};
pub use stats::ColumnStats;
pub use verify::{Claim, Digests, VerifyIndex};
pub use view::{Dataset, View, ViewColumn};

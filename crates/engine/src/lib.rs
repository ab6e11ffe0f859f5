//! The query engine (查询引擎) of Gongshu (公数): DataFusion over the Parquet versions the lake
//! writes, behind the port of the query model ([`gongshu_query::QueryEngine`]). Every read
//! goes through a policy view — the items a reader may see, a row filter, a masking function
//! per item — built here as the base of the reader's query, so filters, aggregates and SQL
//! only ever see what the view shows.
//!
//! DataFusion stays inside this crate so the rest of the workspace rebuilds quickly: only the
//! composition root (the binary, the tests) depends on it and hands an [`Engine`] to the
//! application as an `Arc<dyn QueryEngine>`.
#![forbid(unsafe_code)]

mod aggregate;
mod engine;
mod error;
mod executor;
mod filter;
mod functions;
mod joins;
mod mask;
mod order;
mod port;
mod restrict;
mod rows;
mod sql;
mod stats;
mod verify;
mod view;
mod yielding;

pub use engine::Engine;

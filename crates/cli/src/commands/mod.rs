//! One module per subcommand, each with its arguments and what it runs.

pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod demo;
pub mod ingest;
pub mod migrate;
pub mod search;
pub mod serve;

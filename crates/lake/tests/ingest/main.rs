//! Ingest, end to end through the public API: every format and encoding in, Parquet out and
//! read back; every kind of bad input with the position it is reported at; limits, rejects and
//! progress; quality tallies. Requirement IDs: H11/H12 (quality inputs: validity of types and identifiers),
//! B11, B17 (data supply and its quality), issue 4 item 1.

mod bad_input;
mod expansion;
mod formats;
mod headers;
mod limits;
mod quality;
mod support;

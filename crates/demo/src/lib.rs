//! The demo city of Gongshu (演示城市): a city with its agencies, counties and users, a catalog
//! taken through review, sharing in every state, open quality tickets, and synthetic datasets,
//! for `gongshu serve --demo`, `gongshu demo seed` and the tests. Everything is made through
//! the application's public commands, as the demo users, so the audit log tells the demo's
//! story like any other; the platform itself never depends on this crate.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod city;
pub mod data;
pub mod quality;
pub mod sharing;

pub use city::{DemoSummary, DemoUser, seed};

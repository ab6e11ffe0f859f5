//! The HTTP surface (web): the REST API under `/api/v1` with its OpenAPI document, health and
//! metrics endpoints, the Chinese console pages, the public open-data portal (`/open`), and the
//! interfaces other open-data tools speak: CKAN's Action API and DCAT-AP catalogs. Handlers
//! only parse, call one command of `gongshu-app` and render; errors become problem+json (API)
//! or an error page (console, portal) in one place each.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod ckan;
mod console;
mod dcat;
mod error;
mod extract;
mod metrics;
mod net;
mod origin;
mod portal;
mod public_url;
mod server;
mod state;
mod stream;

pub use error::ApiError;
pub use net::IpRange;
pub use server::{ServeConfig, router, serve};
pub use state::{AppState, WebConfig};

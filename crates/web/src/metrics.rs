//! Prometheus metrics: request counts and latencies per route template (never per raw path, so
//! ids in URLs do not explode the series), and who may read them: loopback and the addresses
//! the operator allows, or whoever holds the metrics token.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::net::{ClientFacts, IpRange, in_any};
use crate::state::{AppState, WebConfig};

/// Whether a request may read `/metrics`: with `Authorization: Bearer <metrics token>` from
/// anywhere; otherwise only from loopback or an allowed address, reached directly. A request
/// forwarded by a proxy that is not trusted is refused, since its peer address is then the
/// proxy's (a local reverse proxy would otherwise open the metrics to the world).
pub(crate) fn may_read(
    config: &WebConfig,
    client: &ClientFacts,
    authorization: Option<&str>,
) -> bool {
    if let (Some(token), Some(given)) = (
        config.metrics_token.as_deref(),
        authorization.and_then(|a| a.strip_prefix("Bearer ")),
    ) {
        return same_secret(token.as_bytes(), given.trim().as_bytes());
    }
    if client.unverified_forwarding {
        return false;
    }
    client
        .addr
        .is_some_and(|ip| in_any(&IpRange::loopback(), ip) || in_any(&config.metrics_allow, ip))
}

/// Compares in time that does not depend on where the first difference is.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gongshu");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.001, 2.0, 14))) as fn() -> Histogram,
        );
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by route",
            latency.clone(),
        );
        Self {
            registry,
            requests,
            latency,
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let m = &state.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status: res.status().as_u16(),
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels { method, route })
        .observe(started.elapsed().as_secs_f64());
    res
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn client(addr: &str) -> ClientFacts {
        ClientFacts {
            addr: Some(addr.parse::<IpAddr>().unwrap()),
            unverified_forwarding: false,
            host: None,
        }
    }

    #[test]
    fn metrics_are_for_loopback_by_default() {
        let config = WebConfig::default();
        assert!(may_read(&config, &client("127.0.0.1"), None));
        assert!(may_read(&config, &client("::1"), None));
        assert!(!may_read(&config, &client("10.0.0.5"), None));
        assert!(!may_read(
            &config,
            &client("203.0.113.7"),
            Some("Bearer anything")
        ));
        let mut proxied = client("127.0.0.1");
        proxied.unverified_forwarding = true;
        assert!(
            !may_read(&config, &proxied, None),
            "through an unlisted proxy"
        );
    }

    #[test]
    fn allowed_addresses_and_the_token_open_them() {
        let config = WebConfig {
            metrics_allow: vec!["10.0.0.0/24".parse().unwrap()],
            metrics_token: Some("a-long-metrics-token".into()),
            ..WebConfig::default()
        };
        assert!(may_read(&config, &client("10.0.0.5"), None));
        assert!(!may_read(&config, &client("10.0.1.5"), None));
        let far = client("203.0.113.7");
        assert!(may_read(&config, &far, Some("Bearer a-long-metrics-token")));
        assert!(!may_read(
            &config,
            &far,
            Some("Bearer a-long-metrics-tokeN")
        ));
        assert!(!may_read(&config, &far, Some("Bearer ")));
        // A wrong token is not rescued by the address.
        assert!(!may_read(
            &config,
            &client("127.0.0.1"),
            Some("Bearer wrong")
        ));
    }
}

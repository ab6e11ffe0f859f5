//! Where a request comes from, decided once at the edge: the client address (the TCP peer, or
//! behind a trusted reverse proxy the address it forwards) and the host the client addressed.
//! Login throttling, the audit log, the same-origin check and `/metrics` all read the result,
//! so a forwarded header is believed only from a proxy the operator listed.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// An address or a CIDR range: `10.0.0.0/8`, `192.168.1.5`, `fd00::/8`, `::1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    net: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.168.1.5, fd00::/8)")]
pub struct BadIpRange(String);

impl FromStr for IpRange {
    type Err = BadIpRange;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadIpRange(s.to_owned());
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let net = net.to_canonical();
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(IpRange { net, prefix })
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

impl IpRange {
    /// `127.0.0.0/8` and `::1`.
    pub fn loopback() -> [IpRange; 2] {
        [
            IpRange {
                net: IpAddr::from([127, 0, 0, 0]),
                prefix: 8,
            },
            IpRange {
                net: IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
                prefix: 128,
            },
        ]
    }

    /// Whether `ip` lies in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Whether any of `ranges` holds `ip`.
pub fn in_any(ranges: &[IpRange], ip: IpAddr) -> bool {
    ranges.iter().any(|r| r.contains(ip))
}

/// What the edge knows about a request, set by [`resolve`] for every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFacts {
    /// The client's address: the TCP peer, or what a trusted proxy says it forwarded for.
    pub addr: Option<IpAddr>,
    /// The request carries forwarding headers no trusted proxy vouches for: it came through
    /// some proxy, so the peer address is not the client's.
    pub unverified_forwarding: bool,
    /// The `host[:port]` the client addressed: `X-Forwarded-Host` from a trusted proxy,
    /// otherwise the `Host` header.
    pub host: Option<String>,
}

const FORWARDING_HEADERS: [&str; 4] = [
    "x-forwarded-for",
    "x-forwarded-host",
    "forwarded",
    "x-real-ip",
];

/// Resolves the client from the TCP peer and the headers. Behind trusted proxies, the
/// `X-Forwarded-For` list is read from the right, past every hop that is itself a trusted
/// proxy; the first other address is the client (an unparseable entry stops the walk at the
/// last trusted hop, which is then taken as the client).
pub fn client_facts(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpRange]) -> ClientFacts {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded = FORWARDING_HEADERS.iter().any(|h| headers.contains_key(*h));
    let peer = peer.map(|p| p.to_canonical());
    let Some(peer) = peer.filter(|p| in_any(trusted, *p)) else {
        return ClientFacts {
            addr: peer,
            unverified_forwarding: forwarded,
            host: header("host").map(str::to_owned),
        };
    };
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        if !in_any(trusted, client) {
            break;
        }
        match hop.parse::<IpAddr>() {
            Ok(ip) => client = ip.to_canonical(),
            Err(_) => break,
        }
    }
    let host = header("x-forwarded-host")
        .and_then(|h| h.split(',').next())
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .or_else(|| header("host"))
        .map(str::to_owned);
    ClientFacts {
        addr: Some(client),
        unverified_forwarding: false,
        host,
    }
}

/// Middleware: sets [`ClientFacts`] on every request.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let facts = client_facts(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(facts);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn ranges(list: &[&str]) -> Vec<IpRange> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn ranges_parse_and_match() {
        let r: IpRange = "10.1.0.0/16".parse().unwrap();
        assert!(r.contains(ip("10.1.200.3")));
        assert!(!r.contains(ip("10.2.0.1")));
        assert!(
            r.contains(ip("::ffff:10.1.0.9")),
            "IPv4-mapped counts as IPv4"
        );
        let one: IpRange = "192.168.1.5".parse().unwrap();
        assert!(one.contains(ip("192.168.1.5")) && !one.contains(ip("192.168.1.6")));
        let v6: IpRange = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.7")) && !all.contains(ip("::2")));
        for bad in ["", "10.0.0.0/33", "::/129", "example.org", "10.0.0.0/x"] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad}");
        }
        assert!(in_any(&IpRange::loopback(), ip("127.9.9.9")));
        assert!(in_any(&IpRange::loopback(), ip("::1")));
        assert!(!in_any(&IpRange::loopback(), ip("10.0.0.1")));
    }

    #[test]
    fn forwarded_headers_are_ignored_unless_the_peer_is_a_trusted_proxy() {
        let h = headers(&[("x-forwarded-for", "203.0.113.7"), ("host", "data.gov.cn")]);
        let direct = client_facts(Some(ip("198.51.100.1")), &h, &[]);
        assert_eq!(direct.addr, Some(ip("198.51.100.1")));
        assert!(direct.unverified_forwarding);
        let trusted = ranges(&["10.0.0.0/8"]);
        let spoofed = client_facts(Some(ip("198.51.100.1")), &h, &trusted);
        assert_eq!(spoofed.addr, Some(ip("198.51.100.1")));
        let plain = client_facts(Some(ip("198.51.100.1")), &headers(&[]), &[]);
        assert!(!plain.unverified_forwarding);
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = ranges(&["10.0.0.0/8"]);
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1, 203.0.113.7"),
            ("x-forwarded-for", "10.0.0.2"),
            ("x-forwarded-host", "data.gov.cn"),
            ("host", "10.0.0.3:8080"),
        ]);
        let facts = client_facts(Some(ip("10.0.0.3")), &h, &trusted);
        // 1.1.1.1 was written by the client itself and is not believed.
        assert_eq!(facts.addr, Some(ip("203.0.113.7")));
        assert_eq!(facts.host.as_deref(), Some("data.gov.cn"));
        assert!(!facts.unverified_forwarding);
        let garbage = headers(&[("x-forwarded-for", "203.0.113.7, not-an-ip")]);
        let facts = client_facts(Some(ip("10.0.0.3")), &garbage, &trusted);
        assert_eq!(facts.addr, Some(ip("10.0.0.3")));
        let none = client_facts(Some(ip("10.0.0.3")), &headers(&[("host", "h")]), &trusted);
        assert_eq!(
            (none.addr, none.host.as_deref()),
            (Some(ip("10.0.0.3")), Some("h"))
        );
    }
}

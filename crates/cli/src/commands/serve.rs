//! `gongshu serve`: runs the platform — migrations at start, the demo city when asked, the
//! deadline scheduler, and the web server until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::bail;
use clap::Args;
use gongshu_web::{AppState, ServeConfig};

use super::demo::{parse_data_scale, print_demo_banner, seed_demo_city, seed_demo_data};
use crate::args::{DataArgs, UploadLimits};

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Address to listen on.
    #[arg(long, env = "GONGSHU_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Seed the demo city if the database is empty (loopback addresses only).
    #[arg(long)]
    demo: bool,
    /// The password every demo user shares.
    #[arg(long, env = "GONGSHU_DEMO_PASSWORD", default_value = "gongshu-demo")]
    demo_password: String,
    /// Size of the demo datasets, seeded in the background while the server runs: 1 is
    /// the full set (a 1,000,000-row household register among two dozen entries), 0.01 a
    /// hundredth, 0 none.
    #[arg(long, env = "GONGSHU_DEMO_DATA_SCALE", default_value_t = 1.0, value_parser = parse_data_scale)]
    demo_data_scale: f64,
    #[command(flatten)]
    web: WebArgs,
    #[command(flatten)]
    limits: UploadLimits,
}

/// How `serve` is exposed: cookies and HSTS, trusted proxies, who may read `/metrics`.
#[derive(Args, Clone)]
struct WebArgs {
    /// Plain HTTP on a loopback address (development): the session cookie without `Secure`,
    /// no HSTS. Refused on any other address; `--demo` implies it. By default the platform
    /// expects to be reached over HTTPS (directly or through a TLS-terminating proxy).
    #[arg(long, env = "GONGSHU_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// Cookies are Secure by default now; kept so old command lines and environments work.
    #[arg(
        long,
        hide = true,
        env = "GONGSHU_SECURE_COOKIES",
        conflicts_with = "insecure_cookies"
    )]
    secure_cookies: bool,
    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For and
    /// X-Forwarded-Host are believed: the client address of login throttling and the audit
    /// log, and the host of the same-origin check. Default: none (the TCP peer is the client).
    #[arg(long, env = "GONGSHU_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<gongshu_web::IpRange>,
    /// Addresses or CIDR ranges (comma-separated) that may read /metrics besides loopback.
    #[arg(long, env = "GONGSHU_METRICS_ALLOW", value_delimiter = ',')]
    metrics_allow: Vec<gongshu_web::IpRange>,
    /// A bearer token (at least 16 characters) that opens /metrics from any address.
    #[arg(long, env = "GONGSHU_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

impl WebArgs {
    /// The web configuration for serving on `addr`; `demo` implies insecure cookies (the demo
    /// is bound to loopback).
    fn config(self, addr: SocketAddr, demo: bool) -> anyhow::Result<gongshu_web::WebConfig> {
        if self.insecure_cookies && !addr.ip().is_loopback() {
            bail!(
                "--insecure-cookies is for plain HTTP on a loopback address (127.0.0.1 or ::1), not {addr}: \
                 serve the platform over HTTPS (e.g. behind a TLS-terminating proxy) instead"
            );
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.trim().chars().count() < 16)
        {
            bail!("--metrics-token must be at least 16 characters");
        }
        Ok(gongshu_web::WebConfig {
            secure_cookies: !(self.insecure_cookies || demo),
            trusted_proxies: self.trusted_proxies,
            metrics_allow: self.metrics_allow,
            metrics_token: self.metrics_token.map(|t| t.trim().to_owned()),
        })
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let ServeArgs {
        data,
        addr,
        demo,
        demo_password,
        demo_data_scale,
        web,
        limits,
    } = args;
    let data = data.with_limits(limits);
    if demo && !addr.ip().is_loopback() {
        bail!(
            "demo mode only binds to a loopback address (127.0.0.1 or ::1), not {addr}: its users share a published password"
        );
    }
    let web = web.config(addr, demo)?;
    if !web.secure_cookies {
        tracing::warn!(
            server.addr = %addr,
            demo,
            "plain HTTP on loopback: the session cookie is not marked Secure and no HSTS is sent{}",
            if demo { " (implied by --demo)" } else { "" }
        );
    }
    let app = data.open_with_index().await?;
    let stop = Arc::new(AtomicBool::new(false));
    if demo {
        let summary = seed_demo_city(&app, &demo_password).await?;
        print_demo_banner(&summary, &demo_password, addr);
        if demo_data_scale > 0.0 {
            // The datasets take a while (the full register is a million rows), so the
            // server answers meanwhile and each dataset appears as it is committed.
            println!(
                "演示数据正在后台生成，进度见日志 demo datasets are being seeded in the background; progress is logged"
            );
            tokio::spawn(seed_demo_data(app.clone(), demo_data_scale, stop.clone()));
        }
    }
    // Share request reminders and escalations (H21): checked every five minutes.
    tokio::spawn(gongshu_app::sharing::schedule_deadlines(
        app.clone(),
        std::time::Duration::from_secs(300),
        stop.clone(),
    ));
    // Quality tickets for data overdue for an update (H12): checked every five minutes.
    tokio::spawn(gongshu_app::quality::tickets::schedule_quality_checks(
        app.clone(),
        std::time::Duration::from_secs(300),
        stop.clone(),
    ));
    let served = gongshu_web::serve(AppState::with_config(app, web), ServeConfig { addr }).await;
    // A dataset still being generated stops at its next buffer; its staged file is
    // swept at the next start.
    stop.store(true, Ordering::Relaxed);
    served?;
    Ok(ExitCode::SUCCESS)
}

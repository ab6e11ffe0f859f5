//! `gongshu demo seed`, and the demo seeding `serve --demo` shares with it: the city, its
//! catalog and sharing in the foreground, the datasets after them (in the background when
//! serving), and what is printed about them.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Subcommand;
use gongshu_app::App;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Seeds the demo city, its catalog and its datasets into an empty data directory (what
    /// `serve --demo` does), in the foreground, and exits. Anything already seeded is kept.
    Seed {
        /// The password every demo user shares.
        #[arg(long, env = "GONGSHU_DEMO_PASSWORD", default_value = "gongshu-demo")]
        password: String,
        /// Size of the demo datasets: 1 is the full set, 0 none (see `serve --demo-data-scale`).
        #[arg(long, default_value_t = 1.0, value_parser = parse_data_scale)]
        data_scale: f64,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// A demo data scale from 0 to [`gongshu_demo::data::DemoDataSize::MAX_SCALE`].
pub fn parse_data_scale(s: &str) -> Result<f64, String> {
    let max = gongshu_demo::data::DemoDataSize::MAX_SCALE;
    match s.parse::<f64>() {
        Ok(v) if (0.0..=max).contains(&v) => Ok(v),
        _ => Err(format!("a number from 0 to {max}")),
    }
}

pub async fn run(command: DemoCommand) -> anyhow::Result<ExitCode> {
    let DemoCommand::Seed {
        password,
        data_scale,
        data,
    } = command;
    let app = data.open().await?;
    let summary = seed_demo_city(&app, &password).await?;
    println!(
        "演示城市 demo city {}: {} users",
        if summary.seeded {
            "seeded"
        } else {
            "already present"
        },
        summary.users.len()
    );
    if data_scale > 0.0 {
        let started = std::time::Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let size = gongshu_demo::data::DemoDataSize {
            rows_scale: data_scale,
        };
        let data = gongshu_demo::data::seed_data(&app, size, stop)
            .await
            .map_err(|e| anyhow::anyhow!("demo data seeding failed: {e}"))?;
        print_demo_data(&data, started.elapsed());
    }
    Ok(ExitCode::SUCCESS)
}

/// Seeds the demo city, its catalog, its sharing and its quality tickets (each only into an
/// empty database).
pub async fn seed_demo_city(
    app: &App,
    password: &str,
) -> anyhow::Result<gongshu_demo::DemoSummary> {
    let summary = gongshu_demo::seed(app, password)
        .await
        .map_err(|e| anyhow::anyhow!("demo seeding failed: {e}"))?;
    let entries = gongshu_demo::catalog::seed_catalog(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo catalog seeding failed: {e}"))?;
    if entries > 0 {
        println!("演示目录已生成 demo catalog seeded: {entries} entries");
    }
    let requests = gongshu_demo::sharing::seed_sharing(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo sharing seeding failed: {e}"))?;
    if requests > 0 {
        println!("演示共享申请已生成 demo share requests seeded: {requests}");
    }
    let tickets = gongshu_demo::quality::seed_quality(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo quality ticket seeding failed: {e}"))?;
    if tickets > 0 {
        println!("演示质量问题工单已生成 demo quality tickets seeded: {tickets}");
    }
    Ok(summary)
}

/// The background half of `serve --demo`: a failure is logged, the server keeps running.
pub async fn seed_demo_data(app: App, rows_scale: f64, stop: Arc<AtomicBool>) {
    let started = std::time::Instant::now();
    let size = gongshu_demo::data::DemoDataSize { rows_scale };
    match gongshu_demo::data::seed_data(&app, size, stop.clone()).await {
        Ok(data) => print_demo_data(&data, started.elapsed()),
        Err(_) if stop.load(Ordering::Relaxed) => {}
        Err(e) => tracing::error!(error = %e, "demo data seeding failed"),
    }
}

fn print_demo_data(data: &gongshu_demo::data::DemoDataSummary, took: std::time::Duration) {
    println!(
        "演示数据已生成 demo datasets seeded: {} versions, {} rows in {:.1}s ({} already present)",
        data.versions,
        data.rows,
        took.as_secs_f64(),
        data.present
    );
    if !data.missing_entries.is_empty() {
        println!(
            "  未找到已发布的目录条目 entries not found published: {}",
            data.missing_entries.join("、")
        );
    }
}

pub fn print_demo_banner(summary: &gongshu_demo::DemoSummary, password: &str, addr: SocketAddr) {
    println!();
    println!(
        "公数 Gongshu 演示城市 demo city {}",
        if summary.seeded {
            "seeded"
        } else {
            "already present"
        }
    );
    println!(
        "打开 open http://{addr}/   所有演示用户密码 password for every demo user: {password}"
    );
    println!(
        "{:<18} {:<10} {:<18} 单位 organisation",
        "用户名 user", "姓名", "角色 role"
    );
    for u in &summary.users {
        println!(
            "{:<18} {:<10} {:<18} {}",
            u.username,
            u.display_name,
            u.role.as_str(),
            u.org_name
        );
    }
    println!();
}

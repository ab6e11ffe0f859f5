//! `gongshu`: the one binary of the platform. `serve` runs it; `migrate`, `audit verify`,
//! `calendar import`, `ingest` and `demo seed` are the operator's tools. Every subcommand that
//! touches data takes the same `--data-dir` / `--database-url` / `--lake` options.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use gongshu_app::App;
use gongshu_web::{AppState, ServeConfig};

#[derive(Parser)]
#[command(
    name = "gongshu",
    version,
    about = "公数 Gongshu — public data platform for city governments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DataArgs {
    /// Directory for the embedded database and data files (created if missing).
    #[arg(long, env = "GONGSHU_DATA_DIR", default_value = "./gongshu-data")]
    data_dir: PathBuf,
    /// sqlite://PATH or postgres://USER@HOST/DB; default: SQLite in the data directory.
    #[arg(long, env = "GONGSHU_DATABASE_URL")]
    database_url: Option<String>,
    /// Where data versions live: s3://BUCKET/PREFIX for S3-compatible storage (credentials,
    /// region and endpoint from the AWS_* environment variables); default: <data-dir>/lake.
    #[arg(long, env = "GONGSHU_LAKE")]
    lake: Option<String>,
    /// Keys one verification grant (核验比对) may check a minute.
    #[arg(long, env = "GONGSHU_VERIFY_KEYS_PER_MINUTE", default_value_t = gongshu_app::DEFAULT_VERIFY_KEYS_PER_MINUTE)]
    verify_keys_per_minute: u32,
    /// Upload size limits, for the commands that take uploads (`serve`, `ingest`).
    #[arg(skip)]
    limits: Option<UploadLimits>,
}

/// Upload size limits (`serve`, `ingest`): a file over them is refused before it is read
/// when its length is known, otherwise as soon as it passes them.
#[derive(Args, Clone, Copy)]
struct UploadLimits {
    /// The largest data file an upload may be: bytes, or with a unit (KiB, MiB, GiB, KB, MB, GB).
    #[arg(long, env = "GONGSHU_MAX_UPLOAD_BYTES", default_value = "2GiB", value_parser = parse_size)]
    max_upload_bytes: u64,
    /// The largest XLSX workbook an upload may be (its shared strings are held in memory).
    #[arg(long, env = "GONGSHU_MAX_XLSX_BYTES", default_value = "100MiB", value_parser = parse_size)]
    max_xlsx_bytes: u64,
    /// What all parts of an XLSX workbook may expand to, measured before it is read.
    #[arg(long, env = "GONGSHU_MAX_XLSX_EXPANDED_BYTES", default_value = "512MiB", value_parser = parse_size)]
    max_xlsx_expanded_bytes: u64,
    /// Entries a workbook's shared-string table may hold.
    #[arg(long, env = "GONGSHU_MAX_SHARED_STRINGS", default_value_t = 1_000_000)]
    max_shared_strings: u64,
    /// What a workbook's shared-string table may expand to.
    #[arg(long, env = "GONGSHU_MAX_SHARED_STRING_BYTES", default_value = "256MiB", value_parser = parse_size)]
    max_shared_string_bytes: u64,
    /// What one Parquet page may expand to (also the largest Parquet footer).
    #[arg(long, env = "GONGSHU_MAX_PARQUET_PAGE_BYTES", default_value = "64MiB", value_parser = parse_size)]
    max_parquet_page_bytes: u64,
    /// What all pages read from one Parquet file may expand to together.
    #[arg(long, env = "GONGSHU_MAX_PARQUET_EXPANDED_BYTES", default_value = "16GiB", value_parser = parse_size)]
    max_parquet_expanded_bytes: u64,
    /// The longest text cell; a longer one is a bad cell.
    #[arg(long, env = "GONGSHU_MAX_CELL_BYTES", default_value = "1MiB", value_parser = parse_size)]
    max_cell_bytes: u64,
}

impl UploadLimits {
    fn expansion(&self) -> gongshu_app::ExpansionLimits {
        gongshu_app::ExpansionLimits {
            workbook_bytes: self.max_xlsx_expanded_bytes,
            shared_strings: self.max_shared_strings,
            shared_string_bytes: self.max_shared_string_bytes,
            parquet_page_bytes: self.max_parquet_page_bytes,
            parquet_bytes: self.max_parquet_expanded_bytes,
            cell_bytes: self.max_cell_bytes,
            ..gongshu_app::ExpansionLimits::default()
        }
    }
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

/// A size in bytes: `1048576`, `512KiB`, `100 MiB`, `2GiB`, `1.5GB` (K/M/G are powers of 1000,
/// Ki/Mi/Gi of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = (s[..split].trim(), s[split..].trim());
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown unit `{unit}`: use bytes, KiB, MiB, GiB, KB, MB or GB"
            ));
        }
    };
    let bytes = match number.parse::<u64>() {
        Ok(n) => n.checked_mul(factor),
        Err(_) => number
            .parse::<f64>()
            .ok()
            .map(|n| n * factor as f64)
            .filter(|b| b.is_finite() && *b >= 0.0 && *b < u64::MAX as f64)
            .map(|b| b as u64),
    };
    match bytes {
        Some(b) if b > 0 => Ok(b),
        _ => Err(format!("`{s}` is not a size greater than zero")),
    }
}

impl DataArgs {
    /// Opens the platform's data. Only `serve` and `search rebuild` take the on-disk search
    /// index (one writer at a time); other tools run beside a serving process.
    async fn open_with_index(&self) -> anyhow::Result<App> {
        let dir = self.data_dir.join("search-index");
        self.open_as(gongshu_app::SearchIndex::Directory(dir))
            .await
            .map_err(|e| {
                if format!("{e:#}").contains("LockBusy") {
                    anyhow::anyhow!(
                        "搜索索引正被另一个 gongshu serve 进程使用，请先停止该进程 \
                     (the search index is held by a running `gongshu serve`; stop it first)"
                    )
                } else {
                    e
                }
            })
    }

    async fn open(&self) -> anyhow::Result<App> {
        self.open_as(gongshu_app::SearchIndex::Detached).await
    }

    /// The same data with the upload limits of `serve` or `ingest`.
    fn with_limits(mut self, limits: UploadLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    async fn open_as(&self, search: gongshu_app::SearchIndex) -> anyhow::Result<App> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("gongshu.db").display()),
        };
        // Only the server (which holds the search index) sweeps orphaned lake files at start;
        // a tool beside it must not delete the staging file of an upload in flight.
        let sweep_lake = matches!(search, gongshu_app::SearchIndex::Directory(_));
        let lake = gongshu_lake::storage::Lake::open(self.lake.as_deref(), &self.data_dir)
            .context("cannot open the lake")?;
        let mut config = gongshu_app::AppConfig {
            search,
            lake: Some(lake),
            sweep_lake,
            verify_keys_per_minute: self.verify_keys_per_minute,
            ..gongshu_app::AppConfig::default()
        };
        if let Some(limits) = self.limits {
            config.max_upload_bytes = limits.max_upload_bytes;
            config.max_xlsx_bytes = limits.max_xlsx_bytes;
            config.expansion = limits.expansion();
        }
        App::open(&url, config)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Runs the platform (migrations are applied at start).
    Serve {
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
    },
    /// Applies database migrations and exits.
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Working-day calendar tools.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Catalog tools: the Excel round trip.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Uploads a file as the next data version of a published catalog entry (prints the
    /// ingest report). Exit code 2 when the file was refused (bad rows, no matching columns,
    /// expanding past a limit) and nothing was kept; 3 when the version was stored but held
    /// for confirmation (empty, or fewer than half the current rows).
    Ingest {
        file: PathBuf,
        /// The entry code.
        #[arg(long)]
        entry: String,
        /// Keep the good rows of a file with bad ones.
        #[arg(long)]
        drop_bad_rows: bool,
        /// Make the version current even if it is empty or has fewer than half the current
        /// version's rows (otherwise it is held until confirmed).
        #[arg(long)]
        confirm_drop: bool,
        /// The account to act as (default: the entry organisation's first agency admin).
        #[arg(long = "as")]
        as_user: Option<String>,
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        limits: UploadLimits,
    },
    /// Catalog search index tools.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Demo city tools.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
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
fn parse_data_scale(s: &str) -> Result<f64, String> {
    let max = gongshu_demo::data::DemoDataSize::MAX_SCALE;
    match s.parse::<f64>() {
        Ok(v) if (0.0..=max).contains(&v) => Ok(v),
        _ => Err(format!("a number from 0 to {max}")),
    }
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuilds the search index of the data directory from the database.
    Rebuild {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Writes a catalog as .xlsx in the import template (every published entry in scope).
    Export {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Organisation id, credit code or name: an agency's catalog, or an authority's area.
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Imports an .xlsx in the template into an organisation's catalog, all or nothing.
    Import {
        file: PathBuf,
        /// Organisation id, credit code or name.
        #[arg(long)]
        org: String,
        /// The account to act as (default: the organisation's first agency admin).
        #[arg(long = "as")]
        as_user: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recomputes the SM3 chain; exits non-zero naming the first broken sequence number.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Loads one year's holiday notice from a JSON file (format: crates/domain/data/holidays-cn.json, one year object).
    Import {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("GONGSHU_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("GONGSHU_LOG_FORMAT").is_ok_and(|f| f == "text") {
        builder.init();
    } else {
        builder.json().flatten_event(true).init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_tracing();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            data,
            addr,
            demo,
            demo_password,
            demo_data_scale,
            web,
            limits,
        } => {
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
            let served =
                gongshu_web::serve(AppState::with_config(app, web), ServeConfig { addr }).await;
            // A dataset still being generated stops at its next buffer; its staged file is
            // swept at the next start.
            stop.store(true, Ordering::Relaxed);
            served?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            command:
                DemoCommand::Seed {
                    password,
                    data_scale,
                    data,
                },
        } => {
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
        Command::Migrate { data } => {
            data.open().await?;
            println!("数据库迁移已完成 migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { data },
        } => {
            let app = data.open().await?;
            let report = gongshu_app::audit_log::verify_unattended(&app)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            match report.first_broken {
                None => {
                    println!(
                        "审计日志完整 audit chain intact: {} events, head #{} {}",
                        report.events_checked, report.head_seq, report.head_hash
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some((seq, breakage)) => {
                    println!(
                        "审计日志被篡改 audit chain BROKEN at sequence number {seq} ({breakage:?}); {} events before it verified",
                        report.events_checked
                    );
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Catalog { command } => run_catalog(command).await,
        Command::Ingest {
            file,
            entry,
            drop_bad_rows,
            confirm_drop,
            as_user,
            data,
            limits,
        } => {
            ingest(
                file,
                entry,
                IngestFlags {
                    drop_bad_rows,
                    confirm_drop,
                },
                as_user,
                data.with_limits(limits),
            )
            .await
        }
        Command::Search {
            command: SearchCommand::Rebuild { data },
        } => {
            let app = data.open_with_index().await?;
            let n = gongshu_app::catalog::search::rebuild(&app)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("搜索索引已重建 search index rebuilt: {n} published entries");
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar {
            command: CalendarCommand::Import { file, data },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let app = data.open().await?;
            let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
            let summary = gongshu_app::calendar::import_file_unattended(&app, &operator, &text)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "已导入{}年节假日安排 imported {}: {} holiday days, {} adjusted working days ({})",
                summary.year,
                summary.year,
                summary.holiday_days,
                summary.adjusted_working_days,
                summary.source
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn run_catalog(command: CatalogCommand) -> anyhow::Result<ExitCode> {
    use gongshu_app::catalog::excel;
    let fail = |e: gongshu_app::AppError| anyhow::anyhow!("{e}");
    match command {
        CatalogCommand::Export { out, org, data } => {
            let app = data.open().await?;
            let org_id = match org {
                Some(key) => Some(excel::find_org(&app, &key).await.map_err(fail)?),
                None => None,
            };
            let bytes = excel::export_xlsx(&app, excel::Reader::Operator, org_id.as_deref())
                .await
                .map_err(fail)?;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("已导出 exported {} ({} bytes)", out.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Import {
            file,
            org,
            as_user,
            data,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let app = data.open().await?;
            let org_id = excel::find_org(&app, &org).await.map_err(fail)?;
            let username = match as_user {
                Some(u) => u,
                None => gongshu_app::accounts::first_admin_of(&app, &org_id)
                    .await
                    .map_err(fail)?
                    .context("the organisation has no agency admin; name an account with --as")?,
            };
            let principal = gongshu_app::identity::principal_for_cli(&app, &username)
                .await
                .map_err(fail)?;
            let meta = gongshu_app::RequestMeta::cli();
            let ctx = gongshu_app::Ctx {
                meta: &meta,
                principal: &principal,
            };
            match excel::import_xlsx(&app, ctx, &org_id, &bytes).await {
                Ok(report) => {
                    println!(
                        "导入成功 imported as {username}: {} created, {} updated, {} unchanged",
                        report.created.len(),
                        report.updated.len(),
                        report.unchanged.len()
                    );
                    for code in report.created.iter().chain(&report.updated) {
                        println!("  {code}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(gongshu_app::AppError::InvalidFile(problems)) => {
                    println!(
                        "导入失败，未写入任何内容 import refused, nothing written: {} problem(s)",
                        problems.len()
                    );
                    for p in problems {
                        println!("  {} {}：{} / {}", p.location, p.header, p.zh, p.en);
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(fail(e)),
            }
        }
    }
}

/// What `gongshu ingest` asks of the upload.
struct IngestFlags {
    drop_bad_rows: bool,
    confirm_drop: bool,
}

async fn ingest(
    file: PathBuf,
    entry: String,
    flags: IngestFlags,
    as_user: Option<String>,
    data: DataArgs,
) -> anyhow::Result<ExitCode> {
    use gongshu_app::versions::{self, UploadOptions, UploadSource};
    let fail = |e: gongshu_app::AppError| anyhow::anyhow!("{e}");
    let reader =
        std::fs::File::open(&file).with_context(|| format!("cannot read {}", file.display()))?;
    // A pipe or a device has no length to check against the size limit or show an ETA for.
    let len = reader
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .context("the file has no name")?;
    let app = data.open().await?;
    let username = match as_user {
        Some(u) => u,
        None => {
            let org_id = versions::entry_org(&app, &entry).await.map_err(fail)?;
            gongshu_app::accounts::first_admin_of(&app, &org_id)
                .await
                .map_err(fail)?
                .context("the organisation has no agency admin; name an account with --as")?
        }
    };
    let principal = gongshu_app::identity::principal_for_cli(&app, &username)
        .await
        .map_err(fail)?;
    let meta = gongshu_app::RequestMeta::cli();
    let ctx = gongshu_app::Ctx {
        meta: &meta,
        principal: &principal,
    };
    // A bar over the source's bytes when its length is known, a spinner otherwise; rows and
    // throughput in the message. indicatif draws nothing when stderr is not a terminal.
    let bar = match len {
        Some(total) => indicatif::ProgressBar::new(total).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} 剩余 ETA {eta} · {msg}",
            )
            .expect("a valid template"),
        ),
        None => indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec} · {msg}")
                .expect("a valid template"),
        ),
    };
    let shown = bar.clone();
    let progress = move |p: versions::Progress| {
        shown.set_position(p.bytes);
        shown.set_message(format!("{} 行 rows", p.rows));
    };
    let source = UploadSource {
        name,
        reader: Box::new(std::io::BufReader::new(reader)),
        len,
    };
    let options = UploadOptions {
        drop_bad_rows: flags.drop_bad_rows,
        progress: Some(Box::new(progress)),
        confirm_drop: flags.confirm_drop,
    };
    let uploaded = versions::upload_version(&app, ctx, &entry, source, options).await;
    bar.finish_and_clear();
    match uploaded {
        Ok(v) => {
            let held = v.state == "held";
            println!(
                "{} {} v{} as {username}: {} rows ({} bad rows dropped), {} {}",
                if held {
                    "已保存但待确认 held"
                } else {
                    "已提交 committed"
                },
                v.entry_code,
                v.version,
                v.rows,
                v.bad_rows,
                v.source_format,
                v.source_encoding.as_deref().unwrap_or("")
            );
            for w in &v.warnings {
                println!("  提示 note: {} / {}", w.zh, w.en);
            }
            println!("  source {} bytes, SM3 {}", v.source_bytes, v.source_sm3);
            println!(
                "  data   {} ({} bytes), SM3 {}",
                v.data_file, v.data_bytes, v.data_sm3
            );
            if let (Some(file), Some(bytes), Some(sm3)) =
                (&v.rejects_file, v.rejects_bytes, &v.rejects_sm3)
            {
                println!("  剔除行 rejects {file} ({bytes} bytes), SM3 {sm3}");
            }
            if let Some(q) = &v.quality {
                println!(
                    "  质量 quality {:.1}: 完整性 completeness {:.1}, 有效性 validity {:.1}, \
                     唯一性 uniqueness {:.1}, 及时性 timeliness {:.1}",
                    q.overall, q.completeness, q.validity, q.uniqueness, q.timeliness
                );
            }
            if let Some(hold) = v.hold.as_ref().filter(|_| held) {
                println!("  {}", hold.zh);
                println!("  {}", hold.en);
                println!(
                    "  确认 to confirm: POST /api/v1/entries/{}/versions/{}/confirm (or the button on the data page, /catalog/entries/{}/data); \
                     to make such a version current at once, ingest again with --confirm-drop",
                    v.entry_code, v.version, v.entry_code
                );
                return Ok(ExitCode::from(3));
            }
            if v.hold.is_some() {
                println!(
                    "  行数为零或骤减，已按 --confirm-drop 确认生效 / the empty or sharply smaller version was made current as --confirm-drop asked"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(gongshu_app::AppError::RejectedData {
            bad_rows,
            bad_cells,
            problems,
        }) => {
            println!(
                "未提交，未保存任何内容 refused, nothing kept: {bad_cells} bad cell(s) in {bad_rows} row(s); use --drop-bad-rows to keep the rest"
            );
            for p in problems {
                println!("  {}：{} / {}", p.location, p.zh, p.en);
            }
            Ok(ExitCode::from(2))
        }
        Err(gongshu_app::AppError::ExpandedTooLarge { limit_zh, limit_en }) => {
            println!(
                "未提交，未保存任何内容 refused, nothing kept: 文件解压后超过{limit_zh} / the file expands past {limit_en}"
            );
            Ok(ExitCode::from(2))
        }
        Err(gongshu_app::AppError::UnusableFile { zh, en, .. }) => {
            println!("未提交，未保存任何内容 refused, nothing kept: {zh} / {en}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(fail(e)),
    }
}

/// Seeds the demo city, its catalog and its sharing (each only into an empty database).
async fn seed_demo_city(app: &App, password: &str) -> anyhow::Result<gongshu_demo::DemoSummary> {
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
    Ok(summary)
}

/// The background half of `serve --demo`: a failure is logged, the server keeps running.
async fn seed_demo_data(app: App, rows_scale: f64, stop: Arc<AtomicBool>) {
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

fn print_demo_banner(summary: &gongshu_demo::DemoSummary, password: &str, addr: SocketAddr) {
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

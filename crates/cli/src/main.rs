//! `gongshu`: the one binary of the platform. `serve` runs it; `migrate`, `audit verify`,
//! `calendar import`, `ingest` and `demo seed` are the operator's tools. Every subcommand that
//! touches data takes the same `--data-dir` / `--database-url` / `--lake` options.
#![forbid(unsafe_code)]

mod args;
mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commands::{audit, calendar, catalog, demo, ingest, migrate, search, serve};

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

#[derive(Subcommand)]
enum Command {
    /// Runs the platform (migrations are applied at start).
    Serve(serve::ServeArgs),
    /// Applies database migrations and exits.
    Migrate {
        #[command(flatten)]
        data: args::DataArgs,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Working-day calendar tools.
    Calendar {
        #[command(subcommand)]
        command: calendar::CalendarCommand,
    },
    /// Catalog tools: the Excel round trip.
    Catalog {
        #[command(subcommand)]
        command: catalog::CatalogCommand,
    },
    /// Uploads a file as the next data version of a published catalog entry (prints the
    /// ingest report). Exit code 2 when the file was refused (bad rows, no matching columns,
    /// expanding past a limit) and nothing was kept; 3 when the version was stored but held
    /// for confirmation (empty, or fewer than half the current rows).
    Ingest(ingest::IngestArgs),
    /// Catalog search index tools.
    Search {
        #[command(subcommand)]
        command: search::SearchCommand,
    },
    /// Demo city tools.
    Demo {
        #[command(subcommand)]
        command: demo::DemoCommand,
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
        Command::Serve(args) => serve::run(args).await,
        Command::Migrate { data } => migrate::run(data).await,
        Command::Audit { command } => audit::run(command).await,
        Command::Calendar { command } => calendar::run(command).await,
        Command::Catalog { command } => catalog::run(command).await,
        Command::Ingest(args) => ingest::run(args).await,
        Command::Search { command } => search::run(command).await,
        Command::Demo { command } => demo::run(command).await,
    }
}

//! The options every subcommand that touches data shares (`--data-dir`, `--database-url`,
//! `--lake`, …), the upload limits of `serve` and `ingest`, and how they open the platform.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use gongshu_app::App;

#[derive(Args, Clone)]
pub struct DataArgs {
    /// Directory for the embedded database and data files (created if missing).
    #[arg(long, env = "GONGSHU_DATA_DIR", default_value = "./gongshu-data")]
    pub data_dir: PathBuf,
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
pub struct UploadLimits {
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

/// A size in bytes: `1048576`, `512KiB`, `100 MiB`, `2GiB`, `1.5GB` (K/M/G are powers of 1000,
/// Ki/Mi/Gi of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
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
    pub async fn open_with_index(&self) -> anyhow::Result<App> {
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

    pub async fn open(&self) -> anyhow::Result<App> {
        self.open_as(gongshu_app::SearchIndex::Detached).await
    }

    /// The same data with the upload limits of `serve` or `ingest`.
    pub fn with_limits(mut self, limits: UploadLimits) -> Self {
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
        // The composition root: the one place that picks the query engine (DataFusion).
        let engine = gongshu_engine::Engine::new(gongshu_query::Limits::default())
            .map_err(|e| anyhow::anyhow!("cannot start the query engine: {e}"))?;
        App::open(&url, config, Arc::new(engine))
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))
    }
}

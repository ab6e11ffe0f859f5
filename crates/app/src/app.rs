//! The application handle shared by every door: database, clock, calendar, query engine, and
//! the connector to the region's platform.

use std::sync::{Arc, RwLock};

use gongshu_domain::WorkingCalendar;
use gongshu_query::QueryEngine;
use gongshu_search::CatalogIndex;
use gongshu_store::Db;

use crate::clock::{Clock, SystemClock};
use crate::{Result, calendar};

#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Session lifetime regardless of activity, in hours.
    pub session_absolute_hours: i64,
    /// Where the catalog search index lives.
    pub search: SearchIndex,
    /// Where data versions live (the lake: a local directory or an S3-compatible bucket);
    /// `None` refuses uploads.
    pub lake: Option<gongshu_lake::storage::Lake>,
    /// Remove orphaned lake files at start. Only the long-running server should: a tool
    /// started beside it would otherwise delete the staging file of an upload in flight.
    pub sweep_lake: bool,
    /// The largest data file an upload may be, in bytes. Every upload has a limit (DESIGN
    /// conventions): a file of known length over it is refused before a byte is read, a
    /// stream as soon as it passes it. Default 2 GiB, past the ~1.5 GB of a 10-million-row CSV.
    pub max_upload_bytes: u64,
    /// The largest XLSX workbook an upload may be, in bytes: stricter, because a workbook's
    /// shared-string table is held in memory and a small ZIP can expand a lot. Default 100 MiB.
    pub max_xlsx_bytes: u64,
    /// How far a compressed upload (a data version's XLSX or Parquet, a catalog workbook) may
    /// expand, measured before it is read (issue 11 item 3); see
    /// [`gongshu_lake::ExpansionLimits`] for the defaults and why.
    pub expansion: gongshu_lake::ExpansionLimits,
    /// The platform secret keyed pseudonyms are derived from; without one, pseudonym masking
    /// yields NULL (fails closed).
    pub privacy_secret: Option<gongshu_privacy::Secret>,
    /// Keys one verification grant may check per minute (H21), as a token bucket that holds
    /// one minute's allowance: enough for batch checks, too few to enumerate a register. The
    /// bucket is kept in the database and shared by every replica, so give them all one value.
    pub verify_keys_per_minute: u32,
    /// Memory the verification indexes may hold together (16 bytes a row and claimed item);
    /// the least recently used go first. Default 1 GiB: six items of a ten-million-row entry.
    pub verify_cache_bytes: usize,
}

/// Default of [`AppConfig::max_upload_bytes`]: 2 GiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Default of [`AppConfig::max_xlsx_bytes`]: 100 MiB.
pub const DEFAULT_MAX_XLSX_BYTES: u64 = 100 * 1024 * 1024;

/// Default of [`AppConfig::verify_keys_per_minute`]: 1,200,000 (20,000 keys a second).
pub const DEFAULT_VERIFY_KEYS_PER_MINUTE: u32 = 1_200_000;

/// The catalog search index is derived data, rebuilt from the database whenever it disagrees
/// with it. Only one process may write an on-disk index, so command-line tools that do not
/// search run detached while `gongshu serve` holds the index.
#[derive(Debug, Clone)]
pub enum SearchIndex {
    /// In memory, built from the database at start (tests, small deployments).
    InMemory,
    /// On disk in this directory, rebuilt at start if it disagrees with the database.
    Directory(std::path::PathBuf),
    /// An empty in-memory index that is never built: for tools that do not search.
    Detached,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_absolute_hours: 12,
            search: SearchIndex::InMemory,
            lake: None,
            sweep_lake: true,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            max_xlsx_bytes: DEFAULT_MAX_XLSX_BYTES,
            expansion: gongshu_lake::ExpansionLimits::default(),
            privacy_secret: None,
            verify_keys_per_minute: DEFAULT_VERIFY_KEYS_PER_MINUTE,
            verify_cache_bytes: 1024 * 1024 * 1024,
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) calendar: Arc<RwLock<WorkingCalendar>>,
    pub(crate) config: AppConfig,
    pub(crate) search: Arc<CatalogIndex>,
    /// The query engine, behind its port: the composition root chooses it.
    pub(crate) engine: Arc<dyn QueryEngine>,
    pub(crate) verifier: Arc<crate::data::Verifier>,
    /// Where the city catalog's submissions to the region go (第八条): by hand today, since
    /// the region's platform is not reachable; a connector to it plugs in here.
    pub(crate) region: Arc<dyn crate::catalog::region::RegionConnector>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("backend", &self.db.backend())
            .field("search_docs", &self.search.num_docs())
            .finish_non_exhaustive()
    }
}

impl App {
    /// Opens the application over a migrated database, running its data reads on `engine`;
    /// imported calendar years are loaded.
    pub async fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        config: AppConfig,
        engine: Arc<dyn QueryEngine>,
    ) -> Result<Self> {
        let search = match &config.search {
            SearchIndex::Directory(dir) => match CatalogIndex::open(dir) {
                // An index of an older layout is derived data: start afresh and rebuild.
                Err(gongshu_search::SearchError::SchemaMismatch { .. }) => {
                    std::fs::remove_dir_all(dir)
                        .map_err(|e| crate::AppError::Internal(e.to_string()))?;
                    CatalogIndex::open(dir)
                }
                other => other,
            },
            SearchIndex::InMemory | SearchIndex::Detached => CatalogIndex::in_memory(),
        }
        .map_err(|e| crate::AppError::Internal(format!("search index: {e}")))?;
        // Queries read a bucket's Parquet files by URL from the engine's one runtime.
        if let Some((url, store)) = config.lake.as_ref().and_then(|l| l.engine_store()) {
            engine.register_store(url, store)?;
        }
        let verifier = crate::data::Verifier::new(config.verify_cache_bytes);
        let app = Self {
            engine,
            verifier: Arc::new(verifier),
            region: Arc::new(crate::catalog::region::ManualConnector),
            db,
            clock,
            calendar: Arc::new(RwLock::new(WorkingCalendar::official())),
            config,
            search: Arc::new(search),
        };
        calendar::reload(&app).await?;
        crate::catalog::ensure_reference_data(&app).await?;
        if !matches!(app.config.search, SearchIndex::Detached) {
            crate::catalog::search::ensure_index(&app).await?;
        }
        if let (Some(lake), true) = (&app.config.lake, app.config.sweep_lake) {
            crate::versions::sweep_orphans(&app, lake).await?;
        }
        Ok(app)
    }

    /// Connects, migrates and opens with the system clock.
    pub async fn open(
        database_url: &str,
        config: AppConfig,
        engine: Arc<dyn QueryEngine>,
    ) -> Result<Self> {
        let db = Db::connect(database_url).await?;
        db.migrate().await?;
        Self::new(db, Arc::new(SystemClock), config, engine).await
    }

    pub fn query_limits(&self) -> &gongshu_query::Limits {
        self.engine.limits()
    }

    /// Tasks alive on the query runtimes: zero once every query has really stopped.
    pub fn running_query_tasks(&self) -> usize {
        self.engine.running_tasks()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) fn now_micros(&self) -> i64 {
        self.clock.now().timestamp_micros()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// How long a login session lasts at most, for the cookie's Max-Age.
    pub fn session_lifetime_secs(&self) -> i64 {
        self.config.session_absolute_hours * 3600
    }

    /// Readiness: the database answers.
    pub async fn ready(&self) -> bool {
        self.db.ping().await
    }
}

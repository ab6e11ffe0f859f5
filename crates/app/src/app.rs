//! The application handle shared by every door: database, clock, calendar.

use std::sync::{Arc, RwLock};

use gongshu_domain::WorkingCalendar;
use gongshu_store::Db;

use crate::clock::{Clock, SystemClock};
use crate::{Result, calendar};

#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Session lifetime regardless of activity, in hours.
    pub session_absolute_hours: i64,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_absolute_hours: 12,
        }
    }
}

#[derive(Debug, Clone)]
pub struct App {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) calendar: Arc<RwLock<WorkingCalendar>>,
    pub(crate) config: AppConfig,
}

impl App {
    /// Opens the application over a migrated database; imported calendar years are loaded.
    pub async fn new(db: Db, clock: Arc<dyn Clock>, config: AppConfig) -> Result<Self> {
        let app = Self {
            db,
            clock,
            calendar: Arc::new(RwLock::new(WorkingCalendar::official())),
            config,
        };
        calendar::reload(&app).await?;
        crate::catalog::ensure_reference_data(&app).await?;
        Ok(app)
    }

    /// Connects, migrates and opens with the system clock.
    pub async fn open(database_url: &str) -> Result<Self> {
        let db = Db::connect(database_url).await?;
        db.migrate().await?;
        Self::new(db, Arc::new(SystemClock), AppConfig::default()).await
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

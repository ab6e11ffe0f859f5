//! The connection pool and transactions. SQLite and PostgreSQL differ in one place that
//! matters: how a writer waits for another. See [`Db::begin_write`].
//!
//! Every connection and transaction comes from [`Db::acquire`], [`Db::begin_read`] or
//! [`Db::begin_write`], which keep the one-connection-per-request rule (see [`crate::scope`]).

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};

use crate::scope::Held;
use crate::{Result, StoreError};

/// How long a request waits for a pooled connection before it is told to come back later
/// (503 with `Retry-After`): a queue of seconds means the platform is overloaded, and a
/// client retrying is better than every request piling up behind a 30-second wait.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A pooled connection, counted against its request's one connection.
pub struct DbConn {
    conn: PoolConnection<Any>,
    _held: Held,
}

impl std::ops::Deref for DbConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for DbConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

/// A transaction on either backend, counted against its request's one connection. Dropped
/// without [`Tx::commit`], it rolls back.
pub struct Tx {
    tx: sqlx::Transaction<'static, Any>,
    _held: Held,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        Ok(self.tx.commit().await?)
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Removes a password from a URL before it is shown anywhere.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects; a SQLite file is created if missing.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::from)?;
        let pool_options = AnyPoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT);
        let pool = match backend {
            Backend::Sqlite => {
                pool_options
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                pool_options
                    .max_connections(16)
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool itself, for tools and tests that query outside any request. Request code
    /// takes connections through [`Db::acquire`] and the `begin_*` methods, which keep the
    /// one-connection-per-request rule.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// One connection for reading outside a transaction. Within a request it must be the
    /// only connection the request holds ([`StoreError::NestedAcquire`] otherwise).
    pub async fn acquire(&self) -> Result<DbConn> {
        let held = Held::take()?;
        let conn = self.pool.acquire().await?;
        Ok(DbConn { conn, _held: held })
    }

    /// Applies the migrations of this backend (embedded in the binary).
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("../../migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("../../migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// A transaction for reading only.
    pub async fn begin_read(&self) -> Result<Tx> {
        let held = Held::take()?;
        let tx = self.pool.begin().await?;
        Ok(Tx { tx, _held: held })
    }

    /// A transaction that will write. Its first statement takes the platform's write lock (the
    /// audit chain head, which every command appends to anyway), so writers run one after the
    /// other and every check a command makes inside its transaction still holds when it
    /// commits: on SQLite a writer waits instead of failing when its snapshot turns stale
    /// (SQLITE_BUSY_SNAPSHOT); on PostgreSQL two commands cannot both pass a
    /// read-check-write (e.g. two grants breaking 三员分立).
    pub async fn begin_write(&self) -> Result<Tx> {
        let held = Held::take()?;
        let mut tx = self.pool.begin().await?;
        let lock = match self.backend {
            Backend::Sqlite => "UPDATE audit_head SET seq = seq WHERE id = 1",
            Backend::Postgres => "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE",
        };
        sqlx::query(lock).execute(&mut *tx).await?;
        Ok(Tx { tx, _held: held })
    }

    /// Whether the database answers (readiness probe).
    pub async fn ping(&self) -> bool {
        match self.acquire().await {
            Ok(mut conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
            Err(_) => false,
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

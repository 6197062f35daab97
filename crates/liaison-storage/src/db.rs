//! The connection pool and the few places where the two SQL dialects differ.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::{StoreError, StoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// Callers behind session cookies and API tokens (see `auth_cache.rs`).
    pub(crate) auth: std::sync::Arc<crate::auth_cache::AuthCache>,
    /// List pages kept until the database changes (SQLite only, see `page_cache.rs`).
    pub(crate) pages: Option<std::sync::Arc<crate::page_cache::PageCache>>,
    /// How common each trigram is, for choosing search lookups (SQLite only, see `trigrams.rs`).
    pub(crate) trigrams: Option<std::sync::Arc<crate::trigrams::TrigramStats>>,
}

impl Db {
    /// Opens `sqlite://PATH` (creating the file and its folder) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let mut sqlite_path = None;
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            sqlite_path = Some(path.to_string());
            let file = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(file)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Open(format!(
                        "cannot create data directory {}: {e}",
                        dir.display()
                    ))
                })?;
            }
            let url = if path.contains("mode=") {
                url.to_string()
            } else if path.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::Open(format!(
                "unsupported database URL {url:?}: use sqlite://PATH or postgres://…"
            )));
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Open(format!("invalid database URL: {e}")))?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    // An embedded database's connections do not drop: skip the ping (a round
                    // trip to the connection's worker thread) before every query.
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers run beside the one writer; the busy timeout makes a
                            // second writer (another process, e.g. the CLI) wait instead of failing.
                            // Memory-mapped reads (up to 1 GiB of the file): the connections read
                            // pages straight from the kernel's cache instead of each copying them
                            // into a private 2 MiB cache, where a search's scattered rows kept
                            // missing (a quarter of the time under concurrent searches).
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                                 PRAGMA mmap_size = 1073741824;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
            }
        }
        .map_err(|e| StoreError::Open(format!("cannot open database: {e}")))?;
        // Opened after the pool, which has created the file and put it in WAL mode.
        let pages = sqlite_path
            .as_deref()
            .and_then(crate::page_cache::PageCache::open)
            .map(std::sync::Arc::new);
        Ok(Db {
            pool,
            backend,
            auth: Default::default(),
            pages,
            trigrams: (backend == Backend::Sqlite).then(Default::default),
        })
    }

    /// The same database with every list page read from it (see `page_cache.rs`).
    pub fn without_page_cache(mut self) -> Db {
        if let Some(pages) = self.pages.take() {
            pages.close();
        }
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Waits for in-flight queries and closes every connection (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        if let Some(pages) = &self.pages {
            pages.close();
        }
        self.pool.close().await;
    }

    /// A transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first could not upgrade to a write
    /// once another connection has written, and would fail instead of waiting.
    pub(crate) async fn write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        // Any write may concern a caller; changes that do also invalidate after their commit.
        self.auth.invalidate();
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// After a committed change to accounts, sessions, tokens or the org-unit tree: cached
    /// callers are looked up again.
    pub(crate) fn auth_changed(&self) {
        self.auth.invalidate();
    }

    /// Row lock for read-modify-write on PostgreSQL; SQLite's write lock already covers it.
    pub(crate) fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// Runs operator SQL (several statements allowed), e.g. creating a schema for tests.
    pub async fn execute_raw(&self, sql: &str) -> StoreResult<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        // Operator SQL may change anything, callers included.
        self.auth_changed();
        Ok(())
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

//! List pages kept in memory until the database changes (SQLite only).
//!
//! The most requested list pages (the first page of the partner directory, say) are the same for
//! everyone who may see them, until something is written. On SQLite this cache keeps each page the
//! database wrote, keyed by its exact statement and arguments (which include the caller's scope,
//! the filters, the sort and the paging), and serves it again while the database is unchanged.
//!
//! "Unchanged" is asked of SQLite itself, on every request: `PRAGMA data_version` on a connection
//! of the cache's own changes whenever any *other* connection has committed, the server's pool and
//! other processes (a `liaison import` beside the server) alike. The connection is a plain
//! `rusqlite` one, so the question is a few microseconds on the calling thread instead of a trip
//! to an sqlx worker thread; that trip, not the SQL, was most of a cached page's cost.
//!
//! Invariants:
//! - The version is read *before* the page's statement runs, so a stored page is never older than
//!   the version it is stored under (a commit in between only makes the next request miss).
//! - Any change empties the cache: there is no per-table bookkeeping to get wrong.
//! - Bounded: at most [`MAX_PAGES`] pages and [`MAX_BYTES`] of text; beyond that it starts over.
//! - PostgreSQL has no such cache: several nodes share that database (C10), and a node could only
//!   learn of another's commit by asking the server, which is the round trip the cache saves.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::JsonPage;

const MAX_PAGES: usize = 512;
const MAX_BYTES: usize = 32 << 20;

pub(crate) struct PageCache {
    /// The connection that asks whether the database changed, with its prepared statement;
    /// `None` once the database is closed (so that the pool's last connection checkpoints the WAL).
    watch: Mutex<Option<rusqlite::Connection>>,
    pages: Mutex<Pages>,
}

#[derive(Default)]
struct Pages {
    /// The `data_version` the stored pages were read under.
    version: i64,
    by_key: HashMap<String, JsonPage>,
    bytes: usize,
}

/// What [`PageCache::lookup`] found: the page, or the version to store a fresh page under.
pub(crate) enum Lookup {
    Hit(JsonPage),
    Miss { version: i64 },
}

impl PageCache {
    /// Opens the watching connection on the database file; `None` for in-memory databases (a
    /// second connection would see a different database) or when the file cannot be opened, in
    /// which case every page is read from the database as before.
    pub(crate) fn open(path: &str) -> Option<PageCache> {
        if path.is_empty() || path.starts_with(':') || path.contains("mode=memory") {
            return None;
        }
        let file = path.split('?').next().unwrap_or(path);
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match rusqlite::Connection::open_with_flags(file, flags) {
            Ok(conn) => Some(PageCache {
                watch: Mutex::new(Some(conn)),
                pages: Mutex::new(Pages::default()),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "page cache off: cannot open the database file");
                None
            }
        }
    }

    /// Closes the watching connection; from then on every page is read from the database.
    pub(crate) fn close(&self) {
        self.watch.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    fn data_version(&self) -> Option<i64> {
        let watch = self.watch.lock().unwrap_or_else(|e| e.into_inner());
        let version = watch
            .as_ref()?
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |row| row.get::<_, i64>(0)));
        match version {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "page cache: cannot read data_version");
                None
            }
        }
    }

    /// The stored page for `key` if nothing was committed since it was read; `None` when the
    /// cache cannot tell (then the caller reads the database and stores nothing).
    pub(crate) fn lookup(&self, key: &str) -> Option<Lookup> {
        let version = self.data_version()?;
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if version < pages.version {
            // A request that started later already saw a newer version (the version only grows).
            return Some(Lookup::Miss { version });
        }
        if version > pages.version {
            *pages = Pages {
                version,
                ..Pages::default()
            };
        }
        Some(match pages.by_key.get(key) {
            Some(page) => Lookup::Hit(page.clone()),
            None => Lookup::Miss { version },
        })
    }

    /// Keeps `page`, read by a statement that started after `version` was seen.
    pub(crate) fn store(&self, version: i64, key: String, page: &JsonPage) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.version != version {
            // Something was committed meanwhile and a newer request already started over.
            return;
        }
        let size = key.len() + page.items.len();
        if pages.by_key.len() >= MAX_PAGES || pages.bytes + size > MAX_BYTES {
            pages.by_key.clear();
            pages.bytes = 0;
        }
        pages.bytes += size;
        pages.by_key.insert(key, page.clone());
    }
}

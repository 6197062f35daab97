//! Versioned migrations, one folder per engine, applied in order, each in its own transaction.

use sqlx::Row;

use crate::db::{Backend, Db};
use crate::StoreResult;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Both folders must hold the same versions; adding a migration means adding it to both.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "directory",
        sqlite: include_str!("../migrations/sqlite/0001_directory.sql"),
        postgres: include_str!("../migrations/postgres/0001_directory.sql"),
    },
    Migration {
        version: 2,
        name: "search_index",
        sqlite: include_str!("../migrations/sqlite/0002_search_index.sql"),
        postgres: include_str!("../migrations/postgres/0002_search_index.sql"),
    },
    Migration {
        version: 3,
        name: "users_outbox",
        sqlite: include_str!("../migrations/sqlite/0003_users_outbox.sql"),
        postgres: include_str!("../migrations/postgres/0003_users_outbox.sql"),
    },
    Migration {
        version: 4,
        name: "login_throttle",
        sqlite: include_str!("../migrations/sqlite/0004_login_throttle.sql"),
        postgres: include_str!("../migrations/postgres/0004_login_throttle.sql"),
    },
    Migration {
        version: 5,
        name: "agreements",
        sqlite: include_str!("../migrations/sqlite/0005_agreements.sql"),
        postgres: include_str!("../migrations/postgres/0005_agreements.sql"),
    },
    Migration {
        version: 6,
        name: "events",
        sqlite: include_str!("../migrations/sqlite/0006_events.sql"),
        postgres: include_str!("../migrations/postgres/0006_events.sql"),
    },
    Migration {
        version: 7,
        name: "news",
        sqlite: include_str!("../migrations/sqlite/0007_news.sql"),
        postgres: include_str!("../migrations/postgres/0007_news.sql"),
    },
    Migration {
        version: 8,
        name: "enterprise",
        sqlite: include_str!("../migrations/sqlite/0008_enterprise.sql"),
        postgres: include_str!("../migrations/postgres/0008_enterprise.sql"),
    },
    Migration {
        version: 9,
        name: "exchange",
        sqlite: include_str!("../migrations/sqlite/0009_exchange.sql"),
        postgres: include_str!("../migrations/postgres/0009_exchange.sql"),
    },
    Migration {
        version: 10,
        name: "mobilities",
        sqlite: include_str!("../migrations/sqlite/0010_mobilities.sql"),
        postgres: include_str!("../migrations/postgres/0010_mobilities.sql"),
    },
    Migration {
        version: 11,
        name: "report_index",
        sqlite: include_str!("../migrations/sqlite/0011_report_index.sql"),
        postgres: include_str!("../migrations/postgres/0011_report_index.sql"),
    },
    Migration {
        version: 12,
        name: "institution_json",
        sqlite: include_str!("../migrations/sqlite/0012_institution_json.sql"),
        postgres: include_str!("../migrations/postgres/0012_institution_json.sql"),
    },
    Migration {
        version: 14,
        name: "report_counts",
        sqlite: include_str!("../migrations/sqlite/0014_report_counts.sql"),
        postgres: include_str!("../migrations/postgres/0014_report_counts.sql"),
    },
    Migration {
        version: 15,
        name: "cooperation",
        sqlite: include_str!("../migrations/sqlite/0015_cooperation.sql"),
        postgres: include_str!("../migrations/postgres/0015_cooperation.sql"),
    },
    Migration {
        version: 16,
        name: "exchange_rules",
        sqlite: include_str!("../migrations/sqlite/0016_exchange_rules.sql"),
        postgres: include_str!("../migrations/postgres/0016_exchange_rules.sql"),
    },
    Migration {
        version: 17,
        name: "checklists",
        sqlite: include_str!("../migrations/sqlite/0017_checklists.sql"),
        postgres: include_str!("../migrations/postgres/0017_checklists.sql"),
    },
    Migration {
        version: 18,
        name: "nominations",
        sqlite: include_str!("../migrations/sqlite/0018_nominations.sql"),
        postgres: include_str!("../migrations/postgres/0018_nominations.sql"),
    },
];

pub const MIGRATION_COUNT: usize = MIGRATIONS.len();

/// The version the newest migration brings a database to.
pub fn newest_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

impl Db {
    /// Applies every pending migration; returns the versions it applied. Safe to run from several
    /// processes at once: PostgreSQL serialises them with an advisory lock, SQLite with its write lock.
    pub async fn migrate(&self) -> StoreResult<Vec<i64>> {
        self.migrate_to(None).await
    }

    /// [`Db::migrate`], stopping after version `last` when given (a restore first builds the
    /// schema its backup was made with).
    pub async fn migrate_to(&self, last: Option<i64>) -> StoreResult<Vec<i64>> {
        let mut applied = Vec::new();
        let mut tx = self.write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7368201)")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        for m in MIGRATIONS
            .iter()
            .filter(|m| !done.contains(&m.version) && last.is_none_or(|l| m.version <= l))
        {
            let sql = match self.backend() {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tracing::info!(version = m.version, name = m.name, "applied migration");
            applied.push(m.version);
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// The highest applied migration, or 0 on an empty database.
    pub async fn schema_version(&self) -> StoreResult<i64> {
        let exists = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
            }
        };
        let n: i64 = sqlx::query(exists)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if n == 0 {
            return Ok(0);
        }
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}

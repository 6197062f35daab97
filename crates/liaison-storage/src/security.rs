//! Sign-in throttling and ending sessions. Counters live in the database so that every node
//! sees the same failures (C10).

use sqlx::Row;
use time::{Duration, OffsetDateTime};

use crate::{Db, StoreResult};
use liaison_domain::Id;

/// A throttling rule: at most `failures` failed sign-ins per key within `window`.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRule {
    pub failures: i64,
    pub window: Duration,
}

impl Db {
    /// When any key has reached its rule's limit: how long until its oldest failure in the window
    /// expires (at least one second). `None`: the attempt may go ahead.
    pub async fn login_throttled(
        &self,
        keys: &[(&str, ThrottleRule)],
    ) -> StoreResult<Option<Duration>> {
        let now = OffsetDateTime::now_utc();
        let mut wait: Option<Duration> = None;
        for (key, rule) in keys {
            let since = crate::format_time(now - rule.window);
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures \
                 WHERE throttle_key = $1 AND at > $2",
            )
            .bind(key.to_string())
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
            let n: i64 = row.try_get("n")?;
            if n < rule.failures {
                continue;
            }
            let oldest: Option<String> = row.try_get("oldest")?;
            let expires = oldest
                .and_then(|t| crate::parse_time(&t))
                .map(|t| t + rule.window - now)
                .unwrap_or(rule.window);
            let expires = expires.max(Duration::seconds(1));
            wait = Some(wait.map_or(expires, |w| w.max(expires)));
        }
        Ok(wait)
    }

    /// Counts one failed sign-in against every key, and forgets failures older than a day.
    pub async fn record_login_failure(&self, keys: &[&str]) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let now = crate::now();
        for key in keys {
            sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
                .bind(key.to_string())
                .bind(now.clone())
                .execute(&mut *tx)
                .await?;
        }
        let day_ago = crate::format_time(OffsetDateTime::now_utc() - Duration::days(1));
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(day_ago)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// After a successful sign-in: the account's failures no longer count.
    pub async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
            .bind(key.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every browser session of a user ("sign out everywhere"); returns how many.
    pub async fn delete_sessions_of(&self, user_id: Id) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        self.auth_changed();
        Ok(done.rows_affected())
    }
}

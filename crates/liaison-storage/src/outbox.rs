//! The e-mail outbox: messages are written here, in the same transaction as the change that
//! causes them, and a worker (`liaison-mail`) claims and sends them. Nothing lives only in a
//! process's memory, so a restart loses nothing and several nodes can share the work (C10).
//!
//! A worker claims due messages by setting `locked_until` (a lease) in one statement; on
//! PostgreSQL the candidate rows are picked with `FOR UPDATE SKIP LOCKED`, on SQLite the write
//! transaction serialises claims. A claimed message is invisible to other workers until its lease
//! runs out, so a worker that dies mid-send only delays the message.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::Backend;
use crate::query::{self, Arg, Conditions};
use crate::table::Tx;
use crate::{Db, Page, StoreError, StoreResult};
use liaison_domain::{Id, PageRequest, Sort};

/// Attempts after which a message is given up (`status = failed`).
pub const MAX_ATTEMPTS: i64 = 10;

/// A message to enqueue: already rendered, in the recipient's language.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub lang: String,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailStatus {
    /// Waiting for its first or next attempt.
    Queued,
    Sent,
    /// Given up after `MAX_ATTEMPTS`.
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<MailStatus> {
        match raw {
            "queued" => Some(MailStatus::Queued),
            "sent" => Some(MailStatus::Sent),
            "failed" => Some(MailStatus::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub lang: String,
    pub status: MailStatus,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
    pub locked_until: Option<String>,
}

const COLUMNS: &str = "id, to_addr, subject, body_text, lang, status, created_at, attempts, \
    next_attempt_at, sent_at, last_error, locked_until";

fn from_row(row: &AnyRow) -> StoreResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: query::int(row, "id")?,
        to_addr: query::text(row, "to_addr")?,
        subject: query::text(row, "subject")?,
        body_text: query::text(row, "body_text")?,
        lang: query::text(row, "lang")?,
        status: query::parse_enum(row, "status", MailStatus::parse)?,
        created_at: query::text(row, "created_at")?,
        attempts: query::int(row, "attempts")?,
        next_attempt_at: query::text(row, "next_attempt_at")?,
        sent_at: query::opt_text(row, "sent_at")?,
        last_error: query::opt_text(row, "last_error")?,
        locked_until: query::opt_text(row, "locked_until")?,
    })
}

/// Queues a message inside the caller's transaction: it exists iff the change that caused it does.
pub(crate) async fn enqueue(tx: &mut Tx, mail: &OutgoingMail) -> StoreResult<Id> {
    let now = crate::now();
    let row = sqlx::query(
        "INSERT INTO outbox (to_addr, subject, body_text, lang, status, created_at, attempts, \
         next_attempt_at) VALUES ($1, $2, $3, $4, 'queued', $5, 0, $5) RETURNING id",
    )
    .bind(mail.to.clone())
    .bind(mail.subject.clone())
    .bind(mail.body.clone())
    .bind(mail.lang.clone())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// How long to wait after the `attempts`-th failed attempt: 1 minute, doubling, at most 6 hours.
pub fn backoff(attempts: i64) -> time::Duration {
    let minutes = 1i64 << attempts.clamp(1, 10).saturating_sub(1);
    time::Duration::minutes(minutes.min(6 * 60))
}

impl Db {
    /// Queues a message on its own (for mail not tied to another change).
    pub async fn enqueue_mail(&self, mail: &OutgoingMail) -> StoreResult<Id> {
        let mut tx = self.write().await?;
        let id = enqueue(&mut tx, mail).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims up to `limit` due messages for `lease` and returns them. A message is due when it
    /// is queued, its next attempt is not in the future and no other worker holds a live lease.
    pub async fn claim_mail(
        &self,
        limit: i64,
        lease: time::Duration,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let now = time::OffsetDateTime::now_utc();
        let now_text = crate::format_time(now);
        let until = crate::format_time(now + lease);
        let skip_locked = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET locked_until = $1 WHERE id IN (\
             SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $2 \
             AND (locked_until IS NULL OR locked_until <= $2) ORDER BY id LIMIT $3{skip_locked}) \
             RETURNING {COLUMNS}"
        );
        let mut tx = self.write().await?;
        let rows = sqlx::query(&sql)
            .bind(until)
            .bind(now_text)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut claimed = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    /// Marks a claimed message sent, if this worker still holds its lease (`claimed.locked_until`).
    /// Returns false when the lease was lost (another worker may have taken the message over).
    pub async fn mark_mail_sent(&self, claimed: &OutboxMessage) -> StoreResult<bool> {
        let now = crate::now();
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, \
             locked_until = NULL, last_error = NULL WHERE id = $2 AND locked_until = $3",
        )
        .bind(now)
        .bind(claimed.id)
        .bind(claimed.locked_until.clone())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt: the next one after `backoff`, or `failed` for good after
    /// `MAX_ATTEMPTS` (or at once when `permanent`, e.g. an address that cannot be parsed).
    pub async fn mark_mail_failed(
        &self,
        claimed: &OutboxMessage,
        error: &str,
        permanent: bool,
    ) -> StoreResult<bool> {
        let attempts = claimed.attempts + 1;
        let give_up = permanent || attempts >= MAX_ATTEMPTS;
        let next = crate::format_time(time::OffsetDateTime::now_utc() + backoff(attempts));
        let error: String = error.chars().take(1000).collect();
        let done = sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
             locked_until = NULL WHERE id = $5 AND locked_until = $6",
        )
        .bind(if give_up { "failed" } else { "queued" })
        .bind(attempts)
        .bind(next)
        .bind(error)
        .bind(claimed.id)
        .bind(claimed.locked_until.clone())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The outbox, newest first, optionally only messages with `status`.
    pub async fn outbox(
        &self,
        status: Option<MailStatus>,
        page: &PageRequest,
    ) -> StoreResult<Page<OutboxMessage>> {
        let mut c = Conditions::default();
        if let Some(s) = status {
            c.add("status = ?", Arg::Text(s.as_str().into()));
        }
        let sort = Sort {
            field: "id",
            descending: true,
        };
        query::page(&self.pool, "outbox", COLUMNS, &c, &sort, page, from_row).await
    }

    pub async fn outbox_message(&self, id: Id) -> StoreResult<OutboxMessage> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_minute_to_six_hours() {
        let minutes: Vec<i64> = (1..=10).map(|n| backoff(n).whole_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
        assert_eq!(backoff(0).whole_minutes(), 1);
        assert_eq!(backoff(50).whole_minutes(), 360);
    }
}

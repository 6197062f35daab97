//! The audit log: who changed what, when, with the record before and after.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::{Actor, Db, Page, StoreResult};
use liaison_domain::{PageRequest, Sort};

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
}

/// The audit viewer's full filter: the record filter plus action and an inclusive date range
/// (UTC days, compared on the `at` column).
#[derive(Debug, Default, Clone)]
pub struct AuditSearch {
    pub filter: AuditFilter,
    pub action: Option<String>,
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
}

/// The most rows one CSV export of the audit log holds.
pub const AUDIT_EXPORT_MAX: usize = 100_000;

impl From<AuditFilter> for AuditSearch {
    fn from(filter: AuditFilter) -> Self {
        AuditSearch {
            filter,
            ..Default::default()
        }
    }
}

/// Midnight UTC of `day` in the stored format, so that bounds compare as text on both engines.
fn day_start(day: time::Date) -> String {
    crate::format_time(day.midnight().assume_utc())
}

impl AuditSearch {
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::default();
        let f = &self.filter;
        if let Some(e) = &f.entity {
            c.add("entity = ?", Arg::Text(e.clone()));
        }
        if let Some(id) = &f.entity_id {
            c.add("entity_id = ?", Arg::Text(id.clone()));
        }
        if let Some(a) = &f.actor {
            c.add("actor = ?", Arg::Text(a.clone()));
        }
        if let Some(a) = &self.action {
            c.add("action = ?", Arg::Text(a.clone()));
        }
        if let Some(from) = self.from {
            c.add("at >= ?", Arg::Text(day_start(from)));
        }
        // Inclusive: everything before the next day's midnight.
        if let Some(next) = self.to.and_then(time::Date::next_day) {
            c.add("at < ?", Arg::Text(day_start(next)));
        }
        c
    }
}

pub(crate) fn from_row(row: &AnyRow) -> StoreResult<AuditEntry> {
    let parse = |col: &str| -> StoreResult<Option<serde_json::Value>> {
        Ok(query::opt_text(row, col)?.and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: query::text(row, "at")?,
        actor: query::text(row, "actor")?,
        action: query::text(row, "action")?,
        entity: query::text(row, "entity")?,
        entity_id: query::text(row, "entity_id")?,
        before: parse("before_json")?,
        after: parse("after_json")?,
    })
}

const ENTRY_COLUMNS: &str = "id, at, actor, action, entity, entity_id, before_json, after_json";

/// Writes one entry inside the caller's transaction, so the entry exists iff the change does.
pub(crate) async fn record<T: Serialize>(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: i64,
    before: Option<&T>,
    after: Option<&T>,
) -> StoreResult<()> {
    let json = |v: Option<&T>| {
        v.map(|v| {
            let value = serde_json::to_value(v).expect("records serialise");
            // The API promises an object (or null) on each side of an entry: catch a list in tests.
            debug_assert!(
                value.is_object(),
                "audit {entity}: before/after must be an object"
            );
            value.to_string()
        })
    };
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, actor, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::now())
    .bind(actor.user_id)
    .bind(actor.label.clone())
    .bind(action.to_string())
    .bind(entity.to_string())
    .bind(entity_id.to_string())
    .bind(json(before))
    .bind(json(after))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `INSERT INTO audit_log … SELECT`: a create entry for every record `from` yields (the rest of
/// the SELECT, e.g. `FROM made ORDER BY id`), written by the database: `object` is the SQL of the
/// record's JSON as serde writes it, `params` the placeholders of the time and of the actor's user
/// id and label.
pub(crate) fn creates_sql(entity: &str, object: &str, from: &str, params: [&str; 3]) -> String {
    let [at, user, label] = params;
    format!(
        "INSERT INTO audit_log (at, actor_user_id, actor, action, entity, entity_id, after_json) \
         SELECT {at}, {user}, {label}, 'create', '{entity}', CAST(id AS TEXT), {object} {from}"
    )
}

impl Db {
    /// Newest first.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<AuditEntry>> {
        self.audit_search(&AuditSearch::from(filter.clone()), page)
            .await
    }

    /// Newest first, with the action and date-range filters too.
    pub async fn audit_search(
        &self,
        search: &AuditSearch,
        page: &PageRequest,
    ) -> StoreResult<Page<AuditEntry>> {
        let sort = Sort {
            field: "id",
            descending: true,
        };
        let c = search.conditions();
        query::page(
            &self.pool,
            "audit_log",
            ENTRY_COLUMNS,
            &c,
            &sort,
            page,
            from_row,
        )
        .await
    }

    /// One batch of matching entries older than `before_id` (newest first), for exports that walk
    /// the whole log without OFFSET: pass the last id of one batch to get the next.
    pub async fn audit_batch(
        &self,
        search: &AuditSearch,
        before_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut c = search.conditions();
        if let Some(id) = before_id {
            c.add("id < ?", Arg::Int(id));
        }
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log{} ORDER BY id DESC LIMIT ${}",
            c.where_sql(),
            c.args.len() + 1
        );
        let rows = query::bind_all(sqlx::query(&sql), &c.args)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The distinct values of `actor`, `action` or `entity`, for the viewer's filter choices.
    pub async fn audit_values(&self, column: AuditColumn, limit: i64) -> StoreResult<Vec<String>> {
        let column = match column {
            AuditColumn::Actor => "actor",
            AuditColumn::Action => "action",
            AuditColumn::Entity => "entity",
        };
        let sql = format!("SELECT DISTINCT {column} FROM audit_log ORDER BY {column} LIMIT $1");
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(|r| query::text(r, column)).collect()
    }
}

/// A column whose distinct values the viewer offers as filter choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditColumn {
    Actor,
    Action,
    Entity,
}

/// Every entry about `entity` `entity_id` (oldest first), read inside the caller's transaction.
pub(crate) async fn about(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    entity: &str,
    entity_id: i64,
) -> StoreResult<Vec<AuditEntry>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(entity.to_string())
        .bind(entity_id.to_string())
        .bind(AUDIT_EXPORT_MAX as i64)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(from_row).collect()
}

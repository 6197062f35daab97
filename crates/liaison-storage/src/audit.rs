//! The audit log: who changed what, when, with the record before and after.

use serde::Serialize;
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
    let json = |v: Option<&T>| v.map(|v| serde_json::to_string(v).expect("records serialise"));
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

impl Db {
    /// Newest first.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<AuditEntry>> {
        let mut c = Conditions::default();
        if let Some(e) = &filter.entity {
            c.add("entity = ?", Arg::Text(e.clone()));
        }
        if let Some(id) = &filter.entity_id {
            c.add("entity_id = ?", Arg::Text(id.clone()));
        }
        if let Some(a) = &filter.actor {
            c.add("actor = ?", Arg::Text(a.clone()));
        }
        let sort = Sort {
            field: "id",
            descending: true,
        };
        query::page(&self.pool, "audit_log", "*", &c, &sort, page, |row| {
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
        })
        .await
    }
}

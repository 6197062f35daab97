//! The create / read / update / delete shape shared by every user-edited table: version checks,
//! timestamps and audit entries happen here once, not per entity.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::query::{self, Arg};
use crate::{audit, Actor, Backend, Db, StoreError, StoreResult};
use liaison_domain::Id;

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A stored record with an id and an optimistic-concurrency version.
pub(crate) trait Versioned: Serialize {
    fn version(&self) -> i64;
}

macro_rules! versioned {
    ($($t:ty),*) => {$(
        impl crate::table::Versioned for $t {
            fn version(&self) -> i64 { self.version }
        }
    )*};
}
pub(crate) use versioned;

/// A multi-row insert ready to run: [`Table::insert_batch`] builds it, [`Table::insert_many`]
/// runs it.
pub(crate) struct InsertBatch {
    sql: String,
    /// SQLite's second statement, writing the audit entries of the new ids.
    audit: Option<String>,
    values: Vec<Arg>,
    /// The records' creation time, also the audit entries'.
    now: String,
}

pub(crate) struct Table<T> {
    pub name: &'static str,
    /// The entity name written to the audit log.
    pub entity: &'static str,
    /// Every column read back, `id` and `version` included.
    pub columns: &'static str,
    /// The columns a create or update writes, in the order of the values passed.
    pub write_columns: &'static [&'static str],
    pub from_row: fn(&AnyRow) -> StoreResult<T>,
}

impl<T: Versioned> Table<T> {
    pub async fn get(&self, pool: &sqlx::AnyPool, id: Id) -> StoreResult<T> {
        let sql = format!("SELECT {} FROM {} WHERE id = $1", self.columns, self.name);
        let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
        row.as_ref()
            .map(self.from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// Reads a record inside a write transaction, locking it on PostgreSQL.
    pub async fn lock(&self, db: &Db, tx: &mut Tx, id: Id) -> StoreResult<T> {
        let sql = format!(
            "SELECT {} FROM {} WHERE id = $1{}",
            self.columns,
            self.name,
            db.for_update()
        );
        let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?;
        row.as_ref()
            .map(self.from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// Locks and checks that the caller saw the current version.
    pub async fn lock_version(
        &self,
        db: &Db,
        tx: &mut Tx,
        id: Id,
        expected: i64,
    ) -> StoreResult<T> {
        let current = self.lock(db, tx, id).await?;
        if current.version() != expected {
            return Err(StoreError::Conflict {
                current: current.version(),
            });
        }
        Ok(current)
    }

    pub async fn insert(&self, tx: &mut Tx, actor: &Actor, values: Vec<Arg>) -> StoreResult<T>
    where
        T: HasId,
    {
        self.insert_as(tx, actor, None, values).await
    }

    /// Inserts with a chosen `id` (imports that keep ids), or a new one when `id` is `None`.
    pub async fn insert_as(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: Option<Id>,
        mut values: Vec<Arg>,
    ) -> StoreResult<T>
    where
        T: HasId,
    {
        let now = crate::now();
        values.push(Arg::Text(now.clone()));
        values.push(Arg::Text(now));
        let id_column = if let Some(id) = id {
            values.push(Arg::Int(id));
            ", id"
        } else {
            ""
        };
        let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}, created_at, updated_at{id_column}) VALUES ({}) RETURNING {}",
            self.name,
            self.write_columns.join(", "),
            placeholders.join(", "),
            self.columns
        );
        let row = query::bind_all(sqlx::query(&sql), &values)
            .fetch_one(&mut **tx)
            .await?;
        let created = (self.from_row)(&row)?;
        audit::record(
            tx,
            actor,
            "create",
            self.entity,
            created.id(),
            None,
            Some(&created),
        )
        .await?;
        Ok(created)
    }

    /// A statement inserting many new records (`ids`: all chosen, or all new), built apart from
    /// its execution so that a large import can build the next one while the database writes
    /// this one. `object` is the SQL of a record's JSON as serde writes it (the same text
    /// `audit::record` stores): the audit entries are written by the database from the stored
    /// rows, no row is read back, parsed and serialised here. `rows` must not be empty (there is
    /// no multi-row INSERT of nothing).
    pub fn insert_batch(
        &self,
        backend: Backend,
        ids: Option<&[Id]>,
        rows: Vec<Vec<Arg>>,
        object: &str,
    ) -> InsertBatch {
        assert!(
            !rows.is_empty(),
            "an insert batch holds at least one record"
        );
        let now = crate::now();
        let id_column = if ids.is_some() { ", id" } else { "" };
        let mut values = Vec::new();
        let mut tuples = Vec::with_capacity(rows.len());
        for (i, mut row) in rows.into_iter().enumerate() {
            row.push(Arg::Text(now.clone()));
            row.push(Arg::Text(now.clone()));
            if let Some(ids) = ids {
                row.push(Arg::Int(ids[i]));
            }
            tuples.push(query::tuple(backend, values.len() + 1, row.len()));
            values.extend(row);
        }
        let insert = format!(
            "INSERT INTO {} ({}, created_at, updated_at{id_column}) VALUES {}",
            self.name,
            self.write_columns.join(", "),
            tuples.join(", "),
        );
        let (sql, audit) = match backend {
            // SQLite has no INSERT inside WITH: the audit entries follow in a second statement.
            Backend::Sqlite => {
                let from = format!(
                    "FROM {} WHERE id IN (SELECT value FROM json_each($4)) ORDER BY id",
                    self.name
                );
                let audit = audit::creates_sql(self.entity, object, &from, ["$1", "$2", "$3"]);
                (format!("{insert} RETURNING id"), Some(audit))
            }
            Backend::Postgres => {
                let n = values.len();
                let params = [n + 1, n + 2, n + 3].map(|i| format!("${i}"));
                let audit = audit::creates_sql(
                    self.entity,
                    object,
                    "FROM made ORDER BY id",
                    [&params[0], &params[1], &params[2]],
                );
                let sql = format!(
                    "WITH made AS ({insert} RETURNING *) {audit} RETURNING CAST(entity_id AS BIGINT) AS id"
                );
                (sql, None)
            }
        };
        InsertBatch {
            sql,
            audit,
            values,
            now,
        }
    }

    /// Runs a batch built by [`Table::insert_batch`], auditing each record as a single create
    /// would be; returns the new ids.
    pub async fn insert_many(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        batch: InsertBatch,
    ) -> StoreResult<Vec<Id>> {
        let InsertBatch {
            sql,
            audit,
            values,
            now,
        } = batch;
        let ids = |rows: Vec<AnyRow>| -> StoreResult<Vec<Id>> {
            rows.iter().map(|r| query::int(r, "id")).collect()
        };
        let insert = query::bind_values(sqlx::query(&sql), values);
        let Some(audit) = audit else {
            // PostgreSQL: one statement writes the records and their audit entries.
            let rows = insert
                .bind(now)
                .bind(actor.user_id)
                .bind(actor.label.clone())
                .fetch_all(&mut **tx)
                .await?;
            return ids(rows);
        };
        let created = ids(insert.fetch_all(&mut **tx).await?)?;
        sqlx::query(&audit)
            .bind(now)
            .bind(actor.user_id)
            .bind(actor.label.clone())
            .bind(serde_json::to_string(&created).expect("ids serialise"))
            .execute(&mut **tx)
            .await?;
        Ok(created)
    }

    /// Writes new values over `before` (which the caller locked and version-checked).
    pub async fn update(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        before: &T,
        mut values: Vec<Arg>,
    ) -> StoreResult<T>
    where
        T: HasId,
    {
        let n = self.write_columns.len();
        let sets: Vec<String> = self
            .write_columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        values.push(Arg::Text(crate::now()));
        values.push(Arg::Int(before.id()));
        values.push(Arg::Int(before.version()));
        let sql = format!(
            "UPDATE {} SET {}, updated_at = ${}, version = version + 1 WHERE id = ${} AND version = ${} RETURNING {}",
            self.name,
            sets.join(", "),
            n + 1,
            n + 2,
            n + 3,
            self.columns
        );
        let row = query::bind_all(sqlx::query(&sql), &values)
            .fetch_optional(&mut **tx)
            .await?;
        let after = row
            .as_ref()
            .map(self.from_row)
            .transpose()?
            .ok_or(StoreError::Conflict {
                current: before.version(),
            })?;
        audit::record(
            tx,
            actor,
            "update",
            self.entity,
            before.id(),
            Some(before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    pub async fn delete(&self, tx: &mut Tx, actor: &Actor, before: &T) -> StoreResult<()>
    where
        T: HasId,
    {
        let sql = format!("DELETE FROM {} WHERE id = $1", self.name);
        sqlx::query(&sql)
            .bind(before.id())
            .execute(&mut **tx)
            .await?;
        audit::record(
            tx,
            actor,
            "delete",
            self.entity,
            before.id(),
            Some(before),
            None,
        )
        .await?;
        Ok(())
    }

    /// Every record matching `column = id`, for cascading deletes.
    pub async fn all_where(&self, tx: &mut Tx, column: &str, id: Id) -> StoreResult<Vec<T>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {column} = $1 ORDER BY id DESC",
            self.columns, self.name
        );
        let rows = sqlx::query(&sql).bind(id).fetch_all(&mut **tx).await?;
        rows.iter().map(self.from_row).collect()
    }
}

pub(crate) trait HasId {
    fn id(&self) -> Id;
}

macro_rules! has_id {
    ($($t:ty),*) => {$(
        impl crate::table::HasId for $t {
            fn id(&self) -> liaison_domain::Id { self.id }
        }
    )*};
}
pub(crate) use has_id;

/// Counts rows matching `column = id`.
pub(crate) async fn count_where(
    pool: &sqlx::AnyPool,
    table: &str,
    column: &str,
    id: Id,
) -> StoreResult<i64> {
    use sqlx::Row;
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
    Ok(sqlx::query(&sql)
        .bind(id)
        .fetch_one(pool)
        .await?
        .try_get(0)?)
}

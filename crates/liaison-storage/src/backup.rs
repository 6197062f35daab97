//! Whole-database snapshots for `liaison backup` and `liaison restore`.
//!
//! A snapshot is every data table's rows as JSON values (integers, floats, text, null), read in
//! one read transaction so that it is consistent while the server keeps writing. Tables come
//! parents first (by their foreign keys) and rows of self-referencing tables parents first, so a
//! restore can insert them in order with every constraint checked. The format does not depend on
//! the engine: a SQLite snapshot restores into PostgreSQL and back.
//!
//! Left out: `schema_migrations` (the restore migrates the target itself), SQLite's FTS index
//! tables, and the report's summary tables ([`DERIVED_TABLES`]): triggers rebuild them as rows go
//! in (or the migration that creates them fills them from the restored rows), so restoring them
//! too would count every stay twice. Rows that migrations ship (the default checklist templates)
//! are replaced by the snapshot's.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::db::{Backend, Db};
use crate::{StoreError, StoreResult};

/// Tables a migration fills with shipped defaults (the checklist templates): an empty database
/// already has these rows, so a restore replaces them instead of refusing the target.
const SEEDED_BY_MIGRATIONS: &[&str] = &["checklist_templates"];

/// How a column's values travel: the storage layer uses only these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Text,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    /// Tables this one references (other than itself).
    parents: Vec<String>,
    /// Columns that reference this table's own `id` (a unit's parent, a renewal's predecessor).
    self_refs: Vec<String>,
}

/// One table of a snapshot: its column names and its rows, values in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDump {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Why a snapshot or a restore stopped. A failed restore has changed nothing in the database.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The target is not empty, or the snapshot does not fit this version of Liaison.
    #[error("{0}")]
    Refused(String),
    /// The consumer of a snapshot or the producer of a restore failed (I/O, a damaged file).
    #[error("{0}")]
    Io(String),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

/// Tables derived from others by triggers: neither backed up nor restored.
pub(crate) const DERIVED_TABLES: &[&str] =
    &["mobility_counts_by_unit", "mobility_counts_by_partner"];

fn kind_of(declared: &str) -> Kind {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        Kind::Int
    } else if t.contains("real") || t.contains("doub") || t.contains("floa") || t == "numeric" {
        Kind::Float
    } else {
        Kind::Text
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The data tables with their columns and references, parents before children.
async fn tables(backend: Backend, tx: &mut Transaction<'static, Any>) -> StoreResult<Vec<Table>> {
    let mut found: Vec<Table> = Vec::new();
    match backend {
        Backend::Sqlite => {
            let rows = sqlx::query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
            )
            .fetch_all(&mut **tx)
            .await?;
            let all: Vec<(String, String)> = rows
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get(0)?,
                        r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()?;
            let virtual_tables: Vec<&String> = all
                .iter()
                .filter(|(_, sql)| sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE"))
                .map(|(n, _)| n)
                .collect();
            for (name, _) in &all {
                // An FTS table and its shadow tables (`x_search`, `x_search_data`, …).
                if DERIVED_TABLES.contains(&name.as_str())
                    || virtual_tables
                        .iter()
                        .any(|v| name == *v || name.starts_with(&format!("{v}_")))
                {
                    continue;
                }
                let columns =
                    sqlx::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                        .bind(name.clone())
                        .fetch_all(&mut **tx)
                        .await?
                        .iter()
                        .map(|r| {
                            Ok((
                                r.try_get::<String, _>(0)?,
                                kind_of(&r.try_get::<String, _>(1)?),
                            ))
                        })
                        .collect::<Result<Vec<_>, sqlx::Error>>()?;
                let refs =
                    sqlx::query(r#"SELECT "table", "from" FROM pragma_foreign_key_list($1)"#)
                        .bind(name.clone())
                        .fetch_all(&mut **tx)
                        .await?
                        .iter()
                        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
                        .collect::<Result<Vec<_>, sqlx::Error>>()?;
                found.push(table(name, columns, refs));
            }
        }
        Backend::Postgres => {
            let names: Vec<String> = sqlx::query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> 'schema_migrations' ORDER BY table_name",
            )
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
            let refs = sqlx::query(
                "SELECT tc.table_name::text, ccu.table_name::text, kcu.column_name::text \
                 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu \
                   ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
                 JOIN information_schema.constraint_column_usage ccu \
                   ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
            )
            .fetch_all(&mut **tx)
            .await?;
            let mut refs_of: HashMap<String, Vec<(String, String)>> = HashMap::new();
            for r in &refs {
                refs_of
                    .entry(r.try_get(0)?)
                    .or_default()
                    .push((r.try_get(1)?, r.try_get(2)?));
            }
            for name in names
                .iter()
                .filter(|n| !DERIVED_TABLES.contains(&n.as_str()))
            {
                let columns = sqlx::query(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(name.clone())
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| Ok((r.try_get::<String, _>(0)?, kind_of(&r.try_get::<String, _>(1)?))))
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
                found.push(table(
                    name,
                    columns,
                    refs_of.remove(name).unwrap_or_default(),
                ));
            }
        }
    }
    parents_first(found)
}

fn table(name: &str, columns: Vec<(String, Kind)>, refs: Vec<(String, String)>) -> Table {
    let mut parents = Vec::new();
    let mut self_refs = Vec::new();
    for (parent, column) in refs {
        if parent == name {
            self_refs.push(column);
        } else if !parents.contains(&parent) {
            parents.push(parent);
        }
    }
    Table {
        name: name.to_string(),
        columns,
        parents,
        self_refs,
    }
}

/// Orders tables so that every table comes after the tables it references.
fn parents_first(tables: Vec<Table>) -> StoreResult<Vec<Table>> {
    let mut remaining: BTreeMap<String, Table> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    while !remaining.is_empty() {
        let ready: Vec<String> = remaining
            .values()
            .filter(|t| {
                t.parents
                    .iter()
                    .all(|p| placed.contains(p) || !remaining.contains_key(p))
            })
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            let names: Vec<&String> = remaining.keys().collect();
            return Err(StoreError::Corrupt(format!(
                "these tables reference each other in a cycle: {names:?}"
            )));
        }
        for name in ready {
            let t = remaining.remove(&name).expect("ready tables remain");
            placed.insert(name);
            out.push(t);
        }
    }
    Ok(out)
}

fn value_of(row: &AnyRow, i: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Int => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(Value::Null, Value::from),
        Kind::Float => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::from),
        Kind::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(Value::Null, Value::from),
    })
}

/// Puts rows whose self-reference points at another row after that row.
fn parent_rows_first(
    rows: Vec<Vec<Value>>,
    id_index: usize,
    ref_indexes: &[usize],
) -> Vec<Vec<Value>> {
    let index_of: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r[id_index].as_i64().map(|id| (id, i)))
        .collect();
    let mut done = vec![false; rows.len()];
    let mut order = Vec::with_capacity(rows.len());
    for start in 0..rows.len() {
        // Walk up to the oldest unplaced ancestor, then place the chain top down.
        let mut chain = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if done[i] || chain.contains(&i) {
                break;
            }
            chain.push(i);
            at = ref_indexes
                .iter()
                .filter_map(|&c| rows[i][c].as_i64())
                .filter_map(|id| index_of.get(&id).copied())
                .find(|p| !done[*p] && *p != i);
        }
        for i in chain.into_iter().rev() {
            if !done[i] {
                done[i] = true;
                order.push(i);
            }
        }
    }
    let mut slots: Vec<Option<Vec<Value>>> = rows.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|i| slots[i].take().expect("each row is placed once"))
        .collect()
}

/// Rows per INSERT statement: well under both engines' parameter limits.
const PARAMETERS_PER_STATEMENT: usize = 8_000;

impl Db {
    /// Reads every data table in one consistent read transaction and hands each to `sink`,
    /// parents first. Returns the schema version the snapshot belongs to.
    pub async fn snapshot(
        &self,
        mut sink: impl FnMut(TableDump) -> Result<(), BackupError>,
    ) -> Result<i64, BackupError> {
        let mut tx = match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        let version: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        for t in tables(self.backend(), &mut tx).await? {
            let names: Vec<String> = t.columns.iter().map(|(n, _)| n.clone()).collect();
            let id_index = names.iter().position(|n| n == "id");
            let order = match id_index {
                Some(i) => format!("{}", i + 1),
                None => (1..=names.len())
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {order}",
                names
                    .iter()
                    .map(|n| quote(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                quote(&t.name)
            );
            let fetched = sqlx::query(&sql).fetch_all(&mut *tx).await?;
            let mut rows = Vec::with_capacity(fetched.len());
            for r in &fetched {
                let mut values = Vec::with_capacity(names.len());
                for (i, (_, kind)) in t.columns.iter().enumerate() {
                    values.push(value_of(r, i, *kind)?);
                }
                rows.push(values);
            }
            drop(fetched);
            if let (Some(id), false) = (id_index, t.self_refs.is_empty()) {
                let refs: Vec<usize> = t
                    .self_refs
                    .iter()
                    .filter_map(|c| names.iter().position(|n| n == c))
                    .collect();
                rows = parent_rows_first(rows, id, &refs);
            }
            sink(TableDump {
                name: t.name.clone(),
                columns: names,
                rows,
            })?;
        }
        tx.commit().await?;
        Ok(version)
    }

    /// Writes a snapshot into this database, which must hold no data. `next` yields the tables in
    /// snapshot order, then `None`. Everything goes in one transaction: on any error nothing is
    /// left behind. The schema is first brought to the snapshot's version, and to the newest one
    /// after the rows are in (so later migrations convert old backups).
    pub async fn restore(
        &self,
        snapshot_version: i64,
        mut next: impl FnMut() -> Result<Option<TableDump>, BackupError>,
    ) -> Result<RestoreSummary, BackupError> {
        let newest = crate::migrate::newest_version();
        if snapshot_version > newest {
            return Err(BackupError::Refused(format!(
                "the backup is of schema version {snapshot_version}, newer than this Liaison \
                 knows ({newest}); restore it with the Liaison that made it or a newer one"
            )));
        }
        let current = self.schema_version().await?;
        if current > snapshot_version {
            return Err(BackupError::Refused(format!(
                "the target database is already at schema version {current}, past the backup's \
                 {snapshot_version}; restore into a new, empty database"
            )));
        }
        self.migrate_to(Some(snapshot_version)).await?;
        let mut tx = self.write().await?;
        let target: HashMap<String, Table> = tables(self.backend(), &mut tx)
            .await?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        for name in target.keys() {
            if SEEDED_BY_MIGRATIONS.contains(&name.as_str()) {
                // The snapshot brings the office's own rows in their place.
                sqlx::query(&format!("DELETE FROM {}", quote(name)))
                    .execute(&mut *tx)
                    .await?;
                continue;
            }
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {}", quote(name)))
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            if n > 0 {
                return Err(BackupError::Refused(format!(
                    "the target database is not empty (table {name} has {n} rows); restore \
                     into a new, empty database"
                )));
            }
        }
        let mut summary = RestoreSummary::default();
        while let Some(dump) = next()? {
            let Some(table) = target.get(&dump.name) else {
                return Err(BackupError::Refused(format!(
                    "the backup has a table {} that this schema does not have",
                    dump.name
                )));
            };
            let mut kinds = Vec::with_capacity(dump.columns.len());
            for c in &dump.columns {
                match table.columns.iter().find(|(n, _)| n == c) {
                    Some((_, k)) => kinds.push(*k),
                    None => {
                        return Err(BackupError::Refused(format!(
                            "the backup has a column {}.{c} that this schema does not have",
                            dump.name
                        )))
                    }
                }
            }
            insert_rows(self.backend(), &mut tx, &dump, &kinds).await?;
            if self.backend() == Backend::Postgres && dump.columns.iter().any(|c| c == "id") {
                // Identity columns continue after the restored ids.
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), \
                     GREATEST(COALESCE(MAX(id), 0), 1), COALESCE(MAX(id), 0) > 0) FROM {1}",
                    dump.name.replace('\'', "''"),
                    quote(&dump.name)
                );
                let has_sequence: Option<String> = sqlx::query(&format!(
                    "SELECT pg_get_serial_sequence('{}', 'id')",
                    dump.name.replace('\'', "''")
                ))
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                if has_sequence.is_some() {
                    sqlx::query(&sql).execute(&mut *tx).await?;
                }
            }
            summary.tables += 1;
            summary.rows += dump.rows.len() as u64;
        }
        tx.commit().await?;
        self.migrate().await?;
        Ok(summary)
    }
}

async fn insert_rows(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    dump: &TableDump,
    kinds: &[Kind],
) -> Result<(), BackupError> {
    let width = dump.columns.len().max(1);
    let per_statement = (PARAMETERS_PER_STATEMENT / width).max(1);
    let columns = dump
        .columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ");
    for (chunk_index, chunk) in dump.rows.chunks(per_statement).enumerate() {
        let mut sql = format!("INSERT INTO {} ({columns}) VALUES ", quote(&dump.name));
        for r in 0..chunk.len() {
            if r > 0 {
                sql.push_str(", ");
            }
            let width = dump.columns.len();
            sql.push_str(&crate::query::tuple(backend, r * width + 1, width));
        }
        let mut query = sqlx::query(&sql);
        for (r, row) in chunk.iter().enumerate() {
            if row.len() != kinds.len() {
                return Err(BackupError::Io(format!(
                    "table {}, row {}: {} values for {} columns",
                    dump.name,
                    chunk_index * per_statement + r + 1,
                    row.len(),
                    kinds.len()
                )));
            }
            for (value, kind) in row.iter().zip(kinds) {
                query = match (kind, value) {
                    (Kind::Int, Value::Null) => query.bind(None::<i64>),
                    // See `query::bind_all`: an f32-typed NULL is a float8 NULL on PostgreSQL.
                    (Kind::Float, Value::Null) => query.bind(None::<f32>),
                    (Kind::Text, Value::Null) => query.bind(None::<String>),
                    (Kind::Int, Value::Number(v)) if v.is_i64() => query.bind(v.as_i64()),
                    (Kind::Float, Value::Number(v)) => query.bind(v.as_f64()),
                    (Kind::Text, Value::String(s)) => query.bind(s.clone()),
                    (_, other) => {
                        return Err(BackupError::Io(format!(
                            "table {}, row {}: the value {other} does not fit its column",
                            dump.name,
                            chunk_index * per_statement + r + 1
                        )))
                    }
                };
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// What a restore wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RestoreSummary {
    pub tables: u64,
    pub rows: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_after_the_tables_they_reference() {
        let t = |name: &str, parents: &[&str]| Table {
            name: name.into(),
            columns: Vec::new(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            self_refs: Vec::new(),
        };
        let ordered = parents_first(vec![
            t("documents", &["users"]),
            t("people", &["institutions", "org_units"]),
            t("org_units", &["institutions"]),
            t("institutions", &[]),
            t("users", &["people"]),
        ])
        .unwrap();
        let names: Vec<&str> = ordered.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["institutions", "org_units", "people", "users", "documents"]
        );
        assert!(parents_first(vec![t("a", &["b"]), t("b", &["a"])]).is_err());
    }

    #[test]
    fn child_rows_follow_their_parent_rows() {
        let row = |id: i64, parent: Option<i64>| {
            vec![Value::from(id), parent.map_or(Value::Null, Value::from)]
        };
        // Unit 1 was moved under unit 3, which was created later.
        let rows = vec![
            row(1, Some(3)),
            row(2, Some(1)),
            row(3, None),
            row(4, Some(2)),
        ];
        let ordered = parent_rows_first(rows, 0, &[1]);
        let ids: Vec<i64> = ordered.iter().map(|r| r[0].as_i64().unwrap()).collect();
        assert_eq!(ids, [3, 1, 2, 4]);
    }
}

//! Building filtered, sorted, paged SELECTs with numbered placeholders valid on both engines.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::page_cache::Lookup;
use crate::{Backend, StoreError, StoreResult};
use liaison_domain::{LocalizedText, PageRequest, Scope, Sort};

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    /// Nullable values carry their type: PostgreSQL rejects a text-typed NULL for a BIGINT column.
    OptText(Option<String>),
    OptInt(Option<i64>),
    OptFloat(Option<f64>),
}

/// WHERE clauses and their arguments; `?` in a clause becomes the next `$n`.
#[derive(Debug, Default)]
pub(crate) struct Conditions {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
    /// Whether a text search narrows the rows (see [`page_json`]).
    searched: bool,
}

impl Conditions {
    pub(crate) fn add(&mut self, clause: &str, arg: Arg) {
        self.args.push(arg);
        self.clauses
            .push(clause.replace('?', &format!("${}", self.args.len())));
    }

    /// `column IN (ids)`; no ids matches nothing.
    pub(crate) fn add_in(&mut self, column: &str, ids: &[i64]) {
        if ids.is_empty() {
            self.clauses.push("1 = 0".into());
            return;
        }
        let mut placeholders = Vec::with_capacity(ids.len());
        for id in ids {
            self.args.push(Arg::Int(*id));
            placeholders.push(format!("${}", self.args.len()));
        }
        self.clauses
            .push(format!("{column} IN ({})", placeholders.join(", ")));
    }

    /// Narrows a directory list to what `scope` reaches: `institution_column` is the record's
    /// institution, `unit_column` the org unit a coordinator's scope is checked against (`None`:
    /// coordinators see every row, as with partner institutions).
    pub(crate) fn scope(
        &mut self,
        scope: &Scope,
        institution_column: &str,
        unit_column: Option<&str>,
    ) {
        match (scope, unit_column) {
            (Scope::All, _) | (Scope::Units(_), None) => {}
            (Scope::Units(units), Some(column)) => self.add_in(column, units),
            (Scope::Institution(id), _) => {
                self.add(&format!("{institution_column} = ?"), Arg::Int(*id))
            }
            (Scope::Nothing, _) => self.clauses.push("1 = 0".into()),
        }
    }

    /// A clause whose placeholders the caller numbered itself (after pushing to `args`).
    pub(crate) fn raw(&mut self, clause: &str) {
        self.clauses.push(clause.to_string());
    }

    pub(crate) fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// Adds a text search over `table`'s `search_text` column. On SQLite, queries of three or
    /// more characters go through the FTS5 trigram index `{table}_search` (migration 2) to find
    /// candidates (which trigrams: `trigrams.rs`); the `LIKE` keeps the exact meaning (a
    /// substring of the normalised text). On PostgreSQL the pg_trgm index serves the `LIKE`
    /// itself.
    pub(crate) fn search(&mut self, db: &crate::Db, table: &str, q: Option<&str>) {
        let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
            return;
        };
        let normalized = liaison_domain::search::normalize(q);
        if db.backend() == Backend::Sqlite && normalized.chars().count() >= 3 {
            let fts =
                crate::trigrams::fts_query(db.trigrams.as_ref(), &db.pool, table, &normalized);
            self.add(
                &format!("id IN (SELECT rowid FROM {table}_search WHERE {table}_search MATCH ?)"),
                Arg::Text(fts),
            );
        }
        self.add(
            "search_text LIKE ? ESCAPE '\\'",
            Arg::Text(liaison_domain::search::like_pattern(q)),
        );
        self.searched = true;
    }
}

/// `(…)` with `count` placeholders for the next arguments, `first` (1-based) being the first, for
/// statements with many arguments (multi-row inserts). On SQLite they are anonymous `?`: SQLite
/// finds a numbered `$n` by walking the statement's list of names, and sqlx asks for every
/// parameter's name when it binds, so thousands of `$n` cost time quadratic in their number
/// (most of a bulk import's time before); anonymous ones are bound in order, in linear time.
pub(crate) fn tuple(backend: Backend, first: usize, count: usize) -> String {
    let marks: Vec<String> = match backend {
        Backend::Sqlite => vec!["?".to_string(); count],
        Backend::Postgres => (first..first + count).map(|n| format!("${n}")).collect(),
    };
    format!("({})", marks.join(", "))
}

pub(crate) fn bind_all<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    bind_values(query, args.to_vec())
}

/// [`bind_all`], taking the values (their text is moved into the query, not copied).
pub(crate) fn bind_values<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for arg in args {
        query = match arg {
            Arg::Text(s) => query.bind(s),
            Arg::Int(i) => query.bind(i),
            Arg::OptText(s) => query.bind(s),
            Arg::OptInt(i) => query.bind(i),
            Arg::OptFloat(Some(f)) => query.bind(f),
            // sqlx 0.8.6's Any driver turns a NULL of type f64 into a PostgreSQL float4 NULL (its
            // Real/Double cases are swapped), so a statement first prepared with a NULL there
            // later refuses an f64 ("incorrect binary data format"). An f32-typed NULL comes out
            // as float8, which is what the columns are.
            Arg::OptFloat(None) => query.bind(None::<f32>),
        };
    }
    query
}

/// Runs `SELECT {columns} FROM {table} {where} ORDER BY … LIMIT … OFFSET …` and the matching count.
pub(crate) async fn page<T>(
    pool: &sqlx::AnyPool,
    table: &str,
    columns: &str,
    conditions: &Conditions,
    sort: &Sort,
    page: &PageRequest,
    map: impl Fn(&AnyRow) -> StoreResult<T>,
) -> StoreResult<crate::Page<T>> {
    let where_sql = conditions.where_sql();
    let count_sql = format!("SELECT COUNT(*) FROM {table}{where_sql}");
    let total: i64 = bind_all(sqlx::query(&count_sql), &conditions.args)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let direction = if sort.descending { "DESC" } else { "ASC" };
    let n = conditions.args.len();
    // `sort.field` comes from a whitelist (Sort::parse), never from the request verbatim.
    let list_sql = format!(
        "SELECT {columns} FROM {table}{where_sql} ORDER BY {field} {direction}, id {direction} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2,
        field = sort_column(sort.field),
    );
    let rows = bind_all(sqlx::query(&list_sql), &conditions.args)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(pool)
        .await?;
    let items = rows.iter().map(map).collect::<StoreResult<Vec<T>>>()?;
    Ok(crate::Page { items, total })
}

/// Like [`page`], but the database writes the page as one JSON array text and counts the matches
/// in the same statement: one row crosses from the engine instead of one per record, and one round
/// trip instead of two. `object` is the SQL expression of one record's JSON object text over the
/// table's columns (see [`JsonSql`]); items keep the order of [`page`].
pub(crate) async fn page_json(
    db: &crate::Db,
    table: &str,
    object: &str,
    conditions: &Conditions,
    sort: &Sort,
    page: &PageRequest,
) -> StoreResult<crate::JsonPage> {
    let backend = db.backend();
    let where_sql = conditions.where_sql();
    let direction = if sort.descending { "DESC" } else { "ASC" };
    let n = conditions.args.len();
    // `sort.field` comes from a whitelist (Sort::parse), never from the request verbatim.
    let field = sort_column(sort.field);
    let order = format!("{field} {direction}, id {direction}");
    // The aggregate's own ORDER BY (SQLite 3.44+) makes the array's order explicit.
    let concat = match backend {
        Backend::Sqlite => "group_concat",
        Backend::Postgres => "string_agg",
    };
    let array = format!("'[' || COALESCE({concat}({object}, ',' ORDER BY {order}), '') || ']'");
    let sql = if conditions.searched {
        // A search's matches are found once, into `m` (their ids and sort keys), and both the
        // count and the page read them from there: the lookup and the `LIKE` over the candidates
        // are most of a search's cost, and the page then reads only its own rows in full.
        format!(
            "WITH m AS MATERIALIZED (SELECT id, {field} AS sort_key FROM {table}{where_sql}) \
             SELECT (SELECT COUNT(*) FROM m) AS total, \
             (SELECT {array} FROM (SELECT {table}.* FROM (SELECT id FROM m \
             ORDER BY sort_key {direction}, id {direction} LIMIT ${} OFFSET ${}) AS k \
             JOIN {table} ON {table}.id = k.id) AS p) AS items",
            n + 1,
            n + 2,
        )
    } else {
        format!(
            "SELECT (SELECT COUNT(*) FROM {table}{where_sql}) AS total, \
             (SELECT {array} FROM (SELECT * FROM {table}{where_sql} ORDER BY {order} \
             LIMIT ${} OFFSET ${}) AS p) AS items",
            n + 1,
            n + 2,
        )
    };
    // The statement and every value bound to it decide the page (the caller's scope included).
    let key = format!(
        "{sql}\u{0}{:?}\u{0}{}\u{0}{}",
        conditions.args,
        page.limit(),
        page.offset()
    );
    let cached = db.pages.as_ref().and_then(|cache| cache.lookup(&key));
    if let Some(Lookup::Hit(page)) = cached {
        return Ok(page);
    }
    let row = bind_all(sqlx::query(&sql), &conditions.args)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_one(&db.pool)
        .await?;
    let fresh = crate::JsonPage {
        total: int(&row, "total")?,
        items: text(&row, "items")?.into(),
    };
    if let (Some(cache), Some(Lookup::Miss { version })) = (&db.pages, cached) {
        cache.store(version, key, &fresh);
    }
    Ok(fresh)
}

/// SQL expressions that build JSON values the way serde writes the domain types, on either engine.
pub(crate) struct JsonSql(pub(crate) Backend);

impl JsonSql {
    /// `{"key": value, …}` with the keys in the given order (values are SQL expressions).
    pub(crate) fn object(&self, fields: &[(&str, String)]) -> String {
        let args: Vec<String> = fields
            .iter()
            .map(|(key, value)| format!("'{key}', {value}"))
            .collect();
        match self.0 {
            Backend::Sqlite => format!("json_object({})", args.join(", ")),
            Backend::Postgres => format!("json_build_object({})", args.join(", ")),
        }
    }

    /// A `LocalizedText` from `{prefix}_en`, `{prefix}_zh`, `{prefix}_local`: absent languages
    /// are left out, as serde does (`skip_serializing_if`).
    pub(crate) fn localized(&self, prefix: &str) -> String {
        let object = self.object(&[
            ("en", format!("{prefix}_en")),
            ("zh", format!("{prefix}_zh")),
            ("local", format!("{prefix}_local")),
        ]);
        match self.0 {
            // A merge patch drops the members whose value is null.
            Backend::Sqlite => format!("json_patch('{{}}', {object})"),
            Backend::Postgres => format!("json_strip_nulls({object})"),
        }
    }

    /// A `,a,b,` list column (closed-set names, no quotes or commas inside) as `["a","b"]`.
    pub(crate) fn comma_list(&self, column: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!(
                "json(CASE WHEN {column} = '' THEN '[]' ELSE '[\"' || \
                 replace(substr({column}, 2, length({column}) - 2), ',', '\",\"') || '\"]' END)"
            ),
            Backend::Postgres => format!(
                "CASE WHEN {column} = '' THEN '[]'::json \
                 ELSE to_json(string_to_array(trim(both ',' from {column}), ',')) END"
            ),
        }
    }
}

/// API sort names map to columns; `name` sorts by the normalised display name.
fn sort_column(field: &str) -> &str {
    match field {
        "name" => "sort_name",
        other => other,
    }
}

pub(crate) fn text(row: &AnyRow, column: &str) -> StoreResult<String> {
    Ok(row.try_get::<String, _>(column)?)
}

pub(crate) fn opt_text(row: &AnyRow, column: &str) -> StoreResult<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

pub(crate) fn int(row: &AnyRow, column: &str) -> StoreResult<i64> {
    Ok(row.try_get::<i64, _>(column)?)
}

pub(crate) fn opt_int(row: &AnyRow, column: &str) -> StoreResult<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(column)?)
}

pub(crate) fn opt_float(row: &AnyRow, column: &str) -> StoreResult<Option<f64>> {
    Ok(row.try_get::<Option<f64>, _>(column)?)
}

/// Reads `{prefix}_en`, `{prefix}_zh`, `{prefix}_local`.
pub(crate) fn localized(row: &AnyRow, prefix: &str) -> StoreResult<LocalizedText> {
    Ok(LocalizedText {
        en: opt_text(row, &format!("{prefix}_en"))?,
        zh: opt_text(row, &format!("{prefix}_zh"))?,
        local: opt_text(row, &format!("{prefix}_local"))?,
    })
}

pub(crate) fn json_list(row: &AnyRow, column: &str) -> StoreResult<Vec<String>> {
    let raw = text(row, column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

pub(crate) fn parse_enum<T>(
    row: &AnyRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> StoreResult<T> {
    let raw = text(row, column)?;
    parse(&raw).ok_or_else(|| StoreError::Corrupt(format!("{column} = {raw:?}")))
}

/// The name lists sort by: the English name, else Chinese, else local, normalised.
pub(crate) fn sort_name(name: &LocalizedText) -> String {
    liaison_domain::search::normalize(name.display(false))
}

//! Bulk import and export of the directory (C8): many records in one transaction, all or nothing.
//!
//! A row with an `id` updates that record if it exists and is created with that id otherwise (so an
//! export imported into an empty database keeps every id and every reference); a row without one
//! is created with a new id. Every write is audited like a single edit.

use crate::query::Arg;
use crate::table::{HasId, Table, Tx, Versioned};
use crate::{Actor, Backend, Db, StoreError, StoreResult};
use liaison_domain::{
    agreement, mobility, Agreement, AgreementDraft, AgreementStatus, ConditionDraft,
    CooperationCondition, Event, EventDraft, FieldError, FieldErrors, Id, Institution,
    InstitutionDraft, Mobility, MobilityDraft, MobilityStatus, OrgUnit, OrgUnitDraft, Person,
    PersonDraft,
};

/// One row of an import: the record's id if the file names one, and its validated draft.
#[derive(Debug, Clone)]
pub struct ImportRow<D> {
    pub id: Option<Id>,
    pub draft: D,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The first row the database refused (0-based index into the rows passed), and why.
#[derive(Debug)]
pub struct ImportFailure {
    pub index: usize,
    pub error: StoreError,
}

impl From<StoreError> for ImportFailure {
    fn from(error: StoreError) -> Self {
        ImportFailure {
            index: usize::MAX,
            error,
        }
    }
}

pub(crate) enum Written {
    Created,
    Updated,
    Unchanged,
}

pub(crate) async fn upsert<T: Versioned + HasId>(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    table: &Table<T>,
    id: Option<Id>,
    same: impl Fn(&T) -> bool,
    values: Vec<Arg>,
) -> StoreResult<Written> {
    if let Some(id) = id {
        match table.lock(db, tx, id).await {
            Ok(before) if same(&before) => return Ok(Written::Unchanged),
            Ok(before) => {
                table.update(tx, actor, &before, values).await?;
                return Ok(Written::Updated);
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    table.insert_as(tx, actor, id, values).await?;
    Ok(Written::Created)
}

/// Told how many rows have been written so far (every [`PROGRESS_EVERY`] rows and at the end).
pub type Progress<'a> = dyn Fn(usize) + Sync + 'a;

/// How often an import reports its progress, in rows.
pub const PROGRESS_EVERY: usize = 500;

fn tick(progress: &Progress<'_>, index: usize, total: usize) {
    if (index + 1).is_multiple_of(PROGRESS_EVERY) || index + 1 == total {
        progress(index + 1);
    }
}

/// New records written to one statement (`Table::insert_many`): 25 values each, within either
/// engine's limit of bound values (SQLite 32,766, PostgreSQL 65,535).
const BATCH: usize = 1_000;

/// Above this many rows, SQLite's search index of institutions is filled once at the end.
const BULK: usize = 200;

/// `column IN` the values of the JSON array bound as `$1`: one parameter for any number of
/// values (numbered placeholders by the thousand cost SQLite time quadratic in their number);
/// `sql_type` is the column's type on PostgreSQL.
fn in_json(backend: Backend, column: &str, sql_type: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each($1))"),
        Backend::Postgres => format!(
            "{column} IN (SELECT CAST(v AS {sql_type}) FROM jsonb_array_elements_text($1::jsonb) AS v)"
        ),
    }
}

/// Which of `ids` exist in `table.column`.
async fn existing_values(
    backend: Backend,
    tx: &mut Tx,
    table: &str,
    column: &str,
    ids: &[Id],
) -> StoreResult<std::collections::HashSet<Id>> {
    let mut out = std::collections::HashSet::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT {column} FROM {table} WHERE {}",
        in_json(backend, column, "BIGINT")
    );
    let list = serde_json::to_string(ids).expect("ids serialise");
    for row in sqlx::query(&sql).bind(list).fetch_all(&mut **tx).await? {
        out.insert(crate::query::int(&row, column)?);
    }
    Ok(out)
}

/// Which of `values` of `table.column` some record holds, and which record.
async fn taken_texts(
    backend: Backend,
    tx: &mut Tx,
    table: &str,
    column: &str,
    values: &[String],
) -> StoreResult<std::collections::HashMap<String, Id>> {
    let mut out = std::collections::HashMap::new();
    if values.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT id, {column} FROM {table} WHERE {}",
        in_json(backend, column, "TEXT")
    );
    let list = serde_json::to_string(values).expect("texts serialise");
    for row in sqlx::query(&sql).bind(list).fetch_all(&mut **tx).await? {
        out.insert(
            crate::query::text(&row, column)?,
            crate::query::int(&row, "id")?,
        );
    }
    Ok(out)
}

/// The record a row's id names, locked, if it exists.
async fn existing<T: Versioned>(
    db: &Db,
    tx: &mut Tx,
    table: &Table<T>,
    id: Option<Id>,
) -> StoreResult<Option<T>> {
    match id {
        None => Ok(None),
        Some(id) => match table.lock(db, tx, id).await {
            Ok(t) => Ok(Some(t)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

async fn exists(tx: &mut Tx, table: &str, id: Id) -> StoreResult<bool> {
    let sql = format!("SELECT id FROM {table} WHERE id = $1");
    Ok(sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

/// An agreement row: the draft plus what the operations set (status, the renewed agreement).
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementImport {
    pub draft: AgreementDraft,
    pub status: AgreementStatus,
    pub previous_id: Option<Id>,
}

/// A cooperation condition row with the agreement it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionImport {
    pub agreement_id: Id,
    pub draft: ConditionDraft,
}

/// A mobility row: the draft, its status and its confirmations (taken from the file when given,
/// else dated from the actual dates as for records created under way).
#[derive(Debug, Clone, PartialEq)]
pub struct MobilityImport {
    pub draft: MobilityDraft,
    pub status: MobilityStatus,
    pub arrival_confirmed_at: Option<String>,
    pub return_confirmed_at: Option<String>,
}

/// One step of writing an institutions file, in file order.
enum Step {
    /// The row's `hei_id` belongs to another record: the import stops here.
    Taken(usize),
    /// The row updates an existing record.
    Update(usize),
    /// New records, one statement (row indexes and chosen ids).
    Create(Vec<(usize, Option<Id>)>),
}

impl ImportOutcome {
    pub(crate) fn count(&mut self, w: Written) {
        match w {
            Written::Created => self.created += 1,
            Written::Updated => self.updated += 1,
            Written::Unchanged => self.unchanged += 1,
        }
    }
}

impl Db {
    /// Keeps PostgreSQL's id generator ahead of ids an import chose.
    async fn bump_identity(&self, tx: &mut Tx, table: &str) -> StoreResult<()> {
        if self.backend() == Backend::Postgres {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            );
            sqlx::query(&sql).execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub(crate) async fn finish(
        &self,
        mut tx: Tx,
        table: &str,
        commit: bool,
    ) -> Result<(), ImportFailure> {
        if commit {
            self.bump_identity(&mut tx, table).await?;
            tx.commit().await.map_err(StoreError::from)?;
            self.auth_changed();
        } else {
            tx.rollback().await.map_err(StoreError::from)?;
        }
        Ok(())
    }

    /// Imports institutions in one transaction; `commit: false` is a dry run that rolls back.
    /// Large files are the common case here, so the checks are read in batches (which ids exist,
    /// which `hei_id`s are taken) and new records are written [`BATCH`] to a statement, each still
    /// audited as a single create; existing records are updated one by one.
    pub async fn import_institutions(
        &self,
        actor: &Actor,
        rows: &[ImportRow<InstitutionDraft>],
        commit: bool,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let mut tx = self.write().await?;
        // SQLite's default page cache (2 MB) is far smaller than a large import's writes: pages
        // of the tables and indexes would go to the WAL and be read back again and again. The
        // import's connection gets a larger one for the transaction, set back after it.
        let cache = self.backend() == Backend::Sqlite && rows.len() > BULK;
        if cache {
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        }
        let result = self.institutions_in(&mut tx, actor, rows, progress).await;
        if cache {
            let reset = sqlx::query("PRAGMA cache_size = -2000")
                .execute(&mut *tx)
                .await;
            // The import's own failure, if any, is the one to report.
            let outcome = result?;
            reset.map_err(StoreError::from)?;
            self.finish(tx, "institutions", commit).await?;
            return Ok(outcome);
        }
        let outcome = result?;
        self.finish(tx, "institutions", commit).await?;
        Ok(outcome)
    }

    async fn institutions_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        rows: &[ImportRow<InstitutionDraft>],
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::institutions::TABLE;
        let mut outcome = ImportOutcome::default();
        let ids: Vec<Id> = rows.iter().filter_map(|r| r.id).collect();
        let present = existing_values(self.backend(), tx, "institutions", "id", &ids).await?;
        let heis: Vec<String> = rows.iter().filter_map(|r| r.draft.hei_id.clone()).collect();
        let taken = taken_texts(self.backend(), tx, "institutions", "hei_id", &heis).await?;
        // SQLite's trigram index takes rows far faster in bulk than one trigger call at a time:
        // for a large file its insert trigger is set aside inside the transaction and the new
        // rows are indexed at the end (a rollback brings the trigger back with everything else).
        let trigger = if self.backend() == Backend::Sqlite && rows.len() > BULK {
            let sql: Option<String> = sqlx::query_scalar(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'institutions_search_insert'",
            )
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::from)?;
            if sql.is_some() {
                sqlx::query("DROP TRIGGER institutions_search_insert")
                    .execute(&mut **tx)
                    .await
                    .map_err(StoreError::from)?;
            }
            sql
        } else {
            None
        };
        // The rows as steps, in the order they are written: an update of an existing record
        // when its row comes, new records in batches (rows with chosen ids and without apart),
        // each written when the next new row would not fit in it.
        let mut steps = Vec::new();
        let mut pending: Vec<(usize, Option<Id>)> = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            if let Some(hei) = &row.draft.hei_id {
                if taken.get(hei).is_some_and(|owner| Some(*owner) != row.id) {
                    steps.push(Step::Taken(index));
                    pending.clear();
                    break;
                }
            }
            if row.id.is_some_and(|id| present.contains(&id)) {
                steps.push(Step::Update(index));
                continue;
            }
            if pending.len() == BATCH
                || pending
                    .last()
                    .is_some_and(|(_, id)| id.is_some() != row.id.is_some())
            {
                steps.push(Step::Create(std::mem::take(&mut pending)));
            }
            pending.push((index, row.id));
        }
        if !pending.is_empty() {
            steps.push(Step::Create(pending));
        }
        let batch = |rows_of_batch: &[(usize, Option<Id>)]| {
            let values = rows_of_batch
                .iter()
                .map(|(i, _)| crate::institutions::write_args(&rows[*i].draft))
                .collect();
            let ids: Option<Vec<Id>> = rows_of_batch.iter().map(|(_, id)| *id).collect();
            let object = crate::institutions::object_sql(self.backend());
            table.insert_batch(self.backend(), ids.as_deref(), values, object)
        };
        let mut created = Vec::new();
        // The next batch, built while the database writes the one before it.
        let mut built = None;
        for (k, step) in steps.iter().enumerate() {
            match step {
                Step::Taken(index) => {
                    return Err(ImportFailure {
                        index: *index,
                        error: invalid("hei_id", "taken"),
                    })
                }
                Step::Update(index) => {
                    let (index, row) = (*index, &rows[*index]);
                    let written = async {
                        let same = |t: &Institution| t.draft == row.draft;
                        let values = crate::institutions::write_args(&row.draft);
                        upsert(self, tx, actor, table, row.id, same, values).await
                    }
                    .await
                    .map_err(|error| ImportFailure { index, error })?;
                    outcome.count(written);
                    tick(progress, index, rows.len());
                }
                Step::Create(rows_of_batch) => {
                    let current = built.take().unwrap_or_else(|| batch(rows_of_batch));
                    let next = match steps.get(k + 1) {
                        Some(Step::Create(next)) => Some(next),
                        _ => None,
                    };
                    // `biased`: the insert is polled first, so it is on its way to the database
                    // (which works on its own thread or process) before the next batch is built.
                    let (made, next) = tokio::join!(
                        biased;
                        table.insert_many(tx, actor, current),
                        async { next.map(|next| batch(next)) },
                    );
                    built = next;
                    let made = made.map_err(|error| ImportFailure {
                        index: rows_of_batch[0].0,
                        error,
                    })?;
                    created.extend(made);
                    for &(index, _) in rows_of_batch {
                        outcome.count(Written::Created);
                        tick(progress, index, rows.len());
                    }
                }
            }
        }
        if let Some(sql) = trigger {
            // One statement for all new rows: FTS5 flushes its pending terms to disk (and merges
            // segments) at the start of every statement that writes it.
            // FTS5 also writes a segment whenever its in-memory buffer (1 MB by default) is full,
            // and merges them as they pile up: for this statement the buffer is made larger.
            let hashsize = |bytes: i64| {
                format!(
                    "INSERT INTO institutions_search (institutions_search, rank) \
                     VALUES ('hashsize', {bytes})"
                )
            };
            sqlx::query(&hashsize(64 << 20))
                .execute(&mut **tx)
                .await
                .map_err(StoreError::from)?;
            let ids = serde_json::to_string(&created).expect("ids serialise");
            let filled = sqlx::query(
                "INSERT INTO institutions_search (rowid, search_text) \
                 SELECT id, search_text FROM institutions \
                 WHERE id IN (SELECT value FROM json_each($1))",
            )
            .bind(ids)
            .execute(&mut **tx)
            .await;
            sqlx::query(&hashsize(1 << 20))
                .execute(&mut **tx)
                .await
                .map_err(StoreError::from)?;
            filled.map_err(StoreError::from)?;
            sqlx::query(&sql)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::from)?;
        }
        Ok(outcome)
    }

    /// Imports org units in one transaction; a parent must come before its sub-units.
    pub async fn import_org_units(
        &self,
        actor: &Actor,
        rows: &[ImportRow<OrgUnitDraft>],
        commit: bool,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::org_units::TABLE;
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                crate::org_units::check_references(&mut tx, &row.draft, row.id).await?;
                let same = |t: &OrgUnit| t.draft == row.draft;
                let values = crate::org_units::write_args(&row.draft);
                upsert(self, &mut tx, actor, table, row.id, same, values).await
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
            tick(progress, index, rows.len());
        }
        self.finish(tx, "org_units", commit).await?;
        Ok(outcome)
    }

    /// Imports people in one transaction.
    pub async fn import_people(
        &self,
        actor: &Actor,
        rows: &[ImportRow<PersonDraft>],
        commit: bool,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::people::TABLE;
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                crate::people::check_references(&mut tx, &row.draft).await?;
                let same = |t: &Person| t.draft == row.draft;
                let values = crate::people::write_args(&row.draft);
                upsert(self, &mut tx, actor, table, row.id, same, values).await
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
            tick(progress, index, rows.len());
        }
        self.finish(tx, "people", commit).await?;
        Ok(outcome)
    }

    /// Imports agreements in one transaction. A new record takes the file's status as it is (the
    /// office's history); an existing one may only move along the lifecycle
    /// (`status-not-allowed`). A renewal (`previous_id`) must name an existing agreement or one
    /// earlier in the file.
    pub async fn import_agreements(
        &self,
        actor: &Actor,
        rows: &[ImportRow<AgreementImport>],
        commit: bool,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::agreements::TABLE;
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                let r = &row.draft;
                crate::agreements::check_references(&mut tx, &r.draft).await?;
                if let Some(prev) = r.previous_id {
                    if !exists(&mut tx, "agreements", prev).await? {
                        return Err(invalid("previous_id", "not-found"));
                    }
                }
                let before: Option<Agreement> = existing(self, &mut tx, table, row.id).await?;
                let written = match before {
                    Some(b)
                        if b.draft == r.draft
                            && b.status == r.status
                            && b.previous_id == r.previous_id =>
                    {
                        return Ok(Written::Unchanged)
                    }
                    Some(b) => {
                        if b.status != r.status
                            && agreement::transition(b.status, r.status).is_err()
                        {
                            return Err(invalid("status", "status-not-allowed"));
                        }
                        crate::agreements::check_conditions_still_fit(&mut tx, b.id, &r.draft)
                            .await?;
                        let reminded = if b.draft.end_on == r.draft.end_on {
                            b.reminded_at.clone()
                        } else {
                            None
                        };
                        let values = crate::agreements::write_args(
                            &r.draft,
                            r.status,
                            r.previous_id,
                            reminded,
                        );
                        let after = table.update(&mut tx, actor, &b, values).await?;
                        crate::agreements::write_index(&mut tx, &after).await?;
                        Written::Updated
                    }
                    None => {
                        let values =
                            crate::agreements::write_args(&r.draft, r.status, r.previous_id, None);
                        let created = table.insert_as(&mut tx, actor, row.id, values).await?;
                        crate::agreements::write_index(&mut tx, &created).await?;
                        Written::Created
                    }
                };
                Ok(written)
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
            tick(progress, index, rows.len());
        }
        self.finish(tx, "agreements", commit).await?;
        Ok(outcome)
    }

    /// Imports cooperation conditions in one transaction; each names its agreement, and its
    /// sending and receiving institutions must be parties to it.
    pub async fn import_conditions(
        &self,
        actor: &Actor,
        rows: &[ImportRow<ConditionImport>],
        commit: bool,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::agreements::CONDITIONS;
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                let r = &row.draft;
                let parent = match crate::agreements::TABLE
                    .lock(self, &mut tx, r.agreement_id)
                    .await
                {
                    Ok(p) => p,
                    Err(StoreError::NotFound) => return Err(invalid("agreement_id", "not-found")),
                    Err(e) => return Err(e),
                };
                crate::agreements::check_condition_parties(&parent.draft, &r.draft)?;
                let same = |t: &CooperationCondition| {
                    t.agreement_id == r.agreement_id && t.draft == r.draft
                };
                let values = crate::agreements::condition_args(r.agreement_id, &r.draft);
                upsert(self, &mut tx, actor, table, row.id, same, values).await
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
            tick(progress, index, rows.len());
        }
        self.finish(tx, "cooperation_conditions", commit).await?;
        Ok(outcome)
    }

    /// Imports events in one transaction (participants, honours and agreements must exist).
    pub async fn import_events(
        &self,
        actor: &Actor,
        rows: &[ImportRow<EventDraft>],
        commit: bool,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::events::TABLE;
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                let mut draft = row.draft.clone();
                crate::events::resolve_references(&mut tx, &mut draft).await?;
                let before: Option<Event> = existing(self, &mut tx, table, row.id).await?;
                let values = crate::events::write_args(&draft);
                let written = match before {
                    Some(b) if b.draft == draft => return Ok(Written::Unchanged),
                    Some(b) => {
                        let after = table.update(&mut tx, actor, &b, values).await?;
                        crate::events::write_index(&mut tx, &after).await?;
                        Written::Updated
                    }
                    None => {
                        let created = table.insert_as(&mut tx, actor, row.id, values).await?;
                        crate::events::write_index(&mut tx, &created).await?;
                        Written::Created
                    }
                };
                Ok(written)
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
            tick(progress, index, rows.len());
        }
        self.finish(tx, "events", commit).await?;
        Ok(outcome)
    }

    /// Imports mobility records in one transaction. As for agreements, a new record takes the
    /// file's status; an existing one may only move along the lifecycle.
    pub async fn import_mobilities(
        &self,
        actor: &Actor,
        rows: &[ImportRow<MobilityImport>],
        commit: bool,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::mobilities::TABLE;
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                let r = &row.draft;
                let search = crate::mobilities::check_references(&mut tx, &r.draft).await?;
                let before: Option<Mobility> = existing(self, &mut tx, table, row.id).await?;
                let initial = crate::mobilities::initial_confirmations(&r.draft, r.status);
                let c = crate::mobilities::Confirmations {
                    arrival: r.arrival_confirmed_at.clone().or(initial.arrival),
                    ret: r.return_confirmed_at.clone().or(initial.ret),
                    // A nomination link is the system's own: an import neither sets nor clears it.
                    application: before.as_ref().and_then(|b| b.application_id),
                };
                let written = match before {
                    Some(b)
                        if b.draft == r.draft
                            && b.status == r.status
                            && b.arrival_confirmed_at == c.arrival
                            && b.return_confirmed_at == c.ret =>
                    {
                        return Ok(Written::Unchanged)
                    }
                    Some(b) => {
                        if b.status != r.status && mobility::transition(b.status, r.status).is_err()
                        {
                            return Err(invalid("status", "status-not-allowed"));
                        }
                        let values = crate::mobilities::args(&r.draft, r.status, &c, search);
                        table.update(&mut tx, actor, &b, values).await?;
                        Written::Updated
                    }
                    None => {
                        let values = crate::mobilities::args(&r.draft, r.status, &c, search);
                        let created: Mobility =
                            table.insert_as(&mut tx, actor, row.id, values).await?;
                        // Like a stay recorded by hand, an imported one gets its own checklist.
                        crate::checklists::add_checklist(
                            &mut tx, actor, created.id, &r.draft, r.status,
                        )
                        .await?;
                        Written::Created
                    }
                };
                Ok(written)
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
            tick(progress, index, rows.len());
        }
        self.finish(tx, "mobilities", commit).await?;
        Ok(outcome)
    }

    /// Every agreement, by id (for export).
    pub async fn all_agreements(&self) -> StoreResult<Vec<Agreement>> {
        self.all_of(&crate::agreements::TABLE).await
    }

    /// Every cooperation condition, by id (for export).
    pub async fn all_conditions(&self) -> StoreResult<Vec<CooperationCondition>> {
        self.all_of(&crate::agreements::CONDITIONS).await
    }

    /// The cooperation conditions of these agreements, by id (a filtered agreement list's).
    pub async fn conditions_of_agreements(
        &self,
        ids: &[Id],
    ) -> StoreResult<Vec<CooperationCondition>> {
        let table = &crate::agreements::CONDITIONS;
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let mut c = crate::query::Conditions::default();
            c.add_in("agreement_id", chunk);
            let sql = format!(
                "SELECT {} FROM {}{}",
                table.columns,
                table.name,
                c.where_sql()
            );
            let rows = crate::query::bind_all(sqlx::query(&sql), &c.args)
                .fetch_all(&self.pool)
                .await?;
            for row in &rows {
                out.push((table.from_row)(row)?);
            }
        }
        out.sort_by_key(|c: &CooperationCondition| c.id);
        Ok(out)
    }

    /// Every event, by id (for export).
    pub async fn all_events(&self) -> StoreResult<Vec<Event>> {
        self.all_of(&crate::events::TABLE).await
    }

    /// Every mobility record, by id (for export).
    pub async fn all_mobilities(&self) -> StoreResult<Vec<Mobility>> {
        self.all_of(&crate::mobilities::TABLE).await
    }

    /// Every institution, by id (for export).
    pub async fn all_institutions(&self) -> StoreResult<Vec<Institution>> {
        self.all_of(&crate::institutions::TABLE).await
    }

    /// Every org unit, by id (for export; parents were created before their sub-units).
    pub async fn all_org_units(&self) -> StoreResult<Vec<OrgUnit>> {
        self.all_of(&crate::org_units::TABLE).await
    }

    /// Every person, by id (for export).
    pub async fn all_people(&self) -> StoreResult<Vec<Person>> {
        self.all_of(&crate::people::TABLE).await
    }

    async fn all_of<T>(&self, table: &Table<T>) -> StoreResult<Vec<T>> {
        let sql = format!("SELECT {} FROM {} ORDER BY id", table.columns, table.name);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(table.from_row).collect()
    }
}

//! Bulk import and export of the directory (C8): many records in one transaction, all or nothing.
//!
//! A row with an `id` updates that record if it exists and is created with that id otherwise (so an
//! export imported into an empty database keeps every id and every reference); a row without one
//! is created with a new id. Every write is audited like a single edit.

use crate::query::Arg;
use crate::table::{HasId, Table, Tx, Versioned};
use crate::{Actor, Backend, Db, StoreError, StoreResult};
use liaison_domain::{
    Id, Institution, InstitutionDraft, OrgUnit, OrgUnitDraft, Person, PersonDraft,
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
    pub async fn import_institutions(
        &self,
        actor: &Actor,
        rows: &[ImportRow<InstitutionDraft>],
        commit: bool,
    ) -> Result<ImportOutcome, ImportFailure> {
        let table = &crate::institutions::TABLE;
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                crate::institutions::check_hei_id_free(&mut tx, &row.draft, row.id).await?;
                let same = |t: &Institution| t.draft == row.draft;
                let values = crate::institutions::write_args(&row.draft);
                upsert(self, &mut tx, actor, table, row.id, same, values).await
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
        }
        self.finish(tx, "institutions", commit).await?;
        Ok(outcome)
    }

    /// Imports org units in one transaction; a parent must come before its sub-units.
    pub async fn import_org_units(
        &self,
        actor: &Actor,
        rows: &[ImportRow<OrgUnitDraft>],
        commit: bool,
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
        }
        self.finish(tx, "people", commit).await?;
        Ok(outcome)
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

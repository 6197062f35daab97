//! Employment outcomes from a survey spreadsheet (C8, entity `employment-outcomes`): upserted by
//! `id` in one transaction like the directory imports, each write audited; the graduate and the
//! employer institution a row names must exist.

use crate::enterprise::{must_exist, outcome_args, OUTCOMES};
use crate::import::upsert;
use crate::{Actor, Db, ImportFailure, ImportOutcome, ImportRow, StoreResult};
use liaison_domain::{EmploymentOutcome, EmploymentOutcomeDraft};

impl Db {
    /// Imports employment outcomes in one transaction; `commit: false` is a dry run.
    pub async fn import_outcomes(
        &self,
        actor: &Actor,
        rows: &[ImportRow<EmploymentOutcomeDraft>],
        commit: bool,
    ) -> Result<ImportOutcome, ImportFailure> {
        let mut tx = self.write().await?;
        let mut outcome = ImportOutcome::default();
        for (index, row) in rows.iter().enumerate() {
            let written = async {
                let d = &row.draft;
                must_exist(&mut tx, "person_id", "people", d.person_id).await?;
                must_exist(
                    &mut tx,
                    "employer_institution_id",
                    "institutions",
                    d.employer_institution_id,
                )
                .await?;
                let same = |t: &EmploymentOutcome| t.draft == row.draft;
                upsert(
                    self,
                    &mut tx,
                    actor,
                    &OUTCOMES,
                    row.id,
                    same,
                    outcome_args(d),
                )
                .await
            }
            .await
            .map_err(|error| ImportFailure { index, error })?;
            outcome.count(written);
        }
        self.finish(tx, "employment_outcomes", commit).await?;
        Ok(outcome)
    }

    /// Every employment outcome, by id (the export).
    pub async fn all_outcomes(&self) -> StoreResult<Vec<EmploymentOutcome>> {
        let sql = format!(
            "SELECT {} FROM employment_outcomes ORDER BY id",
            crate::enterprise::OUTCOME_COLUMNS
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(crate::enterprise::outcome_from_row)
            .collect()
    }
}

//! Cooperation programme lines of university–enterprise agreements, and their roll-up per year.
//!
//! A line belongs to one agreement (deleted with it, audited); partner and enterprise contacts
//! reach the lines of agreements their institution is a party to (filtered in SQL through
//! `agreement_parties`).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::programme::{carries_lines, ProgrammeRollup};
use liaison_domain::{
    Action, FieldError, FieldErrors, Id, PageRequest, ProgrammeLine, ProgrammeLineDraft,
    ProgrammeLineKind, ProgrammeLineStatus, Role, Scope, Sort,
};

pub const PROGRAMME_LINE_SORTS: &[&str] = &["year", "kind", "status", "target", "updated_at"];

/// What the programme-line list may be narrowed by.
#[derive(Debug, Default, Clone)]
pub struct ProgrammeLineFilter {
    pub agreement_id: Option<Id>,
    /// Lines of agreements this institution is a party to.
    pub institution_id: Option<Id>,
    pub year: Option<i64>,
    pub kind: Option<ProgrammeLineKind>,
    pub status: Option<ProgrammeLineStatus>,
}

const COLUMNS: &str = "id, agreement_id, year, kind, description_en, description_zh, \
    description_local, owner_user_id, target, actual, status, version, created_at, updated_at";

pub(crate) const LINES: Table<ProgrammeLine> = Table {
    name: "programme_lines",
    entity: "programme_line",
    columns: COLUMNS,
    write_columns: &[
        "agreement_id",
        "year",
        "kind",
        "description_en",
        "description_zh",
        "description_local",
        "owner_user_id",
        "target",
        "actual",
        "status",
    ],
    from_row,
};

versioned!(ProgrammeLine);
has_id!(ProgrammeLine);

fn from_row(row: &AnyRow) -> StoreResult<ProgrammeLine> {
    Ok(ProgrammeLine {
        id: query::int(row, "id")?,
        draft: ProgrammeLineDraft {
            agreement_id: query::int(row, "agreement_id")?,
            year: query::int(row, "year")?,
            kind: query::parse_enum(row, "kind", ProgrammeLineKind::parse)?,
            description: query::localized(row, "description")?,
            owner_user_id: query::opt_int(row, "owner_user_id")?,
            target: query::int(row, "target")?,
            actual: query::int(row, "actual")?,
            status: query::parse_enum(row, "status", ProgrammeLineStatus::parse)?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn args(d: &ProgrammeLineDraft) -> Vec<Arg> {
    vec![
        Arg::Int(d.agreement_id),
        Arg::Int(d.year),
        Arg::Text(d.kind.as_str().into()),
        Arg::OptText(d.description.en.clone()),
        Arg::OptText(d.description.zh.clone()),
        Arg::OptText(d.description.local.clone()),
        Arg::OptInt(d.owner_user_id),
        Arg::Int(d.target),
        Arg::Int(d.actual),
        Arg::Text(d.status.as_str().into()),
    ]
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

fn conditions(scope: &Scope, filter: &ProgrammeLineFilter) -> Conditions {
    let mut c = Conditions::default();
    let by_party =
        "agreement_id IN (SELECT agreement_id FROM agreement_parties WHERE institution_id = ?)";
    match scope {
        Scope::All | Scope::Units(_) => {}
        Scope::Institution(own) => c.add(by_party, Arg::Int(*own)),
        Scope::Nothing => c.add("1 = ?", Arg::Int(0)),
    }
    if let Some(a) = filter.agreement_id {
        c.add("agreement_id = ?", Arg::Int(a));
    }
    if let Some(i) = filter.institution_id {
        c.add(by_party, Arg::Int(i));
    }
    if let Some(y) = filter.year {
        c.add("year = ?", Arg::Int(y));
    }
    if let Some(k) = filter.kind {
        c.add("kind = ?", Arg::Text(k.as_str().into()));
    }
    if let Some(s) = filter.status {
        c.add("status = ?", Arg::Text(s.as_str().into()));
    }
    c
}

/// The agreement must carry lines (a university–enterprise kind) and the owner must be an
/// office account that may edit agreements.
async fn check(db: &Db, tx: &mut Tx, d: &ProgrammeLineDraft) -> StoreResult<()> {
    let agreement = match crate::agreements::TABLE.lock(db, tx, d.agreement_id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Err(invalid("agreement_id", "not-found")),
        Err(e) => return Err(e),
    };
    if !carries_lines(agreement.draft.kind) {
        return Err(invalid("agreement_id", "not-enterprise-agreement"));
    }
    if let Some(owner) = d.owner_user_id {
        let row = sqlx::query("SELECT role FROM users WHERE id = $1")
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
        let role = match row {
            None => return Err(invalid("owner_user_id", "not-found")),
            Some(r) => Role::parse(&r.try_get::<String, _>(0)?),
        };
        if !role.is_some_and(|r| liaison_domain::access::allows(r, Action::EditAgreements)) {
            return Err(invalid("owner_user_id", "owner-not-staff"));
        }
    }
    Ok(())
}

/// Deletes the lines of an agreement being deleted (each audited).
pub(crate) async fn delete_lines_of(
    tx: &mut Tx,
    actor: &Actor,
    agreement_id: Id,
) -> StoreResult<()> {
    for line in LINES.all_where(tx, "agreement_id", agreement_id).await? {
        LINES.delete(tx, actor, &line).await?;
    }
    Ok(())
}

impl Db {
    /// One page of the programme lines `scope` reaches.
    pub async fn programme_lines(
        &self,
        scope: &Scope,
        filter: &ProgrammeLineFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<ProgrammeLine>> {
        query::page(
            &self.pool,
            "programme_lines",
            COLUMNS,
            &conditions(scope, filter),
            sort,
            page,
            from_row,
        )
        .await
    }

    /// Every line of one agreement, by year then kind.
    pub async fn agreement_programme_lines(
        &self,
        agreement_id: Id,
    ) -> StoreResult<Vec<ProgrammeLine>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM programme_lines WHERE agreement_id = $1 ORDER BY year DESC, kind, id"
        );
        let rows = sqlx::query(&sql)
            .bind(agreement_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn programme_line(&self, id: Id) -> StoreResult<ProgrammeLine> {
        LINES.get(&self.pool, id).await
    }

    pub async fn create_programme_line(
        &self,
        actor: &Actor,
        draft: &ProgrammeLineDraft,
    ) -> StoreResult<ProgrammeLine> {
        let mut tx = self.write().await?;
        check(self, &mut tx, draft).await?;
        let created = LINES.insert(&mut tx, actor, args(draft)).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a line (its agreement stays).
    pub async fn update_programme_line(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &ProgrammeLineDraft,
    ) -> StoreResult<ProgrammeLine> {
        let mut tx = self.write().await?;
        let before = LINES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        if before.draft.agreement_id != draft.agreement_id {
            return Err(invalid("agreement_id", "cannot-change"));
        }
        check(self, &mut tx, draft).await?;
        let after = LINES.update(&mut tx, actor, &before, args(draft)).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_programme_line(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = LINES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        LINES.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Targets and actuals added up per year and kind (newest year first) over the lines
    /// `scope` reaches, narrowed by `filter` (institution, year, kind, status).
    pub async fn programme_rollup(
        &self,
        scope: &Scope,
        filter: &ProgrammeLineFilter,
    ) -> StoreResult<Vec<ProgrammeRollup>> {
        let c = conditions(scope, filter);
        let sql = format!(
            "SELECT year, kind, COUNT(*) AS lines, CAST(SUM(target) AS BIGINT) AS target, \
             CAST(SUM(actual) AS BIGINT) AS actual, \
             CAST(SUM(CASE WHEN status = 'achieved' THEN 1 ELSE 0 END) AS BIGINT) AS achieved \
             FROM programme_lines{} GROUP BY year, kind ORDER BY year DESC, kind",
            c.where_sql()
        );
        let rows = query::bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ProgrammeRollup {
                    year: query::int(r, "year")?,
                    kind: query::parse_enum(r, "kind", ProgrammeLineKind::parse)?,
                    lines: query::int(r, "lines")?,
                    target: query::int(r, "target")?,
                    actual: query::int(r, "actual")?,
                    achieved: query::int(r, "achieved")?,
                })
            })
            .collect()
    }
}

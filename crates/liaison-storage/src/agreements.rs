//! Agreements with their parties, signatories, subject areas and cooperation conditions.
//!
//! The agreement row holds parties, signatories and subject areas as JSON (the record as read
//! and audited); `agreement_parties`, `agreement_signatories` and `agreement_subjects` index them
//! in the same transaction, so filters and the partner scope are plain SQL. Status changes go
//! through the domain state machine; a renewal creates the successor and marks the old record
//! `renewed` in one transaction.

use sqlx::any::AnyRow;
use sqlx::Row;
use time::Date;

use crate::outbox::OutgoingMail;
use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::agreement::{self, format_date, parse_date, Party};
use liaison_domain::{
    Agreement, AgreementDraft, AgreementKind, AgreementStatus, ConditionDraft,
    CooperationCondition, FieldError, FieldErrors, Id, PageRequest, Scope, Sort,
};

pub const AGREEMENT_SORTS: &[&str] = &[
    "title",
    "end_on",
    "start_on",
    "signed_on",
    "status",
    "kind",
    "created_at",
    "updated_at",
];

/// What the agreement list may be narrowed by.
#[derive(Debug, Default, Clone)]
pub struct AgreementFilter {
    pub q: Option<String>,
    pub status: Option<AgreementStatus>,
    pub kind: Option<AgreementKind>,
    /// Agreements this institution is a party to.
    pub institution_id: Option<Id>,
    /// In force (signed, active, expiring) and ending between `today` and `today + days`.
    pub expiring_within_days: Option<i64>,
    /// "Today" for `expiring_within_days` (the caller's clock; tests pass their own).
    pub today: Option<Date>,
}

const COLUMNS: &str = "id, kind, status, title_en, title_zh, title_local, summary_en, summary_zh, \
    summary_local, parties, signatories, subject_areas, signed_on, start_on, end_on, auto_renew, \
    iia_id, previous_id, owner_user_id, reminded_at, version, created_at, updated_at";

const WRITE_COLUMNS: &[&str] = &[
    "kind",
    "title_en",
    "title_zh",
    "title_local",
    "summary_en",
    "summary_zh",
    "summary_local",
    "parties",
    "signatories",
    "subject_areas",
    "signed_on",
    "start_on",
    "end_on",
    "auto_renew",
    "iia_id",
    "owner_user_id",
    "search_text",
    "sort_name",
    // Not part of the draft: written as given by the operation (create, status, renew).
    "status",
    "previous_id",
    "reminded_at",
];

pub(crate) const TABLE: Table<Agreement> = Table {
    name: "agreements",
    entity: "agreement",
    columns: COLUMNS,
    write_columns: WRITE_COLUMNS,
    from_row,
};

versioned!(Agreement, CooperationCondition);
has_id!(Agreement, CooperationCondition);

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

fn opt_date(row: &AnyRow, column: &str) -> StoreResult<Option<Date>> {
    match query::opt_text(row, column)? {
        None => Ok(None),
        Some(s) => parse_date(&s).map(Some).ok_or_else(|| corrupt(column, s)),
    }
}

fn from_row(row: &AnyRow) -> StoreResult<Agreement> {
    let parties: Vec<Party> =
        serde_json::from_str(&query::text(row, "parties")?).map_err(|e| corrupt("parties", e))?;
    let signatories: Vec<Id> = serde_json::from_str(&query::text(row, "signatories")?)
        .map_err(|e| corrupt("signatories", e))?;
    Ok(Agreement {
        id: query::int(row, "id")?,
        status: query::parse_enum(row, "status", AgreementStatus::parse)?,
        draft: AgreementDraft {
            kind: query::parse_enum(row, "kind", AgreementKind::parse)?,
            title: query::localized(row, "title")?,
            summary: query::localized(row, "summary")?,
            parties,
            signatories,
            subject_areas: query::json_list(row, "subject_areas")?,
            signed_on: opt_date(row, "signed_on")?,
            start_on: opt_date(row, "start_on")?,
            end_on: opt_date(row, "end_on")?,
            auto_renew: query::int(row, "auto_renew")? != 0,
            iia_id: query::opt_text(row, "iia_id")?,
            owner_user_id: query::opt_int(row, "owner_user_id")?,
        },
        previous_id: query::opt_int(row, "previous_id")?,
        reminded_at: query::opt_text(row, "reminded_at")?,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn write_args(
    d: &AgreementDraft,
    status: AgreementStatus,
    previous_id: Option<Id>,
    reminded_at: Option<String>,
) -> Vec<Arg> {
    let json = |v: &dyn erased::Json| Arg::Text(v.json());
    let date = |d: Option<Date>| Arg::OptText(d.map(format_date));
    vec![
        Arg::Text(d.kind.as_str().into()),
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::OptText(d.summary.en.clone()),
        Arg::OptText(d.summary.zh.clone()),
        Arg::OptText(d.summary.local.clone()),
        json(&d.parties),
        json(&d.signatories),
        json(&d.subject_areas),
        date(d.signed_on),
        date(d.start_on),
        date(d.end_on),
        Arg::Int(i64::from(d.auto_renew)),
        Arg::OptText(d.iia_id.clone()),
        Arg::OptInt(d.owner_user_id),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.title)),
        Arg::Text(status.as_str().into()),
        Arg::OptInt(previous_id),
        Arg::OptText(reminded_at),
    ]
}

mod erased {
    /// Serialises the JSON columns.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("agreement lists serialise")
        }
    }
}

fn invalid(field: impl Into<String>, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

/// Checks that parties, units, signatories and the owner exist (and units belong to their party).
pub(crate) async fn check_references(tx: &mut Tx, d: &AgreementDraft) -> StoreResult<()> {
    let mut errors = FieldErrors::default();
    for (i, p) in d.parties.iter().enumerate() {
        let found = sqlx::query("SELECT id FROM institutions WHERE id = $1")
            .bind(p.institution_id)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            errors.push(format!("parties.{i}.institution_id"), "not-found");
        }
        if let Some(unit) = p.org_unit_id {
            let row = sqlx::query("SELECT institution_id FROM org_units WHERE id = $1")
                .bind(unit)
                .fetch_optional(&mut **tx)
                .await?;
            match row {
                None => errors.push(format!("parties.{i}.org_unit_id"), "not-found"),
                Some(r) if r.try_get::<i64, _>(0)? != p.institution_id => {
                    errors.push(format!("parties.{i}.org_unit_id"), "wrong-institution")
                }
                Some(_) => {}
            }
        }
    }
    for (i, person) in d.signatories.iter().enumerate() {
        let found = sqlx::query("SELECT id FROM people WHERE id = $1")
            .bind(*person)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            errors.push(format!("signatories.{i}"), "not-found");
        }
    }
    if let Some(owner) = d.owner_user_id {
        let found = sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            errors.push("owner_user_id", "not-found");
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// Rewrites the index tables of one agreement.
pub(crate) async fn write_index(tx: &mut Tx, a: &Agreement) -> StoreResult<()> {
    for table in [
        "agreement_parties",
        "agreement_signatories",
        "agreement_subjects",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE agreement_id = $1"))
            .bind(a.id)
            .execute(&mut **tx)
            .await?;
    }
    for (i, p) in a.draft.parties.iter().enumerate() {
        sqlx::query(
            "INSERT INTO agreement_parties (agreement_id, position, institution_id, org_unit_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(a.id)
        .bind(i as i64)
        .bind(p.institution_id)
        .bind(p.org_unit_id)
        .execute(&mut **tx)
        .await?;
    }
    for (i, person) in a.draft.signatories.iter().enumerate() {
        sqlx::query(
            "INSERT INTO agreement_signatories (agreement_id, position, person_id) VALUES ($1, $2, $3)",
        )
        .bind(a.id)
        .bind(i as i64)
        .bind(*person)
        .execute(&mut **tx)
        .await?;
    }
    for (i, code) in a.draft.subject_areas.iter().enumerate() {
        sqlx::query(
            "INSERT INTO agreement_subjects (agreement_id, position, isced_code) VALUES ($1, $2, $3)",
        )
        .bind(a.id)
        .bind(i as i64)
        .bind(code.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Whether `scope` reaches an agreement: office roles and coordinators see all, partner and
/// enterprise contacts those their institution is a party to.
pub fn agreement_visible(scope: &Scope, a: &Agreement) -> bool {
    match scope {
        Scope::All | Scope::Units(_) => true,
        Scope::Institution(own) => a.draft.institution_ids().any(|i| i == *own),
        Scope::Nothing => false,
    }
}

fn filter_conditions(db: &Db, scope: &Scope, filter: &AgreementFilter) -> Conditions {
    let mut c = Conditions::default();
    c.search(db, "agreements", filter.q.as_deref());
    match scope {
        Scope::All | Scope::Units(_) => {}
        Scope::Institution(own) => c.add(
            "id IN (SELECT agreement_id FROM agreement_parties WHERE institution_id = ?)",
            Arg::Int(*own),
        ),
        Scope::Nothing => c.add("1 = ?", Arg::Int(0)),
    }
    if let Some(s) = filter.status {
        c.add("status = ?", Arg::Text(s.as_str().into()));
    }
    if let Some(k) = filter.kind {
        c.add("kind = ?", Arg::Text(k.as_str().into()));
    }
    if let Some(i) = filter.institution_id {
        c.add(
            "id IN (SELECT agreement_id FROM agreement_parties WHERE institution_id = ?)",
            Arg::Int(i),
        );
    }
    if let Some(days) = filter.expiring_within_days {
        let today = filter.today.unwrap_or_else(today);
        let until = today.saturating_add(time::Duration::days(days.clamp(0, 36_500)));
        c.add(
            "status IN ('signed', 'active', 'expiring') AND end_on >= ?",
            Arg::Text(format_date(today)),
        );
        c.add("end_on <= ?", Arg::Text(format_date(until)));
    }
    c
}

/// Today's date (UTC).
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

fn sort_sql(sort: &Sort) -> String {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    match sort.field {
        "title" => format!("sort_name {dir}, id {dir}"),
        // Missing dates last in either direction, on both engines.
        f @ ("end_on" | "start_on" | "signed_on") => {
            format!("({f} IS NULL) ASC, {f} {dir}, id {dir}")
        }
        f => format!("{f} {dir}, id {dir}"),
    }
}

impl Db {
    /// One page of the agreements `scope` reaches, filtered, searched and sorted in SQL.
    pub async fn agreements(
        &self,
        scope: &Scope,
        filter: &AgreementFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Agreement>> {
        let c = filter_conditions(self, scope, filter);
        let where_sql = c.where_sql();
        let total: i64 = query::bind_all(
            sqlx::query(&format!("SELECT COUNT(*) FROM agreements{where_sql}")),
            &c.args,
        )
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        let n = c.args.len();
        // `sort.field` comes from AGREEMENT_SORTS (Sort::parse), never from the request verbatim.
        let sql = format!(
            "SELECT {COLUMNS} FROM agreements{where_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
            sort_sql(sort),
            n + 1,
            n + 2
        );
        let rows = query::bind_all(sqlx::query(&sql), &c.args)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.pool)
            .await?;
        let items = rows.iter().map(from_row).collect::<StoreResult<_>>()?;
        Ok(Page { items, total })
    }

    pub async fn agreement(&self, id: Id) -> StoreResult<Agreement> {
        TABLE.get(&self.pool, id).await
    }

    /// Creates an agreement in `status` (new ones are drafts; recording an existing agreement
    /// may start later in the lifecycle, but never as `renewed`).
    pub async fn create_agreement(
        &self,
        actor: &Actor,
        draft: &AgreementDraft,
        status: AgreementStatus,
    ) -> StoreResult<Agreement> {
        if status == AgreementStatus::Renewed {
            return Err(invalid("status", "invalid-choice"));
        }
        let mut tx = self.write().await?;
        check_references(&mut tx, draft).await?;
        let created = TABLE
            .insert(&mut tx, actor, write_args(draft, status, None, None))
            .await?;
        write_index(&mut tx, &created).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Creates many agreements (with their conditions) in one transaction, audited one by one;
    /// for the demo data and imports. Returns the new ids in order.
    pub async fn create_agreements(
        &self,
        actor: &Actor,
        items: &[(AgreementDraft, AgreementStatus, Vec<ConditionDraft>)],
    ) -> StoreResult<Vec<Id>> {
        let mut tx = self.write().await?;
        let mut ids = Vec::with_capacity(items.len());
        for (draft, status, conditions) in items {
            check_references(&mut tx, draft).await?;
            let created = TABLE
                .insert(&mut tx, actor, write_args(draft, *status, None, None))
                .await?;
            write_index(&mut tx, &created).await?;
            for c in conditions {
                check_condition_parties(draft, c)?;
                CONDITIONS
                    .insert(&mut tx, actor, condition_args(created.id, c))
                    .await?;
            }
            ids.push(created.id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn update_agreement(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &AgreementDraft,
    ) -> StoreResult<Agreement> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        check_references(&mut tx, draft).await?;
        check_conditions_still_fit(&mut tx, id, draft).await?;
        // A new end date means a new reminder.
        let reminded = if before.draft.end_on == draft.end_on {
            before.reminded_at.clone()
        } else {
            None
        };
        let after = TABLE
            .update(
                &mut tx,
                actor,
                &before,
                write_args(draft, before.status, before.previous_id, reminded),
            )
            .await?;
        write_index(&mut tx, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an agreement with its conditions. Refused while a renewal points at it.
    pub async fn delete_agreement(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<Vec<crate::Document>> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let successor = sqlx::query("SELECT id FROM agreements WHERE previous_id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if successor.is_some() {
            return Err(StoreError::HasDependents("agreement"));
        }
        for c in CONDITIONS.all_where(&mut tx, "agreement_id", id).await? {
            CONDITIONS.delete(&mut tx, actor, &c).await?;
        }
        crate::programme::delete_lines_of(&mut tx, actor, id).await?;
        let documents =
            crate::documents::delete_all_of(&mut tx, actor, crate::OwnerKind::Agreement, id)
                .await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(documents)
    }

    /// Moves an agreement along its lifecycle. An illegal change is `Invalid` on `status`
    /// (`invalid-transition`) and changes nothing; `renewed` is reached by [`Db::renew_agreement`].
    pub async fn set_agreement_status(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        to: AgreementStatus,
    ) -> StoreResult<Agreement> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        if to == AgreementStatus::Renewed || agreement::transition(before.status, to).is_err() {
            return Err(invalid("status", "status-not-allowed"));
        }
        let after = TABLE
            .update(
                &mut tx,
                actor,
                &before,
                write_args(
                    &before.draft,
                    to,
                    before.previous_id,
                    before.reminded_at.clone(),
                ),
            )
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Renews an agreement: a new draft record (the same parties, signatories, subjects and
    /// conditions; dates from `draft`) linked to the old one through `previous_id`, and the old
    /// one marked `renewed`, in one transaction.
    pub async fn renew_agreement(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &AgreementDraft,
    ) -> StoreResult<Agreement> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        if agreement::transition(before.status, AgreementStatus::Renewed).is_err() {
            return Err(invalid("status", "status-not-allowed"));
        }
        check_references(&mut tx, draft).await?;
        TABLE
            .update(
                &mut tx,
                actor,
                &before,
                write_args(
                    &before.draft,
                    AgreementStatus::Renewed,
                    before.previous_id,
                    before.reminded_at.clone(),
                ),
            )
            .await?;
        let created = TABLE
            .insert(
                &mut tx,
                actor,
                write_args(draft, AgreementStatus::Draft, Some(id), None),
            )
            .await?;
        write_index(&mut tx, &created).await?;
        let mut conditions = CONDITIONS.all_where(&mut tx, "agreement_id", id).await?;
        conditions.reverse();
        let parties: Vec<Id> = draft.institution_ids().collect();
        for c in conditions {
            let fits = [
                c.draft.sending_institution_id,
                c.draft.receiving_institution_id,
            ]
            .into_iter()
            .flatten()
            .all(|i| parties.contains(&i));
            if fits {
                CONDITIONS
                    .insert(&mut tx, actor, condition_args(created.id, &c.draft))
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(created)
    }

    /// The renewal chain an agreement belongs to, oldest first.
    pub async fn agreement_history(&self, id: Id) -> StoreResult<Vec<Agreement>> {
        let start = self.agreement(id).await?;
        let mut older = Vec::new();
        let mut cursor = start.previous_id;
        while let Some(prev) = cursor {
            if older.len() > 100 {
                break;
            }
            match self.agreement(prev).await {
                Ok(a) => {
                    cursor = a.previous_id;
                    older.push(a);
                }
                Err(StoreError::NotFound) => break,
                Err(e) => return Err(e),
            }
        }
        older.reverse();
        let mut chain = older;
        let mut cursor = start.id;
        chain.push(start);
        for _ in 0..100 {
            let sql =
                format!("SELECT {COLUMNS} FROM agreements WHERE previous_id = $1 ORDER BY id");
            let row = sqlx::query(&sql)
                .bind(cursor)
                .fetch_optional(&self.pool)
                .await?;
            match row {
                Some(row) => {
                    let next = from_row(&row)?;
                    cursor = next.id;
                    chain.push(next);
                }
                None => break,
            }
        }
        Ok(chain)
    }

    /// Queues one reminder per owner for in-force agreements ending within `days` of `today`
    /// that have not been reminded of yet, and records `reminded_at` (no audit entry: it is
    /// bookkeeping, not an edit). `render` writes the e-mail for an owner (id, e-mail,
    /// preferred language, display name) and their agreements. Returns the number of mails.
    pub async fn enqueue_agreement_reminders(
        &self,
        today: Date,
        days: i64,
        render: impl Fn(&ReminderOwner, &[Agreement]) -> OutgoingMail,
    ) -> StoreResult<usize> {
        let mut tx = self.write().await?;
        let until = today.saturating_add(time::Duration::days(days.clamp(0, 36_500)));
        let sql = format!(
            "SELECT {COLUMNS} FROM agreements WHERE status IN ('signed', 'active', 'expiring') \
             AND end_on >= $1 AND end_on <= $2 AND owner_user_id IS NOT NULL \
             AND reminded_at IS NULL ORDER BY owner_user_id, end_on, id"
        );
        let rows = sqlx::query(&sql)
            .bind(format_date(today))
            .bind(format_date(until))
            .fetch_all(&mut *tx)
            .await?;
        let due = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
        let mut sent = 0;
        let now = crate::now();
        let mut i = 0;
        while i < due.len() {
            let owner_id = due[i].draft.owner_user_id.expect("filtered");
            let j = due[i..]
                .iter()
                .position(|a| a.draft.owner_user_id != Some(owner_id))
                .map_or(due.len(), |k| i + k);
            let group = &due[i..j];
            i = j;
            let owner = sqlx::query(
                "SELECT id, email, preferred_lang, display_name FROM users WHERE id = $1 AND disabled = 0",
            )
            .bind(owner_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = owner {
                let owner = ReminderOwner {
                    id: row.try_get(0)?,
                    email: row.try_get(1)?,
                    preferred_lang: row.try_get(2)?,
                    display_name: row.try_get(3)?,
                };
                crate::outbox::enqueue(&mut tx, &render(&owner, group)).await?;
                sent += 1;
            }
            for a in group {
                sqlx::query("UPDATE agreements SET reminded_at = $1 WHERE id = $2")
                    .bind(now.clone())
                    .bind(a.id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(sent)
    }

    // --- cooperation conditions ---

    pub async fn agreement_conditions(
        &self,
        agreement_id: Id,
    ) -> StoreResult<Vec<CooperationCondition>> {
        let sql = format!(
            "SELECT {CONDITION_COLUMNS} FROM cooperation_conditions WHERE agreement_id = $1 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(agreement_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(condition_from_row).collect()
    }

    /// A condition of an agreement (`NotFound` if it belongs to another one).
    pub async fn agreement_condition(
        &self,
        agreement_id: Id,
        id: Id,
    ) -> StoreResult<CooperationCondition> {
        let c = CONDITIONS.get(&self.pool, id).await?;
        if c.agreement_id != agreement_id {
            return Err(StoreError::NotFound);
        }
        Ok(c)
    }

    pub async fn create_condition(
        &self,
        actor: &Actor,
        agreement_id: Id,
        draft: &ConditionDraft,
    ) -> StoreResult<CooperationCondition> {
        let mut tx = self.write().await?;
        let parent = TABLE.lock(self, &mut tx, agreement_id).await?;
        check_condition_parties(&parent.draft, draft)?;
        let created = CONDITIONS
            .insert(&mut tx, actor, condition_args(agreement_id, draft))
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_condition(
        &self,
        actor: &Actor,
        agreement_id: Id,
        id: Id,
        expected_version: i64,
        draft: &ConditionDraft,
    ) -> StoreResult<CooperationCondition> {
        let mut tx = self.write().await?;
        let parent = TABLE.lock(self, &mut tx, agreement_id).await?;
        let before = CONDITIONS.lock(self, &mut tx, id).await?;
        if before.agreement_id != agreement_id {
            return Err(StoreError::NotFound);
        }
        if before.version != expected_version {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        check_condition_parties(&parent.draft, draft)?;
        let after = CONDITIONS
            .update(&mut tx, actor, &before, condition_args(agreement_id, draft))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_condition(
        &self,
        actor: &Actor,
        agreement_id: Id,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = CONDITIONS.lock(self, &mut tx, id).await?;
        if before.agreement_id != agreement_id {
            return Err(StoreError::NotFound);
        }
        if before.version != expected_version {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        CONDITIONS.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many agreements an institution is party to (the institution delete check).
    pub async fn institution_agreement_count(&self, institution_id: Id) -> StoreResult<i64> {
        crate::table::count_where(
            &self.pool,
            "agreement_parties",
            "institution_id",
            institution_id,
        )
        .await
    }
}

/// The account an expiry reminder goes to.
#[derive(Debug, Clone)]
pub struct ReminderOwner {
    pub id: Id,
    pub email: String,
    pub preferred_lang: Option<String>,
    pub display_name: Option<String>,
}

pub(crate) fn check_condition_parties(
    parent: &AgreementDraft,
    c: &ConditionDraft,
) -> StoreResult<()> {
    let mut errors = FieldErrors::default();
    for (field, value) in [
        ("sending_institution_id", c.sending_institution_id),
        ("receiving_institution_id", c.receiving_institution_id),
    ] {
        if let Some(i) = value {
            if !parent.institution_ids().any(|p| p == i) {
                errors.push(field, "not-party");
            }
        }
    }
    errors.into_result(()).map_err(StoreError::Invalid)
}

/// An edit must not drop a party that a condition sends or receives through.
pub(crate) async fn check_conditions_still_fit(
    tx: &mut Tx,
    id: Id,
    d: &AgreementDraft,
) -> StoreResult<()> {
    for c in CONDITIONS.all_where(tx, "agreement_id", id).await? {
        for i in [
            c.draft.sending_institution_id,
            c.draft.receiving_institution_id,
        ]
        .into_iter()
        .flatten()
        {
            if !d.institution_ids().any(|p| p == i) {
                return Err(invalid("parties", "used-by-condition"));
            }
        }
    }
    Ok(())
}

const CONDITION_COLUMNS: &str = "id, agreement_id, mobility_type, direction, \
    sending_institution_id, receiving_institution_id, first_year, last_year, places_per_year, \
    months_per_place, days_per_place, study_level, subject_areas, language, language_level, \
    notes, version, created_at, updated_at";

pub(crate) const CONDITIONS: Table<CooperationCondition> = Table {
    name: "cooperation_conditions",
    entity: "cooperation_condition",
    columns: CONDITION_COLUMNS,
    write_columns: &[
        "agreement_id",
        "mobility_type",
        "direction",
        "sending_institution_id",
        "receiving_institution_id",
        "first_year",
        "last_year",
        "places_per_year",
        "months_per_place",
        "days_per_place",
        "study_level",
        "subject_areas",
        "language",
        "language_level",
        "notes",
    ],
    from_row: condition_from_row,
};

fn condition_from_row(row: &AnyRow) -> StoreResult<CooperationCondition> {
    use liaison_domain::agreement::{CefrLevel, Direction, MobilityType, StudyLevel};
    let opt_enum = |column: &str, parse: fn(&str) -> Option<_>| -> StoreResult<Option<_>> {
        match query::opt_text(row, column)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| corrupt(column, s)),
        }
    };
    let direction = match query::opt_text(row, "direction")? {
        None => None,
        Some(s) => Some(Direction::parse(&s).ok_or_else(|| corrupt("direction", s))?),
    };
    let study_level: Option<StudyLevel> = opt_enum("study_level", StudyLevel::parse)?;
    let language_level = match query::opt_text(row, "language_level")? {
        None => None,
        Some(s) => Some(CefrLevel::parse(&s).ok_or_else(|| corrupt("language_level", s))?),
    };
    Ok(CooperationCondition {
        id: query::int(row, "id")?,
        agreement_id: query::int(row, "agreement_id")?,
        draft: ConditionDraft {
            mobility_type: query::parse_enum(row, "mobility_type", MobilityType::parse)?,
            direction,
            sending_institution_id: query::opt_int(row, "sending_institution_id")?,
            receiving_institution_id: query::opt_int(row, "receiving_institution_id")?,
            first_year: query::opt_text(row, "first_year")?,
            last_year: query::opt_text(row, "last_year")?,
            places_per_year: query::int(row, "places_per_year")?,
            months_per_place: query::opt_float(row, "months_per_place")?,
            days_per_place: query::opt_int(row, "days_per_place")?,
            study_level,
            subject_areas: query::json_list(row, "subject_areas")?,
            language: query::opt_text(row, "language")?,
            language_level,
            notes: query::opt_text(row, "notes")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn condition_args(agreement_id: Id, d: &ConditionDraft) -> Vec<Arg> {
    vec![
        Arg::Int(agreement_id),
        Arg::Text(d.mobility_type.as_str().into()),
        Arg::OptText(d.direction.map(|x| x.as_str().to_string())),
        Arg::OptInt(d.sending_institution_id),
        Arg::OptInt(d.receiving_institution_id),
        Arg::OptText(d.first_year.clone()),
        Arg::OptText(d.last_year.clone()),
        Arg::Int(d.places_per_year),
        Arg::OptFloat(d.months_per_place),
        Arg::OptInt(d.days_per_place),
        Arg::OptText(d.study_level.map(|x| x.as_str().to_string())),
        Arg::Text(serde_json::to_string(&d.subject_areas).expect("codes serialise")),
        Arg::OptText(d.language.clone()),
        Arg::OptText(d.language_level.map(|x| x.as_str().to_string())),
        Arg::OptText(d.notes.clone()),
    ]
}

//! Mobility records (issue 7, "whole-process service"): list (C6 filters, paging, sorting,
//! search), read, create, update with optimistic versions, status changes through the domain's
//! state machine, delete; every change audited. Who reaches which record is a [`MobilityReach`],
//! applied in SQL for lists and with [`mobility_visible`] for single records.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::Row;
use time::Date;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, OwnerKind, Page, StoreError, StoreResult};
use liaison_domain::agreement::{MobilityType, StudyLevel};
use liaison_domain::event::iso_date;
use liaison_domain::exchange::ApplicationStatus;
use liaison_domain::mobility::{self, MobilityDirection, MobilityStatus};
use liaison_domain::{
    FieldError, FieldErrors, Id, LocalizedText, Mobility, MobilityDraft, PageRequest, PersonDraft,
    Sort,
};

pub const MOBILITY_SORTS: &[&str] = &[
    "start_on",
    "end_on",
    "status",
    "academic_year",
    "updated_at",
    "created_at",
];

/// Which mobility records a caller reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MobilityReach {
    /// Office staff: every record.
    All,
    /// A coordinator: the stays their units (and sub-units) look after.
    Units(Vec<Id>),
    /// A partner contact: stays from or at their institution.
    Institution(Id),
    /// A student (or any account linked to a person): their own stays.
    Person(Id),
    Nothing,
}

impl MobilityReach {
    pub fn covers(&self, d: &MobilityDraft) -> bool {
        match self {
            MobilityReach::All => true,
            MobilityReach::Units(units) => d.org_unit_id.is_some_and(|u| units.contains(&u)),
            MobilityReach::Institution(i) => {
                d.home_institution_id == *i || d.host_institution_id == *i
            }
            MobilityReach::Person(p) => d.person_id == *p,
            MobilityReach::Nothing => false,
        }
    }

    pub(crate) fn narrow(&self, c: &mut Conditions) {
        match self {
            MobilityReach::All => {}
            MobilityReach::Units(units) => c.add_in("org_unit_id", units),
            MobilityReach::Institution(i) => {
                c.args.push(Arg::Int(*i));
                let n = c.args.len();
                c.raw(&format!(
                    "(home_institution_id = ${n} OR host_institution_id = ${n})"
                ));
            }
            MobilityReach::Person(p) => c.add("person_id = ?", Arg::Int(*p)),
            MobilityReach::Nothing => c.raw("1 = 0"),
        }
    }
}

/// Whether `reach` reaches the record (else it answers 404).
pub fn mobility_visible(reach: &MobilityReach, m: &Mobility) -> bool {
    reach.covers(&m.draft)
}

#[derive(Debug, Default, Clone)]
pub struct MobilityFilter {
    pub q: Option<String>,
    pub direction: Option<MobilityDirection>,
    pub mobility_type: Option<MobilityType>,
    pub status: Option<MobilityStatus>,
    pub level: Option<StudyLevel>,
    pub academic_year: Option<String>,
    /// Stays starting in this calendar year.
    pub year: Option<i32>,
    /// Home or host.
    pub institution_id: Option<Id>,
    pub org_unit_id: Option<Id>,
    pub person_id: Option<Id>,
    pub agreement_id: Option<Id>,
    /// Stays under way on this day: begun (abroad, returned, recognised), started on or before
    /// it, and ended on or after it (or still abroad with no return recorded).
    pub abroad_on: Option<Date>,
    /// Any of these statuses (pages: "arriving this month" and the like).
    pub statuses: Vec<MobilityStatus>,
    /// Starting (`start_on`) within these days, both included.
    pub starts_in: Option<(Date, Date)>,
    /// Ending (`end_on`) within these days, both included.
    pub ends_in: Option<(Date, Date)>,
}

/// A mobility to store in bulk, with a new person record for it if `person` is given.
#[derive(Debug, Clone)]
pub struct NewMobility {
    pub person: Option<PersonDraft>,
    pub draft: MobilityDraft,
    pub status: MobilityStatus,
}

const COLUMNS: &str = "id, person_id, direction, mobility_type, level, home_institution_id, \
    host_institution_id, org_unit_id, agreement_id, condition_id, academic_year, planned_start, \
    planned_end, actual_start, actual_end, status, arrival_confirmed_at, return_confirmed_at, \
    emergency_contact_name, emergency_contact_phone, emergency_contact_relation, notes, \
    application_id, version, created_at, updated_at";

const WRITE: &[&str] = &[
    "person_id",
    "direction",
    "mobility_type",
    "level",
    "home_institution_id",
    "host_institution_id",
    "org_unit_id",
    "agreement_id",
    "condition_id",
    "academic_year",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "start_on",
    "end_on",
    "status",
    "arrival_confirmed_at",
    "return_confirmed_at",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relation",
    "notes",
    "search_text",
    "application_id",
];

pub(crate) const TABLE: Table<Mobility> = Table {
    name: "mobilities",
    entity: "mobility",
    columns: COLUMNS,
    write_columns: WRITE,
    from_row,
};

versioned!(Mobility);
has_id!(Mobility);

fn corrupt(column: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("{column} = {raw:?}"))
}

fn date(row: &AnyRow, column: &str) -> StoreResult<Date> {
    let raw = query::text(row, column)?;
    iso_date::parse(&raw).ok_or_else(|| corrupt(column, &raw))
}

fn opt_date(row: &AnyRow, column: &str) -> StoreResult<Option<Date>> {
    match query::opt_text(row, column)? {
        None => Ok(None),
        Some(raw) => Ok(Some(
            iso_date::parse(&raw).ok_or_else(|| corrupt(column, &raw))?,
        )),
    }
}

fn from_row(row: &AnyRow) -> StoreResult<Mobility> {
    let level = match query::opt_text(row, "level")? {
        None => None,
        Some(raw) => Some(StudyLevel::parse(&raw).ok_or_else(|| corrupt("level", &raw))?),
    };
    Ok(Mobility {
        id: query::int(row, "id")?,
        draft: MobilityDraft {
            person_id: query::int(row, "person_id")?,
            direction: query::parse_enum(row, "direction", MobilityDirection::parse)?,
            mobility_type: query::parse_enum(row, "mobility_type", MobilityType::parse)?,
            level,
            home_institution_id: query::int(row, "home_institution_id")?,
            host_institution_id: query::int(row, "host_institution_id")?,
            org_unit_id: query::opt_int(row, "org_unit_id")?,
            agreement_id: query::opt_int(row, "agreement_id")?,
            condition_id: query::opt_int(row, "condition_id")?,
            academic_year: query::text(row, "academic_year")?,
            planned_start: date(row, "planned_start")?,
            planned_end: date(row, "planned_end")?,
            actual_start: opt_date(row, "actual_start")?,
            actual_end: opt_date(row, "actual_end")?,
            emergency_contact_name: query::opt_text(row, "emergency_contact_name")?,
            emergency_contact_phone: query::opt_text(row, "emergency_contact_phone")?,
            emergency_contact_relation: query::opt_text(row, "emergency_contact_relation")?,
            notes: query::opt_text(row, "notes")?,
        },
        status: query::parse_enum(row, "status", MobilityStatus::parse)?,
        arrival_confirmed_at: query::opt_text(row, "arrival_confirmed_at")?,
        return_confirmed_at: query::opt_text(row, "return_confirmed_at")?,
        application_id: query::opt_int(row, "application_id")?,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

/// The confirmations a record in `status` carries: kept if already set, else now (or, for
/// records loaded in bulk, the day itself).
pub(crate) struct Confirmations {
    pub arrival: Option<String>,
    pub ret: Option<String>,
    /// The application the stay was nominated from (kept like the confirmations).
    pub application: Option<Id>,
}

pub(crate) fn args(
    d: &MobilityDraft,
    status: MobilityStatus,
    c: &Confirmations,
    search: String,
) -> Vec<Arg> {
    vec![
        Arg::Int(d.person_id),
        Arg::Text(d.direction.as_str().into()),
        Arg::Text(d.mobility_type.as_str().into()),
        Arg::OptText(d.level.map(|l| l.as_str().to_string())),
        Arg::Int(d.home_institution_id),
        Arg::Int(d.host_institution_id),
        Arg::OptInt(d.org_unit_id),
        Arg::OptInt(d.agreement_id),
        Arg::OptInt(d.condition_id),
        Arg::Text(d.academic_year.clone()),
        Arg::Text(iso_date::format(d.planned_start)),
        Arg::Text(iso_date::format(d.planned_end)),
        Arg::OptText(d.actual_start.map(iso_date::format)),
        Arg::OptText(d.actual_end.map(iso_date::format)),
        Arg::Text(iso_date::format(d.start_on())),
        Arg::Text(iso_date::format(d.end_on())),
        Arg::Text(status.as_str().into()),
        Arg::OptText(c.arrival.clone()),
        Arg::OptText(c.ret.clone()),
        Arg::OptText(d.emergency_contact_name.clone()),
        Arg::OptText(d.emergency_contact_phone.clone()),
        Arg::OptText(d.emergency_contact_relation.clone()),
        Arg::OptText(d.notes.clone()),
        Arg::Text(search),
        Arg::OptInt(c.application),
    ]
}

fn search_text(person: &LocalizedText, home: &LocalizedText, host: &LocalizedText) -> String {
    let parts: Vec<&str> = person.all().chain(home.all()).chain(host.all()).collect();
    liaison_domain::search::normalize(&parts.join("\u{1f}"))
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

async fn name_of(tx: &mut Tx, table: &str, field: &str, id: Id) -> StoreResult<LocalizedText> {
    let sql = format!("SELECT name_en, name_zh, name_local FROM {table} WHERE id = $1");
    match sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await? {
        Some(row) => query::localized(&row, "name"),
        None => Err(invalid(field, "not-found")),
    }
}

/// Checks that every referenced record exists and fits (the unit belongs to home or host, the
/// condition to the agreement); returns the search text.
pub(crate) async fn check_references(tx: &mut Tx, d: &MobilityDraft) -> StoreResult<String> {
    let person = name_of(tx, "people", "person_id", d.person_id).await?;
    let home = name_of(
        tx,
        "institutions",
        "home_institution_id",
        d.home_institution_id,
    )
    .await?;
    let host = name_of(
        tx,
        "institutions",
        "host_institution_id",
        d.host_institution_id,
    )
    .await?;
    if let Some(unit) = d.org_unit_id {
        let row = sqlx::query("SELECT institution_id FROM org_units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| invalid("org_unit_id", "not-found"))?;
        let institution: i64 = row.try_get(0)?;
        if institution != d.home_institution_id && institution != d.host_institution_id {
            return Err(invalid("org_unit_id", "wrong-institution"));
        }
    }
    if let Some(agreement) = d.agreement_id {
        if sqlx::query("SELECT id FROM agreements WHERE id = $1")
            .bind(agreement)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
        {
            return Err(invalid("agreement_id", "not-found"));
        }
        if let Some(condition) = d.condition_id {
            if sqlx::query(
                "SELECT id FROM cooperation_conditions WHERE id = $1 AND agreement_id = $2",
            )
            .bind(condition)
            .bind(agreement)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
            {
                return Err(invalid("condition_id", "not-found"));
            }
        }
    }
    Ok(search_text(&person, &home, &host))
}

/// Refuses to delete a person or institution that mobility records name (they are the
/// office's history, not contact data).
pub(crate) async fn refuse_if_used(tx: &mut Tx, column: &str, id: Id) -> StoreResult<()> {
    let sql = format!("SELECT id FROM mobilities WHERE {column} = $1 LIMIT 1");
    if sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some()
    {
        return Err(StoreError::HasDependents("mobility"));
    }
    Ok(())
}

fn day_stamp(d: Date) -> String {
    format!("{}T09:00:00.000000Z", iso_date::format(d))
}

impl Db {
    pub async fn mobilities(
        &self,
        reach: &MobilityReach,
        filter: &MobilityFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Mobility>> {
        let mut c = Conditions::default();
        reach.narrow(&mut c);
        c.search(self, "mobilities", filter.q.as_deref());
        if let Some(v) = filter.direction {
            c.add("direction = ?", Arg::Text(v.as_str().into()));
        }
        if let Some(v) = filter.mobility_type {
            c.add("mobility_type = ?", Arg::Text(v.as_str().into()));
        }
        if let Some(v) = filter.status {
            c.add("status = ?", Arg::Text(v.as_str().into()));
        }
        if let Some(v) = filter.level {
            c.add("level = ?", Arg::Text(v.as_str().into()));
        }
        if let Some(v) = &filter.academic_year {
            c.add("academic_year = ?", Arg::Text(v.clone()));
        }
        if let Some(y) = filter.year {
            c.add("start_on >= ?", Arg::Text(format!("{y:04}-01-01")));
            c.add("start_on <= ?", Arg::Text(format!("{y:04}-12-31")));
        }
        if let Some(i) = filter.institution_id {
            c.args.push(Arg::Int(i));
            let n = c.args.len();
            c.raw(&format!(
                "(home_institution_id = ${n} OR host_institution_id = ${n})"
            ));
        }
        if let Some(v) = filter.org_unit_id {
            c.add("org_unit_id = ?", Arg::Int(v));
        }
        if let Some(v) = filter.person_id {
            c.add("person_id = ?", Arg::Int(v));
        }
        if let Some(v) = filter.agreement_id {
            c.add("agreement_id = ?", Arg::Int(v));
        }
        if let Some(d) = filter.abroad_on {
            let day = iso_date::format(d);
            c.raw("status IN ('abroad', 'returned', 'recognised')");
            c.add("start_on <= ?", Arg::Text(day.clone()));
            c.args.push(Arg::Text(day));
            let n = c.args.len();
            c.raw(&format!(
                "(end_on >= ${n} OR (status = 'abroad' AND actual_end IS NULL))"
            ));
        }
        if !filter.statuses.is_empty() {
            // Wire names of a closed set: no quoting needed.
            let names: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            c.raw(&format!("status IN ({})", names.join(", ")));
        }
        for (column, range) in [("start_on", filter.starts_in), ("end_on", filter.ends_in)] {
            if let Some((from, to)) = range {
                c.add(&format!("{column} >= ?"), Arg::Text(iso_date::format(from)));
                c.add(&format!("{column} <= ?"), Arg::Text(iso_date::format(to)));
            }
        }
        query::page(&self.pool, "mobilities", COLUMNS, &c, sort, page, from_row).await
    }

    pub async fn mobility(&self, id: Id) -> StoreResult<Mobility> {
        TABLE.get(&self.pool, id).await
    }

    /// Stores a new stay, in status `nominated` unless `status` says otherwise (records of
    /// stays already under way or past; the confirmations are then dated from the actual dates).
    pub async fn create_mobility(
        &self,
        actor: &Actor,
        draft: &MobilityDraft,
        status: MobilityStatus,
    ) -> StoreResult<Mobility> {
        let mut tx = self.write().await?;
        let created = insert_in(&mut tx, actor, draft, status, None).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces the fields (not the status) of a stay the caller saw at `expected_version`.
    pub async fn update_mobility(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &MobilityDraft,
    ) -> StoreResult<Mobility> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let search = check_references(&mut tx, draft).await?;
        let c = Confirmations {
            arrival: before.arrival_confirmed_at.clone(),
            ret: before.return_confirmed_at.clone(),
            application: before.application_id,
        };
        let after = TABLE
            .update(
                &mut tx,
                actor,
                &before,
                args(draft, before.status, &c, search),
            )
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a stay along its lifecycle; arriving and returning record the actual dates (`on`,
    /// else `today`) and the confirmation time. An illegal change is `Invalid` on `status`.
    pub async fn set_mobility_status(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        to: MobilityStatus,
        on: Option<Date>,
        today: Date,
    ) -> StoreResult<Mobility> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let after = change_status_in(&mut tx, actor, &before, to, on, today).await?;
        // A nominated stay's application follows: accepted with it, withdrawn when the office
        // cancels the stay (a partner's rejection goes through `answer_nomination`).
        if let Some(application) = before.application_id {
            let follow = match to {
                MobilityStatus::Accepted => Some(ApplicationStatus::Accepted),
                MobilityStatus::Cancelled => Some(ApplicationStatus::Withdrawn),
                _ => None,
            };
            if let Some(status) = follow {
                crate::exchange::set_status_in(&mut tx, self, actor, application, status, false)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a stay with its checklist and files; returns the documents removed (the caller
    /// forgets their bytes once nothing else uses them).
    pub async fn delete_mobility(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<Vec<crate::Document>> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        // The checklist goes with the stay (ON DELETE CASCADE); its files are the stay's documents.
        let files =
            crate::documents::delete_all_of(&mut tx, actor, OwnerKind::Mobility, id).await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(files)
    }

    /// Names of people by id (for lists of mobilities).
    pub async fn person_names(&self, ids: &[Id]) -> StoreResult<HashMap<Id, LocalizedText>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut c = Conditions::default();
            c.add_in("id", chunk);
            let sql = format!(
                "SELECT id, name_en, name_zh, name_local FROM people{}",
                c.where_sql()
            );
            for row in query::bind_all(sqlx::query(&sql), &c.args)
                .fetch_all(&self.pool)
                .await?
            {
                out.insert(query::int(&row, "id")?, query::localized(&row, "name")?);
            }
        }
        Ok(out)
    }

    /// Stores many stays (demo data) in one transaction, each with its new person record if
    /// given; every row is audited as usual. Returns the mobility ids in order.
    pub async fn create_mobilities(
        &self,
        actor: &Actor,
        items: &[NewMobility],
    ) -> StoreResult<Vec<Id>> {
        let mut tx = self.write().await?;
        let mut names: HashMap<Id, LocalizedText> = HashMap::new();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let mut draft = item.draft.clone();
            let person = match &item.person {
                Some(p) => {
                    let created = crate::people::TABLE
                        .insert(&mut tx, actor, crate::people::write_args(p))
                        .await?;
                    draft.person_id = created.id;
                    p.name.clone()
                }
                None => name_of(&mut tx, "people", "person_id", draft.person_id).await?,
            };
            for id in [draft.home_institution_id, draft.host_institution_id] {
                if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id) {
                    e.insert(name_of(&mut tx, "institutions", "institution_id", id).await?);
                }
            }
            let search = search_text(
                &person,
                &names[&draft.home_institution_id],
                &names[&draft.host_institution_id],
            );
            let c = initial_confirmations(&draft, item.status);
            let created = TABLE
                .insert(&mut tx, actor, args(&draft, item.status, &c, search))
                .await?;
            crate::checklists::add_checklist(&mut tx, actor, created.id, &draft, item.status)
                .await?;
            out.push(created.id);
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// Confirmations of a record created already under way or past: dated from its actual dates.
pub(crate) fn initial_confirmations(d: &MobilityDraft, status: MobilityStatus) -> Confirmations {
    let started = status.has_started();
    let returned = matches!(
        status,
        MobilityStatus::Returned | MobilityStatus::Recognised
    );
    Confirmations {
        arrival: started.then(|| day_stamp(d.start_on())),
        ret: returned.then(|| day_stamp(d.end_on())),
        application: None,
    }
}

/// Records a stay inside a transaction, with its checklist; `application` links a nomination.
pub(crate) async fn insert_in(
    tx: &mut Tx,
    actor: &Actor,
    draft: &MobilityDraft,
    status: MobilityStatus,
    application: Option<Id>,
) -> StoreResult<Mobility> {
    let search = check_references(tx, draft).await?;
    let mut c = initial_confirmations(draft, status);
    c.application = application;
    let created = TABLE
        .insert(tx, actor, args(draft, status, &c, search))
        .await?;
    crate::checklists::add_checklist(tx, actor, created.id, draft, status).await?;
    Ok(created)
}

/// Moves a locked, version-checked stay along its lifecycle inside a transaction; arriving and
/// returning record the actual dates (`on`, else `today`) and the confirmation time. An illegal
/// change is `Invalid` on `status`.
pub(crate) async fn change_status_in(
    tx: &mut Tx,
    actor: &Actor,
    before: &Mobility,
    to: MobilityStatus,
    on: Option<Date>,
    today: Date,
) -> StoreResult<Mobility> {
    if mobility::transition(before.status, to).is_err() {
        return Err(invalid("status", "status-not-allowed"));
    }
    let draft = mobility::dates_after(&before.draft, to, on, today).map_err(StoreError::Invalid)?;
    let now = crate::now();
    let c = Confirmations {
        arrival: match to {
            MobilityStatus::Abroad => Some(now.clone()),
            _ => before.arrival_confirmed_at.clone(),
        },
        ret: match to {
            MobilityStatus::Returned => Some(now),
            _ => before.return_confirmed_at.clone(),
        },
        application: before.application_id,
    };
    let search = check_references(tx, &draft).await?;
    TABLE
        .update(tx, actor, before, args(&draft, to, &c, search))
        .await
}

/// Stays by id (ids that do not exist are left out).
pub(crate) async fn by_ids(pool: &sqlx::AnyPool, ids: &[Id]) -> StoreResult<HashMap<Id, Mobility>> {
    let mut c = Conditions::default();
    c.add_in("id", ids);
    let sql = format!("SELECT {COLUMNS} FROM mobilities{}", c.where_sql());
    let rows = query::bind_all(sqlx::query(&sql), &c.args)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| from_row(row).map(|m| (m.id, m)))
        .collect()
}

/// A person's stays, newest first (for their personal-data export).
pub(crate) async fn of_person(tx: &mut Tx, person_id: Id) -> StoreResult<Vec<Mobility>> {
    TABLE.all_where(tx, "person_id", person_id).await
}

/// Inside a person's anonymisation: their stays lose the emergency contact (someone else's
/// data) and the notes, and their search text is rebuilt from the person's new name. Audited
/// per stay like any edit.
pub(crate) async fn anonymise_person_stays(
    tx: &mut Tx,
    actor: &Actor,
    person_id: Id,
) -> StoreResult<()> {
    for before in TABLE.all_where(tx, "person_id", person_id).await? {
        let mut draft = before.draft.clone();
        draft.emergency_contact_name = None;
        draft.emergency_contact_phone = None;
        draft.emergency_contact_relation = None;
        draft.notes = None;
        let search = check_references(tx, &draft).await?;
        let c = Confirmations {
            arrival: before.arrival_confirmed_at.clone(),
            ret: before.return_confirmed_at.clone(),
            application: before.application_id,
        };
        TABLE
            .update(tx, actor, &before, args(&draft, before.status, &c, search))
            .await?;
    }
    Ok(())
}

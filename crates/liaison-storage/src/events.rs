//! Events with participants and outcomes. The participants and agreement links are kept as JSON
//! in the event's row (what is read and audited) and indexed in `event_participants` and
//! `event_agreements` in the same transaction (for filters and the partner scope).

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::event::iso_date;
use liaison_domain::{
    CountryCode, Event, EventDraft, EventKind, FieldError, FieldErrors, Id, PageRequest,
    ParticipantCounts, Scope, Sort,
};

/// Sort names of event lists; without `sort`, lists show the newest first (`-start_on`).
pub const EVENT_SORTS: &[&str] = &["start_on", "name", "kind", "updated_at"];

#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    pub q: Option<String>,
    pub kind: Option<EventKind>,
    /// Events ending on or after this date.
    pub from: Option<time::Date>,
    /// Events starting on or before this date.
    pub to: Option<time::Date>,
    /// Events this institution took part in.
    pub institution_id: Option<Id>,
}

const COLUMNS: &str = "id, kind, title_en, title_zh, title_local, start_on, end_on, venue_en, \
    venue_zh, venue_local, host_unit_id, summary_en, summary_zh, summary_local, participants, \
    agreement_ids, consensus, honours, version, created_at, updated_at";

const WRITE_COLUMNS: &[&str] = &[
    "kind",
    "title_en",
    "title_zh",
    "title_local",
    "start_on",
    "end_on",
    "venue_en",
    "venue_zh",
    "venue_local",
    "host_unit_id",
    "summary_en",
    "summary_zh",
    "summary_local",
    "participants",
    "agreement_ids",
    "consensus",
    "honours",
    "search_text",
    "sort_name",
];

pub(crate) const TABLE: Table<Event> = Table {
    name: "events",
    entity: "event",
    columns: COLUMNS,
    write_columns: WRITE_COLUMNS,
    from_row,
};

versioned!(Event);
has_id!(Event);

fn read_json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> StoreResult<T> {
    let raw = query::text(row, column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn date(row: &AnyRow, column: &str) -> StoreResult<time::Date> {
    let raw = query::text(row, column)?;
    iso_date::parse(&raw).ok_or_else(|| StoreError::Corrupt(format!("{column} = {raw:?}")))
}

fn from_row(row: &AnyRow) -> StoreResult<Event> {
    let agreement_ids: Vec<String> = read_json(row, "agreement_ids")?;
    Ok(Event {
        id: query::int(row, "id")?,
        draft: EventDraft {
            kind: query::parse_enum(row, "kind", EventKind::parse)?,
            title: query::localized(row, "title")?,
            start_on: date(row, "start_on")?,
            end_on: date(row, "end_on")?,
            venue: query::localized(row, "venue")?,
            host_unit_id: query::opt_int(row, "host_unit_id")?,
            summary: query::localized(row, "summary")?,
            participants: read_json(row, "participants")?,
            consensus: read_json(row, "consensus")?,
            honours: read_json(row, "honours")?,
            agreement_ids: agreement_ids
                .iter()
                .map(|s| {
                    s.parse()
                        .map_err(|_| StoreError::Corrupt("agreement_ids".into()))
                })
                .collect::<StoreResult<_>>()?,
        },
        counts: ParticipantCounts::default(),
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn write_args(d: &EventDraft) -> Vec<Arg> {
    let ids: Vec<String> = d.agreement_ids.iter().map(|i| i.to_string()).collect();
    vec![
        Arg::Text(d.kind.as_str().to_string()),
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::Text(iso_date::format(d.start_on)),
        Arg::Text(iso_date::format(d.end_on)),
        Arg::OptText(d.venue.en.clone()),
        Arg::OptText(d.venue.zh.clone()),
        Arg::OptText(d.venue.local.clone()),
        Arg::OptInt(d.host_unit_id),
        Arg::OptText(d.summary.en.clone()),
        Arg::OptText(d.summary.zh.clone()),
        Arg::OptText(d.summary.local.clone()),
        json(&d.participants),
        json(&ids),
        json(&d.consensus),
        json(&d.honours),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.title)),
    ]
}

fn json<T: serde::Serialize>(value: &T) -> Arg {
    Arg::Text(serde_json::to_string(value).expect("records serialise"))
}

fn invalid(field: String, code: &'static str) -> StoreError {
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

/// Checks every reference and fills in a person participant's institution from their record.
pub(crate) async fn resolve_references(tx: &mut Tx, draft: &mut EventDraft) -> StoreResult<()> {
    if let Some(unit) = draft.host_unit_id {
        if !exists(tx, "org_units", unit).await? {
            return Err(invalid("host_unit_id".into(), "not-found"));
        }
    }
    for (i, p) in draft.participants.iter_mut().enumerate() {
        if let Some(person) = p.person_id {
            let row = sqlx::query("SELECT institution_id FROM people WHERE id = $1")
                .bind(person)
                .fetch_optional(&mut **tx)
                .await?;
            match row {
                None => return Err(invalid(format!("participants.{i}.person_id"), "not-found")),
                Some(row) => {
                    if p.institution_id.is_none() {
                        p.institution_id = row.try_get::<Option<i64>, _>(0)?;
                    }
                }
            }
        }
        if let Some(inst) = p.institution_id {
            if !exists(tx, "institutions", inst).await? {
                return Err(invalid(
                    format!("participants.{i}.institution_id"),
                    "not-found",
                ));
            }
        }
    }
    for (i, h) in draft.honours.iter().enumerate() {
        if !exists(tx, "people", h.person_id).await? {
            return Err(invalid(format!("honours.{i}.person_id"), "not-found"));
        }
        if let Some(by) = h.conferred_by {
            if !exists(tx, "institutions", by).await? {
                return Err(invalid(format!("honours.{i}.conferred_by"), "not-found"));
            }
        }
    }
    for (i, a) in draft.agreement_ids.iter().enumerate() {
        if !exists(tx, "agreements", *a).await? {
            return Err(invalid(format!("agreement_ids.{i}"), "not-found"));
        }
    }
    Ok(())
}

/// Rewrites the index rows of an event's participants and agreements.
pub(crate) async fn write_index(tx: &mut Tx, event: &Event) -> StoreResult<()> {
    for table in ["event_participants", "event_agreements"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE event_id = $1"))
            .bind(event.id)
            .execute(&mut **tx)
            .await?;
    }
    for (i, p) in event.draft.participants.iter().enumerate() {
        sqlx::query(
            "INSERT INTO event_participants (event_id, position, person_id, institution_id, role) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(event.id)
        .bind(i as i64)
        .bind(p.person_id)
        .bind(p.institution_id)
        .bind(p.role.as_str())
        .execute(&mut **tx)
        .await?;
    }
    for (i, a) in event.draft.agreement_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO event_agreements (event_id, agreement_id, position) VALUES ($1, $2, $3)",
        )
        .bind(event.id)
        .bind(*a)
        .bind(i as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The narrowing of an event list to what `scope` reaches: partner and enterprise contacts see
/// the events their institution took part in.
pub(crate) fn scope_events(c: &mut Conditions, scope: &Scope, id_column: &str) {
    match scope {
        Scope::All | Scope::Units(_) => {}
        Scope::Institution(inst) => c.add(
            &format!(
                "{id_column} IN (SELECT event_id FROM event_participants WHERE institution_id = ?)"
            ),
            Arg::Int(*inst),
        ),
        Scope::Nothing => c.add("1 = ?", Arg::Int(0)),
    }
}

impl Db {
    /// Fills in each event's counts of institutions and countries (one query per page).
    async fn with_counts(&self, mut events: Vec<Event>) -> StoreResult<Vec<Event>> {
        let mut ids: Vec<Id> = events
            .iter()
            .flat_map(|e| e.draft.participants.iter().filter_map(|p| p.institution_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut countries: HashMap<Id, CountryCode> = HashMap::new();
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, country FROM institutions WHERE id IN ({})",
                placeholders.join(", ")
            );
            let args: Vec<Arg> = chunk.iter().map(|i| Arg::Int(*i)).collect();
            for row in query::bind_all(sqlx::query(&sql), &args)
                .fetch_all(&self.pool)
                .await?
            {
                if let Some(c) = CountryCode::parse(&query::text(&row, "country")?) {
                    countries.insert(query::int(&row, "id")?, c);
                }
            }
        }
        for e in &mut events {
            e.counts = ParticipantCounts::of(&e.draft.participants, |i| countries.get(&i).copied());
        }
        Ok(events)
    }

    /// One page of the events `scope` reaches, filtered, searched and sorted in SQL.
    pub async fn events(
        &self,
        scope: &Scope,
        filter: &EventFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Event>> {
        let mut c = Conditions::default();
        c.search(self, "events", filter.q.as_deref());
        scope_events(&mut c, scope, "id");
        if let Some(kind) = filter.kind {
            c.add("kind = ?", Arg::Text(kind.as_str().into()));
        }
        if let Some(from) = filter.from {
            c.add("end_on >= ?", Arg::Text(iso_date::format(from)));
        }
        if let Some(to) = filter.to {
            c.add("start_on <= ?", Arg::Text(iso_date::format(to)));
        }
        if let Some(inst) = filter.institution_id {
            c.add(
                "id IN (SELECT event_id FROM event_participants WHERE institution_id = ?)",
                Arg::Int(inst),
            );
        }
        let page = query::page(&self.pool, "events", COLUMNS, &c, sort, page, from_row).await?;
        Ok(Page {
            items: self.with_counts(page.items).await?,
            total: page.total,
        })
    }

    pub async fn event(&self, id: Id) -> StoreResult<Event> {
        let event = TABLE.get(&self.pool, id).await?;
        Ok(self.with_counts(vec![event]).await?.remove(0))
    }

    /// Every event an institution took part in, newest first (the institution's timeline).
    pub async fn events_of_institution(&self, institution_id: Id) -> StoreResult<Vec<Event>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE id IN \
             (SELECT event_id FROM event_participants WHERE institution_id = $1) \
             ORDER BY start_on DESC, id DESC LIMIT 200"
        );
        let rows = sqlx::query(&sql)
            .bind(institution_id)
            .fetch_all(&self.pool)
            .await?;
        let events = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
        self.with_counts(events).await
    }

    /// The events at which an agreement was signed.
    pub async fn events_of_agreement(&self, agreement_id: Id) -> StoreResult<Vec<Event>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE id IN \
             (SELECT event_id FROM event_agreements WHERE agreement_id = $1) ORDER BY start_on DESC, id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(agreement_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn create_event(&self, actor: &Actor, draft: &EventDraft) -> StoreResult<Event> {
        let mut draft = draft.clone();
        let mut tx = self.write().await?;
        resolve_references(&mut tx, &mut draft).await?;
        let created = TABLE.insert(&mut tx, actor, write_args(&draft)).await?;
        write_index(&mut tx, &created).await?;
        tx.commit().await?;
        Ok(self.with_counts(vec![created]).await?.remove(0))
    }

    pub async fn update_event(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &EventDraft,
    ) -> StoreResult<Event> {
        let mut draft = draft.clone();
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        resolve_references(&mut tx, &mut draft).await?;
        let after = TABLE
            .update(&mut tx, actor, &before, write_args(&draft))
            .await?;
        write_index(&mut tx, &after).await?;
        tx.commit().await?;
        Ok(self.with_counts(vec![after]).await?.remove(0))
    }

    /// Deletes an event with its documents' records (the files stay while other records use
    /// them; see `documents.rs`); its action items lose the link but stay.
    pub async fn delete_event(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<Vec<crate::Document>> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        for item in crate::action_items::TABLE
            .all_where(&mut tx, "event_id", id)
            .await?
        {
            let mut draft = item.draft.clone();
            draft.event_id = None;
            crate::action_items::TABLE
                .update(
                    &mut tx,
                    actor,
                    &item,
                    crate::action_items::write_args(&draft),
                )
                .await?;
        }
        let documents =
            crate::documents::delete_all_of(&mut tx, actor, crate::OwnerKind::Event, id).await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(documents)
    }
}

/// An agreement's end date, for calendars.
#[derive(Debug, Clone)]
pub struct AgreementEnd {
    pub id: Id,
    pub title: liaison_domain::LocalizedText,
    pub end_on: time::Date,
}

/// What one user's calendar feed holds (C9).
#[derive(Debug, Clone, Default)]
pub struct CalendarData {
    pub events: Vec<Event>,
    pub action_items: Vec<liaison_domain::ActionItem>,
    pub agreement_ends: Vec<AgreementEnd>,
}

impl Db {
    /// Office staff get every event and every agreement's end; everyone gets their own action
    /// items and the agreements they own; others the events that concern them: those they took
    /// part in, their institution took part in, or their units hosted.
    pub async fn calendar_for(&self, user: &crate::SessionUser) -> StoreResult<CalendarData> {
        let everything = matches!(
            user.role,
            liaison_domain::Role::Admin | liaison_domain::Role::Staff
        );
        let mut c = Conditions::default();
        if !everything {
            let mut parts = Vec::new();
            if let Some(person) = user.person_id {
                c.args.push(Arg::Int(person));
                parts.push(format!(
                    "id IN (SELECT event_id FROM event_participants WHERE person_id = ${})",
                    c.args.len()
                ));
            }
            match &user.scope {
                Scope::Institution(inst) => {
                    c.args.push(Arg::Int(*inst));
                    parts.push(format!(
                        "id IN (SELECT event_id FROM event_participants WHERE institution_id = ${})",
                        c.args.len()
                    ));
                }
                Scope::Units(units) => {
                    let mut placeholders = Vec::new();
                    for u in units {
                        c.args.push(Arg::Int(*u));
                        placeholders.push(format!("${}", c.args.len()));
                    }
                    if !placeholders.is_empty() {
                        parts.push(format!("host_unit_id IN ({})", placeholders.join(", ")));
                    }
                }
                _ => {}
            }
            if parts.is_empty() {
                parts.push("1 = 0".into());
            }
            c.raw(&format!("({})", parts.join(" OR ")));
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM events{} ORDER BY start_on, id LIMIT 5000",
            c.where_sql()
        );
        let rows = query::bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?;
        let events = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;

        let items = self
            .action_items(
                &crate::ActionItemFilter {
                    owner_user_id: Some(user.id),
                    ..Default::default()
                },
                &Sort {
                    field: "due_on",
                    descending: false,
                },
                &PageRequest {
                    page: 1,
                    per_page: liaison_domain::paging::MAX_PER_PAGE,
                },
            )
            .await?
            .items;

        let owner_clause = if everything {
            String::new()
        } else {
            " AND owner_user_id = $1".to_string()
        };
        let sql = format!(
            "SELECT id, title_en, title_zh, title_local, end_on FROM agreements \
             WHERE end_on IS NOT NULL AND status NOT IN ('terminated', 'renewed', 'draft'){owner_clause} \
             ORDER BY end_on, id LIMIT 5000"
        );
        let mut q = sqlx::query(&sql);
        if !everything {
            q = q.bind(user.id);
        }
        let mut agreement_ends = Vec::new();
        for row in q.fetch_all(&self.pool).await? {
            let raw = query::text(&row, "end_on")?;
            if let Some(end_on) = iso_date::parse(&raw) {
                agreement_ends.push(AgreementEnd {
                    id: query::int(&row, "id")?,
                    title: query::localized(&row, "title")?,
                    end_on,
                });
            }
        }
        Ok(CalendarData {
            events,
            action_items: items,
            agreement_ends,
        })
    }
}

/// Records whose names pages show beside ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedTable {
    People,
    OrgUnits,
    Agreements,
    Users,
    Events,
}

impl Db {
    /// The display names (`name` or `title`, every language) of some records, by id; missing ids
    /// are left out. Users are named by display name or e-mail.
    pub async fn names_of(
        &self,
        table: NamedTable,
        ids: &[Id],
    ) -> StoreResult<HashMap<Id, liaison_domain::LocalizedText>> {
        let mut out = HashMap::new();
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let select = match table {
                NamedTable::People => "SELECT id, name_en AS t_en, name_zh AS t_zh, name_local AS t_local FROM people",
                NamedTable::OrgUnits => "SELECT id, name_en AS t_en, name_zh AS t_zh, name_local AS t_local FROM org_units",
                NamedTable::Agreements => "SELECT id, title_en AS t_en, title_zh AS t_zh, title_local AS t_local FROM agreements",
                NamedTable::Users => "SELECT id, COALESCE(display_name, email) AS t_en, display_name AS t_zh, email AS t_local FROM users",
                NamedTable::Events => "SELECT id, title_en AS t_en, title_zh AS t_zh, title_local AS t_local FROM events",
            };
            let sql = format!("{select} WHERE id IN ({})", placeholders.join(", "));
            let args: Vec<Arg> = chunk.iter().map(|i| Arg::Int(*i)).collect();
            for row in query::bind_all(sqlx::query(&sql), &args)
                .fetch_all(&self.pool)
                .await?
            {
                let mut t = query::localized(&row, "t")?;
                if table == NamedTable::Users {
                    t = liaison_domain::LocalizedText::new(t.en.as_deref(), None, None);
                }
                out.insert(query::int(&row, "id")?, t);
            }
        }
        Ok(out)
    }
}

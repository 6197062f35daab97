//! People: partner contacts, staff, students and visitors.

use sqlx::any::AnyRow;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::{FieldError, FieldErrors, Id, PageRequest, Person, PersonDraft, Scope, Sort};

pub const PERSON_SORTS: &[&str] = &["name", "created_at", "updated_at"];

#[derive(Debug, Default, Clone)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub institution_id: Option<Id>,
    pub org_unit_id: Option<Id>,
}

const COLUMNS: &str =
    "id, name_en, name_zh, name_local, title_en, title_zh, title_local, institution_id, \
    org_unit_id, emails, phones, languages, version, created_at, updated_at";

const WRITE_COLUMNS: &[&str] = &[
    "name_en",
    "name_zh",
    "name_local",
    "title_en",
    "title_zh",
    "title_local",
    "institution_id",
    "org_unit_id",
    "emails",
    "phones",
    "languages",
    "search_text",
    "sort_name",
];

pub(crate) const TABLE: Table<Person> = Table {
    name: "people",
    entity: "person",
    columns: COLUMNS,
    write_columns: WRITE_COLUMNS,
    from_row,
};

versioned!(Person);
has_id!(Person);

fn from_row(row: &AnyRow) -> StoreResult<Person> {
    Ok(Person {
        id: query::int(row, "id")?,
        draft: PersonDraft {
            name: query::localized(row, "name")?,
            title: query::localized(row, "title")?,
            institution_id: query::opt_int(row, "institution_id")?,
            org_unit_id: query::opt_int(row, "org_unit_id")?,
            emails: query::json_list(row, "emails")?,
            phones: query::json_list(row, "phones")?,
            languages: query::json_list(row, "languages")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn write_args(d: &PersonDraft) -> Vec<Arg> {
    let list =
        |l: &Vec<String>| Arg::Text(serde_json::to_string(l).expect("string lists serialise"));
    vec![
        Arg::OptText(d.name.en.clone()),
        Arg::OptText(d.name.zh.clone()),
        Arg::OptText(d.name.local.clone()),
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::OptInt(d.institution_id),
        Arg::OptInt(d.org_unit_id),
        list(&d.emails),
        list(&d.phones),
        list(&d.languages),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.name)),
    ]
}

pub(crate) async fn check_references(tx: &mut Tx, draft: &PersonDraft) -> StoreResult<()> {
    let invalid =
        |field: &str, code| StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)));
    if let Some(id) = draft.institution_id {
        let found = sqlx::query("SELECT id FROM institutions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            return Err(invalid("institution_id", "not-found"));
        }
    }
    if let Some(unit) = draft.org_unit_id {
        use sqlx::Row;
        let row = sqlx::query("SELECT institution_id FROM org_units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            None => return Err(invalid("org_unit_id", "not-found")),
            Some(row) if Some(row.try_get::<i64, _>(0)?) != draft.institution_id => {
                return Err(invalid("org_unit_id", "wrong-institution"))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Moves a deleted unit's people up to their institution, each move audited.
pub(crate) async fn detach_from_unit(tx: &mut Tx, actor: &Actor, unit: Id) -> StoreResult<()> {
    for person in TABLE.all_where(tx, "org_unit_id", unit).await? {
        let mut draft = person.draft.clone();
        draft.org_unit_id = None;
        TABLE.update(tx, actor, &person, write_args(&draft)).await?;
    }
    Ok(())
}

impl Db {
    /// One page of the records `scope` reaches, filtered, searched and sorted in SQL.
    pub async fn people(
        &self,
        scope: &Scope,
        filter: &PersonFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Person>> {
        let mut c = Conditions::default();
        c.search(self, "people", filter.q.as_deref());
        c.scope(scope, "institution_id", Some("org_unit_id"));
        if let Some(id) = filter.institution_id {
            c.add("institution_id = ?", Arg::Int(id));
        }
        if let Some(id) = filter.org_unit_id {
            c.add("org_unit_id = ?", Arg::Int(id));
        }
        query::page(&self.pool, "people", COLUMNS, &c, sort, page, from_row).await
    }

    pub async fn person(&self, id: Id) -> StoreResult<Person> {
        TABLE.get(&self.pool, id).await
    }

    pub async fn create_person(&self, actor: &Actor, draft: &PersonDraft) -> StoreResult<Person> {
        let mut tx = self.write().await?;
        check_references(&mut tx, draft).await?;
        let created = TABLE.insert(&mut tx, actor, write_args(draft)).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_person(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &PersonDraft,
    ) -> StoreResult<Person> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        check_references(&mut tx, draft).await?;
        let after = TABLE
            .update(&mut tx, actor, &before, write_args(draft))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_person(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        crate::mobilities::refuse_if_used(&mut tx, "person_id", id).await?;
        sqlx::query("UPDATE users SET person_id = NULL WHERE person_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(())
    }
}

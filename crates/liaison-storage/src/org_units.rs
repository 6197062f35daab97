//! Org units: schools, colleges, departments and offices, nested inside one institution.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::{count_where, has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::org_unit::parent_would_cycle;
use liaison_domain::{
    FieldError, FieldErrors, Id, OrgUnit, OrgUnitDraft, OrgUnitKind, PageRequest, Scope, Sort,
};

pub const ORG_UNIT_SORTS: &[&str] = &["name", "kind", "created_at", "updated_at"];

#[derive(Debug, Default, Clone)]
pub struct OrgUnitFilter {
    pub q: Option<String>,
    pub institution_id: Option<Id>,
    pub parent_id: Option<Id>,
    pub kind: Option<OrgUnitKind>,
}

const COLUMNS: &str =
    "id, institution_id, parent_id, kind, name_en, name_zh, name_local, ounit_id, website, \
    version, created_at, updated_at";

const WRITE_COLUMNS: &[&str] = &[
    "institution_id",
    "parent_id",
    "kind",
    "name_en",
    "name_zh",
    "name_local",
    "ounit_id",
    "website",
    "search_text",
    "sort_name",
];

pub(crate) const TABLE: Table<OrgUnit> = Table {
    name: "org_units",
    entity: "org_unit",
    columns: COLUMNS,
    write_columns: WRITE_COLUMNS,
    from_row,
};

versioned!(OrgUnit);
has_id!(OrgUnit);

fn from_row(row: &AnyRow) -> StoreResult<OrgUnit> {
    Ok(OrgUnit {
        id: query::int(row, "id")?,
        draft: OrgUnitDraft {
            institution_id: query::int(row, "institution_id")?,
            parent_id: query::opt_int(row, "parent_id")?,
            kind: query::parse_enum(row, "kind", OrgUnitKind::parse)?,
            name: query::localized(row, "name")?,
            ounit_id: query::opt_text(row, "ounit_id")?,
            website: query::opt_text(row, "website")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn write_args(d: &OrgUnitDraft) -> Vec<Arg> {
    let mut search: Vec<&str> = d.name.all().collect();
    search.extend(d.ounit_id.as_deref());
    vec![
        Arg::Int(d.institution_id),
        Arg::OptInt(d.parent_id),
        Arg::Text(d.kind.as_str().into()),
        Arg::OptText(d.name.en.clone()),
        Arg::OptText(d.name.zh.clone()),
        Arg::OptText(d.name.local.clone()),
        Arg::OptText(d.ounit_id.clone()),
        Arg::OptText(d.website.clone()),
        Arg::Text(liaison_domain::search::normalize(&search.join("\u{1f}"))),
        Arg::Text(query::sort_name(&d.name)),
    ]
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

/// Checks references: the institution exists, the parent is a unit of the same institution and
/// not the unit itself or below it, and the EWP `ounit_id` is free within the institution.
pub(crate) async fn check_references(
    tx: &mut Tx,
    draft: &OrgUnitDraft,
    this: Option<Id>,
) -> StoreResult<()> {
    let exists = sqlx::query("SELECT id FROM institutions WHERE id = $1")
        .bind(draft.institution_id)
        .fetch_optional(&mut **tx)
        .await?;
    if exists.is_none() {
        return Err(invalid("institution_id", "not-found"));
    }
    if let Some(parent) = draft.parent_id {
        let mut ancestors = Vec::new();
        let mut next = Some(parent);
        while let Some(id) = next {
            let row = sqlx::query("SELECT institution_id, parent_id FROM org_units WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
            let Some(row) = row else {
                return Err(invalid("parent_id", "not-found"));
            };
            if id == parent && row.try_get::<i64, _>(0)? != draft.institution_id {
                return Err(invalid("parent_id", "invalid-parent"));
            }
            ancestors.push(id);
            if ancestors.len() > 64 || this.is_some_and(|u| parent_would_cycle(u, &ancestors)) {
                return Err(invalid("parent_id", "invalid-parent"));
            }
            next = row.try_get::<Option<i64>, _>(1)?;
        }
    }
    if let Some(code) = &draft.ounit_id {
        let taken = sqlx::query(
            "SELECT id FROM org_units WHERE institution_id = $1 AND ounit_id = $2 AND id <> $3",
        )
        .bind(draft.institution_id)
        .bind(code.clone())
        .bind(this.unwrap_or(-1))
        .fetch_optional(&mut **tx)
        .await?;
        if taken.is_some() {
            return Err(invalid("ounit_id", "taken"));
        }
    }
    Ok(())
}

impl Db {
    /// One page of the records `scope` reaches, filtered, searched and sorted in SQL.
    pub async fn org_units(
        &self,
        scope: &Scope,
        filter: &OrgUnitFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<OrgUnit>> {
        let mut c = Conditions::default();
        c.search(self, "org_units", filter.q.as_deref());
        c.scope(scope, "institution_id", None);
        if let Some(id) = filter.institution_id {
            c.add("institution_id = ?", Arg::Int(id));
        }
        if let Some(id) = filter.parent_id {
            c.add("parent_id = ?", Arg::Int(id));
        }
        if let Some(kind) = filter.kind {
            c.add("kind = ?", Arg::Text(kind.as_str().into()));
        }
        query::page(&self.pool, "org_units", COLUMNS, &c, sort, page, from_row).await
    }

    /// Every unit of one institution, for its page and for pickers.
    pub async fn org_units_of(&self, institution_id: Id) -> StoreResult<Vec<OrgUnit>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM org_units WHERE institution_id = $1 ORDER BY sort_name, id"
        );
        let rows = sqlx::query(&sql)
            .bind(institution_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn org_unit(&self, id: Id) -> StoreResult<OrgUnit> {
        TABLE.get(&self.pool, id).await
    }

    pub async fn create_org_unit(
        &self,
        actor: &Actor,
        draft: &OrgUnitDraft,
    ) -> StoreResult<OrgUnit> {
        let mut tx = self.write().await?;
        check_references(&mut tx, draft, None).await?;
        let created = TABLE.insert(&mut tx, actor, write_args(draft)).await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(created)
    }

    pub async fn update_org_unit(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &OrgUnitDraft,
    ) -> StoreResult<OrgUnit> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        if before.draft.institution_id != draft.institution_id {
            return Err(invalid("institution_id", "cannot-change"));
        }
        check_references(&mut tx, draft, Some(id)).await?;
        let after = TABLE
            .update(&mut tx, actor, &before, write_args(draft))
            .await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(after)
    }

    /// Refuses while sub-units exist; contacts in the unit stay with the institution.
    pub async fn delete_org_unit(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let children = sqlx::query("SELECT id FROM org_units WHERE parent_id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if children.is_some() {
            return Err(StoreError::HasDependents("org_unit"));
        }
        crate::people::detach_from_unit(&mut tx, actor, id).await?;
        sqlx::query("DELETE FROM user_units WHERE org_unit_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(())
    }

    pub async fn org_unit_child_count(&self, id: Id) -> StoreResult<i64> {
        count_where(&self.pool, "org_units", "parent_id", id).await
    }
}

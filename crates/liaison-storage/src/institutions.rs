//! Institutions: the partner directory.

use sqlx::any::AnyRow;

use crate::query::{self, Arg, Conditions, JsonSql};
use crate::table::{count_where, has_id, versioned, Table, Tx};
use crate::{Actor, Backend, Db, JsonPage, Page, StoreError, StoreResult};
use liaison_domain::{
    CountryCode, FieldError, FieldErrors, Id, Institution, InstitutionDraft, InstitutionKind,
    PageRequest, RegionTag, RelationshipStatus, Scope, Sort,
};

/// Sortable fields; the first is the default.
pub const INSTITUTION_SORTS: &[&str] = &[
    "name",
    "country",
    "kind",
    "status",
    "created_at",
    "updated_at",
];

#[derive(Debug, Default, Clone)]
pub struct InstitutionFilter {
    pub q: Option<String>,
    pub country: Option<CountryCode>,
    pub kind: Option<InstitutionKind>,
    pub status: Option<RelationshipStatus>,
    pub region_tag: Option<RegionTag>,
}

const COLUMNS: &str = "id, kind, name_en, name_zh, name_local, country, city_en, city_zh, city_local, website, \
    status, region_tags, hei_id, erasmus_code, social_credit_code, profile_en, profile_zh, profile_local, \
    version, created_at, updated_at";

fn from_row(row: &AnyRow) -> StoreResult<Institution> {
    let tags = query::text(row, "region_tags")?;
    let region_tags = tags
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            RegionTag::parse(t).ok_or_else(|| StoreError::Corrupt(format!("region tag {t:?}")))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Institution {
        id: query::int(row, "id")?,
        draft: InstitutionDraft {
            kind: query::parse_enum(row, "kind", InstitutionKind::parse)?,
            name: query::localized(row, "name")?,
            country: query::parse_enum(row, "country", CountryCode::parse)?,
            city: query::localized(row, "city")?,
            website: query::opt_text(row, "website")?,
            status: query::parse_enum(row, "status", RelationshipStatus::parse)?,
            region_tags,
            hei_id: query::opt_text(row, "hei_id")?,
            erasmus_code: query::opt_text(row, "erasmus_code")?,
            social_credit_code: query::opt_text(row, "social_credit_code")?,
            profile: query::localized(row, "profile")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

/// One institution as the JSON object serde writes for [`Institution`] (keys in field order): the
/// stored `api_json` between the id and the version; a row without it (written by an older
/// binary) has its members built from the columns.
fn json_object(j: &JsonSql) -> String {
    let built = j.object(&[
        ("kind", "kind".into()),
        ("name", j.localized("name")),
        ("country", "country".into()),
        ("city", j.localized("city")),
        ("website", "website".into()),
        ("status", "status".into()),
        ("region_tags", j.comma_list("region_tags")),
        ("hei_id", "hei_id".into()),
        ("erasmus_code", "erasmus_code".into()),
        ("social_credit_code", "social_credit_code".into()),
        ("profile", j.localized("profile")),
    ]);
    let members = format!(
        "CASE WHEN api_json <> '' THEN api_json \
         ELSE substr(CAST({built} AS TEXT), 2, length(CAST({built} AS TEXT)) - 2) END"
    );
    // Timestamps are RFC 3339 text and ids and versions integers: nothing to escape.
    format!(
        "'{{\"id\":\"' || CAST(id AS TEXT) || '\",' || {members} || ',\"version\":' || \
         CAST(version AS TEXT) || ',\"created_at\":\"' || created_at || \
         '\",\"updated_at\":\"' || updated_at || '\"}}'"
    )
}

/// [`json_object`] per engine (SQLite, PostgreSQL), built once.
static JSON_OBJECT: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();

/// The SQL of one institution's JSON object (as serde writes it) on `backend`.
pub(crate) fn object_sql(backend: Backend) -> &'static str {
    JSON_OBJECT
        .get_or_init(|| [Backend::Sqlite, Backend::Postgres].map(|b| json_object(&JsonSql(b))))
        .get(usize::from(backend == Backend::Postgres))
        .expect("two engines")
}

/// Tags are stored as `,sco,eu,` so that one `LIKE '%,sco,%'` filters by a tag on both engines.
fn tags_column(tags: &[RegionTag]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = tags.iter().map(|t| t.as_str()).collect();
        format!(",{},", names.join(","))
    }
}

/// The values of every writable column, in `WRITE_COLUMNS` order.
pub(crate) fn write_args(d: &InstitutionDraft) -> Vec<Arg> {
    let t = |v: &Option<String>| Arg::OptText(v.clone());
    vec![
        Arg::Text(d.kind.as_str().into()),
        t(&d.name.en),
        t(&d.name.zh),
        t(&d.name.local),
        Arg::Text(d.country.as_str().into()),
        t(&d.city.en),
        t(&d.city.zh),
        t(&d.city.local),
        t(&d.website),
        Arg::Text(d.status.as_str().into()),
        Arg::Text(tags_column(&d.region_tags)),
        t(&d.hei_id),
        t(&d.erasmus_code),
        t(&d.social_credit_code),
        t(&d.profile.en),
        t(&d.profile.zh),
        t(&d.profile.local),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.name)),
        Arg::Text(draft_json(d)),
    ]
}

/// The `api_json` column (migration 12): the draft's members as serde writes them inside
/// [`Institution`]'s object (`"kind":…,"profile":{…}`, without the braces), so that a list page
/// is concatenated from stored text rather than built field by field on every request.
fn draft_json(d: &InstitutionDraft) -> String {
    let object = serde_json::to_string(d).expect("a draft always serialises");
    object[1..object.len() - 1].to_string()
}

pub(crate) const TABLE: Table<Institution> = Table {
    name: "institutions",
    entity: "institution",
    columns: COLUMNS,
    write_columns: WRITE_COLUMNS,
    from_row,
};

versioned!(Institution);
has_id!(Institution);

const WRITE_COLUMNS: &[&str] = &[
    "kind",
    "name_en",
    "name_zh",
    "name_local",
    "country",
    "city_en",
    "city_zh",
    "city_local",
    "website",
    "status",
    "region_tags",
    "hei_id",
    "erasmus_code",
    "social_credit_code",
    "profile_en",
    "profile_zh",
    "profile_local",
    "search_text",
    "sort_name",
    "api_json",
];

impl Db {
    /// One page of the records `scope` reaches, filtered, searched and sorted in SQL.
    pub async fn institutions(
        &self,
        scope: &Scope,
        filter: &InstitutionFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Institution>> {
        let c = self.institution_conditions(scope, filter);
        query::page(
            &self.pool,
            "institutions",
            COLUMNS,
            &c,
            sort,
            page,
            from_row,
        )
        .await
    }

    fn institution_conditions(&self, scope: &Scope, filter: &InstitutionFilter) -> Conditions {
        let mut c = Conditions::default();
        c.search(self, "institutions", filter.q.as_deref());
        c.scope(scope, "id", None);
        if let Some(country) = filter.country {
            c.add("country = ?", Arg::Text(country.as_str().into()));
        }
        if let Some(kind) = filter.kind {
            c.add("kind = ?", Arg::Text(kind.as_str().into()));
        }
        if let Some(status) = filter.status {
            c.add("status = ?", Arg::Text(status.as_str().into()));
        }
        if let Some(tag) = filter.region_tag {
            c.add(
                "region_tags LIKE ?",
                Arg::Text(format!("%,{},%", tag.as_str())),
            );
        }
        c
    }

    /// The same page as [`Db::institutions`], written as JSON by the database (for the API).
    pub async fn institutions_json(
        &self,
        scope: &Scope,
        filter: &InstitutionFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<JsonPage> {
        let c = self.institution_conditions(scope, filter);
        let object = object_sql(self.backend());
        query::page_json(self, "institutions", object, &c, sort, page).await
    }

    /// Several institutions at once, for showing names beside references in a list.
    pub async fn institutions_by_ids(&self, ids: &[Id]) -> StoreResult<Vec<Institution>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM institutions WHERE id IN ({})",
                placeholders.join(", ")
            );
            let args: Vec<Arg> = chunk.iter().map(|id| Arg::Int(*id)).collect();
            for row in query::bind_all(sqlx::query(&sql), &args)
                .fetch_all(&self.pool)
                .await?
            {
                out.push(from_row(&row)?);
            }
        }
        Ok(out)
    }

    pub async fn institution(&self, id: Id) -> StoreResult<Institution> {
        TABLE.get(&self.pool, id).await
    }

    pub async fn create_institution(
        &self,
        actor: &Actor,
        draft: &InstitutionDraft,
    ) -> StoreResult<Institution> {
        let mut tx = self.write().await?;
        check_hei_id_free(&mut tx, draft, None).await?;
        let created = TABLE.insert(&mut tx, actor, write_args(draft)).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Creates many institutions in one transaction (all or nothing), each audited; for imports,
    /// demo data and benchmarks. Returns the new ids in input order.
    pub async fn create_institutions(
        &self,
        actor: &Actor,
        drafts: &[InstitutionDraft],
    ) -> StoreResult<Vec<Id>> {
        let mut tx = self.write().await?;
        let mut ids = Vec::with_capacity(drafts.len());
        for draft in drafts {
            check_hei_id_free(&mut tx, draft, None).await?;
            ids.push(TABLE.insert(&mut tx, actor, write_args(draft)).await?.id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Replaces every field; fails with `Conflict` if `expected_version` is stale.
    pub async fn update_institution(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &InstitutionDraft,
    ) -> StoreResult<Institution> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        check_hei_id_free(&mut tx, draft, Some(id)).await?;
        let after = TABLE
            .update(&mut tx, actor, &before, write_args(draft))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes the institution with its contacts and org units, each deletion audited.
    pub async fn delete_institution(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        // A party to an agreement stays until its agreements are gone (they are records of
        // what was signed, not contact data).
        let party =
            sqlx::query("SELECT agreement_id FROM agreement_parties WHERE institution_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if party.is_some() {
            return Err(StoreError::HasDependents("agreement"));
        }
        crate::mobilities::refuse_if_used(&mut tx, "home_institution_id", id).await?;
        crate::mobilities::refuse_if_used(&mut tx, "host_institution_id", id).await?;
        for person in crate::people::TABLE
            .all_where(&mut tx, "institution_id", id)
            .await?
        {
            crate::people::TABLE.delete(&mut tx, actor, &person).await?;
        }
        // Sub-units first (highest ids were created last, so children come before parents).
        for unit in crate::org_units::TABLE
            .all_where(&mut tx, "institution_id", id)
            .await?
        {
            sqlx::query("UPDATE org_units SET parent_id = NULL WHERE parent_id = $1")
                .bind(unit.id)
                .execute(&mut *tx)
                .await?;
            crate::org_units::TABLE
                .delete(&mut tx, actor, &unit)
                .await?;
        }
        sqlx::query("UPDATE users SET institution_id = NULL WHERE institution_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(())
    }

    /// How many units and contacts a deletion would take with it, for the confirmation page.
    pub async fn institution_dependents(&self, id: Id) -> StoreResult<(i64, i64)> {
        Ok((
            count_where(&self.pool, "org_units", "institution_id", id).await?,
            count_where(&self.pool, "people", "institution_id", id).await?,
        ))
    }

    pub async fn count_institutions(&self) -> StoreResult<i64> {
        use sqlx::Row;
        Ok(sqlx::query("SELECT COUNT(*) FROM institutions")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}

pub(crate) async fn check_hei_id_free(
    tx: &mut Tx,
    draft: &InstitutionDraft,
    except: Option<Id>,
) -> StoreResult<()> {
    let Some(hei_id) = &draft.hei_id else {
        return Ok(());
    };
    let taken = sqlx::query("SELECT id FROM institutions WHERE hei_id = $1 AND id <> $2")
        .bind(hei_id.clone())
        .bind(except.unwrap_or(-1))
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Invalid(FieldErrors::from(FieldError::new(
            "hei_id", "taken",
        ))));
    }
    Ok(())
}

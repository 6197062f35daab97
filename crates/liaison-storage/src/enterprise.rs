//! University–enterprise cooperation: positions, skill profiles (their skills indexed in
//! `profile_skills` for matching), placements and employment outcomes.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::enterprise::{Cefr, Destination, Mover, Sector, Viewer};
use liaison_domain::event::iso_date;
use liaison_domain::{
    CountryCode, EmploymentOutcome, EmploymentOutcomeDraft, FieldError, FieldErrors, Id,
    LocalizedText, PageRequest, Placement, PlacementDraft, PlacementStatus, Position,
    PositionDraft, PositionKind, PositionStatus, SkillProfile, SkillProfileDraft, Sort,
};

pub const POSITION_SORTS: &[&str] = &["name", "deadline", "status", "seats", "updated_at"];
pub const SKILL_PROFILE_SORTS: &[&str] = &["updated_at", "created_at", "year_of_study"];
pub const PLACEMENT_SORTS: &[&str] = &["status", "start_on", "updated_at", "created_at"];
pub const OUTCOME_SORTS: &[&str] = &["cohort", "name", "updated_at"];

fn loc(t: &LocalizedText) -> [Arg; 3] {
    [
        Arg::OptText(t.en.clone()),
        Arg::OptText(t.zh.clone()),
        Arg::OptText(t.local.clone()),
    ]
}

fn json<T: serde::Serialize>(value: &T) -> Arg {
    Arg::Text(serde_json::to_string(value).expect("records serialise"))
}

fn from_json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> StoreResult<T> {
    let raw = query::text(row, column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn opt_date(row: &AnyRow, column: &str) -> StoreResult<Option<time::Date>> {
    match query::opt_text(row, column)? {
        None => Ok(None),
        Some(raw) => iso_date::parse(&raw)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt(format!("{column} = {raw:?}"))),
    }
}

fn date_arg(d: Option<time::Date>) -> Arg {
    Arg::OptText(d.map(iso_date::format))
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

pub(crate) async fn must_exist(
    tx: &mut Tx,
    field: &str,
    table: &str,
    id: Option<Id>,
) -> StoreResult<()> {
    let Some(id) = id else { return Ok(()) };
    let sql = format!("SELECT id FROM {table} WHERE id = $1");
    if sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .is_none()
    {
        return Err(invalid(field, "not-found"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Positions

pub(crate) const POSITION_COLUMNS: &str = "id, institution_id, kind, title_en, title_zh, title_local, \
    description_en, description_zh, description_local, skills, majors, seats, start_on, end_on, \
    deadline, city_en, city_zh, city_local, country, remote, language, language_level, status, \
    vetting_note_en, vetting_note_zh, vetting_note_local, event_id, version, created_at, updated_at";

const POSITION_WRITE: &[&str] = &[
    "institution_id",
    "kind",
    "title_en",
    "title_zh",
    "title_local",
    "description_en",
    "description_zh",
    "description_local",
    "skills",
    "majors",
    "seats",
    "start_on",
    "end_on",
    "deadline",
    "city_en",
    "city_zh",
    "city_local",
    "country",
    "remote",
    "language",
    "language_level",
    "status",
    "vetting_note_en",
    "vetting_note_zh",
    "vetting_note_local",
    "search_text",
    "sort_name",
    "event_id",
];

const POSITIONS: Table<Position> = Table {
    name: "positions",
    entity: "position",
    columns: POSITION_COLUMNS,
    write_columns: POSITION_WRITE,
    from_row: position_from_row,
};

versioned!(Position, SkillProfile, Placement, EmploymentOutcome);
has_id!(Position, SkillProfile, Placement, EmploymentOutcome);

fn country(row: &AnyRow) -> StoreResult<Option<CountryCode>> {
    match query::opt_text(row, "country")? {
        None => Ok(None),
        Some(c) => CountryCode::parse(&c)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt(format!("country = {c:?}"))),
    }
}

pub(crate) fn position_from_row(row: &AnyRow) -> StoreResult<Position> {
    let language_level = match query::opt_text(row, "language_level")? {
        None => None,
        Some(raw) => Some(
            Cefr::parse(&raw)
                .ok_or_else(|| StoreError::Corrupt(format!("language_level = {raw:?}")))?,
        ),
    };
    Ok(Position {
        id: query::int(row, "id")?,
        draft: PositionDraft {
            institution_id: query::int(row, "institution_id")?,
            kind: query::parse_enum(row, "kind", PositionKind::parse)?,
            title: query::localized(row, "title")?,
            description: query::localized(row, "description")?,
            skills: from_json(row, "skills")?,
            majors: from_json(row, "majors")?,
            seats: query::int(row, "seats")?,
            start_on: opt_date(row, "start_on")?,
            end_on: opt_date(row, "end_on")?,
            deadline: opt_date(row, "deadline")?,
            city: query::localized(row, "city")?,
            country: country(row)?,
            remote: query::int(row, "remote")? != 0,
            language: query::opt_text(row, "language")?,
            language_level,
            status: query::parse_enum(row, "status", PositionStatus::parse)?,
            vetting_note: query::localized(row, "vetting_note")?,
            event_id: query::opt_int(row, "event_id")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn position_args(d: &PositionDraft) -> Vec<Arg> {
    let mut v = vec![
        Arg::Int(d.institution_id),
        Arg::Text(d.kind.as_str().into()),
    ];
    v.extend(loc(&d.title));
    v.extend(loc(&d.description));
    v.push(json(&d.skills));
    v.push(json(&d.majors));
    v.push(Arg::Int(d.seats));
    v.push(date_arg(d.start_on));
    v.push(date_arg(d.end_on));
    v.push(date_arg(d.deadline));
    v.extend(loc(&d.city));
    v.push(Arg::OptText(d.country.map(|c| c.as_str().to_string())));
    v.push(Arg::Int(d.remote as i64));
    v.push(Arg::OptText(d.language.clone()));
    v.push(Arg::OptText(d.language_level.map(|l| l.as_str().into())));
    v.push(Arg::Text(d.status.as_str().into()));
    v.extend(loc(&d.vetting_note));
    v.push(Arg::Text(d.search_text()));
    v.push(Arg::Text(query::sort_name(&d.title)));
    v.push(Arg::OptInt(d.event_id));
    v
}

#[derive(Debug, Default, Clone)]
pub struct PositionFilter {
    pub q: Option<String>,
    pub kind: Option<PositionKind>,
    pub status: Option<PositionStatus>,
    pub institution_id: Option<Id>,
    /// Positions wanting this skill.
    pub skill: Option<String>,
}

fn position_conditions(db: &Db, viewer: &Viewer, f: &PositionFilter) -> Conditions {
    let mut c = Conditions::default();
    match viewer {
        Viewer::Office => {}
        Viewer::Enterprise(own) => c.add("institution_id = ?", Arg::Int(*own)),
        Viewer::Student(_) => c.add("status = ?", Arg::Text("open".into())),
        Viewer::Nobody => c.raw("1 = 0"),
    }
    c.search(db, "positions", f.q.as_deref());
    if let Some(k) = f.kind {
        c.add("kind = ?", Arg::Text(k.as_str().into()));
    }
    if let Some(s) = f.status {
        c.add("status = ?", Arg::Text(s.as_str().into()));
    }
    if let Some(i) = f.institution_id {
        c.add("institution_id = ?", Arg::Int(i));
    }
    if let Some(s) = &f.skill {
        // The JSON array holds `"skill":"python"`; a LIKE on it is exact enough for a filter.
        let needle = format!("%\"skill\":{}%", serde_json::to_string(s).expect("string"));
        c.add(
            "skills LIKE ? ESCAPE '\\'",
            Arg::Text(needle.replace('_', "\\_")),
        );
    }
    c
}

async fn check_position(tx: &mut Tx, d: &PositionDraft) -> StoreResult<()> {
    must_exist(tx, "institution_id", "institutions", Some(d.institution_id)).await?;
    must_exist(tx, "event_id", "events", d.event_id).await
}

impl Db {
    pub async fn positions(
        &self,
        viewer: &Viewer,
        filter: &PositionFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Position>> {
        let c = position_conditions(self, viewer, filter);
        query::page(
            &self.pool,
            "positions",
            POSITION_COLUMNS,
            &c,
            sort,
            page,
            position_from_row,
        )
        .await
    }

    pub async fn position(&self, id: Id) -> StoreResult<Position> {
        POSITIONS.get(&self.pool, id).await
    }

    /// Every open position (for a student's best matches).
    pub async fn open_positions(&self) -> StoreResult<Vec<Position>> {
        let sql = format!(
            "SELECT {POSITION_COLUMNS} FROM positions WHERE status = 'open' ORDER BY id LIMIT 5000"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(position_from_row).collect()
    }

    pub async fn create_position(&self, actor: &Actor, d: &PositionDraft) -> StoreResult<Position> {
        let mut tx = self.write().await?;
        check_position(&mut tx, d).await?;
        let created = POSITIONS.insert(&mut tx, actor, position_args(d)).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces a position; `check` sees the stored one and may refuse the change (vetting).
    pub async fn update_position(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &PositionDraft,
        check: impl FnOnce(&Position) -> StoreResult<()>,
    ) -> StoreResult<Position> {
        let mut tx = self.write().await?;
        let before = POSITIONS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        check(&before)?;
        let draft = draft
            .clone()
            .validate_change(&before.draft)
            .map_err(StoreError::Invalid)?;
        check_position(&mut tx, &draft).await?;
        let after = POSITIONS
            .update(&mut tx, actor, &before, position_args(&draft))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a position without placements.
    pub async fn delete_position(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = POSITIONS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM placements WHERE position_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if n > 0 {
            return Err(StoreError::HasDependents("placements"));
        }
        POSITIONS.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Institution names by id (for lists of positions and outcomes).
    pub async fn institution_names(&self, ids: &[Id]) -> StoreResult<HashMap<Id, LocalizedText>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut c = Conditions::default();
            c.add_in("id", chunk);
            let sql = format!(
                "SELECT id, name_en, name_zh, name_local FROM institutions{}",
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
}

// ---------------------------------------------------------------------------------------------
// Skill profiles

const PROFILE_COLUMNS: &str = "id, person_id, major, year_of_study, skills, languages, \
    interests_en, interests_zh, interests_local, available_from, consent, consent_at, version, \
    created_at, updated_at";

const PROFILE_WRITE: &[&str] = &[
    "person_id",
    "major",
    "year_of_study",
    "skills",
    "languages",
    "interests_en",
    "interests_zh",
    "interests_local",
    "available_from",
    "consent",
    "consent_at",
];

const PROFILES: Table<SkillProfile> = Table {
    name: "skill_profiles",
    entity: "skill_profile",
    columns: PROFILE_COLUMNS,
    write_columns: PROFILE_WRITE,
    from_row: profile_from_row,
};

fn profile_from_row(row: &AnyRow) -> StoreResult<SkillProfile> {
    Ok(SkillProfile {
        id: query::int(row, "id")?,
        draft: SkillProfileDraft {
            person_id: query::int(row, "person_id")?,
            major: query::opt_text(row, "major")?,
            year_of_study: query::opt_int(row, "year_of_study")?,
            skills: from_json(row, "skills")?,
            languages: from_json(row, "languages")?,
            interests: query::localized(row, "interests")?,
            available_from: opt_date(row, "available_from")?,
            consent: query::int(row, "consent")? != 0,
        },
        consent_at: query::opt_text(row, "consent_at")?,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn profile_args(d: &SkillProfileDraft, consent_at: Option<String>) -> Vec<Arg> {
    let mut v = vec![
        Arg::Int(d.person_id),
        Arg::OptText(d.major.clone()),
        Arg::OptInt(d.year_of_study),
        json(&d.skills),
        json(&d.languages),
    ];
    v.extend(loc(&d.interests));
    v.push(date_arg(d.available_from));
    v.push(Arg::Int(d.consent as i64));
    v.push(Arg::OptText(consent_at));
    v
}

async fn index_skills(tx: &mut Tx, profile: &SkillProfile) -> StoreResult<()> {
    sqlx::query("DELETE FROM profile_skills WHERE profile_id = $1")
        .bind(profile.id)
        .execute(&mut **tx)
        .await?;
    for s in &profile.draft.skills {
        sqlx::query("INSERT INTO profile_skills (profile_id, skill, level) VALUES ($1, $2, $3)")
            .bind(profile.id)
            .bind(s.skill.clone())
            .bind(s.level as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct SkillProfileFilter {
    pub skill: Option<String>,
    pub major: Option<String>,
    pub consent: Option<bool>,
    pub person_id: Option<Id>,
}

fn profile_conditions(viewer: &Viewer, f: &SkillProfileFilter) -> Conditions {
    let mut c = Conditions::default();
    match viewer {
        Viewer::Office => {}
        Viewer::Enterprise(_) => c.add("consent = ?", Arg::Int(1)),
        Viewer::Student(me) => c.add("person_id = ?", Arg::Int(*me)),
        Viewer::Nobody => c.raw("1 = 0"),
    }
    if let Some(s) = &f.skill {
        c.add(
            "id IN (SELECT profile_id FROM profile_skills WHERE skill = ?)",
            Arg::Text(s.clone()),
        );
    }
    if let Some(m) = &f.major {
        c.add("major = ?", Arg::Text(m.clone()));
    }
    if let Some(consent) = f.consent {
        c.add("consent = ?", Arg::Int(consent as i64));
    }
    if let Some(p) = f.person_id {
        c.add("person_id = ?", Arg::Int(p));
    }
    c
}

impl Db {
    pub async fn skill_profiles(
        &self,
        viewer: &Viewer,
        filter: &SkillProfileFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<SkillProfile>> {
        let c = profile_conditions(viewer, filter);
        query::page(
            &self.pool,
            "skill_profiles",
            PROFILE_COLUMNS,
            &c,
            sort,
            page,
            profile_from_row,
        )
        .await
    }

    pub async fn skill_profile(&self, id: Id) -> StoreResult<SkillProfile> {
        PROFILES.get(&self.pool, id).await
    }

    pub async fn skill_profile_of(&self, person_id: Id) -> StoreResult<Option<SkillProfile>> {
        let sql = format!("SELECT {PROFILE_COLUMNS} FROM skill_profiles WHERE person_id = $1");
        let row = sqlx::query(&sql)
            .bind(person_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(profile_from_row).transpose()
    }

    /// Consenting students who hold at least one of the skills the position wants: the inverted
    /// index (`profile_skills`) narrows the candidates in SQL; matching scores only these.
    pub async fn candidates_for(&self, position: &PositionDraft) -> StoreResult<Vec<SkillProfile>> {
        let skills: std::collections::BTreeSet<&str> =
            position.skills.iter().map(|s| s.skill.as_str()).collect();
        if skills.is_empty() {
            return Ok(Vec::new());
        }
        let args: Vec<Arg> = skills.iter().map(|s| Arg::Text(s.to_string())).collect();
        let placeholders: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {PROFILE_COLUMNS} FROM skill_profiles WHERE consent = 1 AND id IN \
             (SELECT profile_id FROM profile_skills WHERE skill IN ({})) ORDER BY id",
            placeholders.join(", ")
        );
        let rows = query::bind_all(sqlx::query(&sql), &args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(profile_from_row).collect()
    }

    pub async fn create_skill_profile(
        &self,
        actor: &Actor,
        d: &SkillProfileDraft,
    ) -> StoreResult<SkillProfile> {
        let mut tx = self.write().await?;
        must_exist(&mut tx, "person_id", "people", Some(d.person_id)).await?;
        if sqlx::query("SELECT id FROM skill_profiles WHERE person_id = $1")
            .bind(d.person_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(invalid("person_id", "taken"));
        }
        let consent_at = d.consent.then(crate::now);
        let created = PROFILES
            .insert(&mut tx, actor, profile_args(d, consent_at))
            .await?;
        index_skills(&mut tx, &created).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces a profile; consent given now is stamped, consent revoked clears the stamp.
    pub async fn update_skill_profile(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        d: &SkillProfileDraft,
    ) -> StoreResult<SkillProfile> {
        let mut tx = self.write().await?;
        let before = PROFILES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        if d.person_id != before.draft.person_id {
            return Err(invalid("person_id", "cannot-change"));
        }
        let consent_at = match (before.draft.consent, d.consent) {
            (_, false) => None,
            (true, true) => before.consent_at.clone(),
            (false, true) => Some(crate::now()),
        };
        let after = PROFILES
            .update(&mut tx, actor, &before, profile_args(d, consent_at))
            .await?;
        index_skills(&mut tx, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_skill_profile(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = PROFILES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        PROFILES.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Placements

pub(crate) const PLACEMENT_COLUMNS: &str = "id, position_id, person_id, status, start_on, end_on, \
    enterprise_supervisor, university_supervisor, evaluation_en, evaluation_zh, evaluation_local, \
    event_id, note_en, note_zh, note_local, version, created_at, updated_at";

const PLACEMENT_WRITE: &[&str] = &[
    "position_id",
    "person_id",
    "status",
    "start_on",
    "end_on",
    "enterprise_supervisor",
    "university_supervisor",
    "evaluation_en",
    "evaluation_zh",
    "evaluation_local",
    "event_id",
    "note_en",
    "note_zh",
    "note_local",
];

pub(crate) const PLACEMENTS: Table<Placement> = Table {
    name: "placements",
    entity: "placement",
    columns: PLACEMENT_COLUMNS,
    write_columns: PLACEMENT_WRITE,
    from_row: placement_from_row,
};

pub(crate) fn placement_from_row(row: &AnyRow) -> StoreResult<Placement> {
    Ok(Placement {
        id: query::int(row, "id")?,
        draft: PlacementDraft {
            position_id: query::int(row, "position_id")?,
            person_id: query::int(row, "person_id")?,
            status: query::parse_enum(row, "status", PlacementStatus::parse)?,
            start_on: opt_date(row, "start_on")?,
            end_on: opt_date(row, "end_on")?,
            enterprise_supervisor: query::opt_text(row, "enterprise_supervisor")?,
            university_supervisor: query::opt_text(row, "university_supervisor")?,
            evaluation: query::localized(row, "evaluation")?,
            event_id: query::opt_int(row, "event_id")?,
            note: query::localized(row, "note")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn placement_args(d: &PlacementDraft) -> Vec<Arg> {
    let mut v = vec![
        Arg::Int(d.position_id),
        Arg::Int(d.person_id),
        Arg::Text(d.status.as_str().into()),
        date_arg(d.start_on),
        date_arg(d.end_on),
        Arg::OptText(d.enterprise_supervisor.clone()),
        Arg::OptText(d.university_supervisor.clone()),
    ];
    v.extend(loc(&d.evaluation));
    v.push(Arg::OptInt(d.event_id));
    v.extend(loc(&d.note));
    v
}

#[derive(Debug, Default, Clone)]
pub struct PlacementFilter {
    pub position_id: Option<Id>,
    pub person_id: Option<Id>,
    pub status: Option<PlacementStatus>,
}

fn placement_conditions(viewer: &Viewer, f: &PlacementFilter) -> Conditions {
    let mut c = Conditions::default();
    match viewer {
        Viewer::Office => {}
        Viewer::Enterprise(own) => c.add(
            "position_id IN (SELECT id FROM positions WHERE institution_id = ?)",
            Arg::Int(*own),
        ),
        Viewer::Student(me) => c.add("person_id = ?", Arg::Int(*me)),
        Viewer::Nobody => c.raw("1 = 0"),
    }
    if let Some(p) = f.position_id {
        c.add("position_id = ?", Arg::Int(p));
    }
    if let Some(p) = f.person_id {
        c.add("person_id = ?", Arg::Int(p));
    }
    if let Some(s) = f.status {
        c.add("status = ?", Arg::Text(s.as_str().into()));
    }
    c
}

impl Db {
    pub async fn placements(
        &self,
        viewer: &Viewer,
        filter: &PlacementFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Placement>> {
        let c = placement_conditions(viewer, filter);
        query::page(
            &self.pool,
            "placements",
            PLACEMENT_COLUMNS,
            &c,
            sort,
            page,
            placement_from_row,
        )
        .await
    }

    pub async fn placement(&self, id: Id) -> StoreResult<Placement> {
        PLACEMENTS.get(&self.pool, id).await
    }

    /// Whether the student has an application or placement for the position still in the running.
    pub async fn has_active_placement(&self, position_id: Id, person_id: Id) -> StoreResult<bool> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM placements WHERE position_id = $1 AND person_id = $2 \
             AND status NOT IN ('declined', 'withdrawn', 'cancelled')",
        )
        .bind(position_id)
        .bind(person_id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }

    pub async fn create_placement(
        &self,
        actor: &Actor,
        d: &PlacementDraft,
    ) -> StoreResult<Placement> {
        let mut tx = self.write().await?;
        must_exist(&mut tx, "position_id", "positions", Some(d.position_id)).await?;
        must_exist(&mut tx, "person_id", "people", Some(d.person_id)).await?;
        must_exist(&mut tx, "event_id", "events", d.event_id).await?;
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM placements WHERE position_id = $1 AND person_id = $2 \
             AND status NOT IN ('declined', 'withdrawn', 'cancelled')",
        )
        .bind(d.position_id)
        .bind(d.person_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if n > 0 {
            return Err(invalid("position_id", "already-applied"));
        }
        let created = PLACEMENTS.insert(&mut tx, actor, placement_args(d)).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_placement(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        d: &PlacementDraft,
        who: Mover,
    ) -> StoreResult<Placement> {
        let mut tx = self.write().await?;
        let before = PLACEMENTS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let d = d
            .clone()
            .validate_change(&before.draft, who)
            .map_err(StoreError::Invalid)?;
        must_exist(&mut tx, "event_id", "events", d.event_id).await?;
        let after = PLACEMENTS
            .update(&mut tx, actor, &before, placement_args(&d))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_placement(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = PLACEMENTS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        PLACEMENTS.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Employment outcomes

pub(crate) const OUTCOME_COLUMNS: &str =
    "id, person_id, cohort, destination, employer_en, employer_zh, \
    employer_local, employer_institution_id, sector, city_en, city_zh, city_local, country, major, \
    version, created_at, updated_at";

const OUTCOME_WRITE: &[&str] = &[
    "person_id",
    "cohort",
    "destination",
    "employer_en",
    "employer_zh",
    "employer_local",
    "employer_institution_id",
    "sector",
    "city_en",
    "city_zh",
    "city_local",
    "country",
    "major",
    "search_text",
    "sort_name",
];

pub(crate) const OUTCOMES: Table<EmploymentOutcome> = Table {
    name: "employment_outcomes",
    entity: "employment_outcome",
    columns: OUTCOME_COLUMNS,
    write_columns: OUTCOME_WRITE,
    from_row: outcome_from_row,
};

pub(crate) fn outcome_from_row(row: &AnyRow) -> StoreResult<EmploymentOutcome> {
    let sector = match query::opt_text(row, "sector")? {
        None => None,
        Some(raw) => Some(
            Sector::parse(&raw).ok_or_else(|| StoreError::Corrupt(format!("sector = {raw:?}")))?,
        ),
    };
    Ok(EmploymentOutcome {
        id: query::int(row, "id")?,
        draft: EmploymentOutcomeDraft {
            person_id: query::opt_int(row, "person_id")?,
            cohort: query::int(row, "cohort")?,
            destination: query::parse_enum(row, "destination", Destination::parse)?,
            employer: query::localized(row, "employer")?,
            employer_institution_id: query::opt_int(row, "employer_institution_id")?,
            sector,
            city: query::localized(row, "city")?,
            country: country(row)?,
            major: query::opt_text(row, "major")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn outcome_args(d: &EmploymentOutcomeDraft) -> Vec<Arg> {
    let mut v = vec![
        Arg::OptInt(d.person_id),
        Arg::Int(d.cohort),
        Arg::Text(d.destination.as_str().into()),
    ];
    v.extend(loc(&d.employer));
    v.push(Arg::OptInt(d.employer_institution_id));
    v.push(Arg::OptText(d.sector.map(|s| s.as_str().into())));
    v.extend(loc(&d.city));
    v.push(Arg::OptText(d.country.map(|c| c.as_str().to_string())));
    v.push(Arg::OptText(d.major.clone()));
    v.push(Arg::Text(d.search_text()));
    v.push(Arg::Text(query::sort_name(&d.employer)));
    v
}

#[derive(Debug, Default, Clone)]
pub struct OutcomeFilter {
    pub q: Option<String>,
    pub cohort: Option<i64>,
    pub sector: Option<Sector>,
    pub destination: Option<Destination>,
    pub employer_institution_id: Option<Id>,
    pub major: Option<String>,
}

fn outcome_conditions(f: &OutcomeFilter) -> Conditions {
    let mut c = Conditions::default();
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        c.add(
            "search_text LIKE ? ESCAPE '\\'",
            Arg::Text(liaison_domain::search::like_pattern(q)),
        );
    }
    if let Some(y) = f.cohort {
        c.add("cohort = ?", Arg::Int(y));
    }
    if let Some(s) = f.sector {
        c.add("sector = ?", Arg::Text(s.as_str().into()));
    }
    if let Some(d) = f.destination {
        c.add("destination = ?", Arg::Text(d.as_str().into()));
    }
    if let Some(i) = f.employer_institution_id {
        c.add("employer_institution_id = ?", Arg::Int(i));
    }
    if let Some(m) = &f.major {
        c.add("major = ?", Arg::Text(m.clone()));
    }
    c
}

/// One cell of the outcomes summary: how many graduates of a cohort went to a destination and
/// sector.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutcomeCount {
    pub cohort: i64,
    pub destination: Destination,
    pub sector: Option<Sector>,
    pub count: i64,
}

impl Db {
    pub async fn outcomes(
        &self,
        filter: &OutcomeFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<EmploymentOutcome>> {
        let c = outcome_conditions(filter);
        query::page(
            &self.pool,
            "employment_outcomes",
            OUTCOME_COLUMNS,
            &c,
            sort,
            page,
            outcome_from_row,
        )
        .await
    }

    pub async fn outcome(&self, id: Id) -> StoreResult<EmploymentOutcome> {
        OUTCOMES.get(&self.pool, id).await
    }

    /// Counts per cohort, destination and sector, counted in SQL.
    pub async fn outcome_counts(&self, filter: &OutcomeFilter) -> StoreResult<Vec<OutcomeCount>> {
        let c = outcome_conditions(filter);
        let sql = format!(
            "SELECT cohort, destination, sector, COUNT(*) AS n FROM employment_outcomes{} \
             GROUP BY cohort, destination, sector ORDER BY cohort, destination, sector",
            c.where_sql()
        );
        let rows = query::bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(OutcomeCount {
                    cohort: query::int(row, "cohort")?,
                    destination: query::parse_enum(row, "destination", Destination::parse)?,
                    sector: query::opt_text(row, "sector")?.and_then(|s| Sector::parse(&s)),
                    count: query::int(row, "n")?,
                })
            })
            .collect()
    }

    pub async fn create_outcome(
        &self,
        actor: &Actor,
        d: &EmploymentOutcomeDraft,
    ) -> StoreResult<EmploymentOutcome> {
        let mut tx = self.write().await?;
        must_exist(&mut tx, "person_id", "people", d.person_id).await?;
        must_exist(
            &mut tx,
            "employer_institution_id",
            "institutions",
            d.employer_institution_id,
        )
        .await?;
        let created = OUTCOMES.insert(&mut tx, actor, outcome_args(d)).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Stores many outcomes in one transaction (demo data, imports).
    pub async fn create_outcomes(
        &self,
        actor: &Actor,
        drafts: &[EmploymentOutcomeDraft],
    ) -> StoreResult<usize> {
        let mut tx = self.write().await?;
        for d in drafts {
            OUTCOMES.insert(&mut tx, actor, outcome_args(d)).await?;
        }
        tx.commit().await?;
        Ok(drafts.len())
    }

    pub async fn update_outcome(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        d: &EmploymentOutcomeDraft,
    ) -> StoreResult<EmploymentOutcome> {
        let mut tx = self.write().await?;
        let before = OUTCOMES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        must_exist(&mut tx, "person_id", "people", d.person_id).await?;
        must_exist(
            &mut tx,
            "employer_institution_id",
            "institutions",
            d.employer_institution_id,
        )
        .await?;
        let after = OUTCOMES
            .update(&mut tx, actor, &before, outcome_args(d))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_outcome(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = OUTCOMES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        OUTCOMES.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Bulk loading (demo data): one transaction each, every row audited as usual.

impl Db {
    /// Stores students (a person record each) with their skill profiles; returns
    /// `(person id, profile id)` in order.
    pub async fn create_students(
        &self,
        actor: &Actor,
        students: &[(liaison_domain::PersonDraft, SkillProfileDraft)],
    ) -> StoreResult<Vec<(Id, Id)>> {
        let mut tx = self.write().await?;
        let mut out = Vec::with_capacity(students.len());
        for (person, profile) in students {
            let p = crate::people::TABLE
                .insert(&mut tx, actor, crate::people::write_args(person))
                .await?;
            let mut d = profile.clone();
            d.person_id = p.id;
            let consent_at = d.consent.then(crate::now);
            let created = PROFILES
                .insert(&mut tx, actor, profile_args(&d, consent_at))
                .await?;
            index_skills(&mut tx, &created).await?;
            out.push((p.id, created.id));
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn create_positions(
        &self,
        actor: &Actor,
        drafts: &[PositionDraft],
    ) -> StoreResult<Vec<Id>> {
        let mut tx = self.write().await?;
        let mut out = Vec::with_capacity(drafts.len());
        for d in drafts {
            out.push(POSITIONS.insert(&mut tx, actor, position_args(d)).await?.id);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn create_placements(
        &self,
        actor: &Actor,
        drafts: &[PlacementDraft],
    ) -> StoreResult<usize> {
        let mut tx = self.write().await?;
        for d in drafts {
            PLACEMENTS.insert(&mut tx, actor, placement_args(d)).await?;
        }
        tx.commit().await?;
        Ok(drafts.len())
    }
}

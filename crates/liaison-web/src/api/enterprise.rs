//! `/api/v1/positions`, `/api/v1/skill-profiles`, `/api/v1/placements` and
//! `/api/v1/employment-outcomes` (C6), with the explained matches of a position
//! (`/positions/{id}/matches`) and of a student (`/skill-profiles/{id}/matches`).
//!
//! Scopes: office staff reach everything; an enterprise contact its own institution's positions,
//! their placements and consenting students; a student (an account linked to a person) open
//! positions and their own profile and placements.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{check_record, delete_version, list_body, parse_id, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use liaison_domain::enterprise::{application_errors, Destination, Sector, Viewer};
use liaison_domain::matching::{self, Explanation};
use liaison_domain::{
    EmploymentOutcome, EmploymentOutcomeDraft, FieldError, FieldErrors, Id, LocalizedText,
    Placement, PlacementDraft, PlacementStatus, Position, PositionDraft, PositionKind,
    PositionStatus, SkillProfile, SkillProfileDraft,
};
use liaison_storage::{
    OutcomeFilter, PlacementFilter, PositionFilter, SkillProfileFilter, StoreError, OUTCOME_SORTS,
    PLACEMENT_SORTS, POSITION_SORTS, SKILL_PROFILE_SORTS,
};

pub const POSITION_FIELDS: &[&str] = &[
    "institution_id",
    "kind",
    "title",
    "description",
    "skills",
    "majors",
    "seats",
    "start_on",
    "end_on",
    "deadline",
    "city",
    "country",
    "remote",
    "language",
    "language_level",
    "status",
    "vetting_note",
    "event_id",
];
pub const POSITION_FILTERS: &[&str] = &["kind", "status", "institution_id", "skill"];
pub const PROFILE_FIELDS: &[&str] = &[
    "person_id",
    "major",
    "year_of_study",
    "skills",
    "languages",
    "interests",
    "available_from",
    "consent",
];
pub const PROFILE_FILTERS: &[&str] = &["skill", "major", "consent", "person_id"];
pub const PLACEMENT_FIELDS: &[&str] = &[
    "position_id",
    "person_id",
    "status",
    "start_on",
    "end_on",
    "enterprise_supervisor",
    "university_supervisor",
    "evaluation",
    "event_id",
    "note",
];
pub const PLACEMENT_FILTERS: &[&str] = &["position_id", "person_id", "status"];
pub const OUTCOME_FIELDS: &[&str] = &[
    "person_id",
    "cohort",
    "destination",
    "employer",
    "employer_institution_id",
    "sector",
    "city",
    "country",
    "major",
];
pub const OUTCOME_FILTERS: &[&str] = &[
    "cohort",
    "sector",
    "destination",
    "employer_institution_id",
    "major",
];

pub fn viewer(ctx: &Ctx) -> Viewer {
    let u = ctx.user();
    Viewer::of(u.role, u.institution_id, u.person_id)
}

pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

const DATE_FIELDS: &[&str] = &["start_on", "end_on", "deadline", "available_from"];

/// Lays the body's fields over `base` (a draft as JSON): every key must be in `allowed`, every
/// value must fit its field on its own (so an error names the field), then the whole is read.
pub fn overlay<T: Serialize + DeserializeOwned>(
    base: &T,
    body: &Map<String, Value>,
    allowed: &[&str],
) -> Result<T, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Value::Object(mut merged) = serde_json::to_value(base).expect("drafts serialise") else {
        unreachable!("drafts are objects")
    };
    for (key, value) in body {
        if key == "version" {
            continue;
        }
        if !allowed.contains(&key.as_str()) {
            errors.push(key.clone(), "unknown-field");
            continue;
        }
        let mut alone = merged.clone();
        alone.insert(key.clone(), value.clone());
        if serde_json::from_value::<T>(Value::Object(alone)).is_err() {
            let code = match value {
                Value::String(_) if DATE_FIELDS.contains(&key.as_str()) => "invalid-date",
                Value::String(_) => "invalid-choice",
                _ => "invalid-type",
            };
            errors.push(key.clone(), code);
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(Value::Object(merged))
        .map_err(|_| FieldErrors::from(FieldError::new("body", "invalid-type")))
}

fn required(body: &Map<String, Value>, fields: &[&str], errors: &mut FieldErrors) {
    for f in fields {
        if !body.contains_key(*f) && errors.get(f).is_none() {
            errors.push(*f, "required");
        }
    }
}

fn body_version(body: &Map<String, Value>) -> ApiResult<i64> {
    match body.get("version") {
        None => Err(FieldErrors::from(FieldError::new("version", "required")).into()),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| FieldErrors::from(FieldError::new("version", "invalid-type")).into()),
    }
}

/// Reads a draft from a body over `base`, validated; all problems at once.
fn read<T: Serialize + DeserializeOwned>(
    base: &T,
    body: &Map<String, Value>,
    allowed: &[&str],
    must: &[&str],
    validate: impl FnOnce(T) -> Result<T, FieldErrors>,
) -> Result<T, FieldErrors> {
    let mut errors = FieldErrors::default();
    required(body, must, &mut errors);
    let draft = match overlay(base, body, allowed) {
        Ok(d) => d,
        Err(e) => {
            errors.0.extend(e.0);
            return Err(errors);
        }
    };
    match validate(draft) {
        Ok(d) if errors.is_empty() => Ok(d),
        Ok(_) => Err(errors),
        Err(e) => {
            let named: Vec<String> = errors.0.iter().map(|e| e.field.clone()).collect();
            errors
                .0
                .extend(e.0.into_iter().filter(|e| !named.contains(&e.field)));
            Err(errors)
        }
    }
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}

// ---------------------------------------------------------------------------------------------
// Positions

pub fn position_filter(query: &ListQuery) -> Result<PositionFilter, FieldErrors> {
    let mut e = FieldErrors::default();
    let f = PositionFilter {
        q: query.q.clone(),
        kind: query.filter("kind", PositionKind::parse, &mut e),
        status: query.filter("status", PositionStatus::parse, &mut e),
        institution_id: query.filter("institution_id", |v| v.parse().ok(), &mut e),
        skill: query.filter(
            "skill",
            |v| Some(v.trim().to_lowercase()).filter(|v| v.chars().count() <= 40),
            &mut e,
        ),
    };
    e.into_result(f)
}

pub async fn list_positions(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Position>>> {
    let query = ListQuery::parse(raw.as_deref(), POSITION_SORTS, POSITION_FILTERS)?;
    let filter = position_filter(&query)?;
    let page = state
        .db
        .positions(&viewer(&ctx), &filter, &query.sort, &query.page)
        .await?;
    Ok(list_body(page, &query))
}

pub async fn load_position(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<Position> {
    let p = state.db.position(parse_id(id)?).await?;
    check_record(viewer(ctx).may_read_position(&p.draft), true)?;
    Ok(p)
}

pub fn blank_position(institution_id: Id) -> PositionDraft {
    PositionDraft {
        institution_id,
        kind: PositionKind::Internship,
        title: LocalizedText::default(),
        description: LocalizedText::default(),
        skills: Vec::new(),
        majors: Vec::new(),
        seats: 1,
        start_on: None,
        end_on: None,
        deadline: None,
        city: LocalizedText::default(),
        country: None,
        remote: false,
        language: None,
        language_level: None,
        status: PositionStatus::Draft,
        vetting_note: LocalizedText::default(),
        event_id: None,
    }
}

/// What an enterprise contact may not do with a position: speak for another institution, or
/// open (publish) a position, which is the office's vetting step.
pub fn enterprise_limits(
    v: &Viewer,
    before: Option<&PositionDraft>,
    after: &PositionDraft,
) -> Result<(), FieldErrors> {
    let Viewer::Enterprise(own) = v else {
        return Ok(());
    };
    let mut e = FieldErrors::default();
    if after.institution_id != *own {
        e.push("institution_id", "not-own-institution");
    }
    let from = before.map_or(PositionStatus::Draft, |b| b.status);
    if from.needs_vetting(after.status) {
        e.push("status", "needs-vetting");
    }
    if before.is_some_and(|b| b.vetting_note != after.vetting_note) {
        e.push("vetting_note", "needs-vetting");
    }
    if before.and_then(|b| b.event_id) != after.event_id {
        e.push("event_id", "office-only");
    }
    e.into_result(())
}

pub async fn create_position(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonObject(body): JsonObject,
) -> ApiResult<impl IntoResponse> {
    let v = viewer(&ctx);
    let base = blank_position(match v {
        Viewer::Enterprise(own) => own,
        _ => 0,
    });
    let must: &[&str] = match v {
        Viewer::Enterprise(_) => &["kind", "title", "skills", "seats"],
        _ => &["institution_id", "kind", "title", "skills", "seats"],
    };
    let draft = read(&base, &body, POSITION_FIELDS, must, PositionDraft::validate)?;
    enterprise_limits(&v, None, &draft)?;
    let created = state.db.create_position(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn show_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Position>> {
    Ok(Json(load_position(&state, &ctx, &id).await?))
}

pub async fn update_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Position>> {
    let current = load_position(&state, &ctx, &id).await?;
    let v = viewer(&ctx);
    check_record(true, v.may_edit_position(&current.draft))?;
    let version = body_version(&body);
    let draft = read(&current.draft, &body, POSITION_FIELDS, &[], Ok)?;
    let version = version?;
    enterprise_limits(&v, Some(&current.draft), &draft)?;
    let updated = state
        .db
        .update_position(&actor(&ctx), current.id, version, &draft, |before| {
            enterprise_limits(&v, Some(&before.draft), &draft).map_err(StoreError::Invalid)
        })
        .await?;
    Ok(Json(updated))
}

pub async fn remove_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let current = load_position(&state, &ctx, &id).await?;
    check_record(true, viewer(&ctx).may_edit_position(&current.draft))?;
    let version = delete_version(query.as_deref(), &body)?;
    state
        .db
        .delete_position(&actor(&ctx), current.id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One ranked candidate with the breakdown of the score.
#[derive(Serialize)]
pub struct Candidate {
    #[serde(with = "liaison_domain::id_as_string")]
    pub profile_id: Id,
    #[serde(with = "liaison_domain::id_as_string")]
    pub person_id: Id,
    pub name: LocalizedText,
    pub rank: usize,
    #[serde(flatten)]
    pub explanation: Explanation,
}

/// The top candidates of a position among consenting students, best first.
pub async fn candidates(
    state: &AppState,
    position: &Position,
    limit: usize,
) -> Result<Vec<Candidate>, StoreError> {
    let pool = state.db.candidates_for(&position.draft).await?;
    let refs: Vec<(Id, &SkillProfileDraft)> = pool.iter().map(|p| (p.id, &p.draft)).collect();
    let ranked = matching::rank(&position.draft, &refs, limit);
    let people: Vec<Id> = ranked
        .iter()
        .filter_map(|r| pool.iter().find(|p| p.id == r.id))
        .map(|p| p.draft.person_id)
        .collect();
    let names = state
        .db
        .names_of(liaison_storage::NamedTable::People, &people)
        .await?;
    let mut out = Vec::with_capacity(ranked.len());
    for (i, r) in ranked.iter().enumerate() {
        let Some(p) = pool.iter().find(|p| p.id == r.id) else {
            continue;
        };
        let Some(explanation) = matching::explain(&position.draft, &p.draft) else {
            continue;
        };
        out.push(Candidate {
            profile_id: p.id,
            person_id: p.draft.person_id,
            name: names.get(&p.draft.person_id).cloned().unwrap_or_default(),
            rank: i + 1,
            explanation,
        });
    }
    Ok(out)
}

fn limit_of(raw: Option<&str>) -> ApiResult<usize> {
    let mut limit = 20;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "limit" => match v.parse::<usize>() {
                Ok(n) if (1..=200).contains(&n) => limit = n,
                _ => {
                    return Err(
                        FieldErrors::from(FieldError::new("limit", "invalid-number")).into(),
                    )
                }
            },
            "lang" => {}
            other => return Err(FieldErrors::from(FieldError::new(other, "unknown-field")).into()),
        }
    }
    Ok(limit)
}

pub async fn position_matches(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let position = load_position(&state, &ctx, &id).await?;
    let limit = limit_of(raw.as_deref())?;
    let items = candidates(&state, &position, limit).await?;
    Ok(Json(json!({
        "position_id": position.id.to_string(),
        "max_points": matching::MAX_POINTS,
        "items": items,
    })))
}

// ---------------------------------------------------------------------------------------------
// Skill profiles

pub fn profile_filter(query: &ListQuery) -> Result<SkillProfileFilter, FieldErrors> {
    let mut e = FieldErrors::default();
    let f = SkillProfileFilter {
        skill: query.filter(
            "skill",
            |v| Some(v.trim().to_lowercase()).filter(|v| v.chars().count() <= 40),
            &mut e,
        ),
        major: query.filter("major", |v| Some(v.trim().to_lowercase()), &mut e),
        consent: query.filter(
            "consent",
            |v| match v {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            &mut e,
        ),
        person_id: query.filter("person_id", |v| v.parse().ok(), &mut e),
    };
    e.into_result(f)
}

pub async fn list_profiles(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<SkillProfile>>> {
    let query = ListQuery::parse(raw.as_deref(), SKILL_PROFILE_SORTS, PROFILE_FILTERS)?;
    let filter = profile_filter(&query)?;
    let page = state
        .db
        .skill_profiles(&viewer(&ctx), &filter, &query.sort, &query.page)
        .await?;
    Ok(list_body(page, &query))
}

pub async fn load_profile(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<SkillProfile> {
    let p = state.db.skill_profile(parse_id(id)?).await?;
    check_record(viewer(ctx).may_read_profile(&p.draft), true)?;
    Ok(p)
}

pub fn blank_profile(person_id: Id) -> SkillProfileDraft {
    SkillProfileDraft {
        person_id,
        major: None,
        year_of_study: None,
        skills: Vec::new(),
        languages: Vec::new(),
        interests: LocalizedText::default(),
        available_from: None,
        consent: false,
    }
}

pub async fn create_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonObject(body): JsonObject,
) -> ApiResult<impl IntoResponse> {
    let v = viewer(&ctx);
    let (base, must): (_, &[&str]) = match v {
        Viewer::Student(me) => (blank_profile(me), &[]),
        Viewer::Office => (blank_profile(0), &["person_id"]),
        _ => {
            return Err(FieldErrors::from(FieldError::new("person_id", "not-linked")).into());
        }
    };
    let draft = read(
        &base,
        &body,
        PROFILE_FIELDS,
        must,
        SkillProfileDraft::validate,
    )?;
    if let Viewer::Student(me) = v {
        if draft.person_id != me {
            return Err(FieldErrors::from(FieldError::new("person_id", "not-own")).into());
        }
    }
    let created = state.db.create_skill_profile(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn show_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<SkillProfile>> {
    Ok(Json(load_profile(&state, &ctx, &id).await?))
}

pub async fn update_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<SkillProfile>> {
    let current = load_profile(&state, &ctx, &id).await?;
    check_record(true, viewer(&ctx).may_edit_profile(&current.draft))?;
    let version = body_version(&body);
    let draft = read(
        &current.draft,
        &body,
        PROFILE_FIELDS,
        &[],
        SkillProfileDraft::validate,
    )?;
    let version = version?;
    Ok(Json(
        state
            .db
            .update_skill_profile(&actor(&ctx), current.id, version, &draft)
            .await?,
    ))
}

pub async fn remove_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let current = load_profile(&state, &ctx, &id).await?;
    check_record(true, viewer(&ctx).may_edit_profile(&current.draft))?;
    let version = delete_version(query.as_deref(), &body)?;
    state
        .db
        .delete_skill_profile(&actor(&ctx), current.id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The positions that fit a student best, among those the caller may see.
pub async fn best_positions_for(
    state: &AppState,
    ctx: &Ctx,
    profile: &SkillProfile,
    limit: usize,
) -> Result<Vec<(Position, Explanation)>, StoreError> {
    let v = viewer(ctx);
    let open: Vec<Position> = state
        .db
        .open_positions()
        .await?
        .into_iter()
        .filter(|p| v.may_read_position(&p.draft))
        .collect();
    let refs: Vec<(Id, &PositionDraft)> = open.iter().map(|p| (p.id, &p.draft)).collect();
    let ranked = matching::best_positions(&profile.draft, &refs, limit);
    Ok(ranked
        .iter()
        .filter_map(|r| open.iter().find(|p| p.id == r.id))
        .filter_map(|p| matching::explain(&p.draft, &profile.draft).map(|e| (p.clone(), e)))
        .collect())
}

pub async fn profile_matches(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let profile = load_profile(&state, &ctx, &id).await?;
    let limit = limit_of(raw.as_deref())?;
    let items: Vec<Value> = best_positions_for(&state, &ctx, &profile, limit)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, (p, e))| {
            let mut v = serde_json::to_value(&e).expect("explanations serialise");
            v["position_id"] = json!(p.id.to_string());
            v["title"] = serde_json::to_value(&p.draft.title).expect("text");
            v["rank"] = json!(i + 1);
            v
        })
        .collect();
    Ok(Json(json!({
        "profile_id": profile.id.to_string(),
        "max_points": matching::MAX_POINTS,
        "items": items,
    })))
}

// ---------------------------------------------------------------------------------------------
// Placements

pub fn placement_filter(query: &ListQuery) -> Result<PlacementFilter, FieldErrors> {
    let mut e = FieldErrors::default();
    let f = PlacementFilter {
        position_id: query.filter("position_id", |v| v.parse().ok(), &mut e),
        person_id: query.filter("person_id", |v| v.parse().ok(), &mut e),
        status: query.filter("status", PlacementStatus::parse, &mut e),
    };
    e.into_result(f)
}

pub async fn list_placements(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Placement>>> {
    let query = ListQuery::parse(raw.as_deref(), PLACEMENT_SORTS, PLACEMENT_FILTERS)?;
    let filter = placement_filter(&query)?;
    let page = state
        .db
        .placements(&viewer(&ctx), &filter, &query.sort, &query.page)
        .await?;
    Ok(list_body(page, &query))
}

/// Whether the caller reaches a placement: the office all, an enterprise those of its own
/// positions, a student their own.
pub async fn placement_visible(
    state: &AppState,
    ctx: &Ctx,
    p: &Placement,
) -> Result<bool, StoreError> {
    Ok(match viewer(ctx) {
        Viewer::Office => true,
        Viewer::Student(me) => p.draft.person_id == me,
        Viewer::Enterprise(own) => {
            state
                .db
                .position(p.draft.position_id)
                .await?
                .draft
                .institution_id
                == own
        }
        Viewer::Nobody => false,
    })
}

pub async fn load_placement(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<Placement> {
    let p = state.db.placement(parse_id(id)?).await?;
    check_record(placement_visible(state, ctx, &p).await?, true)?;
    Ok(p)
}

pub fn blank_placement(person_id: Id) -> PlacementDraft {
    PlacementDraft {
        position_id: 0,
        person_id,
        status: PlacementStatus::Applied,
        start_on: None,
        end_on: None,
        enterprise_supervisor: None,
        university_supervisor: None,
        evaluation: LocalizedText::default(),
        event_id: None,
        note: LocalizedText::default(),
    }
}

/// A student applies (their own person, status `applied`, the position open and before its
/// deadline, consent given); the office places anyone in any starting status.
pub async fn check_new_placement(
    state: &AppState,
    ctx: &Ctx,
    draft: &PlacementDraft,
) -> Result<(), StoreError> {
    let v = viewer(ctx);
    let position = match state.db.position(draft.position_id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => {
            return Err(StoreError::Invalid(FieldErrors::from(FieldError::new(
                "position_id",
                "not-found",
            ))))
        }
        Err(e) => return Err(e),
    };
    if let Viewer::Student(me) = v {
        let mut e = FieldErrors::default();
        if draft.person_id != me {
            e.push("person_id", "not-own");
        }
        if draft.status != PlacementStatus::Applied {
            e.push("status", "status-not-allowed");
        }
        if !v.may_read_position(&position.draft) {
            e.push("position_id", "not-found");
        } else {
            let profile = state.db.skill_profile_of(me).await?;
            let already = state.db.has_active_placement(position.id, me).await?;
            e.0.extend(
                application_errors(
                    &position.draft,
                    profile.as_ref().map(|p| &p.draft),
                    already,
                    today(),
                )
                .0,
            );
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
    }
    Ok(())
}

pub async fn create_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonObject(body): JsonObject,
) -> ApiResult<impl IntoResponse> {
    let v = viewer(&ctx);
    let (base, must): (_, &[&str]) = match v {
        Viewer::Student(me) => (blank_placement(me), &["position_id"]),
        Viewer::Office => (blank_placement(0), &["position_id", "person_id"]),
        _ => {
            return Err(FieldErrors::from(FieldError::new("person_id", "not-linked")).into());
        }
    };
    let draft = read(
        &base,
        &body,
        PLACEMENT_FIELDS,
        must,
        PlacementDraft::validate,
    )?;
    check_new_placement(&state, &ctx, &draft).await?;
    let created = state.db.create_placement(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn show_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Placement>> {
    Ok(Json(load_placement(&state, &ctx, &id).await?))
}

pub async fn update_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Placement>> {
    let current = load_placement(&state, &ctx, &id).await?;
    let v = viewer(&ctx);
    // Students and enterprises move the status (and enterprises record their supervisor and
    // the evaluation); everything else is the office's.
    let theirs: &[&str] = match v {
        Viewer::Office => PLACEMENT_FIELDS,
        Viewer::Enterprise(_) => &["status", "enterprise_supervisor", "evaluation"],
        _ => &["status"],
    };
    if body
        .keys()
        .any(|k| PLACEMENT_FIELDS.contains(&k.as_str()) && !theirs.contains(&k.as_str()))
    {
        return Err(forbidden(
            "you may change only the status (and, for the enterprise, its supervisor and evaluation)",
        ));
    }
    let version = body_version(&body);
    let draft = read(&current.draft, &body, PLACEMENT_FIELDS, &[], Ok)?;
    let version = version?;
    Ok(Json(
        state
            .db
            .update_placement(&actor(&ctx), current.id, version, &draft, v.mover())
            .await?,
    ))
}

pub async fn remove_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let current = load_placement(&state, &ctx, &id).await?;
    let version = delete_version(query.as_deref(), &body)?;
    state
        .db
        .delete_placement(&actor(&ctx), current.id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Employment outcomes

pub fn outcome_filter(query: &ListQuery) -> Result<OutcomeFilter, FieldErrors> {
    let mut e = FieldErrors::default();
    let f = OutcomeFilter {
        q: query.q.clone(),
        cohort: query.filter(
            "cohort",
            |v| v.parse().ok().filter(|y| (1990..=2100).contains(y)),
            &mut e,
        ),
        sector: query.filter("sector", Sector::parse, &mut e),
        destination: query.filter("destination", Destination::parse, &mut e),
        employer_institution_id: query.filter(
            "employer_institution_id",
            |v| v.parse().ok(),
            &mut e,
        ),
        major: query.filter("major", |v| Some(v.trim().to_lowercase()), &mut e),
    };
    e.into_result(f)
}

pub async fn list_outcomes(
    State(state): State<AppState>,
    _ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<EmploymentOutcome>>> {
    let query = ListQuery::parse(raw.as_deref(), OUTCOME_SORTS, OUTCOME_FILTERS)?;
    let filter = outcome_filter(&query)?;
    let page = state.db.outcomes(&filter, &query.sort, &query.page).await?;
    Ok(list_body(page, &query))
}

pub fn blank_outcome() -> EmploymentOutcomeDraft {
    EmploymentOutcomeDraft {
        person_id: None,
        cohort: 0,
        destination: Destination::Employed,
        employer: LocalizedText::default(),
        employer_institution_id: None,
        sector: None,
        city: LocalizedText::default(),
        country: None,
        major: None,
    }
}

pub async fn create_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonObject(body): JsonObject,
) -> ApiResult<impl IntoResponse> {
    let draft = read(
        &blank_outcome(),
        &body,
        OUTCOME_FIELDS,
        &["cohort", "destination"],
        EmploymentOutcomeDraft::validate,
    )?;
    let created = state.db.create_outcome(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn show_outcome(
    State(state): State<AppState>,
    _ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<EmploymentOutcome>> {
    Ok(Json(state.db.outcome(parse_id(&id)?).await?))
}

pub async fn update_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<EmploymentOutcome>> {
    let current = state.db.outcome(parse_id(&id)?).await?;
    let version = body_version(&body);
    let draft = read(
        &current.draft,
        &body,
        OUTCOME_FIELDS,
        &[],
        EmploymentOutcomeDraft::validate,
    )?;
    let version = version?;
    Ok(Json(
        state
            .db
            .update_outcome(&actor(&ctx), current.id, version, &draft)
            .await?,
    ))
}

pub async fn remove_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let current = state.db.outcome(parse_id(&id)?).await?;
    let version = delete_version(query.as_deref(), &body)?;
    state
        .db
        .delete_outcome(&actor(&ctx), current.id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `/api/v1/people`

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use super::institutions::actor;
use super::{delete_version, merge, parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::ApiResult;
use crate::AppState;
use liaison_domain::{FieldErrors, LocalizedText, Person, PersonDraft};
use liaison_storage::{PersonFilter, PERSON_SORTS};

pub const FIELDS: &[&str] = &[
    "name",
    "title",
    "institution_id",
    "org_unit_id",
    "emails",
    "phones",
    "languages",
];
pub const FILTERS: &[&str] = &["institution_id", "org_unit_id"];

pub fn filter_from(query: &ListQuery) -> Result<PersonFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = PersonFilter {
        q: query.q.clone(),
        institution_id: query.filter("institution_id", |v| v.parse().ok(), &mut errors),
        org_unit_id: query.filter("org_unit_id", |v| v.parse().ok(), &mut errors),
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Person>>> {
    let query = ListQuery::parse(raw.as_deref(), PERSON_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .people(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Person>> {
    let person = state.db.person(parse_id(&id)?).await?;
    super::check_record(visible(&ctx, &person), true)?;
    Ok(Json(person))
}

fn visible(ctx: &Ctx, person: &Person) -> bool {
    ctx.user()
        .scope
        .may_read_person(person.draft.institution_id, person.draft.org_unit_id)
}

fn apply(draft: &mut PersonDraft, fields: &mut JsonFields) {
    if let Some(v) = fields.text("name") {
        draft.name = v;
    }
    if let Some(v) = fields.text("title") {
        draft.title = v;
    }
    if let Some(v) = fields.id("institution_id") {
        draft.institution_id = v;
    }
    if let Some(v) = fields.id("org_unit_id") {
        draft.org_unit_id = v;
    }
    for (field, slot) in [
        ("emails", &mut draft.emails),
        ("phones", &mut draft.phones),
        ("languages", &mut draft.languages),
    ] {
        if let Some(v) = fields.take::<Vec<String>>(field) {
            *slot = v;
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let mut draft = PersonDraft {
        name: LocalizedText::default(),
        title: LocalizedText::default(),
        institution_id: None,
        org_unit_id: None,
        emails: Vec::new(),
        phones: Vec::new(),
        languages: Vec::new(),
    };
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    super::check_record(true, ctx.user().scope.may_edit_person(draft.org_unit_id))?;
    let created = state.db.create_person(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Person>> {
    let id = parse_id(&id)?;
    let current = state.db.person(id).await?;
    let scope = &ctx.user().scope;
    super::check_record(
        visible(&ctx, &current),
        scope.may_edit_person(current.draft.org_unit_id),
    )?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    super::check_record(true, scope.may_edit_person(draft.org_unit_id))?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_person(&actor(&ctx), id, version, &draft)
            .await?,
    ))
}

pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    let current = state.db.person(id).await?;
    super::check_record(
        visible(&ctx, &current),
        ctx.user().scope.may_edit_person(current.draft.org_unit_id),
    )?;
    let version = delete_version(query.as_deref(), &body)?;
    state.db.delete_person(&actor(&ctx), id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

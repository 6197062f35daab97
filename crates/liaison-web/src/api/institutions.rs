//! `/api/v1/institutions`

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use super::{delete_version, merge, parse_id, JsonFields, JsonObject, ListQuery};
use crate::auth::Ctx;
use crate::error::ApiResult;
use crate::AppState;
use liaison_domain::{
    CountryCode, FieldErrors, Institution, InstitutionDraft, InstitutionKind, LocalizedText,
    RegionTag, RelationshipStatus,
};
use liaison_storage::{Actor, InstitutionFilter, INSTITUTION_SORTS};

pub const FIELDS: &[&str] = &[
    "kind",
    "name",
    "country",
    "city",
    "website",
    "status",
    "region_tags",
    "hei_id",
    "erasmus_code",
    "social_credit_code",
    "profile",
];
pub const FILTERS: &[&str] = &["country", "kind", "status", "region_tags", "region_tag"];

pub fn actor(ctx: &Ctx) -> Actor {
    let user = ctx.user();
    Actor::user(user.id, &user.email)
}

/// Parses the filter parameters shared by the API and the HTML list.
pub fn filter_from(query: &ListQuery) -> Result<InstitutionFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let country = query.filter("country", CountryCode::parse, &mut errors);
    let kind = query.filter("kind", InstitutionKind::parse, &mut errors);
    let status = query.filter("status", RelationshipStatus::parse, &mut errors);
    let region_tag = query
        .filter("region_tags", RegionTag::parse, &mut errors)
        .or_else(|| query.filter("region_tag", RegionTag::parse, &mut errors));
    errors.into_result(InstitutionFilter {
        q: query.q.clone(),
        country,
        kind,
        status,
        region_tag,
    })
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<axum::response::Response> {
    let query = ListQuery::parse(raw.as_deref(), INSTITUTION_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .institutions_json(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body_json(page, &query))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Institution>> {
    let id = parse_id(&id)?;
    super::check_record(ctx.user().scope.may_read_institution(id), true)?;
    Ok(Json(state.db.institution(id).await?))
}

/// Applies the fields present in `fields` over `draft`.
fn apply(draft: &mut InstitutionDraft, fields: &mut JsonFields) {
    if let Some(v) = fields.choice("kind", InstitutionKind::parse) {
        draft.kind = v;
    }
    if let Some(v) = fields.text("name") {
        draft.name = v;
    }
    if let Some(v) = fields.country("country") {
        draft.country = v;
    }
    if let Some(v) = fields.text("city") {
        draft.city = v;
    }
    if let Some(v) = fields.take("website") {
        draft.website = v;
    }
    if let Some(v) = fields.choice("status", RelationshipStatus::parse) {
        draft.status = v;
    }
    if let Some(v) = fields.choices("region_tags", RegionTag::parse) {
        draft.region_tags = v;
    }
    for (field, slot) in [
        ("hei_id", &mut draft.hei_id),
        ("erasmus_code", &mut draft.erasmus_code),
        ("social_credit_code", &mut draft.social_credit_code),
    ] {
        if let Some(v) = fields.take(field) {
            *slot = v;
        }
    }
    if let Some(v) = fields.text("profile") {
        draft.profile = v;
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let (has_kind, has_country) = (fields.has("kind"), fields.has("country"));
    let mut draft = InstitutionDraft {
        kind: InstitutionKind::University,
        name: LocalizedText::default(),
        country: CountryCode::parse("CN").expect("CN is assigned"),
        city: LocalizedText::default(),
        website: None,
        status: RelationshipStatus::Prospect,
        region_tags: Vec::new(),
        hei_id: None,
        erasmus_code: None,
        social_credit_code: None,
        profile: LocalizedText::default(),
    };
    apply(&mut draft, &mut fields);
    fields.require("kind", has_kind);
    fields.require("country", has_country);
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_institution(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Institution>> {
    let id = parse_id(&id)?;
    let current = state.db.institution(id).await?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_institution(&actor(&ctx), id, version, &draft)
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
    let version = delete_version(query.as_deref(), &body)?;
    state
        .db
        .delete_institution(&actor(&ctx), id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `/api/v1/org-units`

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
use liaison_domain::{FieldErrors, LocalizedText, OrgUnit, OrgUnitDraft, OrgUnitKind};
use liaison_storage::{OrgUnitFilter, ORG_UNIT_SORTS};

pub const FIELDS: &[&str] = &[
    "institution_id",
    "parent_id",
    "kind",
    "name",
    "ounit_id",
    "website",
];
pub const FILTERS: &[&str] = &["institution_id", "parent_id", "kind"];

pub fn filter_from(query: &ListQuery) -> Result<OrgUnitFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = OrgUnitFilter {
        q: query.q.clone(),
        institution_id: query.filter("institution_id", |v| v.parse().ok(), &mut errors),
        parent_id: query.filter("parent_id", |v| v.parse().ok(), &mut errors),
        kind: query.filter("kind", OrgUnitKind::parse, &mut errors),
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<OrgUnit>>> {
    let query = ListQuery::parse(raw.as_deref(), ORG_UNIT_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .org_units(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<OrgUnit>> {
    let unit = state.db.org_unit(parse_id(&id)?).await?;
    super::check_record(
        ctx.user().scope.may_read_unit(unit.draft.institution_id),
        true,
    )?;
    Ok(Json(unit))
}

/// A unit may be placed (created or moved) only below a unit the caller may edit, unless their
/// scope is everything.
fn check_placement(ctx: &Ctx, draft: &OrgUnitDraft) -> ApiResult<()> {
    let scope = &ctx.user().scope;
    let permitted = matches!(scope, liaison_domain::Scope::All)
        || draft.parent_id.is_some_and(|p| scope.may_edit_unit(p));
    super::check_record(true, permitted)
}

fn apply(draft: &mut OrgUnitDraft, fields: &mut JsonFields) {
    if let Some(Some(v)) = fields.id("institution_id") {
        draft.institution_id = v;
    }
    if let Some(v) = fields.id("parent_id") {
        draft.parent_id = v;
    }
    if let Some(v) = fields.choice("kind", OrgUnitKind::parse) {
        draft.kind = v;
    }
    if let Some(v) = fields.text("name") {
        draft.name = v;
    }
    if let Some(v) = fields.take("ounit_id") {
        draft.ounit_id = v;
    }
    if let Some(v) = fields.take("website") {
        draft.website = v;
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let has_institution = fields.has("institution_id");
    let mut draft = OrgUnitDraft {
        institution_id: 0,
        parent_id: None,
        kind: OrgUnitKind::School,
        name: LocalizedText::default(),
        ounit_id: None,
        website: None,
    };
    apply(&mut draft, &mut fields);
    fields.require(
        "institution_id",
        has_institution && draft.institution_id != 0,
    );
    let draft = merge(fields.errors, draft.validate())?;
    check_placement(&ctx, &draft)?;
    let created = state.db.create_org_unit(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<OrgUnit>> {
    let id = parse_id(&id)?;
    let current = state.db.org_unit(id).await?;
    let scope = &ctx.user().scope;
    super::check_record(
        scope.may_read_unit(current.draft.institution_id),
        scope.may_edit_unit(id),
    )?;
    let moved = current.draft.parent_id;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    if draft.parent_id != moved {
        check_placement(&ctx, &draft)?;
    }
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_org_unit(&actor(&ctx), id, version, &draft)
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
    let current = state.db.org_unit(id).await?;
    let scope = &ctx.user().scope;
    super::check_record(
        scope.may_read_unit(current.draft.institution_id),
        scope.may_edit_unit(id),
    )?;
    let version = delete_version(query.as_deref(), &body)?;
    state.db.delete_org_unit(&actor(&ctx), id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

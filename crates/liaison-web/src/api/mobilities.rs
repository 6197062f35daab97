//! `/api/v1/mobilities` (C6, issue 7 "whole-process service") and the lifecycle
//! `POST /api/v1/mobilities/{id}/status`. Office staff reach every record, coordinators their
//! units', partner contacts their institution's, students only their own (others answer 404).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{delete_version, merge, parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use liaison_domain::agreement::{parse_academic_year, MobilityType, StudyLevel};
use liaison_domain::checklist::ChecklistItem;
use liaison_domain::event::iso_date;
use liaison_domain::mobility::{self, MobilityDirection, MobilityStatus, TransitionError};
use liaison_domain::{FieldErrors, Id, Mobility, MobilityDraft, Role, Scope};
use liaison_storage::{
    mobility_visible, MobilityFilter, MobilityReach, StoreError, MOBILITY_SORTS,
};

pub const FIELDS: &[&str] = &[
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
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relation",
    "notes",
];
pub const FILTERS: &[&str] = &[
    "direction",
    "mobility_type",
    "status",
    "level",
    "academic_year",
    "year",
    "institution_id",
    "org_unit_id",
    "person_id",
    "agreement_id",
    "abroad_on",
];

/// What the caller reaches: students their own stays (through the person their account is
/// linked to), coordinators their units', partner contacts their institution's, staff all.
pub fn reach(ctx: &Ctx) -> MobilityReach {
    reach_of(ctx.user())
}

/// [`reach`] of a signed-in account.
pub fn reach_of(user: &liaison_storage::SessionUser) -> MobilityReach {
    if user.role == Role::Student {
        return user
            .person_id
            .map_or(MobilityReach::Nothing, MobilityReach::Person);
    }
    match &user.scope {
        Scope::All => MobilityReach::All,
        Scope::Units(units) => MobilityReach::Units(units.clone()),
        Scope::Institution(id) => MobilityReach::Institution(*id),
        Scope::Nothing => MobilityReach::Nothing,
    }
}

fn id_filter(v: &str) -> Option<Id> {
    v.trim().parse::<Id>().ok().filter(|i| *i > 0)
}

/// Parses the filter parameters shared by the API and the HTML list.
pub fn filter_from(query: &ListQuery) -> Result<MobilityFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = MobilityFilter {
        q: query.q.clone(),
        direction: query.filter("direction", MobilityDirection::parse, &mut errors),
        mobility_type: query.filter("mobility_type", MobilityType::parse, &mut errors),
        status: query.filter("status", MobilityStatus::parse, &mut errors),
        level: query.filter("level", StudyLevel::parse, &mut errors),
        academic_year: query.filter(
            "academic_year",
            |v| parse_academic_year(v).map(|_| v.trim().to_string()),
            &mut errors,
        ),
        year: query.filter(
            "year",
            |v| {
                v.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
            },
            &mut errors,
        ),
        institution_id: query.filter("institution_id", id_filter, &mut errors),
        org_unit_id: query.filter("org_unit_id", id_filter, &mut errors),
        person_id: query.filter("person_id", id_filter, &mut errors),
        agreement_id: query.filter("agreement_id", id_filter, &mut errors),
        abroad_on: query.filter("abroad_on", iso_date::parse, &mut errors),
        ..Default::default()
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Mobility>>> {
    let query = ListQuery::parse(raw.as_deref(), MOBILITY_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .mobilities(&reach(&ctx), &filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

/// The record if the caller reaches it, else 404.
pub async fn visible(state: &AppState, ctx: &Ctx, id: Id) -> ApiResult<Mobility> {
    let m = state.db.mobility(id).await?;
    super::check_record(mobility_visible(&reach(ctx), &m), true)?;
    Ok(m)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Mobility>> {
    Ok(Json(visible(&state, &ctx, parse_id(&id)?).await?))
}

fn take_date(fields: &mut JsonFields, field: &str) -> Option<Option<time::Date>> {
    let raw: Option<String> = fields.take(field)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(s) => match iso_date::parse(s) {
            Some(d) => Some(Some(d)),
            None => {
                fields.errors.push(field, "invalid-date");
                None
            }
        },
    }
}

/// A required id: `null` is reported as required.
fn take_required_id(fields: &mut JsonFields, field: &str) -> Option<Id> {
    match fields.id(field)? {
        Some(v) => Some(v),
        None => {
            fields.errors.push(field, "required");
            None
        }
    }
}

/// Applies the body's fields to `draft`.
fn apply(draft: &mut MobilityDraft, fields: &mut JsonFields) {
    if let Some(v) = take_required_id(fields, "person_id") {
        draft.person_id = v;
    }
    if let Some(v) = fields.choice("direction", MobilityDirection::parse) {
        draft.direction = v;
    }
    if let Some(v) = fields.choice("mobility_type", MobilityType::parse) {
        draft.mobility_type = v;
    }
    if fields.has("level") {
        match fields.take::<Option<String>>("level") {
            Some(None) => draft.level = None,
            Some(Some(raw)) => match StudyLevel::parse_any(&raw) {
                Some(l) => draft.level = Some(l),
                None => fields.errors.push("level", "invalid-choice"),
            },
            None => {}
        }
    }
    if let Some(v) = take_required_id(fields, "home_institution_id") {
        draft.home_institution_id = v;
    }
    if let Some(v) = take_required_id(fields, "host_institution_id") {
        draft.host_institution_id = v;
    }
    if let Some(v) = fields.id("org_unit_id") {
        draft.org_unit_id = v;
    }
    if let Some(v) = fields.id("agreement_id") {
        draft.agreement_id = v;
    }
    if let Some(v) = fields.id("condition_id") {
        draft.condition_id = v;
    }
    if let Some(v) = fields.take::<String>("academic_year") {
        draft.academic_year = v;
    }
    for (name, slot) in [
        ("planned_start", &mut draft.planned_start),
        ("planned_end", &mut draft.planned_end),
    ] {
        match take_date(fields, name) {
            Some(Some(d)) => *slot = d,
            Some(None) => fields.errors.push(name, "required"),
            None => {}
        }
    }
    if let Some(v) = take_date(fields, "actual_start") {
        draft.actual_start = v;
    }
    if let Some(v) = take_date(fields, "actual_end") {
        draft.actual_end = v;
    }
    for (name, slot) in [
        ("emergency_contact_name", &mut draft.emergency_contact_name),
        (
            "emergency_contact_phone",
            &mut draft.emergency_contact_phone,
        ),
        (
            "emergency_contact_relation",
            &mut draft.emergency_contact_relation,
        ),
        ("notes", &mut draft.notes),
    ] {
        if let Some(v) = fields.take::<Option<String>>(name) {
            *slot = v;
        }
    }
}

/// A draft with the required fields unset, for creation (the body must fill them).
pub fn empty_draft() -> MobilityDraft {
    MobilityDraft {
        person_id: 0,
        direction: MobilityDirection::Outgoing,
        mobility_type: MobilityType::StudentStudies,
        level: None,
        home_institution_id: 0,
        host_institution_id: 0,
        org_unit_id: None,
        agreement_id: None,
        condition_id: None,
        academic_year: String::new(),
        planned_start: time::Date::MIN,
        planned_end: time::Date::MIN,
        actual_start: None,
        actual_end: None,
        emergency_contact_name: None,
        emergency_contact_phone: None,
        emergency_contact_relation: None,
        notes: None,
    }
}

/// 404 when a coordinator or partner would create or move a record outside their reach.
pub fn check_reach(ctx: &Ctx, draft: &MobilityDraft) -> ApiResult<()> {
    if reach(ctx).covers(draft) {
        Ok(())
    } else {
        Err(FieldErrors::from(liaison_domain::FieldError::new(
            "org_unit_id",
            "scope-not-allowed",
        ))
        .into())
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, &[FIELDS, &["status"]].concat());
    for required in [
        "person_id",
        "direction",
        "mobility_type",
        "home_institution_id",
        "host_institution_id",
        "academic_year",
        "planned_start",
        "planned_end",
    ] {
        let present = fields.has(required);
        fields.require(required, present);
    }
    let status = if fields.has("status") {
        fields.choice("status", MobilityStatus::parse)
    } else {
        Some(MobilityStatus::Nominated)
    };
    let mut draft = empty_draft();
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let status = status.expect("a bad status is an error above");
    check_reach(&ctx, &draft)?;
    let created = state
        .db
        .create_mobility(&actor(&ctx), &draft, status)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Mobility>> {
    let id = parse_id(&id)?;
    let current = visible(&state, &ctx, id).await?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    check_reach(&ctx, &draft)?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_mobility(&actor(&ctx), id, version, &draft)
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
    visible(&state, &ctx, id).await?;
    let version = delete_version(query.as_deref(), &body)?;
    let documents = state.db.delete_mobility(&actor(&ctx), id, version).await?;
    crate::api::events::forget_files(&state, &documents).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The 422 of an illegal status change: the message names the allowed next states.
pub fn transition_error(e: &TransitionError) -> ApiError {
    let allowed: Vec<&str> = e.allowed.iter().map(|s| s.as_str()).collect();
    let message = format!("status: {e}");
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "validation_failed",
        message: message.clone(),
        details: json!([{"field": "status", "code": "status-not-allowed", "message": message, "allowed": allowed}]),
    }
}

/// Checks a status change against the current record: stale version → 409, illegal → 422.
pub fn check_status_change(current: &Mobility, version: i64, to: MobilityStatus) -> ApiResult<()> {
    if current.version != version {
        return Err(StoreError::Conflict {
            current: current.version,
        }
        .into());
    }
    mobility::transition(current.status, to).map_err(|e| transition_error(&e))
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Mobility>> {
    let id = parse_id(&id)?;
    let current = visible(&state, &ctx, id).await?;
    let mut fields = JsonFields::new(body, &["status", "version", "on"]);
    let has_status = fields.has("status");
    let to = fields.choice("status", MobilityStatus::parse);
    fields.require("status", has_status);
    let on = take_date(&mut fields, "on").flatten();
    let version = fields.version();
    fields.finish()?;
    let (to, version) = (to.expect("checked"), version.expect("checked"));
    check_status_change(&current, version, to)?;
    Ok(Json(
        state
            .db
            .set_mobility_status(&actor(&ctx), id, version, to, on, liaison_storage::today())
            .await?,
    ))
}

/// A stay's checklist (C6 shape of a short list: every item, no paging).
#[derive(serde::Serialize)]
pub struct ChecklistBody {
    pub items: Vec<ChecklistItem>,
}

pub async fn checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<ChecklistBody>> {
    let m = visible(&state, &ctx, parse_id(&id)?).await?;
    Ok(Json(ChecklistBody {
        items: state.db.checklist(m.id).await?,
    }))
}

/// Confirms (`done: true`) or reopens (`done: false`, staff and coordinators) an item.
pub async fn tick(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(String, String)>,
    body: JsonObject,
) -> ApiResult<Json<ChecklistItem>> {
    let m = visible(&state, &ctx, parse_id(&id)?).await?;
    let item = state.db.checklist_item(parse_id(&item)?).await?;
    if item.mobility_id != m.id {
        return Err(ApiError::not_found());
    }
    let mut fields = JsonFields::new(body, &["done", "version"]);
    let has_done = fields.has("done");
    let done: Option<bool> = fields.take("done");
    fields.require("done", has_done);
    let version = fields.version();
    fields.finish()?;
    let (done, version) = (done.expect("checked"), version.expect("checked"));
    let may_reopen =
        liaison_domain::access::allows(ctx.user().role, liaison_domain::Action::EditMobilities);
    if (!done && !may_reopen) || m.status == MobilityStatus::Cancelled {
        return Err(ApiError::forbidden());
    }
    Ok(Json(
        state
            .db
            .set_checklist_item_done(&actor(&ctx), item.id, version, done)
            .await?,
    ))
}

/// Nominates the student of an allocated application: `201` with the stay (status nominated).
pub async fn nominate(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Mobility>)> {
    let mut fields = JsonFields::new(
        body,
        &[
            "application_id",
            "planned_start",
            "planned_end",
            "level",
            "version",
        ],
    );
    let has_application = fields.has("application_id");
    let application = fields.id("application_id").flatten();
    fields.require("application_id", has_application && application.is_some());
    let has_start = fields.has("planned_start");
    let start = take_date(&mut fields, "planned_start").flatten();
    fields.require("planned_start", has_start && start.is_some());
    let has_end = fields.has("planned_end");
    let end = take_date(&mut fields, "planned_end").flatten();
    fields.require("planned_end", has_end && end.is_some());
    let level = if fields.has("level") {
        fields.choice("level", StudyLevel::parse)
    } else {
        None
    };
    let version = fields.version();
    fields.finish()?;
    let input = liaison_domain::nomination::NominationInput {
        planned_start: start.expect("checked"),
        planned_end: end.expect("checked"),
        level,
    };
    let stay = state
        .db
        .nominate(
            &actor(&ctx),
            application.expect("checked"),
            version.expect("checked"),
            &input,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(stay)))
}

/// The partner's answer to a nomination (`accepted`: true or false).
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Mobility>> {
    let m = visible(&state, &ctx, parse_id(&id)?).await?;
    let mut fields = JsonFields::new(body, &["accepted", "version"]);
    let has_accepted = fields.has("accepted");
    let accepted: Option<bool> = fields.take("accepted");
    fields.require("accepted", has_accepted);
    let version = fields.version();
    fields.finish()?;
    if m.status == MobilityStatus::Nominated && !crate::html::nominations::may_answer(&ctx, &m) {
        return Err(ApiError::forbidden());
    }
    Ok(Json(
        state
            .db
            .answer_nomination(
                &actor(&ctx),
                m.id,
                version.expect("checked"),
                accepted.expect("checked"),
            )
            .await?,
    ))
}

// ---- OpenAPI description ----

pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/mobilities")
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn body(op: &mut Map<String, Value>, name: &str) {
    op.insert(
        "requestBody".into(),
        json!({"required": true, "content": {"application/json": {"schema": schema_ref(name)}}}),
    );
}

fn one(description: &str, name: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref(name)}}})
}

fn names<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

pub fn openapi(
    method: &str,
    path: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    let rest = path.trim_start_matches("/api/v1/mobilities");
    if rest.starts_with("/{id}") {
        responses.insert(
            "404".into(),
            error("no such record (or outside your reach)"),
        );
    }
    let id_param = json!({"type": "string", "pattern": "^[0-9]{1,18}$"});
    match (method, rest) {
        ("GET", "") => {
            for name in ["page", "per_page"] {
                parameters.push(json!({"name": name, "in": "query", "schema": {"type": "integer", "minimum": 1}}));
            }
            parameters.push(json!({"name": "q", "in": "query", "description": "part of the person's or an institution's name", "schema": {"type": "string", "maxLength": 200}}));
            let sorts: Vec<String> = MOBILITY_SORTS
                .iter()
                .flat_map(|s| [s.to_string(), format!("-{s}")])
                .collect();
            parameters.push(
                json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts}}),
            );
            parameters.push(json!({"name": "direction", "in": "query", "schema": {"type": "string", "enum": names(MobilityDirection::ALL, MobilityDirection::as_str)}}));
            parameters.push(json!({"name": "mobility_type", "in": "query", "schema": {"type": "string", "enum": names(MobilityType::ALL, MobilityType::as_str)}}));
            parameters.push(json!({"name": "status", "in": "query", "schema": {"type": "string", "enum": names(MobilityStatus::ALL, MobilityStatus::as_str)}}));
            parameters.push(json!({"name": "level", "in": "query", "schema": {"type": "string", "enum": names(StudyLevel::ALL, StudyLevel::as_str)}}));
            parameters.push(json!({"name": "academic_year", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{4}/[0-9]{4}$"}}));
            parameters.push(json!({"name": "year", "in": "query", "description": "stays starting in this calendar year", "schema": {"type": "integer", "minimum": 1900, "maximum": 2200}}));
            for (name, what) in [
                ("institution_id", "stays from or at this institution"),
                ("org_unit_id", "stays this unit looks after"),
                ("person_id", "this person's stays"),
                ("agreement_id", "stays under this agreement"),
            ] {
                parameters.push(
                    json!({"name": name, "in": "query", "description": what, "schema": id_param}),
                );
            }
            parameters.push(json!({"name": "abroad_on", "in": "query", "description": "stays under way on this day", "schema": {"type": "string", "format": "date"}}));
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": schema_ref("Mobility")}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", "") => {
            op.insert("description".into(), json!("Records a stay, by default in status nominated (a stay under way or past may be recorded in its status)."));
            body(op, "MobilityInput");
            responses.insert("201".into(), one("created", "Mobility"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field (end before start, host the same as home, a level on a staff stay, a missing record)"));
        }
        ("GET", "/{id}") => {
            responses.insert("200".into(), one("the stay", "Mobility"));
        }
        ("PATCH", "/{id}") => {
            op.insert(
                "description".into(),
                json!("Changes fields of a stay; the status changes through /status."),
            );
            body(op, "MobilityPatch");
            responses.insert("200".into(), one("updated", "Mobility"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("invalid or unknown field"));
        }
        ("DELETE", "/{id}") => {
            parameters.push(json!({"name": "version", "in": "query", "required": true, "schema": {"type": "integer"}}));
            responses.insert("204".into(), json!({"description": "deleted"}));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("missing version"));
        }
        ("POST", "/nominations") => {
            op.insert("description".into(), json!("Nominates the student of an allocated application to the place they were given: the application moves to nominated and the stay is recorded (status nominated, from the student's institution to the place's partner, for the call's academic year) with its checklist, in one transaction."));
            body(op, "NominationInput");
            responses.insert("201".into(), one("the stay", "Mobility"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("404".into(), error("no such application"));
            responses.insert("409".into(), error("stale version (or already nominated)"));
            responses.insert(
                "422".into(),
                error("invalid field, or the application is not allocated (status)"),
            );
        }
        ("POST", "/{id}/answer") => {
            op.insert("description".into(), json!("The host's answer to a nomination: accepted moves the stay and its application to accepted; rejected cancels the stay and rejects the application. Partner contacts answer for their own institution only."));
            body(op, "NominationAnswer");
            responses.insert("200".into(), one("the stay", "Mobility"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("403".into(), error("not the host's contact"));
            responses.insert("409".into(), error("stale version"));
            responses.insert(
                "422".into(),
                error("invalid field, or the stay is not nominated (status)"),
            );
        }
        ("GET", "/{id}/checklist") => {
            op.insert("description".into(), json!("The stay's whole-process checklist: its items in order, each with its due date, whether it needs a file, the file and when it was confirmed."));
            responses.insert("200".into(), json!({"description": "the checklist", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": schema_ref("ChecklistItem")}}}}}}));
        }
        ("POST", "/{id}/checklist/{item}") => {
            parameters.push(json!({"name": "item", "in": "path", "required": true, "schema": {"type": "string"}}));
            op.insert("description".into(), json!("Confirms an item (done: true) or opens it again (done: false; staff and coordinators only). An item that needs a file cannot be confirmed before its file is uploaded (422 on document_id)."));
            body(op, "ChecklistTick");
            responses.insert("200".into(), one("the item", "ChecklistItem"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert(
                "403".into(),
                error("reopening needs staff; a cancelled stay's checklist is closed"),
            );
            responses.insert("409".into(), error("stale version"));
            responses.insert(
                "422".into(),
                error("invalid field, or the item's file is missing"),
            );
        }
        ("POST", "/{id}/status") => {
            let next: Vec<String> = MobilityStatus::ALL
                .iter()
                .map(|s| {
                    format!(
                        "{s} → {}",
                        s.next()
                            .iter()
                            .map(|n| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            op.insert("description".into(), json!(format!("Moves the stay along its lifecycle. Allowed changes: {}. Moving to abroad confirms the arrival and records the actual start (the day `on`, else today, unless already recorded); moving to returned confirms the return and records the actual end.", next.join("; "))));
            body(op, "MobilityStatusChange");
            responses.insert("200".into(), one("the changed stay", "Mobility"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("illegal status change; the message and details.allowed list the allowed next states"));
        }
        _ => {}
    }
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let statuses = names(MobilityStatus::ALL, MobilityStatus::as_str);
    let directions = names(MobilityDirection::ALL, MobilityDirection::as_str);
    let types = names(MobilityType::ALL, MobilityType::as_str);
    let levels = names(StudyLevel::ALL, StudyLevel::as_str);
    let id_in = json!({"type": ["string", "integer"]});
    let opt_id_in = json!({"type": ["string", "integer", "null"]});
    let date_in = json!({"type": "string", "format": "date"});
    let opt_date_in = json!({"type": ["string", "null"], "format": "date"});
    let text = |max: usize| json!({"type": ["string", "null"], "maxLength": max});
    let fields = json!({
        "person_id": id_in, "direction": {"type": "string", "enum": directions},
        "mobility_type": {"type": "string", "enum": types},
        "level": {"type": ["string", "null"], "enum": [levels[0], levels[1], levels[2], levels[3], null], "description": "students only"},
        "home_institution_id": id_in, "host_institution_id": id_in,
        "org_unit_id": opt_id_in, "agreement_id": opt_id_in, "condition_id": opt_id_in,
        "academic_year": {"type": "string", "description": "2024/2025"},
        "planned_start": date_in, "planned_end": date_in,
        "actual_start": opt_date_in, "actual_end": opt_date_in,
        "emergency_contact_name": text(mobility::NAME_MAX),
        "emergency_contact_phone": text(mobility::PHONE_MAX),
        "emergency_contact_relation": text(mobility::NAME_MAX),
        "notes": text(mobility::NOTES_MAX)
    });
    let mut input = fields.as_object().cloned().unwrap_or_default();
    input.insert("status".into(), json!({"type": "string", "enum": statuses}));
    let mut patch = fields.as_object().cloned().unwrap_or_default();
    patch.insert("version".into(), json!({"type": "integer"}));
    let id_out = json!({"type": "string"});
    let opt_id_out = json!({"type": ["string", "null"]});
    let opt_text_out = json!({"type": ["string", "null"]});
    vec![
        (
            "Mobility",
            json!({"type": "object", "required": ["id", "person_id", "direction", "mobility_type", "home_institution_id",
                "host_institution_id", "academic_year", "planned_start", "planned_end", "status", "version"], "properties": {
                "id": id_out, "person_id": id_out, "direction": {"type": "string", "enum": directions},
                "mobility_type": {"type": "string", "enum": types}, "level": opt_text_out,
                "home_institution_id": id_out, "host_institution_id": id_out, "org_unit_id": opt_id_out,
                "agreement_id": opt_id_out, "condition_id": opt_id_out, "academic_year": {"type": "string"},
                "planned_start": {"type": "string"}, "planned_end": {"type": "string"},
                "actual_start": opt_text_out, "actual_end": opt_text_out,
                "status": {"type": "string", "enum": statuses},
                "arrival_confirmed_at": opt_text_out, "return_confirmed_at": opt_text_out,
                "application_id": opt_id_out,
                "emergency_contact_name": opt_text_out, "emergency_contact_phone": opt_text_out,
                "emergency_contact_relation": opt_text_out, "notes": opt_text_out,
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "MobilityInput",
            json!({"type": "object", "additionalProperties": false, "required": ["person_id", "direction", "mobility_type",
                "home_institution_id", "host_institution_id", "academic_year", "planned_start", "planned_end"], "properties": input}),
        ),
        (
            "MobilityPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": patch}),
        ),
        (
            "NominationInput",
            json!({"type": "object", "additionalProperties": false, "required": ["application_id", "planned_start", "planned_end", "version"], "properties": {
                "application_id": id_in, "planned_start": date_in, "planned_end": date_in,
                "level": {"type": ["string", "null"], "enum": [levels[0], levels[1], levels[2], levels[3], null]},
                "version": {"type": "integer", "description": "the application's version"}}}),
        ),
        (
            "NominationAnswer",
            json!({"type": "object", "additionalProperties": false, "required": ["accepted", "version"], "properties": {
                "accepted": {"type": "boolean"}, "version": {"type": "integer"}}}),
        ),
        (
            "ChecklistItem",
            json!({"type": "object", "required": ["id", "mobility_id", "position", "title", "due_on", "needs_upload", "version"], "properties": {
                "id": id_out, "mobility_id": id_out, "position": {"type": "integer"},
                "title": {"type": "object", "properties": {"en": {"type": "string"}, "zh": {"type": "string"}, "local": {"type": "string"}}},
                "due_on": {"type": "string", "format": "date"}, "needs_upload": {"type": "boolean"},
                "document_id": opt_id_out, "done_at": opt_text_out, "done_by": opt_id_out,
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "ChecklistTick",
            json!({"type": "object", "additionalProperties": false, "required": ["done", "version"], "properties": {
                "done": {"type": "boolean"}, "version": {"type": "integer"}}}),
        ),
        (
            "MobilityStatusChange",
            json!({"type": "object", "additionalProperties": false, "required": ["status", "version"], "properties": {
                "status": {"type": "string", "enum": statuses}, "version": {"type": "integer"},
                "on": {"type": ["string", "null"], "format": "date", "description": "the day of arrival or return (default today)"}}}),
        ),
    ]
}

//! `/api/v1/calls` and `/api/v1/applications` (C6, issue 7), and the allocation run
//! `POST /api/v1/calls/{id}/allocate`. Students reach only their own applications.

use std::borrow::Cow;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{merge, parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use liaison_allocation::{allocate, Id as EngineId, InputBuilder, Reason};
use liaison_domain::access::allows;
use liaison_domain::event::iso_date;
use liaison_domain::exchange::ranking;
use liaison_domain::{
    Action, Application, ApplicationDraft, ApplicationStatus, Call, CallDraft, CallPlace,
    ExplanationLine, FieldError, FieldErrors, Id,
};
use liaison_storage::{
    AllocationRun, ApplicationFilter, CallFilter, APPLICATION_SORTS, CALL_SORTS,
};

pub const CALL_FIELDS: &[&str] = &[
    "title",
    "academic_year",
    "deadline",
    "max_choices",
    "places",
];
pub const CALL_FILTERS: &[&str] = &["academic_year"];
pub const APPLICATION_FIELDS: &[&str] = &[
    "call_id",
    "person_id",
    "choices",
    "score",
    "status",
    "ineligible_reason",
];
/// What a student may send about their own application.
const STUDENT_FIELDS: &[&str] = &["call_id", "person_id", "choices", "status"];
pub const APPLICATION_FILTERS: &[&str] = &["call_id", "person_id", "status"];

/// Office staff see every application; everyone else only their own.
pub fn manages(ctx: &Ctx) -> bool {
    allows(ctx.user().role, Action::ManageCalls)
}

pub async fn list_calls(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Call>>> {
    let query = ListQuery::parse(raw.as_deref(), CALL_SORTS, CALL_FILTERS)?;
    let filter = CallFilter {
        q: query.q.clone(),
        academic_year: query.filters.get("academic_year").cloned(),
    };
    let page = state.db.calls(&filter, &query.sort, &query.page).await?;
    Ok(super::list_body(page, &query))
}

pub async fn show_call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Call>> {
    Ok(Json(state.db.call(parse_id(&id)?).await?))
}

fn read_places(fields: &mut JsonFields) -> Option<Vec<CallPlace>> {
    let raw: Vec<Value> = fields.take("places")?;
    let mut out = Vec::new();
    for (i, v) in raw.iter().enumerate() {
        let Some(obj) = v.as_object() else {
            fields.errors.push(format!("places.{i}"), "invalid-type");
            continue;
        };
        for k in obj.keys() {
            if k != "condition_id" && k != "places" {
                fields
                    .errors
                    .push(format!("places.{i}.{k}"), "unknown-field");
            }
        }
        let condition_id = match obj.get("condition_id") {
            Some(Value::String(s)) => s.parse().ok(),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        let places = obj.get("places").and_then(Value::as_i64);
        match (condition_id, places) {
            (Some(condition_id), Some(places)) => out.push(CallPlace {
                condition_id,
                places,
            }),
            (None, _) => fields
                .errors
                .push(format!("places.{i}.condition_id"), "required"),
            (_, None) => fields.errors.push(format!("places.{i}.places"), "required"),
        }
    }
    Some(out)
}

pub async fn create_call(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, CALL_FIELDS);
    let title = fields.text("title").unwrap_or_default();
    let academic_year: Option<String> = fields.take("academic_year");
    fields.require("academic_year", academic_year.is_some());
    let mut deadline = None;
    if let Some(raw) = fields.take::<Option<String>>("deadline").flatten() {
        match iso_date::parse(&raw) {
            Some(d) => deadline = Some(d),
            None => fields.errors.push("deadline", "invalid-date"),
        }
    }
    let max_choices = fields.take::<i64>("max_choices").unwrap_or(3);
    let places = read_places(&mut fields).unwrap_or_default();
    let draft = CallDraft {
        title,
        academic_year: academic_year.unwrap_or_default(),
        deadline,
        max_choices,
        places,
    };
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_call(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

fn filter_from(ctx: &Ctx, query: &ListQuery) -> Result<ApplicationFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut filter = ApplicationFilter {
        call_id: query.filter("call_id", |v| v.parse().ok(), &mut errors),
        person_id: query.filter("person_id", |v| v.parse().ok(), &mut errors),
        status: query.filter("status", ApplicationStatus::parse, &mut errors),
        nothing: false,
    };
    if !manages(ctx) {
        match ctx.user().person_id {
            Some(own) => filter.person_id = Some(own),
            None => filter.nothing = true,
        }
    }
    errors.into_result(filter)
}

pub async fn list_applications(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Application>>> {
    let query = ListQuery::parse(raw.as_deref(), APPLICATION_SORTS, APPLICATION_FILTERS)?;
    let filter = filter_from(&ctx, &query)?;
    let page = state
        .db
        .applications(&filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

pub fn visible(ctx: &Ctx, a: &Application) -> bool {
    manages(ctx) || ctx.user().person_id == Some(a.draft.person_id)
}

pub async fn load_application(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<Application> {
    let a = state.db.application(parse_id(id)?).await?;
    super::check_record(visible(ctx, &a), true)?;
    Ok(a)
}

pub async fn show_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Application>> {
    Ok(Json(load_application(&state, &ctx, &id).await?))
}

fn read_choices(fields: &mut JsonFields) -> Option<Vec<Id>> {
    let raw: Vec<Value> = fields.take("choices")?;
    let mut out = Vec::new();
    for (i, v) in raw.iter().enumerate() {
        match v {
            Value::String(s) if s.parse::<i64>().is_ok() => out.push(s.parse().unwrap_or(0)),
            Value::Number(n) if n.as_i64().is_some() => out.push(n.as_i64().unwrap_or(0)),
            _ => fields.errors.push(format!("choices.{i}"), "invalid-type"),
        }
    }
    Some(out)
}

/// Applies the body's fields to `draft` (only those the caller may send).
fn apply(ctx: &Ctx, draft: &mut ApplicationDraft, fields: &mut JsonFields) {
    if let Some(Some(v)) = fields.id("call_id") {
        draft.call_id = v;
    }
    if let Some(v) = fields.id("person_id") {
        match v {
            Some(p) if manages(ctx) => draft.person_id = p,
            Some(p) if Some(p) == ctx.user().person_id => {}
            _ => fields.errors.push("person_id", "invalid-choice"),
        }
    }
    if let Some(v) = read_choices(fields) {
        draft.choices = v;
    }
    if let Some(v) = fields.take::<Option<i64>>("score") {
        draft.score = v;
    }
    if let Some(v) = fields.choice("status", ApplicationStatus::parse) {
        draft.status = v;
    }
    if let Some(v) = fields.take::<Option<String>>("ineligible_reason") {
        draft.ineligible_reason = v;
    }
}

/// Refuses the fields a student may not send, and status changes other than their own.
fn student_limits(
    ctx: &Ctx,
    body: &JsonObject,
    before: Option<&ApplicationDraft>,
) -> ApiResult<()> {
    if manages(ctx) {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    for k in body.0.keys() {
        if APPLICATION_FIELDS.contains(&k.as_str()) && !STUDENT_FIELDS.contains(&k.as_str()) {
            errors.push(k.clone(), "office-only");
        }
    }
    if let Some(s) = body.0.get("status").and_then(Value::as_str) {
        if !["draft", "submitted", "withdrawn"].contains(&s) {
            errors.push("status", "office-only");
        }
    }
    if let Some(b) = before {
        if body.0.contains_key("choices") && !b.status.is_editable_by_student() {
            errors.push("choices", "locked");
        }
    }
    if ctx.user().person_id.is_none() {
        errors.push("person_id", "no-linked-person");
    }
    errors.into_result(()).map_err(ApiError::from)
}

pub async fn create_application(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    student_limits(&ctx, &body, None)?;
    let mut fields = JsonFields::new(body, APPLICATION_FIELDS);
    let mut draft = ApplicationDraft {
        call_id: 0,
        person_id: ctx.user().person_id.unwrap_or(0),
        choices: Vec::new(),
        score: None,
        status: ApplicationStatus::Submitted,
        ineligible_reason: None,
    };
    let has_call = fields.has("call_id");
    let has_person = fields.has("person_id") || !manages(&ctx);
    apply(&ctx, &mut draft, &mut fields);
    fields.require("call_id", has_call);
    fields.require("person_id", has_person);
    fields.finish()?;
    if !matches!(
        draft.status,
        ApplicationStatus::Draft | ApplicationStatus::Submitted
    ) {
        return Err(FieldErrors::from(FieldError::new("status", "invalid-choice")).into());
    }
    let created = state.db.create_application(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Application>> {
    let current = load_application(&state, &ctx, &id).await?;
    student_limits(&ctx, &body, Some(&current.draft))?;
    let mut fields = JsonFields::new(body, &[APPLICATION_FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft.clone();
    apply(&ctx, &mut draft, &mut fields);
    if draft.call_id != current.draft.call_id {
        fields.errors.push("call_id", "immutable");
    }
    if draft.person_id != current.draft.person_id {
        fields.errors.push("person_id", "immutable");
    }
    fields.finish()?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_application(&actor(&ctx), current.id, version, &draft)
            .await?,
    ))
}

fn student_key(id: Id) -> String {
    format!("a{id}")
}

fn program_key(id: Id) -> String {
    format!("c{id}")
}

/// Runs the allocation for a call: eligible applications propose along their choices; every
/// place has its places for the year and ranks the eligible applicants by score (ties: earlier
/// application first). Stores the frozen input, the result and each application's outcome.
pub async fn run_allocation(state: &AppState, ctx: &Ctx, call_id: Id) -> ApiResult<AllocationRun> {
    let call = state.db.call(call_id).await?;
    let apps: Vec<Application> = state
        .db
        .call_applications(call_id)
        .await?
        .into_iter()
        .filter(|a| a.draft.status.is_allocatable())
        .collect();
    let order = ranking(
        &apps
            .iter()
            .map(|a| (a.id, a.draft.score))
            .collect::<Vec<_>>(),
    );
    let students: Vec<Value> = apps
        .iter()
        .map(|a| {
            json!({"id": student_key(a.id),
                   "prefs": a.draft.choices.iter().map(|c| program_key(*c)).collect::<Vec<_>>()})
        })
        .collect();
    let ranking_keys: Vec<String> = order.iter().map(|id| student_key(*id)).collect();
    let programs: Vec<Value> = call
        .draft
        .places
        .iter()
        .map(|p| json!({"id": program_key(p.condition_id), "capacity": p.places, "ranking": ranking_keys}))
        .collect();
    let input = json!({"students": students, "programs": programs});

    let mut builder = InputBuilder::new();
    let eid = |s: String| EngineId::new(Cow::Owned(s));
    for a in &apps {
        let prefs: Vec<EngineId> = a
            .draft
            .choices
            .iter()
            .map(|c| eid(program_key(*c)))
            .collect();
        builder.add_student(eid(student_key(a.id)), &prefs);
    }
    let ranked: Vec<EngineId> = ranking_keys.iter().map(|k| eid(k.clone())).collect();
    for p in &call.draft.places {
        builder.add_program(eid(program_key(p.condition_id)), p.places, &ranked);
    }
    let problem = builder.finish().map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_allocation_input",
            format!("the call's data cannot be allocated: {e:?}"),
        )
    })?;
    let alloc = allocate(&problem.instance);
    let program_id = |p: u32| -> Id {
        problem.program_ids[p as usize][1..]
            .parse()
            .expect("program keys are c<id>")
    };
    let mut assignment = Map::new();
    let mut explanations = Map::new();
    let mut outcomes = Vec::new();
    for (s, key) in problem.student_ids.iter().enumerate() {
        let app_id: Id = key[1..].parse().expect("student keys are a<id>");
        let got = alloc.assignment(s).map(program_id);
        assignment.insert(
            key.to_string(),
            got.map_or(Value::Null, |c| Value::String(c.to_string())),
        );
        let lines: Vec<ExplanationLine> = alloc
            .explain(&problem.instance, s)
            .map(|e| {
                let (reason, cutoff, your_rank) = match e.reason {
                    Reason::NotRanked => ("not_ranked", None, None),
                    Reason::NoPlaces => ("no_places", None, None),
                    Reason::Full { cutoff, rank } => ("full", Some(cutoff), Some(rank)),
                };
                ExplanationLine {
                    condition_id: program_id(e.program),
                    reason: reason.into(),
                    cutoff,
                    your_rank,
                }
            })
            .collect();
        explanations.insert(key.to_string(), json!(lines));
        outcomes.push((app_id, got, lines));
    }
    let mut cutoffs = Map::new();
    for (p, key) in problem.program_ids.iter().enumerate() {
        cutoffs.insert(
            program_id(p as u32).to_string(),
            alloc.cutoff(p).map_or(Value::Null, |c| json!(c)),
        );
        let _ = key;
    }
    let result =
        json!({"assignment": assignment, "cutoffs": cutoffs, "explanations": explanations});
    Ok(state
        .db
        .store_allocation_run(&actor(ctx), call_id, &input, &result, &outcomes)
        .await?)
}

pub async fn allocate_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let run = run_allocation(&state, &ctx, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(run)))
}

// ---- OpenAPI description of /api/v1/calls and /api/v1/applications ----

/// Whether `path` is described here.
pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/calls") || path.starts_with("/api/v1/applications")
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub fn openapi(
    method: &str,
    path: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    let schema = if path.starts_with("/api/v1/calls") {
        "Call"
    } else {
        "Application"
    };
    let _ = &parameters;
    if path.ends_with("/allocate") {
        op.insert("description".into(), json!("Runs the allocation for the call (student-proposing deferred acceptance over the eligible applications; each place ranks applicants by score, ties by the earlier application) and stores the frozen input, the result, cut-offs and explanations. The same data always gives the same result."));
        responses.insert("201".into(), json!({"description": "the stored run", "content": {"application/json": {"schema": reference("AllocationRun")}}}));
        responses.insert("404".into(), error("no such call"));
        responses.insert("422".into(), error("the call's data cannot be allocated"));
        return;
    }
    let with_id = path.ends_with("{id}");
    match (method, with_id) {
        ("GET", false) => {
            for name in ["page", "per_page"] {
                parameters.push(json!({"name": name, "in": "query", "schema": {"type": "integer", "minimum": 1}}));
            }
            parameters.push(
                json!({"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}}),
            );
            let (sorts, filters) = if schema == "Call" {
                (CALL_SORTS, CALL_FILTERS)
            } else {
                (APPLICATION_SORTS, APPLICATION_FILTERS)
            };
            let sorts: Vec<String> = sorts
                .iter()
                .flat_map(|s| [s.to_string(), format!("-{s}")])
                .collect();
            parameters.push(
                json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts}}),
            );
            for f in filters {
                parameters.push(json!({"name": f, "in": "query", "schema": {"type": "string"}}));
            }
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": reference(schema)}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("GET", true) => {
            responses.insert("200".into(), json!({"description": "the record", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("404".into(), error("no such record, or not yours"));
        }
        ("POST", false) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{schema}Input"))}}}));
            responses.insert("201".into(), json!({"description": "created", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field (a choice twice, a choice outside the call, applying twice…)"));
        }
        ("PATCH", true) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{schema}Patch"))}}}));
            responses.insert("200".into(), json!({"description": "updated", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("404".into(), error("no such record, or not yours"));
            responses.insert("409".into(), error("stale version"));
            responses.insert(
                "422".into(),
                error("invalid or unknown field, or an illegal status change"),
            );
        }
        _ => {}
    }
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let statuses: Vec<&str> = ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect();
    let localized = json!({"type": ["object", "null"], "additionalProperties": false, "properties": {
        "en": {"type": ["string", "null"]}, "zh": {"type": ["string", "null"]}, "local": {"type": ["string", "null"]}}});
    let id_in = json!({"type": ["string", "integer"]});
    let place_in = json!({"type": "object", "additionalProperties": false, "required": ["condition_id", "places"], "properties": {
        "condition_id": id_in, "places": {"type": "integer", "minimum": 0}}});
    let call_fields = json!({
        "title": localized,
        "academic_year": {"type": "string", "description": "2025/2026"},
        "deadline": {"type": ["string", "null"], "format": "date"},
        "max_choices": {"type": "integer", "minimum": 1, "maximum": liaison_domain::exchange::CHOICES_MAX},
        "places": {"type": "array", "items": place_in, "minItems": 1}
    });
    let app_fields = json!({
        "call_id": id_in, "person_id": id_in,
        "choices": {"type": "array", "items": id_in, "description": "condition ids of the call's places, most wanted first"},
        "score": {"type": ["integer", "null"], "minimum": 0, "maximum": liaison_domain::exchange::SCORE_MAX},
        "status": {"type": "string", "enum": statuses},
        "ineligible_reason": {"type": ["string", "null"]}
    });
    let mut app_patch = app_fields.as_object().cloned().unwrap_or_default();
    app_patch.insert("version".into(), json!({"type": "integer"}));
    let line = json!({"type": "object", "required": ["condition_id", "reason"], "properties": {
        "condition_id": {"type": "string"}, "reason": {"type": "string", "enum": ["not_ranked", "no_places", "full"]},
        "cutoff": {"type": "integer"}, "your_rank": {"type": "integer"}}});
    vec![
        (
            "Call",
            json!({"type": "object", "required": ["id", "title", "academic_year", "max_choices", "places", "version"], "properties": {
                "id": {"type": "string"}, "title": {"type": "object"}, "academic_year": {"type": "string"},
                "deadline": {"type": ["string", "null"]}, "max_choices": {"type": "integer"},
                "places": {"type": "array", "items": {"type": "object", "properties": {
                    "condition_id": {"type": "string"}, "places": {"type": "integer"}}}},
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "CallInput",
            json!({"type": "object", "additionalProperties": false, "required": ["title", "academic_year", "places"], "properties": call_fields}),
        ),
        (
            "Application",
            json!({"type": "object", "required": ["id", "call_id", "person_id", "choices", "status", "explanation", "version"], "properties": {
                "id": {"type": "string"}, "call_id": {"type": "string"}, "person_id": {"type": "string"},
                "choices": {"type": "array", "items": {"type": "string"}},
                "score": {"type": ["integer", "null"]}, "status": {"type": "string", "enum": statuses},
                "ineligible_reason": {"type": ["string", "null"]},
                "allocated_condition_id": {"type": ["string", "null"]},
                "explanation": {"type": "array", "items": line},
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "ApplicationInput",
            json!({"type": "object", "additionalProperties": false, "required": ["call_id"], "properties": app_fields}),
        ),
        (
            "ApplicationPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": app_patch}),
        ),
        (
            "AllocationRun",
            json!({"type": "object", "required": ["id", "call_id", "input", "result"], "properties": {
                "id": {"type": "string"}, "call_id": {"type": "string"},
                "input": {"type": "object", "description": "the frozen engine input (C4 shape)"},
                "result": {"type": "object", "description": "assignment (application → place), cutoffs (place → rank or null), explanations (application → lines)"},
                "created_by": {"type": "string"}, "created_at": {"type": "string"}}}),
        ),
    ]
}

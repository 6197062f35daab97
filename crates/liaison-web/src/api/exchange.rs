//! `/api/v1/calls` and `/api/v1/applications` (C6, issue 7), and the allocation run
//! `POST /api/v1/calls/{id}/allocate`. Students reach only their own applications.

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
use liaison_domain::access::allows;
use liaison_domain::event::iso_date;
use liaison_domain::{
    Action, ApplicantFacts, Application, ApplicationDraft, ApplicationStatus, Call, CallDraft,
    CallPlace, CallWindow, EligibilityRules, FieldError, FieldErrors, Id, ScoringRule,
};
use liaison_storage::{
    AllocationRun, ApplicationFilter, CallFilter, StoreError, APPLICATION_SORTS, CALL_SORTS,
};

pub const CALL_FIELDS: &[&str] = &[
    "title",
    "description",
    "academic_year",
    "opens_on",
    "deadline",
    "max_choices",
    "places",
    "rules",
    "scoring",
];
pub const CALL_FILTERS: &[&str] = &["academic_year"];
pub const APPLICATION_FIELDS: &[&str] = &[
    "call_id",
    "person_id",
    "choices",
    "gpa",
    "language_level",
    "certificate",
    "year_of_study",
    "major",
    "interview_score",
    "status",
    "ineligible_reason",
];
/// What a student may send about their own application.
const STUDENT_FIELDS: &[&str] = &[
    "call_id",
    "person_id",
    "choices",
    "gpa",
    "language_level",
    "certificate",
    "year_of_study",
    "major",
    "status",
];
/// The fields whose change by a student submits the application again.
const RESUBMITTING: &[&str] = &[
    "choices",
    "gpa",
    "language_level",
    "certificate",
    "year_of_study",
    "major",
];

/// Today (UTC), for the call's application window.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// A student may apply or change an application only while the call is open.
pub fn window_error(call: &CallDraft) -> Option<FieldError> {
    match call.window(today()) {
        CallWindow::Open => None,
        CallWindow::NotYetOpen => Some(FieldError::new("call_id", "not-open-yet")),
        CallWindow::Closed => Some(FieldError::new("call_id", "deadline-passed")),
    }
}
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

fn date_field(fields: &mut JsonFields, name: &str) -> Option<Option<time::Date>> {
    let raw = fields.take::<Option<String>>(name)?;
    match raw {
        None => Some(None),
        Some(raw) => match iso_date::parse(&raw) {
            Some(d) => Some(Some(d)),
            None => {
                fields.errors.push(name, "invalid-date");
                None
            }
        },
    }
}

/// Applies the body's call fields to `draft`.
fn read_call(fields: &mut JsonFields, draft: &mut CallDraft) {
    if let Some(v) = fields.text("title") {
        draft.title = v;
    }
    if let Some(v) = fields.text("description") {
        draft.description = v;
    }
    if let Some(v) = fields.take::<String>("academic_year") {
        draft.academic_year = v;
    }
    if let Some(v) = date_field(fields, "opens_on") {
        draft.opens_on = v;
    }
    if let Some(v) = date_field(fields, "deadline") {
        draft.deadline = v;
    }
    if let Some(v) = fields.take::<i64>("max_choices") {
        draft.max_choices = v;
    }
    if let Some(v) = read_places(fields) {
        draft.places = v;
    }
    if let Some(v) = fields.take::<EligibilityRules>("rules") {
        draft.rules = v;
    }
    if let Some(v) = fields.take::<ScoringRule>("scoring") {
        draft.scoring = v;
    }
}

pub async fn create_call(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, CALL_FIELDS);
    let has_year = fields.has("academic_year");
    let mut draft = CallDraft {
        title: Default::default(),
        description: Default::default(),
        academic_year: String::new(),
        opens_on: None,
        deadline: None,
        max_choices: 3,
        places: Vec::new(),
        rules: EligibilityRules::default(),
        scoring: ScoringRule::default(),
    };
    read_call(&mut fields, &mut draft);
    fields.require("academic_year", has_year);
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_call(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Call>> {
    let current = state.db.call(parse_id(&id)?).await?;
    let mut fields = JsonFields::new(body, &[CALL_FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft.clone();
    read_call(&mut fields, &mut draft);
    let draft = merge(fields.errors, draft.validate())?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_call(&actor(&ctx), current.id, version, &draft)
            .await?,
    ))
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
    if let Some(v) = fields.take::<Option<f64>>("gpa") {
        draft.facts.gpa = v;
    }
    if let Some(v) = fields.take::<Option<String>>("language_level") {
        draft.facts.language_level = match v {
            None => None,
            Some(raw) => match liaison_domain::exchange::CefrLevel::parse(&raw) {
                Some(l) => Some(l),
                None => {
                    fields.errors.push("language_level", "invalid-choice");
                    None
                }
            },
        };
    }
    if let Some(v) = fields.take::<Option<String>>("certificate") {
        draft.facts.certificate = v;
    }
    if let Some(v) = fields.take::<Option<i64>>("year_of_study") {
        draft.facts.year_of_study = v;
    }
    if let Some(v) = fields.take::<Option<String>>("major") {
        draft.facts.major = v;
    }
    if let Some(v) = fields.take::<Option<i64>>("interview_score") {
        draft.interview_score = v;
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
        for k in RESUBMITTING {
            if body.0.contains_key(*k) && !b.status.is_editable_by_student() {
                errors.push(*k, "locked");
            }
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
        facts: ApplicantFacts::default(),
        interview_score: None,
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
    if !manages(&ctx) {
        let call = state.db.call(draft.call_id).await.map_err(|e| match e {
            StoreError::NotFound => {
                ApiError::from(FieldErrors::from(FieldError::new("call_id", "not-found")))
            }
            e => e.into(),
        })?;
        if let Some(e) = window_error(&call.draft) {
            return Err(FieldErrors::from(e).into());
        }
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
    let resubmits = !manages(&ctx)
        && RESUBMITTING.iter().any(|k| body.0.contains_key(*k))
        && !body.0.contains_key("status");
    // Changing choices or facts needs the call open; withdrawing does not.
    if !manages(&ctx) && RESUBMITTING.iter().any(|k| body.0.contains_key(*k)) {
        let call = state.db.call(current.draft.call_id).await?;
        if let Some(e) = window_error(&call.draft) {
            return Err(FieldErrors::from(e).into());
        }
    }
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
    if resubmits && draft.status != ApplicationStatus::Draft {
        draft.status = ApplicationStatus::Submitted;
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

/// Runs the allocation for a call as a preview: the eligible (and so far unplaced) applications
/// propose along their choices; every place has its capacity (the call's places within what the
/// condition has left for the year, less places already held in this call) and ranks the
/// applicants by the call's scoring rule ([`ranking`]: total, then interview, GPA, language
/// level, earlier application). Stores the frozen input, the result with cut-offs (rank and
/// score) and explanations. `version`: the call's version the caller saw (None: the current
/// one); a run started on an older version is refused as a conflict.
pub async fn run_allocation(
    state: &AppState,
    ctx: &Ctx,
    call_id: Id,
    version: Option<i64>,
) -> ApiResult<AllocationRun> {
    let inputs = state.db.allocation_inputs(call_id).await?;
    let call = &inputs.call;
    let version = version.unwrap_or(call.version);
    let run = liaison_domain::exchange::allocation_run(
        &inputs.applications,
        &inputs.capacities,
        &call.draft.scoring,
        inputs.round,
        version,
    )
    .map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_allocation_input",
            format!("the call's data cannot be allocated: {e}"),
        )
    })?;
    let (input, frozen, result) = (run.input, run.frozen, run.result);
    Ok(state
        .db
        .store_allocation_run(&actor(ctx), call_id, version, &input, &frozen, &result)
        .await?)
}

pub async fn allocate_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<impl IntoResponse> {
    let mut version = None;
    if !body.iter().all(u8::is_ascii_whitespace) {
        let body = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => JsonObject(map),
            _ => return Err(ApiError::bad_request("the body must be a JSON object")),
        };
        let mut fields = JsonFields::new(body, &["version"]);
        version = fields.take::<i64>("version");
        fields.finish()?;
    }
    let run = run_allocation(&state, &ctx, parse_id(&id)?, version).await?;
    Ok((StatusCode::CREATED, Json(run)))
}

pub async fn latest_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<AllocationRun>> {
    let id = parse_id(&id)?;
    state.db.call(id).await?;
    match state.db.latest_allocation_run(id).await? {
        Some(r) => Ok(Json(r)),
        None => Err(StoreError::NotFound.into()),
    }
}

pub async fn publish_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<AllocationRun>> {
    let mut fields = JsonFields::new(body, &["run_id"]);
    let run = fields.id("run_id").flatten();
    fields.require("run_id", run.is_some());
    fields.finish()?;
    let call_id = parse_id(&id)?;
    Ok(Json(
        state
            .db
            .publish_allocation_run(&actor(&ctx), call_id, run.unwrap_or(0))
            .await?,
    ))
}

pub async fn list_quotas(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let mut year = String::new();
    let mut errors = FieldErrors::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "academic_year" => year = v.into_owned(),
            "lang" => {}
            other => errors.push(other.to_string(), "unknown-field"),
        }
    }
    errors.into_result(())?;
    if liaison_domain::agreement::parse_academic_year(&year).is_none() {
        return Err(
            FieldErrors::from(FieldError::new("academic_year", "invalid-academic-year")).into(),
        );
    }
    let items = state.db.quotas(&year).await?;
    Ok(Json(json!({"items": items, "total": items.len()})))
}

pub async fn override_quota(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(
        body,
        &[
            "condition_id",
            "academic_year",
            "places",
            "reason",
            "version",
        ],
    );
    let condition = fields.id("condition_id").flatten();
    fields.require("condition_id", condition.is_some());
    let year: Option<String> = fields.take("academic_year");
    fields.require("academic_year", year.is_some());
    let places: Option<i64> = fields.take("places");
    fields.require("places", places.is_some());
    let reason: Option<String> = fields.take("reason");
    fields.require("reason", reason.is_some());
    let version: Option<i64> = fields.take("version");
    fields.finish()?;
    let saved = state
        .db
        .set_quota_override(
            &actor(&ctx),
            condition.unwrap_or(0),
            &year.unwrap_or_default(),
            places.unwrap_or(0),
            &reason.unwrap_or_default(),
            version,
        )
        .await?;
    Ok((StatusCode::OK, Json(saved)))
}

// ---- OpenAPI description of /api/v1/calls and /api/v1/applications ----

/// Whether `path` is described here.
pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/calls")
        || path.starts_with("/api/v1/applications")
        || path.starts_with("/api/v1/quotas")
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
    if path == "/api/v1/quotas" {
        if method == "GET" {
            op.insert("description".into(), json!("Every cooperation condition in force in the academic year with its places (a staff override if any), the places used (allocated, nominated or accepted applications in calls of that year) and the places remaining."));
            parameters.push(json!({"name": "academic_year", "in": "query", "required": true, "schema": {"type": "string", "example": "2025/2026"}}));
            responses.insert("200".into(), json!({"description": "the quotas", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total"], "properties": {
                    "items": {"type": "array", "items": reference("Quota")}, "total": {"type": "integer"}}}}}}));
            responses.insert(
                "422".into(),
                error("missing or invalid academic year, unknown parameter"),
            );
        } else {
            op.insert("description".into(), json!("Sets a condition's places for one academic year, overriding its places per year. A reason is required; the change is recorded in the audit log. Send the override's `version` when replacing one."));
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference("QuotaOverrideInput")}}}));
            responses.insert("200".into(), json!({"description": "the override", "content": {"application/json": {"schema": reference("QuotaOverride")}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert(
                "409".into(),
                error("the override changed since (stale or missing version)"),
            );
            responses.insert(
                "422".into(),
                error("missing reason, places out of range, unknown condition"),
            );
        }
        return;
    }
    if path.ends_with("/allocate") {
        op.insert("description".into(), json!("Runs the allocation for the call as a preview (applications do not change until it is published): student-proposing deferred acceptance over the eligible and unplaced applications; each place's capacity is the call's places within what the condition has left for the year, less places already held in this call (a later round shares only freed places); every place ranks applicants by total score, ties by interview score, GPA, language level, then the earlier application. Stores the frozen input, the result, cut-offs (rank and score) and explanations. The same data always gives the same result. Send the call `version` you saw: a run started on an older version (e.g. two runs at once) is refused with 409."));
        op.insert("requestBody".into(), json!({"required": false, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false, "properties": {"version": {"type": "integer"}}}}}}));
        responses.insert("201".into(), json!({"description": "the stored run (a preview)", "content": {"application/json": {"schema": reference("AllocationRun")}}}));
        responses.insert("404".into(), error("no such call"));
        responses.insert(
            "409".into(),
            error("the call changed since the version sent (another run came first)"),
        );
        responses.insert("422".into(), error("the call's data cannot be allocated"));
        return;
    }
    if path.ends_with("/allocation") {
        op.insert(
            "description".into(),
            json!("The call's latest allocation run (preview or published)."),
        );
        responses.insert("200".into(), json!({"description": "the run", "content": {"application/json": {"schema": reference("AllocationRun")}}}));
        responses.insert("404".into(), error("no such call, or no run yet"));
        return;
    }
    if path.ends_with("/publish") {
        op.insert("description".into(), json!("Publishes a preview run: each application in it becomes allocated (with its place) or unplaced, with its explanation, which the student then sees. Refused with 409 when the run is not the latest, is published already, or its inputs changed since; with 422 when other calls took places meanwhile so a condition would exceed its places for the year."));
        op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false, "required": ["run_id"], "properties": {"run_id": {"type": ["string", "integer"]}}}}}}));
        responses.insert("200".into(), json!({"description": "the published run", "content": {"application/json": {"schema": reference("AllocationRun")}}}));
        responses.insert("400".into(), error("malformed JSON"));
        responses.insert("404".into(), error("no such call or run"));
        responses.insert(
            "409".into(),
            error("not the latest run, published already, or its inputs changed"),
        );
        responses.insert(
            "422".into(),
            error("a condition would exceed its places for the year"),
        );
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
    let levels: Vec<&str> = liaison_domain::exchange::CefrLevel::ALL
        .iter()
        .map(|l| l.as_str())
        .collect();
    let rules = json!({"type": "object", "additionalProperties": false, "properties": {
        "min_gpa": {"type": ["number", "null"], "minimum": 0, "description": "on the call's GPA scale (scoring.gpa_max)"},
        "min_language_level": {"type": ["string", "null"], "enum": levels.iter().map(|l| Value::from(*l)).chain([Value::Null]).collect::<Vec<_>>()},
        "certificates": {"type": "array", "items": {"type": "string"}, "description": "accepted language certificates (case-insensitive); empty: any"},
        "years_of_study": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 8}, "description": "empty: any"},
        "majors": {"type": "array", "items": {"type": "string"}, "description": "empty: any"}}});
    let scoring = json!({"type": "object", "additionalProperties": false,
        "required": ["gpa_weight", "language_weight", "interview_weight", "gpa_max"],
        "description": "weights in percent adding up to 100; total = gpa_weight × GPA/gpa_max + language_weight × level/6 (A1 = 1 … C2 = 6) + interview_weight × interview/100, two decimals; ties: interview, GPA, language level, earlier application",
        "properties": {
        "gpa_weight": {"type": "integer", "minimum": 0, "maximum": 100},
        "language_weight": {"type": "integer", "minimum": 0, "maximum": 100},
        "interview_weight": {"type": "integer", "minimum": 0, "maximum": 100},
        "gpa_max": {"type": "number", "exclusiveMinimum": 0, "maximum": 100}}});
    let call_fields = json!({
        "title": localized,
        "description": localized,
        "academic_year": {"type": "string", "description": "2025/2026"},
        "opens_on": {"type": ["string", "null"], "format": "date"},
        "deadline": {"type": ["string", "null"], "format": "date", "description": "students may apply and change their application up to this day"},
        "max_choices": {"type": "integer", "minimum": 1, "maximum": liaison_domain::exchange::CHOICES_MAX},
        "places": {"type": "array", "items": place_in, "minItems": 1, "description": "conditions in force in the year; places at most the condition's places for the year"},
        "rules": rules,
        "scoring": scoring
    });
    let mut call_patch = call_fields.as_object().cloned().unwrap_or_default();
    call_patch.insert("version".into(), json!({"type": "integer"}));
    let facts = json!({
        "gpa": {"type": ["number", "null"], "minimum": 0},
        "language_level": {"type": ["string", "null"], "enum": levels.iter().map(|l| Value::from(*l)).chain([Value::Null]).collect::<Vec<_>>()},
        "certificate": {"type": ["string", "null"], "maxLength": liaison_domain::exchange::CERTIFICATE_MAX},
        "year_of_study": {"type": ["integer", "null"], "minimum": 1, "maximum": 8},
        "major": {"type": ["string", "null"], "maxLength": liaison_domain::exchange::MAJOR_MAX}
    });
    let mut app_fields = json!({
        "call_id": id_in, "person_id": id_in,
        "choices": {"type": "array", "items": id_in, "description": "condition ids of the call's places, most wanted first"},
        "interview_score": {"type": ["integer", "null"], "minimum": 0, "maximum": liaison_domain::exchange::SCORE_MAX, "description": "office only"},
        "status": {"type": "string", "enum": statuses, "description": "students: draft, submitted or withdrawn; a submitted application is checked by the call's rules at once (eligible or ineligible)"},
        "ineligible_reason": {"type": ["string", "null"], "description": "office only"}
    });
    if let (Some(a), Some(f)) = (app_fields.as_object_mut(), facts.as_object()) {
        a.extend(f.clone());
    }
    let mut app_patch = app_fields.as_object().cloned().unwrap_or_default();
    app_patch.insert("version".into(), json!({"type": "integer"}));
    let failed = json!({"type": "object", "required": ["rule"], "properties": {
        "rule": {"type": "string", "enum": ["min_gpa", "language_level", "certificate", "year_of_study", "major"]},
        "required": {"description": "what the call asks (number, level, or list)"},
        "actual": {"description": "what the application gives, null when not given"}}});
    let line = json!({"type": "object", "required": ["condition_id", "reason"], "properties": {
        "condition_id": {"type": "string"}, "reason": {"type": "string", "enum": ["not_ranked", "no_places", "full"]},
        "cutoff": {"type": "integer"}, "your_rank": {"type": "integer"}}});
    vec![
        (
            "Call",
            json!({"type": "object", "required": ["id", "title", "academic_year", "max_choices", "places", "rules", "scoring", "version"], "properties": {
                "id": {"type": "string"}, "title": {"type": "object"}, "description": {"type": "object"}, "academic_year": {"type": "string"},
                "opens_on": {"type": ["string", "null"]}, "deadline": {"type": ["string", "null"]}, "max_choices": {"type": "integer"},
                "places": {"type": "array", "items": {"type": "object", "properties": {
                    "condition_id": {"type": "string"}, "places": {"type": "integer"}}}},
                "rules": rules, "scoring": scoring,
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "CallInput",
            json!({"type": "object", "additionalProperties": false, "required": ["title", "academic_year", "places"], "properties": call_fields}),
        ),
        (
            "CallPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": call_patch}),
        ),
        (
            "Application",
            json!({"type": "object", "required": ["id", "call_id", "person_id", "choices", "status", "explanation", "version"], "properties": {
                "id": {"type": "string"}, "call_id": {"type": "string"}, "person_id": {"type": "string"},
                "choices": {"type": "array", "items": {"type": "string"}},
                "gpa": {"type": ["number", "null"]}, "language_level": {"type": ["string", "null"]},
                "certificate": {"type": ["string", "null"]}, "year_of_study": {"type": ["integer", "null"]},
                "major": {"type": ["string", "null"]}, "interview_score": {"type": ["integer", "null"]},
                "score": {"type": ["number", "null"], "description": "total from the call's scoring rule, 0–100 with two decimals; computed"},
                "status": {"type": "string", "enum": statuses},
                "ineligible_reason": {"type": ["string", "null"]},
                "failed_rules": {"type": "array", "items": failed},
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
            json!({"type": "object", "required": ["id", "call_id", "round", "input", "frozen", "result", "call_version"], "properties": {
                "id": {"type": "string"}, "call_id": {"type": "string"}, "round": {"type": "integer", "minimum": 1},
                "input": {"type": "object", "description": "the frozen engine input (C4 shape)"},
                "frozen": {"type": "object", "description": "round, call version, scoring rule, each place's capacity, each taking-part application's id, version, score and choices"},
                "result": {"type": "object", "description": "assignment (application → place), cutoffs (place → rank or null), cutoff_scores (place → score or null), explanations (application → lines)"},
                "call_version": {"type": "integer"},
                "created_by": {"type": "string"}, "created_at": {"type": "string"},
                "published_at": {"type": ["string", "null"]}, "published_by": {"type": ["string", "null"]}}}),
        ),
        (
            "Quota",
            json!({"type": "object", "required": ["condition_id", "agreement_id", "academic_year", "places", "used", "remaining"], "properties": {
                "condition_id": {"type": "string"}, "agreement_id": {"type": "string"}, "agreement_title": {"type": "object"},
                "academic_year": {"type": "string"}, "places": {"type": "integer"}, "places_per_year": {"type": "integer"},
                "override_reason": {"type": ["string", "null"]}, "used": {"type": "integer"}, "remaining": {"type": "integer"}}}),
        ),
        (
            "QuotaOverrideInput",
            json!({"type": "object", "additionalProperties": false, "required": ["condition_id", "academic_year", "places", "reason"], "properties": {
                "condition_id": id_in, "academic_year": {"type": "string"}, "places": {"type": "integer", "minimum": 0},
                "reason": {"type": "string", "minLength": 1, "maxLength": liaison_domain::exchange::REASON_MAX}, "version": {"type": "integer"}}}),
        ),
        (
            "QuotaOverride",
            json!({"type": "object", "required": ["id", "condition_id", "academic_year", "places", "reason", "version"], "properties": {
                "id": {"type": "string"}, "condition_id": {"type": "string"}, "academic_year": {"type": "string"},
                "places": {"type": "integer"}, "reason": {"type": "string"}, "version": {"type": "integer"},
                "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
    ]
}

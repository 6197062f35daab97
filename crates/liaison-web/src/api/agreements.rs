//! `/api/v1/agreements`, their status changes, renewals and cooperation conditions
//! (`/api/v1/agreements/{id}/conditions[/{cid}]`, nested: a condition belongs to one agreement).
//!
//! Partner and enterprise contacts see only agreements their institution is a party to (the list
//! is filtered in SQL; other records answer 404).

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
use liaison_domain::agreement::{
    self, parse_date, CefrLevel, Direction, MobilityType, Party, StudyLevel, TransitionError,
};
use liaison_domain::{
    Agreement, AgreementDraft, AgreementKind, AgreementStatus, ConditionDraft,
    CooperationCondition, FieldError, FieldErrors, Id, LocalizedText,
};
use liaison_storage::{agreement_visible, AgreementFilter, StoreError, AGREEMENT_SORTS};

pub const FIELDS: &[&str] = &[
    "kind",
    "title",
    "summary",
    "parties",
    "signatories",
    "subject_areas",
    "signed_on",
    "start_on",
    "end_on",
    "auto_renew",
    "iia_id",
    "owner_user_id",
];
pub const FILTERS: &[&str] = &["status", "kind", "institution_id", "expiring_within_days"];
pub const CONDITION_FIELDS: &[&str] = &[
    "mobility_type",
    "direction",
    "sending_institution_id",
    "receiving_institution_id",
    "first_year",
    "last_year",
    "places_per_year",
    "months_per_place",
    "days_per_place",
    "study_level",
    "subject_areas",
    "language",
    "language_level",
    "notes",
];
/// The largest "expiring within" window accepted (ten years).
pub const EXPIRY_WINDOW_MAX: i64 = 3650;

/// Parses the filter parameters shared by the API and the HTML list.
pub fn filter_from(query: &ListQuery) -> Result<AgreementFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = AgreementFilter {
        q: query.q.clone(),
        status: query.filter("status", AgreementStatus::parse, &mut errors),
        kind: query.filter("kind", AgreementKind::parse, &mut errors),
        institution_id: query.filter("institution_id", |v| v.parse().ok(), &mut errors),
        expiring_within_days: query.filter(
            "expiring_within_days",
            |v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|d| (0..=EXPIRY_WINDOW_MAX).contains(d))
            },
            &mut errors,
        ),
        today: None,
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Agreement>>> {
    let query = ListQuery::parse(raw.as_deref(), AGREEMENT_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .agreements(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

/// The agreement if the caller's scope reaches it, else 404.
pub async fn visible(state: &AppState, ctx: &Ctx, id: Id) -> ApiResult<Agreement> {
    let a = state.db.agreement(id).await?;
    super::check_record(agreement_visible(&ctx.user().scope, &a), true)?;
    Ok(a)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Agreement>> {
    Ok(Json(visible(&state, &ctx, parse_id(&id)?).await?))
}

fn take_date(fields: &mut JsonFields, field: &str) -> Option<Option<time::Date>> {
    let raw: Option<String> = fields.take(field)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(s) => match parse_date(s) {
            Some(d) => Some(Some(d)),
            None => {
                fields.errors.push(field, "invalid-date");
                None
            }
        },
    }
}

fn id_value(v: &Value) -> Option<Id> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn take_parties(fields: &mut JsonFields) -> Option<Vec<Party>> {
    let raw: Vec<Value> = fields.take("parties")?;
    let mut out = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        let Value::Object(obj) = item else {
            fields.errors.push(format!("parties.{i}"), "invalid-type");
            continue;
        };
        for key in obj.keys() {
            if key != "institution_id" && key != "org_unit_id" {
                fields
                    .errors
                    .push(format!("parties.{i}.{key}"), "unknown-field");
            }
        }
        let institution_id = match obj.get("institution_id") {
            None | Some(Value::Null) => {
                fields
                    .errors
                    .push(format!("parties.{i}.institution_id"), "required");
                continue;
            }
            Some(v) => match id_value(v) {
                Some(id) => id,
                None => {
                    fields
                        .errors
                        .push(format!("parties.{i}.institution_id"), "invalid-type");
                    continue;
                }
            },
        };
        let org_unit_id = match obj.get("org_unit_id") {
            None | Some(Value::Null) => None,
            Some(v) => match id_value(v) {
                Some(id) => Some(id),
                None => {
                    fields
                        .errors
                        .push(format!("parties.{i}.org_unit_id"), "invalid-type");
                    continue;
                }
            },
        };
        out.push(Party {
            institution_id,
            org_unit_id,
        });
    }
    Some(out)
}

fn take_ids(fields: &mut JsonFields, field: &str) -> Option<Vec<Id>> {
    let raw: Vec<Value> = fields.take(field)?;
    let mut out = Vec::new();
    for (i, v) in raw.iter().enumerate() {
        match id_value(v) {
            Some(id) => out.push(id),
            None => fields.errors.push(format!("{field}.{i}"), "invalid-type"),
        }
    }
    Some(out)
}

fn apply(draft: &mut AgreementDraft, fields: &mut JsonFields) {
    if let Some(v) = fields.choice("kind", AgreementKind::parse) {
        draft.kind = v;
    }
    if let Some(v) = fields.text("title") {
        draft.title = v;
    }
    if let Some(v) = fields.text("summary") {
        draft.summary = v;
    }
    if let Some(v) = take_parties(fields) {
        draft.parties = v;
    }
    if let Some(v) = take_ids(fields, "signatories") {
        draft.signatories = v;
    }
    if let Some(v) = fields.take::<Vec<String>>("subject_areas") {
        draft.subject_areas = v;
    }
    for (field, slot) in [
        ("signed_on", &mut draft.signed_on),
        ("start_on", &mut draft.start_on),
        ("end_on", &mut draft.end_on),
    ] {
        if let Some(v) = take_date(fields, field) {
            *slot = v;
        }
    }
    if let Some(v) = fields.take::<bool>("auto_renew") {
        draft.auto_renew = v;
    }
    if let Some(v) = fields.take::<Option<String>>("iia_id") {
        draft.iia_id = v;
    }
    if let Some(v) = fields.id("owner_user_id") {
        draft.owner_user_id = v;
    }
}

pub fn empty_draft() -> AgreementDraft {
    AgreementDraft {
        kind: AgreementKind::Mou,
        title: LocalizedText::default(),
        summary: LocalizedText::default(),
        parties: Vec::new(),
        signatories: Vec::new(),
        subject_areas: Vec::new(),
        signed_on: None,
        start_on: None,
        end_on: None,
        auto_renew: false,
        iia_id: None,
        owner_user_id: None,
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, &[FIELDS, &["status"]].concat());
    let has_kind = fields.has("kind");
    let mut draft = empty_draft();
    apply(&mut draft, &mut fields);
    fields.require("kind", has_kind);
    let status = fields
        .choice("status", |s| {
            AgreementStatus::parse(s).filter(|s| *s != AgreementStatus::Renewed)
        })
        .unwrap_or(AgreementStatus::Draft);
    let draft = merge(fields.errors, draft.validate())?;
    let created = state
        .db
        .create_agreement(&actor(&ctx), &draft, status)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Agreement>> {
    let id = parse_id(&id)?;
    let current = visible(&state, &ctx, id).await?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_agreement(&actor(&ctx), id, version, &draft)
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
    let documents = state.db.delete_agreement(&actor(&ctx), id, version).await?;
    crate::api::events::forget_files(&state, &documents).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The 422 of an illegal status change: the message names the allowed next states.
pub fn transition_error(e: &TransitionError) -> ApiError {
    let allowed: Vec<&str> = e.allowed.iter().map(|s| s.as_str()).collect();
    let message = if e.to == AgreementStatus::Renewed && e.from.renewable() {
        format!(
            "status renewed is set by renewing (POST /api/v1/agreements/{{id}}/renew); {}",
            e
        )
    } else {
        format!("status: {e}")
    };
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "validation_failed",
        message: message.clone(),
        details: json!([{"field": "status", "code": "status-not-allowed", "message": message, "allowed": allowed}]),
    }
}

/// Checks a status change against the current record: stale version → 409, illegal → 422.
pub fn check_status_change(
    current: &Agreement,
    version: i64,
    to: AgreementStatus,
) -> ApiResult<()> {
    if current.version != version {
        return Err(StoreError::Conflict {
            current: current.version,
        }
        .into());
    }
    let result = if to == AgreementStatus::Renewed {
        Err(TransitionError {
            from: current.status,
            to,
            allowed: current.status.next(),
        })
    } else {
        agreement::transition(current.status, to)
    };
    result.map_err(|e| transition_error(&e))
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Agreement>> {
    let id = parse_id(&id)?;
    let current = visible(&state, &ctx, id).await?;
    let mut fields = JsonFields::new(body, &["status", "version"]);
    let has_status = fields.has("status");
    let to = fields.choice("status", AgreementStatus::parse);
    fields.require("status", has_status);
    let version = fields.version();
    fields.finish()?;
    let (to, version) = (to.expect("checked"), version.expect("checked"));
    check_status_change(&current, version, to)?;
    Ok(Json(
        state
            .db
            .set_agreement_status(&actor(&ctx), id, version, to)
            .await?,
    ))
}

/// The successor's draft: the same agreement, starting the day after the old one ends and
/// lasting as long, unless the body says otherwise.
/// The renewal of `old` as the API and pages propose it (see [`AgreementDraft::renewal`]).
pub fn renewal_draft(old: &Agreement) -> AgreementDraft {
    old.draft.renewal(liaison_storage::today())
}

pub async fn renew(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id)?;
    let current = visible(&state, &ctx, id).await?;
    let mut fields = JsonFields::new(
        body,
        &["version", "title", "signed_on", "start_on", "end_on"],
    );
    let version = fields.version();
    let mut draft = renewal_draft(&current);
    if let Some(v) = fields.text("title") {
        draft.title = v;
    }
    for (field, slot) in [
        ("signed_on", &mut draft.signed_on),
        ("start_on", &mut draft.start_on),
        ("end_on", &mut draft.end_on),
    ] {
        if let Some(v) = take_date(&mut fields, field) {
            *slot = v;
        }
    }
    let draft = merge(fields.errors, draft.validate())?;
    let version = version.expect("checked");
    if current.version != version {
        return Err(StoreError::Conflict {
            current: current.version,
        }
        .into());
    }
    if let Err(e) = agreement::transition(current.status, AgreementStatus::Renewed) {
        return Err(transition_error(&e));
    }
    let created = state
        .db
        .renew_agreement(&actor(&ctx), id, version, &draft)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    visible(&state, &ctx, id).await?;
    let scope = &ctx.user().scope;
    let chain: Vec<Agreement> = state
        .db
        .agreement_history(id)
        .await?
        .into_iter()
        .filter(|a| agreement_visible(scope, a))
        .collect();
    Ok(Json(json!({ "items": chain })))
}

// --- cooperation conditions ---

fn apply_condition(d: &mut ConditionDraft, fields: &mut JsonFields) {
    if let Some(v) = fields.choice("mobility_type", MobilityType::parse) {
        d.mobility_type = v;
    }
    if let Some(v) = fields.take::<Option<String>>("direction") {
        d.direction = match v {
            None => None,
            Some(s) => {
                let p = Direction::parse(&s);
                if p.is_none() {
                    fields.errors.push("direction", "invalid-choice");
                }
                p
            }
        };
    }
    for (field, slot) in [
        ("sending_institution_id", &mut d.sending_institution_id),
        ("receiving_institution_id", &mut d.receiving_institution_id),
    ] {
        if let Some(v) = fields.id(field) {
            *slot = v;
        }
    }
    for (field, slot) in [
        ("first_year", &mut d.first_year),
        ("last_year", &mut d.last_year),
        ("language", &mut d.language),
        ("notes", &mut d.notes),
    ] {
        if let Some(v) = fields.take::<Option<String>>(field) {
            *slot = v;
        }
    }
    if let Some(v) = fields.take::<i64>("places_per_year") {
        d.places_per_year = v;
    }
    if let Some(v) = fields.take::<Option<f64>>("months_per_place") {
        d.months_per_place = v;
    }
    if let Some(v) = fields.take::<Option<i64>>("days_per_place") {
        d.days_per_place = v;
    }
    if let Some(v) = fields.take::<Option<String>>("study_level") {
        d.study_level = match v {
            None => None,
            Some(s) => {
                let p = StudyLevel::parse_any(&s);
                if p.is_none() {
                    fields.errors.push("study_level", "invalid-choice");
                }
                p
            }
        };
    }
    if let Some(v) = fields.take::<Vec<String>>("subject_areas") {
        d.subject_areas = v;
    }
    if let Some(v) = fields.take::<Option<String>>("language_level") {
        d.language_level = match v {
            None => None,
            Some(s) => {
                let p = CefrLevel::parse(&s.trim().to_ascii_uppercase());
                if p.is_none() {
                    fields.errors.push("language_level", "invalid-choice");
                }
                p
            }
        };
    }
}

pub fn empty_condition() -> ConditionDraft {
    ConditionDraft {
        mobility_type: MobilityType::StudentStudies,
        direction: None,
        sending_institution_id: None,
        receiving_institution_id: None,
        first_year: None,
        last_year: None,
        places_per_year: 0,
        months_per_place: None,
        days_per_place: None,
        study_level: None,
        subject_areas: Vec::new(),
        language: None,
        language_level: None,
        notes: None,
    }
}

pub async fn conditions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<ListBody<CooperationCondition>>> {
    let id = parse_id(&id)?;
    visible(&state, &ctx, id).await?;
    let items = state.db.agreement_conditions(id).await?;
    let total = items.len() as i64;
    Ok(Json(ListBody {
        per_page: items.len().max(1) as u32,
        items,
        total,
        page: 1,
    }))
}

pub async fn create_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id)?;
    visible(&state, &ctx, id).await?;
    let mut fields = JsonFields::new(body, CONDITION_FIELDS);
    let (has_type, has_places) = (fields.has("mobility_type"), fields.has("places_per_year"));
    let mut draft = empty_condition();
    apply_condition(&mut draft, &mut fields);
    fields.require("mobility_type", has_type);
    fields.require("places_per_year", has_places);
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_condition(&actor(&ctx), id, &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

fn parse_ids(id: &str, cid: &str) -> ApiResult<(Id, Id)> {
    Ok((parse_id(id)?, parse_id(cid)?))
}

pub async fn show_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
) -> ApiResult<Json<CooperationCondition>> {
    let (id, cid) = parse_ids(&id, &cid)?;
    visible(&state, &ctx, id).await?;
    Ok(Json(state.db.agreement_condition(id, cid).await?))
}

pub async fn update_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
    body: JsonObject,
) -> ApiResult<Json<CooperationCondition>> {
    let (id, cid) = parse_ids(&id, &cid)?;
    visible(&state, &ctx, id).await?;
    let current = state.db.agreement_condition(id, cid).await?;
    let mut fields = JsonFields::new(body, &[CONDITION_FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply_condition(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    Ok(Json(
        state
            .db
            .update_condition(&actor(&ctx), id, cid, version.expect("checked"), &draft)
            .await?,
    ))
}

pub async fn remove_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let (id, cid) = parse_ids(&id, &cid)?;
    visible(&state, &ctx, id).await?;
    state.db.agreement_condition(id, cid).await?;
    let version = delete_version(query.as_deref(), &body)?;
    state
        .db
        .delete_condition(&actor(&ctx), id, cid, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- OpenAPI ---

pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/agreements")
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

/// The OpenAPI operation details of the agreement routes.
pub fn openapi(
    method: &str,
    path: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    let rest = path.trim_start_matches("/api/v1/agreements");
    if rest == "/{id}/documents" {
        super::events_doc::owner_documents(method, "agreement", op, parameters, responses);
        return;
    }
    if rest.contains("{cid}") {
        parameters.push(
            json!({"name": "cid", "in": "path", "required": true, "schema": {"type": "string"}}),
        );
    }
    let page_of = |name: &str| {
        json!({"description": "one page", "content": {"application/json": {"schema": {
        "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
            "items": {"type": "array", "items": schema_ref(name)}, "total": {"type": "integer"},
            "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}})
    };
    if rest.starts_with("/{id}") || rest.starts_with("/{cid}") {
        responses.insert(
            "404".into(),
            error("no such record (or outside your scope)"),
        );
    }
    match (method, rest) {
        ("GET", "") => {
            for (name, ty) in [("page", "integer"), ("per_page", "integer")] {
                parameters.push(
                    json!({"name": name, "in": "query", "schema": {"type": ty, "minimum": 1}}),
                );
            }
            parameters.push(json!({"name": "q", "in": "query", "description": "part of the title", "schema": {"type": "string", "maxLength": 200}}));
            let sorts: Vec<String> = AGREEMENT_SORTS
                .iter()
                .flat_map(|s| [s.to_string(), format!("-{s}")])
                .collect();
            parameters.push(
                json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts}}),
            );
            let statuses: Vec<&str> = AgreementStatus::ALL.iter().map(|s| s.as_str()).collect();
            let kinds: Vec<&str> = AgreementKind::ALL.iter().map(|s| s.as_str()).collect();
            parameters.push(json!({"name": "status", "in": "query", "schema": {"type": "string", "enum": statuses}}));
            parameters.push(
                json!({"name": "kind", "in": "query", "schema": {"type": "string", "enum": kinds}}),
            );
            parameters.push(json!({"name": "institution_id", "in": "query", "description": "agreements this institution is a party to", "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"}}));
            parameters.push(json!({"name": "expiring_within_days", "in": "query", "description": "in force and ending within this many days from today", "schema": {"type": "integer", "minimum": 0, "maximum": EXPIRY_WINDOW_MAX}}));
            responses.insert("200".into(), page_of("Agreement"));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", "") => {
            op.insert("description".into(), json!("Creates an agreement, by default in status draft (an existing agreement may be recorded in a later status, never renewed)."));
            body(op, "AgreementInput");
            responses.insert("201".into(), one("created", "Agreement"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field (end before start, a party twice, an unknown ISCED code, a missing record)"));
        }
        ("GET", "/{id}") => {
            responses.insert("200".into(), one("the agreement", "Agreement"));
        }
        ("PATCH", "/{id}") => {
            op.insert(
                "description".into(),
                json!("Changes fields of an agreement; the status changes through /status."),
            );
            body(op, "AgreementPatch");
            responses.insert("200".into(), one("updated", "Agreement"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("invalid or unknown field"));
        }
        ("DELETE", "/{id}") | ("DELETE", "/{id}/conditions/{cid}") => {
            parameters.push(json!({"name": "version", "in": "query", "required": true, "schema": {"type": "integer"}}));
            responses.insert("204".into(), json!({"description": "deleted"}));
            responses.insert(
                "409".into(),
                error("stale version, or a renewal still points at this agreement"),
            );
            responses.insert("422".into(), error("missing version"));
        }
        ("POST", "/{id}/status") => {
            let next: Vec<String> = AgreementStatus::ALL
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
            op.insert("description".into(), json!(format!("Moves the agreement along its lifecycle. Allowed changes: {}. renewed is set by /renew.", next.join("; "))));
            body(op, "AgreementStatusChange");
            responses.insert("200".into(), one("the changed agreement", "Agreement"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("illegal status change; the message and details.allowed list the allowed next states"));
        }
        ("POST", "/{id}/renew") => {
            op.insert("description".into(), json!("Renews an active, expiring or expired agreement: creates a new draft (same parties, signatories, subject areas and conditions; starts the day after the old end and lasts as long unless given) linked through previous_id, and marks the old one renewed."));
            body(op, "AgreementRenewal");
            responses.insert("201".into(), one("the new agreement", "Agreement"));
            responses.insert("409".into(), error("stale version"));
            responses.insert(
                "422".into(),
                error("the agreement cannot be renewed in its status, or invalid dates"),
            );
        }
        ("GET", "/{id}/history") => {
            responses.insert("200".into(), json!({"description": "the renewal chain, oldest first", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": schema_ref("Agreement")}}}}}}));
        }
        ("GET", "/{id}/conditions") => {
            responses.insert("200".into(), page_of("CooperationCondition"));
        }
        ("POST", "/{id}/conditions") => {
            body(op, "CooperationConditionInput");
            responses.insert("201".into(), one("created", "CooperationCondition"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert(
                "422".into(),
                error("invalid or unknown field; sending/receiving institutions must be parties"),
            );
        }
        ("GET", "/{id}/conditions/{cid}") => {
            responses.insert("200".into(), one("the condition", "CooperationCondition"));
        }
        ("PATCH", "/{id}/conditions/{cid}") => {
            body(op, "CooperationConditionPatch");
            responses.insert("200".into(), one("updated", "CooperationCondition"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("invalid or unknown field"));
        }
        _ => {}
    }
    if matches!(method, "POST" | "PATCH") && !rest.is_empty() {
        responses.insert("400".into(), error("malformed JSON"));
    }
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let kinds: Vec<&str> = AgreementKind::ALL.iter().map(|s| s.as_str()).collect();
    let statuses: Vec<&str> = AgreementStatus::ALL.iter().map(|s| s.as_str()).collect();
    let types: Vec<&str> = MobilityType::ALL.iter().map(|s| s.as_str()).collect();
    let directions: Vec<&str> = Direction::ALL.iter().map(|s| s.as_str()).collect();
    let levels: Vec<&str> = StudyLevel::ALL.iter().map(|s| s.as_str()).collect();
    let cefr: Vec<&str> = CefrLevel::ALL.iter().map(|s| s.as_str()).collect();
    let isced: Vec<&str> = liaison_domain::IscedCode::all()
        .map(|c| c.as_str())
        .collect();
    let localized = json!({"type": "object", "additionalProperties": false, "properties": {
        "en": {"type": ["string", "null"]}, "zh": {"type": ["string", "null"]}, "local": {"type": ["string", "null"]}}});
    let id_in = json!({"type": ["string", "integer", "null"], "description": "id of the referenced record"});
    let id_out = json!({"type": ["string", "null"]});
    let date = json!({"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD"});
    let subjects = json!({"type": "array", "items": {"type": "string", "enum": isced}, "maxItems": agreement::LIST_MAX, "description": "ISCED-F 2013 codes"});
    let party_in = json!({"type": "object", "additionalProperties": false, "required": ["institution_id"], "properties": {
        "institution_id": {"type": ["string", "integer"]}, "org_unit_id": id_in}});
    let agreement_fields = json!({
        "kind": {"type": "string", "enum": kinds}, "title": localized, "summary": localized,
        "parties": {"type": "array", "items": party_in, "minItems": 2, "maxItems": agreement::PARTIES_MAX},
        "signatories": {"type": "array", "items": {"type": ["string", "integer"]}, "maxItems": agreement::LIST_MAX},
        "subject_areas": subjects, "signed_on": date, "start_on": date, "end_on": date,
        "auto_renew": {"type": "boolean"}, "iia_id": {"type": ["string", "null"], "maxLength": 64},
        "owner_user_id": id_in
    });
    let mut input = agreement_fields.as_object().cloned().unwrap_or_default();
    let mut create_statuses = statuses.clone();
    create_statuses.retain(|s| *s != "renewed");
    input.insert(
        "status".into(),
        json!({"type": "string", "enum": create_statuses}),
    );
    let mut patch = agreement_fields.as_object().cloned().unwrap_or_default();
    patch.insert("version".into(), json!({"type": "integer"}));
    let condition_fields = json!({
        "mobility_type": {"type": "string", "enum": types},
        "direction": {"type": ["string", "null"], "enum": [directions[0], directions[1], directions[2], null]},
        "sending_institution_id": id_in, "receiving_institution_id": id_in,
        "first_year": {"type": ["string", "null"], "description": "academic year such as 2024/2025"},
        "last_year": {"type": ["string", "null"], "description": "academic year such as 2028/2029"},
        "places_per_year": {"type": "integer", "minimum": 0, "maximum": agreement::PLACES_MAX},
        "months_per_place": {"type": ["number", "null"], "description": "students only"},
        "days_per_place": {"type": ["integer", "null"], "description": "staff only"},
        "study_level": {"type": ["string", "null"], "description": format!("{} or an EQF level 5-8", levels.join(", "))},
        "subject_areas": subjects,
        "language": {"type": ["string", "null"], "description": "ISO 639-1 code"},
        "language_level": {"type": ["string", "null"], "enum": [cefr[0], cefr[1], cefr[2], cefr[3], cefr[4], cefr[5], null]},
        "notes": {"type": ["string", "null"], "maxLength": agreement::NOTES_MAX}
    });
    let mut condition_patch = condition_fields.as_object().cloned().unwrap_or_default();
    condition_patch.insert("version".into(), json!({"type": "integer"}));
    let party_out = json!({"type": "object", "properties": {"institution_id": {"type": "string"}, "org_unit_id": id_out}});
    vec![
        (
            "Agreement",
            json!({"type": "object", "required": ["id", "kind", "status", "title", "parties", "version"], "properties": {
                "id": {"type": "string"}, "kind": {"type": "string", "enum": kinds}, "status": {"type": "string", "enum": statuses},
                "title": {"type": "object"}, "summary": {"type": "object"},
                "parties": {"type": "array", "items": party_out},
                "signatories": {"type": "array", "items": {"type": "string"}},
                "subject_areas": {"type": "array", "items": {"type": "string"}},
                "signed_on": {"type": ["string", "null"]}, "start_on": {"type": ["string", "null"]}, "end_on": {"type": ["string", "null"]},
                "auto_renew": {"type": "boolean"}, "iia_id": {"type": ["string", "null"]}, "owner_user_id": id_out,
                "previous_id": id_out, "reminded_at": {"type": ["string", "null"]},
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "AgreementInput",
            json!({"type": "object", "additionalProperties": false, "required": ["kind", "title", "parties"], "properties": input}),
        ),
        (
            "AgreementPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": patch}),
        ),
        (
            "AgreementStatusChange",
            json!({"type": "object", "additionalProperties": false, "required": ["status", "version"], "properties": {
                "status": {"type": "string", "enum": statuses}, "version": {"type": "integer"}}}),
        ),
        (
            "AgreementRenewal",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": {
                "version": {"type": "integer"}, "title": localized, "signed_on": date, "start_on": date, "end_on": date}}),
        ),
        (
            "CooperationCondition",
            json!({"type": "object", "required": ["id", "agreement_id", "mobility_type", "places_per_year", "version"], "properties": {
                "id": {"type": "string"}, "agreement_id": {"type": "string"},
                "mobility_type": {"type": "string", "enum": types}, "direction": {"type": ["string", "null"]},
                "sending_institution_id": id_out, "receiving_institution_id": id_out,
                "first_year": {"type": ["string", "null"]}, "last_year": {"type": ["string", "null"]},
                "places_per_year": {"type": "integer"}, "months_per_place": {"type": ["number", "null"]},
                "days_per_place": {"type": ["integer", "null"]}, "study_level": {"type": ["string", "null"]},
                "subject_areas": {"type": "array", "items": {"type": "string"}}, "language": {"type": ["string", "null"]},
                "language_level": {"type": ["string", "null"]}, "notes": {"type": ["string", "null"]},
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "CooperationConditionInput",
            json!({"type": "object", "additionalProperties": false, "required": ["mobility_type", "places_per_year"], "properties": condition_fields}),
        ),
        (
            "CooperationConditionPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": condition_patch}),
        ),
    ]
}

/// Field errors for a form or API body from a status change attempt (HTML uses the message).
pub fn status_field_error() -> FieldErrors {
    FieldErrors::from(FieldError::new("status", "status-not-allowed"))
}

/// `GET /api/v1/agreements/{id}/documents`: the signed copies, scans and photos.
pub async fn list_documents(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<super::events::DocumentList>> {
    let a = visible(&state, &ctx, parse_id(&id)?).await?;
    Ok(Json(super::events::DocumentList {
        items: state
            .db
            .documents_of(liaison_storage::OwnerKind::Agreement, a.id)
            .await?,
    }))
}

/// `POST /api/v1/agreements/{id}/documents?filename=NAME` with the file as the raw body.
pub async fn upload_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<liaison_storage::Document>)> {
    let a = visible(&state, &ctx, parse_id(&id)?).await?;
    super::events::store_upload(
        &state,
        &ctx,
        liaison_storage::OwnerKind::Agreement,
        a.id,
        query,
        body,
    )
    .await
}

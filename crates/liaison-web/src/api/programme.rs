//! `/api/v1/programme-lines`: the cooperation programme lines of university–enterprise
//! agreements (a top-level resource filtered by `agreement_id`, `institution_id`, `year`, `kind`,
//! `status`, so the overview can list every agreement's lines), and `/api/v1/programme-rollup`:
//! their targets and actuals added up per year and kind.
//!
//! Reading follows the agreement (partner and enterprise contacts: agreements their institution
//! is a party to; other lines answer 404); writing is the office's (`EditAgreements`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{delete_version, merge, parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::ApiResult;
use crate::AppState;
use liaison_domain::programme::{ProgrammeRollup, DESCRIPTION_MAX, FIGURE_MAX, YEAR_MAX, YEAR_MIN};
use liaison_domain::{
    FieldErrors, LocalizedText, ProgrammeLine, ProgrammeLineDraft, ProgrammeLineKind,
    ProgrammeLineStatus,
};
use liaison_storage::{agreement_visible, ProgrammeLineFilter, PROGRAMME_LINE_SORTS};

pub const FIELDS: &[&str] = &[
    "agreement_id",
    "year",
    "kind",
    "description",
    "owner_user_id",
    "target",
    "actual",
    "status",
];
pub const FILTERS: &[&str] = &["agreement_id", "institution_id", "year", "kind", "status"];

fn year(v: &str) -> Option<i64> {
    v.parse::<i64>()
        .ok()
        .filter(|y| (YEAR_MIN..=YEAR_MAX).contains(y))
}

/// Parses the filters shared by the API and the pages.
pub fn filter_from(query: &ListQuery) -> Result<ProgrammeLineFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = ProgrammeLineFilter {
        agreement_id: query.filter("agreement_id", |v| v.parse().ok(), &mut errors),
        institution_id: query.filter("institution_id", |v| v.parse().ok(), &mut errors),
        year: query.filter("year", year, &mut errors),
        kind: query.filter("kind", ProgrammeLineKind::parse, &mut errors),
        status: query.filter("status", ProgrammeLineStatus::parse, &mut errors),
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<ProgrammeLine>>> {
    let query = ListQuery::parse(raw.as_deref(), PROGRAMME_LINE_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .programme_lines(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

#[derive(serde::Serialize)]
pub struct RollupBody {
    pub items: Vec<ProgrammeRollup>,
}

pub async fn rollup(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<RollupBody>> {
    let query = ListQuery::parse(raw.as_deref(), PROGRAMME_LINE_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let items = state
        .db
        .programme_rollup(&ctx.user().scope, &filter)
        .await?;
    Ok(Json(RollupBody { items }))
}

/// The line if the caller reaches its agreement, else 404.
pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> ApiResult<ProgrammeLine> {
    let line = state.db.programme_line(id).await?;
    let agreement = state.db.agreement(line.draft.agreement_id).await?;
    super::check_record(agreement_visible(&ctx.user().scope, &agreement), true)?;
    Ok(line)
}

fn apply(d: &mut ProgrammeLineDraft, fields: &mut JsonFields) {
    if let Some(Some(v)) = fields.id("agreement_id") {
        d.agreement_id = v;
    }
    if let Some(v) = fields.take::<i64>("year") {
        d.year = v;
    }
    if let Some(v) = fields.choice("kind", ProgrammeLineKind::parse) {
        d.kind = v;
    }
    if let Some(v) = fields.text("description") {
        d.description = v;
    }
    if let Some(v) = fields.id("owner_user_id") {
        d.owner_user_id = v;
    }
    if let Some(v) = fields.take::<i64>("target") {
        d.target = v;
    }
    if let Some(v) = fields.take::<i64>("actual") {
        d.actual = v;
    }
    if let Some(v) = fields.choice("status", ProgrammeLineStatus::parse) {
        d.status = v;
    }
}

pub fn empty_draft() -> ProgrammeLineDraft {
    ProgrammeLineDraft {
        agreement_id: 0,
        year: 0,
        kind: ProgrammeLineKind::Curriculum,
        description: LocalizedText::default(),
        owner_user_id: None,
        target: 0,
        actual: 0,
        status: ProgrammeLineStatus::Planned,
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let present: Vec<(&str, bool)> = ["agreement_id", "year", "kind", "target"]
        .iter()
        .map(|f| (*f, fields.has(f)))
        .collect();
    let mut draft = empty_draft();
    apply(&mut draft, &mut fields);
    for (f, has) in present {
        fields.require(f, has);
    }
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_programme_line(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<ProgrammeLine>> {
    Ok(Json(visible(&state, &ctx, parse_id(&id)?).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<ProgrammeLine>> {
    let current = visible(&state, &ctx, parse_id(&id)?).await?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    Ok(Json(
        state
            .db
            .update_programme_line(&actor(&ctx), current.id, version.expect("checked"), &draft)
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
    let current = visible(&state, &ctx, parse_id(&id)?).await?;
    let version = delete_version(query.as_deref(), &body)?;
    state
        .db
        .delete_programme_line(&actor(&ctx), current.id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- OpenAPI ---

pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/programme-lines") || path.starts_with("/api/v1/programme-rollup")
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn filter_parameters(parameters: &mut Vec<Value>) {
    let kinds: Vec<&str> = ProgrammeLineKind::ALL.iter().map(|k| k.as_str()).collect();
    let statuses: Vec<&str> = ProgrammeLineStatus::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let id = json!({"type": "string", "pattern": "^[0-9]{1,18}$"});
    parameters.push(json!({"name": "agreement_id", "in": "query", "schema": id}));
    parameters.push(json!({"name": "institution_id", "in": "query", "description": "lines of agreements this institution is a party to", "schema": id}));
    parameters.push(json!({"name": "year", "in": "query", "schema": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}}));
    parameters
        .push(json!({"name": "kind", "in": "query", "schema": {"type": "string", "enum": kinds}}));
    parameters.push(
        json!({"name": "status", "in": "query", "schema": {"type": "string", "enum": statuses}}),
    );
}

pub fn openapi(
    method: &str,
    path: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    let json_body = |name: &str| json!({"required": true, "content": {"application/json": {"schema": reference(name)}}});
    let one = |d: &str| json!({"description": d, "content": {"application/json": {"schema": reference("ProgrammeLine")}}});
    if path.starts_with("/api/v1/programme-rollup") {
        op.insert("description".into(), json!("Targets and actuals of the programme lines the caller reaches, added up per year and kind (newest year first)."));
        filter_parameters(parameters);
        responses.insert("200".into(), json!({"description": "the roll-up", "content": {"application/json": {"schema": {
            "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": reference("ProgrammeRollup")}}}}}}));
        responses.insert("422".into(), error("invalid or unknown query parameter"));
        return;
    }
    let with_id = path.ends_with("{id}");
    if with_id {
        responses.insert(
            "404".into(),
            error("no such record (or outside your scope)"),
        );
    }
    match (method, with_id) {
        ("GET", false) => {
            for (name, ty) in [("page", "integer"), ("per_page", "integer")] {
                parameters.push(
                    json!({"name": name, "in": "query", "schema": {"type": ty, "minimum": 1}}),
                );
            }
            let sorts: Vec<String> = PROGRAMME_LINE_SORTS
                .iter()
                .flat_map(|s| [s.to_string(), format!("-{s}")])
                .collect();
            parameters.push(
                json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts}}),
            );
            filter_parameters(parameters);
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": reference("ProgrammeLine")}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", false) => {
            op.insert("description".into(), json!("Adds a programme line to a university–enterprise agreement (kind enterprise_programme or internship_base); the owner must be an office account."));
            op.insert("requestBody".into(), json_body("ProgrammeLineInput"));
            responses.insert("201".into(), one("created"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field (a year out of range, a negative target, an agreement that is not a university–enterprise one, an owner who is not staff)"));
        }
        ("GET", true) => {
            responses.insert("200".into(), one("the line"));
        }
        ("PATCH", true) => {
            op.insert("requestBody".into(), json_body("ProgrammeLinePatch"));
            responses.insert("200".into(), one("updated"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("invalid or unknown field"));
        }
        ("DELETE", true) => {
            parameters.push(json!({"name": "version", "in": "query", "required": true, "schema": {"type": "integer"}}));
            responses.insert("204".into(), json!({"description": "deleted"}));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("missing version"));
        }
        _ => {}
    }
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let kinds: Vec<&str> = ProgrammeLineKind::ALL.iter().map(|k| k.as_str()).collect();
    let statuses: Vec<&str> = ProgrammeLineStatus::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let localized = json!({"type": ["object", "null"], "additionalProperties": false, "properties": {
        "en": {"type": ["string", "null"], "maxLength": DESCRIPTION_MAX}, "zh": {"type": ["string", "null"], "maxLength": DESCRIPTION_MAX}, "local": {"type": ["string", "null"], "maxLength": DESCRIPTION_MAX}}});
    let id_in = json!({"type": ["string", "integer"], "pattern": "^[0-9]{1,18}$"});
    let figure = json!({"type": "integer", "minimum": 0, "maximum": FIGURE_MAX});
    let fields = json!({
        "agreement_id": id_in,
        "year": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
        "kind": {"type": "string", "enum": kinds},
        "description": localized,
        "owner_user_id": {"type": ["string", "integer", "null"], "description": "an office account (admin or staff)"},
        "target": figure, "actual": figure,
        "status": {"type": "string", "enum": statuses},
    });
    let mut patch = fields.as_object().cloned().unwrap_or_default();
    patch.insert("version".into(), json!({"type": "integer"}));
    vec![
        (
            "ProgrammeLine",
            json!({"type": "object", "required": ["id", "agreement_id", "year", "kind", "target", "actual", "status", "version"], "properties": {
                "id": {"type": "string"}, "agreement_id": {"type": "string"}, "year": {"type": "integer"},
                "kind": {"type": "string", "enum": kinds}, "description": {"type": "object"},
                "owner_user_id": {"type": ["string", "null"]}, "target": {"type": "integer"}, "actual": {"type": "integer"},
                "status": {"type": "string", "enum": statuses},
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "ProgrammeLineInput",
            json!({"type": "object", "additionalProperties": false, "required": ["agreement_id", "year", "kind", "target"], "properties": fields}),
        ),
        (
            "ProgrammeLinePatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": patch}),
        ),
        (
            "ProgrammeRollup",
            json!({"type": "object", "required": ["year", "kind", "lines", "target", "actual", "achieved"], "properties": {
                "year": {"type": "integer"}, "kind": {"type": "string", "enum": kinds}, "lines": {"type": "integer"},
                "target": {"type": "integer"}, "actual": {"type": "integer"}, "achieved": {"type": "integer"}}}),
        ),
    ]
}

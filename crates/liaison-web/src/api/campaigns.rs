//! `/api/v1/recruitment-campaigns`: international student recruitment campaigns run with
//! partners (channel, target countries, period, leads, conversions). Partner and enterprise
//! contacts read those run with their institution; the office writes.

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
use liaison_domain::campaign::{COUNTRIES_MAX, FIGURE_MAX, NOTES_MAX, TITLE_MAX};
use liaison_domain::event::iso_date;
use liaison_domain::{Campaign, CampaignDraft, Channel, CountryCode, FieldErrors, LocalizedText};
use liaison_storage::{campaign_visible, CampaignFilter, CAMPAIGN_SORTS};

pub const FIELDS: &[&str] = &[
    "institution_id",
    "title",
    "channel",
    "target_countries",
    "start_on",
    "end_on",
    "leads",
    "conversions",
    "notes",
];
pub const FILTERS: &[&str] = &["institution_id", "channel", "country"];

pub fn filter_from(query: &ListQuery) -> Result<CampaignFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = CampaignFilter {
        q: query.q.clone(),
        institution_id: query.filter("institution_id", |v| v.parse().ok(), &mut errors),
        channel: query.filter("channel", Channel::parse, &mut errors),
        country: query.filter(
            "country",
            |v| CountryCode::parse(v).map(|c| c.as_str().to_string()),
            &mut errors,
        ),
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Campaign>>> {
    let query = ListQuery::parse(raw.as_deref(), CAMPAIGN_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .campaigns(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> ApiResult<Campaign> {
    let c = state.db.campaign(id).await?;
    super::check_record(campaign_visible(&ctx.user().scope, &c), true)?;
    Ok(c)
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

fn apply(d: &mut CampaignDraft, fields: &mut JsonFields) {
    if let Some(Some(v)) = fields.id("institution_id") {
        d.institution_id = v;
    }
    if let Some(v) = fields.text("title") {
        d.title = v;
    }
    if let Some(v) = fields.choice("channel", Channel::parse) {
        d.channel = v;
    }
    if let Some(list) = fields.take::<Vec<String>>("target_countries") {
        d.target_countries.clear();
        for (i, c) in list.iter().enumerate() {
            match CountryCode::parse(c) {
                Some(code) => d.target_countries.push(code),
                None => fields
                    .errors
                    .push(format!("target_countries.{i}"), "invalid-country"),
            }
        }
    }
    if let Some(v) = take_date(fields, "start_on") {
        d.start_on = v;
    }
    if let Some(v) = take_date(fields, "end_on") {
        d.end_on = v;
    }
    if let Some(v) = fields.take::<i64>("leads") {
        d.leads = v;
    }
    if let Some(v) = fields.take::<i64>("conversions") {
        d.conversions = v;
    }
    if let Some(v) = fields.text("notes") {
        d.notes = v;
    }
}

pub fn empty_draft() -> CampaignDraft {
    CampaignDraft {
        institution_id: 0,
        title: LocalizedText::default(),
        channel: Channel::InfoSession,
        target_countries: Vec::new(),
        start_on: None,
        end_on: None,
        leads: 0,
        conversions: 0,
        notes: LocalizedText::default(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let present: Vec<(&str, bool)> = ["institution_id", "title", "channel"]
        .iter()
        .map(|f| (*f, fields.has(f)))
        .collect();
    let mut draft = empty_draft();
    apply(&mut draft, &mut fields);
    for (f, has) in present {
        fields.require(f, has);
    }
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_campaign(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(visible(&state, &ctx, parse_id(&id)?).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Campaign>> {
    let current = visible(&state, &ctx, parse_id(&id)?).await?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    Ok(Json(
        state
            .db
            .update_campaign(&actor(&ctx), current.id, version.expect("checked"), &draft)
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
        .delete_campaign(&actor(&ctx), current.id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- OpenAPI ---

pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/recruitment-campaigns")
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
    let one = |d: &str| json!({"description": d, "content": {"application/json": {"schema": reference("RecruitmentCampaign")}}});
    let body = |name: &str| json!({"required": true, "content": {"application/json": {"schema": reference(name)}}});
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
            parameters.push(json!({"name": "q", "in": "query", "description": "part of the title", "schema": {"type": "string", "maxLength": 200}}));
            let sorts: Vec<String> = CAMPAIGN_SORTS
                .iter()
                .flat_map(|s| [s.to_string(), format!("-{s}")])
                .collect();
            parameters.push(
                json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts}}),
            );
            let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
            parameters.push(json!({"name": "institution_id", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"}}));
            parameters.push(json!({"name": "channel", "in": "query", "schema": {"type": "string", "enum": channels}}));
            parameters.push(json!({"name": "country", "in": "query", "description": "aimed at this country (ISO 3166-1 alpha-2)", "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"}}));
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": reference("RecruitmentCampaign")}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", false) => {
            op.insert("requestBody".into(), body("RecruitmentCampaignInput"));
            responses.insert("201".into(), one("created"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field (more conversions than leads, an end before the start, an unknown country)"));
        }
        ("GET", true) => {
            responses.insert("200".into(), one("the campaign"));
        }
        ("PATCH", true) => {
            op.insert("requestBody".into(), body("RecruitmentCampaignPatch"));
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
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    let localized = |max: usize| {
        json!({"type": ["object", "null"], "additionalProperties": false, "properties": {
        "en": {"type": ["string", "null"], "maxLength": max}, "zh": {"type": ["string", "null"], "maxLength": max}, "local": {"type": ["string", "null"], "maxLength": max}}})
    };
    let date = json!({"type": ["string", "null"], "format": "date"});
    let figure = json!({"type": "integer", "minimum": 0, "maximum": FIGURE_MAX});
    let fields = json!({
        "institution_id": {"type": ["string", "integer"], "pattern": "^[0-9]{1,18}$", "description": "the partner"},
        "title": localized(TITLE_MAX), "channel": {"type": "string", "enum": channels},
        "target_countries": {"type": "array", "maxItems": COUNTRIES_MAX, "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
        "start_on": date, "end_on": date, "leads": figure, "conversions": figure, "notes": localized(NOTES_MAX)
    });
    let mut patch = fields.as_object().cloned().unwrap_or_default();
    patch.insert("version".into(), json!({"type": "integer"}));
    vec![
        (
            "RecruitmentCampaign",
            json!({"type": "object", "required": ["id", "institution_id", "title", "channel", "leads", "conversions", "version"], "properties": {
                "id": {"type": "string"}, "institution_id": {"type": "string"}, "title": {"type": "object"},
                "channel": {"type": "string", "enum": channels}, "target_countries": {"type": "array", "items": {"type": "string"}},
                "start_on": {"type": ["string", "null"]}, "end_on": {"type": ["string", "null"]},
                "leads": {"type": "integer"}, "conversions": {"type": "integer"}, "notes": {"type": "object"},
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "RecruitmentCampaignInput",
            json!({"type": "object", "additionalProperties": false, "required": ["institution_id", "title", "channel"], "properties": fields}),
        ),
        (
            "RecruitmentCampaignPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": patch}),
        ),
    ]
}

//! `/api/v1/people/{id}/export` and `/api/v1/people/{id}/anonymise`: an administrator's tools
//! for one person's personal data. Both are recorded in the audit log by storage.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{parse_id, JsonFields, JsonObject};
use crate::auth::Ctx;
use crate::error::ApiResult;
use crate::i18n::Lang;
use crate::AppState;
use liaison_domain::{LocalizedText, Person};
use liaison_storage::PersonExport;

/// The neutral name an anonymised person gets, in both languages, from the catalogues.
pub fn placeholder(ctx: &Ctx) -> LocalizedText {
    LocalizedText::new(
        Some(ctx.i18n.t(Lang::En, "person-anonymised-name").as_str()),
        Some(ctx.i18n.t(Lang::ZhCn, "person-anonymised-name").as_str()),
        None,
    )
}

pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonExport>> {
    let id = parse_id(&id)?;
    Ok(Json(state.db.export_person(&actor(&ctx), id).await?))
}

pub async fn anonymise(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Person>> {
    let id = parse_id(&id)?;
    let mut fields = JsonFields::new(body, &["version"]);
    let version = fields.version();
    fields.finish()?;
    let version = version.expect("a missing version is an error above");
    let person = state
        .db
        .anonymise_person(&actor(&ctx), id, version, &placeholder(&ctx))
        .await?;
    Ok(Json(person))
}

/// Whether `path` is documented by `openapi` below rather than by the generic resource rules.
pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/people/{id}/")
        && (path.ends_with("/export") || path.ends_with("/anonymise"))
}

/// The OpenAPI operation details of the two personal-data routes.
pub fn openapi(method: &str, op: &mut Map<String, Value>, responses: &mut Map<String, Value>) {
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    if method == "GET" {
        op.insert("description".into(), json!("Everything stored about the person: the record, linked user accounts (without password hashes) and audit entries. Recorded in the audit log."));
        responses.insert("200".into(), json!({"description": "the person's data", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonExport"}}}}));
    } else {
        op.insert("description".into(), json!("Replaces the names with a neutral placeholder, clears title, e-mails and phones, keeps the record and its links, disables linked user accounts. Recorded in the audit log."));
        op.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false, "required": ["version"],
            "properties": {"version": {"type": "integer"}}}}}}),
        );
        responses.insert("200".into(), json!({"description": "the anonymised record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Person"}}}}));
        responses.insert("400".into(), error("malformed JSON"));
        responses.insert("409".into(), error("stale version"));
        responses.insert("422".into(), error("missing, invalid or unknown field"));
    }
    responses.insert("404".into(), error("no such person"));
}

/// The `PersonExport` schema.
pub fn export_schema() -> Value {
    json!({"type": "object", "required": ["exported_at", "person", "user_accounts", "mobilities", "audit_entries"],
        "properties": {
            "exported_at": {"type": "string", "format": "date-time"},
            "person": {"$ref": "#/components/schemas/Person"},
            "user_accounts": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "email": {"type": "string"}, "role": {"type": "string"},
                "display_name": {"type": ["string", "null"]},
                "institution_id": {"type": ["string", "null"]},
                "preferred_lang": {"type": ["string", "null"]}, "disabled": {"type": "boolean"},
                "version": {"type": "integer"}, "created_at": {"type": "string"},
                "updated_at": {"type": "string"}}}},
            "mobilities": {"type": "array", "items": {"$ref": "#/components/schemas/Mobility"}},
            "audit_entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}}})
}

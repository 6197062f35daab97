//! The OpenAPI 3 document of `/api/v1`, built from the route table so that no route can be left
//! out, with schemas for each resource.

use axum::Json;
use serde_json::{json, Map, Value};

use crate::routes::{self, Access, Face};

fn localized() -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": {
        "en": {"type": "string"}, "zh": {"type": "string"}, "local": {"type": "string"}}})
}

fn enum_of(values: Vec<&str>) -> Value {
    json!({"type": "string", "enum": values})
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

fn schemas() -> Value {
    let mut all = base_schemas();
    if let Some(map) = all.as_object_mut() {
        map.extend(
            crate::api::users::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::events_doc::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::enterprise_doc::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::agreements::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::news::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::exchange::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::mobilities::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::campaigns::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        map.extend(
            crate::api::programme::schemas()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
    }
    all
}

fn base_schemas() -> Value {
    use liaison_domain::{InstitutionKind, OrgUnitKind, RegionTag, RelationshipStatus};
    let names = |all: &[&'static str]| all.to_vec();
    let kinds: Vec<&str> = InstitutionKind::ALL.iter().map(|k| k.as_str()).collect();
    let statuses: Vec<&str> = RelationshipStatus::ALL.iter().map(|k| k.as_str()).collect();
    let tags: Vec<&str> = RegionTag::ALL.iter().map(|k| k.as_str()).collect();
    let unit_kinds: Vec<&str> = OrgUnitKind::ALL.iter().map(|k| k.as_str()).collect();
    let id = json!({"type": "string", "description": "record id"});
    let id_ref = json!({"type": ["string", "integer", "null"], "description": "id of the referenced record"});
    let meta = json!({
        "id": id, "version": {"type": "integer", "minimum": 1},
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}
    });
    let institution_fields = json!({
        "kind": enum_of(kinds), "name": localized(), "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "city": localized(), "website": nullable_string(), "status": enum_of(statuses),
        "region_tags": {"type": "array", "items": enum_of(tags)}, "hei_id": nullable_string(),
        "erasmus_code": nullable_string(), "social_credit_code": nullable_string(), "profile": localized()
    });
    let unit_fields = json!({
        "institution_id": id_ref, "parent_id": id_ref, "kind": enum_of(unit_kinds), "name": localized(),
        "ounit_id": nullable_string(), "website": nullable_string()
    });
    let person_fields = json!({
        "name": localized(), "title": localized(), "institution_id": id_ref, "org_unit_id": id_ref,
        "emails": {"type": "array", "items": {"type": "string", "format": "email"}, "maxItems": 10},
        "phones": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
        "languages": {"type": "array", "items": {"type": "string"}, "maxItems": 10}
    });
    let record = |fields: &Value| {
        let mut props = fields.as_object().cloned().unwrap_or_default();
        props.extend(meta.as_object().cloned().unwrap_or_default());
        json!({"type": "object", "properties": props})
    };
    let input = |fields: &Value, required: Vec<&str>| json!({"type": "object", "additionalProperties": false, "properties": fields, "required": required});
    let patch = |fields: &Value| {
        let mut props = fields.as_object().cloned().unwrap_or_default();
        props.insert("version".into(), json!({"type": "integer"}));
        json!({"type": "object", "additionalProperties": false, "properties": props, "required": ["version"]})
    };
    json!({
        "Institution": record(&institution_fields),
        "InstitutionInput": input(&institution_fields, names(&["kind", "name", "country"])),
        "InstitutionPatch": patch(&institution_fields),
        "OrgUnit": record(&unit_fields),
        "OrgUnitInput": input(&unit_fields, names(&["institution_id", "kind", "name"])),
        "OrgUnitPatch": patch(&unit_fields),
        "Person": record(&person_fields),
        "PersonInput": input(&person_fields, names(&["name"])),
        "PersonPatch": patch(&person_fields),
        "AuditEntry": crate::api::audit::entry_schema(),
        "PersonExport": crate::api::personal_data::export_schema(),
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}}},
        "TokenRequest": {"type": "object", "additionalProperties": false, "required": ["email", "password"],
            "properties": {"email": {"type": "string"}, "password": {"type": "string"}, "name": {"type": "string"}}},
        "Token": {"type": "object", "required": ["token"], "properties": {
            "token": {"type": "string"}, "expires_at": {"type": "string"}}}
    })
}

/// `institutions` → `Institution`, for schema names.
fn schema_for(resource: &str) -> Option<&'static str> {
    match resource {
        "institutions" => Some("Institution"),
        "org-units" => Some("OrgUnit"),
        "people" => Some("Person"),
        _ => None,
    }
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": reference("Error")}}})
}

fn operation(method: &str, path: &str, access: Access) -> Value {
    let segments: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').collect();
    let resource = segments[0];
    let with_id = segments.len() > 1 && segments[1] == "{id}";
    let schema = schema_for(resource);
    let mut op = Map::new();
    op.insert(
        "operationId".into(),
        json!(format!(
            "{}_{}",
            method.to_lowercase(),
            path.replace(['/', '{', '}', '-', '.'], "_")
        )),
    );
    op.insert("summary".into(), json!(format!("{method} {path}")));
    op.insert("tags".into(), json!([resource]));
    let mut responses = Map::new();
    let mut parameters = Vec::new();
    if with_id {
        parameters.push(
            json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}),
        );
    }
    match (method, schema, with_id) {
        _ if crate::api::audit::documents(path) => {
            crate::api::audit::openapi(method, &mut parameters, &mut responses)
        }
        _ if crate::api::personal_data::documents(path) => {
            crate::api::personal_data::openapi(method, &mut op, &mut responses)
        }
        _ if crate::api::users::documents(path) => {
            crate::api::users::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        _ if crate::api::events_doc::documents(path) => {
            crate::api::events_doc::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        _ if crate::api::field_trips::documents(path) => {
            crate::api::field_trips::openapi(&mut op, &mut responses)
        }
        _ if crate::api::enterprise_doc::documents(path) => crate::api::enterprise_doc::openapi(
            method,
            path,
            &mut op,
            &mut parameters,
            &mut responses,
        ),
        _ if crate::api::agreements::documents(path) => {
            crate::api::agreements::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        _ if crate::api::news::documents(path) => {
            crate::api::news::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        _ if crate::api::exchange::documents(path) => {
            crate::api::exchange::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        _ if crate::api::mobilities::documents(path) => {
            crate::api::mobilities::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        _ if crate::api::campaigns::documents(path) => {
            crate::api::campaigns::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        _ if crate::api::programme::documents(path) => {
            crate::api::programme::openapi(method, path, &mut op, &mut parameters, &mut responses)
        }
        ("GET", Some(s), false) => {
            for (name, ty) in [("page", "integer"), ("per_page", "integer")] {
                parameters.push(
                    json!({"name": name, "in": "query", "schema": {"type": ty, "minimum": 1}}),
                );
            }
            parameters.push(
                json!({"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}}),
            );
            parameters.push(json!({"name": "sort", "in": "query", "schema": {"type": "string"}}));
            let filters: &[&str] = match resource {
                "institutions" => crate::api::institutions::FILTERS,
                "org-units" => &["institution_id", "parent_id", "kind"],
                _ => &["institution_id", "org_unit_id"],
            };
            for f in filters {
                parameters.push(json!({"name": f, "in": "query", "schema": {"type": "string"}}));
            }
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": reference(s)}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert(
                "422".into(),
                error_response("invalid or unknown query parameter"),
            );
        }
        ("GET", Some(s), true) => {
            responses.insert("200".into(), json!({"description": "the record", "content": {"application/json": {"schema": reference(s)}}}));
            responses.insert("404".into(), error_response("no such record"));
        }
        ("POST", Some(s), false) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{s}Input"))}}}));
            responses.insert("201".into(), json!({"description": "created", "content": {"application/json": {"schema": reference(s)}}}));
            responses.insert("400".into(), error_response("malformed JSON"));
            responses.insert("422".into(), error_response("invalid or unknown field"));
        }
        ("PATCH", Some(s), true) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{s}Patch"))}}}));
            responses.insert("200".into(), json!({"description": "updated", "content": {"application/json": {"schema": reference(s)}}}));
            responses.insert("404".into(), error_response("no such record"));
            responses.insert("409".into(), error_response("stale version"));
            responses.insert("422".into(), error_response("invalid or unknown field"));
        }
        ("DELETE", Some(_), true) => {
            parameters.push(json!({"name": "version", "in": "query", "required": true, "schema": {"type": "integer"}}));
            responses.insert("204".into(), json!({"description": "deleted"}));
            responses.insert("404".into(), error_response("no such record"));
            responses.insert(
                "409".into(),
                error_response("stale version or dependent records"),
            );
        }
        ("POST", None, false) if resource == "auth" => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference("TokenRequest")}}}));
            responses.insert("200".into(), json!({"description": "a bearer token", "content": {"application/json": {"schema": reference("Token")}}}));
            responses.insert("401".into(), error_response("wrong e-mail or password"));
            responses.insert("422".into(), error_response("missing field"));
        }
        _ => {
            responses.insert("200".into(), json!({"description": "this document", "content": {"application/json": {"schema": {"type": "object"}}}}));
        }
    }
    if let Access::Signed(_) = access {
        op.insert("security".into(), json!([{"bearer": []}]));
        responses.insert("401".into(), error_response("not signed in"));
        responses.insert("403".into(), error_response("role lacks the right"));
    } else {
        op.insert("security".into(), json!([]));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), json!(parameters));
    }
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}

/// The document as a value (also used by tests).
pub fn build() -> Value {
    let mut paths = Map::new();
    for spec in routes::table().iter().filter(|s| s.face == Face::Api) {
        let item = paths
            .entry(spec.path.to_string())
            .or_insert_with(|| json!({}));
        item[spec.method.to_lowercase()] = operation(spec.method, spec.path, spec.access);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Liaison API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Partner directory and cooperation records of an international office."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}

pub async fn document() -> Json<Value> {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(build).clone())
}

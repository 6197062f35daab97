//! The OpenAPI description of `/api/v1/events`, `/api/v1/action-items` and the document routes.

use serde_json::{json, Map, Value};

use liaison_domain::{ActionStatus, EventKind, ParticipantRole};

pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/events")
        || path.starts_with("/api/v1/action-items")
        || path.starts_with("/api/v1/documents")
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn list_parameters(parameters: &mut Vec<Value>, sorts: &[&str], filters: &[(&str, Value)]) {
    for name in ["page", "per_page"] {
        parameters.push(
            json!({"name": name, "in": "query", "schema": {"type": "integer", "minimum": 1}}),
        );
    }
    parameters
        .push(json!({"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}}));
    let mut sort_values: Vec<String> = Vec::new();
    for s in sorts {
        sort_values.push(s.to_string());
        sort_values.push(format!("-{s}"));
    }
    parameters.push(
        json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sort_values}}),
    );
    for (name, schema) in filters {
        parameters.push(json!({"name": name, "in": "query", "schema": schema}));
    }
}

fn page_of(schema: &str) -> Value {
    json!({"description": "one page", "content": {"application/json": {"schema": {
        "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
            "items": {"type": "array", "items": reference(schema)}, "total": {"type": "integer"},
            "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}})
}

/// The operation details of one route.
pub fn openapi(
    method: &str,
    path: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    let date = json!({"type": "string", "format": "date"});
    let id = json!({"type": "string", "pattern": "^[0-9]+$"});
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    let statuses: Vec<&str> = ActionStatus::ALL.iter().map(|k| k.as_str()).collect();
    let (schema, sorts, filters): (&str, &[&str], Vec<(&str, Value)>) =
        if path.starts_with("/api/v1/events") {
            (
                "Event",
                liaison_storage::EVENT_SORTS,
                vec![
                    ("kind", json!({"type": "string", "enum": kinds})),
                    ("from", date.clone()),
                    ("to", date.clone()),
                    ("institution_id", id.clone()),
                ],
            )
        } else {
            (
                "ActionItem",
                liaison_storage::ACTION_ITEM_SORTS,
                vec![
                    ("status", json!({"type": "string", "enum": statuses})),
                    ("owner_user_id", id.clone()),
                    ("event_id", id.clone()),
                    ("agreement_id", id.clone()),
                    (
                        "overdue",
                        json!({"type": "string", "enum": ["true", "false"]}),
                    ),
                    ("mine", json!({"type": "string", "enum": ["true", "false"]})),
                ],
            )
        };
    let with_id = path.ends_with("{id}");
    if path.ends_with("/documents") {
        owner_documents(method, "event", op, parameters, responses);
        return;
    }
    if path.starts_with("/api/v1/documents") {
        match method {
            "GET" => {
                op.insert("description".into(), json!("Downloads the file with its type, a Content-Disposition with the RFC 5987 file name and `X-Content-Type-Options: nosniff`."));
                responses.insert(
                    "200".into(),
                    json!({"description": "the file", "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                    "image/webp": {"schema": {"type": "string", "format": "binary"}}}}),
                );
            }
            _ => {
                responses.insert("204".into(), json!({"description": "deleted"}));
            }
        }
        responses.insert("404".into(), error("no such document, or not visible"));
        return;
    }
    match (method, with_id) {
        ("GET", false) => {
            list_parameters(parameters, sorts, &filters);
            responses.insert("200".into(), page_of(schema));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", false) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{schema}Input"))}}}));
            responses.insert("201".into(), json!({"description": "created", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert(
                "422".into(),
                error("invalid or unknown field, or a reference to a missing record"),
            );
        }
        ("GET", true) => {
            responses.insert("200".into(), json!({"description": "the record", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("404".into(), error("no such record"));
        }
        ("PATCH", true) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{schema}Patch"))}}}));
            responses.insert("200".into(), json!({"description": "updated", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("404".into(), error("no such record"));
            responses.insert("409".into(), error("stale version"));
            responses.insert(
                "422".into(),
                error("invalid or unknown field, or a status change the state machine refuses"),
            );
        }
        _ => {
            parameters.push(json!({"name": "version", "in": "query", "required": true, "schema": {"type": "integer"}}));
            responses.insert("204".into(), json!({"description": "deleted"}));
            responses.insert("404".into(), error("no such record"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("missing version"));
        }
    }
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    let roles: Vec<&str> = ParticipantRole::ALL.iter().map(|k| k.as_str()).collect();
    let statuses: Vec<&str> = ActionStatus::ALL.iter().map(|k| k.as_str()).collect();
    let localized = json!({"type": ["object", "null"], "additionalProperties": false, "properties": {
        "en": {"type": ["string", "null"]}, "zh": {"type": ["string", "null"]}, "local": {"type": ["string", "null"]}}});
    let date = json!({"type": "string", "format": "date"});
    let id_in = json!({"type": ["string", "integer", "null"]});
    let id_req = json!({"type": ["string", "integer"]});
    let participant = json!({"type": "object", "additionalProperties": false, "required": ["role"], "properties": {
        "person_id": id_in, "institution_id": id_in, "role": {"type": "string", "enum": roles}}});
    let honour = json!({"type": "object", "additionalProperties": false, "required": ["person_id", "honour"], "properties": {
        "person_id": id_req, "honour": localized, "conferred_by": id_in}});
    let event_fields = json!({
        "kind": {"type": "string", "enum": kinds}, "title": localized, "start_on": date, "end_on": date,
        "venue": localized, "host_unit_id": id_in, "summary": localized,
        "participants": {"type": "array", "items": participant, "maxItems": 500},
        "consensus": {"type": "array", "items": localized, "maxItems": 50},
        "honours": {"type": "array", "items": honour, "maxItems": 50},
        "agreement_ids": {"type": "array", "items": id_req, "maxItems": 50}
    });
    let item_fields = json!({
        "title": localized, "owner_user_id": id_in, "due_on": {"type": ["string", "null"], "format": "date"},
        "status": {"type": "string", "enum": statuses}, "event_id": id_in, "agreement_id": id_in, "notes": localized
    });
    let meta = |fields: &Value, extra: Value| {
        let mut props = fields.as_object().cloned().unwrap_or_default();
        props.extend(extra.as_object().cloned().unwrap_or_default());
        props.insert("id".into(), json!({"type": "string"}));
        props.insert("version".into(), json!({"type": "integer", "minimum": 1}));
        props.insert("created_at".into(), json!({"type": "string"}));
        props.insert("updated_at".into(), json!({"type": "string"}));
        json!({"type": "object", "required": ["id", "version"], "properties": props})
    };
    let input = |fields: &Value, required: Vec<&str>| json!({"type": "object", "additionalProperties": false, "properties": fields, "required": required});
    let patch = |fields: &Value| {
        let mut props = fields.as_object().cloned().unwrap_or_default();
        props.insert("version".into(), json!({"type": "integer"}));
        json!({"type": "object", "additionalProperties": false, "properties": props, "required": ["version"]})
    };
    vec![
        (
            "Event",
            meta(
                &event_fields,
                json!({"counts": {"type": "object", "properties": {
                "institutions": {"type": "integer"}, "countries": {"type": "integer"}, "people": {"type": "integer"}}}}),
            ),
        ),
        (
            "EventInput",
            input(&event_fields, vec!["kind", "title", "start_on"]),
        ),
        ("EventPatch", patch(&event_fields)),
        ("ActionItem", meta(&item_fields, json!({}))),
        ("ActionItemInput", input(&item_fields, vec!["title"])),
        ("ActionItemPatch", patch(&item_fields)),
        (
            "Document",
            json!({"type": "object", "required": ["id", "owner_kind", "owner_id", "file_name", "media_type", "size", "sha256"], "properties": {
                "id": {"type": "string"}, "owner_kind": {"type": "string", "enum": ["agreement", "event", "news"]},
                "owner_id": {"type": "string"}, "file_name": {"type": "string"},
                "media_type": {"type": "string", "enum": ["application/pdf", "image/jpeg", "image/png", "image/webp"]},
                "size": {"type": "integer"}, "sha256": {"type": "string"}, "thumbnail_sha256": {"type": "string"},
                "created_by": {"type": "string"}, "created_at": {"type": "string"}}}),
        ),
    ]
}

/// `GET`/`POST …/{id}/documents` of a record that holds documents (events, agreements).
pub fn owner_documents(
    method: &str,
    owner: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    match method {
        "GET" => {
            responses.insert("200".into(), json!({"description": format!("the {owner}'s documents and photos"), "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": reference("Document")}}}}}}));
        }
        _ => {
            op.insert("description".into(), json!("Uploads a document or photo: the file is the raw body, its name the `filename` parameter. The type is read from the content (PDF, JPEG, PNG, WebP); a name whose extension does not fit, or any other content, is 415. Bodies over the upload limit (default 20 MiB) are 413. Photos get a thumbnail."));
            parameters.push(json!({"name": "filename", "in": "query", "schema": {"type": "string", "maxLength": 200}}));
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}));
            responses.insert("201".into(), json!({"description": "stored", "content": {"application/json": {"schema": reference("Document")}}}));
            responses.insert("413".into(), error("larger than the upload limit"));
            responses.insert(
                "415".into(),
                error("not a PDF, JPEG, PNG or WebP, or a name that does not fit the content"),
            );
            responses.insert("422".into(), error("empty file or unknown parameter"));
        }
    }
    responses.insert(
        "404".into(),
        error(&format!("no such {owner}, or not visible")),
    );
}

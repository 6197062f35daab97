//! The OpenAPI description of `/api/v1/positions`, `/api/v1/skill-profiles`,
//! `/api/v1/placements` and `/api/v1/employment-outcomes`.

use serde_json::{json, Map, Value};

use liaison_domain::enterprise::{Cefr, Destination, Sector, LEVEL_MAX};
use liaison_domain::matching::Criterion;
use liaison_domain::{PlacementStatus, PositionKind, PositionStatus};

const RESOURCES: &[(&str, &str)] = &[
    ("/api/v1/positions", "Position"),
    ("/api/v1/skill-profiles", "SkillProfile"),
    ("/api/v1/placements", "Placement"),
    ("/api/v1/employment-outcomes", "EmploymentOutcome"),
];

pub fn documents(path: &str) -> bool {
    RESOURCES.iter().any(|(p, _)| path.starts_with(p))
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
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
    let Some((_, schema)) = RESOURCES.iter().find(|(p, _)| path.starts_with(p)) else {
        return;
    };
    let id = json!({"type": "string", "pattern": "^[0-9]+$"});
    let boolean = json!({"type": "string", "enum": ["true", "false"]});
    if path.ends_with("/matches") {
        parameters.push(json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}));
        op.insert("description".into(), json!("The explained matching: for a position, the top consenting students; for a skill profile, the best open positions. Each item lists its score (points out of max_points) and the components that add up to it."));
        let item = if path.starts_with("/api/v1/positions") {
            "Candidate"
        } else {
            "PositionMatch"
        };
        responses.insert("200".into(), json!({"description": "ranked, best first", "content": {"application/json": {"schema": {
            "type": "object", "required": ["items", "max_points"], "properties": {
                "items": {"type": "array", "items": reference(item)}, "max_points": {"type": "integer"},
                "position_id": {"type": "string"}, "profile_id": {"type": "string"}}}}}}));
        responses.insert("404".into(), error("no such record, or not visible"));
        responses.insert("422".into(), error("invalid or unknown query parameter"));
        return;
    }
    let with_id = path.ends_with("{id}");
    match (method, with_id) {
        ("GET", false) => {
            for name in ["page", "per_page"] {
                parameters.push(json!({"name": name, "in": "query", "schema": {"type": "integer", "minimum": 1}}));
            }
            let (sorts, filters): (&[&str], Vec<(&str, Value)>) = match *schema {
                "Position" => (
                    liaison_storage::POSITION_SORTS,
                    vec![
                        (
                            "kind",
                            json!({"type": "string", "enum": names(PositionKind::ALL, PositionKind::as_str)}),
                        ),
                        (
                            "status",
                            json!({"type": "string", "enum": names(PositionStatus::ALL, PositionStatus::as_str)}),
                        ),
                        ("institution_id", id.clone()),
                        ("skill", json!({"type": "string", "maxLength": 40})),
                    ],
                ),
                "SkillProfile" => (
                    liaison_storage::SKILL_PROFILE_SORTS,
                    vec![
                        ("skill", json!({"type": "string", "maxLength": 40})),
                        ("major", json!({"type": "string", "maxLength": 40})),
                        ("consent", boolean.clone()),
                        ("person_id", id.clone()),
                    ],
                ),
                "Placement" => (
                    liaison_storage::PLACEMENT_SORTS,
                    vec![
                        ("position_id", id.clone()),
                        ("person_id", id.clone()),
                        (
                            "status",
                            json!({"type": "string", "enum": names(PlacementStatus::ALL, PlacementStatus::as_str)}),
                        ),
                    ],
                ),
                _ => (
                    liaison_storage::OUTCOME_SORTS,
                    vec![
                        (
                            "cohort",
                            json!({"type": "integer", "minimum": 1990, "maximum": 2100}),
                        ),
                        (
                            "sector",
                            json!({"type": "string", "enum": names(Sector::ALL, Sector::as_str)}),
                        ),
                        (
                            "destination",
                            json!({"type": "string", "enum": names(Destination::ALL, Destination::as_str)}),
                        ),
                        ("employer_institution_id", id.clone()),
                        ("major", json!({"type": "string", "maxLength": 40})),
                    ],
                ),
            };
            if matches!(*schema, "Position" | "EmploymentOutcome") {
                parameters.push(json!({"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}}));
            }
            let mut sort_values: Vec<String> = Vec::new();
            for s in sorts {
                sort_values.push(s.to_string());
                sort_values.push(format!("-{s}"));
            }
            parameters.push(json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sort_values}}));
            for (name, s) in filters {
                parameters.push(json!({"name": name, "in": "query", "schema": s}));
            }
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": reference(schema)}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", false) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{schema}Input"))}}}));
            responses.insert("201".into(), json!({"description": "created", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field, a reference to a missing record, or a refused application (no consent, deadline passed, applied already)"));
        }
        ("GET", true) => {
            responses.insert("200".into(), json!({"description": "the record", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("404".into(), error("no such record, or not visible"));
        }
        ("PATCH", true) => {
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": reference(&format!("{schema}Patch"))}}}));
            responses.insert("200".into(), json!({"description": "updated", "content": {"application/json": {"schema": reference(schema)}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("404".into(), error("no such record, or not visible"));
            responses.insert("409".into(), error("stale version"));
            responses.insert(
                "422".into(),
                error("invalid or unknown field, or a status change the state machine refuses"),
            );
        }
        _ => {
            parameters.push(json!({"name": "version", "in": "query", "required": true, "schema": {"type": "integer"}}));
            responses.insert("204".into(), json!({"description": "deleted"}));
            responses.insert("404".into(), error("no such record, or not visible"));
            responses.insert(
                "409".into(),
                error("stale version, or placements depend on it"),
            );
            responses.insert("422".into(), error("missing version"));
        }
    }
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let localized = json!({"type": ["object", "null"], "additionalProperties": false, "properties": {
        "en": {"type": ["string", "null"]}, "zh": {"type": ["string", "null"]}, "local": {"type": ["string", "null"]}}});
    let date = json!({"type": ["string", "null"], "format": "date"});
    let id_in = json!({"type": ["string", "integer", "null"]});
    let id_req = json!({"type": ["string", "integer"]});
    let text = json!({"type": ["string", "null"], "maxLength": 300});
    let cefr = json!({"type": "string", "enum": names(Cefr::ALL, Cefr::as_str)});
    let level = json!({"type": "integer", "minimum": 1, "maximum": LEVEL_MAX});
    let wanted = json!({"type": "object", "additionalProperties": false, "required": ["skill", "level"], "properties": {
        "skill": {"type": "string", "maxLength": 40, "description": "a code of the skills vocabulary, or a free tag with free_tag: true"},
        "level": level, "required": {"type": "boolean"}, "free_tag": {"type": "boolean"}}});
    let held = json!({"type": "object", "additionalProperties": false, "required": ["skill", "level"], "properties": {
        "skill": {"type": "string", "maxLength": 40}, "level": level, "free_tag": {"type": "boolean"}}});
    let language = json!({"type": "object", "additionalProperties": false, "required": ["language", "level"], "properties": {
        "language": {"type": "string", "pattern": "^[a-z]{2,3}$"}, "level": cefr}});
    let position = json!({
        "institution_id": id_req, "kind": {"type": "string", "enum": names(PositionKind::ALL, PositionKind::as_str)},
        "title": localized, "description": localized,
        "skills": {"type": "array", "items": wanted, "minItems": 1, "maxItems": 30},
        "majors": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "seats": {"type": "integer", "minimum": 1, "maximum": 10000},
        "start_on": date, "end_on": date, "deadline": date, "city": localized,
        "country": {"type": ["string", "null"], "pattern": "^[A-Za-z]{2}$"}, "remote": {"type": "boolean"},
        "language": {"type": ["string", "null"]}, "language_level": {"type": ["string", "null"], "enum": [null, "A1", "A2", "B1", "B2", "C1", "C2"]},
        "status": {"type": "string", "enum": names(PositionStatus::ALL, PositionStatus::as_str)},
        "vetting_note": localized,
        "event_id": {"type": ["string", "integer", "null"], "description": "field trips only: the event of the visit (set by the office)"}
    });
    let profile = json!({
        "person_id": id_req, "major": {"type": ["string", "null"]},
        "year_of_study": {"type": ["integer", "null"], "minimum": 1, "maximum": 8},
        "skills": {"type": "array", "items": held, "maxItems": 30},
        "languages": {"type": "array", "items": language, "maxItems": 10},
        "interests": localized, "available_from": date, "consent": {"type": "boolean"}
    });
    let placement = json!({
        "position_id": id_req, "person_id": id_req,
        "status": {"type": "string", "enum": names(PlacementStatus::ALL, PlacementStatus::as_str)},
        "start_on": date, "end_on": date, "enterprise_supervisor": text, "university_supervisor": text,
        "evaluation": localized, "event_id": id_in, "note": localized
    });
    let outcome = json!({
        "person_id": id_in, "cohort": {"type": "integer", "minimum": 1990, "maximum": 2100},
        "destination": {"type": "string", "enum": names(Destination::ALL, Destination::as_str)},
        "employer": localized, "employer_institution_id": id_in,
        "sector": {"type": ["string", "null"], "enum": [null, "it", "ai_speech", "media", "education", "manufacturing", "finance", "public_sector", "other"]},
        "city": localized, "country": {"type": ["string", "null"], "pattern": "^[A-Za-z]{2}$"}, "major": {"type": ["string", "null"]}
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
    let component = json!({"type": "object", "required": ["criterion", "points", "max_points"], "properties": {
        "criterion": {"type": "string", "enum": names(Criterion::ALL, Criterion::as_str)},
        "label": localized, "points": {"type": "integer"}, "max_points": {"type": "integer"},
        "matched": {"type": "array", "items": {"type": "string"}}, "missing": {"type": "array", "items": {"type": "string"}}}});
    vec![
        ("Position", meta(&position, json!({}))),
        (
            "PositionInput",
            input(&position, vec!["kind", "title", "skills", "seats"]),
        ),
        ("PositionPatch", patch(&position)),
        (
            "SkillProfile",
            meta(
                &profile,
                json!({"consent_at": {"type": ["string", "null"]}}),
            ),
        ),
        ("SkillProfileInput", input(&profile, vec![])),
        ("SkillProfilePatch", patch(&profile)),
        ("Placement", meta(&placement, json!({}))),
        ("PlacementInput", input(&placement, vec!["position_id"])),
        ("PlacementPatch", patch(&placement)),
        ("EmploymentOutcome", meta(&outcome, json!({}))),
        (
            "EmploymentOutcomeInput",
            input(&outcome, vec!["cohort", "destination"]),
        ),
        ("EmploymentOutcomePatch", patch(&outcome)),
        (
            "Candidate",
            json!({"type": "object", "required": ["profile_id", "person_id", "score", "components"], "properties": {
                "profile_id": {"type": "string"}, "person_id": {"type": "string"}, "name": localized,
                "rank": {"type": "integer"}, "score": {"type": "integer"}, "max_points": {"type": "integer"},
                "components": {"type": "array", "items": component}}}),
        ),
        (
            "PositionMatch",
            json!({"type": "object", "required": ["position_id", "score", "components"], "properties": {
                "position_id": {"type": "string"}, "title": localized, "rank": {"type": "integer"},
                "score": {"type": "integer"}, "max_points": {"type": "integer"},
                "components": {"type": "array", "items": component}}}),
        ),
    ]
}

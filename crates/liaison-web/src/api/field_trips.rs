//! `POST /api/v1/positions/{id}/group-placements`: the office places a group of students on a
//! field-trip position at once (all or nothing). Each placement takes the position's period and
//! its event (the visit); the students are `person_ids`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{parse_id, JsonFields, JsonObject};
use crate::auth::Ctx;
use crate::error::ApiResult;
use crate::AppState;
use liaison_domain::{
    FieldErrors, Id, Placement, PlacementDraft, PlacementStatus, Position, PositionKind,
};
use liaison_storage::StoreError;

/// The largest group placed at once.
pub const GROUP_MAX: usize = 500;

/// The statuses a group may be placed in.
pub const GROUP_STATUSES: &[PlacementStatus] = &[
    PlacementStatus::Accepted,
    PlacementStatus::Ongoing,
    PlacementStatus::Completed,
];

/// The placements of a group on `position`, checked: a field trip, one or more students (at most
/// [`GROUP_MAX`]), a status of [`GROUP_STATUSES`].
pub fn group_drafts(
    position: &Position,
    person_ids: &[Id],
    status: PlacementStatus,
) -> Result<Vec<PlacementDraft>, FieldErrors> {
    let mut e = FieldErrors::default();
    if position.draft.kind != PositionKind::FieldTrip {
        e.push("position_id", "not-field-trip");
    }
    if person_ids.is_empty() {
        e.push("person_ids", "required");
    } else if person_ids.len() > GROUP_MAX {
        e.push_limit("person_ids", "too-many", GROUP_MAX);
    }
    if !GROUP_STATUSES.contains(&status) {
        e.push("status", "invalid-choice");
    }
    let drafts = person_ids
        .iter()
        .map(|p| PlacementDraft {
            position_id: position.id,
            person_id: *p,
            status,
            start_on: position.draft.start_on,
            end_on: position.draft.end_on,
            enterprise_supervisor: None,
            university_supervisor: None,
            evaluation: Default::default(),
            event_id: position.draft.event_id,
            note: Default::default(),
        })
        .collect();
    e.into_result(drafts)
}

#[derive(serde::Serialize)]
pub struct GroupBody {
    pub items: Vec<Placement>,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<GroupBody>)> {
    let position = state.db.position(parse_id(&id)?).await?;
    let mut fields = JsonFields::new(body, &["person_ids", "status"]);
    let mut person_ids = Vec::new();
    match fields.take::<Vec<Value>>("person_ids") {
        None => {}
        Some(values) => {
            for (i, v) in values.iter().enumerate() {
                let id = match v {
                    Value::String(s) => s.parse::<Id>().ok(),
                    Value::Number(n) => n.as_i64(),
                    _ => None,
                };
                match id {
                    Some(id) => person_ids.push(id),
                    None => fields
                        .errors
                        .push(format!("person_ids.{i}"), "invalid-type"),
                }
            }
        }
    }
    let status = fields
        .choice("status", PlacementStatus::parse)
        .unwrap_or(PlacementStatus::Accepted);
    let drafts = super::merge(fields.errors, group_drafts(&position, &person_ids, status))?;
    let items = state
        .db
        .create_group_placements(&actor(&ctx), &drafts)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::Invalid(FieldErrors::from(
                liaison_domain::FieldError::new("person_ids", "not-found"),
            )),
            e => e,
        })?;
    Ok((StatusCode::CREATED, Json(GroupBody { items })))
}

pub fn documents(path: &str) -> bool {
    path.ends_with("/group-placements")
}

pub fn openapi(op: &mut Map<String, Value>, responses: &mut Map<String, Value>) {
    let statuses: Vec<&str> = GROUP_STATUSES.iter().map(|s| s.as_str()).collect();
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    op.insert("description".into(), json!("Places a group of students on a field-trip position at once, all or nothing: each placement takes the position's period and event. A student who does not exist, is listed twice or is already placed on it is an error on person_ids.N and nothing is stored."));
    op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": false, "required": ["person_ids"], "properties": {
            "person_ids": {"type": "array", "minItems": 1, "maxItems": GROUP_MAX, "items": {"type": ["string", "integer"], "pattern": "^[0-9]{1,18}$"}},
            "status": {"type": "string", "enum": statuses}}}}}}));
    responses.insert("201".into(), json!({"description": "the placements made", "content": {"application/json": {"schema": {
        "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Placement"}}}}}}}));
    responses.insert("400".into(), error("malformed JSON"));
    responses.insert("404".into(), error("no such position"));
    responses.insert(
        "422".into(),
        error(
            "not a field trip, no students, an unknown or repeated student, or one already placed",
        ),
    );
}

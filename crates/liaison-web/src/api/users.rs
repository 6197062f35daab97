//! `/api/v1/users`: accounts for administrators. `POST` invites (the account exists once the
//! invitee has used the link); `PATCH` changes role, scope, display name and the disabled flag.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::ApiResult;
use crate::i18n::Lang;
use crate::mail::{invite, InviteRequest};
use crate::AppState;
use liaison_domain::account::{self, AccountScope};
use liaison_domain::{FieldErrors, Role};
use liaison_storage::{Invitation, User, UserChanges, UserFilter, USER_SORTS};

pub const FILTERS: &[&str] = &["role", "disabled"];
const CREATE_FIELDS: &[&str] = &[
    "email",
    "role",
    "institution_id",
    "unit_ids",
    "person_id",
    "lang",
];
const PATCH_FIELDS: &[&str] = &[
    "role",
    "institution_id",
    "unit_ids",
    "person_id",
    "display_name",
    "disabled",
    "version",
];

/// The list filters shared by the API and the page.
pub fn filter_from(query: &ListQuery) -> Result<UserFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let role = query.filter("role", Role::parse, &mut errors);
    let disabled = query.filter(
        "disabled",
        |v| match v {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        &mut errors,
    );
    errors.into_result(UserFilter {
        q: query.q.clone(),
        role,
        disabled,
    })
}

pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<User>>> {
    let query = ListQuery::parse(raw.as_deref(), USER_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let page = state
        .db
        .users_page(&filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<User>> {
    Ok(Json(state.db.user(parse_id(&id)?).await?))
}

/// An invitation as the API answers it: the record and, once, its link.
#[derive(Serialize)]
pub struct InvitationBody {
    #[serde(flatten)]
    pub invitation: Invitation,
    pub link: String,
}

/// Reads `unit_ids` as a list of ids (strings or numbers).
fn unit_ids(fields: &mut JsonFields) -> Option<Vec<i64>> {
    let raw: Vec<Value> = fields.take("unit_ids")?;
    let mut out = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        match v {
            Value::Number(n) if n.as_i64().is_some() => out.push(n.as_i64().unwrap_or_default()),
            Value::String(s) if s.parse::<i64>().is_ok() => out.push(s.parse().unwrap_or_default()),
            _ => fields.errors.push(format!("unit_ids.{i}"), "invalid-type"),
        }
    }
    Some(out)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, CREATE_FIELDS);
    let email: Option<String> = fields.take("email");
    fields.require("email", email.is_some());
    let role = fields.choice("role", Role::parse);
    fields.require("role", role.is_some());
    let scope = AccountScope {
        institution_id: fields.id("institution_id").flatten(),
        unit_ids: unit_ids(&mut fields).unwrap_or_default(),
        person_id: fields.id("person_id").flatten(),
    };
    let lang = match fields.take::<String>("lang") {
        None => Some(Lang::En),
        Some(raw) => {
            let parsed = account::parse_lang(&raw).and_then(Lang::parse);
            if parsed.is_none() {
                fields.errors.push("lang", "invalid-choice");
            }
            parsed
        }
    };
    let email = email.map(|e| account::email("email", &e, &mut fields.errors));
    if let Some(role) = role {
        if let Err(e) = account::check_scope(role, &scope) {
            fields.errors.0.extend(e.0);
        }
    }
    fields.finish()?;
    let request = InviteRequest {
        email: email.expect("checked"),
        role: role.expect("checked"),
        scope,
        lang: lang.expect("checked"),
    };
    let issued = invite(&state, &ctx, &headers, &request).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationBody {
            invitation: issued.invitation,
            link: issued.url,
        }),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<User>> {
    let id = parse_id(&id)?;
    let current = state.db.user(id).await?;
    let mut fields = JsonFields::new(body, PATCH_FIELDS);
    let version = fields.version();
    let sent_institution = fields.has("institution_id");
    let sent_units = fields.has("unit_ids");
    let sent_person = fields.has("person_id");
    let role = fields.choice("role", Role::parse).unwrap_or(current.role);
    let mut scope = AccountScope {
        institution_id: current.institution_id,
        unit_ids: current.unit_ids.clone(),
        person_id: current.person_id,
    };
    if let Some(v) = fields.id("institution_id") {
        scope.institution_id = v;
    }
    if let Some(v) = unit_ids(&mut fields) {
        scope.unit_ids = v;
    }
    if let Some(v) = fields.id("person_id") {
        scope.person_id = v;
    }
    // A part of the scope that was not sent follows the role (a partner made staff loses its
    // institution); a part that was sent must fit the role.
    let fitting = scope.for_role(role);
    if !sent_institution {
        scope.institution_id = fitting.institution_id;
    }
    if !sent_units {
        scope.unit_ids = fitting.unit_ids;
    }
    if !sent_person {
        scope.person_id = fitting.person_id;
    }
    let display_name = match fields.take::<Option<String>>("display_name") {
        Some(raw) => account::display_name("display_name", raw.as_deref(), &mut fields.errors),
        None => current.display_name.clone(),
    };
    let disabled = fields.take::<bool>("disabled").unwrap_or(current.disabled);
    if let Err(e) = account::check_scope(role, &scope) {
        let read: Vec<String> = fields.errors.0.iter().map(|e| e.field.clone()).collect();
        fields
            .errors
            .0
            .extend(e.0.into_iter().filter(|e| !read.contains(&e.field)));
    }
    fields.finish()?;
    let changes = UserChanges {
        role,
        scope,
        display_name,
        disabled,
    };
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_user(&actor(&ctx), id, version, &changes)
            .await?,
    ))
}

/// Whether `path` is documented by `openapi` below rather than by the generic resource rules.
pub fn documents(path: &str) -> bool {
    path == "/api/v1/users" || path == "/api/v1/users/{id}"
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The OpenAPI operation details of the user routes.
pub fn openapi(
    method: &str,
    path: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    let user = json!({"$ref": "#/components/schemas/User"});
    match (method, path.ends_with("{id}")) {
        ("GET", false) => {
            for (name, ty) in [("page", "integer"), ("per_page", "integer")] {
                parameters.push(
                    json!({"name": name, "in": "query", "schema": {"type": ty, "minimum": 1}}),
                );
            }
            parameters.push(json!({"name": "q", "in": "query", "description": "part of the e-mail or display name", "schema": {"type": "string", "maxLength": 200}}));
            parameters.push(json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["email", "-email", "role", "-role", "created_at", "-created_at"]}}));
            let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            parameters.push(
                json!({"name": "role", "in": "query", "schema": {"type": "string", "enum": roles}}),
            );
            parameters.push(json!({"name": "disabled", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}));
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": user}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", false) => {
            op.insert("description".into(), json!("Invites someone: queues an e-mail with a one-time link (valid 7 days) that creates the account with this role and scope. The link is also in the answer, once."));
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserInvite"}}}}));
            responses.insert("201".into(), json!({"description": "the invitation and its link", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Invitation"}}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field, a scope that does not fit the role, or an e-mail that already has an account (taken)"));
        }
        ("GET", true) => {
            responses.insert("200".into(), json!({"description": "the account", "content": {"application/json": {"schema": user}}}));
            responses.insert("404".into(), error("no such account"));
        }
        _ => {
            op.insert("description".into(), json!("Changes role, scope, display name or the disabled flag. Disabling ends the account's sessions and tokens. A scope part not sent follows the role."));
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserPatch"}}}}));
            responses.insert("200".into(), json!({"description": "updated", "content": {"application/json": {"schema": user}}}));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("404".into(), error("no such account"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("invalid or unknown field"));
        }
    }
}

/// The `User`, `UserInvite`, `UserPatch` and `Invitation` schemas.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let id = json!({"type": ["string", "null"]});
    let id_in = json!({"type": ["string", "integer", "null"]});
    let ids_in = json!({"type": "array", "items": {"type": ["string", "integer"]}, "maxItems": 50});
    let lang = json!({"type": "string", "enum": account::LANGS});
    vec![
        (
            "User",
            json!({"type": "object", "required": ["id", "email", "role", "disabled", "version"], "properties": {
                "id": {"type": "string"}, "email": {"type": "string"}, "role": {"type": "string", "enum": roles},
                "display_name": {"type": ["string", "null"]}, "person_id": id, "institution_id": id,
                "unit_ids": {"type": "array", "items": {"type": "string"}},
                "preferred_lang": {"type": ["string", "null"]}, "disabled": {"type": "boolean"},
                "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}),
        ),
        (
            "UserInvite",
            json!({"type": "object", "additionalProperties": false, "required": ["email", "role"], "properties": {
                "email": {"type": "string", "format": "email"}, "role": {"type": "string", "enum": roles},
                "institution_id": id_in, "unit_ids": ids_in, "person_id": id_in, "lang": lang}}),
        ),
        (
            "UserPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": {
                "role": {"type": "string", "enum": roles}, "institution_id": id_in, "unit_ids": ids_in,
                "person_id": id_in, "display_name": {"type": ["string", "null"], "maxLength": account::DISPLAY_NAME_MAX},
                "disabled": {"type": "boolean"}, "version": {"type": "integer"}}}),
        ),
        (
            "Invitation",
            json!({"type": "object", "required": ["id", "email", "role", "expires_at", "link"], "properties": {
                "id": {"type": "string"}, "purpose": {"type": "string"}, "email": {"type": "string"},
                "role": {"type": ["string", "null"]}, "institution_id": id, "person_id": id,
                "unit_ids": {"type": "array", "items": {"type": "string"}}, "user_id": id,
                "lang": {"type": "string"}, "invited_by": id, "created_at": {"type": "string"},
                "expires_at": {"type": "string"}, "used_at": {"type": ["string", "null"]},
                "link": {"type": "string", "description": "the one-time link; shown only in this answer"}}}),
        ),
    ]
}

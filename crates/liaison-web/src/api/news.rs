//! `/api/v1/news` (C6): stories of the newsroom, their workflow (`/status`), history and photos.
//!
//! A story is created as a draft; `POST /api/v1/news/{id}/status` with `{"status", "version",
//! "comment"}` moves it (rules in `liaison_domain::news::check_step`: 403 for a role that may not
//! take the step or an author reviewing their own story, 422 for a step the workflow lacks).
//! Photos: `POST /api/v1/news/{id}/photos?filename=NAME&caption_en=…&caption_zh=…&photographer=…`
//! with the image as the raw body (JPEG, PNG or WebP; thumbnails are made on the server).

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::institutions::actor;
use super::{delete_version, merge, parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use liaison_domain::access::allows;
use liaison_domain::event::iso_date;
use liaison_domain::news::{self, StepError};
use liaison_domain::{
    Action, Credit, CreditRole, FieldError, FieldErrors, LocalizedText, NewsDraft, NewsItem,
    NewsStatus, Sort,
};
use liaison_storage::{NewsFilter, NewsHistoryEntry, NewsPhoto, OwnerKind, NEWS_SORTS};

pub const FIELDS: &[&str] = &[
    "title",
    "summary",
    "body",
    "slug",
    "published_on",
    "tags",
    "event_ids",
    "institution_ids",
    "credits",
];
pub const FILTERS: &[&str] = &["status", "tag", "event_id"];

/// The list's sort: the one asked for, else the latest changes first.
pub fn sort_of(raw: Option<&str>, parsed: Sort) -> Sort {
    let asked = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .any(|(k, v)| k == "sort" && !v.trim().is_empty());
    if asked {
        parsed
    } else {
        Sort {
            field: "updated_at",
            descending: true,
        }
    }
}

pub fn filter_from(query: &ListQuery) -> Result<NewsFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = NewsFilter {
        q: query.q.clone(),
        status: query.filter("status", NewsStatus::parse, &mut errors),
        tag: query.filter("tag", news::normalize_tag, &mut errors),
        event_id: query.filter("event_id", |v| v.parse().ok(), &mut errors),
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<NewsItem>>> {
    let query = ListQuery::parse(raw.as_deref(), NEWS_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let sort = sort_of(raw.as_deref(), query.sort);
    let page = state.db.news(&filter, &sort, &query.page).await?;
    Ok(super::list_body(page, &query))
}

pub async fn load(state: &AppState, id: &str) -> ApiResult<NewsItem> {
    Ok(state.db.news_item(parse_id(id)?).await?)
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<NewsItem>> {
    Ok(Json(load(&state, &id).await?))
}

#[derive(serde::Deserialize)]
struct IdValue(#[serde(with = "liaison_domain::id_as_string")] i64);

pub fn empty_draft() -> NewsDraft {
    NewsDraft {
        title: LocalizedText::default(),
        summary: LocalizedText::default(),
        body: LocalizedText::default(),
        slug: None,
        published_on: None,
        tags: Vec::new(),
        event_ids: Vec::new(),
        institution_ids: Vec::new(),
        credits: Vec::new(),
    }
}

fn apply(draft: &mut NewsDraft, fields: &mut JsonFields) {
    for (field, slot) in [
        ("title", &mut draft.title),
        ("summary", &mut draft.summary),
        ("body", &mut draft.body),
    ] {
        if let Some(v) = fields.text(field) {
            *slot = v;
        }
    }
    if let Some(v) = fields.take::<Option<String>>("slug") {
        draft.slug = v;
    }
    if let Some(v) = fields.take::<Option<String>>("published_on") {
        draft.published_on = match v {
            None => None,
            Some(raw) => {
                let d = iso_date::parse(&raw);
                if d.is_none() {
                    fields.errors.push("published_on", "invalid-date");
                }
                d
            }
        };
    }
    if let Some(v) = fields.take::<Vec<String>>("tags") {
        draft.tags = v;
    }
    for (field, slot) in [
        ("event_ids", &mut draft.event_ids),
        ("institution_ids", &mut draft.institution_ids),
    ] {
        if let Some(v) = fields.take::<Vec<IdValue>>(field) {
            *slot = v.into_iter().map(|i| i.0).collect();
        }
    }
    if let Some(v) = fields.take::<Vec<Credit>>("credits") {
        draft.credits = v;
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let mut draft = empty_draft();
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_news(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<NewsItem>> {
    let current = load(&state, &id).await?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_news(&actor(&ctx), current.id, version, &draft)
            .await?,
    ))
}

/// Deleting a published story needs the right to publish (it takes it off the public site).
pub fn may_delete(ctx: &Ctx, item: &NewsItem) -> bool {
    item.published.is_none() || allows(ctx.user().role, Action::PublishNews)
}

pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let current = load(&state, &id).await?;
    let version = delete_version(query.as_deref(), &body)?;
    super::check_record(true, may_delete(&ctx, &current))?;
    let documents = state
        .db
        .delete_news(&actor(&ctx), current.id, version)
        .await?;
    super::events::forget_files(&state, &documents).await;
    Ok(StatusCode::NO_CONTENT)
}

/// A refused workflow step as an API error.
pub fn step_error(e: &StepError) -> ApiError {
    match e {
        StepError::Forbidden | StepError::OwnStory => {
            ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
        }
        StepError::NotAllowed { allowed, .. } => {
            let allowed: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
                message: format!("status: {e}"),
                details: json!([{"field": "status", "code": "status-not-allowed",
                    "message": e.to_string(), "allowed": allowed}]),
            }
        }
        StepError::CommentRequired => {
            FieldErrors::from(FieldError::new("comment", "required")).into()
        }
        StepError::Incomplete(errors) => errors.clone().into(),
    }
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<NewsItem>> {
    let current = load(&state, &id).await?;
    let mut fields = JsonFields::new(body, &["status", "version", "comment"]);
    let has_status = fields.has("status");
    let to = fields.choice("status", NewsStatus::parse);
    fields.require("status", has_status);
    let version = fields.version();
    let comment = fields.take::<Option<String>>("comment").flatten();
    if let Some(c) = &comment {
        liaison_domain::validation::check_len("comment", c, news::COMMENT_MAX, &mut fields.errors);
    }
    fields.finish()?;
    let (to, version) = (to.expect("checked"), version.expect("checked"));
    if current.version != version {
        return Err(liaison_storage::StoreError::Conflict {
            current: current.version,
        }
        .into());
    }
    let user = ctx.user();
    news::check_step(user.role, Some(user.id), &current, to, comment.as_deref())
        .map_err(|e| step_error(&e))?;
    Ok(Json(
        state
            .db
            .set_news_status(&actor(&ctx), current.id, version, to, comment.as_deref())
            .await?,
    ))
}

#[derive(Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

pub async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<NewsHistoryEntry>>> {
    let item = load(&state, &id).await?;
    Ok(Json(Items {
        items: state.db.news_history(item.id).await?,
    }))
}

pub async fn photos(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<NewsPhoto>>> {
    let item = load(&state, &id).await?;
    Ok(Json(Items {
        items: state.db.news_photos(item.id).await?,
    }))
}

/// Caption and photographer of an upload, checked.
pub fn photo_meta(
    caption: LocalizedText,
    photographer: Option<String>,
) -> Result<(LocalizedText, Option<String>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let caption = caption.normalized();
    caption.check("caption", news::CAPTION_MAX, &mut errors);
    let photographer = photographer
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty());
    if let Some(p) = &photographer {
        liaison_domain::validation::check_len(
            "photographer",
            p,
            news::CREDIT_NAME_MAX,
            &mut errors,
        );
    }
    errors.into_result((caption, photographer))
}

pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Body,
) -> ApiResult<(StatusCode, Json<NewsPhoto>)> {
    let item = load(&state, &id).await?;
    let (mut name, mut caption, mut photographer) = (None, LocalizedText::default(), None);
    for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "filename" => name = Some(v.into_owned()),
            "caption_en" => caption.en = Some(v.into_owned()),
            "caption_zh" => caption.zh = Some(v.into_owned()),
            "photographer" => photographer = Some(v.into_owned()),
            other => {
                return Err(
                    FieldErrors::from(FieldError::new(other.to_string(), "unknown-field")).into(),
                )
            }
        }
    }
    let (caption, photographer) = photo_meta(caption, photographer)?;
    let name = name.unwrap_or_default();
    let result = match crate::uploads::receive_body(&state, body).await {
        Ok(upload) => {
            upload
                .finish_image(&state, &actor(&ctx), OwnerKind::News, item.id, &name)
                .await
        }
        Err(e) => Err(e),
    };
    let document = result.map_err(super::events::upload_api_error)?;
    state
        .db
        .caption_news_photo(
            &actor(&ctx),
            item.id,
            document.id,
            &caption,
            photographer.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewsPhoto {
            document,
            caption,
            photographer,
        }),
    ))
}

// ---- OpenAPI ----

pub fn documents(path: &str) -> bool {
    path.starts_with("/api/v1/news")
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn one(description: &str, name: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref(name)}}})
}

fn body(op: &mut Map<String, Value>, name: &str) {
    op.insert(
        "requestBody".into(),
        json!({"required": true, "content": {"application/json": {"schema": schema_ref(name)}}}),
    );
}

pub fn openapi(
    method: &str,
    path: &str,
    op: &mut Map<String, Value>,
    parameters: &mut Vec<Value>,
    responses: &mut Map<String, Value>,
) {
    let rest = path.trim_start_matches("/api/v1/news");
    if rest.starts_with("/{id}") {
        responses.insert("404".into(), error("no such story"));
    }
    let items_of = |description: &str, name: &str| {
        json!({"description": description, "content": {"application/json": {"schema": {
            "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": schema_ref(name)}}}}}})
    };
    match (method, rest) {
        ("GET", "") => {
            for name in ["page", "per_page"] {
                parameters.push(json!({"name": name, "in": "query", "schema": {"type": "integer", "minimum": 1}}));
            }
            parameters.push(json!({"name": "q", "in": "query", "description": "part of the title or summary, any language", "schema": {"type": "string", "maxLength": 200}}));
            let sorts: Vec<String> = NEWS_SORTS
                .iter()
                .flat_map(|s| [s.to_string(), format!("-{s}")])
                .collect();
            parameters.push(
                json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts}}),
            );
            let statuses: Vec<&str> = NewsStatus::ALL.iter().map(|s| s.as_str()).collect();
            parameters.push(json!({"name": "status", "in": "query", "schema": {"type": "string", "enum": statuses}}));
            parameters.push(json!({"name": "tag", "in": "query", "schema": {"type": "string", "pattern": "^[\\p{L}\\p{N}-]{1,40}$"}}));
            parameters.push(json!({"name": "event_id", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"}}));
            responses.insert("200".into(), json!({"description": "one page", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": schema_ref("NewsItem")}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}));
            responses.insert("422".into(), error("invalid or unknown query parameter"));
        }
        ("POST", "") => {
            op.insert("description".into(), json!("Creates a story as a draft; the caller is its author. The slug is made from the English title when not given."));
            body(op, "NewsItemInput");
            responses.insert("201".into(), one("created", "NewsItem"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("422".into(), error("invalid or unknown field, a slug already used, or a reference to a missing record"));
        }
        ("GET", "/{id}") => {
            responses.insert("200".into(), one("the story", "NewsItem"));
        }
        ("PATCH", "/{id}") => {
            op.insert("description".into(), json!("Changes a story's content. Editing a published story starts a new unpublished version (status draft); the public keeps the published one."));
            body(op, "NewsItemPatch");
            responses.insert("200".into(), one("updated", "NewsItem"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("invalid or unknown field"));
        }
        ("DELETE", "/{id}") => {
            parameters.push(json!({"name": "version", "in": "query", "required": true, "schema": {"type": "integer"}}));
            responses.insert("204".into(), json!({"description": "deleted"}));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("missing version"));
        }
        ("POST", "/{id}/status") => {
            op.insert("description".into(), json!("Moves a story through the workflow draft → translated → proofread → reviewed → published, or back to draft with a comment. Editors may mark translated and proofread; reviewing and publishing need staff or admin, and the author may not review their own story. Translated needs title and body in English and Chinese. Published back to draft withdraws the story from the public site."));
            body(op, "NewsStatusChange");
            responses.insert("200".into(), one("the moved story", "NewsItem"));
            responses.insert("400".into(), error("malformed JSON"));
            responses.insert("409".into(), error("stale version"));
            responses.insert("422".into(), error("a step the workflow does not have (details.allowed lists the next states), a missing comment or translation"));
        }
        ("GET", "/{id}/history") => {
            responses.insert(
                "200".into(),
                items_of("every step, oldest first", "NewsHistoryEntry"),
            );
        }
        ("GET", "/{id}/photos") => {
            responses.insert("200".into(), items_of("the story's photos", "NewsPhoto"));
        }
        ("POST", "/{id}/photos") => {
            op.insert("description".into(), json!("Uploads a photo: the image is the raw body (JPEG, PNG or WebP, read from the content; anything else is 415), its name the filename parameter; a thumbnail is made on the server."));
            for name in ["filename", "caption_en", "caption_zh", "photographer"] {
                parameters.push(json!({"name": name, "in": "query", "schema": {"type": "string", "maxLength": 200}}));
            }
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}));
            responses.insert("201".into(), one("stored", "NewsPhoto"));
            responses.insert("413".into(), error("larger than the upload limit"));
            responses.insert(
                "415".into(),
                error("not a JPEG, PNG or WebP image, or a name that does not fit the content"),
            );
            responses.insert(
                "422".into(),
                error("empty file, caption too long or unknown parameter"),
            );
        }
        _ => {}
    }
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let statuses: Vec<&str> = NewsStatus::ALL.iter().map(|s| s.as_str()).collect();
    let roles: Vec<&str> = CreditRole::ALL.iter().map(|s| s.as_str()).collect();
    let localized = json!({"type": ["object", "null"], "additionalProperties": false, "properties": {
        "en": {"type": ["string", "null"]}, "zh": {"type": ["string", "null"]}, "local": {"type": ["string", "null"]}}});
    let id_in = json!({"type": ["string", "integer"]});
    let credit = json!({"type": "object", "additionalProperties": false, "required": ["role"], "properties": {
        "role": {"type": "string", "enum": roles}, "person_id": {"type": ["string", "integer", "null"]},
        "name": {"type": ["string", "null"], "maxLength": news::CREDIT_NAME_MAX}}});
    let fields = json!({
        "title": localized, "summary": localized, "body": localized,
        "slug": {"type": ["string", "null"], "maxLength": news::SLUG_MAX, "description": "a-z, 0-9 and hyphens, with a letter"},
        "published_on": {"type": ["string", "null"], "format": "date"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": news::TAG_MAX}, "maxItems": news::TAGS_MAX},
        "event_ids": {"type": "array", "items": id_in, "maxItems": news::LINKS_MAX},
        "institution_ids": {"type": "array", "items": id_in, "maxItems": news::LINKS_MAX},
        "credits": {"type": "array", "items": credit, "maxItems": news::CREDITS_MAX}
    });
    let mut patch = fields.as_object().cloned().unwrap_or_default();
    patch.insert("version".into(), json!({"type": "integer"}));
    let record_props = json!({
        "id": {"type": "string"}, "status": {"type": "string", "enum": statuses},
        "title": {"type": "object"}, "summary": {"type": "object"}, "body": {"type": "object"},
        "slug": {"type": ["string", "null"]}, "published_on": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "event_ids": {"type": "array", "items": {"type": "string"}},
        "institution_ids": {"type": "array", "items": {"type": "string"}},
        "credits": {"type": "array", "items": {"type": "object"}},
        "author_user_id": {"type": ["string", "null"]},
        "published": {"type": ["object", "null"], "description": "the version the public sees"},
        "version": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}
    });
    vec![
        (
            "NewsItem",
            json!({"type": "object", "required": ["id", "status", "title", "version"], "properties": record_props}),
        ),
        (
            "NewsItemInput",
            json!({"type": "object", "additionalProperties": false, "required": ["title"], "properties": fields}),
        ),
        (
            "NewsItemPatch",
            json!({"type": "object", "additionalProperties": false, "required": ["version"], "properties": patch}),
        ),
        (
            "NewsStatusChange",
            json!({"type": "object", "additionalProperties": false, "required": ["status", "version"], "properties": {
                "status": {"type": "string", "enum": statuses}, "version": {"type": "integer"},
                "comment": {"type": ["string", "null"], "maxLength": news::COMMENT_MAX}}}),
        ),
        (
            "NewsHistoryEntry",
            json!({"type": "object", "required": ["action", "to_status", "version", "actor", "at"], "properties": {
                "action": {"type": "string", "enum": ["create", "edit", "status"]},
                "from_status": {"type": ["string", "null"]}, "to_status": {"type": "string"},
                "version": {"type": "integer"}, "user_id": {"type": ["string", "null"]},
                "actor": {"type": "string"}, "comment": {"type": ["string", "null"]}, "at": {"type": "string"}}}),
        ),
        (
            "NewsPhoto",
            json!({"type": "object", "required": ["id", "file_name", "media_type"], "properties": {
                "id": {"type": "string"}, "owner_kind": {"type": "string"}, "owner_id": {"type": "string"},
                "file_name": {"type": "string"}, "media_type": {"type": "string"}, "size": {"type": "integer"},
                "sha256": {"type": "string"}, "thumbnail_sha256": {"type": "string"},
                "created_by": {"type": "string"}, "created_at": {"type": "string"},
                "caption": {"type": "object"}, "photographer": {"type": ["string", "null"]}}}),
        ),
    ]
}

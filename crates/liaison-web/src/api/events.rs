//! `/api/v1/events` (C6): events with their participants, outcomes and documents inline.
//!
//! Documents: `POST /api/v1/events/{id}/documents?filename=NAME` with the file as the raw body
//! (any `Content-Type`; the type is read from the content), `GET /api/v1/events/{id}/documents`
//! lists them, `GET /api/v1/documents/{id}` downloads one.

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::institutions::actor;
use super::{delete_version, merge, parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use liaison_domain::event::iso_date;
use liaison_domain::Id;
use liaison_domain::{
    Event, EventDraft, EventKind, FieldErrors, Honour, LocalizedText, Participant, Sort,
};
use liaison_storage::{Document, EventFilter, OwnerKind, StoreError, EVENT_SORTS};

pub const FIELDS: &[&str] = &[
    "kind",
    "title",
    "start_on",
    "end_on",
    "venue",
    "host_unit_id",
    "summary",
    "participants",
    "consensus",
    "honours",
    "agreement_ids",
];
pub const FILTERS: &[&str] = &["kind", "from", "to", "institution_id"];

/// The list's sort: the one asked for, else newest first.
pub fn sort_of(raw: Option<&str>, parsed: Sort) -> Sort {
    let asked = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .any(|(k, v)| k == "sort" && !v.trim().is_empty());
    if asked {
        parsed
    } else {
        Sort {
            field: "start_on",
            descending: true,
        }
    }
}

/// Parses the filter parameters shared by the API and the HTML list.
pub fn filter_from(query: &ListQuery) -> Result<EventFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let filter = EventFilter {
        q: query.q.clone(),
        kind: query.filter("kind", EventKind::parse, &mut errors),
        from: query.filter("from", iso_date::parse, &mut errors),
        to: query.filter("to", iso_date::parse, &mut errors),
        institution_id: query.filter("institution_id", |v| v.parse().ok(), &mut errors),
    };
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<Event>>> {
    let query = ListQuery::parse(raw.as_deref(), EVENT_SORTS, FILTERS)?;
    let filter = filter_from(&query)?;
    let sort = sort_of(raw.as_deref(), query.sort);
    let page = state
        .db
        .events(&ctx.user().scope, &filter, &sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

/// Loads an event the caller may see (404 otherwise).
pub async fn load(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<Event> {
    let event = state.db.event(parse_id(id)?).await?;
    super::check_record(event.draft.visible_to(&ctx.user().scope), true)?;
    Ok(event)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Event>> {
    Ok(Json(load(&state, &ctx, &id).await?))
}

fn date(fields: &mut JsonFields, field: &str) -> Option<time::Date> {
    let raw: String = fields.take(field)?;
    let parsed = iso_date::parse(&raw);
    if parsed.is_none() {
        fields.errors.push(field, "invalid-date");
    }
    parsed
}

fn apply(draft: &mut EventDraft, fields: &mut JsonFields) {
    if let Some(v) = fields.choice("kind", EventKind::parse) {
        draft.kind = v;
    }
    for (field, slot) in [
        ("title", &mut draft.title),
        ("venue", &mut draft.venue),
        ("summary", &mut draft.summary),
    ] {
        if let Some(v) = fields.text(field) {
            *slot = v;
        }
    }
    if let Some(v) = date(fields, "start_on") {
        draft.start_on = v;
    }
    if let Some(v) = date(fields, "end_on") {
        draft.end_on = v;
    }
    if let Some(v) = fields.id("host_unit_id") {
        draft.host_unit_id = v;
    }
    if let Some(v) = fields.take::<Vec<Participant>>("participants") {
        draft.participants = v;
    }
    if let Some(v) = fields.take::<Vec<LocalizedText>>("consensus") {
        draft.consensus = v;
    }
    if let Some(v) = fields.take::<Vec<Honour>>("honours") {
        draft.honours = v;
    }
    if let Some(v) = fields.take::<Vec<IdValue>>("agreement_ids") {
        draft.agreement_ids = v.into_iter().map(|i| i.0).collect();
    }
}

#[derive(serde::Deserialize)]
struct IdValue(#[serde(with = "liaison_domain::id_as_string")] i64);

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let placeholder = time::Date::MIN;
    let mut draft = EventDraft {
        kind: EventKind::IncomingVisit,
        title: LocalizedText::default(),
        start_on: placeholder,
        end_on: placeholder,
        venue: LocalizedText::default(),
        host_unit_id: None,
        summary: LocalizedText::default(),
        participants: Vec::new(),
        consensus: Vec::new(),
        honours: Vec::new(),
        agreement_ids: Vec::new(),
    };
    let (has_kind, has_start, has_end) = (
        fields.has("kind"),
        fields.has("start_on"),
        fields.has("end_on"),
    );
    apply(&mut draft, &mut fields);
    fields.require("kind", has_kind);
    fields.require("start_on", has_start);
    if !has_end {
        draft.end_on = draft.start_on; // a one-day event
    }
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_event(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Event>> {
    let current = load(&state, &ctx, &id).await?;
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_event(&actor(&ctx), current.id, version, &draft)
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
    let current = load(&state, &ctx, &id).await?;
    let version = delete_version(query.as_deref(), &body)?;
    let documents = state
        .db
        .delete_event(&actor(&ctx), current.id, version)
        .await?;
    forget_files(&state, &documents).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes stored files no record uses any more.
pub async fn forget_files(state: &AppState, documents: &[Document]) {
    for d in documents {
        for sha in std::iter::once(&d.sha256).chain(d.thumbnail_sha256.as_ref()) {
            if let Ok(false) = state.db.file_in_use(sha).await {
                state.files.remove(sha).await;
            }
        }
    }
}

#[derive(Serialize)]
pub struct DocumentList {
    pub items: Vec<Document>,
}

pub async fn documents(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentList>> {
    let event = load(&state, &ctx, &id).await?;
    Ok(Json(DocumentList {
        items: state.db.documents_of(OwnerKind::Event, event.id).await?,
    }))
}

/// `?filename=NAME` and the file as the body.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Body,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let event = load(&state, &ctx, &id).await?;
    store_upload(&state, &ctx, OwnerKind::Event, event.id, query, body).await
}

/// Stores the raw `body` as a document of `owner_id` (access to the owner already checked);
/// the file's name comes from `?filename=NAME`.
pub async fn store_upload(
    state: &AppState,
    ctx: &Ctx,
    kind: OwnerKind,
    owner_id: Id,
    query: Option<String>,
    body: Body,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let mut name = None;
    for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "filename" => name = Some(v.into_owned()),
            other => {
                return Err(FieldErrors::from(liaison_domain::FieldError::new(
                    other.to_string(),
                    "unknown-field",
                ))
                .into())
            }
        }
    }
    let name = name.unwrap_or_default();
    let result = match crate::uploads::receive_body(state, body).await {
        Ok(upload) => {
            upload
                .finish(state, &actor(ctx), kind, owner_id, &name)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(doc) => Ok((StatusCode::CREATED, Json(doc))),
        Err(e) => Err(upload_api_error(e)),
    }
}

pub fn upload_api_error(e: crate::uploads::UploadError) -> ApiError {
    use crate::uploads::UploadError::*;
    match e {
        TooLarge => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the file is larger than the upload limit",
        ),
        Unsupported => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the file is not a PDF, JPEG, PNG or WebP",
        ),
        NameMismatch => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "filename: the extension does not match the file's content",
        ),
        Missing => FieldErrors::from(liaison_domain::FieldError::new("file", "required")).into(),
        Store(e) => e.into(),
        Io(e) => {
            tracing::error!(error = %e, "storing an upload failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; it has been logged",
            )
        }
    }
}

pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    match crate::uploads::download(&state, ctx.user(), id, false).await? {
        Some(r) => Ok(r),
        None => Err(ApiError::not_found()),
    }
}

pub async fn remove_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    let doc = state.db.document(id).await?;
    if !crate::uploads::may_read_owner(&state, ctx.user(), doc.owner_kind, doc.owner_id).await? {
        return Err(StoreError::NotFound.into());
    }
    if !crate::uploads::may_edit_owner(&state, ctx.user(), doc.owner_kind, doc.owner_id).await? {
        return Err(ApiError::forbidden());
    }
    let doc = state.db.delete_document(&actor(&ctx), id).await?;
    forget_files(&state, &[doc]).await;
    Ok(StatusCode::NO_CONTENT)
}

//! `/api/v1/action-items` (C6). Office staff see and edit every item; everyone else sees the
//! items they own and may move their status (nothing else).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use super::institutions::actor;
use super::{delete_version, merge, parse_id, JsonFields, JsonObject, ListBody, ListQuery};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use liaison_domain::access::allows;
use liaison_domain::event::iso_date;
use liaison_domain::{
    Action, ActionItem, ActionItemDraft, ActionStatus, FieldErrors, LocalizedText,
};
use liaison_storage::{ActionItemFilter, ACTION_ITEM_SORTS};

pub const FIELDS: &[&str] = &[
    "title",
    "owner_user_id",
    "due_on",
    "status",
    "event_id",
    "agreement_id",
    "notes",
];
pub const FILTERS: &[&str] = &[
    "status",
    "owner_user_id",
    "event_id",
    "agreement_id",
    "overdue",
    "mine",
];

/// Whether the caller manages every item (office staff) or only their own.
pub fn manages_all(ctx: &Ctx) -> bool {
    allows(ctx.user().role, Action::EditEvents)
}

pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn flag(query: &ListQuery, name: &str, errors: &mut FieldErrors) -> bool {
    query
        .filter(
            name,
            |v| match v {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            errors,
        )
        .unwrap_or(false)
}

/// Parses the filters; callers who do not manage every item see only their own.
pub fn filter_from(ctx: &Ctx, query: &ListQuery) -> Result<ActionItemFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut filter = ActionItemFilter {
        q: query.q.clone(),
        status: query.filter("status", ActionStatus::parse, &mut errors),
        owner_user_id: query.filter("owner_user_id", |v| v.parse().ok(), &mut errors),
        event_id: query.filter("event_id", |v| v.parse().ok(), &mut errors),
        agreement_id: query.filter("agreement_id", |v| v.parse().ok(), &mut errors),
        overdue_on: None,
        pending: false,
    };
    if flag(query, "overdue", &mut errors) {
        filter.overdue_on = Some(today());
    }
    if flag(query, "mine", &mut errors) || !manages_all(ctx) {
        if filter.owner_user_id.is_some_and(|o| o != ctx.user().id) {
            errors.push("owner_user_id", "invalid-choice");
        }
        filter.owner_user_id = Some(ctx.user().id);
    }
    errors.into_result(filter)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<ActionItem>>> {
    let query = ListQuery::parse(raw.as_deref(), ACTION_ITEM_SORTS, FILTERS)?;
    let filter = filter_from(&ctx, &query)?;
    let page = state
        .db
        .action_items(&filter, &query.sort, &query.page)
        .await?;
    Ok(super::list_body(page, &query))
}

fn visible(ctx: &Ctx, item: &ActionItem) -> bool {
    manages_all(ctx) || item.draft.owner_user_id == Some(ctx.user().id)
}

pub async fn load(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<ActionItem> {
    let item = state.db.action_item(parse_id(id)?).await?;
    super::check_record(visible(ctx, &item), true)?;
    Ok(item)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<ActionItem>> {
    Ok(Json(load(&state, &ctx, &id).await?))
}

fn apply(draft: &mut ActionItemDraft, fields: &mut JsonFields) {
    if let Some(v) = fields.text("title") {
        draft.title = v;
    }
    if let Some(v) = fields.text("notes") {
        draft.notes = v;
    }
    if let Some(v) = fields.id("owner_user_id") {
        draft.owner_user_id = v;
    }
    if let Some(v) = fields.id("event_id") {
        draft.event_id = v;
    }
    if let Some(v) = fields.id("agreement_id") {
        draft.agreement_id = v;
    }
    if let Some(v) = fields.choice("status", ActionStatus::parse) {
        draft.status = v;
    }
    if fields.has("due_on") {
        match fields.take::<Option<String>>("due_on") {
            Some(None) => draft.due_on = None,
            Some(Some(raw)) => match iso_date::parse(&raw) {
                Some(d) => draft.due_on = Some(d),
                None => fields.errors.push("due_on", "invalid-date"),
            },
            None => {}
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: JsonObject,
) -> ApiResult<impl IntoResponse> {
    let mut fields = JsonFields::new(body, FIELDS);
    let mut draft = ActionItemDraft {
        title: LocalizedText::default(),
        owner_user_id: None,
        due_on: None,
        status: ActionStatus::Open,
        event_id: None,
        agreement_id: None,
        notes: LocalizedText::default(),
    };
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let created = state.db.create_action_item(&actor(&ctx), &draft).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<ActionItem>> {
    let current = load(&state, &ctx, &id).await?;
    // An owner who is not office staff may only move the status.
    if !manages_all(&ctx)
        && body
            .0
            .keys()
            .any(|k| FIELDS.contains(&k.as_str()) && k != "status")
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "you may change only the status of your own action items",
        ));
    }
    let mut fields = JsonFields::new(body, &[FIELDS, &["version"]].concat());
    let version = fields.version();
    let mut draft = current.draft;
    apply(&mut draft, &mut fields);
    let draft = merge(fields.errors, draft.validate())?;
    let version = version.expect("a missing version is an error above");
    Ok(Json(
        state
            .db
            .update_action_item(&actor(&ctx), current.id, version, &draft)
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
    state
        .db
        .delete_action_item(&actor(&ctx), current.id, version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

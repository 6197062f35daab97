//! "My action items" (overdue ones highlighted), and for office staff every item, with create,
//! edit and delete. Owners move their own items' status from the list.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::html;

use super::institutions::store_error_page;
use super::{
    bilingual, confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash,
    sort_header, Form, FormData,
};
use crate::api::action_items::{filter_from, manages_all, today, FILTERS};
use crate::api::institutions::actor;
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::event::iso_date;
use liaison_domain::{ActionItem, ActionItemDraft, ActionStatus, FieldErrors};
use liaison_storage::{NamedTable, StoreError, ACTION_ITEM_SORTS};

fn status_options(ctx: &Ctx, from: Option<ActionStatus>) -> Vec<(String, String)> {
    ActionStatus::ALL
        .iter()
        .filter(|s| from.is_none_or(|f| f.may_become(**s)))
        .map(|s| (s.as_str().to_string(), ctx.t(&s.message_key())))
        .collect()
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    // "My action items" unless office staff ask for everyone's (`mine=0`).
    let mut raw = raw.unwrap_or_default();
    if !form_urlencoded::parse(raw.as_bytes()).any(|(k, _)| k == "mine") {
        raw.push_str(if raw.is_empty() { "mine=1" } else { "&mine=1" });
    }
    let (query, query_error) = match ListQuery::parse(Some(&raw), ACTION_ITEM_SORTS, FILTERS) {
        Ok(q) => (q, false),
        Err(_) => (
            ListQuery::parse(Some("mine=1"), ACTION_ITEM_SORTS, FILTERS).expect("defaults parse"),
            true,
        ),
    };
    let (filter, filter_error) = match filter_from(&ctx, &query) {
        Ok(f) => (f, false),
        Err(_) => (
            liaison_storage::ActionItemFilter {
                owner_user_id: Some(ctx.user().id),
                ..Default::default()
            },
            true,
        ),
    };
    let page = match state
        .db
        .action_items(&filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let owners = state
        .db
        .names_of(
            NamedTable::Users,
            &page
                .items
                .iter()
                .filter_map(|i| i.draft.owner_user_id)
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap_or_default();
    let mine = filter.owner_user_id == Some(ctx.user().id);
    let today = today();
    let zh = ctx.lang.is_chinese();
    let title = if mine {
        ctx.t("action-items-mine")
    } else {
        ctx.t("action-items-title")
    };
    let body = html! {
        div.title-row {
            h1 { (title) }
            @if manages_all(&ctx) {
                div.actions {
                    @if mine { a.button.secondary href="/action-items?mine=0" { (ctx.t("action-items-all")) } }
                    @else { a.button.secondary href="/action-items" { (ctx.t("action-items-mine")) } }
                    " " a.button href="/action-items/new" { (ctx.t("action-item-new")) }
                }
            }
        }
        @if query_error || filter_error { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("action-items-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table.action-items {
                thead { tr {
                    (sort_header(&ctx, "name", "field-action-title", &query.sort))
                    (sort_header(&ctx, "due_on", "field-due-on", &query.sort))
                    (sort_header(&ctx, "status", "field-status", &query.sort))
                    th scope="col" { (ctx.t("field-owner")) }
                    th scope="col" { (ctx.t("field-source")) }
                    th scope="col" { span.visually-hidden { (ctx.t("actions")) } }
                } }
                tbody { @for i in &page.items {
                    @let overdue = i.draft.is_overdue(today);
                    tr.overdue[overdue] {
                        td { (bilingual(&ctx, &i.draft.title)) }
                        td.nowrap {
                            @if let Some(d) = i.draft.due_on { (iso_date::format(d)) }
                            @if overdue { " " strong.badge { (ctx.t("action-item-overdue")) } }
                        }
                        td { (ctx.t(&i.draft.status.message_key())) }
                        td { @if let Some(o) = i.draft.owner_user_id.and_then(|o| owners.get(&o)) { (o.display(zh)) } }
                        td {
                            @if let Some(e) = i.draft.event_id { a href=(format!("/events/{e}")) { (ctx.t("action-item-from-event")) } }
                            @if let Some(a) = i.draft.agreement_id { " " a href=(format!("/agreements/{a}")) { (ctx.t("action-item-from-agreement")) } }
                        }
                        td {
                            form.inline method="post" action=(format!("/action-items/{}/status", i.id)) {
                                (csrf_input(&ctx))
                                input type="hidden" name="version" value=(i.version);
                                label.visually-hidden for=(format!("status-{}", i.id)) { (ctx.t("field-status")) }
                                select id=(format!("status-{}", i.id)) name="status" {
                                    @for (v, l) in status_options(&ctx, Some(i.draft.status)) {
                                        option value=(v) selected[v == i.draft.status.as_str()] { (l) }
                                    }
                                }
                                " " button.secondary type="submit" { (ctx.t("save")) }
                            }
                            @if manages_all(&ctx) {
                                " " a href=(format!("/action-items/{}/edit", i.id)) { (ctx.t("edit")) }
                                " " a href=(format!("/action-items/{}/delete", i.id)) { (ctx.t("delete")) }
                            }
                        }
                    }
                } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

fn from_form(f: &FormData) -> Result<ActionItemDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let due_on = match f.opt("due_on") {
        None => None,
        Some(raw) => {
            let d = iso_date::parse(&raw);
            if d.is_none() {
                errors.push("due_on", "invalid-date");
            }
            d
        }
    };
    let status = ActionStatus::parse(f.get("status")).unwrap_or(ActionStatus::Open);
    let draft = ActionItemDraft {
        title: f.localized("title"),
        owner_user_id: f.id("owner_user_id", "owner_user_id", &mut errors),
        due_on,
        status,
        event_id: f.id("event_id", "event_id", &mut errors),
        agreement_id: f.id("agreement_id", "agreement_id", &mut errors),
        notes: f.localized("notes"),
    };
    merge(errors, draft.validate())
}

fn to_form(d: &ActionItemDraft) -> FormData {
    let mut f = FormData::default();
    f.set_localized("title", &d.title);
    let id = |i: Option<i64>| i.map(|i| i.to_string());
    f.set_opt("owner_user_id", id(d.owner_user_id).as_deref());
    f.set_opt("due_on", d.due_on.map(iso_date::format).as_deref());
    f.set("status", d.status.as_str());
    f.set_opt("event_id", id(d.event_id).as_deref());
    f.set_opt("agreement_id", id(d.agreement_id).as_deref());
    f.set_localized("notes", &d.notes);
    f
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
    from: Option<ActionStatus>,
) -> Response {
    let users = match state.db.users().await {
        Ok(u) => u,
        Err(e) => return store_error_page(ctx, e),
    };
    let owners: Vec<(String, String)> = users
        .iter()
        .filter(|u| !u.disabled)
        .map(|u| {
            (
                u.id.to_string(),
                u.display_name.clone().unwrap_or_else(|| u.email.clone()),
            )
        })
        .collect();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let body = html! {
        p.breadcrumb { a href="/action-items" { (ctx.t("action-items-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.localized("title", "field-action-title", true, false))
            (f.select("owner_user_id", "field-owner", &owners, Some("owner-none")))
            (f.input("due_on", "field-due-on", "date", false))
            (f.select("status", "field-status", &status_options(ctx, from), None))
            (f.input("event_id", "field-event-id", "text", false))
            (f.input("agreement_id", "field-agreement-id", "text", false))
            (f.localized("notes", "field-notes", false, true))
            div.actions {
                button type="submit" { (ctx.t("save")) }
                " " a.button.secondary href="/action-items" { (ctx.t("cancel")) }
            }
        }
    };
    let status = if conflict {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    super::html_response(status, super::layout(ctx, title, body))
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut values = FormData::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k == "event_id" || k == "agreement_id" {
            values.set(&k, v.into_owned());
        }
    }
    values.set("owner_user_id", ctx.user().id.to_string());
    form_page(
        &state,
        &ctx,
        &ctx.t("action-item-new"),
        "/action-items",
        &values,
        &FieldErrors::default(),
        false,
        None,
    )
    .await
}

fn back_to(item: &ActionItem) -> String {
    match item.draft.event_id {
        Some(e) => format!("/events/{e}"),
        None => "/action-items".into(),
    }
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let result = match from_form(&values) {
        Ok(d) => state.db.create_action_item(&actor(&ctx), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(item) => redirect_with_flash(&ctx, &back_to(&item), "flash-action-item-created"),
        Err(StoreError::Invalid(errors)) => {
            form_page(
                &state,
                &ctx,
                &ctx.t("action-item-new"),
                "/action-items",
                &values,
                &errors,
                false,
                None,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<ActionItem, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let item = state
        .db
        .action_item(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    let visible = manages_all(ctx) || item.draft.owner_user_id == Some(ctx.user().id);
    super::check_record(ctx, visible, true)?;
    Ok(item)
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut values = to_form(&item.draft);
    values.set("version", item.version.to_string());
    form_page(
        &state,
        &ctx,
        &ctx.t("action-item-edit"),
        &format!("/action-items/{}/edit", item.id),
        &values,
        &FieldErrors::default(),
        false,
        Some(item.draft.status),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/action-items/{}/edit", item.id);
    let title = ctx.t("action-item-edit");
    let result = match from_form(&values) {
        Ok(d) => {
            state
                .db
                .update_action_item(&actor(&ctx), item.id, version, &d)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(after) => redirect_with_flash(&ctx, &back_to(&after), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            form_page(
                &state,
                &ctx,
                &title,
                &action,
                &values,
                &FieldErrors::default(),
                true,
                Some(item.draft.status),
            )
            .await
        }
        Err(StoreError::Invalid(errors)) => {
            form_page(
                &state,
                &ctx,
                &title,
                &action,
                &values,
                &errors,
                false,
                Some(item.draft.status),
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The owner's (or staff's) quick status change from the list.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let Some(status) = ActionStatus::parse(values.get("status")) else {
        return super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-status",
        );
    };
    let mut draft = item.draft.clone();
    draft.status = status;
    match state
        .db
        .update_action_item(&actor(&ctx), item.id, version, &draft)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, "/action-items", "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-status",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let name = item.draft.title.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "action-item-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    confirm_delete_page(
        &ctx,
        &title,
        html! { p { (ctx.t("action-item-delete-warning")) } },
        &format!("/action-items/{}/delete", item.id),
        item.version,
        "/action-items",
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state
        .db
        .delete_action_item(&actor(&ctx), item.id, version)
        .await
    {
        Ok(()) => redirect_with_flash(&ctx, "/action-items", "flash-action-item-deleted"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

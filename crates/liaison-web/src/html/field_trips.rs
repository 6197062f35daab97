//! Field trips as group placements: the office picks students (search, then tick) and places
//! them on a field-trip position at once; the position links to its event, and the event's page
//! lists its field-trip groups.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{csrf_input, parse_path_id, redirect_with_flash, FormData};
use crate::api::enterprise::viewer;
use crate::api::field_trips::{group_drafts, GROUP_STATUSES};
use crate::api::institutions::actor;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::enterprise::Viewer;
use liaison_domain::event::iso_date;
use liaison_domain::{FieldErrors, Id, PlacementStatus, Position, PositionKind};
use liaison_storage::{NamedTable, PersonFilter, StoreError};

/// How many people the picker lists at once.
const PICK_MAX: u32 = 100;

async fn load(state: &AppState, ctx: &Ctx, raw: &str) -> Result<Position, Response> {
    let Some(id) = parse_path_id(raw) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    state
        .db
        .position(id)
        .await
        .map_err(|e| store_error_page(ctx, e))
}

fn error_text(ctx: &Ctx, errors: &FieldErrors) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| {
            let field = e.field.split('.').next().unwrap_or(&e.field);
            format!(
                "{}: {}",
                ctx.t(&format!("field-{}", field.replace('_', "-"))),
                ctx.t(&format!("error-{}", e.code))
            )
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    position: &Position,
    q: Option<String>,
    values: &FormData,
    errors: &FieldErrors,
) -> Response {
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("group-title");
    let people = match state
        .db
        .people(
            &liaison_domain::Scope::All,
            &PersonFilter {
                q: q.clone(),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "name",
                descending: false,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: PICK_MAX,
            },
        )
        .await
    {
        Ok(p) => p.items,
        Err(e) => return store_error_page(ctx, e),
    };
    let chosen = values.all("person_ids");
    let field_trip = position.draft.kind == PositionKind::FieldTrip;
    let event = match position.draft.event_id {
        Some(e) => state
            .db
            .names_of(NamedTable::Events, &[e])
            .await
            .unwrap_or_default()
            .get(&e)
            .map(|n| (e, n.display(zh).to_string())),
        None => None,
    };
    let action = format!("/positions/{}/group", position.id);
    let body = html! {
        p.breadcrumb { a href=(format!("/positions/{}", position.id)) { (position.draft.title.display(zh)) } }
        h1 { (title) }
        @if !field_trip {
            div.notice { p { (ctx.t("group-not-field-trip")) } }
        } @else {
            p { (ctx.t("group-intro")) }
            @if let Some((id, name)) = &event { p { (ctx.t("field-event")) ": " a href=(format!("/events/{id}")) { (name) } } }
            @else { p.notice { (ctx.t("group-no-event")) } }
            @if !errors.is_empty() {
                div.error-summary role="alert" { ul { @for m in error_text(ctx, errors) { li { (m) } } } }
            }
            form.filters method="get" action=(action) role="search" {
                label for="group-q" { (ctx.t("group-search")) }
                input #group-q type="search" name="q" value=(q.clone().unwrap_or_default());
                button type="submit" { (ctx.t("filter-apply")) }
            }
            form.record method="post" action=(action) {
                (csrf_input(ctx))
                fieldset.checks {
                    legend { (ctx.t("group-students")) }
                    @if people.is_empty() { p.empty { (ctx.t("group-nobody")) } }
                    @for p in &people {
                        label.check {
                            input type="checkbox" name="person_ids" value=(p.id) checked[chosen.contains(&p.id.to_string().as_str())];
                            " " (p.draft.name.display(zh))
                        }
                    }
                }
                div.field {
                    label for="status" { (ctx.t("field-record-status")) }
                    select #status name="status" {
                        @for s in GROUP_STATUSES { option value=(s.as_str()) selected[values.get("status") == s.as_str()] { (ctx.t(&s.message_key())) } }
                    }
                }
                div.actions { button type="submit" { (ctx.t("group-place")) } }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let position = match load(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty() && !liaison_domain::validation::has_control_characters(v));
    form_page(
        &state,
        &ctx,
        &position,
        q,
        &FormData::default(),
        &FieldErrors::default(),
    )
    .await
}

pub async fn place(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let position = match load(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    let mut person_ids = Vec::new();
    for raw in values.all("person_ids") {
        match raw.parse::<Id>() {
            Ok(id) => person_ids.push(id),
            Err(_) => errors.push("person_ids", "invalid-choice"),
        }
    }
    let status = PlacementStatus::parse(values.get("status")).unwrap_or(PlacementStatus::Accepted);
    let result = match crate::api::merge(errors, group_drafts(&position, &person_ids, status)) {
        Ok(drafts) => {
            state
                .db
                .create_group_placements(&actor(&ctx), &drafts)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/placements?position_id={}", position.id),
            "flash-group-placed",
        ),
        Err(StoreError::Invalid(errors)) => {
            form_page(&state, &ctx, &position, None, &values, &errors).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The event page's section: the field-trip positions linked to the event and their groups
/// (the office sees every group; an enterprise contact its own positions'; others nothing).
pub async fn event_section(state: &AppState, ctx: &Ctx, event_id: Id) -> Markup {
    let v = viewer(ctx);
    if !matches!(v, Viewer::Office | Viewer::Enterprise(_)) {
        return html! {};
    }
    let trips = match state.db.field_trips_of_event(event_id).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "field trips of an event failed");
            return html! {};
        }
    };
    let trips: Vec<_> = trips
        .into_iter()
        .filter(|(p, _)| v.may_read_position(&p.draft))
        .collect();
    if trips.is_empty() {
        return html! {};
    }
    let zh = ctx.lang.is_chinese();
    let ids: Vec<Id> = trips
        .iter()
        .flat_map(|(_, pls)| pls.iter().map(|p| p.draft.person_id))
        .collect();
    let names = state
        .db
        .names_of(NamedTable::People, &ids)
        .await
        .unwrap_or_default();
    html! {
        section #field-trips {
            h2 { (ctx.t("field-trips-title")) }
            @for (p, placements) in &trips {
                @let active: Vec<_> = placements.iter().filter(|pl| pl.draft.status.is_active()).collect();
                h3 { a href=(format!("/positions/{}", p.id)) { (p.draft.title.display(zh)) } }
                p {
                    (ctx.t_args("field-trip-group-count", &[("count", FluentValue::from(active.len()))]))
                    @if let (Some(s), Some(e)) = (p.draft.start_on, p.draft.end_on) { " · " (iso_date::format(s)) " – " (iso_date::format(e)) }
                    @if v == Viewer::Office { " · " a href=(format!("/positions/{}/group", p.id)) { (ctx.t("group-title")) } }
                }
                @if !active.is_empty() {
                    ul.group { @for pl in &active { li {
                        (names.get(&pl.draft.person_id).map(|n| n.display(zh).to_string()).unwrap_or_default())
                        " · " (ctx.t(&pl.draft.status.message_key()))
                    } } }
                }
            }
        }
    }
}

/// The position page's lines for a field trip: its event, and the group link for the office.
pub async fn position_lines(state: &AppState, ctx: &Ctx, p: &Position) -> Markup {
    if p.draft.kind != PositionKind::FieldTrip {
        return html! {};
    }
    let zh = ctx.lang.is_chinese();
    let event = match p.draft.event_id {
        Some(e) => state
            .db
            .names_of(NamedTable::Events, &[e])
            .await
            .unwrap_or_default()
            .get(&e)
            .map(|n| (e, n.display(zh).to_string())),
        None => None,
    };
    let office = viewer(ctx) == Viewer::Office;
    html! {
        @if event.is_some() || office {
            div.field-trip {
                @if let Some((id, name)) = &event { p { (ctx.t("field-event")) ": " a href=(format!("/events/{id}#field-trips")) { (name) } } }
                @if office { p { a.button.secondary href=(format!("/positions/{}/group", p.id)) { (ctx.t("group-title")) } } }
            }
        }
    }
}

/// The events a field trip may be linked to (field-trip events, newest first), with `current`.
pub async fn event_options(state: &AppState, ctx: &Ctx, current: &str) -> Vec<(String, String)> {
    let zh = ctx.lang.is_chinese();
    let found = state
        .db
        .events(
            &liaison_domain::Scope::All,
            &liaison_storage::EventFilter {
                kind: Some(liaison_domain::EventKind::FieldTrip),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "start_on",
                descending: true,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: 200,
            },
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let mut out: Vec<(String, String)> = found
        .iter()
        .map(|e| {
            (
                e.id.to_string(),
                format!(
                    "{} ({})",
                    e.draft.title.display(zh),
                    iso_date::format(e.draft.start_on)
                ),
            )
        })
        .collect();
    if !current.is_empty() && !out.iter().any(|(v, _)| v == current) {
        out.push((current.to_string(), format!("#{current}")));
    }
    out
}

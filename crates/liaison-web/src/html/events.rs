//! Event pages: list with filters, the event page (participants by institution, outcomes,
//! photos, documents, action items), create, edit, delete, uploads and downloads.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{
    bilingual, confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash,
    sort_header, Form, FormData,
};
use crate::api::events::{filter_from, forget_files, sort_of, FILTERS};
use crate::api::institutions::actor;
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::access::allows;
use liaison_domain::event::iso_date;
use liaison_domain::{
    Action, Event, EventDraft, EventKind, FieldErrors, Honour, Id, LocalizedText, Participant,
    ParticipantRole,
};
use liaison_storage::{
    ActionItemFilter, EventFilter, NamedTable, OwnerKind, StoreError, EVENT_SORTS,
};

fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    EventKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect()
}

fn dates(e: &EventDraft) -> String {
    if e.start_on == e.end_on {
        iso_date::format(e.start_on)
    } else {
        format!(
            "{} – {}",
            iso_date::format(e.start_on),
            iso_date::format(e.end_on)
        )
    }
}

fn may_edit(ctx: &Ctx) -> bool {
    allows(ctx.user().role, Action::EditEvents)
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let (query, query_error) = match ListQuery::parse(raw.as_deref(), EVENT_SORTS, FILTERS) {
        Ok(q) => (q, false),
        Err(_) => (
            ListQuery::parse(None, EVENT_SORTS, FILTERS).expect("defaults parse"),
            true,
        ),
    };
    let (filter, filter_error) = match filter_from(&query) {
        Ok(f) => (f, false),
        Err(_) => (
            EventFilter {
                q: query.q.clone(),
                ..Default::default()
            },
            true,
        ),
    };
    let sort = sort_of(raw.as_deref(), query.sort);
    let page = match state
        .db
        .events(&ctx.user().scope, &filter, &sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let title = ctx.t("events-title");
    let mut values = FormData::default();
    for f in FILTERS {
        if let Some(v) = query.filters.get(*f) {
            values.set(f, v.clone());
        }
    }
    let f = Form {
        ctx: &ctx,
        values: &values,
        errors: &FieldErrors::default(),
    };
    let body = html! {
        div.title-row {
            h1 { (title) }
            @if may_edit(&ctx) { a.button href="/events/new" { (ctx.t("event-new")) } }
        }
        form.filters method="get" action="/events" role="search" {
            div.field.grow {
                label for="q" { (ctx.t("search")) }
                input #q type="search" name="q" value=(query.q.as_deref().unwrap_or("")) placeholder=(ctx.t("events-search-hint"));
            }
            (f.select("kind", "field-event-kind", &kind_options(&ctx), Some("filter-any")))
            (f.input("from", "field-from", "date", false))
            (f.input("to", "field-to", "date", false))
            @if let Some(i) = query.filters.get("institution_id") { input type="hidden" name="institution_id" value=(i); }
            div.actions { button type="submit" { (ctx.t("search")) } " " a href="/events" { (ctx.t("filter-clear")) } }
        }
        @if query_error || filter_error { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("events-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    (sort_header(&ctx, "start_on", "field-dates", &sort))
                    (sort_header(&ctx, "name", "field-event-title", &sort))
                    (sort_header(&ctx, "kind", "field-event-kind", &sort))
                    th scope="col" { (ctx.t("field-venue")) }
                    th scope="col" { (ctx.t("field-participants")) }
                } }
                tbody { @for e in &page.items { tr {
                    td.nowrap { (dates(&e.draft)) }
                    td { a href=(format!("/events/{}", e.id)) { (bilingual(&ctx, &e.draft.title)) } }
                    td { (ctx.t(&e.draft.kind.message_key())) }
                    td { (e.draft.venue.display(ctx.lang.is_chinese())) }
                    td { (counts_text(&ctx, e)) }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
        (super::transfer::list_tools(&ctx, &[(liaison_transfer::Entity::Events, "export-list")], raw.as_deref()))
    };
    super::page(&ctx, &title, body)
}

fn counts_text(ctx: &Ctx, e: &Event) -> String {
    ctx.t_args(
        "event-counts",
        &[
            (
                "institutions",
                FluentValue::from(e.counts.institutions as i64),
            ),
            ("countries", FluentValue::from(e.counts.countries as i64)),
        ],
    )
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<Event, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let event = state
        .db
        .event(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, event.draft.visible_to(&ctx.user().scope), true)?;
    Ok(event)
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let event = match load(&state, &ctx, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    match render_show(&state, &ctx, &event, None).await {
        Ok(r) => r,
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    event: &Event,
    upload_error: Option<(StatusCode, &str)>,
) -> Result<Response, StoreError> {
    let d = &event.draft;
    let zh = ctx.lang.is_chinese();
    let inst_ids = d.institution_ids();
    let mut all_inst = inst_ids.clone();
    all_inst.extend(d.honours.iter().filter_map(|h| h.conferred_by));
    let institutions: HashMap<Id, liaison_domain::Institution> = state
        .db
        .institutions_by_ids(&all_inst)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let person_ids: Vec<Id> = d
        .participants
        .iter()
        .filter_map(|p| p.person_id)
        .chain(d.honours.iter().map(|h| h.person_id))
        .collect();
    let people = state.db.names_of(NamedTable::People, &person_ids).await?;
    let agreements = state
        .db
        .names_of(NamedTable::Agreements, &d.agreement_ids)
        .await?;
    let host = match d.host_unit_id {
        Some(u) => state.db.names_of(NamedTable::OrgUnits, &[u]).await?,
        None => HashMap::new(),
    };
    let documents = state.db.documents_of(OwnerKind::Event, event.id).await?;
    let field_trips = super::field_trips::event_section(state, ctx, event.id).await;
    let items = state
        .db
        .action_items(
            &ActionItemFilter {
                event_id: Some(event.id),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "due_on",
                descending: false,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: 200,
            },
        )
        .await?
        .items;
    let owners = state
        .db
        .names_of(
            NamedTable::Users,
            &items
                .iter()
                .filter_map(|i| i.draft.owner_user_id)
                .collect::<Vec<_>>(),
        )
        .await?;
    // Participants grouped by institution, in order of first appearance.
    let mut groups: BTreeMap<usize, (Option<Id>, Vec<&Participant>)> = BTreeMap::new();
    let mut slot: HashMap<Option<Id>, usize> = HashMap::new();
    for p in &d.participants {
        let n = slot.len();
        let i = *slot.entry(p.institution_id).or_insert(n);
        groups
            .entry(i)
            .or_insert((p.institution_id, Vec::new()))
            .1
            .push(p);
    }
    let name = |map: &HashMap<Id, LocalizedText>, id: Id| -> String {
        map.get(&id)
            .map(|t| t.display(zh).to_string())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let edit = may_edit(ctx);
    let today = crate::api::action_items::today();
    let title = d.title.display(zh).to_string();
    let body = html! {
        p.breadcrumb { a href="/events" { (ctx.t("events-title")) } }
        div.title-row {
            h1 { (bilingual(ctx, &d.title)) }
            @if allows(ctx.user().role, Action::EditNews) {
                a.button.secondary href=(format!("/newsroom/new?event_id={}", event.id)) { (ctx.t("news-from-event")) }
            }
            @if edit {
                div.actions {
                    a.button href=(format!("/events/{}/edit", event.id)) { (ctx.t("edit")) }
                    " " a.button.danger href=(format!("/events/{}/delete", event.id)) { (ctx.t("delete")) }
                }
            }
        }
        dl.details {
            div { dt { (ctx.t("field-event-kind")) } dd { (ctx.t(&d.kind.message_key())) } }
            div { dt { (ctx.t("field-dates")) } dd { (dates(d)) } }
            @if !d.venue.is_empty() { div { dt { (ctx.t("field-venue")) } dd { (bilingual(ctx, &d.venue)) } } }
            @if let Some(u) = d.host_unit_id { div { dt { (ctx.t("field-host-unit")) } dd { a href=(format!("/org-units/{u}")) { (name(&host, u)) } } } }
        }
        @if !d.summary.is_empty() { section { h2 { (ctx.t("field-summary")) } p.prose { (d.summary.display(zh)) } } }
        section.participants {
            h2 { (ctx.t("field-participants")) }
            p.count { (counts_text(ctx, event)) }
            @if d.participants.is_empty() { p.empty { (ctx.t("event-no-participants")) } }
            @for (inst, members) in groups.values() {
                div.group {
                    h3 {
                        @if let Some(i) = inst.and_then(|i| institutions.get(&i)) {
                            a href=(format!("/institutions/{}", i.id)) { (i.draft.name.display(zh)) }
                            " " span.other-lang { "(" (i.draft.country.name(zh)) ")" }
                        } @else { (ctx.t("event-participants-individual")) }
                    }
                    ul { @for p in members {
                        li {
                            @if let Some(pid) = p.person_id { a href=(format!("/people/{pid}")) { (name(&people, pid)) } " · " }
                            (ctx.t(&p.role.message_key()))
                        }
                    } }
                }
            }
        }
        section.outcomes {
            h2 { (ctx.t("event-outcomes")) }
            @if !d.agreement_ids.is_empty() {
                h3 { (ctx.t("event-agreements-signed")) }
                ul { @for a in &d.agreement_ids { li { a href=(format!("/agreements/{a}")) { (name(&agreements, *a)) } } } }
            }
            @if !d.consensus.is_empty() {
                h3 { (ctx.t("event-consensus")) }
                ul { @for c in &d.consensus { li { (bilingual(ctx, c)) } } }
            }
            @if !d.honours.is_empty() {
                h3 { (ctx.t("event-honours")) }
                ul { @for h in &d.honours { li {
                    a href=(format!("/people/{}", h.person_id)) { (name(&people, h.person_id)) } ": " (bilingual(ctx, &h.honour))
                    @if let Some(by) = h.conferred_by.and_then(|b| institutions.get(&b)) { " — " (ctx.t("event-conferred-by")) " " (by.draft.name.display(zh)) }
                } } }
            }
            @if d.agreement_ids.is_empty() && d.consensus.is_empty() && d.honours.is_empty() { p.empty { (ctx.t("event-no-outcomes")) } }
        }
        (field_trips)
        (super::documents::section(ctx, OwnerKind::Event, event.id, &documents, edit, upload_error.map(|(_, key)| key)))
        section {
            div.title-row {
                h2 { (ctx.t("action-items-title")) }
                @if edit { a.button.secondary href=(format!("/action-items/new?event_id={}", event.id)) { (ctx.t("action-item-new")) } }
            }
            @if items.is_empty() { p.empty { (ctx.t("action-items-empty")) } }
            @else { ul.action-items { @for i in &items {
                li.overdue[i.draft.is_overdue(today)] {
                    (bilingual(ctx, &i.draft.title))
                    " · " (ctx.t(&i.draft.status.message_key()))
                    @if let Some(due) = i.draft.due_on { " · " (ctx.t("field-due-on")) " " (iso_date::format(due)) }
                    @if let Some(o) = i.draft.owner_user_id { " · " (name(&owners, o)) }
                }
            } } }
        }
    };
    let status = upload_error.map(|(s, _)| s).unwrap_or(StatusCode::OK);
    Ok(super::html_response(
        status,
        super::layout(ctx, &title, body),
    ))
}

// ---- forms ----

fn lines(raw: &str) -> Vec<&str> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// `role, institution id, person id` per line (either id may be empty).
fn parse_participants(raw: &str, errors: &mut FieldErrors) -> Vec<Participant> {
    let mut out = Vec::new();
    for line in lines(raw) {
        let parts: Vec<&str> = line.split(',').map(str::trim).collect();
        let role = parts.first().and_then(|r| ParticipantRole::parse(r));
        let id = |i: usize| {
            parts
                .get(i)
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<Id>())
        };
        match (role, id(1).transpose(), id(2).transpose()) {
            (Some(role), Ok(institution_id), Ok(person_id)) => out.push(Participant {
                person_id,
                institution_id,
                role,
            }),
            _ => {
                errors.push("participants", "invalid-choice");
                break;
            }
        }
    }
    out
}

/// `person id, conferring institution id, honour (English) | honour (Chinese)` per line.
fn parse_honours(raw: &str, errors: &mut FieldErrors) -> Vec<Honour> {
    let mut out = Vec::new();
    for line in lines(raw) {
        let mut parts = line.splitn(3, ',').map(str::trim);
        let person = parts.next().and_then(|p| p.parse::<Id>().ok());
        let by = parts.next().unwrap_or("");
        let by = if by.is_empty() {
            Ok(None)
        } else {
            by.parse::<Id>().map(Some)
        };
        let text = parts.next().unwrap_or("");
        let (en, zh) = text.split_once('|').unwrap_or((text, ""));
        match (person, by) {
            (Some(person_id), Ok(conferred_by)) => out.push(Honour {
                person_id,
                honour: LocalizedText::new(Some(en), Some(zh), None),
                conferred_by,
            }),
            _ => {
                errors.push("honours", "invalid-choice");
                break;
            }
        }
    }
    out
}

fn from_form(f: &FormData) -> Result<EventDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = EventKind::parse(f.get("kind"));
    if kind.is_none() {
        errors.push("kind", "required");
    }
    let date = |name: &str, errors: &mut FieldErrors| {
        let raw = f.get(name).trim();
        if raw.is_empty() {
            errors.push(name, "required");
            return None;
        }
        let d = iso_date::parse(raw);
        if d.is_none() {
            errors.push(name, "invalid-date");
        }
        d
    };
    let start = date("start_on", &mut errors);
    let end = if f.get("end_on").trim().is_empty() {
        start
    } else {
        date("end_on", &mut errors)
    };
    let host_unit_id = f.id("host_unit_id", "host_unit_id", &mut errors);
    let participants = parse_participants(f.get("participants"), &mut errors);
    let honours = parse_honours(f.get("honours"), &mut errors);
    let (en, zh) = (lines(f.get("consensus_en")), lines(f.get("consensus_zh")));
    let consensus = (0..en.len().max(zh.len()))
        .map(|i| LocalizedText::new(en.get(i).copied(), zh.get(i).copied(), None))
        .collect();
    let mut agreement_ids = Vec::new();
    for part in f.get("agreement_ids").split([',', ' ', '\n']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.parse() {
            Ok(id) => agreement_ids.push(id),
            Err(_) => errors.push("agreement_ids", "invalid-choice"),
        }
    }
    let placeholder = time::Date::MIN;
    let draft = EventDraft {
        kind: kind.unwrap_or(EventKind::IncomingVisit),
        title: f.localized("title"),
        start_on: start.unwrap_or(placeholder),
        end_on: end.unwrap_or(placeholder),
        venue: f.localized("venue"),
        host_unit_id,
        summary: f.localized("summary"),
        participants,
        consensus,
        honours,
        agreement_ids,
    };
    merge(errors, draft.validate()).map_err(|mut e| {
        // `participants.3.person_id` is shown on the one `participants` box.
        for err in &mut e.0 {
            if let Some((head, _)) = err.field.split_once('.').filter(|(h, _)| {
                ["participants", "honours", "consensus", "agreement_ids"].contains(h)
            }) {
                err.field = head.to_string();
            }
        }
        e
    })
}

fn to_form(d: &EventDraft) -> FormData {
    let mut f = FormData::default();
    f.set("kind", d.kind.as_str());
    f.set_localized("title", &d.title);
    f.set("start_on", iso_date::format(d.start_on));
    f.set("end_on", iso_date::format(d.end_on));
    f.set_localized("venue", &d.venue);
    f.set_opt(
        "host_unit_id",
        d.host_unit_id.map(|i| i.to_string()).as_deref(),
    );
    f.set_localized("summary", &d.summary);
    let opt = |i: Option<Id>| i.map(|i| i.to_string()).unwrap_or_default();
    f.set(
        "participants",
        d.participants
            .iter()
            .map(|p| {
                format!(
                    "{}, {}, {}",
                    p.role.as_str(),
                    opt(p.institution_id),
                    opt(p.person_id)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    f.set(
        "honours",
        d.honours
            .iter()
            .map(|h| {
                format!(
                    "{}, {}, {} | {}",
                    h.person_id,
                    opt(h.conferred_by),
                    h.honour.en.as_deref().unwrap_or(""),
                    h.honour.zh.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let points = |f: fn(&LocalizedText) -> &Option<String>| {
        d.consensus
            .iter()
            .map(|c| f(c).clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    };
    f.set("consensus_en", points(|c| &c.en));
    f.set("consensus_zh", points(|c| &c.zh));
    f.set(
        "agreement_ids",
        d.agreement_ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    f
}

fn form_page(
    ctx: &Ctx,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let f = Form {
        ctx,
        values,
        errors,
    };
    let body = html! {
        p.breadcrumb { a href="/events" { (ctx.t("events-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.select("kind", "field-event-kind", &kind_options(ctx), Some("choose")))
            (f.localized("title", "field-event-title", true, false))
            (f.input("start_on", "field-start-on", "date", true))
            (f.input("end_on", "field-end-on", "date", false))
            (f.localized("venue", "field-venue", false, false))
            (f.input("host_unit_id", "field-host-unit-id", "text", false))
            (f.localized("summary", "field-summary", false, true))
            (f.textarea("participants", "field-participants"))
            p.hint { (ctx.t("event-participants-hint")) }
            (f.textarea("consensus_en", "field-consensus-en"))
            (f.textarea("consensus_zh", "field-consensus-zh"))
            p.hint { (ctx.t("event-consensus-hint")) }
            (f.textarea("honours", "field-honours"))
            p.hint { (ctx.t("event-honours-hint")) }
            (f.input("agreement_ids", "field-agreement-ids", "text", false))
            div.actions {
                button type="submit" { (ctx.t("save")) }
                " " a.button.secondary href="/events" { (ctx.t("cancel")) }
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

pub async fn new_form(ctx: Ctx) -> Response {
    form_page(
        &ctx,
        &ctx.t("event-new"),
        "/events",
        &FormData::default(),
        &FieldErrors::default(),
        false,
    )
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let result = match from_form(&values) {
        Ok(draft) => state.db.create_event(&actor(&ctx), &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(e) => redirect_with_flash(&ctx, &format!("/events/{}", e.id), "flash-event-created"),
        Err(StoreError::Invalid(errors)) => form_page(
            &ctx,
            &ctx.t("event-new"),
            "/events",
            &values,
            &errors,
            false,
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let event = match load(&state, &ctx, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let mut values = to_form(&event.draft);
    values.set("version", event.version.to_string());
    form_page(
        &ctx,
        &ctx.t("event-edit"),
        &format!("/events/{}/edit", event.id),
        &values,
        &FieldErrors::default(),
        false,
    )
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let event = match load(&state, &ctx, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/events/{}/edit", event.id);
    let title = ctx.t("event-edit");
    let result = match from_form(&values) {
        Ok(draft) => {
            state
                .db
                .update_event(&actor(&ctx), event.id, version, &draft)
                .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/events/{}", event.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => form_page(
            &ctx,
            &title,
            &action,
            &values,
            &FieldErrors::default(),
            true,
        ),
        Err(StoreError::Invalid(errors)) => {
            form_page(&ctx, &title, &action, &values, &errors, false)
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let event = match load(&state, &ctx, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let name = event.draft.title.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "event-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let warning = html! { p { (ctx.t("event-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/events/{}/delete", event.id),
        event.version,
        &format!("/events/{}", event.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let event = match load(&state, &ctx, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_event(&actor(&ctx), event.id, version).await {
        Ok(docs) => {
            forget_files(&state, &docs).await;
            redirect_with_flash(&ctx, "/events", "flash-event-deleted")
        }
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// `multipart/form-data` with one `file` field (the CSRF token is in the URL, see `auth.rs`).
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let event = match load(&state, &ctx, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    match super::documents::receive_multipart(&state, &ctx, OwnerKind::Event, event.id, req).await {
        Ok(_) => redirect_with_flash(&ctx, &format!("/events/{}", event.id), "flash-uploaded"),
        Err(e) => match super::documents::upload_failure_page(&ctx, e) {
            Ok(shown) => match render_show(&state, &ctx, &event, Some(shown)).await {
                Ok(r) => r,
                Err(e) => store_error_page(&ctx, e),
            },
            Err(page) => page,
        },
    }
}

/// The events of an institution, newest first, for its page.
pub fn timeline(ctx: &Ctx, events: &[Event]) -> Markup {
    html! {
        section.timeline {
            h2 { (ctx.t("institution-events")) }
            @if events.is_empty() { p.empty { (ctx.t("events-empty")) } }
            @else { ol.timeline { @for e in events { li {
                span.date { (dates(&e.draft)) } " "
                a href=(format!("/events/{}", e.id)) { (bilingual(ctx, &e.draft.title)) }
                " " span.other-lang { (ctx.t(&e.draft.kind.message_key())) }
            } } } }
        }
    }
}

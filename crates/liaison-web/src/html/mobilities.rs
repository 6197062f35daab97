//! Mobility pages (issue 7, "whole-process service"): the list with filters and paging (a
//! student sees "my mobilities"), who is abroad now (where, since when, emergency contacts), a
//! stay's page with its lifecycle buttons (only the allowed next states), create, edit and delete
//! with confirmation.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{
    confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash, sort_header, Form,
    FormData,
};
use crate::api::institutions::actor;
use crate::api::mobilities::{empty_draft, filter_from, reach, FILTERS};
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::agreement::{MobilityType, StudyLevel};
use liaison_domain::event::iso_date;
use liaison_domain::mobility::{self, MobilityDirection, MobilityStatus};
use liaison_domain::{
    access, Action, FieldErrors, Id, LocalizedText, Mobility, MobilityDraft, PageRequest, Role,
    Sort,
};
use liaison_storage::{mobility_visible, MobilityFilter, StoreError, MOBILITY_SORTS};

fn may_edit(ctx: &Ctx) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|u| access::allows(u.role, Action::EditMobilities))
}

fn is_student(ctx: &Ctx) -> bool {
    ctx.user.as_ref().is_some_and(|u| u.role == Role::Student)
}

fn status_badge(ctx: &Ctx, s: MobilityStatus) -> Markup {
    html! { span class=(format!("badge mobility-status-{}", s.as_str())) { (ctx.t(&s.message_key())) } }
}

/// Names of the people and institutions a page of stays mentions.
pub(super) struct Names {
    people: HashMap<Id, LocalizedText>,
    institutions: HashMap<Id, LocalizedText>,
}

impl Names {
    pub(super) async fn of(state: &AppState, items: &[Mobility]) -> Result<Names, StoreError> {
        let people: Vec<Id> = items.iter().map(|m| m.draft.person_id).collect();
        let institutions: Vec<Id> = items
            .iter()
            .flat_map(|m| [m.draft.home_institution_id, m.draft.host_institution_id])
            .collect();
        Ok(Names {
            people: state.db.person_names(&people).await?,
            institutions: state.db.institution_names(&institutions).await?,
        })
    }

    pub(super) fn person_text(&self, id: Id) -> Option<&LocalizedText> {
        self.people.get(&id)
    }

    pub(super) fn institution_text(&self, id: Id) -> Option<&LocalizedText> {
        self.institutions.get(&id)
    }

    pub(super) fn person(&self, ctx: &Ctx, id: Id) -> String {
        self.people
            .get(&id)
            .map(|n| n.display(ctx.lang.is_chinese()).to_string())
            .unwrap_or_else(|| format!("#{id}"))
    }

    pub(super) fn institution(&self, ctx: &Ctx, id: Id) -> String {
        self.institutions
            .get(&id)
            .map(|n| n.display(ctx.lang.is_chinese()).to_string())
            .unwrap_or_else(|| format!("#{id}"))
    }
}

fn dates(d: &MobilityDraft) -> String {
    format!(
        "{} – {}",
        iso_date::format(d.start_on()),
        iso_date::format(d.end_on())
    )
}

fn table(ctx: &Ctx, items: &[Mobility], names: &Names, sort: Option<&Sort>) -> Markup {
    let head = |field: &str, key: &str| match sort {
        Some(s) => sort_header(ctx, field, key, s),
        None => html! { th scope="col" { (ctx.t(key)) } },
    };
    html! {
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (ctx.t("mobility-person")) }
                th scope="col" { (ctx.t("field-mobility-type")) }
                th scope="col" { (ctx.t("field-direction")) }
                th scope="col" { (ctx.t("field-home-institution-id")) }
                th scope="col" { (ctx.t("field-host-institution-id")) }
                (head("start_on", "mobility-dates"))
                (head("status", "field-status"))
            } }
            tbody { @for m in items { tr {
                td { a href=(format!("/mobilities/{}", m.id)) { (names.person(ctx, m.draft.person_id)) } }
                td { (ctx.t(&m.draft.mobility_type.message_key())) }
                td { (ctx.t(&m.draft.direction.message_key())) }
                td { (names.institution(ctx, m.draft.home_institution_id)) }
                td { (names.institution(ctx, m.draft.host_institution_id)) }
                td { (dates(&m.draft)) }
                td { (status_badge(ctx, m.status)) }
            } } }
        } }
    }
}

fn options<T: Copy>(
    ctx: &Ctx,
    all: &[T],
    wire: fn(T) -> &'static str,
    key: fn(T) -> String,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (wire(*v).to_string(), ctx.t(&key(*v))))
        .collect()
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let parsed = ListQuery::parse(raw.as_deref(), MOBILITY_SORTS, FILTERS)
        .and_then(|q| filter_from(&q).map(|f| (q, f)));
    let (mut query, filter, query_error) = match parsed {
        Ok((q, f)) => (q, f, false),
        Err(_) => (
            ListQuery::parse(None, MOBILITY_SORTS, FILTERS).expect("defaults parse"),
            MobilityFilter::default(),
            true,
        ),
    };
    // Newest stays first unless the caller sorts.
    if !ctx.query.contains("sort=") {
        query.sort.descending = true;
    }
    let page = match state
        .db
        .mobilities(&reach(&ctx), &filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let names = match Names::of(&state, &page.items).await {
        Ok(n) => n,
        Err(e) => return store_error_page(&ctx, e),
    };
    let student = is_student(&ctx);
    let title = ctx.t(if student {
        "mobilities-mine"
    } else {
        "mobilities-title"
    });
    let current = |name: &str| query.filters.get(name).cloned().unwrap_or_default();
    let select = |name: &str, key: &str, opts: Vec<(String, String)>| {
        html! {
            div.field {
                label for=(name) { (ctx.t(key)) }
                select id=(name) name=(name) {
                    option value="" { (ctx.t("filter-any")) }
                    @for (v, l) in &opts { option value=(v) selected[current(name) == *v] { (l) } }
                }
            }
        }
    };
    let body = html! {
        div.title-row {
            h1 { (title) }
            div.actions {
                @if may_edit(&ctx) { a.button href="/mobilities/new" { (ctx.t("mobility-new")) } }
                @if ctx.user.as_ref().is_some_and(|u| access::allows(u.role, Action::NominateIncoming)) {
                    " " a.button.secondary href="/mobilities/incoming" { (ctx.t("incoming-title")) }
                }
            }
        }
        @if !student {
            p {
                a href="/mobilities/abroad" { (ctx.t("mobilities-abroad-title")) }
                @if may_edit(&ctx) { " · " a href="/mobilities/overdue" { (ctx.t("checklist-overdue-title")) } }
                @if ctx.user.as_ref().is_some_and(|u| access::allows(u.role, Action::ManageCalls)) {
                    " · " a href="/nominations" { (ctx.t("nominations-title")) }
                }
                @if ctx.user.as_ref().is_some_and(|u| access::allows(u.role, Action::ManageChecklists)) {
                    " · " a href="/checklists" { (ctx.t("checklist-templates-title")) }
                }
            }
            form.filters method="get" action="/mobilities" role="search" {
                div.field.grow {
                    label for="q" { (ctx.t("search")) }
                    input #q type="search" name="q" value=(query.q.as_deref().unwrap_or("")) placeholder=(ctx.t("mobilities-search-hint"));
                }
                (select("direction", "field-direction", options(&ctx, MobilityDirection::ALL, MobilityDirection::as_str, MobilityDirection::message_key)))
                (select("mobility_type", "field-mobility-type", options(&ctx, MobilityType::ALL, MobilityType::as_str, MobilityType::message_key)))
                (select("status", "field-status", options(&ctx, MobilityStatus::ALL, MobilityStatus::as_str, MobilityStatus::message_key)))
                div.field {
                    label for="year" { (ctx.t("mobilities-year")) }
                    input #year type="number" name="year" min="1900" max="2200" value=(current("year"));
                }
                div.field {
                    label for="academic_year" { (ctx.t("field-academic-year")) }
                    input #academic_year type="text" name="academic_year" placeholder="2024/2025" value=(current("academic_year"));
                }
                @for hidden in ["institution_id", "org_unit_id", "person_id", "agreement_id", "abroad_on", "level"] {
                    @if let Some(v) = query.filters.get(hidden) { input type="hidden" name=(hidden) value=(v); }
                }
                div.actions { button type="submit" { (ctx.t("search")) } " " a href="/mobilities" { (ctx.t("filter-clear")) } }
            }
        }
        @if query_error { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("mobilities-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            (table(&ctx, &page.items, &names, Some(&query.sort)))
            (pager(&ctx, &query.page, page.total))
        }
        (super::transfer::list_tools(&ctx, &[(liaison_transfer::Entity::Mobilities, "export-list")], raw.as_deref()))
    };
    super::page(&ctx, &title, body)
}

/// Who is abroad now (outgoing) or with us (incoming), where, until when, and whom to call.
pub async fn abroad(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let (page_request, direction) =
        ListQuery::parse(raw.as_deref(), MOBILITY_SORTS, &["direction"])
            .map(|q| {
                let mut ignored = FieldErrors::default();
                let direction = q.filter("direction", MobilityDirection::parse, &mut ignored);
                (q.page, direction)
            })
            .unwrap_or_default();
    let filter = MobilityFilter {
        status: Some(MobilityStatus::Abroad),
        direction,
        ..Default::default()
    };
    let sort = Sort {
        field: "end_on",
        descending: false,
    };
    let page = match state
        .db
        .mobilities(&reach(&ctx), &filter, &sort, &page_request)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let names = match Names::of(&state, &page.items).await {
        Ok(n) => n,
        Err(e) => return store_error_page(&ctx, e),
    };
    let countries: HashMap<Id, String> = {
        let ids: Vec<Id> = page
            .items
            .iter()
            .map(|m| m.draft.partner_institution_id())
            .collect();
        match state.db.institutions_by_ids(&ids).await {
            Ok(list) => list
                .into_iter()
                .map(|i| {
                    (
                        i.id,
                        i.draft.country.name(ctx.lang.is_chinese()).to_string(),
                    )
                })
                .collect(),
            Err(e) => return store_error_page(&ctx, e),
        }
    };
    // This month's arrivals (stays about to begin) and returns (stays under way ending).
    let today = liaison_storage::today();
    let month_start = today.replace_day(1).unwrap_or(today);
    let month_end = {
        let next = if today.month() == time::Month::December {
            time::Date::from_calendar_date(today.year() + 1, time::Month::January, 1)
        } else {
            time::Date::from_calendar_date(today.year(), today.month().next(), 1)
        };
        next.map(|d| d - time::Duration::days(1)).unwrap_or(today)
    };
    let month_list = |f: MobilityFilter, field: &'static str| {
        let state = state.clone();
        let reach = reach(&ctx);
        async move {
            state
                .db
                .mobilities(
                    &reach,
                    &f,
                    &Sort {
                        field,
                        descending: false,
                    },
                    &PageRequest {
                        page: 1,
                        per_page: liaison_domain::paging::MAX_PER_PAGE,
                    },
                )
                .await
        }
    };
    let arriving = month_list(
        MobilityFilter {
            statuses: vec![
                MobilityStatus::Nominated,
                MobilityStatus::Accepted,
                MobilityStatus::Preparing,
            ],
            starts_in: Some((month_start, month_end)),
            ..Default::default()
        },
        "start_on",
    )
    .await;
    let returning = month_list(
        MobilityFilter {
            status: Some(MobilityStatus::Abroad),
            ends_in: Some((month_start, month_end)),
            ..Default::default()
        },
        "end_on",
    )
    .await;
    let (arriving, returning) = match (arriving, returning) {
        (Ok(a), Ok(r)) => (a, r),
        (Err(e), _) | (_, Err(e)) => return store_error_page(&ctx, e),
    };
    let month_names = match Names::of(
        &state,
        &[arriving.items.clone(), returning.items.clone()].concat(),
    )
    .await
    {
        Ok(n) => n,
        Err(e) => return store_error_page(&ctx, e),
    };
    let title = ctx.t("mobilities-abroad-title");
    let body = html! {
        p.breadcrumb { a href="/mobilities" { (ctx.t("mobilities-title")) } }
        h1 { (title) }
        p { (ctx.t("mobilities-abroad-hint")) " " a href="/mobilities/overdue" { (ctx.t("checklist-overdue-title")) } }
        p.filters {
            @if direction.is_none() { strong { (ctx.t("filter-any")) } } @else { a href="/mobilities/abroad" { (ctx.t("filter-any")) } }
            @for d in MobilityDirection::ALL {
                " · "
                @if direction == Some(*d) { strong { (ctx.t(&d.message_key())) } }
                @else { a href=(format!("/mobilities/abroad?direction={}", d.as_str())) { (ctx.t(&d.message_key())) } }
            }
        }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("mobilities-abroad-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("mobility-person")) }
                    th scope="col" { (ctx.t("field-direction")) }
                    th scope="col" { (ctx.t("mobilities-where")) }
                    th scope="col" { (ctx.t("mobility-dates")) }
                    th scope="col" { (ctx.t("mobility-emergency-contact")) }
                } }
                tbody { @for m in &page.items {
                    @let d = &m.draft;
                    @let partner = d.partner_institution_id();
                    tr {
                        td { a href=(format!("/mobilities/{}", m.id)) { (names.person(&ctx, d.person_id)) } }
                        td { (ctx.t(&d.direction.message_key())) }
                        td { (names.institution(&ctx, d.host_institution_id))
                            @if d.direction == MobilityDirection::Outgoing {
                                @if let Some(c) = countries.get(&partner) { " (" (c) ")" }
                            } @else {
                                " · " (ctx.t("mobilities-from")) " " (names.institution(&ctx, d.home_institution_id))
                                @if let Some(c) = countries.get(&partner) { " (" (c) ")" }
                            }
                        }
                        td { (dates(d)) }
                        td {
                            @match &d.emergency_contact_name {
                                Some(n) => {
                                    (n)
                                    @if let Some(r) = &d.emergency_contact_relation { " (" (r) ")" }
                                    @if let Some(p) = &d.emergency_contact_phone { br; a href=(format!("tel:{}", p.replace(' ', ""))) { (p) } }
                                },
                                None => span.missing { (ctx.t("mobility-no-emergency-contact")) },
                            }
                        }
                    }
                } }
            } }
            (pager(&ctx, &page_request, page.total))
        }
        section {
            h2 { (ctx.t("mobilities-arriving-this-month")) }
            @if arriving.items.is_empty() { p.empty { (ctx.t("mobilities-none-this-month")) } }
            @else { (table(&ctx, &arriving.items, &month_names, None)) }
        }
        section {
            h2 { (ctx.t("mobilities-returning-this-month")) }
            @if returning.items.is_empty() { p.empty { (ctx.t("mobilities-none-this-month")) } }
            @else { (table(&ctx, &returning.items, &month_names, None)) }
        }
    };
    super::page(&ctx, &title, body)
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<Mobility, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let m = state
        .db
        .mobility(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, mobility_visible(&reach(ctx), &m), true)?;
    Ok(m)
}

pub(super) async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    m: &Mobility,
    alert: Option<String>,
    status: StatusCode,
) -> Response {
    let names = match Names::of(state, std::slice::from_ref(m)).await {
        Ok(n) => n,
        Err(e) => return store_error_page(ctx, e),
    };
    let unit = match m.draft.org_unit_id {
        Some(u) => match state.db.org_unit(u).await {
            Ok(u) => Some(u),
            Err(StoreError::NotFound) => None,
            Err(e) => return store_error_page(ctx, e),
        },
        None => None,
    };
    let (checklist, files) = match tokio::try_join!(
        state.db.checklist(m.id),
        state
            .db
            .documents_of(liaison_storage::OwnerKind::Mobility, m.id)
    ) {
        Ok(found) => found,
        Err(e) => return store_error_page(ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let d = &m.draft;
    let person = names.person(ctx, d.person_id);
    let title = ctx.t_args(
        "mobility-title",
        &[("name", FluentValue::from(person.as_str()))],
    );
    let edit = may_edit(ctx);
    let date_row = |key: &str, v: Option<time::Date>| {
        html! { @if let Some(v) = v { div { dt { (ctx.t(key)) } dd { (iso_date::format(v)) } } } }
    };
    let body = html! {
        p.breadcrumb { a href="/mobilities" { (ctx.t(if is_student(ctx) { "mobilities-mine" } else { "mobilities-title" })) } }
        div.title-row {
            h1 { (title) }
            @if edit { div.actions {
                a.button href=(format!("/mobilities/{}/edit", m.id)) { (ctx.t("edit")) }
                " " a.button.danger href=(format!("/mobilities/{}/delete", m.id)) { (ctx.t("delete")) }
            } }
        }
        @if let Some(alert) = &alert { div.error-summary role="alert" { p { (alert) } } }
        dl.details {
            div { dt { (ctx.t("field-status")) } dd { (status_badge(ctx, m.status)) } }
            div { dt { (ctx.t("mobility-person")) } dd {
                @if is_student(ctx) { (person) } @else { a href=(format!("/people/{}", d.person_id)) { (person) } }
            } }
            div { dt { (ctx.t("field-direction")) } dd { (ctx.t(&d.direction.message_key())) } }
            div { dt { (ctx.t("field-mobility-type")) } dd { (ctx.t(&d.mobility_type.message_key())) } }
            @if let Some(l) = d.level { div { dt { (ctx.t("field-level")) } dd { (ctx.t(&l.message_key())) } } }
            div { dt { (ctx.t("field-home-institution-id")) } dd { (names.institution(ctx, d.home_institution_id)) } }
            div { dt { (ctx.t("field-host-institution-id")) } dd { (names.institution(ctx, d.host_institution_id)) } }
            @if let Some(u) = &unit { div { dt { (ctx.t("field-org-unit-id")) } dd { (u.draft.name.display(zh)) } } }
            @if let Some(a) = d.agreement_id { div { dt { (ctx.t("field-agreement-id")) } dd {
                @if is_student(ctx) { "#" (a) } @else { a href=(format!("/agreements/{a}")) { "#" (a) } }
            } } }
            div { dt { (ctx.t("field-academic-year")) } dd { (d.academic_year) } }
            div { dt { (ctx.t("mobility-planned")) } dd { (iso_date::format(d.planned_start)) " – " (iso_date::format(d.planned_end)) } }
            (date_row("field-actual-start", d.actual_start))
            (date_row("field-actual-end", d.actual_end))
            @if let Some(t) = &m.arrival_confirmed_at { div { dt { (ctx.t("mobility-arrival-confirmed")) } dd { (t) } } }
            @if let Some(t) = &m.return_confirmed_at { div { dt { (ctx.t("mobility-return-confirmed")) } dd { (t) } } }
            div { dt { (ctx.t("mobility-emergency-contact")) } dd {
                @match &d.emergency_contact_name {
                    Some(n) => { (n) @if let Some(r) = &d.emergency_contact_relation { " (" (r) ")" } @if let Some(p) = &d.emergency_contact_phone { " · " (p) } },
                    None => (ctx.t("mobility-no-emergency-contact")),
                }
            } }
            @if let Some(n) = &d.notes { div { dt { (ctx.t("field-notes")) } dd { (n) } } }
        }
        (super::nominations::section(ctx, m))
        (super::checklists::own_confirmation(ctx, m))
        (super::checklists::section(ctx, m, &checklist, &files))
        @if edit && !m.status.next().is_empty() {
            section.status-actions {
                h2 { (ctx.t("mobility-change-status")) }
                div.actions {
                    @for next in m.status.next() {
                        form.inline method="post" action=(format!("/mobilities/{}/status", m.id)) {
                            (csrf_input(ctx))
                            input type="hidden" name="version" value=(m.version);
                            input type="hidden" name="status" value=(next.as_str());
                            button.secondary type="submit" { (ctx.t_args("agreement-move-to", &[("status", FluentValue::from(ctx.t(&next.message_key())))])) }
                        }
                        " "
                    }
                }
            }
        }
        p.meta { (ctx.t_args("record-meta", &[("version", FluentValue::from(m.version)), ("updated", FluentValue::from(m.updated_at.clone()))])) }
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    match load(&state, &ctx, &id).await {
        Ok(m) => show_page(&state, &ctx, &m, None, StatusCode::OK).await,
        Err(r) => r,
    }
}

fn date_field(
    f: &FormData,
    name: &str,
    required: bool,
    errors: &mut FieldErrors,
) -> Option<time::Date> {
    let Some(raw) = f.opt(name) else {
        if required {
            errors.push(name, "required");
        }
        return None;
    };
    let d = iso_date::parse(&raw);
    if d.is_none() {
        errors.push(name, "invalid-date");
    }
    d
}

fn from_form(f: &FormData) -> Result<MobilityDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let required_id = |name: &str, errors: &mut FieldErrors| -> Id {
        match f.id(name, name, errors) {
            Some(v) => v,
            None => {
                if !errors.0.iter().any(|e| e.field == name) {
                    errors.push(name, "required");
                }
                0
            }
        }
    };
    let person_id = required_id("person_id", &mut errors);
    let home_institution_id = required_id("home_institution_id", &mut errors);
    let host_institution_id = required_id("host_institution_id", &mut errors);
    let choice = |name: &str, errors: &mut FieldErrors| -> Option<String> {
        let v = f.opt(name);
        if v.is_none() {
            errors.push(name, "required");
        }
        v
    };
    let direction = choice("direction", &mut errors).and_then(|v| MobilityDirection::parse(&v));
    let mobility_type = choice("mobility_type", &mut errors).and_then(|v| MobilityType::parse(&v));
    let level = match f.opt("level") {
        None => None,
        Some(v) => {
            let l = StudyLevel::parse(&v);
            if l.is_none() {
                errors.push("level", "invalid-choice");
            }
            l
        }
    };
    let planned_start = date_field(f, "planned_start", true, &mut errors);
    let planned_end = date_field(f, "planned_end", true, &mut errors);
    let mut draft = empty_draft();
    draft.person_id = person_id;
    draft.direction = direction.unwrap_or(MobilityDirection::Outgoing);
    draft.mobility_type = mobility_type.unwrap_or(MobilityType::StudentStudies);
    draft.level = level;
    draft.home_institution_id = home_institution_id;
    draft.host_institution_id = host_institution_id;
    draft.org_unit_id = f.id("org_unit_id", "org_unit_id", &mut errors);
    draft.agreement_id = f.id("agreement_id", "agreement_id", &mut errors);
    draft.condition_id = f.id("condition_id", "condition_id", &mut errors);
    draft.academic_year = f.get("academic_year").to_string();
    draft.planned_start = planned_start.unwrap_or(time::Date::MIN);
    draft.planned_end = planned_end.unwrap_or(time::Date::MIN);
    draft.actual_start = date_field(f, "actual_start", false, &mut errors);
    draft.actual_end = date_field(f, "actual_end", false, &mut errors);
    draft.emergency_contact_name = f.opt("emergency_contact_name");
    draft.emergency_contact_phone = f.opt("emergency_contact_phone");
    draft.emergency_contact_relation = f.opt("emergency_contact_relation");
    draft.notes = f.opt("notes");
    merge(errors, draft.validate())
}

fn to_form(d: &MobilityDraft) -> FormData {
    let mut f = FormData::default();
    f.set("person_id", d.person_id.to_string());
    f.set("direction", d.direction.as_str());
    f.set("mobility_type", d.mobility_type.as_str());
    f.set_opt("level", d.level.map(|l| l.as_str()));
    f.set("home_institution_id", d.home_institution_id.to_string());
    f.set("host_institution_id", d.host_institution_id.to_string());
    for (name, v) in [
        ("org_unit_id", d.org_unit_id),
        ("agreement_id", d.agreement_id),
        ("condition_id", d.condition_id),
    ] {
        f.set_opt(name, v.map(|i| i.to_string()).as_deref());
    }
    f.set("academic_year", d.academic_year.clone());
    f.set("planned_start", iso_date::format(d.planned_start));
    f.set("planned_end", iso_date::format(d.planned_end));
    f.set_opt(
        "actual_start",
        d.actual_start.map(iso_date::format).as_deref(),
    );
    f.set_opt("actual_end", d.actual_end.map(iso_date::format).as_deref());
    f.set_opt(
        "emergency_contact_name",
        d.emergency_contact_name.as_deref(),
    );
    f.set_opt(
        "emergency_contact_phone",
        d.emergency_contact_phone.as_deref(),
    );
    f.set_opt(
        "emergency_contact_relation",
        d.emergency_contact_relation.as_deref(),
    );
    f.set_opt("notes", d.notes.as_deref());
    f
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let institutions = match state
        .db
        .institutions(
            &ctx.user().scope,
            &Default::default(),
            &Sort {
                field: "name",
                descending: false,
            },
            &PageRequest {
                page: 1,
                per_page: liaison_domain::paging::MAX_PER_PAGE,
            },
        )
        .await
    {
        Ok(p) => p.items,
        Err(e) => return store_error_page(ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let inst: Vec<(String, String)> = institutions
        .iter()
        .map(|i| (i.id.to_string(), i.draft.name.display(zh).to_string()))
        .collect();
    let directions = options(
        ctx,
        MobilityDirection::ALL,
        MobilityDirection::as_str,
        MobilityDirection::message_key,
    );
    let types = options(
        ctx,
        MobilityType::ALL,
        MobilityType::as_str,
        MobilityType::message_key,
    );
    let levels = options(
        ctx,
        StudyLevel::ALL,
        StudyLevel::as_str,
        StudyLevel::message_key,
    );
    let cancel = if action == "/mobilities" {
        action.to_string()
    } else {
        action.trim_end_matches("/edit").to_string()
    };
    let body = html! {
        p.breadcrumb { a href="/mobilities" { (ctx.t("mobilities-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.input("person_id", "mobility-person-id", "text", true))
            p.hint { (ctx.t("mobility-person-hint")) }
            (f.select("direction", "field-direction", &directions, None))
            (f.select("mobility_type", "field-mobility-type", &types, None))
            (f.select("level", "field-level", &levels, Some("mobility-level-none")))
            (f.select("home_institution_id", "field-home-institution-id", &inst, Some("party-none")))
            (f.select("host_institution_id", "field-host-institution-id", &inst, Some("party-none")))
            (f.input("org_unit_id", "field-org-unit-id", "text", false))
            (f.input("agreement_id", "field-agreement-id", "text", false))
            (f.input("condition_id", "field-condition-id", "text", false))
            (f.input("academic_year", "field-academic-year", "text", true))
            (f.input("planned_start", "field-planned-start", "date", true))
            (f.input("planned_end", "field-planned-end", "date", true))
            (f.input("actual_start", "field-actual-start", "date", false))
            (f.input("actual_end", "field-actual-end", "date", false))
            fieldset {
                legend { (ctx.t("mobility-emergency-contact")) }
                (f.input("emergency_contact_name", "field-emergency-contact-name", "text", false))
                (f.input("emergency_contact_relation", "field-emergency-contact-relation", "text", false))
                (f.input("emergency_contact_phone", "field-emergency-contact-phone", "tel", false))
            }
            (f.textarea("notes", "field-notes"))
            div.actions {
                button type="submit" { (ctx.t("save")) }
                " " a.button.secondary href=(cancel) { (ctx.t("cancel")) }
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

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    let mut values = FormData::default();
    values.set("direction", "outgoing");
    values.set("mobility_type", "student_studies");
    values.set("level", "bachelor");
    form_page(
        &state,
        &ctx,
        &ctx.t("mobility-new"),
        "/mobilities",
        &values,
        &FieldErrors::default(),
        false,
    )
    .await
}

/// The coordinator's reach, as a form error on the unit.
fn reach_error(ctx: &Ctx, draft: &MobilityDraft) -> Option<FieldErrors> {
    (!reach(ctx).covers(draft)).then(|| {
        FieldErrors::from(liaison_domain::FieldError::new(
            "org_unit_id",
            "scope-not-allowed",
        ))
    })
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let result = match from_form(&values) {
        Ok(draft) => match reach_error(&ctx, &draft) {
            Some(e) => Err(StoreError::Invalid(e)),
            None => {
                state
                    .db
                    .create_mobility(&actor(&ctx), &draft, MobilityStatus::Nominated)
                    .await
            }
        },
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(m) => redirect_with_flash(&ctx, &format!("/mobilities/{}", m.id), "flash-saved"),
        Err(StoreError::Invalid(errors)) => {
            form_page(
                &state,
                &ctx,
                &ctx.t("mobility-new"),
                "/mobilities",
                &values,
                &errors,
                false,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let m = match load(&state, &ctx, &id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut values = to_form(&m.draft);
    values.set("version", m.version.to_string());
    form_page(
        &state,
        &ctx,
        &ctx.t("mobility-edit"),
        &format!("/mobilities/{}/edit", m.id),
        &values,
        &FieldErrors::default(),
        false,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let m = match load(&state, &ctx, &id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/mobilities/{}/edit", m.id);
    let title = ctx.t("mobility-edit");
    let result = match from_form(&values) {
        Ok(draft) => match reach_error(&ctx, &draft) {
            Some(e) => Err(StoreError::Invalid(e)),
            None => {
                state
                    .db
                    .update_mobility(&actor(&ctx), m.id, version, &draft)
                    .await
            }
        },
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/mobilities/{}", m.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            form_page(
                &state,
                &ctx,
                &title,
                &action,
                &values,
                &FieldErrors::default(),
                true,
            )
            .await
        }
        Err(StoreError::Invalid(errors)) => {
            form_page(&state, &ctx, &title, &action, &values, &errors, false).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The sentence for an illegal change: the allowed next states, translated.
fn transition_message(ctx: &Ctx, from: MobilityStatus, to: MobilityStatus) -> String {
    let allowed: Vec<String> = from
        .next()
        .iter()
        .map(|s| ctx.t(&s.message_key()))
        .collect();
    let sep = if ctx.lang.is_chinese() { "、" } else { ", " };
    ctx.t_args(
        "agreement-transition-refused",
        &[
            ("from", FluentValue::from(ctx.t(&from.message_key()))),
            ("to", FluentValue::from(ctx.t(&to.message_key()))),
            (
                "allowed",
                FluentValue::from(if allowed.is_empty() {
                    ctx.t("agreement-status-final")
                } else {
                    allowed.join(sep)
                }),
            ),
        ],
    )
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let m = match load(&state, &ctx, &id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let Some(to) = MobilityStatus::parse(values.get("status")) else {
        return super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-mobility-invalid",
        );
    };
    if version != m.version {
        return super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict");
    }
    if mobility::transition(m.status, to).is_err() {
        let alert = transition_message(&ctx, m.status, to);
        return show_page(
            &state,
            &ctx,
            &m,
            Some(alert),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state
        .db
        .set_mobility_status(
            &actor(&ctx),
            m.id,
            version,
            to,
            None,
            liaison_storage::today(),
        )
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, &format!("/mobilities/{}", m.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => {
            let alert = transition_message(&ctx, m.status, to);
            show_page(
                &state,
                &ctx,
                &m,
                Some(alert),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let m = match load(&state, &ctx, &id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let names = match Names::of(&state, std::slice::from_ref(&m)).await {
        Ok(n) => n,
        Err(e) => return store_error_page(&ctx, e),
    };
    let name = names.person(&ctx, m.draft.person_id);
    let title = ctx.t_args(
        "mobility-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let warning = html! { p { (ctx.t("mobility-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/mobilities/{}/delete", m.id),
        m.version,
        &format!("/mobilities/{}", m.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let m = match load(&state, &ctx, &id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_mobility(&actor(&ctx), m.id, version).await {
        Ok(documents) => {
            crate::api::events::forget_files(&state, &documents).await;
            redirect_with_flash(&ctx, "/mobilities", "flash-mobility-deleted")
        }
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

//! Contact pages: list with search, detail, create, edit, delete.

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
use crate::api::institutions::actor;
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::{FieldErrors, Institution, OrgUnit, Person, PersonDraft};
use liaison_storage::{PersonFilter, StoreError, PERSON_SORTS};

fn split_list(raw: &str) -> Vec<String> {
    raw.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn from_form(f: &FormData) -> Result<PersonDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let institution_id = f.id("institution_id", "institution_id", &mut errors);
    let org_unit_id = f.id("org_unit_id", "org_unit_id", &mut errors);
    let draft = PersonDraft {
        name: f.localized("name"),
        title: f.localized("title"),
        institution_id,
        org_unit_id,
        emails: split_list(f.get("emails")),
        phones: split_list(f.get("phones")),
        languages: split_list(f.get("languages")),
    };
    merge(errors, draft.validate()).map_err(|mut e| {
        // `emails.1` is shown on the one `emails` box.
        for err in &mut e.0 {
            if let Some((head, _)) = err
                .field
                .split_once('.')
                .filter(|(h, _)| ["emails", "phones", "languages"].contains(h))
            {
                err.field = head.to_string();
            }
        }
        e
    })
}

fn to_form(d: &PersonDraft) -> FormData {
    let mut f = FormData::default();
    f.set_localized("name", &d.name);
    f.set_localized("title", &d.title);
    f.set_opt(
        "institution_id",
        d.institution_id.map(|i| i.to_string()).as_deref(),
    );
    f.set_opt(
        "org_unit_id",
        d.org_unit_id.map(|i| i.to_string()).as_deref(),
    );
    f.set("emails", d.emails.join(", "));
    f.set("phones", d.phones.join(", "));
    f.set("languages", d.languages.join(", "));
    f
}

/// The institution (if any) a form is about and its units, for the unit picker.
async fn context_for(
    state: &AppState,
    values: &FormData,
) -> Result<(Option<Institution>, Vec<OrgUnit>), StoreError> {
    let Some(id) = values.get("institution_id").parse::<i64>().ok() else {
        return Ok((None, Vec::new()));
    };
    let inst = match state.db.institution(id).await {
        Ok(i) => i,
        Err(StoreError::NotFound) => return Ok((None, Vec::new())),
        Err(e) => return Err(e),
    };
    let units = state.db.org_units_of(id).await?;
    Ok((Some(inst), units))
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
    let (inst, units) = match context_for(state, values).await {
        Ok(x) => x,
        Err(e) => return store_error_page(ctx, e),
    };
    let f = Form {
        ctx,
        values,
        errors,
    };
    let zh = ctx.lang.is_chinese();
    let unit_options: Vec<(String, String)> = units
        .iter()
        .map(|u| (u.id.to_string(), u.draft.name.display(zh).to_string()))
        .collect();
    let cancel = match &inst {
        Some(i) => format!("/institutions/{}", i.id),
        None => "/people".to_string(),
    };
    let body = html! {
        @if let Some(i) = &inst { p.breadcrumb { a href=(format!("/institutions/{}", i.id)) { (i.draft.name.display(zh)) } } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            @if let Some(i) = &inst {
                input type="hidden" name="institution_id" value=(i.id);
                (f.select("org_unit_id", "field-unit", &unit_options, Some("unit-none")))
            }
            (f.localized("name", "field-name", true, false))
            (f.localized("title", "field-title", false, false))
            (f.input("emails", "field-emails", "text", false))
            (f.input("phones", "field-phones", "text", false))
            (f.input("languages", "field-languages", "text", false))
            p.hint { (ctx.t("list-hint")) }
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

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let filters = ["institution_id", "org_unit_id"];
    let (query, query_error) = match ListQuery::parse(raw.as_deref(), PERSON_SORTS, &filters) {
        Ok(q) => (q, false),
        Err(_) => (
            ListQuery::parse(None, PERSON_SORTS, &filters).expect("defaults parse"),
            true,
        ),
    };
    let filter = PersonFilter {
        q: query.q.clone(),
        institution_id: query
            .filters
            .get("institution_id")
            .and_then(|v| v.parse().ok()),
        org_unit_id: query
            .filters
            .get("org_unit_id")
            .and_then(|v| v.parse().ok()),
    };
    let page = match state
        .db
        .people(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let mut ids: Vec<i64> = page
        .items
        .iter()
        .filter_map(|p| p.draft.institution_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let institutions = match state.db.institutions_by_ids(&ids).await {
        Ok(i) => i,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("people-title");
    let body = html! {
        div.title-row {
            h1 { (title) }
            a.button href="/people/new" { (ctx.t("person-new")) }
        }
        form.filters method="get" action="/people" role="search" {
            div.field.grow {
                label for="q" { (ctx.t("search")) }
                input #q type="search" name="q" value=(query.q.as_deref().unwrap_or("")) placeholder=(ctx.t("people-search-hint"));
            }
            div.actions { button type="submit" { (ctx.t("search")) } " " a href="/people" { (ctx.t("filter-clear")) } }
        }
        @if query_error { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("people-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    (sort_header(&ctx, "name", "field-name", &query.sort))
                    th scope="col" { (ctx.t("field-title")) }
                    th scope="col" { (ctx.t("field-institution")) }
                    th scope="col" { (ctx.t("field-emails")) }
                } }
                tbody { @for p in &page.items { tr {
                    td { a href=(format!("/people/{}", p.id)) { (bilingual(&ctx, &p.draft.name)) } }
                    td { (p.draft.title.display(zh)) }
                    td { @if let Some(i) = p.draft.institution_id.and_then(|id| institutions.iter().find(|i| i.id == id)) {
                        a href=(format!("/institutions/{}", i.id)) { (i.draft.name.display(zh)) }
                    } }
                    td { @for e in &p.draft.emails { a href=(format!("mailto:{e}")) { (e) } " " } }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
        div.list-tools {
            (super::transfer::export_links(&ctx, liaison_transfer::Entity::People, raw.as_deref()))
            @if liaison_domain::access::allows(ctx.user().role, liaison_domain::Action::EditPartners) {
                p { a href="/import" { (ctx.t("import-link")) } }
            }
        }
    };
    super::page(&ctx, &title, body)
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut values = FormData::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k == "institution_id" || k == "org_unit_id" {
            values.set(&k, v.into_owned());
        }
    }
    form_page(
        &state,
        &ctx,
        &ctx.t("person-new"),
        "/people",
        &values,
        &FieldErrors::default(),
        false,
    )
    .await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let title = ctx.t("person-new");
    let result = match from_form(&values).and_then(|d| within_scope(&ctx, d)) {
        Ok(draft) => state.db.create_person(&actor(&ctx), &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(p) => redirect_with_flash(&ctx, &format!("/people/{}", p.id), "flash-person-created"),
        Err(StoreError::Invalid(errors)) => {
            form_page(&state, &ctx, &title, "/people", &values, &errors, false).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<Person, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let person = state
        .db
        .person(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(
        ctx,
        ctx.user()
            .scope
            .may_read_person(person.draft.institution_id, person.draft.org_unit_id),
        true,
    )?;
    Ok(person)
}

/// Like `load`, for pages that change the contact: 403 outside the caller's units.
async fn load_to_edit(state: &AppState, ctx: &Ctx, id: &str) -> Result<Person, Response> {
    let person = load(state, ctx, id).await?;
    super::check_record(
        ctx,
        true,
        ctx.user().scope.may_edit_person(person.draft.org_unit_id),
    )?;
    Ok(person)
}

/// A coordinator attaches contacts only to units they look after.
fn within_scope(ctx: &Ctx, draft: PersonDraft) -> Result<PersonDraft, FieldErrors> {
    if ctx.user().scope.may_edit_person(draft.org_unit_id) {
        Ok(draft)
    } else {
        let mut errors = FieldErrors::default();
        errors.push("org_unit_id", "outside-scope");
        Err(errors)
    }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let person = match load(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut values = FormData::default();
    values.set_opt(
        "institution_id",
        person
            .draft
            .institution_id
            .map(|i| i.to_string())
            .as_deref(),
    );
    let (inst, units) = match context_for(&state, &values).await {
        Ok(x) => x,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let d = &person.draft;
    let title = d.name.display(zh).to_string();
    let unit = d.org_unit_id.and_then(|u| units.iter().find(|x| x.id == u));
    let body = html! {
        @if let Some(i) = &inst { p.breadcrumb { a href=(format!("/institutions/{}", i.id)) { (i.draft.name.display(zh)) } } }
        div.title-row {
            h1 { (bilingual(&ctx, &d.name)) }
            div.actions {
                a.button href=(format!("/people/{}/edit", person.id)) { (ctx.t("edit")) }
                " " a.button.danger href=(format!("/people/{}/delete", person.id)) { (ctx.t("delete")) }
                @if ctx.user.as_ref().is_some_and(|u| liaison_domain::access::allows(u.role, liaison_domain::Action::ManagePersonalData)) {
                    " " a.button.secondary href=(format!("/people/{}/export", person.id)) download { (ctx.t("person-export")) }
                    " " a.button.danger href=(format!("/people/{}/anonymise", person.id)) { (ctx.t("person-anonymise")) }
                }
            }
        }
        dl.details {
            @if !d.title.is_empty() { div { dt { (ctx.t("field-title")) } dd { (bilingual(&ctx, &d.title)) } } }
            @if let Some(u) = unit { div { dt { (ctx.t("field-unit")) } dd { a href=(format!("/org-units/{}", u.id)) { (u.draft.name.display(zh)) } } } }
            @if !d.emails.is_empty() { div { dt { (ctx.t("field-emails")) } dd { @for e in &d.emails { a href=(format!("mailto:{e}")) { (e) } " " } } } }
            @if !d.phones.is_empty() { div { dt { (ctx.t("field-phones")) } dd { (d.phones.join(", ")) } } }
            @if !d.languages.is_empty() { div { dt { (ctx.t("field-languages")) } dd { (d.languages.join(", ")) } } }
        }
    };
    super::page(&ctx, &title, body)
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let person = match load_to_edit(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut values = to_form(&person.draft);
    values.set("version", person.version.to_string());
    let action = format!("/people/{}/edit", person.id);
    form_page(
        &state,
        &ctx,
        &ctx.t("person-edit"),
        &action,
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
    let person = match load_to_edit(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/people/{}/edit", person.id);
    let title = ctx.t("person-edit");
    let result = match from_form(&values).and_then(|d| within_scope(&ctx, d)) {
        Ok(draft) => {
            state
                .db
                .update_person(&actor(&ctx), person.id, version, &draft)
                .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/people/{}", person.id), "flash-saved"),
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

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let person = match load_to_edit(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let name = person.draft.name.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "person-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let warning = html! { p { (ctx.t("person-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/people/{}/delete", person.id),
        person.version,
        &format!("/people/{}", person.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let person = match load_to_edit(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    let back = match person.draft.institution_id {
        Some(i) => format!("/institutions/{i}"),
        None => "/people".to_string(),
    };
    match state
        .db
        .delete_person(&actor(&ctx), person.id, version)
        .await
    {
        Ok(()) => redirect_with_flash(&ctx, &back, "flash-person-deleted"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

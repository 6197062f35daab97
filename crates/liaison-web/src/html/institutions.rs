//! Partner pages: list with search, filters and sorting; detail; create, edit, delete.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::{
    bilingual, confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash,
    sort_header, Form, FormData,
};
use crate::api::institutions::{actor, filter_from, FILTERS};
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::{
    CountryCode, FieldErrors, Institution, InstitutionDraft, InstitutionKind, RegionTag,
    RelationshipStatus,
};
use liaison_storage::{InstitutionFilter, StoreError, INSTITUTION_SORTS};

pub fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    InstitutionKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect()
}

fn status_options(ctx: &Ctx) -> Vec<(String, String)> {
    RelationshipStatus::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect()
}

fn region_options(ctx: &Ctx) -> Vec<(String, String)> {
    RegionTag::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect()
}

/// Every country, named in the viewer's language.
pub fn country_options(ctx: &Ctx) -> Vec<(String, String)> {
    let zh = ctx.lang.is_chinese();
    let mut options: Vec<(String, String)> = CountryCode::all()
        .map(|c| {
            (
                c.as_str().to_string(),
                format!("{} ({})", c.name(zh), c.as_str()),
            )
        })
        .collect();
    if !zh {
        options.sort_by(|a, b| a.1.cmp(&b.1));
    }
    options
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let (query, query_error) = match ListQuery::parse(raw.as_deref(), INSTITUTION_SORTS, FILTERS) {
        Ok(q) => (q, false),
        Err(_) => (
            ListQuery::parse(None, INSTITUTION_SORTS, FILTERS).expect("defaults parse"),
            true,
        ),
    };
    let (filter, filter_error) = match filter_from(&query) {
        Ok(f) => (f, false),
        Err(_) => (
            InstitutionFilter {
                q: query.q.clone(),
                ..Default::default()
            },
            true,
        ),
    };
    let page = match state
        .db
        .institutions(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let mut values = FormData::default();
    for (k, v) in &query.filters {
        values.set(k, v.clone());
    }
    values.set_opt("q", query.q.as_deref());
    let no_errors = FieldErrors::default();
    let f = Form {
        ctx: &ctx,
        values: &values,
        errors: &no_errors,
    };
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("institutions-title");
    let body = html! {
        div.title-row {
            h1 { (title) }
            a.button href="/institutions/new" { (ctx.t("institution-new")) }
        }
        form.filters method="get" action="/institutions" role="search" {
            div.field.grow {
                label for="q" { (ctx.t("search")) }
                input #q type="search" name="q" value=(values.get("q")) placeholder=(ctx.t("institutions-search-hint"));
            }
            (f.select("country", "field-country", &country_options(&ctx), Some("filter-any")))
            (f.select("kind", "field-kind", &kind_options(&ctx), Some("filter-any")))
            (f.select("status", "field-status", &status_options(&ctx), Some("filter-any")))
            (f.select("region_tags", "field-region-tags", &region_options(&ctx), Some("filter-any")))
            @if let Some(sort) = form_urlencoded::parse(ctx.query.as_bytes()).find(|(k, _)| k == "sort") {
                input type="hidden" name="sort" value=(sort.1);
            }
            div.actions { button type="submit" { (ctx.t("filter-apply")) } " " a href="/institutions" { (ctx.t("filter-clear")) } }
        }
        @if query_error || filter_error { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty {
                p { (ctx.t("institutions-empty")) }
                a.button href="/institutions/new" { (ctx.t("institution-new")) }
            }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap {
                table {
                    thead { tr {
                        (sort_header(&ctx, "name", "field-name", &query.sort))
                        (sort_header(&ctx, "kind", "field-kind", &query.sort))
                        (sort_header(&ctx, "country", "field-country", &query.sort))
                        th scope="col" { (ctx.t("field-city")) }
                        (sort_header(&ctx, "status", "field-status", &query.sort))
                    } }
                    tbody {
                        @for i in &page.items {
                            tr {
                                td { a href=(format!("/institutions/{}", i.id)) { (bilingual(&ctx, &i.draft.name)) } }
                                td { (ctx.t(&i.draft.kind.message_key())) }
                                td { (i.draft.country.name(zh)) }
                                td { (i.draft.city.display(zh)) }
                                td { span class=(format!("badge status-{}", i.draft.status.as_str())) { (ctx.t(&i.draft.status.message_key())) } }
                            }
                        }
                    }
                }
            }
            (pager(&ctx, &query.page, page.total))
        }
        div.list-tools {
            (super::transfer::export_links(&ctx, liaison_transfer::Entity::Institutions, raw.as_deref()))
            @if liaison_domain::access::allows(ctx.user().role, liaison_domain::Action::EditPartners) {
                p { a href="/import" { (ctx.t("import-link")) } }
            }
        }
    };
    super::page(&ctx, &title, body)
}

/// Maps a storage failure to a page; field errors never reach here (forms handle them).
pub fn store_error_page(ctx: &Ctx, e: StoreError) -> Response {
    match e {
        StoreError::NotFound => super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found"),
        StoreError::HasDependents(_) => {
            super::error_page(ctx, StatusCode::CONFLICT, "page-has-dependents")
        }
        other => {
            tracing::error!(error = %other, "storage failure");
            super::error_page(ctx, StatusCode::INTERNAL_SERVER_ERROR, "page-internal")
        }
    }
}

fn to_form(d: &InstitutionDraft) -> FormData {
    let mut f = FormData::default();
    f.set("kind", d.kind.as_str());
    f.set_localized("name", &d.name);
    f.set("country", d.country.as_str());
    f.set_localized("city", &d.city);
    f.set_opt("website", d.website.as_deref());
    f.set("status", d.status.as_str());
    for t in &d.region_tags {
        f.set("region_tags", t.as_str());
    }
    f.set_opt("hei_id", d.hei_id.as_deref());
    f.set_opt("erasmus_code", d.erasmus_code.as_deref());
    f.set_opt("social_credit_code", d.social_credit_code.as_deref());
    f.set_localized("profile", &d.profile);
    f
}

fn from_form(f: &FormData) -> Result<InstitutionDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = InstitutionKind::parse(f.get("kind")).unwrap_or_else(|| {
        errors.push("kind", "invalid-choice");
        InstitutionKind::University
    });
    let country = CountryCode::parse(f.get("country")).unwrap_or_else(|| {
        errors.push(
            "country",
            if f.get("country").is_empty() {
                "required"
            } else {
                "invalid-country"
            },
        );
        CountryCode::parse("CN").expect("CN is assigned")
    });
    let status = RelationshipStatus::parse(f.get("status")).unwrap_or_else(|| {
        errors.push("status", "invalid-choice");
        RelationshipStatus::Prospect
    });
    let mut region_tags = Vec::new();
    for t in f.all("region_tags") {
        match RegionTag::parse(t) {
            Some(tag) => region_tags.push(tag),
            None => errors.push("region_tags", "invalid-choice"),
        }
    }
    let draft = InstitutionDraft {
        kind,
        name: f.localized("name"),
        country,
        city: f.localized("city"),
        website: f.opt("website"),
        status,
        region_tags,
        hei_id: f.opt("hei_id"),
        erasmus_code: f.opt("erasmus_code"),
        social_credit_code: f.opt("social_credit_code"),
        profile: f.localized("profile"),
    };
    merge(errors, draft.validate())
}

fn form_page(
    ctx: &Ctx,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
    cancel: &str,
) -> Response {
    let f = Form {
        ctx,
        values,
        errors,
    };
    let body = html! {
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.localized("name", "field-name", true, false))
            div.grid {
                (f.select("kind", "field-kind", &kind_options(ctx), None))
                (f.select("status", "field-status", &status_options(ctx), None))
                (f.select("country", "field-country", &country_options(ctx), Some("choose")))
            }
            (f.localized("city", "field-city", false, false))
            (f.input("website", "field-website", "url", false))
            (f.checkboxes("region_tags", "field-region-tags", &region_options(ctx)))
            div.grid {
                (f.input("hei_id", "field-hei-id", "text", false))
                (f.input("erasmus_code", "field-erasmus-code", "text", false))
                (f.input("social_credit_code", "field-social-credit-code", "text", false))
            }
            (f.localized("profile", "field-profile", false, true))
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

pub async fn new_form(ctx: Ctx) -> Response {
    let mut values = FormData::default();
    values.set("kind", "university");
    values.set("status", "prospect");
    form_page(
        &ctx,
        &ctx.t("institution-new"),
        "/institutions",
        &values,
        &FieldErrors::default(),
        false,
        "/institutions",
    )
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let title = ctx.t("institution-new");
    let draft = match from_form(&values) {
        Ok(d) => d,
        Err(errors) => {
            return form_page(
                &ctx,
                &title,
                "/institutions",
                &values,
                &errors,
                false,
                "/institutions",
            )
        }
    };
    match state.db.create_institution(&actor(&ctx), &draft).await {
        Ok(created) => redirect_with_flash(
            &ctx,
            &format!("/institutions/{}", created.id),
            "flash-institution-created",
        ),
        Err(StoreError::Invalid(errors)) => form_page(
            &ctx,
            &title,
            "/institutions",
            &values,
            &errors,
            false,
            "/institutions",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<Institution, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    super::check_record(ctx, ctx.user().scope.may_read_institution(id), true)?;
    state
        .db
        .institution(id)
        .await
        .map_err(|e| store_error_page(ctx, e))
}

fn detail_row(label: String, value: Markup) -> Markup {
    html! { div { dt { (label) } dd { (value) } } }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let inst = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let units = state.db.org_units_of(inst.id).await;
    let people = state
        .db
        .people(
            &ctx.user().scope,
            &liaison_storage::PersonFilter {
                institution_id: Some(inst.id),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "name",
                descending: false,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: 200,
            },
        )
        .await;
    let (units, people) = match (units, people) {
        (Ok(u), Ok(p)) => (u, p),
        (Err(e), _) | (_, Err(e)) => return store_error_page(&ctx, e),
    };
    let agreements_section = super::agreements::institution_section(&state, &ctx, inst.id).await;
    let programme_section = super::programme::institution_section(&state, &ctx, inst.id).await;
    let campaigns_section = super::campaigns::institution_section(&state, &ctx, inst.id).await;
    let events_section = match state.db.events_of_institution(inst.id).await {
        Ok(events) => super::events::timeline(&ctx, &events),
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let d = &inst.draft;
    let title = d.name.display(zh).to_string();
    let unit_name = |id: Option<i64>| -> String {
        id.and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.draft.name.display(zh).to_string())
            .unwrap_or_default()
    };
    let body = html! {
        div.title-row {
            h1 { (title) @if let Some(other) = Some(d.name.display(!zh)).filter(|o| *o != title) { " " span.other-lang { (other) } } }
            div.actions {
                a.button href=(format!("/institutions/{}/edit", inst.id)) { (ctx.t("edit")) }
                " " a.button.danger href=(format!("/institutions/{}/delete", inst.id)) { (ctx.t("delete")) }
            }
        }
        dl.details {
            (detail_row(ctx.t("field-kind"), html! { (ctx.t(&d.kind.message_key())) }))
            (detail_row(ctx.t("field-status"), html! { span class=(format!("badge status-{}", d.status.as_str())) { (ctx.t(&d.status.message_key())) } }))
            (detail_row(ctx.t("field-country"), html! { (d.country.name(zh)) " (" (d.country.as_str()) ")" }))
            (detail_row(ctx.t("field-city"), bilingual(&ctx, &d.city)))
            @if let Some(w) = &d.website { (detail_row(ctx.t("field-website"), html! { a href=(w) rel="noopener noreferrer" { (w) } })) }
            @if !d.region_tags.is_empty() {
                (detail_row(ctx.t("field-region-tags"), html! { @for t in &d.region_tags { span.badge { (ctx.t(&t.message_key())) } " " } }))
            }
            @if let Some(v) = &d.hei_id { (detail_row(ctx.t("field-hei-id"), html! { code { (v) } })) }
            @if let Some(v) = &d.erasmus_code { (detail_row(ctx.t("field-erasmus-code"), html! { code { (v) } })) }
            @if let Some(v) = &d.social_credit_code { (detail_row(ctx.t("field-social-credit-code"), html! { code { (v) } })) }
        }
        @if !d.profile.is_empty() { section { h2 { (ctx.t("field-profile")) } p.profile { (d.profile.display(zh)) } } }
        section {
            div.title-row {
                h2 { (ctx.t("units-title")) }
                a.button.secondary href=(format!("/institutions/{}/units/new", inst.id)) { (ctx.t("unit-new")) }
            }
            @if units.is_empty() { p.empty { (ctx.t("units-empty")) } }
            @else { (unit_tree(&ctx, &units, None)) }
        }
        section {
            div.title-row {
                h2 { (ctx.t("contacts-title")) }
                a.button.secondary href=(format!("/people/new?institution_id={}", inst.id)) { (ctx.t("person-new")) }
            }
            @if people.items.is_empty() { p.empty { (ctx.t("contacts-empty")) } }
            @else {
                div.table-wrap { table {
                    thead { tr { th scope="col" { (ctx.t("field-name")) } th scope="col" { (ctx.t("field-title")) } th scope="col" { (ctx.t("field-unit")) } th scope="col" { (ctx.t("field-emails")) } } }
                    tbody { @for p in &people.items { tr {
                        td { a href=(format!("/people/{}", p.id)) { (bilingual(&ctx, &p.draft.name)) } }
                        td { (p.draft.title.display(zh)) }
                        td { (unit_name(p.draft.org_unit_id)) }
                        td { @for e in &p.draft.emails { a href=(format!("mailto:{e}")) { (e) } " " } }
                    } } }
                } }
            }
        }
        (agreements_section)
        (programme_section)
        (campaigns_section)
        (events_section)
        p.meta { (ctx.t_args("record-meta", &[("version", FluentValue::from(inst.version)), ("updated", FluentValue::from(inst.updated_at.clone()))])) }
    };
    super::page(&ctx, &title, body)
}

/// Nested list of units under `parent`.
fn unit_tree(ctx: &Ctx, units: &[liaison_domain::OrgUnit], parent: Option<i64>) -> Markup {
    let children: Vec<_> = units
        .iter()
        .filter(|u| u.draft.parent_id == parent)
        .collect();
    html! {
        @if !children.is_empty() {
            ul.tree {
                @for u in children {
                    li {
                        a href=(format!("/org-units/{}", u.id)) { (bilingual(ctx, &u.draft.name)) }
                        " " span.muted { (ctx.t(&u.draft.kind.message_key())) }
                        (unit_tree(ctx, units, Some(u.id)))
                    }
                }
            }
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let inst = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut values = to_form(&inst.draft);
    values.set("version", inst.version.to_string());
    let title = ctx.t("institution-edit");
    let action = format!("/institutions/{}/edit", inst.id);
    form_page(
        &ctx,
        &title,
        &action,
        &values,
        &FieldErrors::default(),
        false,
        &format!("/institutions/{}", inst.id),
    )
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let inst = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let title = ctx.t("institution-edit");
    let action = format!("/institutions/{}/edit", inst.id);
    let cancel = format!("/institutions/{}", inst.id);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let draft = match from_form(&values) {
        Ok(d) => d,
        Err(errors) => return form_page(&ctx, &title, &action, &values, &errors, false, &cancel),
    };
    match state
        .db
        .update_institution(&actor(&ctx), inst.id, version, &draft)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, &cancel, "flash-saved"),
        Err(StoreError::Conflict { .. }) => form_page(
            &ctx,
            &title,
            &action,
            &values,
            &FieldErrors::default(),
            true,
            &cancel,
        ),
        Err(StoreError::Invalid(errors)) => {
            form_page(&ctx, &title, &action, &values, &errors, false, &cancel)
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let inst = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let (units, people) = match state.db.institution_dependents(inst.id).await {
        Ok(c) => c,
        Err(e) => return store_error_page(&ctx, e),
    };
    let name = inst.draft.name.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "institution-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let warning = html! {
        p { (ctx.t_args("institution-delete-warning", &[("units", FluentValue::from(units)), ("people", FluentValue::from(people))])) }
    };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/institutions/{}/delete", inst.id),
        inst.version,
        &format!("/institutions/{}", inst.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_institution(&actor(&ctx), id, version).await {
        Ok(()) => redirect_with_flash(&ctx, "/institutions", "flash-institution-deleted"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

//! Org unit pages: detail, create (under an institution), edit, delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::html;

use super::institutions::store_error_page;
use super::{
    bilingual, confirm_delete_page, csrf_input, parse_path_id, redirect_with_flash, Form, FormData,
};
use crate::api::institutions::actor;
use crate::api::merge;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::{FieldErrors, Institution, OrgUnit, OrgUnitDraft, OrgUnitKind};
use liaison_storage::StoreError;

fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    OrgUnitKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect()
}

fn from_form(institution_id: i64, f: &FormData) -> Result<OrgUnitDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = OrgUnitKind::parse(f.get("kind")).unwrap_or_else(|| {
        errors.push("kind", "invalid-choice");
        OrgUnitKind::Other
    });
    let parent_id = f.id("parent_id", "parent_id", &mut errors);
    let draft = OrgUnitDraft {
        institution_id,
        parent_id,
        kind,
        name: f.localized("name"),
        ounit_id: f.opt("ounit_id"),
        website: f.opt("website"),
    };
    merge(errors, draft.validate())
}

fn to_form(d: &OrgUnitDraft) -> FormData {
    let mut f = FormData::default();
    f.set("kind", d.kind.as_str());
    f.set_localized("name", &d.name);
    f.set_opt("parent_id", d.parent_id.map(|p| p.to_string()).as_deref());
    f.set_opt("ounit_id", d.ounit_id.as_deref());
    f.set_opt("website", d.website.as_deref());
    f
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    ctx: &Ctx,
    title: &str,
    action: &str,
    institution: &Institution,
    siblings: &[OrgUnit],
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let f = Form {
        ctx,
        values,
        errors,
    };
    let zh = ctx.lang.is_chinese();
    let this = values.get("id");
    let parents: Vec<(String, String)> = siblings
        .iter()
        .filter(|u| u.id.to_string() != this)
        .map(|u| (u.id.to_string(), u.draft.name.display(zh).to_string()))
        .collect();
    let cancel = format!("/institutions/{}", institution.id);
    let body = html! {
        p.breadcrumb { a href=(cancel) { (institution.draft.name.display(zh)) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.localized("name", "field-name", true, false))
            div.grid {
                (f.select("kind", "field-unit-kind", &kind_options(ctx), None))
                (f.select("parent_id", "field-parent-unit", &parents, Some("parent-none")))
                (f.input("ounit_id", "field-ounit-id", "text", false))
            }
            (f.input("website", "field-website", "url", false))
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

async fn institution_and_units(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Institution, Vec<OrgUnit>), Response> {
    super::check_record(ctx, ctx.user().scope.may_read_institution(id), true)?;
    let inst = state
        .db
        .institution(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    let units = state
        .db
        .org_units_of(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    Ok((inst, units))
}

async fn load_unit(state: &AppState, ctx: &Ctx, id: &str) -> Result<OrgUnit, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let unit = state
        .db
        .org_unit(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(
        ctx,
        ctx.user().scope.may_read_unit(unit.draft.institution_id),
        true,
    )?;
    Ok(unit)
}

/// Like `load_unit`, for pages that change the unit: 403 outside the caller's units.
async fn load_unit_to_edit(state: &AppState, ctx: &Ctx, id: &str) -> Result<OrgUnit, Response> {
    let unit = load_unit(state, ctx, id).await?;
    super::check_record(ctx, true, ctx.user().scope.may_edit_unit(unit.id))?;
    Ok(unit)
}

/// A coordinator places units only below units they look after.
fn within_scope(ctx: &Ctx, draft: OrgUnitDraft) -> Result<OrgUnitDraft, FieldErrors> {
    let scope = &ctx.user().scope;
    if matches!(scope, liaison_domain::Scope::All)
        || draft.parent_id.is_some_and(|p| scope.may_edit_unit(p))
    {
        Ok(draft)
    } else {
        let mut errors = FieldErrors::default();
        errors.push("parent_id", "outside-scope");
        Err(errors)
    }
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let (inst, units) = match institution_and_units(&state, &ctx, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut values = FormData::default();
    values.set("kind", "school");
    let action = format!("/institutions/{id}/units");
    form_page(
        &ctx,
        &ctx.t("unit-new"),
        &action,
        &inst,
        &units,
        &values,
        &FieldErrors::default(),
        false,
    )
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let (inst, units) = match institution_and_units(&state, &ctx, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let action = format!("/institutions/{id}/units");
    let title = ctx.t("unit-new");
    let result = match from_form(id, &values).and_then(|d| within_scope(&ctx, d)) {
        Ok(draft) => state.db.create_org_unit(&actor(&ctx), &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/institutions/{id}"), "flash-unit-created"),
        Err(StoreError::Invalid(errors)) => form_page(
            &ctx, &title, &action, &inst, &units, &values, &errors, false,
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let unit = match load_unit(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (inst, units) = match institution_and_units(&state, &ctx, unit.draft.institution_id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let people = state
        .db
        .people(
            &ctx.user().scope,
            &liaison_storage::PersonFilter {
                org_unit_id: Some(unit.id),
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
    let people = match people {
        Ok(p) => p.items,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let title = unit.draft.name.display(zh).to_string();
    let parent = unit
        .draft
        .parent_id
        .and_then(|p| units.iter().find(|u| u.id == p));
    let children: Vec<&OrgUnit> = units
        .iter()
        .filter(|u| u.draft.parent_id == Some(unit.id))
        .collect();
    let body = html! {
        p.breadcrumb {
            a href=(format!("/institutions/{}", inst.id)) { (inst.draft.name.display(zh)) }
            @if let Some(p) = parent { " › " a href=(format!("/org-units/{}", p.id)) { (p.draft.name.display(zh)) } }
        }
        div.title-row {
            h1 { (bilingual(&ctx, &unit.draft.name)) }
            div.actions {
                a.button href=(format!("/org-units/{}/edit", unit.id)) { (ctx.t("edit")) }
                " " a.button.danger href=(format!("/org-units/{}/delete", unit.id)) { (ctx.t("delete")) }
            }
        }
        dl.details {
            div { dt { (ctx.t("field-unit-kind")) } dd { (ctx.t(&unit.draft.kind.message_key())) } }
            @if let Some(code) = &unit.draft.ounit_id { div { dt { (ctx.t("field-ounit-id")) } dd { code { (code) } } } }
            @if let Some(w) = &unit.draft.website { div { dt { (ctx.t("field-website")) } dd { a href=(w) rel="noopener noreferrer" { (w) } } } }
        }
        section {
            h2 { (ctx.t("subunits-title")) }
            @if children.is_empty() { p.empty { (ctx.t("units-empty")) } }
            @else { ul.tree { @for c in children { li { a href=(format!("/org-units/{}", c.id)) { (bilingual(&ctx, &c.draft.name)) } } } } }
        }
        section {
            div.title-row {
                h2 { (ctx.t("contacts-title")) }
                a.button.secondary href=(format!("/people/new?institution_id={}&org_unit_id={}", inst.id, unit.id)) { (ctx.t("person-new")) }
            }
            @if people.is_empty() { p.empty { (ctx.t("contacts-empty")) } }
            @else { ul { @for p in &people { li { a href=(format!("/people/{}", p.id)) { (bilingual(&ctx, &p.draft.name)) } } } } }
        }
    };
    super::page(&ctx, &title, body)
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let unit = match load_unit_to_edit(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (inst, units) = match institution_and_units(&state, &ctx, unit.draft.institution_id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut values = to_form(&unit.draft);
    values.set("version", unit.version.to_string());
    values.set("id", unit.id.to_string());
    let action = format!("/org-units/{}/edit", unit.id);
    form_page(
        &ctx,
        &ctx.t("unit-edit"),
        &action,
        &inst,
        &units,
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
    let unit = match load_unit_to_edit(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (inst, units) = match institution_and_units(&state, &ctx, unit.draft.institution_id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut values = FormData::parse(&body);
    values.set("id", unit.id.to_string());
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/org-units/{}/edit", unit.id);
    let title = ctx.t("unit-edit");
    let placed = |d: OrgUnitDraft| {
        if d.parent_id == unit.draft.parent_id {
            Ok(d)
        } else {
            within_scope(&ctx, d)
        }
    };
    let result = match from_form(inst.id, &values).and_then(placed) {
        Ok(draft) => {
            state
                .db
                .update_org_unit(&actor(&ctx), unit.id, version, &draft)
                .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/org-units/{}", unit.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => form_page(
            &ctx,
            &title,
            &action,
            &inst,
            &units,
            &values,
            &FieldErrors::default(),
            true,
        ),
        Err(StoreError::Invalid(errors)) => form_page(
            &ctx, &title, &action, &inst, &units, &values, &errors, false,
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let unit = match load_unit_to_edit(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let children = match state.db.org_unit_child_count(unit.id).await {
        Ok(n) => n,
        Err(e) => return store_error_page(&ctx, e),
    };
    let name = unit.draft.name.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "unit-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    if children > 0 {
        let body = html! {
            h1 { (title) }
            p.error-summary role="alert" { (ctx.t_args("unit-has-children", &[("count", FluentValue::from(children))])) }
            p { a href=(format!("/org-units/{}", unit.id)) { (ctx.t("cancel")) } }
        };
        return super::html_response(StatusCode::CONFLICT, super::layout(&ctx, &title, body));
    }
    let warning = html! { p { (ctx.t("unit-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/org-units/{}/delete", unit.id),
        unit.version,
        &format!("/org-units/{}", unit.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let unit = match load_unit_to_edit(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state
        .db
        .delete_org_unit(&actor(&ctx), unit.id, version)
        .await
    {
        Ok(()) => redirect_with_flash(
            &ctx,
            &format!("/institutions/{}", unit.draft.institution_id),
            "flash-unit-deleted",
        ),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::HasDependents(_)) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-has-dependents")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

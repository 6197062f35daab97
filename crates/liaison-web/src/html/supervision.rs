//! The supervision form of a placement: its period, the enterprise and university supervisors and
//! the evaluation at the end. The office edits all of it; the enterprise contact of the position's
//! institution records its own supervisor and the evaluation (the university supervisor and the
//! period are shown, not editable), as `PATCH /api/v1/placements/{id}` allows them.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::institutions::store_error_page;
use super::{csrf_input, parse_path_id, redirect_with_flash, Form, FormData};
use crate::api::enterprise::{placement_visible, viewer};
use crate::api::institutions::actor;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::enterprise::Viewer;
use liaison_domain::event::iso_date;
use liaison_domain::{FieldErrors, Placement, PlacementDraft};
use liaison_storage::{NamedTable, StoreError};

async fn load(state: &AppState, ctx: &Ctx, raw: &str) -> Result<Placement, Response> {
    let not_found = || super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found");
    let Some(id) = parse_path_id(raw) else {
        return Err(not_found());
    };
    let pl = state
        .db
        .placement(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    match placement_visible(state, ctx, &pl).await {
        Ok(true) => Ok(pl),
        Ok(false) => Err(not_found()),
        Err(e) => Err(store_error_page(ctx, e)),
    }
}

fn to_form(pl: &Placement) -> FormData {
    let d = &pl.draft;
    let mut f = FormData::default();
    f.set("version", pl.version.to_string());
    f.set_opt("start_on", d.start_on.map(iso_date::format).as_deref());
    f.set_opt("end_on", d.end_on.map(iso_date::format).as_deref());
    f.set_opt("enterprise_supervisor", d.enterprise_supervisor.as_deref());
    f.set_opt("university_supervisor", d.university_supervisor.as_deref());
    f.set_localized("evaluation", &d.evaluation);
    f
}

/// The draft the form asks for, from the current one: the office changes every field here, an
/// enterprise only its supervisor and the evaluation.
fn from_form(
    current: &PlacementDraft,
    f: &FormData,
    office: bool,
) -> Result<PlacementDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut d = current.clone();
    d.enterprise_supervisor = f.opt("enterprise_supervisor");
    d.evaluation = f.localized("evaluation");
    if office {
        d.university_supervisor = f.opt("university_supervisor");
        for (field, slot) in [("start_on", &mut d.start_on), ("end_on", &mut d.end_on)] {
            *slot = match f.opt(field) {
                None => None,
                Some(raw) => {
                    let parsed = iso_date::parse(&raw);
                    if parsed.is_none() {
                        errors.push(field, "invalid-date");
                    }
                    parsed
                }
            };
        }
    }
    crate::api::merge(errors, d.validate())
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    pl: &Placement,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let zh = ctx.lang.is_chinese();
    let office = viewer(ctx) == Viewer::Office;
    let position = match state.db.position(pl.draft.position_id).await {
        Ok(p) => p,
        Err(e) => return store_error_page(ctx, e),
    };
    let student = state
        .db
        .names_of(NamedTable::People, &[pl.draft.person_id])
        .await
        .unwrap_or_default()
        .get(&pl.draft.person_id)
        .map(|n| n.display(zh).to_string())
        .unwrap_or_default();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let title = ctx.t("supervision-title");
    let action = format!("/placements/{}/supervision", pl.id);
    let body = html! {
        p.breadcrumb { a href=(format!("/placements?position_id={}", position.id)) { (ctx.t("placements-title")) } }
        h1 { (title) }
        dl.details {
            div { dt { (ctx.t("field-position")) } dd { a href=(format!("/positions/{}", position.id)) { (position.draft.title.display(zh)) } } }
            div { dt { (ctx.t("field-student")) } dd { (student) } }
            div { dt { (ctx.t("field-record-status")) } dd { (ctx.t(&pl.draft.status.message_key())) } }
            @if !office {
                div { dt { (ctx.t("field-period")) } dd {
                    @if let Some(s) = pl.draft.start_on { (iso_date::format(s)) } " – " @if let Some(e) = pl.draft.end_on { (iso_date::format(e)) }
                } }
                div { dt { (ctx.t("field-university-supervisor")) } dd { (pl.draft.university_supervisor.as_deref().unwrap_or("—")) } }
            }
        }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            input type="hidden" name="version" value=(values.get("version"));
            @if office {
                (f.input("start_on", "field-placement-start", "date", false))
                (f.input("end_on", "field-placement-end", "date", false))
            }
            (f.input("enterprise_supervisor", "field-enterprise-supervisor", "text", false))
            @if office { (f.input("university_supervisor", "field-university-supervisor", "text", false)) }
            (f.localized("evaluation", "field-evaluation", false, true))
            p.hint { (ctx.t("supervision-evaluation-hint")) }
            div.actions { button type="submit" { (ctx.t("save")) } }
        }
    };
    let status = if conflict {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

pub async fn form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let pl = match load(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    form_page(
        &state,
        &ctx,
        &pl,
        &to_form(&pl),
        &FieldErrors::default(),
        false,
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pl = match load(&state, &ctx, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let v = viewer(&ctx);
    let result = match from_form(&pl.draft, &values, v == Viewer::Office) {
        Ok(d) => {
            state
                .db
                .update_placement(&actor(&ctx), pl.id, version, &d, v.mover())
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/placements?position_id={}", pl.draft.position_id),
            "flash-saved",
        ),
        Err(StoreError::Conflict { .. }) => {
            form_page(&state, &ctx, &pl, &values, &FieldErrors::default(), true).await
        }
        Err(StoreError::Invalid(errors)) => {
            form_page(&state, &ctx, &pl, &values, &errors, false).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

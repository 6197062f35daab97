//! Cooperation programme lines: the section on a university–enterprise agreement's page (lines
//! per year, add / edit / delete with confirmation), the roll-up table on the partner's page, and
//! the overview `/programme-lines` (roll-up per year and kind, then every line, with filters).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{confirm_delete_page, csrf_input, pager, redirect_with_flash, Form, FormData};
use crate::api::institutions::actor;
use crate::api::programme::{empty_draft, filter_from, FILTERS};
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::programme::{carries_lines, ProgrammeRollup};
use liaison_domain::{
    access, Action, Agreement, FieldErrors, Id, ProgrammeLine, ProgrammeLineDraft,
    ProgrammeLineKind, ProgrammeLineStatus,
};
use liaison_storage::{agreement_visible, ProgrammeLineFilter, StoreError, PROGRAMME_LINE_SORTS};

fn may_edit(ctx: &Ctx) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|u| access::allows(u.role, Action::EditAgreements))
}

fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    ProgrammeLineKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect()
}

fn status_options(ctx: &Ctx) -> Vec<(String, String)> {
    ProgrammeLineStatus::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect()
}

fn status_badge(ctx: &Ctx, s: ProgrammeLineStatus) -> Markup {
    html! { span class=(format!("badge status-{}", s.as_str())) { (ctx.t(&s.message_key())) } }
}

fn percent(ctx: &Ctx, target: i64, actual: i64) -> Markup {
    html! { @if target > 0 { (ctx.t_args("programme-percent", &[("percent", FluentValue::from(actual * 100 / target))])) } }
}

/// The office accounts that may own a line (and the current owner, even if no longer one).
async fn owner_options(
    state: &AppState,
    current: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(state
        .db
        .users()
        .await?
        .iter()
        .filter(|u| {
            (!u.disabled && access::allows(u.role, Action::EditAgreements))
                || current == u.id.to_string()
        })
        .map(|u| {
            (
                u.id.to_string(),
                u.display_name.clone().unwrap_or_else(|| u.email.clone()),
            )
        })
        .collect())
}

async fn owner_names(state: &AppState) -> std::collections::HashMap<Id, String> {
    match state.db.users().await {
        Ok(users) => users
            .into_iter()
            .map(|u| (u.id, u.display_name.unwrap_or(u.email)))
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "users for programme lines failed");
            Default::default()
        }
    }
}

fn to_form(d: &ProgrammeLineDraft) -> FormData {
    let mut f = FormData::default();
    f.set("year", d.year.to_string());
    f.set("kind", d.kind.as_str());
    f.set_localized("description", &d.description);
    f.set_opt(
        "owner_user_id",
        d.owner_user_id.map(|i| i.to_string()).as_deref(),
    );
    f.set("target", d.target.to_string());
    f.set("actual", d.actual.to_string());
    f.set("status", d.status.as_str());
    f
}

fn from_form(agreement_id: Id, f: &FormData) -> Result<ProgrammeLineDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut d = empty_draft();
    d.agreement_id = agreement_id;
    match f.opt("year").map(|v| v.parse::<i64>()) {
        Some(Ok(y)) => d.year = y,
        Some(Err(_)) => errors.push("year", "invalid-year"),
        None => errors.push("year", "required"),
    }
    match ProgrammeLineKind::parse(f.get("kind")) {
        Some(k) => d.kind = k,
        None => errors.push("kind", "invalid-choice"),
    }
    d.description = f.localized("description");
    d.owner_user_id = f.id("owner_user_id", "owner_user_id", &mut errors);
    for (field, slot, required) in [
        ("target", &mut d.target, true),
        ("actual", &mut d.actual, false),
    ] {
        match f.opt(field).map(|v| v.parse::<i64>()) {
            Some(Ok(n)) => *slot = n,
            Some(Err(_)) => errors.push(field, "invalid-number"),
            None if required => errors.push(field, "required"),
            None => {}
        }
    }
    match ProgrammeLineStatus::parse(f.get("status")) {
        Some(s) => d.status = s,
        None => errors.push("status", "invalid-choice"),
    }
    merge(errors, d.validate())
}

/// The section on an agreement's page: its lines by year, and a link to add one.
pub async fn agreement_section(state: &AppState, ctx: &Ctx, a: &Agreement) -> Markup {
    if !carries_lines(a.draft.kind) {
        return html! {};
    }
    let lines = match state.db.agreement_programme_lines(a.id).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "programme lines failed");
            Vec::new()
        }
    };
    let owners = owner_names(state).await;
    let edit = may_edit(ctx);
    html! {
        section #programme-lines {
            div.title-row {
                h2 { (ctx.t("programme-lines-title")) }
                @if edit { a.button.secondary href=(format!("/agreements/{}/programme-lines/new", a.id)) { (ctx.t("programme-line-new")) } }
            }
            @if lines.is_empty() { p.empty { (ctx.t("programme-lines-empty")) } }
            @else { (lines_table(ctx, &lines, &owners, None, edit)) }
            p { a href=(format!("/programme-lines?agreement_id={}", a.id)) { (ctx.t("programme-overview-link")) } }
        }
    }
}

fn lines_table(
    ctx: &Ctx,
    lines: &[ProgrammeLine],
    owners: &std::collections::HashMap<Id, String>,
    agreements: Option<&std::collections::HashMap<Id, String>>,
    edit: bool,
) -> Markup {
    let zh = ctx.lang.is_chinese();
    html! {
        div.table-wrap { table.programme-lines {
            thead { tr {
                th scope="col" { (ctx.t("field-year")) }
                @if agreements.is_some() { th scope="col" { (ctx.t("field-agreement")) } }
                th scope="col" { (ctx.t("field-programme-line-kind")) }
                th scope="col" { (ctx.t("field-description")) }
                th scope="col" { (ctx.t("field-owner")) }
                th scope="col" { (ctx.t("field-target")) }
                th scope="col" { (ctx.t("field-actual")) }
                th scope="col" { (ctx.t("field-programme-line-status")) }
                @if edit { th scope="col" { span.visually-hidden { (ctx.t("edit")) } } }
            } }
            tbody { @for l in lines {
                @let d = &l.draft;
                tr {
                    td.num { (d.year) }
                    @if let Some(names) = agreements { td { a href=(format!("/agreements/{}#programme-lines", d.agreement_id)) { (names.get(&d.agreement_id).cloned().unwrap_or_else(|| format!("#{}", d.agreement_id))) } } }
                    td { (ctx.t(&d.kind.message_key())) }
                    td { (d.description.display(zh)) }
                    td { @if let Some(o) = d.owner_user_id { (owners.get(&o).cloned().unwrap_or_else(|| format!("#{o}"))) } }
                    td.num { (d.target) }
                    td.num { (d.actual) " " small { (percent(ctx, d.target, d.actual)) } }
                    td { (status_badge(ctx, d.status)) }
                    @if edit { td {
                        a href=(format!("/programme-lines/{}/edit", l.id)) { (ctx.t("edit")) } " "
                        a href=(format!("/programme-lines/{}/delete", l.id)) { (ctx.t("delete")) }
                    } }
                }
            } }
        } }
    }
}

fn rollup_table(ctx: &Ctx, rows: &[ProgrammeRollup]) -> Markup {
    let mut years: Vec<i64> = rows.iter().map(|r| r.year).collect();
    years.dedup();
    html! {
        div.table-wrap { table.programme-rollup {
            caption { (ctx.t("programme-rollup-caption")) }
            thead { tr {
                th scope="col" { (ctx.t("field-year")) }
                th scope="col" { (ctx.t("field-programme-line-kind")) }
                th scope="col" { (ctx.t("programme-rollup-lines")) }
                th scope="col" { (ctx.t("field-target")) }
                th scope="col" { (ctx.t("field-actual")) }
                th scope="col" { (ctx.t("programme-rollup-achieved")) }
            } }
            tbody { @for y in &years {
                @let of_year: Vec<&ProgrammeRollup> = rows.iter().filter(|r| r.year == *y).collect();
                @for (i, r) in of_year.iter().enumerate() {
                    tr {
                        @if i == 0 { th scope="rowgroup" rowspan=(of_year.len()) { (y) } }
                        td { (ctx.t(&r.kind.message_key())) }
                        td.num { (r.lines) }
                        td.num { (r.target) }
                        td.num { (r.actual) " " small { (percent(ctx, r.target, r.actual)) } }
                        td.num { (r.achieved) }
                    }
                }
            } }
        } }
    }
}

/// The partner page's section: the roll-up over the agreements this institution is party to.
pub async fn institution_section(state: &AppState, ctx: &Ctx, institution_id: Id) -> Markup {
    let filter = ProgrammeLineFilter {
        institution_id: Some(institution_id),
        ..Default::default()
    };
    let rows = match state.db.programme_rollup(&ctx.user().scope, &filter).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "programme roll-up failed");
            Vec::new()
        }
    };
    if rows.is_empty() {
        return html! {};
    }
    html! {
        section.programme {
            h2 { (ctx.t("programme-lines-title")) }
            (rollup_table(ctx, &rows))
            p { a href=(format!("/programme-lines?institution_id={institution_id}")) { (ctx.t("programme-overview-link")) } }
        }
    }
}

/// `/programme-lines`: the roll-up per year and kind, then every line (filters as the API's).
pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let parsed = ListQuery::parse(raw.as_deref(), PROGRAMME_LINE_SORTS, FILTERS)
        .ok()
        .and_then(|q| filter_from(&q).ok().map(|f| (q, f)));
    let ignored = parsed.is_none();
    let (query, filter) = parsed.unwrap_or_else(|| {
        (
            ListQuery::parse(None, PROGRAMME_LINE_SORTS, FILTERS).expect("defaults parse"),
            ProgrammeLineFilter::default(),
        )
    });
    let scope = &ctx.user().scope;
    let sort = if query.sort.field != PROGRAMME_LINE_SORTS[0] || query.sort.descending {
        query.sort
    } else {
        liaison_domain::Sort {
            field: "year",
            descending: true,
        }
    };
    let (rows, page) = match (
        state.db.programme_rollup(scope, &filter).await,
        state
            .db
            .programme_lines(scope, &filter, &sort, &query.page)
            .await,
    ) {
        (Ok(r), Ok(p)) => (r, p),
        (Err(e), _) | (_, Err(e)) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let mut agreements = std::collections::HashMap::new();
    for l in &page.items {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            agreements.entry(l.draft.agreement_id)
        {
            if let Ok(a) = state.db.agreement(l.draft.agreement_id).await {
                slot.insert(a.draft.title.display(zh).to_string());
            }
        }
    }
    let owners = owner_names(&state).await;
    let values = {
        let mut f = FormData::default();
        for name in FILTERS {
            if let Some(v) = query.filters.get(*name) {
                f.set(name, v.clone());
            }
        }
        f
    };
    let no_errors = FieldErrors::default();
    let form = Form {
        ctx: &ctx,
        values: &values,
        errors: &no_errors,
    };
    let title = ctx.t("programme-overview-title");
    let body = html! {
        h1 { (title) }
        p { (ctx.t("programme-overview-intro")) }
        @if ignored { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        form.filters method="get" action="/programme-lines" {
            @if let Some(a) = filter.agreement_id { input type="hidden" name="agreement_id" value=(a); }
            @if let Some(i) = filter.institution_id { input type="hidden" name="institution_id" value=(i); }
            (form.input("year", "field-year", "number", false))
            (form.select("kind", "field-programme-line-kind", &kind_options(&ctx), Some("filter-any")))
            (form.select("status", "field-programme-line-status", &status_options(&ctx), Some("filter-any")))
            div.actions { button type="submit" { (ctx.t("filter-apply")) } " " a href="/programme-lines" { (ctx.t("filter-clear")) } }
        }
        @if rows.is_empty() { div.empty { p { (ctx.t("programme-lines-empty")) } } }
        @else {
            section { h2 { (ctx.t("programme-rollup-title")) } (rollup_table(&ctx, &rows)) }
            section {
                h2 { (ctx.t("programme-lines-title")) }
                (lines_table(&ctx, &page.items, &owners, Some(&agreements), may_edit(&ctx)))
                (pager(&ctx, &query.page, page.total))
            }
        }
    };
    super::page(&ctx, &title, body)
}

async fn load_agreement(state: &AppState, ctx: &Ctx, raw: &str) -> Result<Agreement, Response> {
    let Some(id) = super::parse_path_id(raw) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let a = state
        .db
        .agreement(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, agreement_visible(&ctx.user().scope, &a), true)?;
    if !carries_lines(a.draft.kind) {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    }
    Ok(a)
}

async fn load_line(
    state: &AppState,
    ctx: &Ctx,
    raw: &str,
) -> Result<(ProgrammeLine, Agreement), Response> {
    let Some(id) = super::parse_path_id(raw) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let line = state
        .db
        .programme_line(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    let a = state
        .db
        .agreement(line.draft.agreement_id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, agreement_visible(&ctx.user().scope, &a), true)?;
    Ok((line, a))
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Agreement,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let owners = match owner_options(state, values.get("owner_user_id")).await {
        Ok(o) => o,
        Err(e) => return store_error_page(ctx, e),
    };
    let f = Form {
        ctx,
        values,
        errors,
    };
    let zh = ctx.lang.is_chinese();
    let body = html! {
        p.breadcrumb { a href=(format!("/agreements/{}#programme-lines", a.id)) { (a.draft.title.display(zh)) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if values.opt("version").is_some() { input type="hidden" name="version" value=(values.get("version")); }
            (f.input("year", "field-year", "number", true))
            (f.select("kind", "field-programme-line-kind", &kind_options(ctx), None))
            (f.localized("description", "field-description", false, false))
            (f.select("owner_user_id", "field-owner", &owners, Some("owner-none")))
            (f.input("target", "field-target", "number", true))
            (f.input("actual", "field-actual", "number", false))
            (f.select("status", "field-programme-line-status", &status_options(ctx), None))
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
    super::html_response(status, super::layout(ctx, title, body))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let a = match load_agreement(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut draft = empty_draft();
    draft.agreement_id = a.id;
    draft.year = liaison_storage::today().year() as i64;
    draft.owner_user_id = Some(ctx.user().id);
    let values = to_form(&draft);
    let mut values = values;
    values.set("target", "");
    let action = format!("/agreements/{}/programme-lines", a.id);
    form_page(
        &state,
        &ctx,
        &a,
        &ctx.t("programme-line-new"),
        &action,
        &values,
        &FieldErrors::default(),
        false,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load_agreement(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let result = match from_form(a.id, &values) {
        Ok(d) => state.db.create_programme_line(&actor(&ctx), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/agreements/{}#programme-lines", a.id),
            "flash-saved",
        ),
        Err(StoreError::Invalid(errors)) => {
            let action = format!("/agreements/{}/programme-lines", a.id);
            form_page(
                &state,
                &ctx,
                &a,
                &ctx.t("programme-line-new"),
                &action,
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
    let (line, a) = match load_line(&state, &ctx, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut values = to_form(&line.draft);
    values.set("version", line.version.to_string());
    let action = format!("/programme-lines/{}/edit", line.id);
    form_page(
        &state,
        &ctx,
        &a,
        &ctx.t("programme-line-edit"),
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
    let (line, a) = match load_line(&state, &ctx, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/programme-lines/{}/edit", line.id);
    let title = ctx.t("programme-line-edit");
    let result = match from_form(a.id, &values) {
        Ok(d) => {
            state
                .db
                .update_programme_line(&actor(&ctx), line.id, version, &d)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/agreements/{}#programme-lines", a.id),
            "flash-saved",
        ),
        Err(StoreError::Conflict { .. }) => {
            form_page(
                &state,
                &ctx,
                &a,
                &title,
                &action,
                &values,
                &FieldErrors::default(),
                true,
            )
            .await
        }
        Err(StoreError::Invalid(errors)) => {
            form_page(&state, &ctx, &a, &title, &action, &values, &errors, false).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let (line, a) = match load_line(&state, &ctx, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let title = ctx.t_args(
        "programme-line-delete-title",
        &[
            (
                "kind",
                FluentValue::from(ctx.t(&line.draft.kind.message_key())),
            ),
            ("year", FluentValue::from(line.draft.year)),
        ],
    );
    let warning = html! { p { (ctx.t("programme-line-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/programme-lines/{}/delete", line.id),
        line.version,
        &format!("/agreements/{}#programme-lines", a.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (line, a) = match load_line(&state, &ctx, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state
        .db
        .delete_programme_line(&actor(&ctx), line.id, version)
        .await
    {
        Ok(()) => redirect_with_flash(
            &ctx,
            &format!("/agreements/{}#programme-lines", a.id),
            "flash-saved",
        ),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

//! Agreement pages: list with filters (incl. expiring soon), detail with status buttons,
//! conditions and the renewal chain, create, edit, delete; the institution page's agreement list.

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
use crate::api::agreements::{empty_condition, empty_draft, renewal_draft};
use crate::api::institutions::actor;
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::agreement::{
    format_date, parse_date, CefrLevel, Direction, MobilityType, Party, StudyLevel,
};
use liaison_domain::{
    access, Action, Agreement, AgreementDraft, AgreementKind, AgreementStatus, ConditionDraft,
    CooperationCondition, FieldErrors, Id, Institution, IscedCode, PageRequest, Sort,
};
use liaison_storage::{agreement_visible, AgreementFilter, OwnerKind, StoreError, AGREEMENT_SORTS};

/// Party rows offered by the form (more parties: through the API).
const PARTY_ROWS: usize = 4;
/// The dashboard's default "expiring soon" window.
pub const DEFAULT_REMINDER_DAYS: i64 = 180;

fn may_edit(ctx: &Ctx) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|u| access::allows(u.role, Action::EditAgreements))
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// `subject_areas.1` is shown on the one `subject_areas` box, `signatories.0` on `signatories`.
fn fold_list_errors(mut e: FieldErrors) -> FieldErrors {
    for err in &mut e.0 {
        if let Some((head, _)) = err
            .field
            .split_once('.')
            .filter(|(h, _)| ["subject_areas", "signatories"].contains(h))
        {
            err.field = head.to_string();
        }
    }
    e
}

fn date_field(f: &FormData, name: &str, errors: &mut FieldErrors) -> Option<time::Date> {
    let raw = f.opt(name)?;
    let d = parse_date(&raw);
    if d.is_none() {
        errors.push(name, "invalid-date");
    }
    d
}

fn from_form(f: &FormData) -> Result<AgreementDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = AgreementKind::parse(f.get("kind"));
    if kind.is_none() {
        errors.push("kind", "invalid-choice");
    }
    let mut parties = Vec::new();
    for i in 0..PARTY_ROWS {
        let inst_field = format!("parties.{i}.institution_id");
        let unit_field = format!("parties.{i}.org_unit_id");
        let Some(institution_id) = f.id(&inst_field, &inst_field, &mut errors) else {
            continue;
        };
        let org_unit_id = f.id(&unit_field, &unit_field, &mut errors);
        parties.push(Party {
            institution_id,
            org_unit_id,
        });
    }
    let mut signatories = Vec::new();
    for (i, raw) in split_list(f.get("signatories")).iter().enumerate() {
        match raw.parse() {
            Ok(id) => signatories.push(id),
            Err(_) => errors.push(format!("signatories.{i}"), "invalid-type"),
        }
    }
    let draft = AgreementDraft {
        kind: kind.unwrap_or(AgreementKind::Mou),
        title: f.localized("title"),
        summary: f.localized("summary"),
        parties,
        signatories,
        subject_areas: split_list(f.get("subject_areas")),
        signed_on: date_field(f, "signed_on", &mut errors),
        start_on: date_field(f, "start_on", &mut errors),
        end_on: date_field(f, "end_on", &mut errors),
        auto_renew: f.get("auto_renew") == "on" || f.get("auto_renew") == "true",
        iia_id: f.opt("iia_id"),
        owner_user_id: f.id("owner_user_id", "owner_user_id", &mut errors),
    };
    merge(errors, draft.validate()).map_err(fold_list_errors)
}

fn to_form(d: &AgreementDraft) -> FormData {
    let mut f = FormData::default();
    f.set("kind", d.kind.as_str());
    f.set_localized("title", &d.title);
    f.set_localized("summary", &d.summary);
    for (i, p) in d.parties.iter().enumerate() {
        f.set(
            &format!("parties.{i}.institution_id"),
            p.institution_id.to_string(),
        );
        if let Some(u) = p.org_unit_id {
            f.set(&format!("parties.{i}.org_unit_id"), u.to_string());
        }
    }
    let ids: Vec<String> = d.signatories.iter().map(|i| i.to_string()).collect();
    f.set("signatories", ids.join(", "));
    f.set("subject_areas", d.subject_areas.join(", "));
    for (name, v) in [
        ("signed_on", d.signed_on),
        ("start_on", d.start_on),
        ("end_on", d.end_on),
    ] {
        f.set_opt(name, v.map(format_date).as_deref());
    }
    if d.auto_renew {
        f.set("auto_renew", "on");
    }
    f.set_opt("iia_id", d.iia_id.as_deref());
    f.set_opt(
        "owner_user_id",
        d.owner_user_id.map(|i| i.to_string()).as_deref(),
    );
    f
}

/// Every institution the caller may pick as a party, by name.
async fn institution_options(state: &AppState, ctx: &Ctx) -> Result<Vec<Institution>, StoreError> {
    let page = state
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
        .await?;
    Ok(page.items)
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
    with_status: bool,
) -> Response {
    let institutions = match institution_options(state, ctx).await {
        Ok(i) => i,
        Err(e) => return store_error_page(ctx, e),
    };
    let users = match state.db.users().await {
        Ok(u) => u,
        Err(e) => return store_error_page(ctx, e),
    };
    // The office staff who may be responsible for an agreement (and are reminded of its end).
    let owners: Vec<(String, String)> = users
        .iter()
        .filter(|u| {
            (!u.disabled && access::allows(u.role, Action::EditAgreements))
                || values.get("owner_user_id") == u.id.to_string()
        })
        .map(|u| {
            (
                u.id.to_string(),
                u.display_name.clone().unwrap_or_else(|| u.email.clone()),
            )
        })
        .collect();
    let zh = ctx.lang.is_chinese();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let kinds: Vec<(String, String)> = AgreementKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect();
    let statuses: Vec<(String, String)> = AgreementStatus::ALL
        .iter()
        .filter(|s| **s != AgreementStatus::Renewed)
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect();
    let inst_options: Vec<(String, String)> = institutions
        .iter()
        .map(|i| (i.id.to_string(), i.draft.name.display(zh).to_string()))
        .collect();
    let cancel = action.trim_end_matches("/edit").to_string();
    let cancel = if cancel == "/agreements" {
        cancel
    } else {
        cancel.clone()
    };
    let body = html! {
        p.breadcrumb { a href="/agreements" { (ctx.t("agreements-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.select("kind", "field-agreement-kind", &kinds, None))
            @if with_status { (f.select("status", "field-agreement-status", &statuses, None)) }
            (f.localized("title", "field-agreement-title", true, false))
            fieldset.parties {
                legend { (ctx.t("field-parties")) " " abbr title=(ctx.t("required")) { "*" } }
                p.hint { (ctx.t("agreement-parties-hint")) }
                @for i in 0..PARTY_ROWS {
                    div.party-row {
                        (f.select(&format!("parties.{i}.institution_id"), "field-party-institution", &inst_options, Some("party-none")))
                        (f.input(&format!("parties.{i}.org_unit_id"), "field-party-unit", "text", false))
                    }
                }
            }
            (f.input("signatories", "field-signatories", "text", false))
            p.hint { (ctx.t("agreement-signatories-hint")) }
            (f.input("subject_areas", "field-subject-areas", "text", false))
            p.hint { (ctx.t("agreement-subjects-hint")) }
            (f.input("signed_on", "field-signed-on", "date", false))
            (f.input("start_on", "field-start-on", "date", false))
            (f.input("end_on", "field-end-on", "date", false))
            div.field {
                label.check { input type="checkbox" name="auto_renew" value="on" checked[values.get("auto_renew") == "on"]; " " (ctx.t("field-auto-renew")) }
            }
            (f.input("iia_id", "field-iia-id", "text", false))
            (f.select("owner_user_id", "field-owner", &owners, Some("owner-none")))
            p.hint { (ctx.t("agreement-owner-hint")) }
            (f.localized("summary", "field-summary", false, true))
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

fn status_badge(ctx: &Ctx, s: AgreementStatus) -> Markup {
    html! { span class=(format!("badge agreement-status-{}", s.as_str())) { (ctx.t(&s.message_key())) } }
}

fn date_text(d: Option<time::Date>) -> String {
    d.map(format_date).unwrap_or_default()
}

fn party_names(ctx: &Ctx, a: &Agreement, institutions: &[Institution], link: bool) -> Markup {
    let zh = ctx.lang.is_chinese();
    html! {
        @for (i, p) in a.draft.parties.iter().enumerate() {
            @if i > 0 { " · " }
            @match institutions.iter().find(|x| x.id == p.institution_id) {
                Some(inst) if link => a href=(format!("/institutions/{}", inst.id)) { (inst.draft.name.display(zh)) },
                Some(inst) => (inst.draft.name.display(zh)),
                None => (format!("#{}", p.institution_id)),
            }
        }
    }
}

async fn institutions_of(
    state: &AppState,
    items: &[Agreement],
) -> Result<Vec<Institution>, StoreError> {
    let mut ids: Vec<Id> = items
        .iter()
        .flat_map(|a| a.draft.institution_ids())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    state.db.institutions_by_ids(&ids).await
}

/// The agreements table shared by the list, the dashboard and the institution page.
fn table(
    ctx: &Ctx,
    items: &[Agreement],
    institutions: &[Institution],
    sort: Option<&Sort>,
) -> Markup {
    let zh = ctx.lang.is_chinese();
    let head = |field: &str, key: &str| match sort {
        Some(s) => sort_header(ctx, field, key, s),
        None => html! { th scope="col" { (ctx.t(key)) } },
    };
    html! {
        div.table-wrap { table {
            thead { tr {
                (head("title", "field-agreement-title"))
                (head("kind", "field-agreement-kind"))
                (head("status", "field-agreement-status"))
                th scope="col" { (ctx.t("field-parties")) }
                (head("start_on", "field-start-on"))
                (head("end_on", "field-end-on"))
            } }
            tbody { @for a in items { tr {
                td { a href=(format!("/agreements/{}", a.id)) { (a.draft.title.display(zh)) } }
                td { (ctx.t(&a.draft.kind.message_key())) }
                td { (status_badge(ctx, a.status)) }
                td { (party_names(ctx, a, institutions, false)) }
                td { (date_text(a.draft.start_on)) }
                td { (date_text(a.draft.end_on)) }
            } } }
        } }
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let filters = crate::api::agreements::FILTERS;
    let parsed = ListQuery::parse(raw.as_deref(), AGREEMENT_SORTS, filters)
        .and_then(|q| crate::api::agreements::filter_from(&q).map(|f| (q, f)));
    let (query, filter, query_error) = match parsed {
        Ok((q, f)) => (q, f, false),
        Err(_) => (
            ListQuery::parse(None, AGREEMENT_SORTS, filters).expect("defaults parse"),
            AgreementFilter::default(),
            true,
        ),
    };
    let page = match state
        .db
        .agreements(&ctx.user().scope, &filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let institutions = match institutions_of(&state, &page.items).await {
        Ok(i) => i,
        Err(e) => return store_error_page(&ctx, e),
    };
    let title = ctx.t("agreements-title");
    let current = |name: &str| query.filters.get(name).cloned().unwrap_or_default();
    let windows = ["30", "90", "180", "365"];
    let body = html! {
        div.title-row {
            h1 { (title) }
            @if may_edit(&ctx) { a.button href="/agreements/new" { (ctx.t("agreement-new")) } }
        }
        form.filters method="get" action="/agreements" role="search" {
            div.field.grow {
                label for="q" { (ctx.t("search")) }
                input #q type="search" name="q" value=(query.q.as_deref().unwrap_or("")) placeholder=(ctx.t("agreements-search-hint"));
            }
            div.field {
                label for="status" { (ctx.t("field-agreement-status")) }
                select #status name="status" {
                    option value="" { (ctx.t("filter-any")) }
                    @for s in AgreementStatus::ALL { option value=(s.as_str()) selected[current("status") == s.as_str()] { (ctx.t(&s.message_key())) } }
                }
            }
            div.field {
                label for="kind" { (ctx.t("field-agreement-kind")) }
                select #kind name="kind" {
                    option value="" { (ctx.t("filter-any")) }
                    @for k in AgreementKind::ALL { option value=(k.as_str()) selected[current("kind") == k.as_str()] { (ctx.t(&k.message_key())) } }
                }
            }
            div.field {
                label for="expiring_within_days" { (ctx.t("agreements-expiring-filter")) }
                select #expiring_within_days name="expiring_within_days" {
                    option value="" { (ctx.t("filter-any")) }
                    @for w in windows { option value=(w) selected[current("expiring_within_days") == w] { (ctx.t_args("agreements-within-days", &[("days", FluentValue::from(w))])) } }
                }
            }
            @if let Some(i) = query.filters.get("institution_id") { input type="hidden" name="institution_id" value=(i); }
            div.actions { button type="submit" { (ctx.t("search")) } " " a href="/agreements" { (ctx.t("filter-clear")) } }
        }
        p { a href=(format!("/agreements?expiring_within_days={DEFAULT_REMINDER_DAYS}&sort=end_on")) { (ctx.t("agreements-expiring-soon")) } }
        @if query_error { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("agreements-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            (table(&ctx, &page.items, &institutions, Some(&query.sort)))
            (pager(&ctx, &query.page, page.total))
        }
        (super::transfer::list_tools(&ctx, &[
            (liaison_transfer::Entity::Agreements, "export-list"),
            (liaison_transfer::Entity::AgreementConditions, "export-conditions"),
        ], raw.as_deref()))
    };
    super::page(&ctx, &title, body)
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut values = to_form(&empty_draft());
    values.set("status", "draft");
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k == "institution_id" {
            values.set("parties.1.institution_id", v.into_owned());
        }
    }
    form_page(
        &state,
        &ctx,
        &ctx.t("agreement-new"),
        "/agreements",
        &values,
        &FieldErrors::default(),
        false,
        true,
    )
    .await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let title = ctx.t("agreement-new");
    let status =
        AgreementStatus::parse(values.get("status")).filter(|s| *s != AgreementStatus::Renewed);
    let result = match (from_form(&values), status) {
        (Ok(mut draft), Some(status)) => {
            if draft.owner_user_id.is_none() {
                draft.owner_user_id = Some(ctx.user().id);
            }
            state
                .db
                .create_agreement(&actor(&ctx), &draft, status)
                .await
        }
        (Ok(_), None) => Err(StoreError::Invalid(FieldErrors::from(
            liaison_domain::FieldError::new("status", "invalid-choice"),
        ))),
        (Err(mut errors), s) => {
            if s.is_none() {
                errors.push("status", "invalid-choice");
            }
            Err(StoreError::Invalid(errors))
        }
    };
    match result {
        Ok(a) => redirect_with_flash(
            &ctx,
            &format!("/agreements/{}", a.id),
            "flash-agreement-created",
        ),
        Err(StoreError::Invalid(errors)) => {
            form_page(
                &state,
                &ctx,
                &title,
                "/agreements",
                &values,
                &fold_list_errors(errors),
                false,
                true,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<Agreement, Response> {
    let Some(id) = parse_path_id(id) else {
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
    Ok(a)
}

/// What the detail page shows besides the record: an alert (illegal status change) and the
/// condition form's state.
#[derive(Default)]
struct Extras {
    alert: Option<String>,
    condition_values: FormData,
    condition_errors: FieldErrors,
    /// The message key of a refused upload.
    upload_error: Option<&'static str>,
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Agreement,
    extras: Extras,
    status: StatusCode,
) -> Response {
    let conditions = state.db.agreement_conditions(a.id).await;
    let history = state.db.agreement_history(a.id).await;
    let documents = state.db.documents_of(OwnerKind::Agreement, a.id).await;
    let (conditions, history, documents) = match (conditions, history, documents) {
        (Ok(c), Ok(h), Ok(d)) => (c, h, d),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return store_error_page(ctx, e),
    };
    let scope = &ctx.user().scope;
    let history: Vec<Agreement> = history
        .into_iter()
        .filter(|h| agreement_visible(scope, h))
        .collect();
    let institutions = match institutions_of(state, std::slice::from_ref(a)).await {
        Ok(i) => i,
        Err(e) => return store_error_page(ctx, e),
    };
    let programme_section = super::programme::agreement_section(state, ctx, a).await;
    let mut signatories = Vec::new();
    for id in &a.draft.signatories {
        match state.db.person(*id).await {
            Ok(p) => signatories.push((p.id, Some(p))),
            Err(StoreError::NotFound) => signatories.push((*id, None)),
            Err(e) => return store_error_page(ctx, e),
        }
    }
    let zh = ctx.lang.is_chinese();
    let d = &a.draft;
    let title = d.title.display(zh).to_string();
    let edit = may_edit(ctx);
    let inst_name = |id: Option<Id>| -> String {
        id.and_then(|id| institutions.iter().find(|i| i.id == id))
            .map(|i| i.draft.name.display(zh).to_string())
            .unwrap_or_default()
    };
    let yes_no = |b: bool| {
        ctx.t(if b {
            "audit-value-yes"
        } else {
            "audit-value-no"
        })
    };
    let cf = Form {
        ctx,
        values: &extras.condition_values,
        errors: &extras.condition_errors,
    };
    let party_options: Vec<(String, String)> = d
        .parties
        .iter()
        .map(|p| {
            (
                p.institution_id.to_string(),
                inst_name(Some(p.institution_id)),
            )
        })
        .collect();
    let subjects = |codes: &[String]| -> Markup {
        html! { @for c in codes { @if let Some(code) = IscedCode::parse(c) { span.badge title=(code.name(!zh)) { (code.as_str()) " " (code.name(zh)) } " " } } }
    };
    let body = html! {
        p.breadcrumb { a href="/agreements" { (ctx.t("agreements-title")) } }
        div.title-row {
            h1 { (bilingual(ctx, &d.title)) }
            @if edit { div.actions {
                a.button href=(format!("/agreements/{}/edit", a.id)) { (ctx.t("edit")) }
                " " a.button.danger href=(format!("/agreements/{}/delete", a.id)) { (ctx.t("delete")) }
            } }
        }
        @if let Some(alert) = &extras.alert { div.error-summary role="alert" { p { (alert) } } }
        dl.details {
            div { dt { (ctx.t("field-agreement-kind")) } dd { (ctx.t(&d.kind.message_key())) } }
            div { dt { (ctx.t("field-agreement-status")) } dd { (status_badge(ctx, a.status)) } }
            div { dt { (ctx.t("field-parties")) } dd { ul { @for p in &d.parties { li {
                a href=(format!("/institutions/{}", p.institution_id)) { (inst_name(Some(p.institution_id))) }
                @if let Some(u) = p.org_unit_id { " · " a href=(format!("/org-units/{u}")) { (ctx.t("field-party-unit")) " #" (u) } }
            } } } } }
            @if !signatories.is_empty() {
                div { dt { (ctx.t("field-signatories")) } dd { ul { @for (id, p) in &signatories { li {
                    @match p { Some(p) => a href=(format!("/people/{id}")) { (p.draft.name.display(zh)) @if !p.draft.title.is_empty() { ", " (p.draft.title.display(zh)) } }, None => (format!("#{id}")) }
                } } } } }
            }
            @if !d.subject_areas.is_empty() { div { dt { (ctx.t("field-subject-areas")) } dd { (subjects(&d.subject_areas)) } } }
            @if let Some(v) = d.signed_on { div { dt { (ctx.t("field-signed-on")) } dd { (format_date(v)) } } }
            @if let Some(v) = d.start_on { div { dt { (ctx.t("field-start-on")) } dd { (format_date(v)) } } }
            @if let Some(v) = d.end_on { div { dt { (ctx.t("field-end-on")) } dd { (format_date(v)) } } }
            div { dt { (ctx.t("field-auto-renew")) } dd { (yes_no(d.auto_renew)) } }
            @if let Some(v) = &d.iia_id { div { dt { (ctx.t("field-iia-id")) } dd { code { (v) } } } }
        }
        @if !d.summary.is_empty() { section { h2 { (ctx.t("field-summary")) } p.profile { (d.summary.display(zh)) } } }
        @if edit && (!a.status.next().is_empty()) {
            section.status-actions {
                h2 { (ctx.t("agreement-change-status")) }
                div.actions {
                    @for next in a.status.next() {
                        @if *next == AgreementStatus::Renewed {
                            form.inline method="post" action=(format!("/agreements/{}/renew", a.id)) {
                                (csrf_input(ctx))
                                input type="hidden" name="version" value=(a.version);
                                button type="submit" { (ctx.t("agreement-renew")) }
                            }
                        } @else {
                            form.inline method="post" action=(format!("/agreements/{}/status", a.id)) {
                                (csrf_input(ctx))
                                input type="hidden" name="version" value=(a.version);
                                input type="hidden" name="status" value=(next.as_str());
                                button.secondary type="submit" { (ctx.t_args("agreement-move-to", &[("status", FluentValue::from(ctx.t(&next.message_key())))])) }
                            }
                        }
                        " "
                    }
                }
            }
        }
        section {
            h2 { (ctx.t("conditions-title")) }
            @if conditions.is_empty() { p.empty { (ctx.t("conditions-empty")) } }
            @else {
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" { (ctx.t("field-mobility-type")) }
                        th scope="col" { (ctx.t("field-direction")) }
                        th scope="col" { (ctx.t("field-academic-years")) }
                        th scope="col" { (ctx.t("field-places-per-year")) }
                        th scope="col" { (ctx.t("field-duration")) }
                        th scope="col" { (ctx.t("field-study-level")) }
                        th scope="col" { (ctx.t("field-subject-areas")) }
                        th scope="col" { (ctx.t("field-language")) }
                        @if edit { th scope="col" { span.visually-hidden { (ctx.t("delete")) } } }
                    } }
                    tbody { @for c in &conditions { (condition_row(ctx, c, &inst_name, edit, &subjects)) } }
                } }
            }
            @if edit {
                details open[!extras.condition_errors.is_empty()] {
                    summary { (ctx.t("condition-new")) }
                    (cf.summary())
                    (condition_form(ctx, &party_options, &cf, &format!("/agreements/{}/conditions", a.id), None))
                }
            }
        }
        (programme_section)
        (super::documents::section(ctx, OwnerKind::Agreement, a.id, &documents, edit, extras.upload_error))
        @if history.len() > 1 {
            section {
                h2 { (ctx.t("agreement-history")) }
                ol.history { @for h in &history { li {
                    @if h.id == a.id { strong { (h.draft.title.display(zh)) } }
                    @else { a href=(format!("/agreements/{}", h.id)) { (h.draft.title.display(zh)) } }
                    " " (status_badge(ctx, h.status)) " " (date_text(h.draft.start_on)) " – " (date_text(h.draft.end_on))
                } } }
            }
        }
        p.meta { (ctx.t_args("record-meta", &[("version", FluentValue::from(a.version)), ("updated", FluentValue::from(a.updated_at.clone()))])) }
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

/// The form for one cooperation condition (new, or editing one with its version).
fn condition_form(
    ctx: &Ctx,
    party_options: &[(String, String)],
    cf: &Form,
    action: &str,
    version: Option<i64>,
) -> Markup {
    let types: Vec<(String, String)> = MobilityType::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect();
    let directions: Vec<(String, String)> = Direction::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), ctx.t(&k.message_key())))
        .collect();
    let levels: Vec<(String, String)> = StudyLevel::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                format!("{} (EQF {})", ctx.t(&k.message_key()), k.eqf()),
            )
        })
        .collect();
    let cefr: Vec<(String, String)> = CefrLevel::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), k.as_str().to_string()))
        .collect();
    html! {
    form.record method="post" action=(action) novalidate {
        (csrf_input(ctx))
        @if let Some(v) = version { input type="hidden" name="version" value=(v); }
        (cf.select("mobility_type", "field-mobility-type", &types, None))
        (cf.select("direction", "field-direction", &directions, Some("direction-by-party")))
        (cf.select("sending_institution_id", "field-sending", party_options, Some("party-none")))
        (cf.select("receiving_institution_id", "field-receiving", party_options, Some("party-none")))
        (cf.input("first_year", "field-first-year", "text", false))
        (cf.input("last_year", "field-last-year", "text", false))
        (cf.input("places_per_year", "field-places-per-year", "number", true))
        (cf.input("months_per_place", "field-months-per-place", "text", false))
        (cf.input("days_per_place", "field-days-per-place", "number", false))
        (cf.select("study_level", "field-study-level", &levels, Some("filter-any")))
        (cf.input("subject_areas", "field-subject-areas", "text", false))
        (cf.input("language", "field-language", "text", false))
        (cf.select("language_level", "field-language-level", &cefr, Some("filter-any")))
        div.actions { button type="submit" { (ctx.t("save")) } }
    }
    }
}

fn condition_row(
    ctx: &Ctx,
    c: &CooperationCondition,
    inst_name: &dyn Fn(Option<Id>) -> String,
    edit: bool,
    subjects: &dyn Fn(&[String]) -> Markup,
) -> Markup {
    let d = &c.draft;
    html! { tr {
        td { (ctx.t(&d.mobility_type.message_key())) }
        td {
            @if d.sending_institution_id.is_some() { (inst_name(d.sending_institution_id)) " → " (inst_name(d.receiving_institution_id)) }
            @else if let Some(dir) = d.direction { (ctx.t(&dir.message_key())) }
        }
        td { (d.first_year.as_deref().unwrap_or("")) @if d.last_year.is_some() { " – " (d.last_year.as_deref().unwrap_or("")) } }
        td.num { (d.places_per_year) }
        td {
            @if let Some(m) = d.months_per_place { (ctx.t_args("months-count", &[("count", FluentValue::from(m))])) }
            @if let Some(days) = d.days_per_place { (ctx.t_args("days-count", &[("count", FluentValue::from(days))])) }
        }
        td { @if let Some(l) = d.study_level { (ctx.t(&l.message_key())) } }
        td { (subjects(&d.subject_areas)) }
        td { (d.language.as_deref().unwrap_or("")) @if let Some(l) = d.language_level { " " (l.as_str()) } }
        @if edit { td {
            a href=(format!("/agreements/{}/conditions/{}/edit", c.agreement_id, c.id)) { (ctx.t("edit")) } " "
            form.inline method="post" action=(format!("/agreements/{}/conditions/{}/delete", c.agreement_id, c.id)) {
                (csrf_input(ctx))
                input type="hidden" name="version" value=(c.version);
                button.link type="submit" { (ctx.t("delete")) }
            }
        } }
    } }
}

/// `multipart/form-data` with one `file` field: a signed copy, scan or photo.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match super::documents::receive_multipart(&state, &ctx, OwnerKind::Agreement, a.id, req).await {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/agreements/{}#documents", a.id),
            "flash-uploaded",
        ),
        Err(e) => match super::documents::upload_failure_page(&ctx, e) {
            Ok((status, key)) => {
                let extras = Extras {
                    upload_error: Some(key),
                    ..Extras::default()
                };
                show_page(&state, &ctx, &a, extras, status).await
            }
            Err(page) => page,
        },
    }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    match load(&state, &ctx, &id).await {
        Ok(a) => show_page(&state, &ctx, &a, Extras::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut values = to_form(&a.draft);
    values.set("version", a.version.to_string());
    let action = format!("/agreements/{}/edit", a.id);
    form_page(
        &state,
        &ctx,
        &ctx.t("agreement-edit"),
        &action,
        &values,
        &FieldErrors::default(),
        false,
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
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/agreements/{}/edit", a.id);
    let title = ctx.t("agreement-edit");
    let result = match from_form(&values) {
        Ok(draft) => {
            state
                .db
                .update_agreement(&actor(&ctx), a.id, version, &draft)
                .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/agreements/{}", a.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            form_page(
                &state,
                &ctx,
                &title,
                &action,
                &values,
                &FieldErrors::default(),
                true,
                false,
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
                &fold_list_errors(errors),
                false,
                false,
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
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let name = a.draft.title.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "agreement-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let warning = html! { p { (ctx.t("agreement-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/agreements/{}/delete", a.id),
        a.version,
        &format!("/agreements/{}", a.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_agreement(&actor(&ctx), a.id, version).await {
        Ok(documents) => {
            crate::api::events::forget_files(&state, &documents).await;
            redirect_with_flash(&ctx, "/agreements", "flash-agreement-deleted")
        }
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::HasDependents(_)) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-agreement-renewed")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The sentence for an illegal change: the allowed next states, translated.
fn transition_message(ctx: &Ctx, from: AgreementStatus, to: AgreementStatus) -> String {
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
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let Some(to) = AgreementStatus::parse(values.get("status")) else {
        return super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-agreement-invalid",
        );
    };
    if version != a.version {
        return super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict");
    }
    let legal = to != AgreementStatus::Renewed
        && liaison_domain::agreement::transition(a.status, to).is_ok();
    if !legal {
        let extras = Extras {
            alert: Some(transition_message(&ctx, a.status, to)),
            ..Default::default()
        };
        return show_page(&state, &ctx, &a, extras, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state
        .db
        .set_agreement_status(&actor(&ctx), a.id, version, to)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, &format!("/agreements/{}", a.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => {
            let extras = Extras {
                alert: Some(transition_message(&ctx, a.status, to)),
                ..Default::default()
            };
            show_page(&state, &ctx, &a, extras, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn renew(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    if version != a.version {
        return super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict");
    }
    if !a.status.renewable() {
        let extras = Extras {
            alert: Some(transition_message(&ctx, a.status, AgreementStatus::Renewed)),
            ..Default::default()
        };
        return show_page(&state, &ctx, &a, extras, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let draft = match renewal_draft(&a).validate() {
        Ok(d) => d,
        Err(_) => {
            return super::error_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "page-agreement-invalid",
            )
        }
    };
    match state
        .db
        .renew_agreement(&actor(&ctx), a.id, version, &draft)
        .await
    {
        Ok(new) => redirect_with_flash(
            &ctx,
            &format!("/agreements/{}/edit", new.id),
            "flash-agreement-renewed",
        ),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

fn condition_from_form(f: &FormData) -> Result<ConditionDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut d = empty_condition();
    match MobilityType::parse(f.get("mobility_type")) {
        Some(t) => d.mobility_type = t,
        None => errors.push("mobility_type", "invalid-choice"),
    }
    if let Some(raw) = f.opt("direction") {
        d.direction = Direction::parse(&raw);
        if d.direction.is_none() {
            errors.push("direction", "invalid-choice");
        }
    }
    d.sending_institution_id = f.id(
        "sending_institution_id",
        "sending_institution_id",
        &mut errors,
    );
    d.receiving_institution_id = f.id(
        "receiving_institution_id",
        "receiving_institution_id",
        &mut errors,
    );
    d.first_year = f.opt("first_year");
    d.last_year = f.opt("last_year");
    match f.opt("places_per_year").map(|v| v.parse::<i64>()) {
        Some(Ok(n)) => d.places_per_year = n,
        Some(Err(_)) => errors.push("places_per_year", "invalid-number"),
        None => errors.push("places_per_year", "required"),
    }
    if let Some(raw) = f.opt("months_per_place") {
        match raw.replace(',', ".").parse::<f64>() {
            Ok(m) => d.months_per_place = Some(m),
            Err(_) => errors.push("months_per_place", "invalid-number"),
        }
    }
    if let Some(raw) = f.opt("days_per_place") {
        match raw.parse::<i64>() {
            Ok(n) => d.days_per_place = Some(n),
            Err(_) => errors.push("days_per_place", "invalid-number"),
        }
    }
    if let Some(raw) = f.opt("study_level") {
        d.study_level = StudyLevel::parse_any(&raw);
        if d.study_level.is_none() {
            errors.push("study_level", "invalid-choice");
        }
    }
    d.subject_areas = split_list(f.get("subject_areas"));
    d.language = f.opt("language");
    if let Some(raw) = f.opt("language_level") {
        d.language_level = CefrLevel::parse(&raw.to_ascii_uppercase());
        if d.language_level.is_none() {
            errors.push("language_level", "invalid-choice");
        }
    }
    merge(errors, d.validate()).map_err(fold_list_errors)
}

pub async fn add_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let result = match condition_from_form(&values) {
        Ok(d) => state.db.create_condition(&actor(&ctx), a.id, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/agreements/{}", a.id), "flash-saved"),
        Err(StoreError::Invalid(errors)) => {
            let extras = Extras {
                alert: None,
                condition_values: values,
                condition_errors: fold_list_errors(errors),
                upload_error: None,
            };
            show_page(&state, &ctx, &a, extras, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn delete_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let a = match load(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(cid) = parse_path_id(&cid) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state
        .db
        .delete_condition(&actor(&ctx), a.id, cid, version)
        .await
    {
        Ok(()) => redirect_with_flash(&ctx, &format!("/agreements/{}", a.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The institution page's section: the agreements this institution is a party to.
pub async fn institution_section(state: &AppState, ctx: &Ctx, institution_id: Id) -> Markup {
    let filter = AgreementFilter {
        institution_id: Some(institution_id),
        ..Default::default()
    };
    let sort = Sort {
        field: "end_on",
        descending: true,
    };
    let page = PageRequest {
        page: 1,
        per_page: 100,
    };
    let result = state
        .db
        .agreements(&ctx.user().scope, &filter, &sort, &page)
        .await;
    let (items, total) = match result {
        Ok(p) => (p.items, p.total),
        Err(e) => {
            tracing::error!(error = %e, "institution agreements failed");
            (Vec::new(), 0)
        }
    };
    let institutions = institutions_of(state, &items).await.unwrap_or_default();
    html! {
        section.agreements {
            div.title-row {
                h2 { (ctx.t("agreements-title")) }
                @if may_edit(ctx) { a.button.secondary href=(format!("/agreements/new?institution_id={institution_id}")) { (ctx.t("agreement-new")) } }
            }
            @if items.is_empty() { p.empty { (ctx.t("agreements-empty")) } }
            @else {
                (table(ctx, &items, &institutions, None))
                @if total > items.len() as i64 { p { a href=(format!("/agreements?institution_id={institution_id}")) { (ctx.t_args("results-count", &[("count", FluentValue::from(total))])) } } }
            }
        }
    }
}

/// The dashboard's section: agreements in force ending within `days`.
pub async fn dashboard_section(state: &AppState, ctx: &Ctx, days: i64) -> Markup {
    if !ctx
        .user
        .as_ref()
        .is_some_and(|u| access::allows(u.role, Action::ReadAgreements))
    {
        return html! {};
    }
    let filter = AgreementFilter {
        expiring_within_days: Some(days),
        ..Default::default()
    };
    let sort = Sort {
        field: "end_on",
        descending: false,
    };
    let page = PageRequest {
        page: 1,
        per_page: 20,
    };
    let (items, total) = match state
        .db
        .agreements(&ctx.user().scope, &filter, &sort, &page)
        .await
    {
        Ok(p) => (p.items, p.total),
        Err(e) => {
            tracing::error!(error = %e, "dashboard agreements failed");
            (Vec::new(), 0)
        }
    };
    let institutions = institutions_of(state, &items).await.unwrap_or_default();
    html! {
        section.expiring {
            h2 { (ctx.t_args("dashboard-expiring", &[("days", FluentValue::from(days))])) }
            @if items.is_empty() { p.empty { (ctx.t("dashboard-expiring-none")) } }
            @else {
                (table(ctx, &items, &institutions, None))
                p { a href=(format!("/agreements?expiring_within_days={days}&sort=end_on")) { (ctx.t_args("results-count", &[("count", FluentValue::from(total))])) } }
            }
        }
    }
}

fn condition_to_form(c: &CooperationCondition) -> FormData {
    let d = &c.draft;
    let mut f = FormData::default();
    f.set("version", c.version.to_string());
    f.set("mobility_type", d.mobility_type.as_str());
    f.set_opt("direction", d.direction.map(|v| v.as_str()));
    f.set_opt(
        "sending_institution_id",
        d.sending_institution_id.map(|i| i.to_string()).as_deref(),
    );
    f.set_opt(
        "receiving_institution_id",
        d.receiving_institution_id.map(|i| i.to_string()).as_deref(),
    );
    f.set_opt("first_year", d.first_year.as_deref());
    f.set_opt("last_year", d.last_year.as_deref());
    f.set("places_per_year", d.places_per_year.to_string());
    f.set_opt(
        "months_per_place",
        d.months_per_place.map(|m| m.to_string()).as_deref(),
    );
    f.set_opt(
        "days_per_place",
        d.days_per_place.map(|m| m.to_string()).as_deref(),
    );
    f.set_opt("study_level", d.study_level.map(|v| v.as_str()));
    f.set("subject_areas", d.subject_areas.join(", "));
    f.set_opt("language", d.language.as_deref());
    f.set_opt("language_level", d.language_level.map(|v| v.as_str()));
    f
}

/// The page editing one cooperation condition; `conflict` when someone else saved it first.
async fn condition_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Agreement,
    cid: Id,
    values: &FormData,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let institutions = match institutions_of(state, std::slice::from_ref(a)).await {
        Ok(i) => i,
        Err(e) => return store_error_page(ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let party_options: Vec<(String, String)> = a
        .draft
        .parties
        .iter()
        .filter_map(|p| institutions.iter().find(|i| i.id == p.institution_id))
        .map(|i| (i.id.to_string(), i.draft.name.display(zh).to_string()))
        .collect();
    let cf = Form {
        ctx,
        values,
        errors,
    };
    let action = format!("/agreements/{}/conditions/{cid}/edit", a.id);
    let title = ctx.t("condition-edit");
    let body = html! {
        p.breadcrumb {
            a href="/agreements" { (ctx.t("agreements-title")) } " › "
            a href=(format!("/agreements/{}", a.id)) { (bilingual(ctx, &a.draft.title)) }
        }
        h1 { (title) }
        @if status == StatusCode::CONFLICT { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (cf.summary())
        (condition_form(ctx, &party_options, &cf, &action, values.get("version").parse().ok()))
        p { a href=(format!("/agreements/{}", a.id)) { (ctx.t("cancel")) } }
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

async fn load_condition(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    cid: &str,
) -> Result<(Agreement, CooperationCondition), Response> {
    let a = load(state, ctx, id).await?;
    let Some(cid) = parse_path_id(cid) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let c = state
        .db
        .agreement_condition(a.id, cid)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    Ok((a, c))
}

pub async fn edit_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
) -> Response {
    match load_condition(&state, &ctx, &id, &cid).await {
        Ok((a, c)) => {
            let values = condition_to_form(&c);
            condition_page(
                &state,
                &ctx,
                &a,
                c.id,
                &values,
                &FieldErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(r) => r,
    }
}

pub async fn update_condition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (a, c) = match load_condition(&state, &ctx, &id, &cid).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let result = match condition_from_form(&values) {
        Ok(d) => {
            state
                .db
                .update_condition(&actor(&ctx), a.id, c.id, version, &d)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/agreements/{}", a.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            condition_page(
                &state,
                &ctx,
                &a,
                c.id,
                &values,
                &FieldErrors::default(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(StoreError::Invalid(errors)) => {
            condition_page(
                &state,
                &ctx,
                &a,
                c.id,
                &values,
                &fold_list_errors(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

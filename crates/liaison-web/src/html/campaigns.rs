//! Recruitment campaign pages: the list with totals (leads, conversions, rate) and filters,
//! add / edit (version conflicts keep the form) / delete with confirmation. Partner and
//! enterprise contacts see the campaigns run with their institution, read-only.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::html;

use super::institutions::store_error_page;
use super::{
    confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash, Form, FormData,
};
use crate::api::campaigns::{empty_draft, filter_from, FILTERS};
use crate::api::institutions::actor;
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::event::iso_date;
use liaison_domain::{access, Action, Campaign, CampaignDraft, Channel, CountryCode, FieldErrors};
use liaison_storage::{campaign_visible, CampaignFilter, StoreError, CAMPAIGN_SORTS};

fn may_edit(ctx: &Ctx) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|u| access::allows(u.role, Action::EditCampaigns))
}

fn channels(ctx: &Ctx) -> Vec<(String, String)> {
    Channel::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), ctx.t(&c.message_key())))
        .collect()
}

fn percent(ctx: &Ctx, leads: i64, conversions: i64) -> String {
    if leads > 0 {
        ctx.t_args(
            "campaign-rate",
            &[("percent", FluentValue::from(conversions * 100 / leads))],
        )
    } else {
        "—".into()
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let parsed = ListQuery::parse(raw.as_deref(), CAMPAIGN_SORTS, FILTERS)
        .ok()
        .and_then(|q| filter_from(&q).ok().map(|f| (q, f)));
    let bad = parsed.is_none();
    let (query, filter) = parsed.unwrap_or_else(|| {
        (
            ListQuery::parse(None, CAMPAIGN_SORTS, FILTERS).expect("defaults parse"),
            CampaignFilter::default(),
        )
    });
    let scope = &ctx.user().scope;
    let (page, totals) = match (
        state
            .db
            .campaigns(scope, &filter, &query.sort, &query.page)
            .await,
        state.db.campaign_totals(scope, &filter).await,
    ) {
        (Ok(p), Ok(t)) => (p, t),
        (Err(e), _) | (_, Err(e)) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let partners: std::collections::HashMap<liaison_domain::Id, String> = state
        .db
        .institutions_by_ids(
            &page
                .items
                .iter()
                .map(|c| c.draft.institution_id)
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|i| (i.id, i.draft.name.display(zh).to_string()))
        .collect();
    let current = |name: &str| query.filters.get(name).cloned().unwrap_or_default();
    let title = ctx.t("campaigns-title");
    let body = html! {
        div.title-row {
            h1 { (title) }
            @if may_edit(&ctx) { div.actions { a.button href="/campaigns/new" { (ctx.t("campaign-new")) } } }
        }
        p { (ctx.t("campaigns-intro")) }
        form.filters method="get" action="/campaigns" role="search" {
            label for="f-q" { (ctx.t("search")) }
            input #f-q type="search" name="q" value=(query.q.clone().unwrap_or_default());
            label for="f-channel" { (ctx.t("field-channel")) }
            select #f-channel name="channel" {
                option value="" { (ctx.t("filter-any")) }
                @for (v, l) in channels(&ctx) { option value=(v) selected[v == current("channel")] { (l) } }
            }
            label for="f-country" { (ctx.t("field-target-country")) }
            input #f-country type="text" name="country" size="3" value=(current("country"));
            @if let Some(i) = filter.institution_id { input type="hidden" name="institution_id" value=(i); }
            button type="submit" { (ctx.t("filter-apply")) }
            " " a href="/campaigns" { (ctx.t("filter-clear")) }
        }
        @if bad { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("campaigns-empty")) } }
        } @else {
            p.count { (ctx.t_args("campaign-totals", &[
                ("campaigns", FluentValue::from(totals.campaigns)),
                ("leads", FluentValue::from(totals.leads)),
                ("conversions", FluentValue::from(totals.conversions)),
                ("rate", FluentValue::from(percent(&ctx, totals.leads, totals.conversions))),
            ])) }
            div.table-wrap { table.campaigns {
                thead { tr {
                    th scope="col" { (ctx.t("field-campaign-title")) }
                    th scope="col" { (ctx.t("field-partner")) }
                    th scope="col" { (ctx.t("field-channel")) }
                    th scope="col" { (ctx.t("field-target-countries")) }
                    th scope="col" { (ctx.t("field-period")) }
                    th scope="col" { (ctx.t("field-leads")) }
                    th scope="col" { (ctx.t("field-conversions")) }
                    th scope="col" { (ctx.t("campaign-rate-title")) }
                    @if may_edit(&ctx) { th scope="col" { span.visually-hidden { (ctx.t("edit")) } } }
                } }
                tbody { @for c in &page.items {
                    @let d = &c.draft;
                    tr {
                        td { (d.title.display(zh)) }
                        td { a href=(format!("/institutions/{}", d.institution_id)) { (partners.get(&d.institution_id).cloned().unwrap_or_default()) } }
                        td { (ctx.t(&d.channel.message_key())) }
                        td { (d.target_countries.iter().map(|c| c.name(zh)).collect::<Vec<_>>().join(if zh { "、" } else { ", " })) }
                        td.nowrap { @if let Some(s) = d.start_on { (iso_date::format(s)) } " – " @if let Some(e) = d.end_on { (iso_date::format(e)) } }
                        td.num { (d.leads) }
                        td.num { (d.conversions) }
                        td.num { (percent(&ctx, d.leads, d.conversions)) }
                        @if may_edit(&ctx) { td {
                            a href=(format!("/campaigns/{}/edit", c.id)) { (ctx.t("edit")) } " "
                            a href=(format!("/campaigns/{}/delete", c.id)) { (ctx.t("delete")) }
                        } }
                    }
                } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

fn to_form(d: &CampaignDraft) -> FormData {
    let mut f = FormData::default();
    if d.institution_id > 0 {
        f.set("institution_id", d.institution_id.to_string());
    }
    f.set_localized("title", &d.title);
    f.set("channel", d.channel.as_str());
    f.set(
        "target_countries",
        d.target_countries
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    f.set_opt("start_on", d.start_on.map(iso_date::format).as_deref());
    f.set_opt("end_on", d.end_on.map(iso_date::format).as_deref());
    f.set("leads", d.leads.to_string());
    f.set("conversions", d.conversions.to_string());
    f.set_localized("notes", &d.notes);
    f
}

fn from_form(f: &FormData) -> Result<CampaignDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut d = empty_draft();
    match f.id("institution_id", "institution_id", &mut e) {
        Some(i) => d.institution_id = i,
        None if e.get("institution_id").is_none() => e.push("institution_id", "required"),
        None => {}
    }
    d.title = f.localized("title");
    match Channel::parse(f.get("channel")) {
        Some(c) => d.channel = c,
        None => e.push("channel", "invalid-choice"),
    }
    for code in f
        .get("target_countries")
        .split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match CountryCode::parse(code) {
            Some(c) => d.target_countries.push(c),
            None => {
                if e.get("target_countries").is_none() {
                    e.push("target_countries", "invalid-country");
                }
            }
        }
    }
    for (field, slot) in [("start_on", &mut d.start_on), ("end_on", &mut d.end_on)] {
        if let Some(raw) = f.opt(field) {
            *slot = iso_date::parse(&raw);
            if slot.is_none() {
                e.push(field, "invalid-date");
            }
        }
    }
    for (field, slot) in [("leads", &mut d.leads), ("conversions", &mut d.conversions)] {
        if let Some(raw) = f.opt(field) {
            match raw.parse::<i64>() {
                Ok(n) => *slot = n,
                Err(_) => e.push(field, "invalid-number"),
            }
        }
    }
    d.notes = f.localized("notes");
    merge(e, d.validate()).map_err(|mut errors| {
        for err in &mut errors.0 {
            if err.field.starts_with("target_countries.") {
                err.field = "target_countries".into();
            }
        }
        errors
    })
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
    let zh = ctx.lang.is_chinese();
    let institutions = match state
        .db
        .institutions(
            &liaison_domain::Scope::All,
            &Default::default(),
            &liaison_domain::Sort {
                field: "name",
                descending: false,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: 500,
            },
        )
        .await
    {
        Ok(p) => p.items,
        Err(e) => return store_error_page(ctx, e),
    };
    let partners: Vec<(String, String)> = institutions
        .iter()
        .map(|i| (i.id.to_string(), i.draft.name.display(zh).to_string()))
        .collect();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let body = html! {
        p.breadcrumb { a href="/campaigns" { (ctx.t("campaigns-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if values.opt("version").is_some() { input type="hidden" name="version" value=(values.get("version")); }
            (f.select("institution_id", "field-partner", &partners, Some("choose")))
            (f.localized("title", "field-campaign-title", true, false))
            (f.select("channel", "field-channel", &channels(ctx), None))
            (f.input("target_countries", "field-target-countries", "text", false))
            p.hint { (ctx.t("campaign-countries-hint")) }
            (f.input("start_on", "field-campaign-start", "date", false))
            (f.input("end_on", "field-campaign-end", "date", false))
            (f.input("leads", "field-leads", "number", false))
            (f.input("conversions", "field-conversions", "number", false))
            (f.localized("notes", "field-notes", false, true))
            div.actions { button type="submit" { (ctx.t("save")) } " " a.button.secondary href="/campaigns" { (ctx.t("cancel")) } }
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
    let values = to_form(&empty_draft());
    form_page(
        &state,
        &ctx,
        &ctx.t("campaign-new"),
        "/campaigns",
        &values,
        &FieldErrors::default(),
        false,
    )
    .await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let result = match from_form(&values) {
        Ok(d) => state.db.create_campaign(&actor(&ctx), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, "/campaigns", "flash-saved"),
        Err(StoreError::Invalid(errors)) => {
            form_page(
                &state,
                &ctx,
                &ctx.t("campaign-new"),
                "/campaigns",
                &values,
                &errors,
                false,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load(state: &AppState, ctx: &Ctx, raw: &str) -> Result<Campaign, Response> {
    let Some(id) = parse_path_id(raw) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let c = state
        .db
        .campaign(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, campaign_visible(&ctx.user().scope, &c), true)?;
    Ok(c)
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let c = match load(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut values = to_form(&c.draft);
    values.set("version", c.version.to_string());
    let action = format!("/campaigns/{}/edit", c.id);
    form_page(
        &state,
        &ctx,
        &ctx.t("campaign-edit"),
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
    let c = match load(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/campaigns/{}/edit", c.id);
    let title = ctx.t("campaign-edit");
    let result = match from_form(&values) {
        Ok(d) => {
            state
                .db
                .update_campaign(&actor(&ctx), c.id, version, &d)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, "/campaigns", "flash-saved"),
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
    let c = match load(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let name = c.draft.title.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "campaign-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let warning = html! { p { (ctx.t("campaign-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/campaigns/{}/delete", c.id),
        c.version,
        "/campaigns",
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let c = match load(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_campaign(&actor(&ctx), c.id, version).await {
        Ok(()) => redirect_with_flash(&ctx, "/campaigns", "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The partner page's section: the recruitment campaigns run with this institution.
pub async fn institution_section(
    state: &AppState,
    ctx: &Ctx,
    institution_id: liaison_domain::Id,
) -> maud::Markup {
    if !ctx
        .user
        .as_ref()
        .is_some_and(|u| access::allows(u.role, Action::ReadCampaigns))
    {
        return html! {};
    }
    let filter = CampaignFilter {
        institution_id: Some(institution_id),
        ..Default::default()
    };
    let sort = liaison_domain::Sort {
        field: "start_on",
        descending: true,
    };
    let page = liaison_domain::PageRequest {
        page: 1,
        per_page: 20,
    };
    let items = match state
        .db
        .campaigns(&ctx.user().scope, &filter, &sort, &page)
        .await
    {
        Ok(p) => p.items,
        Err(e) => {
            tracing::error!(error = %e, "partner campaigns failed");
            Vec::new()
        }
    };
    if items.is_empty() {
        return html! {};
    }
    let zh = ctx.lang.is_chinese();
    html! {
        section.campaigns {
            h2 { (ctx.t("campaigns-title")) }
            ul { @for c in &items {
                @let d = &c.draft;
                li {
                    (d.title.display(zh)) " · " (ctx.t(&d.channel.message_key())) " · "
                    (ctx.t_args("campaign-figures", &[("leads", FluentValue::from(d.leads)), ("conversions", FluentValue::from(d.conversions))]))
                }
            } }
            p { a href=(format!("/campaigns?institution_id={institution_id}")) { (ctx.t("campaigns-all-of-partner")) } }
        }
    }
}

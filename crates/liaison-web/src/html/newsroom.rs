//! The newsroom (signed in): every story with its status, the story page (preview in both
//! languages, workflow buttons, history, photos with captions), create ("from this event"
//! pre-fills it), edit, delete, photo uploads.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup, PreEscaped};

use super::institutions::store_error_page;
use super::{
    bilingual, confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash,
    sort_header, Form, FormData,
};
use crate::api::institutions::actor;
use crate::api::news::{empty_draft, filter_from, may_delete, photo_meta, sort_of, FILTERS};
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::access::allows;
use liaison_domain::event::iso_date;
use liaison_domain::news::{self, StepError};
use liaison_domain::{
    Action, Credit, CreditRole, FieldErrors, Id, LocalizedText, NewsDraft, NewsItem, NewsStatus,
};
use liaison_storage::{NamedTable, NewsFilter, OwnerKind, StoreError, NEWS_SORTS};

fn may_edit(ctx: &Ctx) -> bool {
    allows(ctx.user().role, Action::EditNews)
}

fn status_options(ctx: &Ctx) -> Vec<(String, String)> {
    NewsStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), ctx.t(&s.message_key())))
        .collect()
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let (query, bad_query) = match ListQuery::parse(raw.as_deref(), NEWS_SORTS, FILTERS) {
        Ok(q) => (q, false),
        Err(_) => (
            ListQuery::parse(None, NEWS_SORTS, FILTERS).expect("defaults parse"),
            true,
        ),
    };
    let (filter, bad_filter) = match filter_from(&query) {
        Ok(f) => (f, false),
        Err(_) => (
            NewsFilter {
                q: query.q.clone(),
                ..Default::default()
            },
            true,
        ),
    };
    let sort = sort_of(raw.as_deref(), query.sort);
    let page = match state.db.news(&filter, &sort, &query.page).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let title = ctx.t("newsroom-title");
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
            div.actions {
                a.button.secondary href="/news" { (ctx.t("news-public-site")) }
                @if may_edit(&ctx) { " " a.button href="/newsroom/new" { (ctx.t("news-new")) } }
            }
        }
        form.filters method="get" action="/newsroom" role="search" {
            div.field.grow {
                label for="q" { (ctx.t("search")) }
                input #q type="search" name="q" value=(query.q.as_deref().unwrap_or(""));
            }
            (f.select("status", "field-news-status", &status_options(&ctx), Some("filter-any")))
            (f.input("tag", "field-tag", "text", false))
            div.actions { button type="submit" { (ctx.t("search")) } " " a href="/newsroom" { (ctx.t("filter-clear")) } }
        }
        @if bad_query || bad_filter { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("newsroom-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    (sort_header(&ctx, "name", "field-news-title", &sort))
                    (sort_header(&ctx, "status", "field-news-status", &sort))
                    (sort_header(&ctx, "published_on", "field-published-on", &sort))
                    (sort_header(&ctx, "updated_at", "field-updated-at", &sort))
                } }
                tbody { @for n in &page.items { tr {
                    td { a href=(format!("/newsroom/{}", n.id)) { (bilingual(&ctx, &n.draft.title)) } }
                    td { span class=(format!("status status-{}", n.status.as_str())) { (ctx.t(&n.status.message_key())) }
                        @if n.published.is_some() && n.status != NewsStatus::Published { " " span.other-lang { (ctx.t("news-live-version")) } } }
                    td.nowrap { (n.draft.published_on.map(iso_date::format).unwrap_or_default()) }
                    td.nowrap { (n.updated_at.get(..10).unwrap_or("")) }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<NewsItem, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    state
        .db
        .news_item(id)
        .await
        .map_err(|e| store_error_page(ctx, e))
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    match render_show(&state, &ctx, &item, None).await {
        Ok(r) => r,
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The steps this user may take now, with whether they need a comment.
fn steps_for(ctx: &Ctx, item: &NewsItem) -> Vec<NewsStatus> {
    let user = ctx.user();
    item.status
        .next()
        .iter()
        .copied()
        .filter(|to| {
            !matches!(
                news::check_step(user.role, Some(user.id), item, *to, Some("x")),
                Err(StepError::Forbidden | StepError::OwnStory)
            )
        })
        .collect()
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    item: &NewsItem,
    problem: Option<(StatusCode, String)>,
) -> Result<Response, StoreError> {
    let d = &item.draft;
    let zh = ctx.lang.is_chinese();
    let history = state.db.news_history(item.id).await?;
    let photos = state.db.news_photos(item.id).await?;
    let people = crate::feeds::credited_people(state, &[d]).await?;
    let events = state.db.names_of(NamedTable::Events, &d.event_ids).await?;
    let partners: HashMap<Id, LocalizedText> = state
        .db
        .institutions_by_ids(&d.institution_ids)
        .await?
        .into_iter()
        .map(|i| (i.id, i.draft.name))
        .collect();
    let edit = may_edit(ctx);
    let steps = if edit {
        steps_for(ctx, item)
    } else {
        Vec::new()
    };
    let title = d.title.display(zh).to_string();
    let upload_action = format!(
        "/newsroom/{}/photos?_csrf={}",
        item.id,
        form_urlencoded::byte_serialize(ctx.csrf.as_bytes()).collect::<String>()
    );
    let name = |map: &HashMap<Id, LocalizedText>, id: Id| {
        map.get(&id)
            .map(|t| t.display(zh).to_string())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let body = html! {
        p.breadcrumb { a href="/newsroom" { (ctx.t("newsroom-title")) } }
        div.title-row {
            h1 { (bilingual(ctx, &d.title)) }
            div.actions {
                @if item.published.is_some() { a.button.secondary href=(format!("/news/{}", item.path_key())) { (ctx.t("news-view-public")) } " " }
                @if edit {
                    a.button href=(format!("/newsroom/{}/edit", item.id)) { (ctx.t("edit")) }
                    @if may_delete(ctx, item) { " " a.button.danger href=(format!("/newsroom/{}/delete", item.id)) { (ctx.t("delete")) } }
                }
            }
        }
        @if let Some((_, message)) = &problem { div.error-summary role="alert" { p { (message) } } }
        dl.details {
            div { dt { (ctx.t("field-news-status")) } dd { span class=(format!("status status-{}", item.status.as_str())) { (ctx.t(&item.status.message_key())) } } }
            @if let Some(p) = &item.published {
                div { dt { (ctx.t("news-live-version")) } dd { (ctx.t_args("news-live-since", &[("version", FluentValue::from(p.version)), ("at", FluentValue::from(p.published_at.get(..16).unwrap_or("").replace('T', " ")))])) } }
            }
            div { dt { (ctx.t("field-slug")) } dd { code { (item.path_key()) } } }
            @if let Some(on) = d.published_on { div { dt { (ctx.t("field-published-on")) } dd { (iso_date::format(on)) } } }
            @if !d.tags.is_empty() { div { dt { (ctx.t("field-tags")) } dd { (d.tags.join(", ")) } } }
            @if !d.event_ids.is_empty() { div { dt { (ctx.t("news-events")) } dd { @for e in &d.event_ids { a href=(format!("/events/{e}")) { (name(&events, *e)) } " " } } } }
            @if !d.institution_ids.is_empty() { div { dt { (ctx.t("news-partners")) } dd { @for i in &d.institution_ids { a href=(format!("/institutions/{i}")) { (name(&partners, *i)) } " " } } } }
        }
        @if !steps.is_empty() {
            section.workflow {
                h2 { (ctx.t("news-workflow")) }
                form.record method="post" action=(format!("/newsroom/{}/status", item.id)) {
                    (csrf_input(ctx))
                    input type="hidden" name="version" value=(item.version);
                    div.field {
                        label for="comment" { (ctx.t("field-comment")) }
                        textarea #comment name="comment" rows="2" {}
                        p.hint { (ctx.t("news-comment-hint")) }
                    }
                    div.actions { @for to in &steps {
                        button type="submit" name="status" value=(to.as_str()) class=[(*to == NewsStatus::Draft).then_some("secondary")] {
                            (ctx.t(&format!("news-step-{}", to.as_str())))
                        } " "
                    } }
                }
            }
        }
        div.news-preview {
            (preview(ctx, "en", "lang-en", &d.title.en, &d.summary.en, &d.body.en))
            (preview(ctx, "zh-CN", "lang-zh", &d.title.zh, &d.summary.zh, &d.body.zh))
        }
        (super::news::credits_block(ctx, d, &people, &photos))
        section {
            h2 { (ctx.t("news-photos")) }
            @if photos.is_empty() { p.empty { (ctx.t("event-no-photos")) } }
            @else { div.photo-grid { @for p in &photos {
                figure.news-photo {
                    a href=(format!("/documents/{}", p.document.id)) { img src=(format!("/documents/{}/thumbnail", p.document.id)) alt=(p.caption.display(zh)) width="320" loading="lazy"; }
                    figcaption { (bilingual(ctx, &p.caption)) @if let Some(by) = &p.photographer { " " span.photo-credit { (ctx.t("news-photo-by")) " " (by) } } }
                }
            } } }
            @if edit {
                form.upload method="post" action=(upload_action) enctype="multipart/form-data" {
                    div.field { label for="caption_en" { (ctx.t("field-caption-en")) } input #caption_en type="text" name="caption_en"; }
                    div.field { label for="caption_zh" { (ctx.t("field-caption-zh")) } input #caption_zh type="text" name="caption_zh"; }
                    div.field { label for="photographer" { (ctx.t("field-photographer")) } input #photographer type="text" name="photographer"; }
                    div.field {
                        label for="file" { (ctx.t("upload-file")) }
                        input #file type="file" name="file" accept=".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp" required;
                        p.hint { (ctx.t("news-photo-hint")) }
                    }
                    div.actions { button type="submit" { (ctx.t("upload")) } }
                }
            }
        }
        section.history {
            h2 { (ctx.t("news-history")) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("news-history-when")) }
                    th scope="col" { (ctx.t("news-history-who")) }
                    th scope="col" { (ctx.t("news-history-step")) }
                    th scope="col" { (ctx.t("field-comment")) }
                } }
                tbody { @for h in history.iter().rev() { tr {
                    td.nowrap { (h.at.get(..16).unwrap_or("").replace('T', " ")) }
                    td { (h.actor) }
                    td {
                        (ctx.t(&format!("news-history-{}", h.action)))
                        ": " @if let Some(f) = h.from_status { (ctx.t(&f.message_key())) " → " }
                        (ctx.t(&h.to_status.message_key())) " (v" (h.version) ")"
                    }
                    td { (h.comment.as_deref().unwrap_or("")) }
                } } }
            } }
        }
    };
    let status = problem.map(|(s, _)| s).unwrap_or(StatusCode::OK);
    Ok(super::html_response(
        status,
        super::layout(ctx, &title, body),
    ))
}

fn preview(
    ctx: &Ctx,
    lang: &str,
    label: &str,
    title: &Option<String>,
    summary: &Option<String>,
    body: &Option<String>,
) -> Markup {
    html! {
        section.preview lang=(lang) {
            h2 { (ctx.t(label)) }
            h3 { (title.as_deref().unwrap_or("—")) }
            @if let Some(s) = summary { p.lede { (s) } }
            div.prose { (PreEscaped(crate::markdown::render(body.as_deref().unwrap_or("")))) }
        }
    }
}

// ---- forms ----

fn split_list(raw: &str) -> Vec<&str> {
    raw.split([',', '\n', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn ids(f: &FormData, name: &str, errors: &mut FieldErrors) -> Vec<Id> {
    let mut out = Vec::new();
    for part in split_list(f.get(name)) {
        match part.parse() {
            Ok(id) => out.push(id),
            Err(_) => errors.push(name, "invalid-choice"),
        }
    }
    out
}

/// `role, person id, name` per line (the id or the name may be empty).
fn parse_credits(raw: &str, errors: &mut FieldErrors) -> Vec<Credit> {
    let mut out = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut parts = line.splitn(3, [',', '，']).map(str::trim);
        let role = parts.next().and_then(CreditRole::parse);
        let person = parts.next().unwrap_or("");
        let name = parts.next().unwrap_or("");
        let person_id = if person.is_empty() {
            None
        } else {
            match person.parse() {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.push("credits", "invalid-choice");
                    continue;
                }
            }
        };
        match role {
            Some(role) => out.push(Credit {
                role,
                person_id,
                name: Some(name.to_string()).filter(|n| !n.is_empty()),
            }),
            None => errors.push("credits", "invalid-choice"),
        }
    }
    out
}

fn from_form(f: &FormData) -> Result<NewsDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let published_on = match f.opt("published_on") {
        None => None,
        Some(raw) => {
            let d = iso_date::parse(&raw);
            if d.is_none() {
                errors.push("published_on", "invalid-date");
            }
            d
        }
    };
    let draft = NewsDraft {
        title: f.localized("title"),
        summary: f.localized("summary"),
        body: f.localized("body"),
        slug: f.opt("slug"),
        published_on,
        tags: split_list(f.get("tags"))
            .into_iter()
            .map(String::from)
            .collect(),
        event_ids: ids(f, "event_ids", &mut errors),
        institution_ids: ids(f, "institution_ids", &mut errors),
        credits: parse_credits(f.get("credits"), &mut errors),
    };
    merge(errors, draft.validate()).map_err(|mut e| {
        for err in &mut e.0 {
            if let Some((head, _)) = err
                .field
                .split_once('.')
                .filter(|(h, _)| ["tags", "credits", "event_ids", "institution_ids"].contains(h))
            {
                err.field = head.to_string();
            }
        }
        e
    })
}

fn to_form(d: &NewsDraft) -> FormData {
    let mut f = FormData::default();
    f.set_localized("title", &d.title);
    f.set_localized("summary", &d.summary);
    f.set_localized("body", &d.body);
    f.set_opt("slug", d.slug.as_deref());
    f.set_opt(
        "published_on",
        d.published_on.map(iso_date::format).as_deref(),
    );
    f.set("tags", d.tags.join(", "));
    let join = |ids: &[Id]| {
        ids.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    f.set("event_ids", join(&d.event_ids));
    f.set("institution_ids", join(&d.institution_ids));
    f.set(
        "credits",
        d.credits
            .iter()
            .map(|c| {
                format!(
                    "{}, {}, {}",
                    c.role.as_str(),
                    c.person_id.map(|p| p.to_string()).unwrap_or_default(),
                    c.name.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
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
        p.breadcrumb { a href="/newsroom" { (ctx.t("newsroom-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            fieldset.localized {
                legend { (ctx.t("field-news-title")) " " abbr title=(ctx.t("required-one-language")) { "*" } }
                (f.input("title.en", "lang-en", "text", false))
                (f.input("title.zh", "lang-zh", "text", false))
            }
            fieldset.localized {
                legend { (ctx.t("field-summary")) }
                (f.textarea("summary.en", "lang-en"))
                (f.textarea("summary.zh", "lang-zh"))
            }
            fieldset.localized {
                legend { (ctx.t("field-news-body")) }
                p.hint { (ctx.t("news-body-hint")) }
                (f.textarea("body.en", "lang-en"))
                (f.textarea("body.zh", "lang-zh"))
            }
            (f.input("slug", "field-slug", "text", false))
            p.hint { (ctx.t("news-slug-hint")) }
            (f.input("published_on", "field-published-on", "date", false))
            (f.input("tags", "field-tags", "text", false))
            (f.input("event_ids", "field-event-ids", "text", false))
            (f.input("institution_ids", "field-institution-ids", "text", false))
            (f.textarea("credits", "news-credits"))
            p.hint { (ctx.t("news-credits-hint")) }
            div.actions {
                button type="submit" { (ctx.t("save")) }
                " " a.button.secondary href="/newsroom" { (ctx.t("cancel")) }
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

/// A draft pre-filled from an event: title, date, participants, links to the event and its
/// partners ("Create a story from this event"). Needs the right to read events.
async fn from_event(state: &AppState, ctx: &Ctx, event_id: Id) -> Result<NewsDraft, StoreError> {
    let mut draft = empty_draft();
    let user = ctx.user();
    if !allows(user.role, Action::ReadEvents) {
        return Ok(draft);
    }
    let event = state.db.event(event_id).await?;
    if !event.draft.visible_to(&user.scope) {
        return Err(StoreError::NotFound);
    }
    let e = &event.draft;
    draft.title = e.title.clone();
    draft.published_on = Some(e.start_on);
    draft.event_ids = vec![event.id];
    draft.institution_ids = e.institution_ids();
    let institutions = state.db.institutions_by_ids(&draft.institution_ids).await?;
    let person_ids: Vec<Id> = e.participants.iter().filter_map(|p| p.person_id).collect();
    let people = state.db.names_of(NamedTable::People, &person_ids).await?;
    let mut body = LocalizedText::default();
    for zh in [false, true] {
        let mut text = String::new();
        let summary = e.summary.display(zh);
        if !summary.is_empty() {
            text.push_str(summary);
            text.push_str("\n\n");
        }
        let lang = if zh {
            crate::i18n::Lang::ZhCn
        } else {
            crate::i18n::Lang::En
        };
        if !institutions.is_empty() {
            text.push_str(&format!(
                "**{}**\n\n",
                ctx.i18n.t(lang, "news-participants")
            ));
            for i in &institutions {
                text.push_str(&format!("- {}\n", i.draft.name.display(zh)));
            }
            for p in people.values() {
                text.push_str(&format!("- {}\n", p.display(zh)));
            }
            text.push('\n');
        }
        for c in &e.consensus {
            text.push_str(&format!("- {}\n", c.display(zh)));
        }
        let slot = if zh { &mut body.zh } else { &mut body.en };
        *slot = Some(text.trim().to_string()).filter(|t| !t.is_empty());
    }
    draft.body = body;
    let name = user
        .display_name
        .clone()
        .unwrap_or_else(|| user.email.clone());
    draft.credits = vec![Credit {
        role: CreditRole::Author,
        person_id: None,
        name: Some(name),
    }];
    Ok(draft)
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let event_id = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "event_id")
        .and_then(|(_, v)| v.parse::<Id>().ok());
    let values = match event_id {
        Some(id) => match from_event(&state, &ctx, id).await {
            Ok(d) => to_form(&d),
            Err(e) => return store_error_page(&ctx, e),
        },
        None => FormData::default(),
    };
    form_page(
        &ctx,
        &ctx.t("news-new"),
        "/newsroom",
        &values,
        &FieldErrors::default(),
        false,
    )
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let result = match from_form(&values) {
        Ok(draft) => state.db.create_news(&actor(&ctx), &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(n) => redirect_with_flash(&ctx, &format!("/newsroom/{}", n.id), "flash-news-created"),
        Err(StoreError::Invalid(errors)) => form_page(
            &ctx,
            &ctx.t("news-new"),
            "/newsroom",
            &values,
            &flatten(errors),
            false,
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

/// Field errors from storage (`credits.0.person_id`) on the form's one box.
fn flatten(mut errors: FieldErrors) -> FieldErrors {
    for err in &mut errors.0 {
        if let Some((head, _)) = err
            .field
            .split_once('.')
            .filter(|(h, _)| ["tags", "credits", "event_ids", "institution_ids"].contains(h))
        {
            err.field = head.to_string();
        }
    }
    errors
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut values = to_form(&item.draft);
    values.set("version", item.version.to_string());
    form_page(
        &ctx,
        &ctx.t("news-edit"),
        &format!("/newsroom/{}/edit", item.id),
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
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/newsroom/{}/edit", item.id);
    let title = ctx.t("news-edit");
    let result = match from_form(&values) {
        Ok(draft) => {
            state
                .db
                .update_news(&actor(&ctx), item.id, version, &draft)
                .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, &format!("/newsroom/{}", item.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => form_page(
            &ctx,
            &title,
            &action,
            &values,
            &FieldErrors::default(),
            true,
        ),
        Err(StoreError::Invalid(errors)) => {
            form_page(&ctx, &title, &action, &values, &flatten(errors), false)
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

fn step_message(ctx: &Ctx, e: &StepError) -> (StatusCode, String) {
    match e {
        StepError::Forbidden => (StatusCode::FORBIDDEN, ctx.t("news-step-forbidden")),
        StepError::OwnStory => (StatusCode::FORBIDDEN, ctx.t("news-step-own-story")),
        StepError::NotAllowed { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("error-status-not-allowed"),
        ),
        StepError::CommentRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("news-comment-required"),
        ),
        StepError::Incomplete(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("news-translation-missing"),
        ),
    }
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let comment = values.opt("comment");
    let problem = match NewsStatus::parse(values.get("status")) {
        None => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("error-status-not-allowed"),
        )),
        Some(_)
            if comment
                .as_deref()
                .is_some_and(|c| c.chars().count() > news::COMMENT_MAX) =>
        {
            Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                ctx.t("news-comment-too-long"),
            ))
        }
        Some(to) => {
            let user = ctx.user();
            match news::check_step(user.role, Some(user.id), &item, to, comment.as_deref()) {
                Err(e) => Some(step_message(&ctx, &e)),
                Ok(()) => match state
                    .db
                    .set_news_status(&actor(&ctx), item.id, version, to, comment.as_deref())
                    .await
                {
                    Ok(_) => {
                        return redirect_with_flash(
                            &ctx,
                            &format!("/newsroom/{}", item.id),
                            "flash-news-moved",
                        )
                    }
                    Err(StoreError::Conflict { .. }) => {
                        Some((StatusCode::CONFLICT, ctx.t("conflict-message")))
                    }
                    Err(StoreError::Invalid(_)) => Some((
                        StatusCode::UNPROCESSABLE_ENTITY,
                        ctx.t("error-status-not-allowed"),
                    )),
                    Err(e) => return store_error_page(&ctx, e),
                },
            }
        }
    };
    match render_show(&state, &ctx, &item, problem).await {
        Ok(r) => r,
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(r) = super::check_record(&ctx, true, may_delete(&ctx, &item)) {
        return r;
    }
    let name = item.draft.title.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "news-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let warning = html! { p { (ctx.t("news-delete-warning")) } };
    confirm_delete_page(
        &ctx,
        &title,
        warning,
        &format!("/newsroom/{}/delete", item.id),
        item.version,
        &format!("/newsroom/{}", item.id),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(r) = super::check_record(&ctx, true, may_delete(&ctx, &item)) {
        return r;
    }
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_news(&actor(&ctx), item.id, version).await {
        Ok(docs) => {
            crate::api::events::forget_files(&state, &docs).await;
            redirect_with_flash(&ctx, "/newsroom", "flash-news-deleted")
        }
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// `multipart/form-data`: `caption_en`, `caption_zh`, `photographer`, then `file` (the CSRF
/// token is in the URL, see `auth.rs`).
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let item = match load(&state, &ctx, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    match receive(&state, &ctx, item.id, req).await {
        Ok(()) => redirect_with_flash(&ctx, &format!("/newsroom/{}", item.id), "flash-uploaded"),
        Err(Upload::File(e)) => {
            let status = e.status();
            if status == StatusCode::NOT_FOUND || status.is_server_error() {
                if let crate::uploads::UploadError::Store(e) = e {
                    return store_error_page(&ctx, e);
                }
                return super::error_page(&ctx, status, "page-internal");
            }
            match render_show(&state, &ctx, &item, Some((status, ctx.t(e.message_key())))).await {
                Ok(r) => r,
                Err(e) => store_error_page(&ctx, e),
            }
        }
        Err(Upload::Meta) => {
            let message = ctx.t("news-caption-too-long");
            match render_show(
                &state,
                &ctx,
                &item,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await
            {
                Ok(r) => r,
                Err(e) => store_error_page(&ctx, e),
            }
        }
        Err(Upload::Store(e)) => store_error_page(&ctx, e),
    }
}

enum Upload {
    File(crate::uploads::UploadError),
    Meta,
    Store(StoreError),
}

async fn receive(state: &AppState, ctx: &Ctx, news_id: Id, req: Request) -> Result<(), Upload> {
    use crate::uploads::{Upload as Incoming, UploadError};
    let missing = || Upload::File(UploadError::Missing);
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|_| missing())?;
    let mut caption = LocalizedText::default();
    let mut photographer = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| missing())? {
        match field.name() {
            Some("caption_en") => caption.en = field.text().await.ok(),
            Some("caption_zh") => caption.zh = field.text().await.ok(),
            Some("photographer") => photographer = field.text().await.ok(),
            Some("file") => {
                let (caption, photographer) =
                    photo_meta(caption.clone(), photographer.clone()).map_err(|_| Upload::Meta)?;
                let name = field.file_name().unwrap_or("").to_string();
                let mut upload = Incoming::start(state).await.map_err(Upload::File)?;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => upload.push(&chunk).await.map_err(Upload::File)?,
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Err(Upload::File(UploadError::TooLarge))
                        }
                        Err(_) => return Err(missing()),
                    }
                }
                let doc = upload
                    .finish_image(state, &actor(ctx), OwnerKind::News, news_id, &name)
                    .await
                    .map_err(Upload::File)?;
                return state
                    .db
                    .caption_news_photo(
                        &actor(ctx),
                        news_id,
                        doc.id,
                        &caption,
                        photographer.as_deref(),
                    )
                    .await
                    .map_err(Upload::Store);
            }
            _ => {}
        }
    }
    Err(missing())
}

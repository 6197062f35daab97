//! Whole-process checklists (issue 7): the checklist on a stay's page (confirm an item, attach
//! its file, reopen it), the student's own arrival and return confirmation, the office's list of
//! overdue items, and the template editor.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::documents::{receive_multipart, upload_failure_page};
use super::institutions::store_error_page;
use super::mobilities::{show_page, Names};
use super::{
    confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash, Form, FormData,
};
use crate::api::institutions::actor;
use crate::api::mobilities::reach;
use crate::api::{merge, ListQuery};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::agreement::MobilityType;
use liaison_domain::checklist::{ChecklistItem, DueAnchor, TemplateItem, TemplateItemDraft};
use liaison_domain::event::iso_date;
use liaison_domain::mobility::{MobilityDirection, MobilityStatus};
use liaison_domain::{access, Action, FieldErrors, LocalizedText, Mobility};
use liaison_storage::{mobility_visible, Document, OwnerKind, StoreError};

fn allowed(ctx: &Ctx, action: Action) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|u| access::allows(u.role, action))
}

/// The link that carries the CSRF token for a multipart upload (the body is streamed, not parsed).
fn upload_action(ctx: &Ctx, m: &Mobility, item: &ChecklistItem) -> String {
    format!(
        "/mobilities/{}/checklist/{}/file?_csrf={}",
        m.id,
        item.id,
        form_urlencoded::byte_serialize(ctx.csrf.as_bytes()).collect::<String>()
    )
}

/// The checklist section of a stay's page; `documents` are the stay's files.
pub fn section(ctx: &Ctx, m: &Mobility, items: &[ChecklistItem], documents: &[Document]) -> Markup {
    let today = liaison_storage::today();
    let tick = allowed(ctx, Action::TickChecklist) && m.status != MobilityStatus::Cancelled;
    let reopen = allowed(ctx, Action::EditMobilities);
    let done = items.iter().filter(|i| i.is_done()).count();
    let file_name = |id: i64| {
        documents
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.file_name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    };
    html! {
        section.checklist #checklist {
            h2 { (ctx.t("checklist-title")) }
            @if items.is_empty() {
                p.empty { (ctx.t("checklist-empty")) }
            } @else {
                p.count { (ctx.t_args("checklist-progress", &[("done", FluentValue::from(done)), ("total", FluentValue::from(items.len()))])) }
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" { (ctx.t("checklist-item")) }
                        th scope="col" { (ctx.t("checklist-due")) }
                        th scope="col" { (ctx.t("field-status")) }
                        th scope="col" { (ctx.t("checklist-file")) }
                        th scope="col" { span.visually-hidden { (ctx.t("checklist-actions")) } }
                    } }
                    tbody { @for item in items {
                        tr.overdue[item.is_overdue(today)] {
                            td { (item.title.display(ctx.lang.is_chinese())) }
                            td { (iso_date::format(item.due_on)) }
                            td {
                                @if let Some(at) = &item.done_at {
                                    span.badge.done { (ctx.t("checklist-done")) } " " span.other-lang { (at.get(..10).unwrap_or(at)) }
                                } @else if item.is_overdue(today) {
                                    span.badge.overdue { (ctx.t("checklist-overdue")) }
                                } @else {
                                    span.badge { (ctx.t("checklist-open")) }
                                }
                            }
                            td {
                                @if let Some(doc) = item.document_id {
                                    a href=(format!("/documents/{doc}")) { (file_name(doc)) }
                                } @else if item.needs_upload {
                                    @if tick && !item.is_done() {
                                        form.upload method="post" action=(upload_action(ctx, m, item)) enctype="multipart/form-data" {
                                            label.visually-hidden for=(format!("file-{}", item.id)) { (ctx.t("upload-file")) }
                                            input id=(format!("file-{}", item.id)) type="file" name="file" required
                                                accept=".pdf,.jpg,.jpeg,.png,.webp,application/pdf,image/jpeg,image/png,image/webp";
                                            " " button.secondary type="submit" { (ctx.t("upload")) }
                                        }
                                    } @else {
                                        span.missing { (ctx.t("checklist-file-needed")) }
                                    }
                                }
                            }
                            td {
                                @if !item.is_done() && tick {
                                    form.inline method="post" action=(format!("/mobilities/{}/checklist/{}", m.id, item.id)) {
                                        (csrf_input(ctx))
                                        input type="hidden" name="version" value=(item.version);
                                        input type="hidden" name="done" value="1";
                                        button type="submit" disabled[item.confirm_blocker().is_some()] { (ctx.t("checklist-confirm")) }
                                    }
                                } @else if item.is_done() && reopen {
                                    form.inline method="post" action=(format!("/mobilities/{}/checklist/{}", m.id, item.id)) {
                                        (csrf_input(ctx))
                                        input type="hidden" name="version" value=(item.version);
                                        input type="hidden" name="done" value="0";
                                        button.secondary type="submit" { (ctx.t("checklist-reopen")) }
                                    }
                                }
                            }
                        }
                    } }
                } }
            }
        }
    }
}

/// The "I have arrived" / "I am back" button a student sees on their own stay.
pub fn own_confirmation(ctx: &Ctx, m: &Mobility) -> Markup {
    let step = match m.status {
        MobilityStatus::Preparing => Some(("arrival", "mobility-confirm-arrival")),
        MobilityStatus::Abroad => Some(("return", "mobility-confirm-return")),
        _ => None,
    };
    html! {
        @if let Some((step, key)) = step {
            @if allowed(ctx, Action::TickChecklist) && !allowed(ctx, Action::EditMobilities) {
                form.inline method="post" action=(format!("/mobilities/{}/confirm", m.id)) {
                    (csrf_input(ctx))
                    input type="hidden" name="version" value=(m.version);
                    input type="hidden" name="step" value=(step);
                    button type="submit" { (ctx.t(key)) }
                }
            }
        }
    }
}

/// A stay the caller reaches and one of its items, or the page to answer with.
async fn stay_and_item(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    item: &str,
) -> Result<(Mobility, ChecklistItem), Response> {
    let not_found = || super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found");
    let (Some(id), Some(item_id)) = (parse_path_id(id), parse_path_id(item)) else {
        return Err(not_found());
    };
    let m = state
        .db
        .mobility(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, mobility_visible(&reach(ctx), &m), true)?;
    let item = match state.db.checklist_item(item_id).await {
        Ok(i) if i.mobility_id == m.id => i,
        Ok(_) | Err(StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(store_error_page(ctx, e)),
    };
    Ok((m, item))
}

/// `POST /mobilities/{id}/checklist/{item}`: confirm (`done=1`) or reopen (`done=0`, staff).
pub async fn tick(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (m, item) = match stay_and_item(&state, &ctx, &id, &item).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let done = match values.get("done") {
        "1" => true,
        "0" => false,
        _ => return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "page-bad-choice"),
    };
    if (!done && !allowed(&ctx, Action::EditMobilities)) || m.status == MobilityStatus::Cancelled {
        return super::error_page(&ctx, StatusCode::FORBIDDEN, "page-forbidden");
    }
    match state
        .db
        .set_checklist_item_done(&actor(&ctx), item.id, version, done)
        .await
    {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/mobilities/{}#checklist", m.id),
            "flash-saved",
        ),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => {
            let alert = ctx.t_args(
                "checklist-upload-first",
                &[(
                    "item",
                    FluentValue::from(item.title.display(ctx.lang.is_chinese()).to_string()),
                )],
            );
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

/// `POST /mobilities/{id}/checklist/{item}/file`: the item's file (multipart, bounded like every
/// upload); the file becomes a document of the stay, linked to the item.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (m, item) = match stay_and_item(&state, &ctx, &id, &item).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    if item.is_done() || m.status == MobilityStatus::Cancelled {
        return super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict");
    }
    let doc = match receive_multipart(&state, &ctx, OwnerKind::Mobility, m.id, req).await {
        Ok(doc) => doc,
        Err(e) => {
            return match upload_failure_page(&ctx, e) {
                Ok((status, key)) => show_page(&state, &ctx, &m, Some(ctx.t(key)), status).await,
                Err(page) => page,
            }
        }
    };
    match state
        .db
        .attach_checklist_document(&actor(&ctx), item.id, doc.id)
        .await
    {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/mobilities/{}#checklist", m.id),
            "flash-uploaded",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

/// `POST /mobilities/{id}/confirm`: a student confirms their own arrival (`step=arrival`, from
/// preparing) or return (`step=return`, from abroad), dated today.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let m = match state.db.mobility(id).await {
        Ok(m) => m,
        Err(e) => return store_error_page(&ctx, e),
    };
    if let Err(r) = super::check_record(&ctx, mobility_visible(&reach(&ctx), &m), true) {
        return r;
    }
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let (from, to) = match values.get("step") {
        "arrival" => (MobilityStatus::Preparing, MobilityStatus::Abroad),
        "return" => (MobilityStatus::Abroad, MobilityStatus::Returned),
        _ => return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "page-bad-choice"),
    };
    if version != m.version {
        return super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict");
    }
    if m.status != from {
        let alert = ctx.t_args(
            "mobility-confirm-not-now",
            &[("status", FluentValue::from(ctx.t(&m.status.message_key())))],
        );
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
        Err(e) => store_error_page(&ctx, e),
    }
}

/// `GET /mobilities/overdue`: open items past their due date, oldest first, for the stays the
/// caller looks after.
pub async fn overdue(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let page_request = match ListQuery::parse(raw.as_deref(), &["due_on"], &[]) {
        Ok(q) => q.page,
        Err(_) => return super::error_page(&ctx, StatusCode::BAD_REQUEST, "page-invalid-filter"),
    };
    let today = liaison_storage::today();
    let page = match state
        .db
        .overdue_checklist_items(&reach(&ctx), today, &page_request)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let stays: Vec<Mobility> = page.items.iter().map(|o| o.mobility.clone()).collect();
    let names = match Names::of(&state, &stays).await {
        Ok(n) => n,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("checklist-overdue-title");
    let body = html! {
        p.breadcrumb { a href="/mobilities" { (ctx.t("mobilities-title")) } }
        h1 { (title) }
        p { (ctx.t("checklist-overdue-hint")) }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("checklist-overdue-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("mobility-person")) }
                    th scope="col" { (ctx.t("field-host-institution-id")) }
                    th scope="col" { (ctx.t("checklist-item")) }
                    th scope="col" { (ctx.t("checklist-due")) }
                    th scope="col" { (ctx.t("checklist-days-late")) }
                } }
                tbody { @for o in &page.items {
                    tr {
                        td { a href=(format!("/mobilities/{}#checklist", o.mobility.id)) { (names.person(&ctx, o.mobility.draft.person_id)) } }
                        td { (names.institution(&ctx, o.mobility.draft.host_institution_id)) }
                        td { (o.item.title.display(zh)) }
                        td { (iso_date::format(o.item.due_on)) }
                        td { ((today - o.item.due_on).whole_days()) }
                    }
                } }
            } }
            (pager(&ctx, &page_request, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

// ---- templates ----

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

/// `GET /checklists`: every template, one table per mobility type and direction.
pub async fn templates(State(state): State<AppState>, ctx: Ctx) -> Response {
    let all = match state.db.checklist_templates().await {
        Ok(t) => t,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("checklist-templates-title");
    let mut groups: Vec<(MobilityType, MobilityDirection, Vec<&TemplateItem>)> = Vec::new();
    for t in MobilityType::ALL {
        for d in MobilityDirection::ALL {
            let items: Vec<&TemplateItem> = all
                .iter()
                .filter(|i| i.draft.mobility_type == *t && i.draft.direction == *d)
                .collect();
            groups.push((*t, *d, items));
        }
    }
    let when = |t: &TemplateItemDraft| {
        let key = match (t.anchor, t.offset_days < 0) {
            (DueAnchor::Start, true) => "checklist-days-before-start",
            (DueAnchor::Start, false) => "checklist-days-after-start",
            (DueAnchor::End, true) => "checklist-days-before-end",
            (DueAnchor::End, false) => "checklist-days-after-end",
        };
        ctx.t_args(key, &[("days", FluentValue::from(t.offset_days.abs()))])
    };
    let body = html! {
        div.title-row {
            h1 { (title) }
            div.actions { a.button href="/checklists/new" { (ctx.t("checklist-template-new")) } }
        }
        p { (ctx.t("checklist-templates-hint")) }
        @for (t, d, items) in &groups {
            section {
                h2 { (ctx.t(&t.message_key())) " · " (ctx.t(&d.message_key())) }
                @if items.is_empty() { p.empty { (ctx.t("checklist-template-empty")) } }
                @else { div.table-wrap { table {
                    thead { tr {
                        th scope="col" { "#" }
                        th scope="col" { (ctx.t("checklist-item")) }
                        th scope="col" { (ctx.t("checklist-due")) }
                        th scope="col" { (ctx.t("checklist-file")) }
                        th scope="col" { span.visually-hidden { (ctx.t("checklist-actions")) } }
                    } }
                    tbody { @for i in items { tr {
                        td { (i.draft.position) }
                        td { (i.draft.title.display(zh)) }
                        td { (when(&i.draft)) }
                        td { @if i.draft.needs_upload { (ctx.t("checklist-file-needed")) } }
                        td {
                            a href=(format!("/checklists/{}/edit", i.id)) { (ctx.t("edit")) }
                            " · " a href=(format!("/checklists/{}/delete", i.id)) { (ctx.t("delete")) }
                        }
                    } } }
                } } }
            }
        }
    };
    super::page(&ctx, &title, body)
}

fn template_from_form(f: &FormData) -> Result<TemplateItemDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mobility_type = MobilityType::parse(f.get("mobility_type"));
    if mobility_type.is_none() {
        errors.push("mobility_type", "invalid-choice");
    }
    let direction = MobilityDirection::parse(f.get("direction"));
    if direction.is_none() {
        errors.push("direction", "invalid-choice");
    }
    let anchor = DueAnchor::parse(f.get("anchor"));
    if anchor.is_none() {
        errors.push("anchor", "invalid-choice");
    }
    let number = |name: &str, errors: &mut FieldErrors| -> i64 {
        match f.get(name).trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errors.push(name, "invalid-number");
                0
            }
        }
    };
    let position = number("position", &mut errors);
    let offset_days = number("offset_days", &mut errors);
    let draft = TemplateItemDraft {
        mobility_type: mobility_type.unwrap_or(MobilityType::StudentStudies),
        direction: direction.unwrap_or(MobilityDirection::Outgoing),
        position: if errors.get("position").is_some() {
            1
        } else {
            position
        },
        title: f.localized("title"),
        anchor: anchor.unwrap_or(DueAnchor::Start),
        offset_days: if errors.get("offset_days").is_some() {
            0
        } else {
            offset_days
        },
        needs_upload: f.get("needs_upload") == "1",
    };
    merge(errors, draft.validate())
}

fn template_to_form(d: &TemplateItemDraft) -> FormData {
    let mut f = FormData::default();
    f.set("mobility_type", d.mobility_type.as_str());
    f.set("direction", d.direction.as_str());
    f.set("position", d.position.to_string());
    f.set_localized("title", &d.title);
    f.set("anchor", d.anchor.as_str());
    f.set("offset_days", d.offset_days.to_string());
    if d.needs_upload {
        f.set("needs_upload", "1");
    }
    f
}

fn template_form_page(
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
    let types = options(
        ctx,
        MobilityType::ALL,
        MobilityType::as_str,
        MobilityType::message_key,
    );
    let directions = options(
        ctx,
        MobilityDirection::ALL,
        MobilityDirection::as_str,
        MobilityDirection::message_key,
    );
    let anchors = options(
        ctx,
        DueAnchor::ALL,
        DueAnchor::as_str,
        DueAnchor::message_key,
    );
    let body = html! {
        p.breadcrumb { a href="/checklists" { (ctx.t("checklist-templates-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.select("mobility_type", "field-mobility-type", &types, None))
            (f.select("direction", "field-direction", &directions, None))
            (f.localized("title", "checklist-item", true, false))
            (f.input("position", "checklist-order", "number", true))
            (f.select("anchor", "field-anchor", &anchors, None))
            (f.input("offset_days", "field-offset-days", "number", true))
            p.hint { (ctx.t("checklist-offset-hint")) }
            div.field { label.check {
                input type="checkbox" name="needs_upload" value="1" checked[values.get("needs_upload") == "1"];
                " " (ctx.t("field-needs-upload"))
            } }
            div.actions {
                button type="submit" { (ctx.t("save")) }
                " " a.button.secondary href="/checklists" { (ctx.t("cancel")) }
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

pub async fn new_template_form(ctx: Ctx) -> Response {
    let values = template_to_form(&TemplateItemDraft {
        mobility_type: MobilityType::StudentStudies,
        direction: MobilityDirection::Outgoing,
        position: 1,
        title: LocalizedText::default(),
        anchor: DueAnchor::Start,
        offset_days: -30,
        needs_upload: false,
    });
    template_form_page(
        &ctx,
        &ctx.t("checklist-template-new"),
        "/checklists",
        &values,
        &FieldErrors::default(),
        false,
    )
}

pub async fn create_template(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let title = ctx.t("checklist-template-new");
    let draft = match template_from_form(&values) {
        Ok(d) => d,
        Err(errors) => {
            return template_form_page(&ctx, &title, "/checklists", &values, &errors, false)
        }
    };
    match state
        .db
        .create_checklist_template_item(&actor(&ctx), &draft)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, "/checklists", "flash-saved"),
        Err(StoreError::Invalid(errors)) => {
            template_form_page(&ctx, &title, "/checklists", &values, &errors, false)
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load_template(state: &AppState, ctx: &Ctx, id: &str) -> Result<TemplateItem, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    state
        .db
        .checklist_template_item(id)
        .await
        .map_err(|e| store_error_page(ctx, e))
}

pub async fn edit_template_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let t = match load_template(&state, &ctx, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let mut values = template_to_form(&t.draft);
    values.set("version", t.version.to_string());
    template_form_page(
        &ctx,
        &ctx.t("checklist-template-edit"),
        &format!("/checklists/{}/edit", t.id),
        &values,
        &FieldErrors::default(),
        false,
    )
}

pub async fn update_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let t = match load_template(&state, &ctx, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let action = format!("/checklists/{}/edit", t.id);
    let title = ctx.t("checklist-template-edit");
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let draft = match template_from_form(&values) {
        Ok(d) => d,
        Err(errors) => return template_form_page(&ctx, &title, &action, &values, &errors, false),
    };
    match state
        .db
        .update_checklist_template_item(&actor(&ctx), t.id, version, &draft)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, "/checklists", "flash-saved"),
        Err(StoreError::Conflict { .. }) => template_form_page(
            &ctx,
            &title,
            &action,
            &values,
            &FieldErrors::default(),
            true,
        ),
        Err(StoreError::Invalid(errors)) => {
            template_form_page(&ctx, &title, &action, &values, &errors, false)
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let t = match load_template(&state, &ctx, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let name = t.draft.title.display(ctx.lang.is_chinese()).to_string();
    confirm_delete_page(
        &ctx,
        &ctx.t_args(
            "checklist-template-delete-title",
            &[("item", FluentValue::from(name))],
        ),
        html! { p { (ctx.t("checklist-template-delete-warning")) } },
        &format!("/checklists/{}/delete", t.id),
        t.version,
        "/checklists",
    )
}

pub async fn delete_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let t = match load_template(&state, &ctx, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state
        .db
        .delete_checklist_template_item(&actor(&ctx), t.id, version)
        .await
    {
        Ok(()) => redirect_with_flash(&ctx, "/checklists", "flash-checklist-item-deleted"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

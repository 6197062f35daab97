//! The e-mail outbox for administrators: what was queued, sent or given up, with each message
//! readable in full. Without `--smtp-url` nothing is sent and this page is where the links are.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{pager, parse_path_id, Form, FormData};
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::{FieldErrors, PageRequest};
use liaison_storage::{MailStatus, OutboxMessage};

fn status_badge(ctx: &Ctx, m: &OutboxMessage) -> Markup {
    let (class, key) = match m.status {
        MailStatus::Sent => ("badge status-active", "outbox-status-sent"),
        MailStatus::Failed => ("badge danger", "outbox-status-failed"),
        MailStatus::Queued if m.attempts > 0 => ("badge status-dormant", "outbox-status-retrying"),
        MailStatus::Queued => ("badge", "outbox-status-queued"),
    };
    html! { span class=(class) { (ctx.t(key)) } }
}

fn when(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let mut status = None;
    let mut page_raw = None;
    let mut invalid = false;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "status" if v.is_empty() => {}
            "status" => match MailStatus::parse(&v) {
                Some(s) => status = Some(s),
                None => invalid = true,
            },
            "page" => page_raw = Some(v.into_owned()),
            "lang" => {}
            _ => invalid = true,
        }
    }
    let page = PageRequest::parse(page_raw.as_deref(), None).unwrap_or_else(|_| {
        invalid = true;
        PageRequest::default()
    });
    let found = match state.db.outbox(status, &page).await {
        Ok(f) => f,
        Err(e) => return store_error_page(&ctx, e),
    };
    let mut values = FormData::default();
    values.set_opt("status", status.map(MailStatus::as_str));
    let no_errors = FieldErrors::default();
    let f = Form {
        ctx: &ctx,
        values: &values,
        errors: &no_errors,
    };
    let options: Vec<(String, String)> = ["queued", "sent", "failed"]
        .iter()
        .map(|s| (s.to_string(), ctx.t(&format!("outbox-status-{s}"))))
        .collect();
    let title = ctx.t("outbox-title");
    let body = html! {
        p.breadcrumb { a href="/users" { (ctx.t("users-title")) } }
        h1 { (title) }
        p.hint { (ctx.t("outbox-help")) }
        form.filters method="get" action="/outbox" {
            (f.select("status", "outbox-col-status", &options, Some("filter-any")))
            div.actions { button type="submit" { (ctx.t("search")) } " " a href="/outbox" { (ctx.t("filter-clear")) } }
        }
        @if invalid { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if found.items.is_empty() {
            div.empty { p { (ctx.t("outbox-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(found.total))])) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("outbox-col-to")) }
                    th scope="col" { (ctx.t("outbox-col-subject")) }
                    th scope="col" { (ctx.t("outbox-col-created")) }
                    th scope="col" { (ctx.t("outbox-col-attempts")) }
                    th scope="col" { (ctx.t("outbox-col-status")) }
                } }
                tbody { @for m in &found.items { tr {
                    td { (m.to_addr) }
                    td { a href=(format!("/outbox/{}", m.id)) { (m.subject) } }
                    td { (when(&m.created_at)) }
                    td { (m.attempts) }
                    td { (status_badge(&ctx, m)) }
                } } }
            } }
            (pager(&ctx, &page, found.total))
        }
    };
    super::page(&ctx, &title, body)
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let m = match state.db.outbox_message(id).await {
        Ok(m) => m,
        Err(e) => return store_error_page(&ctx, e),
    };
    let body = html! {
        p.breadcrumb { a href="/outbox" { (ctx.t("outbox-title")) } }
        h1 { (m.subject) }
        dl.details {
            div { dt { (ctx.t("outbox-col-to")) } dd { (m.to_addr) } }
            div { dt { (ctx.t("outbox-col-status")) } dd { (status_badge(&ctx, &m)) } }
            div { dt { (ctx.t("outbox-col-created")) } dd { (when(&m.created_at)) } }
            div { dt { (ctx.t("outbox-col-attempts")) } dd { (m.attempts) } }
            @if let Some(s) = &m.sent_at { div { dt { (ctx.t("outbox-col-sent")) } dd { (when(s)) } } }
            @if m.status == MailStatus::Queued && m.attempts > 0 {
                div { dt { (ctx.t("outbox-col-next")) } dd { (when(&m.next_attempt_at)) } }
            }
            @if let Some(e) = &m.last_error { div { dt { (ctx.t("outbox-col-error")) } dd { (e) } } }
        }
        pre.mail-body lang=(m.lang) { (m.body_text) }
    };
    super::page(&ctx, &m.subject, body)
}

//! The audit log viewer: who changed what and when, filtered, paged, with a before/after diff of
//! each entry, and its CSV export. Read only.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentValue;
use maud::{html, Markup};
use serde_json::Value;

use super::institutions::store_error_page;
use super::{pager, Form, FormData};
use crate::api::audit::AuditQuery;
use crate::auth::Ctx;
use crate::AppState;
use liaison_storage::{AuditColumn, AuditEntry};

/// Actions the viewer offers in its filter (storage writes these; others are shown as stored).
const ACTIONS: &[&str] = &["create", "update", "delete", "anonymise", "export"];

/// Bookkeeping fields every update changes; the diff leaves them out.
const BOOKKEEPING: &[&str] = &["id", "version", "created_at", "updated_at"];

/// One changed top-level field of an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Change<'a> {
    pub field: &'a str,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The top-level fields that differ between `before` and `after`. A creation lists the fields it
/// set (after only), a deletion the fields it removed (before only).
pub fn diff<'a>(before: Option<&'a Value>, after: Option<&'a Value>) -> Vec<Change<'a>> {
    let fields = |v: Option<&'a Value>| -> Vec<&'a str> {
        v.and_then(Value::as_object)
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let mut names = fields(before);
    for name in fields(after) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut changes: Vec<Change<'a>> = Vec::new();
    for name in names {
        if BOOKKEEPING.contains(&name) {
            continue;
        }
        let b = before.and_then(|v| v.get(name)).filter(|v| !is_blank(v));
        let a = after.and_then(|v| v.get(name)).filter(|v| !is_blank(v));
        if b != a {
            changes.push(Change {
                field: name,
                before: b,
                after: a,
            });
        }
    }
    changes
}

/// A stored value as a person reads it: text as is, lists joined, texts in several languages
/// side by side.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(o)
            if !o.is_empty()
                && o.iter()
                    .all(|(k, v)| ["en", "zh", "local"].contains(&k.as_str()) && v.is_string()) =>
        {
            ["en", "zh", "local"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(" / ")
        }
        other => other.to_string(),
    }
}

/// A catalogue message if the catalogue has one, else the raw value (e.g. an entity a later
/// issue adds before its name is translated).
fn label(ctx: &Ctx, key: &str, raw: &str) -> String {
    if ctx.i18n.has(ctx.lang, key) {
        ctx.t(key)
    } else {
        raw.to_string()
    }
}

/// A field's name: the viewer's own label (`audit-field-…`), else the forms' (`field-…`).
fn field_label(ctx: &Ctx, field: &str) -> String {
    let key = field.replace('_', "-");
    let own = format!("audit-field-{key}");
    if ctx.i18n.has(ctx.lang, &own) {
        ctx.t(&own)
    } else {
        label(ctx, &format!("field-{key}"), field)
    }
}

/// The catalogue prefix of a closed set a field holds (`kind` → `kind-university`).
fn value_prefix(entity: &str, field: &str) -> Option<&'static str> {
    Some(match (entity, field) {
        ("org_unit", "kind") => "unit-kind",
        (_, "kind") => "kind",
        (_, "status") => "status",
        (_, "region_tags") => "region",
        (_, "role") => "role",
        _ => return None,
    })
}

/// A stored value in the viewer's language where it is a known code (kinds, statuses, roles,
/// countries, yes/no); otherwise as `show` renders it.
fn show_value(ctx: &Ctx, entity: &str, field: &str, v: &Value) -> String {
    let code = |s: &str| -> String {
        if field == "country" {
            if let Some(c) = liaison_domain::CountryCode::parse(s) {
                return c.name(ctx.lang.is_chinese()).to_string();
            }
        }
        match value_prefix(entity, field) {
            Some(prefix) => label(ctx, &format!("{prefix}-{}", s.replace('_', "-")), s),
            None => s.to_string(),
        }
    };
    match v {
        Value::Bool(true) => ctx.t("audit-value-yes"),
        Value::Bool(false) => ctx.t("audit-value-no"),
        Value::String(s) => code(s),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(code)
            .collect::<Vec<_>>()
            .join(", "),
        other => show(other),
    }
}

fn entity_label(ctx: &Ctx, entity: &str) -> String {
    label(
        ctx,
        &format!("audit-entity-{}", entity.replace('_', "-")),
        entity,
    )
}

fn action_label(ctx: &Ctx, action: &str) -> String {
    label(ctx, &format!("audit-action-{action}"), action)
}

/// Where the record an entry is about can be seen, if it has a page.
fn record_href(entity: &str, id: &str) -> Option<String> {
    let base = match entity {
        "person" => "/people",
        "institution" => "/institutions",
        "org_unit" => "/org-units",
        _ => return None,
    };
    id.parse::<i64>().ok().map(|id| format!("{base}/{id}"))
}

fn value_cell(ctx: &Ctx, entity: &str, field: &str, v: Option<&Value>) -> Markup {
    html! {
        td {
            @match v {
                Some(v) => { (show_value(ctx, entity, field, v)) }
                None => { span.muted { (ctx.t("audit-empty-value")) } }
            }
        }
    }
}

fn changes(ctx: &Ctx, e: &AuditEntry) -> Markup {
    let list = diff(e.before.as_ref(), e.after.as_ref());
    let (show_before, show_after) = (e.before.is_some(), e.after.is_some());
    html! {
        @if list.is_empty() {
            span.muted { (ctx.t("audit-no-changes")) }
        } @else {
            table.diff {
                thead { tr {
                    th scope="col" { (ctx.t("audit-diff-field")) }
                    @if show_before { th scope="col" { (ctx.t("audit-diff-before")) } }
                    @if show_after { th scope="col" { (ctx.t("audit-diff-after")) } }
                } }
                tbody { @for c in &list { tr {
                    th scope="row" { (field_label(ctx, c.field)) }
                    @if show_before { (value_cell(ctx, &e.entity, c.field, c.before)) }
                    @if show_after { (value_cell(ctx, &e.entity, c.field, c.after)) }
                } } }
            }
        }
    }
}

/// `2024-05-08T09:30:00.123456Z` → `2024-05-08 09:30:00 UTC`.
fn when(at: &str) -> String {
    match at.get(..19) {
        Some(head) => format!("{} UTC", head.replace('T', " ")),
        None => at.to_string(),
    }
}

/// The current filters as a query string, without paging and language.
fn filter_query(query: &AuditQuery) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query.values.iter().filter(|(_, v)| !v.is_empty()))
        .finish()
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let query = AuditQuery::parse(raw.as_deref());
    let page = match state.db.audit_search(&query.search, &query.page).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let entities = match state.db.audit_values(AuditColumn::Entity, 100).await {
        Ok(v) => v,
        Err(e) => return store_error_page(&ctx, e),
    };
    let mut values = FormData::default();
    for (k, v) in &query.values {
        values.set(k, v.clone());
    }
    let f = Form {
        ctx: &ctx,
        values: &values,
        errors: &query.errors,
    };
    let mut entity_options: Vec<(String, String)> = entities
        .iter()
        .map(|e| (e.clone(), entity_label(&ctx, e)))
        .collect();
    let mut action_options: Vec<(String, String)> = ACTIONS
        .iter()
        .map(|a| (a.to_string(), action_label(&ctx, a)))
        .collect();
    for (options, name) in [
        (&mut entity_options, "entity"),
        (&mut action_options, "action"),
    ] {
        let current = query.value(name);
        if !current.is_empty() && !options.iter().any(|(v, _)| v == current) {
            options.push((current.to_string(), current.to_string()));
        }
    }
    let filters = filter_query(&query);
    let csv_href = if filters.is_empty() {
        "/audit.csv".to_string()
    } else {
        format!("/audit.csv?{filters}")
    };
    let title = ctx.t("audit-title");
    let body = html! {
        div.title-row {
            h1 { (title) }
            a.button.secondary href=(csv_href) download { (ctx.t("audit-export-csv")) }
        }
        p.lead { (ctx.t("audit-lead")) }
        form.filters method="get" action="/audit" role="search" {
            (f.input("actor", "audit-filter-actor", "text", false))
            (f.select("entity", "audit-filter-entity", &entity_options, Some("filter-any")))
            (f.input("entity_id", "audit-filter-entity-id", "text", false))
            (f.select("action", "audit-filter-action", &action_options, Some("filter-any")))
            (f.input("from", "audit-filter-from", "date", false))
            (f.input("to", "audit-filter-to", "date", false))
            div.actions { button type="submit" { (ctx.t("filter-apply")) } " " a href="/audit" { (ctx.t("filter-clear")) } }
        }
        @if !query.errors.is_empty() { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("audit-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table.audit {
                thead { tr {
                    th scope="col" { (ctx.t("audit-col-at")) }
                    th scope="col" { (ctx.t("audit-col-actor")) }
                    th scope="col" { (ctx.t("audit-col-action")) }
                    th scope="col" { (ctx.t("audit-col-record")) }
                    th scope="col" { (ctx.t("audit-col-changes")) }
                } }
                tbody { @for e in &page.items { tr {
                    td { time datetime=(e.at) { (when(&e.at)) } }
                    td { (e.actor) }
                    td { (action_label(&ctx, &e.action)) }
                    td {
                        (entity_label(&ctx, &e.entity)) " "
                        @match record_href(&e.entity, &e.entity_id) {
                            Some(href) => { a href=(href) { "#" (e.entity_id) } }
                            None => { "#" (e.entity_id) }
                        }
                    }
                    td { (changes(&ctx, e)) }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

/// `GET /audit.csv`: the entries the same filters select, as CSV (newest first).
pub async fn csv(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let query = AuditQuery::parse(raw.as_deref());
    if !query.errors.is_empty() {
        return super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-filter",
        );
    }
    let (body, truncated) = match crate::api::audit::csv(&state, &query.search).await {
        Ok(x) => x,
        Err(e) => return store_error_page(&ctx, e),
    };
    let day = time::OffsetDateTime::now_utc().date();
    let disposition = format!("attachment; filename=\"audit-log-{day}.csv\"");
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).expect("the file name is ASCII"),
    );
    if truncated {
        headers.insert("x-truncated", HeaderValue::from_static("true"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields() {
        let before = json!({"id": "1", "name": {"en": "A"}, "emails": ["a@x.org"], "version": 1});
        let after = json!({"id": "1", "name": {"en": "B"}, "emails": ["a@x.org"], "version": 2});
        let d = diff(Some(&before), Some(&after));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "name");
        assert_eq!(show(d[0].before.unwrap()), "A");
        assert_eq!(show(d[0].after.unwrap()), "B");
        let created = diff(None, Some(&after));
        assert_eq!(
            created.iter().map(|c| c.field).collect::<Vec<_>>(),
            ["emails", "name"],
            "in the order stored (alphabetical)"
        );
        assert!(created.iter().all(|c| c.before.is_none()));
        let deleted = diff(Some(&before), None);
        assert!(deleted.iter().all(|c| c.after.is_none()));
        assert_eq!(show(&json!({"en": "Wang", "zh": "王"})), "Wang / 王");
    }
}

//! Account pages for administrators: the list, inviting someone, one account with its edit form
//! (role, scope, display name, disabled) and sending a password-reset link.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{csrf_input, pager, parse_path_id, redirect_with_flash, sort_header, Form, FormData};
use crate::api::institutions::actor;
use crate::api::users::filter_from;
use crate::api::ListQuery;
use crate::auth::Ctx;
use crate::i18n::Lang;
use crate::mail::{self, InviteRequest, IssuedLink};
use crate::AppState;
use liaison_domain::account::{self, AccountScope};
use liaison_domain::{FieldErrors, PageRequest, Role, Sort};
use liaison_storage::{StoreError, User, UserChanges, USER_SORTS};

fn role_options(ctx: &Ctx) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), ctx.t(&r.message_key())))
        .collect()
}

fn lang_options(ctx: &Ctx) -> Vec<(String, String)> {
    account::LANGS
        .iter()
        .map(|l| (l.to_string(), ctx.t(&format!("lang-name-{l}"))))
        .collect()
}

/// Every institution by name, for the scope picker.
async fn institution_options(
    state: &AppState,
    ctx: &Ctx,
) -> Result<Vec<(String, String)>, StoreError> {
    let sort = Sort {
        field: "name",
        descending: false,
    };
    let zh = ctx.lang.is_chinese();
    let mut out = Vec::new();
    for page in 1..=20 {
        let request = PageRequest {
            page,
            per_page: liaison_domain::paging::MAX_PER_PAGE,
        };
        let found = state
            .db
            .institutions(
                &liaison_domain::Scope::All,
                &Default::default(),
                &sort,
                &request,
            )
            .await?;
        out.extend(
            found
                .items
                .iter()
                .map(|i| (i.id.to_string(), i.draft.name.display(zh).to_string())),
        );
        if out.len() as i64 >= found.total || found.items.is_empty() {
            break;
        }
    }
    Ok(out)
}

/// `3, 5 7` → ids; anything else is an error on `unit_ids`.
fn parse_ids(raw: &str, errors: &mut FieldErrors) -> Vec<i64> {
    let mut out = Vec::new();
    for part in raw
        .split([',', ';', ' ', '\n'])
        .filter(|p| !p.trim().is_empty())
    {
        match part.trim().parse::<i64>() {
            Ok(id) if id > 0 => out.push(id),
            _ => {
                errors.push("unit_ids", "invalid-type");
                return out;
            }
        }
    }
    out
}

/// Role and scope from a form; only the scope parts the role uses are kept (the form shows all).
fn role_and_scope(f: &FormData, errors: &mut FieldErrors) -> Option<(Role, AccountScope)> {
    let role = Role::parse(f.get("role"));
    if role.is_none() {
        errors.push("role", "invalid-choice");
    }
    let scope = AccountScope {
        institution_id: f.id("institution_id", "institution_id", errors),
        unit_ids: parse_ids(f.get("unit_ids"), errors),
        person_id: f.id("person_id", "person_id", errors),
    };
    let role = role?;
    let scope = scope.for_role(role);
    if let Err(e) = account::check_scope(role, &scope) {
        errors.0.extend(e.0);
    }
    Some((role, scope))
}

fn scope_fields(ctx: &Ctx, f: &Form<'_>, institutions: &[(String, String)]) -> Markup {
    html! {
        fieldset {
            legend { (ctx.t("user-scope")) }
            p.hint { (ctx.t("user-scope-hint")) }
            (f.select("institution_id", "field-institution-id", institutions, Some("unit-none")))
            (f.input("unit_ids", "field-unit-ids", "text", false))
            (f.input("person_id", "field-person-id", "text", false))
        }
    }
}

fn scope_summary(ctx: &Ctx, user: &User) -> Markup {
    html! {
        @if let Some(i) = user.institution_id {
            a href=(format!("/institutions/{i}")) { (ctx.t("field-institution")) " #" (i) }
        }
        @for u in &user.unit_ids {
            " " a href=(format!("/org-units/{u}")) { (ctx.t("field-unit")) " #" (u) }
        }
        @if let Some(p) = user.person_id {
            " " a href=(format!("/people/{p}")) { (ctx.t("user-person")) " #" (p) }
        }
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let filters = crate::api::users::FILTERS;
    let parsed = ListQuery::parse(raw.as_deref(), USER_SORTS, filters)
        .and_then(|q| filter_from(&q).map(|f| (q, f)));
    let ((query, filter), query_error) = match parsed {
        Ok(x) => (x, false),
        Err(_) => {
            let q = ListQuery::parse(None, USER_SORTS, filters).expect("defaults parse");
            let f = filter_from(&q).expect("defaults parse");
            ((q, f), true)
        }
    };
    let page = match state.db.users_page(&filter, &query.sort, &query.page).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let pending = match state.db.pending_invitations(50).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let mut values = FormData::default();
    values.set_opt("q", query.q.as_deref());
    values.set_opt("role", filter.role.map(|r| r.as_str()));
    let no_errors = FieldErrors::default();
    let f = Form {
        ctx: &ctx,
        values: &values,
        errors: &no_errors,
    };
    let title = ctx.t("users-title");
    let body = html! {
        div.title-row {
            h1 { (title) }
            div.actions {
                a.button href="/users/invite" { (ctx.t("user-invite")) }
                " " a.button.secondary href="/outbox" { (ctx.t("outbox-title")) }
            }
        }
        form.filters method="get" action="/users" role="search" {
            div.field.grow {
                label for="q" { (ctx.t("search")) }
                input #q type="search" name="q" value=(values.get("q")) placeholder=(ctx.t("users-search-hint"));
            }
            (f.select("role", "field-role", &role_options(&ctx), Some("filter-any")))
            div.actions { button type="submit" { (ctx.t("search")) } " " a href="/users" { (ctx.t("filter-clear")) } }
        }
        @if query_error { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("users-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    (sort_header(&ctx, "email", "field-email", &query.sort))
                    th scope="col" { (ctx.t("field-display-name")) }
                    (sort_header(&ctx, "role", "field-role", &query.sort))
                    th scope="col" { (ctx.t("user-scope")) }
                    th scope="col" { (ctx.t("user-status")) }
                } }
                tbody { @for u in &page.items { tr {
                    td { a href=(format!("/users/{}", u.id)) { (u.email) } }
                    td { (u.display_name.as_deref().unwrap_or("")) }
                    td { (ctx.t(&u.role.message_key())) }
                    td { (scope_summary(&ctx, u)) }
                    td { @if u.disabled { span.badge.danger { (ctx.t("user-disabled")) } } @else { (ctx.t("user-active")) } }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
        @if !pending.is_empty() {
            h2 { (ctx.t("users-pending")) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("field-email")) }
                    th scope="col" { (ctx.t("field-role")) }
                    th scope="col" { (ctx.t("invitation-expires")) }
                } }
                tbody { @for i in &pending { tr {
                    td { (i.email) }
                    td { @if let Some(r) = i.role { (ctx.t(&r.message_key())) } }
                    td { (i.expires_at.get(..16).unwrap_or(&i.expires_at).replace('T', " ")) }
                } } }
            } }
        }
    };
    super::page(&ctx, &title, body)
}

async fn invite_page(
    state: &AppState,
    ctx: &Ctx,
    values: &FormData,
    errors: &FieldErrors,
) -> Response {
    let institutions = match institution_options(state, ctx).await {
        Ok(i) => i,
        Err(e) => return store_error_page(ctx, e),
    };
    let f = Form {
        ctx,
        values,
        errors,
    };
    let title = ctx.t("user-invite");
    let body = html! {
        p.breadcrumb { a href="/users" { (ctx.t("users-title")) } }
        h1 { (title) }
        p { (ctx.t_args("user-invite-intro", &[("days", FluentValue::from(account::INVITATION_DAYS))])) }
        (f.summary())
        form.record method="post" action="/users/invite" novalidate {
            (csrf_input(ctx))
            (f.input("email", "field-email", "email", true))
            (f.select("role", "field-role", &role_options(ctx), None))
            (scope_fields(ctx, &f, &institutions))
            (f.select("lang", "field-lang", &lang_options(ctx), None))
            div.actions {
                button type="submit" { (ctx.t("user-invite-send")) }
                " " a.button.secondary href="/users" { (ctx.t("cancel")) }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

pub async fn invite_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    let mut values = FormData::default();
    values.set("role", Role::Staff.as_str());
    values.set("lang", "en");
    invite_page(&state, &ctx, &values, &FieldErrors::default()).await
}

/// The page after a link was issued: says where it went and shows the link once.
fn issued_page(ctx: &Ctx, title_key: &str, issued: &IssuedLink, back: &str) -> Response {
    let title = ctx.t(title_key);
    let body = html! {
        h1 { (title) }
        p.flash role="status" { (ctx.t_args("link-queued", &[("email", FluentValue::from(issued.invitation.email.as_str()))])) }
        p { (ctx.t("link-show-once")) }
        p { code.link-once { (issued.url) } }
        p { a.button href=(back) { (ctx.t("back")) } " " a.button.secondary href="/outbox" { (ctx.t("outbox-title")) } }
    };
    super::page(ctx, &title, body)
}

pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let values = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    let email = account::email("email", values.get("email"), &mut errors);
    let role_scope = role_and_scope(&values, &mut errors);
    let lang = account::parse_lang(values.get("lang")).and_then(Lang::parse);
    if lang.is_none() {
        errors.push("lang", "invalid-choice");
    }
    let (Some((role, scope)), Some(lang), true) = (role_scope, lang, errors.is_empty()) else {
        return invite_page(&state, &ctx, &values, &errors).await;
    };
    let request = InviteRequest {
        email,
        role,
        scope,
        lang,
    };
    match mail::invite(&state, &ctx, &headers, &request).await {
        Ok(issued) => issued_page(&ctx, "user-invited", &issued, "/users"),
        Err(StoreError::Invalid(errors)) => invite_page(&state, &ctx, &values, &errors).await,
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<User, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    state
        .db
        .user(id)
        .await
        .map_err(|e| store_error_page(ctx, e))
}

fn to_form(user: &User) -> FormData {
    let mut f = FormData::default();
    f.set("role", user.role.as_str());
    f.set_opt(
        "institution_id",
        user.institution_id.map(|i| i.to_string()).as_deref(),
    );
    let units: Vec<String> = user.unit_ids.iter().map(|u| u.to_string()).collect();
    f.set("unit_ids", units.join(", "));
    f.set_opt(
        "person_id",
        user.person_id.map(|i| i.to_string()).as_deref(),
    );
    f.set_opt("display_name", user.display_name.as_deref());
    if user.disabled {
        f.set("disabled", "on");
    }
    f.set("version", user.version.to_string());
    f
}

async fn user_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let institutions = match institution_options(state, ctx).await {
        Ok(i) => i,
        Err(e) => return store_error_page(ctx, e),
    };
    let f = Form {
        ctx,
        values,
        errors,
    };
    let action = format!("/users/{}/edit", user.id);
    let title = user.email.clone();
    let body = html! {
        p.breadcrumb { a href="/users" { (ctx.t("users-title")) } }
        div.title-row {
            h1 { (user.email) }
            @if user.disabled { span.badge.danger { (ctx.t("user-disabled")) } }
        }
        dl.details {
            div { dt { (ctx.t("field-role")) } dd { (ctx.t(&user.role.message_key())) } }
            div { dt { (ctx.t("user-scope")) } dd { (scope_summary(ctx, user)) } }
            div { dt { (ctx.t("field-lang")) } dd { (user.preferred_lang.as_deref().map(|l| ctx.t(&format!("lang-name-{l}"))).unwrap_or_default()) } }
            div { dt { (ctx.t("user-created")) } dd { (user.created_at.get(..10).unwrap_or(&user.created_at)) } }
        }
        h2 { (ctx.t("user-edit")) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(format!("/users/{}", user.id)) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            input type="hidden" name="version" value=(values.get("version"));
            (f.input("display_name", "field-display-name", "text", false))
            (f.select("role", "field-role", &role_options(ctx), None))
            (scope_fields(ctx, &f, &institutions))
            div.field.invalid[errors.get("disabled").is_some()] {
                label.check {
                    input type="checkbox" id="disabled" name="disabled" checked[!values.get("disabled").is_empty()];
                    " " (ctx.t("user-disable-label"))
                }
                @if let Some(e) = errors.get("disabled") { p.error id="disabled-error" { (ctx.t(&format!("error-{}", e.code))) } }
            }
            div.actions { button type="submit" { (ctx.t("save")) } }
        }
        h2 { (ctx.t("user-reset-title")) }
        p { (ctx.t_args("user-reset-help", &[("hours", FluentValue::from(account::RESET_DAYS * 24))])) }
        form method="post" action=(format!("/users/{}/reset-password", user.id)) {
            (csrf_input(ctx))
            button.secondary type="submit" { (ctx.t("user-reset-send")) }
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

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let user = match load(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let values = to_form(&user);
    user_page(&state, &ctx, &user, &values, &FieldErrors::default(), false).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let user = match load(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let mut errors = FieldErrors::default();
    let display_name = account::display_name(
        "display_name",
        Some(values.get("display_name")),
        &mut errors,
    );
    let role_scope = role_and_scope(&values, &mut errors);
    let result = match role_scope {
        Some((role, scope)) if errors.is_empty() => {
            let changes = UserChanges {
                role,
                scope,
                display_name,
                disabled: !values.get("disabled").is_empty(),
            };
            state
                .db
                .update_user(&actor(&ctx), user.id, version, &changes)
                .await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(u) => redirect_with_flash(&ctx, &format!("/users/{}", u.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            user_page(&state, &ctx, &user, &values, &FieldErrors::default(), true).await
        }
        Err(StoreError::Invalid(errors)) => {
            user_page(&state, &ctx, &user, &values, &errors, false).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let user = match load(&state, &ctx, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match mail::password_reset(&state, &ctx, &headers, &user).await {
        Ok(issued) => issued_page(
            &ctx,
            "user-reset-sent",
            &issued,
            &format!("/users/{}", user.id),
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

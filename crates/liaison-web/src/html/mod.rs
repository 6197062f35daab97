//! Server-rendered pages. One layout, a few form and list helpers; each entity's pages live in
//! their own module. Every string comes from the catalogue through `Ctx::t`.

pub mod action_items;
pub mod agreements;
pub mod audit;
pub mod campaigns;
pub mod checklists;
pub mod documents;
pub mod enterprise;
pub mod events;
pub mod exchange;
pub mod field_trips;
pub mod home;
pub mod institutions;
pub mod invitations;
pub mod login;
pub mod mobilities;
pub mod news;
pub mod newsroom;
pub mod nominations;
pub mod org_units;
pub mod outbox;
pub mod people;
pub mod personal_data;
pub mod profile;
pub mod programme;
pub mod reports;
pub mod skill_picker;
pub mod supervision;
pub mod transfer;
pub mod users;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::auth::{set_cookie, Ctx, CSRF_FIELD, FLASH_COOKIE};
use liaison_domain::{FieldErrors, LocalizedText, PageRequest};

pub async fn healthz() -> &'static str {
    "ok"
}

const APP_CSS: &str = include_str!("../../static/app.css");

pub async fn static_file(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "app.css" => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            APP_CSS,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The current URL with `lang` set, for the language switch.
fn with_lang(ctx: &Ctx, lang: &str) -> String {
    let mut params: Vec<(String, String)> = form_urlencoded::parse(ctx.query.as_bytes())
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.push(("lang".into(), lang.into()));
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("{}?{query}", ctx.path)
}

pub fn csrf_input(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf); }
}

/// The page layout: header, navigation, language switch, flash message, main content.
pub fn layout(ctx: &Ctx, title: &str, content: Markup) -> Markup {
    let mut nav = vec![
        ("/", "nav-home"),
        ("/institutions", "nav-institutions"),
        ("/people", "nav-people"),
    ];
    if ctx
        .user
        .as_ref()
        .is_some_and(|u| liaison_domain::access::allows(u.role, liaison_domain::Action::ReadEvents))
    {
        nav.push(("/events", "nav-events"));
    }
    nav.push(("/action-items", "nav-action-items"));
    if ctx.user.as_ref().is_some_and(|u| {
        liaison_domain::access::allows(u.role, liaison_domain::Action::ReadAgreements)
    }) {
        nav.push(("/agreements", "nav-agreements"));
    }
    if let Some(u) = ctx.user.as_ref() {
        use liaison_domain::access::allows as may;
        if may(u.role, liaison_domain::Action::ReadPositions) {
            nav.push(("/positions", "nav-positions"));
        }
        if may(u.role, liaison_domain::Action::ReadTalent) {
            nav.push(("/placements", "nav-placements"));
        }
        if u.role == liaison_domain::Role::Student {
            nav.push(("/my-profile", "nav-my-profile"));
        }
        if may(u.role, liaison_domain::Action::ManageOutcomes) {
            nav.push(("/outcomes", "nav-outcomes"));
        }
        if may(u.role, liaison_domain::Action::ReadCampaigns) {
            nav.push(("/campaigns", "nav-campaigns"));
        }
        if may(u.role, liaison_domain::Action::ReadCalls) {
            nav.push(("/calls", "nav-calls"));
        }
        if may(u.role, liaison_domain::Action::ReadMobilities) {
            nav.push((
                "/mobilities",
                if u.role == liaison_domain::Role::Student {
                    "nav-my-mobilities"
                } else {
                    "nav-mobilities"
                },
            ));
        }
    }
    if ctx.user.as_ref().is_some_and(|u| {
        liaison_domain::access::allows(u.role, liaison_domain::Action::ViewReports)
    }) {
        nav.push(("/reports", "nav-reports"));
    }
    if ctx
        .user
        .as_ref()
        .is_some_and(|u| liaison_domain::access::allows(u.role, liaison_domain::Action::ReadNews))
    {
        nav.push(("/newsroom", "nav-newsroom"));
    }
    if ctx
        .user
        .as_ref()
        .is_some_and(|u| liaison_domain::access::allows(u.role, liaison_domain::Action::ReadAudit))
    {
        nav.push(("/audit", "nav-audit"));
    }
    if ctx.user.as_ref().is_some_and(|u| {
        liaison_domain::access::allows(u.role, liaison_domain::Action::ManageUsers)
    }) {
        nav.push(("/users", "nav-users"));
    }
    nav.push(("/profile", "nav-profile"));
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (ctx.t("app-name")) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a.skip href="#main" { (ctx.t("skip-to-content")) }
                header.top {
                    a.brand href="/" { (ctx.t("app-name")) }
                    @if ctx.user.is_some() {
                        nav aria-label=(ctx.t("nav-label")) {
                            @for (href, key) in nav {
                                @let current = if href == "/" { ctx.path == "/" } else { ctx.path.starts_with(href) };
                                a href=(href) aria-current=[current.then_some("page")] { (ctx.t(key)) }
                            }
                        }
                    }
                    div.tools {
                        span.langs aria-label=(ctx.t("language-switch")) {
                            a href=(with_lang(ctx, "en")) lang="en" hreflang="en" aria-current=[(!ctx.lang.is_chinese()).then_some("true")] { "English" }
                            " | "
                            a href=(with_lang(ctx, "zh-CN")) lang="zh-CN" hreflang="zh-CN" aria-current=[ctx.lang.is_chinese().then_some("true")] { "中文" }
                        }
                        @if let Some(user) = &ctx.user {
                            span.who { (user.display_name.as_deref().unwrap_or(&user.email)) }
                            form.inline method="post" action="/logout" {
                                (csrf_input(ctx))
                                button.link type="submit" { (ctx.t("sign-out")) }
                            }
                            form.inline method="post" action="/logout/everywhere" {
                                (csrf_input(ctx))
                                button.link type="submit" title=(ctx.t("sign-out-everywhere-hint")) { (ctx.t("sign-out-everywhere")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    @if let Some(flash) = &ctx.flash {
                        p.flash role="status" { (ctx.t(flash)) }
                    }
                    (content)
                }
                footer { (ctx.t("footer")) }
            }
        }
    }
}

pub fn page(ctx: &Ctx, title: &str, content: Markup) -> Response {
    html_response(StatusCode::OK, layout(ctx, title, content))
}

pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// A full page saying what went wrong, in the viewer's language.
pub fn error_page(ctx: &Ctx, status: StatusCode, key: &str) -> Response {
    let title = ctx.t(key);
    let body = html! {
        h1 { (title) }
        p { (ctx.t(&format!("{key}-help"))) }
        p { a href="/" { (ctx.t("back-home")) } }
    };
    html_response(status, layout(ctx, &title, body))
}

/// Redirects after a successful form, with a message shown once on the next page.
pub fn redirect_with_flash(ctx: &Ctx, to: &str, flash_key: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FLASH_COOKIE, flash_key, Some(60), ctx.secure_cookies),
    );
    response
}

/// Submitted form fields in order (repeated keys kept, for checkboxes).
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(bytes: &[u8]) -> FormData {
        FormData(
            form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.push((name.to_string(), value.into()));
    }

    pub fn set_opt(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.set(name, v);
        }
    }

    /// `name_en`, `name_zh`, `name_local` as a `LocalizedText`.
    pub fn localized(&self, prefix: &str) -> LocalizedText {
        LocalizedText::new(
            Some(self.get(&format!("{prefix}_en"))),
            Some(self.get(&format!("{prefix}_zh"))),
            Some(self.get(&format!("{prefix}_local"))),
        )
    }

    pub fn set_localized(&mut self, prefix: &str, text: &LocalizedText) {
        self.set_opt(&format!("{prefix}_en"), text.en.as_deref());
        self.set_opt(&format!("{prefix}_zh"), text.zh.as_deref());
        self.set_opt(&format!("{prefix}_local"), text.local.as_deref());
    }

    /// An id field; a present but non-numeric value is an error on `field`.
    pub fn id(&self, name: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
        let raw = self.opt(name)?;
        let parsed = raw.parse().ok();
        if parsed.is_none() {
            errors.push(field, "invalid-choice");
        }
        parsed
    }
}

/// Renders form controls with their labels, current values and error messages.
pub struct Form<'a> {
    pub ctx: &'a Ctx,
    pub values: &'a FormData,
    pub errors: &'a FieldErrors,
}

impl Form<'_> {
    /// The translated message for an error on `field` (or on its group, e.g. `name` for `name.en`).
    fn error(&self, field: &str) -> Option<String> {
        let e = self.errors.0.iter().find(|e| e.field == field)?;
        let key = format!("error-{}", e.code);
        Some(match e.limit {
            Some(limit) => self
                .ctx
                .t_args(&key, &[("limit", FluentValue::from(limit))]),
            None => self.ctx.t(&key),
        })
    }

    fn error_text(&self, id: &str, message: Option<String>) -> Markup {
        html! { @if let Some(m) = message { p.error id=(format!("{id}-error")) { (m) } } }
    }

    /// `field` is the validation name (`name.en`), the input name replaces dots with underscores.
    pub fn input(&self, field: &str, label_key: &str, kind: &str, required: bool) -> Markup {
        let name = field.replace('.', "_");
        let error = self.error(field);
        html! {
            div.field.invalid[error.is_some()] {
                label for=(name) { (self.ctx.t(label_key)) @if required { " " abbr title=(self.ctx.t("required")) { "*" } } }
                input type=(kind) id=(name) name=(name) value=(self.values.get(&name))
                    required[required] aria-invalid=[error.is_some().then_some("true")]
                    aria-describedby=[error.is_some().then(|| format!("{name}-error"))];
                (self.error_text(&name, error))
            }
        }
    }

    pub fn textarea(&self, field: &str, label_key: &str) -> Markup {
        let name = field.replace('.', "_");
        let error = self.error(field);
        html! {
            div.field.invalid[error.is_some()] {
                label for=(name) { (self.ctx.t(label_key)) }
                textarea id=(name) name=(name) rows="4" aria-invalid=[error.is_some().then_some("true")]
                    aria-describedby=[error.is_some().then(|| format!("{name}-error"))] { (self.values.get(&name)) }
                (self.error_text(&name, error))
            }
        }
    }

    /// A group of inputs for one text in several languages (`{field}_en`, `_zh`, `_local`).
    pub fn localized(&self, field: &str, legend_key: &str, required: bool, long: bool) -> Markup {
        let group_error = self.error(field);
        html! {
            fieldset.localized.invalid[group_error.is_some()] {
                legend { (self.ctx.t(legend_key)) @if required { " " abbr title=(self.ctx.t("required-one-language")) { "*" } } }
                (self.error_text(field, group_error))
                @for (lang, key) in [("en", "lang-en"), ("zh", "lang-zh"), ("local", "lang-local")] {
                    @if long { (self.textarea(&format!("{field}.{lang}"), key)) }
                    @else { (self.input(&format!("{field}.{lang}"), key, "text", false)) }
                }
            }
        }
    }

    pub fn select(
        &self,
        field: &str,
        label_key: &str,
        options: &[(String, String)],
        empty_key: Option<&str>,
    ) -> Markup {
        let current = self.values.get(field);
        let error = self.error(field);
        html! {
            div.field.invalid[error.is_some()] {
                label for=(field) { (self.ctx.t(label_key)) }
                select id=(field) name=(field) aria-invalid=[error.is_some().then_some("true")]
                    aria-describedby=[error.is_some().then(|| format!("{field}-error"))] {
                    @if let Some(k) = empty_key { option value="" { (self.ctx.t(k)) } }
                    @for (value, label) in options {
                        option value=(value) selected[value == current] { (label) }
                    }
                }
                (self.error_text(field, error))
            }
        }
    }

    pub fn checkboxes(
        &self,
        field: &str,
        legend_key: &str,
        options: &[(String, String)],
    ) -> Markup {
        let checked = self.values.all(field);
        let error = self.error(field);
        html! {
            fieldset.checks {
                legend { (self.ctx.t(legend_key)) }
                @for (value, label) in options {
                    label.check {
                        input type="checkbox" name=(field) value=(value) checked[checked.contains(&value.as_str())];
                        " " (label)
                    }
                }
                (self.error_text(field, error))
            }
        }
    }

    /// A summary at the top of a form that failed, linking to each field.
    pub fn summary(&self) -> Markup {
        html! {
            @if !self.errors.is_empty() {
                div.error-summary role="alert" {
                    h2 { (self.ctx.t_args("form-has-errors", &[("count", FluentValue::from(self.errors.0.len()))])) }
                    ul {
                        @for e in &self.errors.0 {
                            li { a href=(format!("#{}", e.field.replace('.', "_"))) {
                                (self.ctx.t(&format!("field-{}", field_key(&e.field)))) ": " (self.error(&e.field).unwrap_or_default())
                            } }
                        }
                    }
                }
            }
        }
    }
}

/// `emails.1` → `emails`, `name.en` → `name-en`: the catalogue key naming a field in summaries.
fn field_key(field: &str) -> String {
    let mut parts = field.split('.');
    let head = parts.next().unwrap_or(field);
    match parts.next() {
        Some(lang @ ("en" | "zh" | "local")) => format!("{}-{lang}", head.replace('_', "-")),
        _ => head.replace('_', "-"),
    }
}

/// Previous/next links and "page X of Y", keeping the other query parameters.
pub fn pager(ctx: &Ctx, page: &PageRequest, total: i64) -> Markup {
    let pages = page.page_count(total);
    let link = |n: u32| {
        let mut params: Vec<(String, String)> = form_urlencoded::parse(ctx.query.as_bytes())
            .filter(|(k, _)| k != "page" && k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        params.push(("page".into(), n.to_string()));
        format!(
            "{}?{}",
            ctx.path,
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish()
        )
    };
    html! {
        nav.pager aria-label=(ctx.t("pagination")) {
            @if page.page > 1 { a rel="prev" href=(link(page.page - 1)) { (ctx.t("page-previous")) } }
            span { (ctx.t_args("page-of", &[("page", FluentValue::from(page.page)), ("pages", FluentValue::from(pages)), ("total", FluentValue::from(total))])) }
            @if page.page < pages { a rel="next" href=(link(page.page + 1)) { (ctx.t("page-next")) } }
        }
    }
}

/// A sortable column header: clicking sorts by the column, clicking again reverses.
pub fn sort_header(
    ctx: &Ctx,
    field: &str,
    label_key: &str,
    current: &liaison_domain::Sort,
) -> Markup {
    let active = current.field == field;
    let next = if active && !current.descending {
        format!("-{field}")
    } else {
        field.to_string()
    };
    let mut params: Vec<(String, String)> = form_urlencoded::parse(ctx.query.as_bytes())
        .filter(|(k, _)| k != "sort" && k != "page" && k != "lang")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.push(("sort".into(), next));
    let href = format!(
        "{}?{}",
        ctx.path,
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish()
    );
    let aria = active.then_some(if current.descending {
        "descending"
    } else {
        "ascending"
    });
    html! {
        th scope="col" aria-sort=[aria] {
            a href=(href) { (ctx.t(label_key)) @if active { (PreEscaped(if current.descending { " ▼" } else { " ▲" })) } }
        }
    }
}

/// The text in the viewer's language, with the other language beside it when both exist.
pub fn bilingual(ctx: &Ctx, text: &LocalizedText) -> Markup {
    let main = text.display(ctx.lang.is_chinese());
    let other = text.display(!ctx.lang.is_chinese());
    html! {
        (main)
        @if other != main && !other.is_empty() { " " span.other-lang { (other) } }
    }
}

pub fn parse_path_id(raw: &str) -> Option<i64> {
    raw.parse().ok()
}

/// A confirmation page before deleting: says what goes, offers Delete and Cancel.
pub fn confirm_delete_page(
    ctx: &Ctx,
    title: &str,
    warning: Markup,
    action: &str,
    version: i64,
    cancel: &str,
) -> Response {
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            div.warning { (warning) }
            form method="post" action=(action) {
                (csrf_input(ctx))
                input type="hidden" name="version" value=(version);
                button.danger type="submit" { (ctx.t("delete-confirm")) }
                " "
                a.button.secondary href=(cancel) { (ctx.t("cancel")) }
            }
        },
    )
}

/// Header value helper for tests and redirects.
pub fn location(response: &Response) -> Option<&HeaderValue> {
    response.headers().get(header::LOCATION)
}

/// A record-level check after the route guard: the "not found" page when the caller's scope does
/// not reach the record (its existence does not leak), "forbidden" when they may see but not
/// change it.
#[allow(
    clippy::result_large_err,
    reason = "the error is the page to answer with"
)]
pub fn check_record(ctx: &Ctx, visible: bool, permitted: bool) -> Result<(), Response> {
    if !visible {
        return Err(error_page(ctx, StatusCode::NOT_FOUND, "page-not-found"));
    }
    if !permitted {
        return Err(error_page(ctx, StatusCode::FORBIDDEN, "page-forbidden"));
    }
    Ok(())
}

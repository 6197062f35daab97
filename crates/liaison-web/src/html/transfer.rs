//! Spreadsheets in and out through the pages (C8). Every directory list downloads as XLSX or CSV
//! with its current search, filters and sort (`/export/{entity}?format=…&…`); `/import` checks a
//! file without writing, shows what it would create and change (or every problem, as
//! `row N, column C: why`), and imports it all or nothing once confirmed.
//!
//! Between the check and the confirmation the file waits in `<files>/.imports/` (the folder the
//! nodes share, C10) under a random token, with a note of who checked it; it is removed once
//! imported and expires after an hour.

use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentValue;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

use super::institutions::store_error_page;
use super::{csrf_input, redirect_with_flash};
use crate::api::institutions::actor;
use crate::api::ListQuery;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::access::allows;
use liaison_domain::paging::MAX_PER_PAGE;
use liaison_domain::{Action, Id, PageRequest};
use liaison_storage::{
    StoreError, AGREEMENT_SORTS, EVENT_SORTS, INSTITUTION_SORTS, MOBILITY_SORTS, ORG_UNIT_SORTS,
    PERSON_SORTS,
};
use liaison_transfer::{Entity, Format, ImportError, Problem};

/// The most rows one export holds (the whole directory of a large office fits).
const EXPORT_MAX: usize = 200_000;
/// How long a checked file waits for its confirmation.
const PENDING_SECONDS: i64 = 3600;

fn entity_of(name: &str) -> Option<Entity> {
    Entity::parse(name)
}

/// The list page an entity's rows come from.
fn list_path(entity: Entity) -> &'static str {
    match entity {
        Entity::Institutions => "/institutions",
        Entity::OrgUnits => "/org-units",
        Entity::People => "/people",
        Entity::Agreements | Entity::AgreementConditions => "/agreements",
        Entity::Events => "/events",
        Entity::Mobilities => "/mobilities",
        Entity::EmploymentOutcomes => "/outcomes",
    }
}

/// What a caller needs to read an entity's rows (beyond the export route's own check).
fn read_action(entity: Entity) -> Action {
    match entity {
        Entity::Institutions | Entity::OrgUnits | Entity::People => Action::ReadDirectory,
        Entity::Agreements | Entity::AgreementConditions => Action::ReadAgreements,
        Entity::Events => Action::ReadEvents,
        Entity::Mobilities => Action::ReadMobilities,
        Entity::EmploymentOutcomes => Action::ManageOutcomes,
    }
}

/// The "Export: XLSX · CSV" links of a list page, keeping its search, filters and sort.
pub fn export_links(ctx: &Ctx, entity: Entity, raw_query: Option<&str>) -> Markup {
    export_links_as(ctx, "export-list", entity, raw_query)
}

/// The export links and, for those who may import, the import link: the tools under a list.
pub fn list_tools(ctx: &Ctx, entities: &[(Entity, &str)], raw_query: Option<&str>) -> Markup {
    html! {
        div.list-tools {
            @for (entity, label) in entities { (export_links_as(ctx, label, *entity, raw_query)) }
            @if allows(ctx.user().role, Action::EditPartners) {
                p { a href="/import" { (ctx.t("import-link")) } }
            }
        }
    }
}

/// Export links under the label `label_key`.
pub fn export_links_as(
    ctx: &Ctx,
    label_key: &str,
    entity: Entity,
    raw_query: Option<&str>,
) -> Markup {
    let kept: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(raw_query.unwrap_or("").as_bytes())
                .filter(|(k, _)| !["page", "per_page", "format", "lang"].contains(&k.as_ref())),
        )
        .finish();
    let href = |format: &str| {
        let mut h = format!("/export/{}?format={format}", entity.as_str());
        if !kept.is_empty() {
            h.push('&');
            h.push_str(&kept);
        }
        h
    };
    html! {
        p.export {
            (ctx.t(label_key)) " "
            a href=(href("xlsx")) download { "XLSX" } " · "
            a href=(href("csv")) download { "CSV" }
        }
    }
}

/// `GET /export/{entity}?format=xlsx|csv&…`: the rows the list page shows (all pages), in the
/// caller's scope.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(entity) = entity_of(&name) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    if !allows(ctx.user().role, read_action(entity)) {
        return super::error_page(&ctx, StatusCode::FORBIDDEN, "page-forbidden");
    }
    // The list query without the export's own parameter (the serializer is not `Send`, so it
    // lives only in this block).
    let (format, rest) = {
        let mut format = Format::Xlsx;
        let mut rest = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "format" => match Format::parse(&v) {
                    Some(f) => format = f,
                    None => {
                        return super::error_page(
                            &ctx,
                            StatusCode::BAD_REQUEST,
                            "export-bad-format",
                        )
                    }
                },
                "page" | "per_page" => {}
                _ => {
                    rest.append_pair(&k, &v);
                }
            }
        }
        (format, rest.finish())
    };
    let bytes = match rows_of(&state, &ctx, entity, &rest).await {
        Ok(Some(b)) => b(format),
        Ok(None) => return super::error_page(&ctx, StatusCode::BAD_REQUEST, "export-bad-filter"),
        Err(e) => return store_error_page(&ctx, e),
    };
    let file_name = format!(
        "{}-{}.{}",
        entity.as_str(),
        liaison_storage::today(),
        format.extension()
    );
    spreadsheet_response(bytes, format, &file_name)
}

/// A spreadsheet download: its type, an attachment with the (UTF-8) file name, never cached
/// (it holds the caller's view of the data).
pub fn spreadsheet_response(bytes: Vec<u8>, format: Format, file_name: &str) -> Response {
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        crate::uploads::content_disposition(file_name, false),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

type Writer = Box<dyn FnOnce(Format) -> Vec<u8> + Send>;

/// Every matching record, page by page; `None` when the filters do not parse.
async fn rows_of(
    state: &AppState,
    ctx: &Ctx,
    entity: Entity,
    raw: &str,
) -> Result<Option<Writer>, StoreError> {
    let scope = &ctx.user().scope;
    let page = |n: u32| PageRequest {
        page: n,
        per_page: MAX_PER_PAGE,
    };
    macro_rules! all_pages {
        ($sorts:expr, $filters:expr, $filter_from:path, $fetch:ident, $write:path) => {
            all_pages!(
                $sorts,
                $filters,
                $filter_from,
                $fetch,
                $write,
                scope,
                |s| s,
                |items| items
            )
        };
        ($sorts:expr, $filters:expr, $filter_from:path, $fetch:ident, $write:path, $reach:expr,
         $sort:expr, $then:expr) => {{
            let Ok(query) = ListQuery::parse(Some(raw), $sorts, $filters) else {
                return Ok(None);
            };
            let Ok(filter) = $filter_from(&query) else {
                return Ok(None);
            };
            let sort = $sort(query.sort);
            let mut items = Vec::new();
            for n in 1.. {
                let got = state.db.$fetch($reach, &filter, &sort, &page(n)).await?;
                let done = got.items.len() < MAX_PER_PAGE as usize || items.len() >= EXPORT_MAX;
                items.extend(got.items);
                if done {
                    break;
                }
            }
            items.truncate(EXPORT_MAX);
            let items = $then(items);
            Ok(Some(Box::new(move |f| $write(&items, f)) as Writer))
        }};
    }
    match entity {
        Entity::Institutions => all_pages!(
            INSTITUTION_SORTS,
            crate::api::institutions::FILTERS,
            crate::api::institutions::filter_from,
            institutions,
            liaison_transfer::export_institutions
        ),
        Entity::OrgUnits => all_pages!(
            ORG_UNIT_SORTS,
            crate::api::org_units::FILTERS,
            crate::api::org_units::filter_from,
            org_units,
            liaison_transfer::export_org_units
        ),
        Entity::People => all_pages!(
            PERSON_SORTS,
            crate::api::people::FILTERS,
            crate::api::people::filter_from,
            people,
            liaison_transfer::export_people
        ),
        Entity::Agreements => all_pages!(
            AGREEMENT_SORTS,
            crate::api::agreements::FILTERS,
            crate::api::agreements::filter_from,
            agreements,
            liaison_transfer::export_agreements
        ),
        // The conditions of the agreements the agreement list shows.
        Entity::AgreementConditions => {
            let Ok(query) =
                ListQuery::parse(Some(raw), AGREEMENT_SORTS, crate::api::agreements::FILTERS)
            else {
                return Ok(None);
            };
            let Ok(filter) = crate::api::agreements::filter_from(&query) else {
                return Ok(None);
            };
            let mut ids = Vec::new();
            for n in 1.. {
                let got = state
                    .db
                    .agreements(scope, &filter, &query.sort, &page(n))
                    .await?;
                let done = got.items.len() < MAX_PER_PAGE as usize;
                ids.extend(got.items.iter().map(|a| a.id));
                if done {
                    break;
                }
            }
            let mut items = state.db.conditions_of_agreements(&ids).await?;
            items.truncate(EXPORT_MAX);
            Ok(Some(
                Box::new(move |f| liaison_transfer::export_conditions(&items, f)) as Writer,
            ))
        }
        Entity::Events => all_pages!(
            EVENT_SORTS,
            crate::api::events::FILTERS,
            crate::api::events::filter_from,
            events,
            liaison_transfer::export_events,
            scope,
            |s| crate::api::events::sort_of(Some(raw), s),
            |items| items
        ),
        Entity::Mobilities => all_pages!(
            MOBILITY_SORTS,
            crate::api::mobilities::FILTERS,
            crate::api::mobilities::filter_from,
            mobilities,
            liaison_transfer::export_mobilities,
            &crate::api::mobilities::reach(ctx),
            |s| s,
            |items| items
        ),
        Entity::EmploymentOutcomes => outcome_rows(state, raw).await,
    }
}

/// Every employment outcome the outcomes page's filters select.
async fn outcome_rows(state: &AppState, raw: &str) -> Result<Option<Writer>, StoreError> {
    let Ok(query) = ListQuery::parse(
        Some(raw),
        liaison_storage::OUTCOME_SORTS,
        crate::api::enterprise::OUTCOME_FILTERS,
    ) else {
        return Ok(None);
    };
    let Ok(filter) = crate::api::enterprise::outcome_filter(&query) else {
        return Ok(None);
    };
    let mut items = Vec::new();
    for n in 1.. {
        let got = state
            .db
            .outcomes(
                &filter,
                &query.sort,
                &PageRequest {
                    page: n,
                    per_page: MAX_PER_PAGE,
                },
            )
            .await?;
        let done = got.items.len() < MAX_PER_PAGE as usize || items.len() >= EXPORT_MAX;
        items.extend(got.items);
        if done {
            break;
        }
    }
    items.truncate(EXPORT_MAX);
    Ok(Some(
        Box::new(move |f| liaison_transfer::export_outcomes(&items, f)) as Writer,
    ))
}

/// A checked file waiting for its confirmation.
#[derive(Serialize, Deserialize)]
struct Pending {
    user_id: Id,
    entity: String,
    file_name: String,
    checked_at: i64,
}

fn pending_dir(state: &AppState) -> std::path::PathBuf {
    state.files.root().join(".imports")
}

fn valid_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn now_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn entity_options(ctx: &Ctx) -> Vec<(String, String)> {
    Entity::ALL
        .iter()
        .map(|e| {
            (
                e.as_str().to_string(),
                ctx.t(&format!("import-entity-{}", e.as_str())),
            )
        })
        .collect()
}

/// The translated sentence for one problem of a file.
fn problem_text(ctx: &Ctx, p: &Problem) -> String {
    let key = format!("error-{}", p.code);
    let why = if ctx.i18n.has(ctx.lang, &key) {
        match p.limit {
            Some(limit) => ctx.t_args(&key, &[("limit", FluentValue::from(limit))]),
            None => ctx.t(&key),
        }
    } else {
        p.why()
    };
    match (p.row, p.column.is_empty()) {
        (0, _) => why,
        (row, true) => ctx.t_args(
            "import-problem-row",
            &[
                ("row", FluentValue::from(row)),
                ("why", FluentValue::from(why)),
            ],
        ),
        (row, false) => ctx.t_args(
            "import-problem-cell",
            &[
                ("row", FluentValue::from(row)),
                ("column", FluentValue::from(p.column.clone())),
                ("why", FluentValue::from(why)),
            ],
        ),
    }
}

/// The import page: the form, and the outcome of a check when there is one.
fn import_page(ctx: &Ctx, status: StatusCode, entity: Option<Entity>, outcome: Markup) -> Response {
    let upload_action = format!(
        "/import?_csrf={}",
        form_urlencoded::byte_serialize(ctx.csrf.as_bytes()).collect::<String>()
    );
    let title = ctx.t("import-title");
    let body = html! {
        h1 { (title) }
        p { (ctx.t("import-intro")) }
        (outcome)
        form.upload method="post" action=(upload_action) enctype="multipart/form-data" {
            div.field {
                label for="entity" { (ctx.t("import-entity")) }
                select #entity name="entity" {
                    @for (value, label) in entity_options(ctx) {
                        option value=(value) selected[entity.map(|e| e.as_str()) == Some(value.as_str())] { (label) }
                    }
                }
            }
            div.field {
                label for="file" { (ctx.t("import-file")) }
                input #file type="file" name="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" required;
                p.hint { (ctx.t("import-file-hint")) }
            }
            div.actions { button type="submit" { (ctx.t("import-check")) } }
        }
        section {
            h2 { (ctx.t("import-columns")) }
            dl.details { @for e in Entity::ALL {
                div { dt { (ctx.t(&format!("import-entity-{}", e.as_str()))) }
                      dd { code { (e.columns().join(", ")) } " · " a href=(format!("/export/{}?format=xlsx", e.as_str())) download { (ctx.t("import-template")) } } }
            } }
        }
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

pub async fn form(ctx: Ctx) -> Response {
    import_page(&ctx, StatusCode::OK, None, html! {})
}

fn problems_markup(ctx: &Ctx, problems: &[Problem]) -> Markup {
    html! {
        div.error-summary role="alert" {
            h2 { (ctx.t_args("import-problems", &[("count", FluentValue::from(problems.len()))])) }
            ul { @for p in problems.iter().take(500) { li { (problem_text(ctx, p)) } } }
            @if problems.len() > 500 { p { (ctx.t_args("import-more-problems", &[("count", FluentValue::from(problems.len() - 500))])) } }
        }
    }
}

/// Reads the `entity` field and the `file` field (bounded by the upload limit).
async fn receive(
    state: &AppState,
    req: Request,
) -> Result<(Option<Entity>, String, Vec<u8>), StatusCode> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|_| StatusCode::UNPROCESSABLE_ENTITY)?;
    let mut entity = None;
    let mut file = None;
    let limit = state.config.upload_limit as usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(StatusCode::PAYLOAD_TOO_LARGE)
            }
            Err(_) => return Err(StatusCode::UNPROCESSABLE_ENTITY),
        };
        match field.name() {
            Some("entity") => {
                let text = field
                    .text()
                    .await
                    .map_err(|_| StatusCode::UNPROCESSABLE_ENTITY)?;
                entity = entity_of(text.trim());
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut field = field;
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > limit {
                                return Err(StatusCode::PAYLOAD_TOO_LARGE);
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Err(StatusCode::PAYLOAD_TOO_LARGE)
                        }
                        Err(_) => return Err(StatusCode::UNPROCESSABLE_ENTITY),
                    }
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    Ok((entity, name, bytes))
}

/// `POST /import`: checks the file (a dry run) and shows the preview or the problems.
pub async fn check(State(state): State<AppState>, ctx: Ctx, req: Request) -> Response {
    let (entity, file_name, bytes) = match receive(&state, req).await {
        Ok(got) => got,
        Err(status) => {
            let key = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "upload-too-large"
            } else {
                "import-no-file"
            };
            let outcome = html! { div.error-summary role="alert" { p { (ctx.t(key)) } } };
            return import_page(&ctx, status, None, outcome);
        }
    };
    let Some(entity) = entity else {
        let outcome =
            html! { div.error-summary role="alert" { p { (ctx.t("import-no-entity")) } } };
        return import_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, None, outcome);
    };
    if bytes.is_empty() {
        let outcome = html! { div.error-summary role="alert" { p { (ctx.t("import-no-file")) } } };
        return import_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(entity),
            outcome,
        );
    }
    let started = std::time::Instant::now();
    match liaison_transfer::import(&state.db, &actor(&ctx), entity, &bytes, true).await {
        Ok(outcome) => {
            // The check writes every row and rolls back, so its time foretells the import's.
            let took = started.elapsed().as_secs_f64();
            let token = crate::auth::new_secret();
            let dir = pending_dir(&state);
            let note = Pending {
                user_id: ctx.user().id,
                entity: entity.as_str().into(),
                file_name: file_name.clone(),
                checked_at: now_seconds(),
            };
            let kept = async {
                tokio::fs::create_dir_all(&dir).await?;
                tokio::fs::write(dir.join(format!("{token}.data")), &bytes).await?;
                tokio::fs::write(
                    dir.join(format!("{token}.json")),
                    serde_json::to_vec(&note).map_err(std::io::Error::other)?,
                )
                .await
            }
            .await;
            if let Err(e) = kept {
                tracing::error!(error = %e, "keeping a checked import failed");
                return super::error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "page-internal");
            }
            let count = |n: usize| FluentValue::from(n);
            let preview = html! {
                section.preview {
                    h2 { (ctx.t("import-preview")) }
                    p { (ctx.t_args("import-would", &[
                        ("file", FluentValue::from(file_name.clone())),
                        ("created", count(outcome.created)),
                        ("updated", count(outcome.updated)),
                        ("unchanged", count(outcome.unchanged)),
                    ])) }
                    p.hint { (ctx.t_args("import-checked-in", &[
                        ("rows", count(outcome.created + outcome.updated + outcome.unchanged)),
                        ("seconds", FluentValue::from(format!("{took:.1}"))),
                    ])) }
                    form method="post" action=(format!("/import/{token}")) {
                        (csrf_input(&ctx))
                        button type="submit" { (ctx.t("import-confirm")) }
                        " " a.button.secondary href="/import" { (ctx.t("cancel")) }
                    }
                }
            };
            import_page(&ctx, StatusCode::OK, Some(entity), preview)
        }
        Err(ImportError::Problems(problems)) => import_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(entity),
            problems_markup(&ctx, &problems),
        ),
        Err(ImportError::Store(e)) => store_error_page(&ctx, e),
    }
}

/// `POST /import/{token}`: imports a checked file, all or nothing.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Response {
    let expired = || {
        let outcome = html! { div.error-summary role="alert" { p { (ctx.t("import-expired")) } } };
        import_page(&ctx, StatusCode::NOT_FOUND, None, outcome)
    };
    if !valid_token(&token) {
        return expired();
    }
    let dir = pending_dir(&state);
    let (data, note_path) = (
        dir.join(format!("{token}.data")),
        dir.join(format!("{token}.json")),
    );
    let note: Option<Pending> = tokio::fs::read(&note_path)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let Some(note) = note
        .filter(|n| n.user_id == ctx.user().id && now_seconds() - n.checked_at <= PENDING_SECONDS)
    else {
        return expired();
    };
    let (Some(entity), Ok(bytes)) = (entity_of(&note.entity), tokio::fs::read(&data).await) else {
        return expired();
    };
    let result = liaison_transfer::import(&state.db, &actor(&ctx), entity, &bytes, false).await;
    match result {
        Ok(outcome) => {
            let _ = tokio::fs::remove_file(&data).await;
            let _ = tokio::fs::remove_file(&note_path).await;
            forget_expired(&dir).await;
            tracing::info!(
                entity = entity.as_str(),
                created = outcome.created,
                updated = outcome.updated,
                "imported through the page"
            );
            redirect_with_flash(&ctx, list_path(entity), "flash-imported")
        }
        // The data changed since the check (e.g. a record was deleted): nothing was written.
        Err(ImportError::Problems(problems)) => import_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(entity),
            problems_markup(&ctx, &problems),
        ),
        Err(ImportError::Store(e)) => store_error_page(&ctx, e),
    }
}

/// Removes checked files nobody confirmed within the hour.
async fn forget_expired(dir: &std::path::Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(e)) = entries.next_entry().await {
        let path = e.path();
        if path.extension().is_some_and(|x| x == "json") {
            let old = tokio::fs::read(&path)
                .await
                .ok()
                .and_then(|b| serde_json::from_slice::<Pending>(&b).ok())
                .is_none_or(|n| now_seconds() - n.checked_at > PENDING_SECONDS);
            if old {
                let _ = tokio::fs::remove_file(path.with_extension("data")).await;
                let _ = tokio::fs::remove_file(&path).await;
            }
        }
    }
}

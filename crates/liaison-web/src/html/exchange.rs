//! Exchange calls (issue 7): the list of calls, a call's page (places; for staff the applications
//! and the allocation result with cut-offs and explanations; for a student their own result and
//! why), the application form with ranked choices (plain selects, no JavaScript), and "my
//! applications".

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{bilingual, csrf_input, parse_path_id, redirect_with_flash, FormData};
use crate::api::exchange::{manages, run_allocation, visible};
use crate::api::institutions::actor;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::{
    Application, ApplicationDraft, ApplicationStatus, Call, ExplanationLine, FieldErrors, Id,
    LocalizedText, PageRequest, Sort,
};
use liaison_storage::{ApplicationFilter, CallFilter, StoreError};

type Labels = Vec<(Id, LocalizedText)>;

fn label(ctx: &Ctx, labels: &Labels, id: Id) -> String {
    labels
        .iter()
        .find(|(c, _)| *c == id)
        .map(|(_, l)| l.display(ctx.lang.is_chinese()).to_string())
        .unwrap_or_else(|| format!("#{id}"))
}

fn explanation(ctx: &Ctx, labels: &Labels, lines: &[ExplanationLine]) -> Markup {
    html! {
        @if !lines.is_empty() {
            ul.explanation {
                @for l in lines {
                    @let place = FluentValue::from(label(ctx, labels, l.condition_id));
                    li { (match l.reason.as_str() {
                        "full" => ctx.t_args("exchange-reason-full", &[
                            ("place", place),
                            ("cutoff", FluentValue::from(l.cutoff.unwrap_or(0))),
                            ("rank", FluentValue::from(l.your_rank.unwrap_or(0))),
                        ]),
                        "no_places" => ctx.t_args("exchange-reason-no-places", &[("place", place)]),
                        _ => ctx.t_args("exchange-reason-not-ranked", &[("place", place)]),
                    }) }
                }
            }
        }
    }
}

fn outcome(ctx: &Ctx, labels: &Labels, a: &Application) -> Markup {
    html! {
        (ctx.t(&a.draft.status.message_key()))
        @if let Some(c) = a.allocated_condition_id { ": " strong { (label(ctx, labels, c)) } }
        (explanation(ctx, labels, &a.explanation))
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Response {
    let sort = Sort {
        field: "updated_at",
        descending: true,
    };
    let page = match state
        .db
        .calls(&CallFilter::default(), &sort, &PageRequest::default())
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let title = ctx.t("exchange-calls-title");
    let body = html! {
        h1 { (title) }
        @if liaison_domain::access::allows(ctx.user().role, liaison_domain::Action::Apply) {
            p { a href="/applications" { (ctx.t("exchange-my-applications")) } }
        }
        @if page.items.is_empty() {
            p { (ctx.t("exchange-no-calls")) }
        } @else {
            table {
                thead { tr {
                    th { (ctx.t("exchange-call")) }
                    th { (ctx.t("exchange-academic-year")) }
                    th { (ctx.t("exchange-deadline")) }
                } }
                tbody {
                    @for c in &page.items {
                        tr {
                            td { a href=(format!("/calls/{}", c.id)) { (bilingual(&ctx, &c.draft.title)) } }
                            td { (c.draft.academic_year) }
                            td { (c.draft.deadline.map(liaison_domain::event::iso_date::format).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    };
    super::page(&ctx, &title, body)
}

async fn load_call(state: &AppState, ctx: &Ctx, id: &str) -> Result<(Call, Labels), Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let call = state
        .db
        .call(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    let labels = state
        .db
        .place_labels(&call)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    Ok((call, labels))
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let (call, labels) = match load_call(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let apps = match state.db.call_applications(call.id).await {
        Ok(a) => a
            .into_iter()
            .filter(|a| visible(&ctx, a))
            .collect::<Vec<_>>(),
        Err(e) => return store_error_page(&ctx, e),
    };
    let run = if manages(&ctx) {
        match state.db.latest_allocation_run(call.id).await {
            Ok(r) => r,
            Err(e) => return store_error_page(&ctx, e),
        }
    } else {
        None
    };
    let mut names = Vec::new();
    for a in &apps {
        let name = match state.db.person(a.draft.person_id).await {
            Ok(p) => p.draft.name.display(ctx.lang.is_chinese()).to_string(),
            Err(_) => format!("#{}", a.draft.person_id),
        };
        names.push(name);
    }
    let title = call.draft.title.display(ctx.lang.is_chinese()).to_string();
    let may_apply = ctx.user().person_id.is_some() && apps.is_empty() && !manages(&ctx);
    let body = html! {
        h1 { (bilingual(&ctx, &call.draft.title)) }
        p { (ctx.t("exchange-academic-year")) ": " (call.draft.academic_year) }
        h2 { (ctx.t("exchange-places")) }
        table {
            thead { tr {
                th { (ctx.t("exchange-place")) }
                th { (ctx.t("exchange-places-per-year")) }
                @if run.is_some() { th { (ctx.t("exchange-cutoff")) } }
            } }
            tbody {
                @for p in &call.draft.places {
                    tr {
                        td { (label(&ctx, &labels, p.condition_id)) }
                        td { (p.places) }
                        @if let Some(r) = &run {
                            td { (r.result["cutoffs"][p.condition_id.to_string()].as_u64().map(|c| c.to_string()).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
            }
        }
        @if may_apply {
            p { a.button href=(format!("/calls/{}/apply", call.id)) { (ctx.t("exchange-apply")) } }
        }
        @if manages(&ctx) {
            form method="post" action=(format!("/calls/{}/allocate", call.id)) {
                (csrf_input(&ctx))
                button type="submit" { (ctx.t("exchange-run-allocation")) }
            }
            @if let Some(r) = &run {
                p { (ctx.t("exchange-last-run")) ": " (r.created_at) " · " (r.created_by) }
            }
        }
        h2 { (ctx.t(if manages(&ctx) { "exchange-applications" } else { "exchange-my-application" })) }
        @if apps.is_empty() {
            p { (ctx.t("exchange-no-applications")) }
        } @else {
            table.allocation {
                thead { tr {
                    th { (ctx.t("exchange-applicant")) }
                    th { (ctx.t("exchange-score")) }
                    th { (ctx.t("exchange-choices")) }
                    th { (ctx.t("exchange-result")) }
                } }
                tbody {
                    @for (a, name) in apps.iter().zip(&names) {
                        tr {
                            td { (name) }
                            td { (a.draft.score.map(|s| s.to_string()).unwrap_or_default()) }
                            td { ol { @for c in &a.draft.choices { li { (label(&ctx, &labels, *c)) } } } }
                            td {
                                (outcome(&ctx, &labels, a))
                                @if let Some(r) = &a.draft.ineligible_reason { p { (r) } }
                            }
                        }
                    }
                }
            }
        }
    };
    super::page(&ctx, &title, body)
}

pub async fn allocate(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(call_id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    match run_allocation(&state, &ctx, call_id).await {
        Ok(_) => redirect_with_flash(&ctx, &format!("/calls/{call_id}"), "exchange-allocated"),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found")
        }
        Err(_) => super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-status",
        ),
    }
}

fn apply_page(
    ctx: &Ctx,
    call: &Call,
    labels: &Labels,
    values: &FormData,
    errors: &FieldErrors,
) -> Response {
    let title = ctx.t("exchange-apply");
    let n = call
        .draft
        .max_choices
        .min(call.draft.places.len() as i64)
        .max(1);
    let body = html! {
        h1 { (title) ": " (bilingual(ctx, &call.draft.title)) }
        @if !errors.is_empty() {
            div.errors role="alert" {
                ul { @for e in &errors.0 { li { (e.field) ": " (ctx.t(&format!("error-{}", e.code))) } } }
            }
        }
        form method="post" action=(format!("/calls/{}/apply", call.id)) {
            (csrf_input(ctx))
            @if manages(ctx) {
                label { (ctx.t("exchange-person-id")) input name="person_id" value=(values.get("person_id")); }
            }
            p { (ctx.t("exchange-choices-help")) }
            @for i in 0..n {
                @let name = format!("choice_{}", i + 1);
                label {
                    (ctx.t_args("exchange-choice-n", &[("n", FluentValue::from(i + 1))]))
                    select name=(name) {
                        option value="" { "—" }
                        @for (c, _) in labels {
                            option value=(c) selected[values.get(&name) == c.to_string()] { (label(ctx, labels, *c)) }
                        }
                    }
                }
            }
            button type="submit" { (ctx.t("exchange-submit-application")) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

pub async fn apply_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    match load_call(&state, &ctx, &id).await {
        Ok((call, labels)) => apply_page(
            &ctx,
            &call,
            &labels,
            &FormData::default(),
            &FieldErrors::default(),
        ),
        Err(r) => r,
    }
}

pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (call, labels) = match load_call(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    let person_id = if manages(&ctx) {
        values.id("person_id", "person_id", &mut errors)
    } else {
        ctx.user().person_id
    };
    if person_id.is_none() && errors.is_empty() {
        errors.push(
            "person_id",
            if manages(&ctx) {
                "required"
            } else {
                "no-linked-person"
            },
        );
    }
    let mut choices = Vec::new();
    for i in 1..=call.draft.max_choices {
        if let Some(c) = values.id(&format!("choice_{i}"), "choices", &mut errors) {
            choices.push(c);
        }
    }
    if errors.is_empty() {
        let draft = ApplicationDraft {
            call_id: call.id,
            person_id: person_id.unwrap_or(0),
            choices,
            score: None,
            status: ApplicationStatus::Submitted,
            ineligible_reason: None,
        };
        match state.db.create_application(&actor(&ctx), &draft).await {
            Ok(_) => return redirect_with_flash(&ctx, "/applications", "flash-saved"),
            Err(StoreError::Invalid(e)) => errors = e,
            Err(e) => return store_error_page(&ctx, e),
        }
    }
    apply_page(&ctx, &call, &labels, &values, &errors)
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> Response {
    let filter = if manages(&ctx) {
        ApplicationFilter::default()
    } else {
        ApplicationFilter {
            person_id: ctx.user().person_id,
            nothing: ctx.user().person_id.is_none(),
            ..Default::default()
        }
    };
    let sort = Sort {
        field: "created_at",
        descending: true,
    };
    let page = match state
        .db
        .applications(&filter, &sort, &PageRequest::default())
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let mut rows = Vec::new();
    for a in &page.items {
        let (call, labels) = match load_call(&state, &ctx, &a.draft.call_id.to_string()).await {
            Ok(c) => c,
            Err(r) => return r,
        };
        rows.push((a, call, labels));
    }
    let title = ctx.t("exchange-my-applications");
    let body = html! {
        h1 { (title) }
        p { a href="/calls" { (ctx.t("exchange-calls-title")) } }
        @if rows.is_empty() {
            p { (ctx.t("exchange-no-applications")) }
        } @else {
            table {
                thead { tr {
                    th { (ctx.t("exchange-call")) }
                    th { (ctx.t("exchange-choices")) }
                    th { (ctx.t("exchange-result")) }
                } }
                tbody {
                    @for (a, call, labels) in &rows {
                        tr {
                            td { a href=(format!("/calls/{}", call.id)) { (bilingual(&ctx, &call.draft.title)) } }
                            td { ol { @for c in &a.draft.choices { li { (label(&ctx, labels, *c)) } } } }
                            td { (outcome(&ctx, labels, a)) }
                        }
                    }
                }
            }
        }
    };
    super::page(&ctx, &title, body)
}

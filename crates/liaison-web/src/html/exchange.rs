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
use super::{bilingual, csrf_input, parse_path_id, redirect_with_flash, Form, FormData};
use crate::api::exchange::{manages, run_allocation, visible, window_error};
use crate::api::institutions::actor;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::event::iso_date;
use liaison_domain::exchange::{format_score, CefrLevel};
use liaison_domain::{
    ApplicantFacts, Application, ApplicationDraft, ApplicationStatus, Call, CallDraft, CallPlace,
    EligibilityRules, ExplanationLine, FailedRule, FieldErrors, Id, LocalizedText, PageRequest,
    ScoringRule, Sort,
};
use liaison_storage::{AllocationRun, ApplicationFilter, CallFilter, StoreError};

type Labels = Vec<(Id, LocalizedText)>;

fn label(ctx: &Ctx, labels: &Labels, id: Id) -> String {
    labels
        .iter()
        .find(|(c, _)| *c == id)
        .map(|(_, l)| l.display(ctx.lang.is_chinese()).to_string())
        .unwrap_or_else(|| format!("#{id}"))
}

fn explanation_text(ctx: &Ctx, labels: &Labels, l: &ExplanationLine) -> String {
    let place = FluentValue::from(label(ctx, labels, l.condition_id));
    match l.reason.as_str() {
        "full" => ctx.t_args(
            "exchange-reason-full",
            &[
                ("place", place),
                ("cutoff", FluentValue::from(l.cutoff.unwrap_or(0))),
                ("rank", FluentValue::from(l.your_rank.unwrap_or(0))),
            ],
        ),
        "no_places" => ctx.t_args("exchange-reason-no-places", &[("place", place)]),
        _ => ctx.t_args("exchange-reason-not-ranked", &[("place", place)]),
    }
}

fn explanation(ctx: &Ctx, labels: &Labels, lines: &[ExplanationLine]) -> Markup {
    html! {
        @if !lines.is_empty() {
            ul.explanation {
                @for l in lines { li { (explanation_text(ctx, labels, l)) } }
            }
        }
    }
}

/// Each rule of the call the application does not meet, named in the reader's language.
pub fn failed_rules(ctx: &Ctx, rules: &[FailedRule]) -> Markup {
    html! {
        @if !rules.is_empty() {
            ul.failed-rules {
                @for r in rules {
                    @let (required, actual) = r.values();
                    @let actual = if actual.is_empty() { ctx.t("exchange-not-given") } else { actual };
                    li { (ctx.t_args(r.message_key(), &[
                        ("required", FluentValue::from(required)),
                        ("actual", FluentValue::from(actual)),
                    ])) }
                }
            }
        }
    }
}

/// What the student stated: GPA, level (certificate), year of study, major.
fn facts_text(ctx: &Ctx, f: &ApplicantFacts) -> String {
    let mut parts = Vec::new();
    if let Some(g) = f.gpa {
        parts.push(format!("{} {g:.2}", ctx.t("field-gpa")));
    }
    match (&f.language_level, &f.certificate) {
        (Some(l), Some(c)) => parts.push(format!("{l} ({c})")),
        (Some(l), None) => parts.push(l.to_string()),
        (None, Some(c)) => parts.push(c.clone()),
        (None, None) => {}
    }
    if let Some(y) = f.year_of_study {
        parts.push(format!("{} {y}", ctx.t("field-year-of-study")));
    }
    if let Some(m) = &f.major {
        parts.push(m.clone());
    }
    parts.join(" · ")
}

fn score_text(score: Option<i64>) -> String {
    score.map(format_score).unwrap_or_default()
}

fn rules_summary(ctx: &Ctx, call: &CallDraft) -> Markup {
    let r = &call.rules;
    let sc = &call.scoring;
    html! {
        h2 { (ctx.t("exchange-rules")) }
        dl.rules {
            dt { (ctx.t("exchange-min-gpa")) }
            dd { (r.min_gpa.map(|g| format!("{g:.2} / {:.1}", sc.gpa_max)).unwrap_or_else(|| ctx.t("exchange-any"))) }
            dt { (ctx.t("exchange-min-language")) }
            dd { (r.min_language_level.map(|l| l.to_string()).unwrap_or_else(|| ctx.t("exchange-any")))
                 @if !r.certificates.is_empty() { " (" (r.certificates.join(", ")) ")" } }
            dt { (ctx.t("exchange-years-of-study")) }
            dd { (if r.years_of_study.is_empty() { ctx.t("exchange-any") } else { r.years_of_study.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ") }) }
            dt { (ctx.t("exchange-majors")) }
            dd { (if r.majors.is_empty() { ctx.t("exchange-any") } else { r.majors.join(", ") }) }
            dt { (ctx.t("exchange-scoring")) }
            dd { (ctx.t_args("exchange-scoring-rule", &[
                ("gpa", FluentValue::from(sc.gpa_weight)),
                ("language", FluentValue::from(sc.language_weight)),
                ("interview", FluentValue::from(sc.interview_weight)),
            ])) br; small { (ctx.t("exchange-tie-break")) } }
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
        @if manages(&ctx) {
            p { a.button href="/calls/new" { (ctx.t("exchange-new-call")) } " " a href="/quotas" { (ctx.t("exchange-quotas")) } }
        }
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
    let open = window_error(&call.draft).is_none();
    let may_apply = ctx.user().person_id.is_some() && apps.is_empty() && !manages(&ctx) && open;
    let staff = manages(&ctx);
    let body = html! {
        h1 { (bilingual(&ctx, &call.draft.title)) }
        @if !call.draft.description.is_empty() { p { (bilingual(&ctx, &call.draft.description)) } }
        p {
            (ctx.t("exchange-academic-year")) ": " (call.draft.academic_year)
            @if let Some(o) = call.draft.opens_on { " · " (ctx.t("exchange-opens-on")) ": " (iso_date::format(o)) }
            @if let Some(d) = call.draft.deadline { " · " (ctx.t("exchange-deadline")) ": " (iso_date::format(d)) }
        }
        @if !open { p.notice { (ctx.t("exchange-closed")) } }
        @if staff {
            p { a.button.secondary href=(format!("/calls/{}/edit", call.id)) { (ctx.t("exchange-edit-call")) }
                " " a href=(format!("/quotas?academic_year={}", call.draft.academic_year)) { (ctx.t("exchange-quotas")) } }
        }
        h2 { (ctx.t("exchange-places")) }
        table {
            thead { tr {
                th { (ctx.t("exchange-place")) }
                th { (ctx.t("exchange-places-per-year")) }
                @if run.is_some() {
                    th { (ctx.t("exchange-capacity")) }
                    th { (ctx.t("exchange-cutoff")) }
                    th { (ctx.t("exchange-cutoff-score")) }
                }
            } }
            tbody {
                @for p in &call.draft.places {
                    tr {
                        td { (label(&ctx, &labels, p.condition_id)) }
                        td { (p.places) }
                        @if let Some(r) = &run {
                            @let key = p.condition_id.to_string();
                            td { (r.frozen["capacities"][&key].as_i64().map(|c| c.to_string()).unwrap_or_else(|| "–".into())) }
                            td { (r.result["cutoffs"][&key].as_u64().map(|c| c.to_string()).unwrap_or_else(|| "–".into())) }
                            td { (r.result["cutoff_scores"][&key].as_f64().map(|c| format!("{c:.2}")).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
            }
        }
        (rules_summary(&ctx, &call.draft))
        @if may_apply {
            p { a.button href=(format!("/calls/{}/apply", call.id)) { (ctx.t("exchange-apply")) } }
        }
        @if staff {
            h2 { (ctx.t("exchange-allocation")) }
            form method="post" action=(format!("/calls/{}/allocate", call.id)) {
                (csrf_input(&ctx))
                input type="hidden" name="version" value=(call.version);
                button type="submit" { (ctx.t("exchange-run-allocation")) }
            }
            @if let Some(r) = &run {
                (run_block(&ctx, &call, r, &apps, &names, &labels))
            }
        }
        h2 { (ctx.t(if staff { "exchange-applications" } else { "exchange-my-application" })) }
        @if apps.is_empty() {
            p { (ctx.t("exchange-no-applications")) }
        } @else {
            table.allocation {
                thead { tr {
                    th { (ctx.t("exchange-applicant")) }
                    th { (ctx.t("exchange-status")) }
                    th { (ctx.t("exchange-interview")) }
                    th { (ctx.t("exchange-score")) }
                    th { (ctx.t("exchange-choices")) }
                    th { (ctx.t("exchange-result")) }
                } }
                tbody {
                    @for (a, name) in apps.iter().zip(&names) {
                        tr id=(format!("application-{}", a.id)) {
                            td { a href=(format!("/applications/{}", a.id)) { (name) } br; small { (facts_text(&ctx, &a.draft.facts)) } }
                            td {
                                (ctx.t(&a.draft.status.message_key()))
                                (failed_rules(&ctx, &a.failed_rules))
                                @if let Some(r) = &a.draft.ineligible_reason { p { (r) } }
                                @if staff && matches!(a.draft.status, ApplicationStatus::Eligible | ApplicationStatus::Ineligible) {
                                    form.inline method="post" action=(format!("/applications/{}/review", a.id)) {
                                        (csrf_input(&ctx))
                                        input type="hidden" name="version" value=(a.version);
                                        @if a.draft.status == ApplicationStatus::Eligible {
                                            input type="hidden" name="status" value="ineligible";
                                            label { (ctx.t("field-ineligible-reason")) " " input name="ineligible_reason" required; }
                                            " " button.secondary type="submit" { (ctx.t("exchange-mark-ineligible")) }
                                        } @else {
                                            input type="hidden" name="status" value="eligible";
                                            button.secondary type="submit" { (ctx.t("exchange-mark-eligible")) }
                                        }
                                    }
                                }
                            }
                            td {
                                @if staff && !matches!(a.draft.status, ApplicationStatus::Withdrawn) {
                                    form.inline method="post" action=(format!("/applications/{}/interview", a.id)) {
                                        (csrf_input(&ctx))
                                        input type="hidden" name="version" value=(a.version);
                                        label.visually-hidden for=(format!("interview-{}", a.id)) { (ctx.t("exchange-interview")) }
                                        input type="number" min="0" max="100" step="1" id=(format!("interview-{}", a.id)) name="interview_score"
                                            value=(a.draft.interview_score.map(|s| s.to_string()).unwrap_or_default());
                                        button type="submit" { (ctx.t("save")) }
                                    }
                                } @else {
                                    (a.draft.interview_score.map(|s| s.to_string()).unwrap_or_default())
                                }
                            }
                            td { (score_text(a.draft.score)) }
                            td { ol { @for c in &a.draft.choices { li { (label(&ctx, &labels, *c)) } } } }
                            td { (outcome(&ctx, &labels, a)) }
                        }
                    }
                }
            }
        }
    };
    super::page(&ctx, &title, body)
}

/// The latest run: preview or published, its round, the result per applicant with the
/// explanation, publish and export.
fn run_block(
    ctx: &Ctx,
    call: &Call,
    r: &AllocationRun,
    apps: &[Application],
    names: &[String],
    labels: &Labels,
) -> Markup {
    let frozen: Vec<Id> = r.frozen["applications"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["id"].as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    html! {
        div.run {
            h3 {
                (ctx.t_args("exchange-run-title", &[("round", FluentValue::from(r.round))]))
                " — "
                @if r.published_at.is_some() { (ctx.t("exchange-run-published")) } @else { (ctx.t("exchange-run-preview")) }
            }
            p { (ctx.t("exchange-last-run")) ": " (r.created_at) " · " (r.created_by)
                @if let Some(p) = &r.published_at { " · " (ctx.t("exchange-published-at")) ": " (p) } }
            table.allocation {
                thead { tr {
                    th { (ctx.t("exchange-applicant")) }
                    th { (ctx.t("exchange-score")) }
                    th { (ctx.t("exchange-result")) }
                } }
                tbody {
                    @for id in &frozen {
                        @let key = format!("a{id}");
                        @let who = apps.iter().position(|a| a.id == *id);
                        @let lines: Vec<ExplanationLine> = serde_json::from_value(r.result["explanations"][&key].clone()).unwrap_or_default();
                        tr {
                            td { (who.map(|i| names[i].clone()).unwrap_or_else(|| format!("#{id}"))) }
                            td { (who.map(|i| score_text(apps[i].draft.score)).unwrap_or_default()) }
                            td {
                                @match r.result["assignment"][&key].as_str().and_then(|c| c.parse::<Id>().ok()) {
                                    Some(c) => { strong { (label(ctx, labels, c)) } }
                                    None => { (ctx.t("exchange-no-place")) }
                                }
                                (explanation(ctx, labels, &lines))
                            }
                        }
                    }
                }
            }
            @if r.published_at.is_none() {
                form method="post" action=(format!("/calls/{}/publish", call.id)) {
                    (csrf_input(ctx))
                    input type="hidden" name="run_id" value=(r.id);
                    button type="submit" { (ctx.t("exchange-publish")) }
                }
            }
            p { a href=(format!("/calls/{}/allocation.xlsx", call.id)) { (ctx.t("exchange-export-xlsx")) } }
        }
    }
}

fn conflict_or(ctx: &Ctx, e: crate::error::ApiError) -> Response {
    if e.status == StatusCode::NOT_FOUND {
        super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found")
    } else if e.status == StatusCode::CONFLICT {
        super::error_page(ctx, StatusCode::CONFLICT, "exchange-run-conflict")
    } else {
        super::error_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, "page-invalid-status")
    }
}

pub async fn allocate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(call_id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let version = FormData::parse(&body).get("version").parse::<i64>().ok();
    match run_allocation(&state, &ctx, call_id, version).await {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/calls/{call_id}"),
            "flash-exchange-allocated",
        ),
        Err(e) => conflict_or(&ctx, e),
    }
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(call_id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    let run_id = FormData::parse(&body)
        .get("run_id")
        .parse::<i64>()
        .unwrap_or(0);
    match state
        .db
        .publish_allocation_run(&actor(&ctx), call_id, run_id)
        .await
    {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/calls/{call_id}"),
            "flash-exchange-published",
        ),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "exchange-run-conflict")
        }
        Err(StoreError::Invalid(_)) => super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "exchange-quota-exceeded",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

/// Staff enter an interview score (0–100); out of range: a clear message, nothing changed.
pub async fn interview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match crate::api::exchange::load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(_) => return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found"),
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let raw = values.get("interview_score").trim().to_string();
    let score = if raw.is_empty() {
        None
    } else {
        match raw.parse::<i64>() {
            Ok(s) if (0..=100).contains(&s) => Some(s),
            _ => {
                return super::error_page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "exchange-interview-range",
                )
            }
        }
    };
    let mut draft = a.draft.clone();
    draft.interview_score = score;
    let back = format!("/calls/{}#application-{}", a.draft.call_id, a.id);
    match state
        .db
        .update_application(&actor(&ctx), a.id, version, &draft)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, &back, "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "exchange-interview-range",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

/// The latest run's result as a spreadsheet: one row per applicant in the run.
pub async fn export(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let (call, labels) = match load_call(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let run = match state.db.latest_allocation_run(call.id).await {
        Ok(Some(r)) => r,
        Ok(None) => return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found"),
        Err(e) => return store_error_page(&ctx, e),
    };
    let apps = match state.db.call_applications(call.id).await {
        Ok(a) => a,
        Err(e) => return store_error_page(&ctx, e),
    };
    let header: Vec<String> = [
        "exchange-xlsx-application",
        "exchange-applicant",
        "exchange-score",
        "exchange-interview",
        "exchange-choices",
        "exchange-result",
        "exchange-xlsx-explanation",
    ]
    .iter()
    .map(|k| ctx.t(k))
    .collect();
    let mut rows = Vec::new();
    for v in run.frozen["applications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let Some(id) = v["id"].as_str().and_then(|s| s.parse::<Id>().ok()) else {
            continue;
        };
        let key = format!("a{id}");
        let a = apps.iter().find(|a| a.id == id);
        let name = match a {
            Some(a) => match state.db.person(a.draft.person_id).await {
                Ok(p) => p.draft.name.display(ctx.lang.is_chinese()).to_string(),
                Err(_) => format!("#{}", a.draft.person_id),
            },
            None => String::new(),
        };
        let lines: Vec<ExplanationLine> =
            serde_json::from_value(run.result["explanations"][&key].clone()).unwrap_or_default();
        let why: Vec<String> = lines
            .iter()
            .map(|l| explanation_text(&ctx, &labels, l))
            .collect();
        rows.push(vec![
            id.to_string(),
            name,
            a.map(|a| score_text(a.draft.score)).unwrap_or_default(),
            a.and_then(|a| a.draft.interview_score)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            a.map(|a| {
                a.draft
                    .choices
                    .iter()
                    .map(|c| label(&ctx, &labels, *c))
                    .collect::<Vec<_>>()
                    .join(" > ")
            })
            .unwrap_or_default(),
            run.result["assignment"][&key]
                .as_str()
                .and_then(|c| c.parse::<Id>().ok())
                .map(|c| label(&ctx, &labels, c))
                .unwrap_or_else(|| ctx.t("exchange-no-place")),
            why.join("; "),
        ]);
    }
    let bytes =
        liaison_transfer::table_file("allocation", &header, &rows, liaison_transfer::Format::Xlsx);
    super::transfer::spreadsheet_response(
        bytes,
        liaison_transfer::Format::Xlsx,
        &format!("allocation-call-{}-round-{}.xlsx", call.id, run.round),
    )
}

fn level_options() -> Vec<(String, String)> {
    CefrLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), l.as_str().to_string()))
        .collect()
}

fn facts_fields(ctx: &Ctx, values: &FormData, errors: &FieldErrors) -> Markup {
    let f = Form {
        ctx,
        values,
        errors,
    };
    html! {
        div.grid {
            (f.input("gpa", "field-gpa", "text", false))
            (f.select("language_level", "field-language-level", &level_options(), Some("choose")))
            (f.input("certificate", "field-certificate", "text", false))
            (f.input("year_of_study", "field-year-of-study", "number", false))
            (f.input("major", "field-major", "text", false))
        }
    }
}

/// The facts from the form; a value that does not parse is an error on its field.
fn facts_from(values: &FormData, errors: &mut FieldErrors) -> ApplicantFacts {
    let gpa = values
        .opt("gpa")
        .and_then(|g| match g.trim().replace(',', ".").parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push("gpa", "gpa-range");
                None
            }
        });
    let language_level = values.opt("language_level").and_then(|l| {
        let parsed = CefrLevel::parse(&l);
        if parsed.is_none() {
            errors.push("language_level", "invalid-choice");
        }
        parsed
    });
    let year_of_study = values
        .opt("year_of_study")
        .and_then(|y| match y.trim().parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push("year_of_study", "year-of-study-range");
                None
            }
        });
    ApplicantFacts {
        gpa,
        language_level,
        certificate: values.opt("certificate"),
        year_of_study,
        major: values.opt("major"),
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
            (facts_fields(ctx, values, errors))
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
    if !manages(&ctx) {
        if let Some(e) = window_error(&call.draft) {
            errors.0.push(e);
        }
    }
    let facts = facts_from(&values, &mut errors);
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
            facts,
            interview_score: None,
            score: None,
            status: ApplicationStatus::Submitted,
            ineligible_reason: None,
        };
        match state.db.create_application(&actor(&ctx), &draft).await {
            Ok(a) => {
                let key = if a.draft.status == ApplicationStatus::Eligible {
                    "flash-exchange-submitted-eligible"
                } else {
                    "flash-exchange-submitted-ineligible"
                };
                return redirect_with_flash(&ctx, &format!("/applications/{}", a.id), key);
            }
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
                            td { a href=(format!("/applications/{}", a.id)) { (bilingual(&ctx, &call.draft.title)) } }
                            td { ol { @for c in &a.draft.choices { li { (label(&ctx, labels, *c)) } } } }
                            td { (outcome(&ctx, labels, a)) (failed_rules(&ctx, &a.failed_rules)) }
                        }
                    }
                }
            }
        }
    };
    super::page(&ctx, &title, body)
}

// ---- Staff: creating and editing calls ----

/// How many empty place rows the form offers beyond the call's places.
const EXTRA_PLACE_ROWS: usize = 3;

fn call_to_form(d: &CallDraft) -> FormData {
    let mut f = FormData::default();
    f.set_localized("title", &d.title);
    f.set_localized("description", &d.description);
    f.set("academic_year", d.academic_year.clone());
    f.set_opt("opens_on", d.opens_on.map(iso_date::format).as_deref());
    f.set_opt("deadline", d.deadline.map(iso_date::format).as_deref());
    f.set("max_choices", d.max_choices.to_string());
    for (i, p) in d.places.iter().enumerate() {
        f.set(
            &format!("places.{i}.condition_id"),
            p.condition_id.to_string(),
        );
        f.set(&format!("places_{i}_places"), p.places.to_string());
    }
    f.set_opt(
        "rules_min_gpa",
        d.rules.min_gpa.map(|g| format!("{g:.2}")).as_deref(),
    );
    f.set_opt(
        "rules.min_language_level",
        d.rules.min_language_level.map(|l| l.as_str()),
    );
    f.set("rules_certificates", d.rules.certificates.join(", "));
    for y in &d.rules.years_of_study {
        f.set("rules.years_of_study", y.to_string());
    }
    f.set("rules_majors", d.rules.majors.join("\n"));
    f.set("scoring_gpa_weight", d.scoring.gpa_weight.to_string());
    f.set(
        "scoring_language_weight",
        d.scoring.language_weight.to_string(),
    );
    f.set(
        "scoring_interview_weight",
        d.scoring.interview_weight.to_string(),
    );
    f.set("scoring_gpa_max", d.scoring.gpa_max.to_string());
    f
}

fn call_from_form(f: &FormData) -> Result<CallDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut date = |name: &str| -> Option<time::Date> {
        let raw = f.opt(name)?;
        let d = iso_date::parse(&raw);
        if d.is_none() {
            errors.push(name, "invalid-date");
        }
        d
    };
    let opens_on = date("opens_on");
    let deadline = date("deadline");
    let int = |name: &str, field: &str, errors: &mut FieldErrors| -> Option<i64> {
        let raw = f.opt(name)?;
        let v = raw.trim().parse::<i64>().ok();
        if v.is_none() {
            errors.push(field, "invalid-number");
        }
        v
    };
    let max_choices = int("max_choices", "max_choices", &mut errors).unwrap_or(0);
    let mut places = Vec::new();
    let mut i = 0;
    while f
        .0
        .iter()
        .any(|(k, _)| k == &format!("places.{i}.condition_id"))
    {
        let cond = f.get(&format!("places.{i}.condition_id"));
        if !cond.is_empty() {
            let n = places.len();
            match cond.parse::<Id>() {
                Ok(condition_id) => places.push(CallPlace {
                    condition_id,
                    places: int(
                        &format!("places_{i}_places"),
                        &format!("places.{n}.places"),
                        &mut errors,
                    )
                    .unwrap_or(-1),
                }),
                Err(_) => errors.push(format!("places.{n}.condition_id"), "invalid-choice"),
            }
        }
        i += 1;
    }
    let min_gpa = f
        .opt("rules_min_gpa")
        .and_then(|g| match g.replace(',', ".").parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push("rules.min_gpa", "gpa-range");
                None
            }
        });
    let min_language_level = f.opt("rules.min_language_level").and_then(|l| {
        let parsed = CefrLevel::parse(&l);
        if parsed.is_none() {
            errors.push("rules.min_language_level", "invalid-choice");
        }
        parsed
    });
    let mut years_of_study = Vec::new();
    for y in f.all("rules.years_of_study") {
        match y.parse::<i64>() {
            Ok(v) => years_of_study.push(v),
            Err(_) => errors.push("rules.years_of_study", "year-of-study-range"),
        }
    }
    let split = |v: &str, seps: &[char]| -> Vec<String> {
        v.split(seps)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let rules = EligibilityRules {
        min_gpa,
        min_language_level,
        certificates: split(f.get("rules_certificates"), &[',', ';', '\n']),
        years_of_study,
        majors: split(f.get("rules_majors"), &['\n', ';']),
    };
    let weight = |name: &str, field: &str, errors: &mut FieldErrors| -> i64 {
        match f.get(name).trim().parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                errors.push(field, "weight-range");
                0
            }
        }
    };
    let scoring = ScoringRule {
        gpa_weight: weight("scoring_gpa_weight", "scoring.gpa_weight", &mut errors),
        language_weight: weight(
            "scoring_language_weight",
            "scoring.language_weight",
            &mut errors,
        ),
        interview_weight: weight(
            "scoring_interview_weight",
            "scoring.interview_weight",
            &mut errors,
        ),
        gpa_max: f
            .get("scoring_gpa_max")
            .replace(',', ".")
            .trim()
            .parse::<f64>()
            .unwrap_or_else(|_| {
                errors.push("scoring.gpa_max", "gpa-range");
                4.0
            }),
    };
    let draft = CallDraft {
        title: f.localized("title"),
        description: f.localized("description"),
        academic_year: f.get("academic_year").to_string(),
        opens_on,
        deadline,
        max_choices,
        places,
        rules,
        scoring,
    };
    crate::api::merge(errors, draft.validate())
}

/// The conditions in force in the form's year, as options: agreement title, places left.
async fn condition_options(state: &AppState, ctx: &Ctx, year: &str) -> Vec<(String, String)> {
    if liaison_domain::agreement::parse_academic_year(year).is_none() {
        return Vec::new();
    }
    state
        .db
        .quotas(year)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|q| {
            (
                q.condition_id.to_string(),
                ctx.t_args(
                    "exchange-condition-option",
                    &[
                        (
                            "agreement",
                            FluentValue::from(
                                q.agreement_title.display(ctx.lang.is_chinese()).to_string(),
                            ),
                        ),
                        ("id", FluentValue::from(q.condition_id.to_string())),
                        ("remaining", FluentValue::from(q.remaining)),
                        ("places", FluentValue::from(q.places)),
                    ],
                ),
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn call_form_page(
    state: &AppState,
    ctx: &Ctx,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
    cancel: &str,
) -> Response {
    let f = Form {
        ctx,
        values,
        errors,
    };
    let options = condition_options(state, ctx, values.get("academic_year").trim()).await;
    let mut rows = 0;
    while values
        .0
        .iter()
        .any(|(k, _)| k == &format!("places.{rows}.condition_id"))
    {
        rows += 1;
    }
    let rows = rows + EXTRA_PLACE_ROWS;
    let years: Vec<(String, String)> = (1..=6).map(|y| (y.to_string(), y.to_string())).collect();
    let body = html! {
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.localized("title", "field-title", true, false))
            (f.localized("description", "field-description", false, true))
            div.grid {
                (f.input("academic_year", "field-academic-year", "text", true))
                (f.input("opens_on", "field-opens-on", "date", false))
                (f.input("deadline", "field-deadline", "date", false))
                (f.input("max_choices", "field-max-choices", "number", true))
            }
            fieldset {
                legend { (ctx.t("exchange-places")) }
                p.help { (ctx.t("exchange-places-help")) }
                @for i in 0..rows {
                    div.grid {
                        (f.select(&format!("places.{i}.condition_id"), "field-condition-id", &options, Some("choose")))
                        (f.input(&format!("places.{i}.places"), "field-places", "number", false))
                    }
                }
            }
            fieldset {
                legend { (ctx.t("exchange-rules")) }
                div.grid {
                    (f.input("rules.min_gpa", "field-gpa", "text", false))
                    (f.select("rules.min_language_level", "field-language-level", &level_options(), Some("exchange-any")))
                    (f.input("rules.certificates", "field-certificate", "text", false))
                }
                (f.checkboxes("rules.years_of_study", "field-year-of-study", &years))
                (f.textarea("rules.majors", "field-major"))
            }
            fieldset {
                legend { (ctx.t("exchange-scoring")) }
                p.help { (ctx.t("exchange-tie-break")) }
                div.grid {
                    (f.input("scoring.gpa_weight", "field-gpa-weight", "number", true))
                    (f.input("scoring.language_weight", "field-language-weight", "number", true))
                    (f.input("scoring.interview_weight", "field-interview-weight", "number", true))
                    (f.input("scoring.gpa_max", "field-gpa-max", "text", true))
                }
            }
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

pub async fn new_call_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    let next = time::OffsetDateTime::now_utc().year() as i64;
    let draft = CallDraft {
        title: LocalizedText::default(),
        description: LocalizedText::default(),
        academic_year: format!("{next}/{}", next + 1),
        opens_on: None,
        deadline: None,
        max_choices: 3,
        places: Vec::new(),
        rules: EligibilityRules::default(),
        scoring: ScoringRule::default(),
    };
    call_form_page(
        &state,
        &ctx,
        &ctx.t("exchange-new-call"),
        "/calls",
        &call_to_form(&draft),
        &FieldErrors::default(),
        false,
        "/calls",
    )
    .await
}

pub async fn create_call(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let title = ctx.t("exchange-new-call");
    let errors = match call_from_form(&values) {
        Ok(draft) => match state.db.create_call(&actor(&ctx), &draft).await {
            Ok(c) => return redirect_with_flash(&ctx, &format!("/calls/{}", c.id), "flash-saved"),
            Err(StoreError::Invalid(e)) => e,
            Err(e) => return store_error_page(&ctx, e),
        },
        Err(e) => e,
    };
    call_form_page(
        &state, &ctx, &title, "/calls", &values, &errors, false, "/calls",
    )
    .await
}

pub async fn edit_call_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let (call, _) = match load_call(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut values = call_to_form(&call.draft);
    values.set("version", call.version.to_string());
    call_form_page(
        &state,
        &ctx,
        &ctx.t("exchange-edit-call"),
        &format!("/calls/{}/edit", call.id),
        &values,
        &FieldErrors::default(),
        false,
        &format!("/calls/{}", call.id),
    )
    .await
}

pub async fn update_call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (call, _) = match load_call(&state, &ctx, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let title = ctx.t("exchange-edit-call");
    let action = format!("/calls/{}/edit", call.id);
    let cancel = format!("/calls/{}", call.id);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let (errors, conflict) = match call_from_form(&values) {
        Ok(draft) => match state
            .db
            .update_call(&actor(&ctx), call.id, version, &draft)
            .await
        {
            Ok(_) => return redirect_with_flash(&ctx, &cancel, "flash-saved"),
            Err(StoreError::Conflict { .. }) => (FieldErrors::default(), true),
            Err(StoreError::Invalid(e)) => (e, false),
            Err(e) => return store_error_page(&ctx, e),
        },
        Err(e) => (e, false),
    };
    call_form_page(
        &state, &ctx, &title, &action, &values, &errors, conflict, &cancel,
    )
    .await
}

// ---- Staff: quotas per cooperation condition and academic year ----

pub async fn quotas(State(state): State<AppState>, ctx: Ctx) -> Response {
    let query: Vec<(String, String)> = form_urlencoded::parse(ctx.query.as_bytes())
        .into_owned()
        .collect();
    let year = query
        .iter()
        .find(|(k, _)| k == "academic_year")
        .map(|(_, v)| v.trim().to_string())
        .filter(|y| liaison_domain::agreement::parse_academic_year(y).is_some())
        .unwrap_or_else(|| {
            let y = time::OffsetDateTime::now_utc().year();
            format!("{y}/{}", y + 1)
        });
    quotas_page(&state, &ctx, &year, &FormData::default(), None).await
}

async fn quotas_page(
    state: &AppState,
    ctx: &Ctx,
    year: &str,
    values: &FormData,
    error: Option<(StatusCode, String)>,
) -> Response {
    let lines = match state.db.quotas(year).await {
        Ok(l) => l,
        Err(e) => return store_error_page(ctx, e),
    };
    let title = ctx.t("exchange-quotas");
    let body = html! {
        h1 { (title) " " (year) }
        form method="get" action="/quotas" {
            label { (ctx.t("exchange-academic-year")) " " input name="academic_year" value=(year); }
            " " button type="submit" { (ctx.t("exchange-show")) }
        }
        @if let Some((_, message)) = &error { div.error-summary role="alert" { p { (message) } } }
        table {
            thead { tr {
                th { (ctx.t("exchange-place")) }
                th { (ctx.t("exchange-quota-places")) }
                th { (ctx.t("exchange-quota-used")) }
                th { (ctx.t("exchange-quota-remaining")) }
                th { (ctx.t("exchange-quota-override")) }
            } }
            tbody {
                @for q in &lines {
                    tr id=(format!("condition-{}", q.condition_id)) {
                        td { a href=(format!("/agreements/{}", q.agreement_id)) { (bilingual(ctx, &q.agreement_title)) } " #" (q.condition_id) }
                        td { (q.places)
                             @if let Some(r) = &q.override_reason { br; small { (ctx.t_args("exchange-overridden", &[
                                 ("per_year", FluentValue::from(q.places_per_year)),
                                 ("reason", FluentValue::from(r.clone())),
                             ])) } } }
                        td { (q.used) }
                        td { (q.remaining) }
                        td {
                            form.inline method="post" action="/quotas" {
                                (csrf_input(ctx))
                                input type="hidden" name="condition_id" value=(q.condition_id);
                                input type="hidden" name="academic_year" value=(year);
                                label { (ctx.t("field-places")) " "
                                    input type="number" min="0" name="places" required value=(if values.get("condition_id") == q.condition_id.to_string() { values.get("places").to_string() } else { q.places.to_string() }); }
                                " "
                                label { (ctx.t("field-reason")) " "
                                    input name="reason" required value=(if values.get("condition_id") == q.condition_id.to_string() { values.get("reason") } else { "" }); }
                                " " button type="submit" { (ctx.t("save")) }
                            }
                        }
                    }
                }
            }
        }
    };
    let status = error.map_or(StatusCode::OK, |(s, _)| s);
    super::html_response(status, super::layout(ctx, &title, body))
}

/// A staff override of a condition's places for a year: a reason is required; audited.
pub async fn override_quota(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let year = values.get("academic_year").trim().to_string();
    let condition = values.get("condition_id").parse::<Id>().unwrap_or(0);
    let places = values.get("places").trim().parse::<i64>().unwrap_or(-1);
    let existing = match state.db.quota_override(condition, &year).await {
        Ok(o) => o.map(|o| o.version),
        Err(e) => return store_error_page(&ctx, e),
    };
    match state
        .db
        .set_quota_override(
            &actor(&ctx),
            condition,
            &year,
            places,
            values.get("reason"),
            existing,
        )
        .await
    {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/quotas?academic_year={year}#condition-{condition}"),
            "flash-saved",
        ),
        Err(StoreError::Invalid(e)) => {
            let message =
                e.0.iter()
                    .map(|e| {
                        format!(
                            "{}: {}",
                            ctx.t(&format!("field-{}", e.field.replace('_', "-"))),
                            ctx.t(&format!("error-{}", e.code))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" · ");
            let year = if liaison_domain::agreement::parse_academic_year(&year).is_some() {
                year
            } else {
                let y = time::OffsetDateTime::now_utc().year();
                format!("{y}/{}", y + 1)
            };
            quotas_page(
                &state,
                &ctx,
                &year,
                &values,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await
        }
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

// ---- One application: the student's own page (staff see every one) ----

async fn load_application(state: &AppState, ctx: &Ctx, id: &str) -> Result<Application, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let a = state
        .db
        .application(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, visible(ctx, &a), true)?;
    Ok(a)
}

/// Whether the caller may change the choices or documents now: students while the status
/// allows it and the call is open; staff while the status allows it.
fn may_change(ctx: &Ctx, call: &Call, a: &Application) -> bool {
    a.draft.status.is_editable_by_student() && (manages(ctx) || window_error(&call.draft).is_none())
}

fn facts_to_form(f: &ApplicantFacts) -> FormData {
    let mut v = FormData::default();
    v.set_opt("gpa", f.gpa.map(|g| format!("{g:.2}")).as_deref());
    v.set_opt("language_level", f.language_level.map(|l| l.as_str()));
    v.set_opt("certificate", f.certificate.as_deref());
    v.set_opt(
        "year_of_study",
        f.year_of_study.map(|y| y.to_string()).as_deref(),
    );
    v.set_opt("major", f.major.as_deref());
    v
}

async fn application_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Application,
    upload_error: Option<(StatusCode, &str)>,
) -> Response {
    application_page_with(
        state,
        ctx,
        a,
        upload_error,
        &facts_to_form(&a.draft.facts),
        &FieldErrors::default(),
    )
    .await
}

async fn application_page_with(
    state: &AppState,
    ctx: &Ctx,
    a: &Application,
    upload_error: Option<(StatusCode, &str)>,
    values: &FormData,
    errors: &FieldErrors,
) -> Response {
    let (call, labels) = match load_call(state, ctx, &a.draft.call_id.to_string()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let documents = match state
        .db
        .documents_of(liaison_storage::OwnerKind::Application, a.id)
        .await
    {
        Ok(d) => d,
        Err(e) => return store_error_page(ctx, e),
    };
    let change = may_change(ctx, &call, a);
    let n = a.draft.choices.len();
    let title = ctx.t("exchange-my-application");
    let body = html! {
        h1 { (title) ": " (bilingual(ctx, &call.draft.title)) }
        p { (ctx.t("exchange-status")) ": " strong { (ctx.t(&a.draft.status.message_key())) }
            @if let Some(s) = a.draft.score { " · " (ctx.t("exchange-score")) ": " (format_score(s)) } }
        p { (facts_text(ctx, &a.draft.facts)) }
        (failed_rules(ctx, &a.failed_rules))
        @if change {
            details open[!errors.is_empty()] {
                summary { (ctx.t("exchange-edit-facts")) }
                (Form { ctx, values, errors }.summary())
                form method="post" action=(format!("/applications/{}/facts", a.id)) novalidate {
                    (csrf_input(ctx))
                    input type="hidden" name="version" value=(a.version);
                    (facts_fields(ctx, values, errors))
                    button type="submit" { (ctx.t("save")) }
                }
            }
        }
        @if a.allocated_condition_id.is_some() || !a.explanation.is_empty() {
            h2 { (ctx.t("exchange-result")) }
            (outcome(ctx, &labels, a))
        }
        h2 { (ctx.t("exchange-choices")) }
        @if !change && window_error(&call.draft).is_some() { p.notice { (ctx.t("exchange-closed")) } }
        ol.choices {
            @for (i, c) in a.draft.choices.iter().enumerate() {
                li {
                    (label(ctx, &labels, *c))
                    @if change {
                        @for (dir, key, show) in [("up", "exchange-move-up", i > 0), ("down", "exchange-move-down", i + 1 < n)] {
                            @if show {
                                " "
                                form.inline method="post" action=(format!("/applications/{}/move", a.id)) {
                                    (csrf_input(ctx))
                                    input type="hidden" name="version" value=(a.version);
                                    input type="hidden" name="index" value=(i);
                                    input type="hidden" name="direction" value=(dir);
                                    button.secondary type="submit" aria-label=(format!("{} {}", ctx.t(key), label(ctx, &labels, *c))) { (ctx.t(key)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.help { (ctx.t("exchange-documents-help")) }
        (super::documents::section(ctx, liaison_storage::OwnerKind::Application, a.id, &documents, change, upload_error.map(|(_, k)| k)))
        @if a.draft.status.may_become(ApplicationStatus::Withdrawn) && a.draft.status != ApplicationStatus::Withdrawn {
            p { a.button.danger href=(format!("/applications/{}/withdraw", a.id)) { (ctx.t("exchange-withdraw")) } }
        }
        p { a href=(format!("/calls/{}", call.id)) { (bilingual(ctx, &call.draft.title)) } " · " a href="/applications" { (ctx.t("exchange-my-applications")) } }
    };
    let status = match upload_error {
        Some((s, _)) => s,
        None if !errors.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

/// The student corrects what they stated; the application is submitted (checked) again.
/// Refused after the deadline; bad values are named and nothing changes.
pub async fn update_facts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let call = match state.db.call(a.draft.call_id).await {
        Ok(c) => c,
        Err(e) => return store_error_page(&ctx, e),
    };
    if !may_change(&ctx, &call, &a) {
        return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "exchange-locked");
    }
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let mut errors = FieldErrors::default();
    let facts = facts_from(&values, &mut errors);
    if errors.is_empty() {
        let mut draft = a.draft.clone();
        draft.facts = facts;
        if draft.status != ApplicationStatus::Draft {
            draft.status = ApplicationStatus::Submitted;
        }
        match state
            .db
            .update_application(&actor(&ctx), a.id, version, &draft)
            .await
        {
            Ok(_) => {
                return redirect_with_flash(&ctx, &format!("/applications/{}", a.id), "flash-saved")
            }
            Err(StoreError::Conflict { .. }) => {
                return super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
            }
            Err(StoreError::Invalid(e)) => errors = e,
            Err(e) => return store_error_page(&ctx, e),
        }
    }
    application_page_with(&state, &ctx, &a, None, &values, &errors).await
}

pub async fn show_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    match load_application(&state, &ctx, &id).await {
        Ok(a) => application_page(&state, &ctx, &a, None).await,
        Err(r) => r,
    }
}

/// Moves one ranked choice up or down (a form per button: works without JavaScript). A change
/// submits the application again (checked again); after the deadline it is refused.
pub async fn move_choice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let call = match state.db.call(a.draft.call_id).await {
        Ok(c) => c,
        Err(e) => return store_error_page(&ctx, e),
    };
    if !may_change(&ctx, &call, &a) {
        return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "exchange-locked");
    }
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let n = a.draft.choices.len();
    let i = values.get("index").parse::<usize>().ok().filter(|i| *i < n);
    let j = match (i, values.get("direction")) {
        (Some(i), "up") if i > 0 => Some((i, i - 1)),
        (Some(i), "down") if i + 1 < n => Some((i, i + 1)),
        _ => None,
    };
    let Some((i, j)) = j else {
        return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "exchange-bad-move");
    };
    let mut draft = a.draft.clone();
    draft.choices.swap(i, j);
    if draft.status != ApplicationStatus::Draft {
        draft.status = ApplicationStatus::Submitted;
    }
    match state
        .db
        .update_application(&actor(&ctx), a.id, version, &draft)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, &format!("/applications/{}", a.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => {
            super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "exchange-bad-move")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let a = match load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let title = ctx.t("exchange-withdraw");
    let back = format!("/applications/{}", a.id);
    super::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            div.warning { p { (ctx.t("exchange-withdraw-warning")) } }
            form method="post" action=(format!("/applications/{}/withdraw", a.id)) {
                (csrf_input(&ctx))
                input type="hidden" name="version" value=(a.version);
                button.danger type="submit" { (ctx.t("exchange-withdraw")) }
                " " a.button.secondary href=(back) { (ctx.t("cancel")) }
            }
        },
    )
}

/// Withdraws an application (also after the deadline and after an allocation: the place is
/// freed for a later round).
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    let mut draft = a.draft.clone();
    draft.status = ApplicationStatus::Withdrawn;
    match state
        .db
        .update_application(&actor(&ctx), a.id, version, &draft)
        .await
    {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/applications/{}", a.id),
            "flash-exchange-withdrawn",
        ),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-status",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

/// A document (transcript, language certificate) for the application: streamed through the
/// upload machinery; refused after the deadline.
pub async fn upload_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Response {
    let a = match load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let call = match state.db.call(a.draft.call_id).await {
        Ok(c) => c,
        Err(e) => return store_error_page(&ctx, e),
    };
    if !may_change(&ctx, &call, &a) {
        return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "exchange-locked");
    }
    match super::documents::receive_multipart(
        &state,
        &ctx,
        liaison_storage::OwnerKind::Application,
        a.id,
        req,
    )
    .await
    {
        Ok(_) => redirect_with_flash(
            &ctx,
            &format!("/applications/{}#documents", a.id),
            "flash-uploaded",
        ),
        Err(e) => match super::documents::upload_failure_page(&ctx, e) {
            Ok((status, key)) => application_page(&state, &ctx, &a, Some((status, key))).await,
            Err(page) => page,
        },
    }
}

/// Staff decide eligibility by hand (over the rules): ineligible needs a reason; audited.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let a = match load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let mut draft = a.draft.clone();
    match values.get("status") {
        "eligible" => {
            draft.status = ApplicationStatus::Eligible;
            draft.ineligible_reason = None;
        }
        "ineligible" => {
            let reason = values.get("ineligible_reason").trim();
            if reason.is_empty() {
                return super::error_page(
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "exchange-reason-required",
                );
            }
            draft.status = ApplicationStatus::Ineligible;
            draft.ineligible_reason = Some(reason.to_string());
        }
        _ => {
            return super::error_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "page-invalid-status",
            )
        }
    }
    let back = format!("/calls/{}#application-{}", a.draft.call_id, a.id);
    match state
        .db
        .update_application(&actor(&ctx), a.id, version, &draft)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, &back, "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-status",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

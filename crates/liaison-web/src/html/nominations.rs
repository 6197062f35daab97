//! Nominations (issue 7): the office's list of allocated students to nominate and of nominations
//! awaiting or having the partner's answer, the nomination form (planned dates), the partner's
//! answer on the stay's page, and the printable bilingual nomination letter.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use crate::i18n::Lang;

use super::institutions::store_error_page;
use super::mobilities::Names;
use super::{csrf_input, pager, parse_path_id, redirect_with_flash, Form, FormData};
use crate::api::institutions::actor;
use crate::api::mobilities::reach;
use crate::api::ListQuery;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::agreement::StudyLevel;
use liaison_domain::event::iso_date;
use liaison_domain::exchange::{Application, ApplicationStatus};
use liaison_domain::mobility::{MobilityDirection, MobilityStatus};
use liaison_domain::nomination::NominationInput;
use liaison_domain::{access, Action, FieldErrors, Id, LocalizedText, Mobility, Role, Scope};
use liaison_storage::{mobility_visible, ApplicationFilter, StoreError};

/// The statuses the list shows, in the order an application passes them.
const SHOWN: &[ApplicationStatus] = &[
    ApplicationStatus::Allocated,
    ApplicationStatus::Nominated,
    ApplicationStatus::Accepted,
    ApplicationStatus::Rejected,
];

/// `GET /nominations?status=…`: allocated students to nominate (default), nominations awaiting
/// the partner, accepted, rejected.
pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let query = match ListQuery::parse(raw.as_deref(), &["updated_at"], &["status"]) {
        Ok(q) => q,
        Err(_) => return super::error_page(&ctx, StatusCode::BAD_REQUEST, "page-invalid-filter"),
    };
    let mut errors = FieldErrors::default();
    let status = query
        .filter("status", ApplicationStatus::parse, &mut errors)
        .unwrap_or(ApplicationStatus::Allocated);
    if !errors.is_empty() || !SHOWN.contains(&status) {
        return super::error_page(&ctx, StatusCode::BAD_REQUEST, "page-invalid-filter");
    }
    let page = match state
        .db
        .applications(
            &ApplicationFilter {
                status: Some(status),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "updated_at",
                descending: true,
            },
            &query.page,
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let ids: Vec<Id> = page.items.iter().map(|a| a.id).collect();
    let conditions: Vec<Id> = page
        .items
        .iter()
        .filter_map(|a| a.allocated_condition_id)
        .collect();
    let people: Vec<Id> = page.items.iter().map(|a| a.draft.person_id).collect();
    let (stays, places, names) = match tokio::try_join!(
        state.db.stays_of_applications(&ids),
        state.db.condition_labels(&conditions),
        state.db.person_names(&people)
    ) {
        Ok(found) => found,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let show = |t: Option<&LocalizedText>| t.map(|t| t.display(zh).to_string()).unwrap_or_default();
    let title = ctx.t("nominations-title");
    let body = html! {
        h1 { (title) }
        p { (ctx.t("nominations-hint")) }
        p.filters {
            @for (i, s) in SHOWN.iter().enumerate() {
                @if i > 0 { " · " }
                @if *s == status { strong { (ctx.t(&s.message_key())) } }
                @else { a href=(format!("/nominations?status={}", s.as_str())) { (ctx.t(&s.message_key())) } }
            }
        }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("nominations-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("mobility-person")) }
                    th scope="col" { (ctx.t("nominations-place")) }
                    th scope="col" { (ctx.t("field-status")) }
                    th scope="col" { span.visually-hidden { (ctx.t("checklist-actions")) } }
                } }
                tbody { @for a in &page.items { tr {
                    td { (show(names.get(&a.draft.person_id))) }
                    td { (show(a.allocated_condition_id.and_then(|c| places.get(&c)))) }
                    td { (ctx.t(&a.draft.status.message_key())) }
                    td {
                        @if a.draft.status == ApplicationStatus::Allocated {
                            a.button href=(format!("/applications/{}/nominate", a.id)) { (ctx.t("nominations-nominate")) }
                        } @else if let Some(m) = stays.get(&a.id) {
                            a href=(format!("/mobilities/{}", m.id)) { (ctx.t("nominations-stay")) }
                            " · " a href=(format!("/mobilities/{}/letter", m.id)) { (ctx.t("nominations-letter")) }
                        }
                    }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

async fn load_application(state: &AppState, ctx: &Ctx, id: &str) -> Result<Application, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    state
        .db
        .application(id)
        .await
        .map_err(|e| store_error_page(ctx, e))
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Application,
    values: &FormData,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let people = [a.draft.person_id];
    let places: Vec<Id> = a.allocated_condition_id.into_iter().collect();
    let (names, labels) = match tokio::try_join!(
        state.db.person_names(&people),
        state.db.condition_labels(&places)
    ) {
        Ok(found) => found,
        Err(e) => return store_error_page(ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let person = names
        .get(&a.draft.person_id)
        .map(|n| n.display(zh).to_string())
        .unwrap_or_default();
    let place = places
        .first()
        .and_then(|c| labels.get(c))
        .map(|l| l.display(zh).to_string())
        .unwrap_or_default();
    let title = ctx.t_args(
        "nominations-form-title",
        &[("name", FluentValue::from(person))],
    );
    let f = Form {
        ctx,
        values,
        errors,
    };
    let levels: Vec<(String, String)> = StudyLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), ctx.t(&l.message_key())))
        .collect();
    let action = format!("/applications/{}/nominate", a.id);
    let body = html! {
        p.breadcrumb { a href="/nominations" { (ctx.t("nominations-title")) } }
        h1 { (title) }
        p { (ctx.t_args("nominations-form-place", &[("place", FluentValue::from(place))])) }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            input type="hidden" name="version" value=(values.get("version"));
            (f.input("planned_start", "field-planned-start", "date", true))
            (f.input("planned_end", "field-planned-end", "date", true))
            (f.select("level", "field-level", &levels, Some("mobility-level-none")))
            div.actions {
                button type="submit" { (ctx.t("nominations-nominate")) }
                " " a.button.secondary href="/nominations" { (ctx.t("cancel")) }
            }
        }
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

/// `GET /applications/{id}/nominate`: the planned dates of the stay (the place's academic year
/// suggests a September start) and the level.
pub async fn form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let a = match load_application(&state, &ctx, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut values = FormData::default();
    values.set("version", a.version.to_string());
    if let Ok(call) = state.db.call(a.draft.call_id).await {
        if let Some(first) = call.draft.academic_year.get(..4) {
            values.set("planned_start", format!("{first}-09-01"));
            if let Ok(y) = first.parse::<i32>() {
                values.set("planned_end", format!("{}-01-31", y + 1));
            }
        }
    }
    values.set("level", StudyLevel::Bachelor.as_str());
    form_page(
        &state,
        &ctx,
        &a,
        &values,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /applications/{id}/nominate`: records the stay and moves the application to nominated.
pub async fn nominate(
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
    let mut errors = FieldErrors::default();
    let date = |name: &str, errors: &mut FieldErrors| match iso_date::parse(values.get(name)) {
        Some(d) => Some(d),
        None => {
            errors.push(
                name,
                if values.get(name).is_empty() {
                    "required"
                } else {
                    "invalid-date"
                },
            );
            None
        }
    };
    let start = date("planned_start", &mut errors);
    let end = date("planned_end", &mut errors);
    let level = values.opt("level").and_then(|l| StudyLevel::parse(&l));
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let (Some(planned_start), Some(planned_end)) = (start, end) else {
        return form_page(
            &state,
            &ctx,
            &a,
            &values,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = NominationInput {
        planned_start,
        planned_end,
        level,
    };
    match state.db.nominate(&actor(&ctx), a.id, version, &input).await {
        Ok(m) => redirect_with_flash(&ctx, &format!("/mobilities/{}", m.id), "flash-nominated"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(errors)) => {
            form_page(
                &state,
                &ctx,
                &a,
                &values,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

/// Whether the caller may answer for the host of this nominated stay: the office, or a partner
/// contact of the host institution.
pub fn may_answer(ctx: &Ctx, m: &Mobility) -> bool {
    let Some(u) = ctx.user.as_ref() else {
        return false;
    };
    if m.status != MobilityStatus::Nominated || !access::allows(u.role, Action::AnswerNominations) {
        return false;
    }
    match (u.role, &u.scope) {
        (Role::Partner, Scope::Institution(i)) => {
            m.draft.direction == MobilityDirection::Outgoing && m.draft.host_institution_id == *i
        }
        (Role::Partner, _) => false,
        _ => true,
    }
}

/// The answer buttons and the letter link on a stay's page.
pub fn section(ctx: &Ctx, m: &Mobility) -> Markup {
    let answer = may_answer(ctx, m);
    html! {
        @if m.draft.direction == MobilityDirection::Outgoing && (answer || m.application_id.is_some()) {
            section.nomination {
                h2 { (ctx.t("nominations-section")) }
                p { a href=(format!("/mobilities/{}/letter", m.id)) { (ctx.t("nominations-letter")) } }
                @if answer {
                    div.actions {
                        @for (decision, key, class) in [("accept", "nominations-accept", ""), ("reject", "nominations-reject", "danger")] {
                            form.inline method="post" action=(format!("/mobilities/{}/answer", m.id)) {
                                (csrf_input(ctx))
                                input type="hidden" name="version" value=(m.version);
                                input type="hidden" name="decision" value=(decision);
                                button class=(class) type="submit" { (ctx.t(key)) }
                            }
                            " "
                        }
                    }
                }
            }
        }
    }
}

async fn load_stay(state: &AppState, ctx: &Ctx, id: &str) -> Result<Mobility, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let m = state
        .db
        .mobility(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, mobility_visible(&reach(ctx), &m), true)?;
    Ok(m)
}

/// `POST /mobilities/{id}/answer` (`decision=accept|reject`): the partner's answer.
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let m = match load_stay(&state, &ctx, &id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let accepted = match values.get("decision") {
        "accept" => true,
        "reject" => false,
        _ => return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "page-bad-choice"),
    };
    if m.status == MobilityStatus::Nominated && !may_answer(&ctx, &m) {
        return super::error_page(&ctx, StatusCode::FORBIDDEN, "page-forbidden");
    }
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    match state
        .db
        .answer_nomination(&actor(&ctx), m.id, version, accepted)
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, &format!("/mobilities/{}", m.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(StoreError::Invalid(_)) => {
            let alert = ctx.t_args(
                "mobility-confirm-not-now",
                &[("status", FluentValue::from(ctx.t(&m.status.message_key())))],
            );
            super::mobilities::show_page(
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

/// `GET /mobilities/{id}/letter`: the nomination letter, in English and Chinese on one page,
/// laid out for printing.
pub async fn letter(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let m = match load_stay(&state, &ctx, &id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let names = match Names::of(&state, std::slice::from_ref(&m)).await {
        Ok(n) => n,
        Err(e) => return store_error_page(&ctx, e),
    };
    let agreement = match m.draft.agreement_id {
        Some(a) => match state.db.agreement(a).await {
            Ok(a) => Some(a.draft.title),
            Err(StoreError::NotFound) => None,
            Err(e) => return store_error_page(&ctx, e),
        },
        None => None,
    };
    let d = &m.draft;
    let raw = |lang: Lang| -> HashMap<&'static str, String> {
        let zh = lang.is_chinese();
        let pick = |t: Option<&LocalizedText>| t.map(|t| t.display(zh).to_string());
        HashMap::from([
            (
                "name",
                pick(names.person_text(d.person_id)).unwrap_or_default(),
            ),
            (
                "home",
                pick(names.institution_text(d.home_institution_id)).unwrap_or_default(),
            ),
            (
                "host",
                pick(names.institution_text(d.host_institution_id)).unwrap_or_default(),
            ),
            ("agreement", pick(agreement.as_ref()).unwrap_or_default()),
        ])
    };
    let t_in = |lang: Lang, key: &str| ctx.i18n.t(lang, key);
    let t_args_in =
        |lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]| ctx.i18n.t_args(lang, key, args);
    let paragraph = |lang: Lang| -> Markup {
        let v = raw(lang);
        let args = [
            ("name", FluentValue::from(v["name"].clone())),
            ("home", FluentValue::from(v["home"].clone())),
            ("host", FluentValue::from(v["host"].clone())),
            ("agreement", FluentValue::from(v["agreement"].clone())),
            ("year", FluentValue::from(d.academic_year.clone())),
            (
                "type",
                FluentValue::from(t_in(lang, &d.mobility_type.message_key())),
            ),
            (
                "start",
                FluentValue::from(iso_date::format(d.planned_start)),
            ),
            ("end", FluentValue::from(iso_date::format(d.planned_end))),
        ];
        html! {
            section.letter lang=(lang.tag()) {
                p { (t_args_in(lang, "letter-salutation", &args)) }
                p { (t_args_in(lang, "letter-body", &args)) }
                @if !v["agreement"].is_empty() { p { (t_args_in(lang, "letter-agreement", &args)) } }
                p { (t_args_in(lang, "letter-closing", &args)) }
                p.signature { (t_args_in(lang, "letter-signature", &args)) br; (iso_date::format(liaison_storage::today())) }
            }
        }
    };
    let title = ctx.t("nominations-letter");
    let body = html! {
        p.breadcrumb.no-print { a href=(format!("/mobilities/{}", m.id)) { (ctx.t("mobilities-title")) } }
        article.nomination-letter {
            h1 { (t_in(Lang::En, "letter-title")) br; span lang="zh-CN" { (t_in(Lang::ZhCn, "letter-title")) } }
            (paragraph(Lang::En))
            hr;
            (paragraph(Lang::ZhCn))
        }
        p.no-print { (ctx.t("letter-print")) }
    };
    super::page(&ctx, &title, body)
}

/// The sending partner a caller may nominate for: a partner contact's own institution; the
/// office any (`None`).
fn nominating_for(ctx: &Ctx) -> Result<Option<Id>, ()> {
    let u = ctx.user();
    match (u.role, &u.scope) {
        (Role::Partner, Scope::Institution(i)) => Ok(Some(*i)),
        // A contact not yet linked to an institution: no place is theirs (an empty form).
        (Role::Partner, _) => Ok(Some(0)),
        _ => Ok(None),
    }
}

async fn incoming_form_page(
    state: &AppState,
    ctx: &Ctx,
    values: &FormData,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let Ok(from) = nominating_for(ctx) else {
        return super::error_page(ctx, StatusCode::FORBIDDEN, "page-forbidden");
    };
    let places = match state.db.incoming_places(from).await {
        Ok(p) => p,
        Err(e) => return store_error_page(ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let options: Vec<(String, String)> = places
        .iter()
        .map(|(c, title)| {
            (
                c.id.to_string(),
                format!(
                    "{} · {}",
                    title.display(zh),
                    ctx.t(&c.draft.mobility_type.message_key())
                ),
            )
        })
        .collect();
    let levels: Vec<(String, String)> = StudyLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), ctx.t(&l.message_key())))
        .collect();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let title = ctx.t("incoming-title");
    let body = html! {
        p.breadcrumb { a href="/mobilities" { (ctx.t(if from.is_some() { "nav-mobilities" } else { "mobilities-title" })) } }
        h1 { (title) }
        p { (ctx.t("incoming-hint")) }
        @if places.is_empty() {
            div.empty { p { (ctx.t("incoming-no-places")) } }
        } @else {
            (f.summary())
            form.record method="post" action="/mobilities/incoming" novalidate {
                (csrf_input(ctx))
                (f.select("condition_id", "nominations-place", &options, None))
                (f.localized("name", "mobility-person", true, false))
                (f.input("emails.0", "field-emails", "email", false))
                (f.select("level", "field-level", &levels, Some("mobility-level-none")))
                (f.input("academic_year", "field-academic-year", "text", true))
                (f.input("planned_start", "field-planned-start", "date", true))
                (f.input("planned_end", "field-planned-end", "date", true))
                div.actions {
                    button type="submit" { (ctx.t("nominations-nominate")) }
                    " " a.button.secondary href="/mobilities" { (ctx.t("cancel")) }
                }
            }
        }
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

/// `GET /mobilities/incoming`: a partner contact (or the office) nominates someone to come to us.
pub async fn incoming_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    incoming_form_page(
        &state,
        &ctx,
        &FormData::default(),
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /mobilities/incoming`: the person and their incoming stay, nominated.
pub async fn nominate_incoming(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let Ok(from) = nominating_for(&ctx) else {
        return super::error_page(&ctx, StatusCode::FORBIDDEN, "page-forbidden");
    };
    let values = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    let condition = values.id("condition_id", "condition_id", &mut errors);
    if condition.is_none() && errors.is_empty() {
        errors.push("condition_id", "required");
    }
    let date = |name: &str, errors: &mut FieldErrors| match iso_date::parse(values.get(name)) {
        Some(d) => Some(d),
        None => {
            errors.push(
                name,
                if values.get(name).is_empty() {
                    "required"
                } else {
                    "invalid-date"
                },
            );
            None
        }
    };
    let start = date("planned_start", &mut errors);
    let end = date("planned_end", &mut errors);
    let person = liaison_domain::PersonDraft {
        name: values.localized("name"),
        title: LocalizedText::default(),
        institution_id: None,
        org_unit_id: None,
        emails: values.opt("emails_0").into_iter().collect(),
        phones: Vec::new(),
        languages: Vec::new(),
    };
    let (Some(condition), Some(planned_start), Some(planned_end), true) =
        (condition, start, end, errors.is_empty())
    else {
        return incoming_form_page(
            &state,
            &ctx,
            &values,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = liaison_domain::nomination::IncomingInput {
        academic_year: values.get("academic_year").trim().to_string(),
        planned_start,
        planned_end,
        level: values.opt("level").and_then(|l| StudyLevel::parse(&l)),
    };
    match state
        .db
        .nominate_incoming(&actor(&ctx), condition, &person, &input, from)
        .await
    {
        Ok(m) => redirect_with_flash(&ctx, &format!("/mobilities/{}", m.id), "flash-nominated"),
        Err(StoreError::Invalid(errors)) => {
            incoming_form_page(
                &state,
                &ctx,
                &values,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

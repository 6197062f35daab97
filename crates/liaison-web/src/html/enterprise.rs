//! University–enterprise cooperation pages: positions (with ranked candidates and the score
//! breakdown), placements, the student's own skill profile with the consent switch, skill
//! profiles, and employment outcomes with a server-drawn SVG chart.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{
    bilingual, confirm_delete_page, csrf_input, pager, parse_path_id, redirect_with_flash,
    sort_header, Form, FormData,
};
use crate::api::enterprise::{
    best_positions_for, blank_outcome, blank_position, candidates, check_new_placement,
    enterprise_limits, outcome_filter, placement_filter, placement_visible, position_filter,
    profile_filter, viewer, OUTCOME_FILTERS, PLACEMENT_FILTERS, POSITION_FILTERS, PROFILE_FILTERS,
};
use crate::api::institutions::actor;
use crate::api::ListQuery;
use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::access::allows;
use liaison_domain::enterprise::{
    major_name, skill_name, Cefr, Destination, HeldSkill, LanguageSkill, Sector, Viewer,
    WantedSkill, MAJORS,
};
use liaison_domain::event::iso_date;
use liaison_domain::matching::Explanation;
use liaison_domain::{
    Action, CountryCode, EmploymentOutcome, EmploymentOutcomeDraft, FieldErrors, Id,
    InstitutionKind, Placement, PlacementDraft, PlacementStatus, Position, PositionDraft,
    PositionKind, PositionStatus, SkillProfile, SkillProfileDraft,
};
use liaison_storage::{
    NamedTable, StoreError, OUTCOME_SORTS, PLACEMENT_SORTS, POSITION_SORTS, SKILL_PROFILE_SORTS,
};

type Page<T> = Result<T, Response>;

fn not_found(ctx: &Ctx) -> Response {
    super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found")
}

fn conflict(ctx: &Ctx) -> Response {
    super::error_page(ctx, StatusCode::CONFLICT, "page-conflict")
}

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

/// Parses a list page's query; a bad query shows the defaults with a notice.
fn list_query(raw: Option<String>, sorts: &[&'static str], filters: &[&str]) -> (ListQuery, bool) {
    match ListQuery::parse(raw.as_deref(), sorts, filters) {
        Ok(q) => (q, false),
        Err(_) => (
            ListQuery::parse(None, sorts, filters).expect("defaults parse"),
            true,
        ),
    }
}

fn filter_form(ctx: &Ctx, action: &str, controls: Markup) -> Markup {
    html! {
        form.filters method="get" action=(action) role="search" {
            (controls)
            button type="submit" { (ctx.t("filter-apply")) }
            " " a href=(action) { (ctx.t("filter-clear")) }
        }
    }
}

fn select_filter(
    ctx: &Ctx,
    query: &ListQuery,
    name: &str,
    label: &str,
    opts: &[(String, String)],
) -> Markup {
    let current = query.filters.get(name).map(String::as_str).unwrap_or("");
    html! {
        label for=(format!("f-{name}")) { (ctx.t(label)) }
        select id=(format!("f-{name}")) name=(name) {
            option value="" { (ctx.t("filter-any")) }
            @for (v, l) in opts { option value=(v) selected[v == current] { (l) } }
        }
    }
}

fn skills_text(skills: &[WantedSkill]) -> String {
    skills
        .iter()
        .map(|s| {
            format!(
                "{}{} {}{}",
                if s.free_tag { "#" } else { "" },
                s.skill,
                s.level,
                if s.required { "" } else { " preferred" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `python 3`, `nlp 2 preferred`, `#kaldi 2` (a free tag): one skill a line.
fn parse_wanted(text: &str, errors: &mut FieldErrors) -> Vec<WantedSkill> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (skill, free_tag) = match parts[0].strip_prefix('#') {
            Some(tag) => (tag.to_string(), true),
            None => (parts[0].to_string(), false),
        };
        let level = parts.get(1).and_then(|l| l.parse::<u8>().ok());
        let required = match parts.get(2) {
            None => true,
            Some(&"preferred") | Some(&"优先") => false,
            Some(_) => {
                errors.push("skills", "invalid-skill-line");
                true
            }
        };
        match level {
            Some(level) if parts.len() <= 3 => out.push(WantedSkill {
                skill,
                level,
                required,
                free_tag,
            }),
            _ => errors.push("skills", "invalid-skill-line"),
        }
    }
    out
}

fn held_text(skills: &[HeldSkill]) -> String {
    skills
        .iter()
        .map(|s| {
            format!(
                "{}{} {}",
                if s.free_tag { "#" } else { "" },
                s.skill,
                s.level
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_held(text: &str, errors: &mut FieldErrors) -> Vec<HeldSkill> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (skill, free_tag) = match parts[0].strip_prefix('#') {
            Some(tag) => (tag.to_string(), true),
            None => (parts[0].to_string(), false),
        };
        match parts.get(1).and_then(|l| l.parse::<u8>().ok()) {
            Some(level) if parts.len() == 2 => out.push(HeldSkill {
                skill,
                level,
                free_tag,
            }),
            _ => errors.push("skills", "invalid-skill-line"),
        }
    }
    out
}

fn parse_languages(text: &str, errors: &mut FieldErrors) -> Vec<LanguageSkill> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match (
            parts.first(),
            parts.get(1).and_then(|l| Cefr::parse(&l.to_uppercase())),
        ) {
            (Some(lang), Some(level)) if parts.len() == 2 => out.push(LanguageSkill {
                language: lang.to_string(),
                level,
            }),
            _ => errors.push("languages", "invalid-language-line"),
        }
    }
    out
}

fn date_field(f: &FormData, name: &str, errors: &mut FieldErrors) -> Option<time::Date> {
    let raw = f.opt(name)?;
    let d = iso_date::parse(&raw);
    if d.is_none() {
        errors.push(name, "invalid-date");
    }
    d
}

fn merge_errors<T>(
    mut errors: FieldErrors,
    validated: Result<T, FieldErrors>,
) -> Result<T, FieldErrors> {
    crate::api::merge(std::mem::take(&mut errors), validated)
}

fn skill_list(ctx: &Ctx, skills: &[WantedSkill]) -> Markup {
    let zh = ctx.lang.is_chinese();
    html! {
        ul.skills { @for s in skills {
            li { (skill_name(&s.skill, zh)) " · " (ctx.t(&format!("skill-level-{}", s.level)))
                @if !s.required { " · " em { (ctx.t("skill-preferred")) } } }
        } }
    }
}

fn status_badge(ctx: &Ctx, s: PositionStatus) -> Markup {
    html! { span class=(format!("badge status-{}", s.as_str())) { (ctx.t(&s.message_key())) } }
}

// ---------------------------------------------------------------------------------------------
// Positions

pub async fn positions(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let (query, mut bad) = list_query(raw, POSITION_SORTS, POSITION_FILTERS);
    let filter = position_filter(&query).unwrap_or_else(|_| {
        bad = true;
        Default::default()
    });
    let page = match state
        .db
        .positions(&viewer(&ctx), &filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let names = state
        .db
        .institution_names(
            &page
                .items
                .iter()
                .map(|p| p.draft.institution_id)
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap_or_default();
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("positions-title");
    let body = html! {
        div.title-row {
            h1 { (title) }
            div.actions {
                @if allows(ctx.user().role, Action::EditTalent) && matches!(viewer(&ctx), Viewer::Student(_)) {
                    a.button.secondary href="/my-profile" { (ctx.t("my-profile-title")) } " "
                }
                @if allows(ctx.user().role, Action::EditPositions) {
                    a.button href="/positions/new" { (ctx.t("position-new")) }
                }
            }
        }
        (filter_form(&ctx, "/positions", html! {
            label for="f-q" { (ctx.t("search")) }
            input #f-q type="search" name="q" value=(query.q.clone().unwrap_or_default());
            (select_filter(&ctx, &query, "kind", "field-position-kind", &options(&ctx, PositionKind::ALL, PositionKind::as_str, PositionKind::message_key)))
            @if !matches!(viewer(&ctx), Viewer::Student(_)) {
                (select_filter(&ctx, &query, "status", "field-record-status", &options(&ctx, PositionStatus::ALL, PositionStatus::as_str, PositionStatus::message_key)))
            }
        }))
        @if bad { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("positions-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    (sort_header(&ctx, "name", "field-title", &query.sort))
                    th scope="col" { (ctx.t("field-enterprise")) }
                    th scope="col" { (ctx.t("field-position-kind")) }
                    (sort_header(&ctx, "seats", "field-seats", &query.sort))
                    (sort_header(&ctx, "deadline", "field-deadline", &query.sort))
                    (sort_header(&ctx, "status", "field-record-status", &query.sort))
                } }
                tbody { @for p in &page.items { tr {
                    td { a href=(format!("/positions/{}", p.id)) { (bilingual(&ctx, &p.draft.title)) } }
                    td { @if let Some(n) = names.get(&p.draft.institution_id) { (n.display(zh)) } }
                    td { (ctx.t(&p.draft.kind.message_key())) }
                    td.num { (p.draft.seats) }
                    td.nowrap { @if let Some(d) = p.draft.deadline { (iso_date::format(d)) } }
                    td { (status_badge(&ctx, p.draft.status)) }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

async fn load_position(state: &AppState, ctx: &Ctx, id: &str, edit: bool) -> Page<Position> {
    let id = parse_path_id(id).ok_or_else(|| not_found(ctx))?;
    let p = state
        .db
        .position(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    let v = viewer(ctx);
    super::check_record(
        ctx,
        v.may_read_position(&p.draft),
        !edit || v.may_edit_position(&p.draft),
    )?;
    Ok(p)
}

fn breakdown(ctx: &Ctx, e: &Explanation) -> Markup {
    let zh = ctx.lang.is_chinese();
    html! {
        ul.breakdown {
            @for c in &e.components {
                li {
                    (ctx.t(&c.criterion.message_key())) ": " strong { (c.points) } " / " (c.max_points)
                    @if !c.matched.is_empty() { " · " (ctx.t("match-matched")) " " (c.matched.iter().map(|m| localize_skill(m, zh)).collect::<Vec<_>>().join(", ")) }
                    @if !c.missing.is_empty() { " · " (ctx.t("match-missing")) " " (c.missing.iter().map(|m| localize_skill(m, zh)).collect::<Vec<_>>().join(", ")) }
                }
            }
        }
    }
}

/// `python 2/3` with the skill's name in the viewer's language.
fn localize_skill(item: &str, zh: bool) -> String {
    match item.split_once(' ') {
        Some((code, rest)) => format!("{} {rest}", skill_name(code, zh)),
        None => major_name(item, zh).to_string(),
    }
}

pub async fn position(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let p = match load_position(&state, &ctx, &id, false).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let v = viewer(&ctx);
    let zh = ctx.lang.is_chinese();
    let d = &p.draft;
    let enterprise = state
        .db
        .institution_names(&[d.institution_id])
        .await
        .unwrap_or_default()
        .remove(&d.institution_id)
        .unwrap_or_default();
    let may_edit = allows(ctx.user().role, Action::EditPositions) && v.may_edit_position(d);
    let show_candidates = allows(ctx.user().role, Action::ReadCandidates) && v.may_edit_position(d);
    let ranked = if show_candidates {
        match candidates(&state, &p, 20).await {
            Ok(c) => c,
            Err(e) => return store_error_page(&ctx, e),
        }
    } else {
        Vec::new()
    };
    let placements = if matches!(v, Viewer::Office | Viewer::Enterprise(_)) {
        state
            .db
            .placements(
                &v,
                &liaison_storage::PlacementFilter {
                    position_id: Some(p.id),
                    ..Default::default()
                },
                &liaison_domain::Sort {
                    field: "created_at",
                    descending: false,
                },
                &liaison_domain::PageRequest {
                    page: 1,
                    per_page: 100,
                },
            )
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let people = state
        .db
        .names_of(
            NamedTable::People,
            &placements
                .iter()
                .map(|p| p.draft.person_id)
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap_or_default();
    let student = match v {
        Viewer::Student(me) => Some(me),
        _ => None,
    };
    let title = d.title.display(zh).to_string();
    let field_trip = super::field_trips::position_lines(&state, &ctx, &p).await;
    let body = html! {
        p.breadcrumb { a href="/positions" { (ctx.t("positions-title")) } }
        div.title-row {
            h1 { (bilingual(&ctx, &d.title)) " " (status_badge(&ctx, d.status)) }
            @if may_edit { div.actions {
                a.button href=(format!("/positions/{}/edit", p.id)) { (ctx.t("edit")) } " "
                a.button.secondary href=(format!("/positions/{}/delete", p.id)) { (ctx.t("delete")) }
            } }
        }
        @if d.status == PositionStatus::Pending && !matches!(v, Viewer::Student(_)) {
            p.notice { (ctx.t("position-awaits-vetting")) }
        }
        @if !d.vetting_note.is_empty() && !matches!(v, Viewer::Student(_)) {
            div.notice { strong { (ctx.t("field-vetting-note")) ": " } (bilingual(&ctx, &d.vetting_note)) }
        }
        dl.record {
            dt { (ctx.t("field-enterprise")) } dd { a href=(format!("/institutions/{}", d.institution_id)) { (enterprise.display(zh)) } }
            dt { (ctx.t("field-position-kind")) } dd { (ctx.t(&d.kind.message_key())) }
            dt { (ctx.t("field-seats")) } dd { (d.seats) }
            dt { (ctx.t("field-period")) } dd {
                @if let Some(s) = d.start_on { (iso_date::format(s)) } " – " @if let Some(e) = d.end_on { (iso_date::format(e)) }
            }
            dt { (ctx.t("field-deadline")) } dd { @if let Some(x) = d.deadline { (iso_date::format(x)) } @else { "—" } }
            dt { (ctx.t("field-location")) } dd {
                (d.city.display(zh))
                @if let Some(c) = d.country { " · " (c.name(zh)) }
                @if d.remote { " · " (ctx.t("field-remote")) }
            }
            @if let Some(l) = &d.language { dt { (ctx.t("field-language")) } dd { (l) @if let Some(level) = d.language_level { " " (level.as_str()) } } }
            @if !d.majors.is_empty() { dt { (ctx.t("field-majors")) } dd { (d.majors.iter().map(|m| major_name(m, zh)).collect::<Vec<_>>().join(", ")) } }
            dt { (ctx.t("field-skills")) } dd { (skill_list(&ctx, &d.skills)) }
        }
        (field_trip)
        @if !d.description.is_empty() { div.prose { (bilingual(&ctx, &d.description)) } }
        @if student.is_some() && d.status == PositionStatus::Open {
            form method="post" action=(format!("/positions/{}/apply", p.id)) {
                (csrf_input(&ctx))
                button type="submit" { (ctx.t("position-apply")) }
            }
        }
        @if show_candidates {
            section {
                h2 { (ctx.t("candidates-title")) }
                p.hint { (ctx.t("candidates-hint")) }
                @if ranked.is_empty() { div.empty { p { (ctx.t("candidates-empty")) } } }
                @else {
                    div.table-wrap { table.candidates {
                        thead { tr {
                            th scope="col" { "#" }
                            th scope="col" { (ctx.t("field-student")) }
                            th scope="col" { (ctx.t("field-score")) }
                            th scope="col" { (ctx.t("field-breakdown")) }
                        } }
                        tbody { @for c in &ranked { tr {
                            td.num { (c.rank) }
                            td { a href=(format!("/skill-profiles/{}", c.profile_id)) { (c.name.display(zh)) } }
                            td.num { strong { (c.explanation.score) } " / " (c.explanation.max_points) }
                            td { (breakdown(&ctx, &c.explanation)) }
                        } } }
                    } }
                }
            }
        }
        @if !placements.is_empty() {
            section {
                h2 { (ctx.t("placements-title")) }
                ul { @for pl in &placements {
                    li { a href=(format!("/placements?position_id={}", p.id)) { (people.get(&pl.draft.person_id).map(|n| n.display(zh).to_string()).unwrap_or_default()) }
                        " · " (ctx.t(&pl.draft.status.message_key())) }
                } }
            }
        }
    };
    super::page(&ctx, &title, body)
}

fn position_to_form(d: &PositionDraft) -> FormData {
    let mut f = FormData::default();
    f.set("institution_id", d.institution_id.to_string());
    f.set("kind", d.kind.as_str());
    f.set_localized("title", &d.title);
    f.set_localized("description", &d.description);
    f.set("skills", skills_text(&d.skills));
    for m in &d.majors {
        f.set("majors", m.clone());
    }
    f.set("seats", d.seats.to_string());
    f.set_opt("start_on", d.start_on.map(iso_date::format).as_deref());
    f.set_opt("end_on", d.end_on.map(iso_date::format).as_deref());
    f.set_opt("deadline", d.deadline.map(iso_date::format).as_deref());
    f.set_localized("city", &d.city);
    f.set_opt(
        "country",
        d.country.map(|c| c.as_str().to_string()).as_deref(),
    );
    if d.remote {
        f.set("remote", "1");
    }
    f.set_opt("language", d.language.as_deref());
    f.set_opt("language_level", d.language_level.map(|l| l.as_str()));
    f.set("status", d.status.as_str());
    f.set_localized("vetting_note", &d.vetting_note);
    f.set_opt("event_id", d.event_id.map(|e| e.to_string()).as_deref());
    f
}

fn position_from_form(
    ctx: &Ctx,
    f: &FormData,
    before: Option<&PositionDraft>,
) -> Result<PositionDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let institution_id = match viewer(ctx) {
        Viewer::Enterprise(own) => own,
        _ => f
            .id("institution_id", "institution_id", &mut e)
            .unwrap_or_else(|| {
                if e.get("institution_id").is_none() {
                    e.push("institution_id", "required");
                }
                0
            }),
    };
    let seats = match f.get("seats").trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            e.push("seats", "invalid-seats");
            1
        }
    };
    let country = f.opt("country").and_then(|c| {
        let parsed = CountryCode::parse(&c);
        if parsed.is_none() {
            e.push("country", "invalid-country");
        }
        parsed
    });
    let mut d = PositionDraft {
        institution_id,
        kind: PositionKind::parse(f.get("kind")).unwrap_or(PositionKind::Internship),
        title: f.localized("title"),
        description: f.localized("description"),
        skills: {
            let mut skills = super::skill_picker::wanted(f, &mut e);
            skills.extend(parse_wanted(f.get("skills"), &mut e));
            skills
        },
        majors: f.all("majors").iter().map(|m| m.to_string()).collect(),
        seats,
        start_on: date_field(f, "start_on", &mut e),
        end_on: date_field(f, "end_on", &mut e),
        deadline: date_field(f, "deadline", &mut e),
        city: f.localized("city"),
        country,
        remote: !f.get("remote").is_empty(),
        language: f.opt("language"),
        language_level: Cefr::parse(f.get("language_level")),
        status: PositionStatus::parse(f.get("status")).unwrap_or(PositionStatus::Draft),
        vetting_note: f.localized("vetting_note"),
        event_id: None,
    };
    if let (Viewer::Enterprise(_), Some(b)) = (viewer(ctx), before) {
        d.vetting_note = b.vetting_note.clone();
    }
    d.event_id = match viewer(ctx) {
        Viewer::Office => f.id("event_id", "event_id", &mut e),
        _ => before.and_then(|b| b.event_id),
    };
    let validated = d.validate();
    let validated = match validated {
        Ok(d) => enterprise_limits(&viewer(ctx), before, &d).map(|_| d),
        Err(x) => Err(x),
    };
    merge_errors(e, validated)
}

#[allow(clippy::too_many_arguments)]
async fn position_form(
    state: &AppState,
    ctx: &Ctx,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
    from: Option<PositionStatus>,
) -> Response {
    let zh = ctx.lang.is_chinese();
    let office = matches!(viewer(ctx), Viewer::Office);
    let enterprises = if office {
        match state
            .db
            .institutions(
                &liaison_domain::Scope::All,
                &liaison_storage::InstitutionFilter {
                    kind: Some(InstitutionKind::Enterprise),
                    ..Default::default()
                },
                &liaison_domain::Sort {
                    field: "name",
                    descending: false,
                },
                &liaison_domain::PageRequest {
                    page: 1,
                    per_page: 500,
                },
            )
            .await
        {
            Ok(p) => p.items,
            Err(e) => return store_error_page(ctx, e),
        }
    } else {
        Vec::new()
    };
    let mut ent_options: Vec<(String, String)> = enterprises
        .iter()
        .map(|i| (i.id.to_string(), i.draft.name.display(zh).to_string()))
        .collect();
    let current = values.get("institution_id");
    if office && !current.is_empty() && !ent_options.iter().any(|(v, _)| v == current) {
        ent_options.push((current.to_string(), format!("#{current}")));
    }
    let events = if office {
        super::field_trips::event_options(state, ctx, values.get("event_id")).await
    } else {
        Vec::new()
    };
    let statuses: Vec<(String, String)> = PositionStatus::ALL
        .iter()
        .filter(|s| from.is_none_or(|f| f.may_become(**s)))
        .filter(|s| office || !from.unwrap_or(PositionStatus::Draft).needs_vetting(**s))
        .map(|s| (s.as_str().to_string(), ctx.t(&s.message_key())))
        .collect();
    let majors: Vec<(String, String)> = MAJORS
        .iter()
        .map(|(c, en, z)| {
            (
                c.to_string(),
                if zh { z.to_string() } else { en.to_string() },
            )
        })
        .collect();
    let levels: Vec<(String, String)> = Cefr::ALL
        .iter()
        .map(|c| (c.as_str().into(), c.as_str().into()))
        .collect();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let body = html! {
        p.breadcrumb { a href="/positions" { (ctx.t("positions-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            @if office { (f.select("institution_id", "field-enterprise", &ent_options, Some("choose"))) }
            (f.select("kind", "field-position-kind", &options(ctx, PositionKind::ALL, PositionKind::as_str, PositionKind::message_key), None))
            (f.localized("title", "field-title", true, false))
            (f.localized("description", "field-description", false, true))
            (super::skill_picker::rows(ctx, values, true))
            (f.textarea("skills", "field-skills"))
            p.hint { (ctx.t("skills-hint")) }
            details.vocabulary { summary { (ctx.t("skills-vocabulary")) }
                p { @for (code, en, z) in liaison_domain::enterprise::SKILLS { code { (code) } " " (if zh { *z } else { *en }) "; " } }
            }
            (f.checkboxes("majors", "field-majors", &majors))
            (f.input("seats", "field-seats", "number", true))
            (f.input("start_on", "field-start-on", "date", false))
            (f.input("end_on", "field-end-on", "date", false))
            (f.input("deadline", "field-deadline", "date", false))
            (f.localized("city", "field-city", false, false))
            (f.input("country", "field-country", "text", false))
            div.field { label.check { input type="checkbox" name="remote" value="1" checked[!values.get("remote").is_empty()]; " " (ctx.t("field-remote")) } }
            (f.input("language", "field-language", "text", false))
            (f.select("language_level", "field-language-level", &levels, Some("filter-any")))
            (f.select("status", "field-record-status", &statuses, None))
            @if office { (f.localized("vetting_note", "field-vetting-note", false, true)) }
            @if office {
                (f.select("event_id", "field-event", &events, Some("event-none")))
                p.hint { (ctx.t("position-event-hint")) }
            }
            div.actions {
                button type="submit" { (ctx.t("save")) }
                " " a.button.secondary href="/positions" { (ctx.t("cancel")) }
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

pub async fn new_position(State(state): State<AppState>, ctx: Ctx) -> Response {
    let mut values = position_to_form(&blank_position(0));
    values.0.retain(|(k, _)| k != "institution_id");
    position_form(
        &state,
        &ctx,
        &ctx.t("position-new"),
        "/positions",
        &values,
        &FieldErrors::default(),
        false,
        None,
    )
    .await
}

pub async fn create_position(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let result = match position_from_form(&ctx, &values, None) {
        Ok(d) => state.db.create_position(&actor(&ctx), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(p) => redirect_with_flash(
            &ctx,
            &format!("/positions/{}", p.id),
            "flash-position-created",
        ),
        Err(StoreError::Invalid(errors)) => {
            position_form(
                &state,
                &ctx,
                &ctx.t("position-new"),
                "/positions",
                &values,
                &errors,
                false,
                None,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn edit_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let p = match load_position(&state, &ctx, &id, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut values = position_to_form(&p.draft);
    values.set("version", p.version.to_string());
    position_form(
        &state,
        &ctx,
        &ctx.t("position-edit"),
        &format!("/positions/{}/edit", p.id),
        &values,
        &FieldErrors::default(),
        false,
        Some(p.draft.status),
    )
    .await
}

pub async fn update_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let p = match load_position(&state, &ctx, &id, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/positions/{}/edit", p.id);
    let v = viewer(&ctx);
    let result = match position_from_form(&ctx, &values, Some(&p.draft)) {
        Ok(d) => {
            state
                .db
                .update_position(&actor(&ctx), p.id, version, &d, |before| {
                    enterprise_limits(&v, Some(&before.draft), &d).map_err(StoreError::Invalid)
                })
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    let title = ctx.t("position-edit");
    match result {
        Ok(after) => redirect_with_flash(&ctx, &format!("/positions/{}", after.id), "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            position_form(
                &state,
                &ctx,
                &title,
                &action,
                &values,
                &FieldErrors::default(),
                true,
                Some(p.draft.status),
            )
            .await
        }
        Err(StoreError::Invalid(errors)) => {
            position_form(
                &state,
                &ctx,
                &title,
                &action,
                &values,
                &errors,
                false,
                Some(p.draft.status),
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let p = match load_position(&state, &ctx, &id, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let name = p.draft.title.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "position-delete-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    confirm_delete_page(
        &ctx,
        &title,
        html! { p { (ctx.t("position-delete-warning")) } },
        &format!("/positions/{}/delete", p.id),
        p.version,
        &format!("/positions/{}", p.id),
    )
}

pub async fn delete_position(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let p = match load_position(&state, &ctx, &id, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_position(&actor(&ctx), p.id, version).await {
        Ok(()) => redirect_with_flash(&ctx, "/positions", "flash-position-deleted"),
        Err(StoreError::Conflict { .. }) => conflict(&ctx),
        Err(e) => store_error_page(&ctx, e),
    }
}

/// A student applies to a position: refused with the reason (no consent, deadline, twice).
pub async fn apply(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Viewer::Student(me) = viewer(&ctx) else {
        return super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-apply-students-only",
        );
    };
    let p = match load_position(&state, &ctx, &id, false).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut draft = crate::api::enterprise::blank_placement(me);
    draft.position_id = p.id;
    let result = match check_new_placement(&state, &ctx, &draft).await {
        Ok(()) => state.db.create_placement(&actor(&ctx), &draft).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, "/placements", "flash-applied"),
        Err(StoreError::Invalid(errors)) => {
            let body = html! {
                h1 { (ctx.t("apply-refused")) }
                ul.error-summary role="alert" { @for e in &errors.0 { li { (ctx.t(&format!("error-{}", e.code))) } } }
                p { a href=(format!("/positions/{}", p.id)) { (ctx.t("back")) } " · " a href="/my-profile" { (ctx.t("my-profile-title")) } }
            };
            super::html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                super::layout(&ctx, &ctx.t("apply-refused"), body),
            )
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Placements

pub async fn placements(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let (query, mut bad) = list_query(raw, PLACEMENT_SORTS, PLACEMENT_FILTERS);
    let filter = placement_filter(&query).unwrap_or_else(|_| {
        bad = true;
        Default::default()
    });
    let v = viewer(&ctx);
    let page = match state
        .db
        .placements(&v, &filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let people = state
        .db
        .names_of(
            NamedTable::People,
            &page
                .items
                .iter()
                .map(|p| p.draft.person_id)
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap_or_default();
    let mut titles = BTreeMap::new();
    for pl in &page.items {
        if let std::collections::btree_map::Entry::Vacant(e) = titles.entry(pl.draft.position_id) {
            if let Ok(p) = state.db.position(pl.draft.position_id).await {
                e.insert(p.draft.title.display(zh).to_string());
            }
        }
    }
    let title = ctx.t("placements-title");
    let body = html! {
        h1 { (title) }
        (filter_form(&ctx, "/placements", html! {
            (select_filter(&ctx, &query, "status", "field-record-status", &options(&ctx, PlacementStatus::ALL, PlacementStatus::as_str, PlacementStatus::message_key)))
        }))
        @if bad { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("placements-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("field-position")) }
                    th scope="col" { (ctx.t("field-student")) }
                    (sort_header(&ctx, "status", "field-record-status", &query.sort))
                    (sort_header(&ctx, "start_on", "field-period", &query.sort))
                    th scope="col" { span.visually-hidden { (ctx.t("actions")) } }
                } }
                tbody { @for pl in &page.items { tr {
                    td { a href=(format!("/positions/{}", pl.draft.position_id)) { (titles.get(&pl.draft.position_id).cloned().unwrap_or_default()) } }
                    td { (people.get(&pl.draft.person_id).map(|n| n.display(zh).to_string()).unwrap_or_default()) }
                    td { (ctx.t(&pl.draft.status.message_key())) }
                    td.nowrap { @if let Some(s) = pl.draft.start_on { (iso_date::format(s)) } " – " @if let Some(e) = pl.draft.end_on { (iso_date::format(e)) } }
                    td {
                        @let moves: Vec<PlacementStatus> = pl.draft.status.next().iter().copied().filter(|s| pl.draft.status.may_move(*s, v.mover())).collect();
                        @if !moves.is_empty() {
                            form.inline method="post" action=(format!("/placements/{}/status", pl.id)) {
                                (csrf_input(&ctx))
                                input type="hidden" name="version" value=(pl.version);
                                label.visually-hidden for=(format!("status-{}", pl.id)) { (ctx.t("field-record-status")) }
                                select id=(format!("status-{}", pl.id)) name="status" {
                                    @for s in &moves { option value=(s.as_str()) { (ctx.t(&s.message_key())) } }
                                }
                                " " button.secondary type="submit" { (ctx.t("save")) }
                            }
                        }
                        @if matches!(v, Viewer::Office | Viewer::Enterprise(_)) {
                            " " a href=(format!("/placements/{}/supervision", pl.id)) { (ctx.t("supervision-link")) }
                        }
                    }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

/// Moves a placement on, as far as the caller may.
pub async fn set_placement_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return not_found(&ctx);
    };
    let pl: Placement = match state.db.placement(id).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    match placement_visible(&state, &ctx, &pl).await {
        Ok(true) => {}
        Ok(false) => return not_found(&ctx),
        Err(e) => return store_error_page(&ctx, e),
    }
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let Some(status) = PlacementStatus::parse(values.get("status")) else {
        return super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-status",
        );
    };
    let mut d: PlacementDraft = pl.draft.clone();
    d.status = status;
    match state
        .db
        .update_placement(&actor(&ctx), pl.id, version, &d, viewer(&ctx).mover())
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, "/placements", "flash-saved"),
        Err(StoreError::Conflict { .. }) => conflict(&ctx),
        Err(StoreError::Invalid(_)) => super::error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page-invalid-status",
        ),
        Err(e) => store_error_page(&ctx, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Skill profiles

fn profile_to_form(d: &SkillProfileDraft) -> FormData {
    let mut f = FormData::default();
    f.set_opt("major", d.major.as_deref());
    f.set_opt(
        "year_of_study",
        d.year_of_study.map(|y| y.to_string()).as_deref(),
    );
    f.set("skills", held_text(&d.skills));
    f.set(
        "languages",
        d.languages
            .iter()
            .map(|l| format!("{} {}", l.language, l.level))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    f.set_localized("interests", &d.interests);
    f.set_opt(
        "available_from",
        d.available_from.map(iso_date::format).as_deref(),
    );
    if d.consent {
        f.set("consent", "1");
    }
    f
}

fn profile_from_form(f: &FormData, person_id: Id) -> Result<SkillProfileDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let year_of_study = f.opt("year_of_study").and_then(|y| {
        let parsed = y.parse::<i64>().ok();
        if parsed.is_none() {
            e.push("year_of_study", "invalid-number");
        }
        parsed
    });
    let d = SkillProfileDraft {
        person_id,
        major: f.opt("major"),
        year_of_study,
        skills: {
            let mut skills = super::skill_picker::held(f, &mut e);
            skills.extend(parse_held(f.get("skills"), &mut e));
            skills
        },
        languages: parse_languages(f.get("languages"), &mut e),
        interests: f.localized("interests"),
        available_from: date_field(f, "available_from", &mut e),
        consent: !f.get("consent").is_empty(),
    };
    merge_errors(e, d.validate())
}

fn best_list(ctx: &Ctx, best: &[(Position, Explanation)]) -> Markup {
    html! {
        section {
            h2 { (ctx.t("best-positions-title")) }
            @if best.is_empty() { div.empty { p { (ctx.t("best-positions-empty")) } } }
            @else { ol.best { @for (p, e) in best {
                li {
                    a href=(format!("/positions/{}", p.id)) { (bilingual(ctx, &p.draft.title)) }
                    " — " strong { (e.score) } " / " (e.max_points)
                    (breakdown(ctx, e))
                }
            } } }
        }
    }
}

async fn my_profile_page(
    state: &AppState,
    ctx: &Ctx,
    values: Option<FormData>,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let title = ctx.t("my-profile-title");
    let Viewer::Student(me) = viewer(ctx) else {
        let body = html! {
            h1 { (title) }
            p.notice { (ctx.t("my-profile-not-linked")) }
            p { a href="/skill-profiles" { (ctx.t("skill-profiles-title")) } }
        };
        return super::page(ctx, &title, body);
    };
    let current = match state.db.skill_profile_of(me).await {
        Ok(p) => p,
        Err(e) => return store_error_page(ctx, e),
    };
    let best = match &current {
        Some(p) => match best_positions_for(state, ctx, p, 10).await {
            Ok(b) => b,
            Err(e) => return store_error_page(ctx, e),
        },
        None => Vec::new(),
    };
    let values = values.unwrap_or_else(|| {
        let mut f = current
            .as_ref()
            .map(|p| profile_to_form(&p.draft))
            .unwrap_or_default();
        if let Some(p) = &current {
            f.set("version", p.version.to_string());
        }
        f
    });
    let zh = ctx.lang.is_chinese();
    let majors: Vec<(String, String)> = MAJORS
        .iter()
        .map(|(c, en, z)| {
            (
                c.to_string(),
                if zh { z.to_string() } else { en.to_string() },
            )
        })
        .collect();
    let f = Form {
        ctx,
        values: &values,
        errors,
    };
    let consent_on = !values.get("consent").is_empty();
    let body = html! {
        h1 { (title) }
        @if let Some(p) = &current {
            p.consent-state {
                @if p.draft.consent {
                    (ctx.t("consent-on")) @if let Some(at) = &p.consent_at { " (" (at.get(..10).unwrap_or(at)) ")" }
                } @else { (ctx.t("consent-off")) }
            }
        }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href="/my-profile" { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action="/my-profile" novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            fieldset.consent {
                legend { (ctx.t("field-consent")) }
                label.check { input type="checkbox" name="consent" value="1" checked[consent_on]; " " (ctx.t("consent-label")) }
                p.hint { (ctx.t("consent-hint")) }
            }
            (f.select("major", "field-major", &majors, Some("choose")))
            (f.input("year_of_study", "field-year-of-study", "number", false))
            (super::skill_picker::rows(ctx, &values, false))
            (f.textarea("skills", "field-skills"))
            p.hint { (ctx.t("held-skills-hint")) }
            (f.textarea("languages", "field-languages"))
            p.hint { (ctx.t("languages-hint")) }
            (f.localized("interests", "field-interests", false, true))
            (f.input("available_from", "field-available-from", "date", false))
            div.actions { button type="submit" { (ctx.t("save")) } }
        }
        @if current.is_some() { (best_list(ctx, &best)) }
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

pub async fn my_profile(State(state): State<AppState>, ctx: Ctx) -> Response {
    my_profile_page(&state, &ctx, None, &FieldErrors::default(), false).await
}

pub async fn save_my_profile(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let Viewer::Student(me) = viewer(&ctx) else {
        return my_profile_page(&state, &ctx, None, &FieldErrors::default(), false).await;
    };
    let values = FormData::parse(&body);
    let current = match state.db.skill_profile_of(me).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let result = match profile_from_form(&values, me) {
        Ok(d) => match &current {
            Some(p) => {
                let version = values.get("version").parse::<i64>().unwrap_or(-1);
                state
                    .db
                    .update_skill_profile(&actor(&ctx), p.id, version, &d)
                    .await
            }
            None => state.db.create_skill_profile(&actor(&ctx), &d).await,
        },
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, "/my-profile", "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            my_profile_page(&state, &ctx, Some(values), &FieldErrors::default(), true).await
        }
        Err(StoreError::Invalid(errors)) => {
            my_profile_page(&state, &ctx, Some(values), &errors, false).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

fn held_list(ctx: &Ctx, d: &SkillProfileDraft) -> Markup {
    let zh = ctx.lang.is_chinese();
    html! {
        ul.skills { @for s in &d.skills { li { (skill_name(&s.skill, zh)) " · " (ctx.t(&format!("skill-level-{}", s.level))) } } }
    }
}

pub async fn skill_profiles(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let (query, mut bad) = list_query(raw, SKILL_PROFILE_SORTS, PROFILE_FILTERS);
    let filter = profile_filter(&query).unwrap_or_else(|_| {
        bad = true;
        Default::default()
    });
    let page = match state
        .db
        .skill_profiles(&viewer(&ctx), &filter, &query.sort, &query.page)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let people = state
        .db
        .names_of(
            NamedTable::People,
            &page
                .items
                .iter()
                .map(|p| p.draft.person_id)
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap_or_default();
    let skills: Vec<(String, String)> = liaison_domain::enterprise::SKILLS
        .iter()
        .map(|(c, en, z)| {
            (
                c.to_string(),
                if zh { z.to_string() } else { en.to_string() },
            )
        })
        .collect();
    let title = ctx.t("skill-profiles-title");
    let body = html! {
        h1 { (title) }
        (filter_form(&ctx, "/skill-profiles", html! {
            (select_filter(&ctx, &query, "skill", "field-skills", &skills))
        }))
        @if bad { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if page.items.is_empty() {
            div.empty { p { (ctx.t("skill-profiles-empty")) } }
        } @else {
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("field-student")) }
                    th scope="col" { (ctx.t("field-major")) }
                    (sort_header(&ctx, "year_of_study", "field-year-of-study", &query.sort))
                    th scope="col" { (ctx.t("field-skills")) }
                    th scope="col" { (ctx.t("field-consent")) }
                } }
                tbody { @for p in &page.items { tr {
                    td { a href=(format!("/skill-profiles/{}", p.id)) { (people.get(&p.draft.person_id).map(|n| n.display(zh).to_string()).unwrap_or_else(|| format!("#{}", p.id))) } }
                    td { @if let Some(m) = &p.draft.major { (major_name(m, zh)) } }
                    td.num { @if let Some(y) = p.draft.year_of_study { (y) } }
                    td { (p.draft.skills.iter().map(|s| format!("{} {}", skill_name(&s.skill, zh), s.level)).collect::<Vec<_>>().join(", ")) }
                    td { @if p.draft.consent { (ctx.t("consent-yes")) } @else { (ctx.t("consent-no")) } }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

pub async fn skill_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return not_found(&ctx);
    };
    let p: SkillProfile = match state.db.skill_profile(id).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    if let Err(r) = super::check_record(&ctx, viewer(&ctx).may_read_profile(&p.draft), true) {
        return r;
    }
    let zh = ctx.lang.is_chinese();
    let name = state
        .db
        .names_of(NamedTable::People, &[p.draft.person_id])
        .await
        .unwrap_or_default()
        .remove(&p.draft.person_id)
        .map(|n| n.display(zh).to_string())
        .unwrap_or_else(|| format!("#{}", p.id));
    let best = match best_positions_for(&state, &ctx, &p, 10).await {
        Ok(b) => b,
        Err(e) => return store_error_page(&ctx, e),
    };
    let body = html! {
        p.breadcrumb { a href="/skill-profiles" { (ctx.t("skill-profiles-title")) } }
        h1 { (name) }
        dl.record {
            dt { (ctx.t("field-major")) } dd { @if let Some(m) = &p.draft.major { (major_name(m, zh)) } @else { "—" } }
            dt { (ctx.t("field-year-of-study")) } dd { @if let Some(y) = p.draft.year_of_study { (y) } @else { "—" } }
            dt { (ctx.t("field-skills")) } dd { (held_list(&ctx, &p.draft)) }
            dt { (ctx.t("field-languages")) } dd { (p.draft.languages.iter().map(|l| format!("{} {}", l.language, l.level)).collect::<Vec<_>>().join(", ")) }
            dt { (ctx.t("field-available-from")) } dd { @if let Some(d) = p.draft.available_from { (iso_date::format(d)) } @else { "—" } }
            dt { (ctx.t("field-consent")) } dd { @if p.draft.consent { (ctx.t("consent-on")) } @else { (ctx.t("consent-off")) } }
        }
        @if !p.draft.interests.is_empty() { div.prose { (bilingual(&ctx, &p.draft.interests)) } }
        (best_list(&ctx, &best))
    };
    super::page(&ctx, &name, body)
}

// ---------------------------------------------------------------------------------------------
// Employment outcomes

/// A horizontal bar chart as inline SVG (see [`crate::charts::bars`]).
pub fn bar_chart(title: &str, bars: &[(String, i64)]) -> Markup {
    crate::charts::bars(title, "", bars)
}

pub async fn outcomes(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw_query = raw.clone();
    let (query, mut bad) = list_query(raw, OUTCOME_SORTS, OUTCOME_FILTERS);
    let filter = outcome_filter(&query).unwrap_or_else(|_| {
        bad = true;
        Default::default()
    });
    let page = match state.db.outcomes(&filter, &query.sort, &query.page).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let counts = match state.db.outcome_counts(&filter).await {
        Ok(c) => c,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let mut by_year: BTreeMap<i64, i64> = BTreeMap::new();
    let mut by_sector: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_destination: BTreeMap<String, i64> = BTreeMap::new();
    for c in &counts {
        *by_year.entry(c.cohort).or_default() += c.count;
        if let Some(s) = c.sector {
            *by_sector.entry(ctx.t(&s.message_key())).or_default() += c.count;
        }
        *by_destination
            .entry(ctx.t(&c.destination.message_key()))
            .or_default() += c.count;
    }
    let years: Vec<(String, i64)> = by_year.iter().map(|(y, n)| (y.to_string(), *n)).collect();
    let mut sectors: Vec<(String, i64)> = by_sector.into_iter().collect();
    sectors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let destinations: Vec<(String, i64)> = by_destination.into_iter().collect();
    let cohorts: Vec<(String, String)> = (2019..=2025)
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let title = ctx.t("outcomes-title");
    let body = html! {
        div.title-row {
            h1 { (title) }
            div.actions {
                a.button href="/outcomes/new" { (ctx.t("outcome-new")) } " "
                a.button.secondary href="/import" { (ctx.t("outcomes-import")) }
            }
        }
        (filter_form(&ctx, "/outcomes", html! {
            label for="f-q" { (ctx.t("search")) }
            input #f-q type="search" name="q" value=(query.q.clone().unwrap_or_default());
            (select_filter(&ctx, &query, "cohort", "field-cohort", &cohorts))
            (select_filter(&ctx, &query, "sector", "field-sector", &options(&ctx, Sector::ALL, Sector::as_str, Sector::message_key)))
            (select_filter(&ctx, &query, "destination", "field-destination", &options(&ctx, Destination::ALL, Destination::as_str, Destination::message_key)))
        }))
        (super::transfer::export_links(&ctx, liaison_transfer::Entity::EmploymentOutcomes, raw_query.as_deref()))
        @if bad { p.error-summary role="alert" { (ctx.t("filter-invalid")) } }
        @if counts.is_empty() {
            div.empty { p { (ctx.t("outcomes-empty")) } }
        } @else {
            div.charts {
                figure { figcaption { (ctx.t("outcomes-by-year")) } (bar_chart(&ctx.t("outcomes-by-year"), &years)) }
                figure { figcaption { (ctx.t("outcomes-by-sector")) } (bar_chart(&ctx.t("outcomes-by-sector"), &sectors)) }
                figure { figcaption { (ctx.t("outcomes-by-destination")) } (bar_chart(&ctx.t("outcomes-by-destination"), &destinations)) }
            }
            p.count { (ctx.t_args("results-count", &[("count", FluentValue::from(page.total))])) }
            div.table-wrap { table {
                thead { tr {
                    (sort_header(&ctx, "cohort", "field-cohort", &query.sort))
                    th scope="col" { (ctx.t("field-destination")) }
                    (sort_header(&ctx, "name", "field-employer", &query.sort))
                    th scope="col" { (ctx.t("field-sector")) }
                    th scope="col" { (ctx.t("field-location")) }
                    th scope="col" { span.visually-hidden { (ctx.t("actions")) } }
                } }
                tbody { @for o in &page.items { tr {
                    td.num { (o.draft.cohort) }
                    td { (ctx.t(&o.draft.destination.message_key())) }
                    td { (o.draft.employer.display(zh)) }
                    td { @if let Some(s) = o.draft.sector { (ctx.t(&s.message_key())) } }
                    td { (o.draft.city.display(zh)) @if let Some(c) = o.draft.country { " · " (c.name(zh)) } }
                    td { a href=(format!("/outcomes/{}/edit", o.id)) { (ctx.t("edit")) } " " a href=(format!("/outcomes/{}/delete", o.id)) { (ctx.t("delete")) } }
                } } }
            } }
            (pager(&ctx, &query.page, page.total))
        }
    };
    super::page(&ctx, &title, body)
}

fn outcome_to_form(d: &EmploymentOutcomeDraft) -> FormData {
    let mut f = FormData::default();
    if d.cohort > 0 {
        f.set("cohort", d.cohort.to_string());
    }
    f.set("destination", d.destination.as_str());
    f.set_localized("employer", &d.employer);
    f.set_opt("sector", d.sector.map(|s| s.as_str()));
    f.set_localized("city", &d.city);
    f.set_opt(
        "country",
        d.country.map(|c| c.as_str().to_string()).as_deref(),
    );
    f.set_opt("major", d.major.as_deref());
    f
}

fn outcome_from_form(f: &FormData) -> Result<EmploymentOutcomeDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let cohort = f.get("cohort").trim().parse::<i64>().unwrap_or_else(|_| {
        e.push("cohort", "invalid-year");
        0
    });
    let country = f.opt("country").and_then(|c| {
        let parsed = CountryCode::parse(&c);
        if parsed.is_none() {
            e.push("country", "invalid-country");
        }
        parsed
    });
    let d = EmploymentOutcomeDraft {
        person_id: None,
        cohort,
        destination: Destination::parse(f.get("destination")).unwrap_or(Destination::Employed),
        employer: f.localized("employer"),
        employer_institution_id: None,
        sector: Sector::parse(f.get("sector")),
        city: f.localized("city"),
        country,
        major: f.opt("major"),
    };
    merge_errors(e, d.validate())
}

async fn outcome_form(
    ctx: &Ctx,
    title: &str,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> Response {
    let zh = ctx.lang.is_chinese();
    let majors: Vec<(String, String)> = MAJORS
        .iter()
        .map(|(c, en, z)| {
            (
                c.to_string(),
                if zh { z.to_string() } else { en.to_string() },
            )
        })
        .collect();
    let f = Form {
        ctx,
        values,
        errors,
    };
    let body = html! {
        p.breadcrumb { a href="/outcomes" { (ctx.t("outcomes-title")) } }
        h1 { (title) }
        @if conflict { div.error-summary role="alert" { p { (ctx.t("conflict-message")) } p { a href=(action) { (ctx.t("conflict-reload")) } } } }
        (f.summary())
        form.record method="post" action=(action) novalidate {
            (csrf_input(ctx))
            @if !values.get("version").is_empty() { input type="hidden" name="version" value=(values.get("version")); }
            (f.input("cohort", "field-cohort", "number", true))
            (f.select("destination", "field-destination", &options(ctx, Destination::ALL, Destination::as_str, Destination::message_key), None))
            (f.localized("employer", "field-employer", false, false))
            (f.select("sector", "field-sector", &options(ctx, Sector::ALL, Sector::as_str, Sector::message_key), Some("choose")))
            (f.localized("city", "field-city", false, false))
            (f.input("country", "field-country", "text", false))
            (f.select("major", "field-major", &majors, Some("choose")))
            div.actions {
                button type="submit" { (ctx.t("save")) }
                " " a.button.secondary href="/outcomes" { (ctx.t("cancel")) }
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

pub async fn new_outcome(ctx: Ctx) -> Response {
    outcome_form(
        &ctx,
        &ctx.t("outcome-new"),
        "/outcomes",
        &outcome_to_form(&blank_outcome()),
        &FieldErrors::default(),
        false,
    )
    .await
}

pub async fn create_outcome(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let result = match outcome_from_form(&values) {
        Ok(d) => state.db.create_outcome(&actor(&ctx), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => redirect_with_flash(&ctx, "/outcomes", "flash-outcome-created"),
        Err(StoreError::Invalid(errors)) => {
            outcome_form(
                &ctx,
                &ctx.t("outcome-new"),
                "/outcomes",
                &values,
                &errors,
                false,
            )
            .await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

async fn load_outcome(state: &AppState, ctx: &Ctx, id: &str) -> Page<EmploymentOutcome> {
    let id = parse_path_id(id).ok_or_else(|| not_found(ctx))?;
    state
        .db
        .outcome(id)
        .await
        .map_err(|e| store_error_page(ctx, e))
}

pub async fn edit_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let o = match load_outcome(&state, &ctx, &id).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut values = outcome_to_form(&o.draft);
    values.set("version", o.version.to_string());
    outcome_form(
        &ctx,
        &ctx.t("outcome-edit"),
        &format!("/outcomes/{}/edit", o.id),
        &values,
        &FieldErrors::default(),
        false,
    )
    .await
}

pub async fn update_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let o = match load_outcome(&state, &ctx, &id).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let version = values.get("version").parse::<i64>().unwrap_or(-1);
    let action = format!("/outcomes/{}/edit", o.id);
    let result = match outcome_from_form(&values) {
        Ok(mut d) => {
            d.person_id = o.draft.person_id;
            d.employer_institution_id = o.draft.employer_institution_id;
            state
                .db
                .update_outcome(&actor(&ctx), o.id, version, &d)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    let title = ctx.t("outcome-edit");
    match result {
        Ok(_) => redirect_with_flash(&ctx, "/outcomes", "flash-saved"),
        Err(StoreError::Conflict { .. }) => {
            outcome_form(
                &ctx,
                &title,
                &action,
                &values,
                &FieldErrors::default(),
                true,
            )
            .await
        }
        Err(StoreError::Invalid(errors)) => {
            outcome_form(&ctx, &title, &action, &values, &errors, false).await
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn confirm_delete_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let o = match load_outcome(&state, &ctx, &id).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let title = ctx.t("outcome-delete-title");
    confirm_delete_page(
        &ctx,
        &title,
        html! { p { (ctx.t("outcome-delete-warning")) } },
        &format!("/outcomes/{}/delete", o.id),
        o.version,
        "/outcomes",
    )
}

pub async fn delete_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let o = match load_outcome(&state, &ctx, &id).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state.db.delete_outcome(&actor(&ctx), o.id, version).await {
        Ok(()) => redirect_with_flash(&ctx, "/outcomes", "flash-outcome-deleted"),
        Err(StoreError::Conflict { .. }) => conflict(&ctx),
        Err(e) => store_error_page(&ctx, e),
    }
}

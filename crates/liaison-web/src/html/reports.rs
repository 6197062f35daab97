//! The leadership report page (issue 8): outgoing and incoming students and staff per year with
//! the change on the year before and on the first year, by country on a world map, by partner,
//! by unit, by agreement type and by region, narrowed by years, unit, direction, group, mobility
//! type, study level and the partner's region tag. Every chart has its numbers in a table and as a CSV or XLSX download
//! (`/reports/data?chart=…&format=…` with the same filters).

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{Form, FormData};
use crate::auth::Ctx;
use crate::charts::{self, Series};
use crate::AppState;
use liaison_domain::agreement::{MobilityType, StudyLevel};
use liaison_domain::mobility::MobilityDirection;
use liaison_domain::{AgreementKind, CountryCode, FieldErrors, Id, RegionTag};
use liaison_storage::{Group, NamedTable, Report, ReportFilter};
use liaison_transfer::Format;

/// The charts whose data can be downloaded.
const CHARTS: &[&str] = &[
    "years",
    "countries",
    "partners",
    "units",
    "agreement-types",
    "regions",
];

fn this_year() -> i32 {
    liaison_storage::today().year()
}

/// The filter from the query; unparsable values are named in the returned errors and ignored.
fn filter_of(raw: Option<&str>) -> (ReportFilter, FormData, FieldErrors, Vec<(String, String)>) {
    let mut f = ReportFilter::default();
    let mut values = FormData::default();
    let mut errors = FieldErrors::default();
    let mut rest = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let v = v.trim().to_string();
        if v.is_empty() {
            continue;
        }
        let year = |v: &str| v.parse::<i32>().ok().filter(|y| (1990..=2100).contains(y));
        match k.as_ref() {
            "from" => match year(&v) {
                Some(y) => f.first_year = Some(y),
                None => errors.push("from", "invalid-number"),
            },
            "to" => match year(&v) {
                Some(y) => f.last_year = Some(y),
                None => errors.push("to", "invalid-number"),
            },
            "unit" => match v.parse::<Id>() {
                Ok(u) => f.org_unit_id = Some(u),
                Err(_) => errors.push("unit", "invalid-choice"),
            },
            "direction" => match MobilityDirection::parse(&v) {
                Some(d) => f.direction = Some(d),
                None => errors.push("direction", "invalid-choice"),
            },
            "group" => match Group::parse(&v) {
                Some(g) => f.group = Some(g),
                None => errors.push("group", "invalid-choice"),
            },
            "level" => match StudyLevel::parse(&v) {
                Some(l) => f.level = Some(l),
                None => errors.push("level", "invalid-choice"),
            },
            "type" => match MobilityType::parse(&v) {
                Some(t) => f.mobility_type = Some(t),
                None => errors.push("type", "invalid-choice"),
            },
            "region" => match RegionTag::parse(&v) {
                Some(r) => f.region = Some(r),
                None => errors.push("region", "invalid-choice"),
            },
            _ => {
                rest.push((k.into_owned(), v.clone()));
                continue;
            }
        }
        values.set(&k, v);
    }
    let last = this_year();
    let first_year = *f.first_year.get_or_insert(last - 7);
    let last_year = *f.last_year.get_or_insert(last);
    if last_year < first_year {
        errors.push("to", "end-before-start");
        f.last_year = Some(first_year);
    }
    values.set("from", first_year.to_string());
    values.set("to", f.last_year.unwrap_or(last).to_string());
    (f, values, errors, rest)
}

/// "+90%", "−12%", or "—" when there is nothing to compare with.
fn change(now: i64, before: i64) -> String {
    if before == 0 {
        return "—".into();
    }
    let pct = ((now - before) as f64 * 100.0 / before as f64).round() as i64;
    match pct {
        0 => "±0%".into(),
        p if p > 0 => format!("+{p}%"),
        p => format!("−{}%", -p),
    }
}

/// Counts per year for one direction and group.
fn per_year(
    report: &Report,
    years: &[i32],
    direction: MobilityDirection,
    group: Group,
) -> Vec<i64> {
    years
        .iter()
        .map(|y| {
            report
                .by_year
                .iter()
                .filter(|c| c.year == *y && c.direction == direction && c.group == group)
                .map(|c| c.count)
                .sum()
        })
        .collect()
}

fn total_per_year(report: &Report, years: &[i32]) -> Vec<i64> {
    years
        .iter()
        .map(|y| {
            report
                .by_year
                .iter()
                .filter(|c| c.year == *y)
                .map(|c| c.count)
                .sum()
        })
        .collect()
}

/// Labels and counts of every chart, translated: the page draws them, the download writes them.
struct Tables {
    years: Vec<i32>,
    year_headers: Vec<String>,
    year_rows: Vec<Vec<String>>,
    countries: Vec<(CountryCode, i64)>,
    partners: Vec<(String, i64)>,
    units: Vec<(String, i64)>,
    kinds: Vec<(String, i64)>,
    regions: Vec<(String, i64)>,
}

async fn tables(
    state: &AppState,
    ctx: &Ctx,
    f: &ReportFilter,
    report: &Report,
) -> Result<Tables, liaison_storage::StoreError> {
    let zh = ctx.lang.is_chinese();
    let years: Vec<i32> = (f.first_year.unwrap_or(2019)..=f.last_year.unwrap_or(2019)).collect();
    use Group::*;
    use MobilityDirection::*;
    let cols = [
        (Outgoing, Students),
        (Outgoing, Staff),
        (Incoming, Students),
        (Incoming, Staff),
    ];
    let mut year_headers = vec![ctx.t("report-year")];
    for (d, g) in cols {
        year_headers.push(ctx.t(&format!("report-{}-{}", d.as_str(), g.as_str())));
    }
    year_headers.push(ctx.t("report-total"));
    year_headers.push(ctx.t("report-change-previous"));
    let per: Vec<Vec<i64>> = cols
        .iter()
        .map(|(d, g)| per_year(report, &years, *d, *g))
        .collect();
    let totals = total_per_year(report, &years);
    let mut year_rows = Vec::new();
    for (i, y) in years.iter().enumerate() {
        let mut row = vec![y.to_string()];
        row.extend(per.iter().map(|p| p[i].to_string()));
        row.push(totals[i].to_string());
        row.push(if i == 0 {
            "—".into()
        } else {
            change(totals[i], totals[i - 1])
        });
        year_rows.push(row);
    }
    let countries = report
        .by_country
        .iter()
        .filter_map(|(c, n)| CountryCode::parse(c).map(|c| (c, *n)))
        .collect();
    let partner_ids: Vec<Id> = report
        .by_partner
        .iter()
        .take(15)
        .map(|(id, _)| *id)
        .collect();
    let names: BTreeMap<Id, String> = state
        .db
        .institutions_by_ids(&partner_ids)
        .await?
        .into_iter()
        .map(|i| (i.id, i.draft.name.display(zh).to_string()))
        .collect();
    let partners = report
        .by_partner
        .iter()
        .take(15)
        .map(|(id, n)| {
            (
                names.get(id).cloned().unwrap_or_else(|| format!("#{id}")),
                *n,
            )
        })
        .collect();
    let unit_ids: Vec<Id> = report.by_unit.iter().filter_map(|(u, _)| *u).collect();
    let unit_names = state.db.names_of(NamedTable::OrgUnits, &unit_ids).await?;
    let units = report
        .by_unit
        .iter()
        .take(15)
        .map(|(u, n)| {
            let name = match u {
                Some(u) => unit_names
                    .get(u)
                    .map(|t| t.display(zh).to_string())
                    .unwrap_or_else(|| format!("#{u}")),
                None => ctx.t("report-no-unit"),
            };
            (name, *n)
        })
        .collect();
    let kinds = report
        .by_agreement_kind
        .iter()
        .map(|(k, n)| {
            let name = match k.as_deref().and_then(AgreementKind::parse) {
                Some(k) => ctx.t(&k.message_key()),
                None => ctx.t("report-no-agreement"),
            };
            (name, *n)
        })
        .collect();
    let regions = report
        .by_region
        .iter()
        .map(|(r, n)| {
            let name = RegionTag::parse(r)
                .map(|t| ctx.t(&t.message_key()))
                .unwrap_or_else(|| r.clone());
            (name, *n)
        })
        .collect();
    Ok(Tables {
        years,
        year_headers,
        year_rows,
        countries,
        partners,
        units,
        kinds,
        regions,
    })
}

/// The sentence at the top: "133 outgoing students in 2024, +90% on 2019".
fn headline(ctx: &Ctx, f: &ReportFilter, report: &Report) -> String {
    let (first, last) = (f.first_year.unwrap_or(2019), f.last_year.unwrap_or(2019));
    let count = |y: i32| -> i64 {
        report
            .by_year
            .iter()
            .filter(|c| c.year == y)
            .map(|c| c.count)
            .sum()
    };
    // A mobility type names its group.
    let group = f.group.or(f.mobility_type.map(|t| {
        if t.as_str().starts_with("student") {
            Group::Students
        } else {
            Group::Staff
        }
    }));
    let who = match (group, f.level) {
        (Some(Group::Staff), _) => "staff",
        (_, Some(StudyLevel::Bachelor)) => "undergraduates",
        (_, Some(_)) | (Some(Group::Students), None) => "students",
        (None, None) => "people",
    };
    let direction = f.direction.map(|d| d.as_str()).unwrap_or("both");
    let (now, base) = (count(last), count(first));
    ctx.t_args(
        "report-headline",
        &[
            ("count", FluentValue::from(now)),
            (
                "who",
                FluentValue::from(ctx.t(&format!("report-who-{direction}-{who}"))),
            ),
            ("year", FluentValue::from(last.to_string())),
            ("change", FluentValue::from(change(now, base))),
            ("base", FluentValue::from(first.to_string())),
        ],
    )
}

fn pairs_table(ctx: &Ctx, label: &str, rows: &[(String, i64)]) -> (Vec<String>, Vec<Vec<String>>) {
    (
        vec![label.to_string(), ctx.t("report-count")],
        rows.iter()
            .map(|(l, n)| vec![l.clone(), n.to_string()])
            .collect(),
    )
}

fn download_links(ctx: &Ctx, chart: &str, query: &str) -> Markup {
    let href = |format: &str| {
        let mut h = format!("/reports/data?chart={chart}&format={format}");
        if !query.is_empty() {
            h.push('&');
            h.push_str(query);
        }
        h
    };
    html! {
        p.downloads { (ctx.t("report-download")) " "
            a href=(href("xlsx")) download { "XLSX" } " · " a href=(href("csv")) download { "CSV" } }
    }
}

fn figure(
    ctx: &Ctx,
    chart: &str,
    query: &str,
    heading: &str,
    svg: Markup,
    headers: &[String],
    rows: &[Vec<String>],
) -> Markup {
    html! {
        figure.report-chart id=(chart) {
            figcaption { h2 { (heading) } }
            (svg)
            (charts::data_table(&ctx.t("report-data-table"), headers, rows))
            (download_links(ctx, chart, query))
        }
    }
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let (filter, values, errors, _) = filter_of(raw.as_deref());
    let scope = &ctx.user().scope;
    let report = match state.db.report(scope, &filter).await {
        Ok(r) => r,
        Err(e) => return store_error_page(&ctx, e),
    };
    let t = match tables(&state, &ctx, &filter, &report).await {
        Ok(t) => t,
        Err(e) => return store_error_page(&ctx, e),
    };
    let unit_options = match state.db.report_units(scope).await {
        Ok(ids) => match state.db.names_of(NamedTable::OrgUnits, &ids).await {
            Ok(names) => {
                let zh = ctx.lang.is_chinese();
                let mut o: Vec<(String, String)> = names
                    .iter()
                    .map(|(id, n)| (id.to_string(), n.display(zh).to_string()))
                    .collect();
                o.sort_by(|a, b| a.1.cmp(&b.1));
                o
            }
            Err(e) => return store_error_page(&ctx, e),
        },
        Err(e) => return store_error_page(&ctx, e),
    };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(values.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish();
    let form = Form {
        ctx: &ctx,
        values: &values,
        errors: &errors,
    };
    let directions: Vec<(String, String)> = MobilityDirection::ALL
        .iter()
        .map(|d| {
            (
                d.as_str().to_string(),
                ctx.t(&format!("report-direction-{}", d.as_str())),
            )
        })
        .collect();
    let groups: Vec<(String, String)> = [Group::Students, Group::Staff]
        .iter()
        .map(|g| {
            (
                g.as_str().to_string(),
                ctx.t(&format!("report-group-{}", g.as_str())),
            )
        })
        .collect();
    let levels: Vec<(String, String)> = StudyLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), ctx.t(&l.message_key())))
        .collect();
    let types: Vec<(String, String)> = MobilityType::ALL
        .iter()
        .map(|t| (t.as_str().to_string(), ctx.t(&t.message_key())))
        .collect();
    let regions: Vec<(String, String)> = RegionTag::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), ctx.t(&r.message_key())))
        .collect();
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("reports-title");
    let series = |d: MobilityDirection, g: Group, class: &'static str| Series {
        name: ctx.t(&format!("report-{}-{}", d.as_str(), g.as_str())),
        class,
        values: per_year(&report, &t.years, d, g),
    };
    use Group::*;
    use MobilityDirection::*;
    let year_chart = charts::columns(
        &ctx.t("report-by-year"),
        &ctx.t("report-by-year-desc"),
        &t.years,
        &[
            series(Outgoing, Students, "s1"),
            series(Outgoing, Staff, "s2"),
            series(Incoming, Students, "s3"),
            series(Incoming, Staff, "s4"),
        ],
    );
    let country_rows: Vec<(String, i64)> = t
        .countries
        .iter()
        .map(|(c, n)| (c.name(zh).to_string(), *n))
        .collect();
    let (no_data, not_drawn) = (ctx.t("report-map-no-data"), ctx.t("report-map-not-drawn"));
    let map = crate::world_map::choropleth_with(
        &ctx.t("report-by-country"),
        &ctx.t("report-by-country-desc"),
        &t.countries,
        |c| c.name(zh).to_string(),
        crate::world_map::MapWords {
            no_data: &no_data,
            not_drawn: &not_drawn,
        },
    );
    let (ch, cr) = pairs_table(&ctx, &ctx.t("report-country"), &country_rows);
    let (ph, pr) = pairs_table(&ctx, &ctx.t("report-partner"), &t.partners);
    let (uh, ur) = pairs_table(&ctx, &ctx.t("report-unit"), &t.units);
    let (kh, kr) = pairs_table(&ctx, &ctx.t("report-agreement-type"), &t.kinds);
    let (rh, rr) = pairs_table(&ctx, &ctx.t("report-region"), &t.regions);
    let body = html! {
        h1 { (title) }
        p.headline { (headline(&ctx, &filter, &report)) }
        (form.summary())
        form.filters method="get" action="/reports" {
            (form.input("from", "report-from", "number", false))
            (form.input("to", "report-to", "number", false))
            (form.select("unit", "report-unit", &unit_options, Some("filter-any")))
            (form.select("direction", "report-direction", &directions, Some("filter-any")))
            (form.select("group", "report-group", &groups, Some("filter-any")))
            (form.select("type", "field-mobility-type", &types, Some("filter-any")))
            (form.select("level", "field-study-level", &levels, Some("filter-any")))
            (form.select("region", "report-region", &regions, Some("filter-any")))
            div.actions { button type="submit" { (ctx.t("report-apply")) } }
        }
        @if report.total == 0 { p.empty { (ctx.t("report-empty")) } }
        (figure(&ctx, "years", &query, &ctx.t("report-by-year"), year_chart, &t.year_headers, &t.year_rows))
        (figure(&ctx, "countries", &query, &ctx.t("report-by-country"), map, &ch, &cr))
        div.report-grid {
            (figure(&ctx, "partners", &query, &ctx.t("report-by-partner"), charts::bars(&ctx.t("report-by-partner"), &ctx.t("report-top-desc"), &t.partners), &ph, &pr))
            (figure(&ctx, "units", &query, &ctx.t("report-by-unit"), charts::bars(&ctx.t("report-by-unit"), &ctx.t("report-top-desc"), &t.units), &uh, &ur))
            (figure(&ctx, "agreement-types", &query, &ctx.t("report-by-agreement-type"), charts::bars(&ctx.t("report-by-agreement-type"), "", &t.kinds), &kh, &kr))
            (figure(&ctx, "regions", &query, &ctx.t("report-by-region"), charts::bars(&ctx.t("report-by-region"), &ctx.t("report-by-region-desc"), &t.regions), &rh, &rr))
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    super::html_response(status, super::layout(&ctx, &title, body))
}

/// `GET /reports/data?chart=…&format=xlsx|csv&<filters>`: one chart's numbers as a file.
pub async fn data(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let (filter, _, errors, rest) = filter_of(raw.as_deref());
    let mut chart = None;
    let mut format = Format::Xlsx;
    for (k, v) in &rest {
        match k.as_str() {
            "chart" => chart = CHARTS.iter().find(|c| **c == v).copied(),
            "format" => match Format::parse(v) {
                Some(f) => format = f,
                None => {
                    return super::error_page(&ctx, StatusCode::BAD_REQUEST, "export-bad-format")
                }
            },
            _ => {}
        }
    }
    let (Some(chart), true) = (chart, errors.is_empty()) else {
        return super::error_page(&ctx, StatusCode::BAD_REQUEST, "export-bad-filter");
    };
    let report = match state.db.report(&ctx.user().scope, &filter).await {
        Ok(r) => r,
        Err(e) => return store_error_page(&ctx, e),
    };
    let t = match tables(&state, &ctx, &filter, &report).await {
        Ok(t) => t,
        Err(e) => return store_error_page(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let (headers, rows) = match chart {
        "years" => (t.year_headers.clone(), t.year_rows.clone()),
        "countries" => {
            let mut headers = pairs_table(&ctx, &ctx.t("report-country"), &[]).0;
            headers.insert(1, "ISO 3166-1".into());
            let rows = t
                .countries
                .iter()
                .map(|(c, n)| {
                    vec![
                        c.name(zh).to_string(),
                        c.as_str().to_string(),
                        n.to_string(),
                    ]
                })
                .collect();
            (headers, rows)
        }
        "partners" => pairs_table(&ctx, &ctx.t("report-partner"), &t.partners),
        "units" => pairs_table(&ctx, &ctx.t("report-unit"), &t.units),
        "agreement-types" => pairs_table(&ctx, &ctx.t("report-agreement-type"), &t.kinds),
        _ => pairs_table(&ctx, &ctx.t("report-region"), &t.regions),
    };
    let bytes = liaison_transfer::table_file(chart, &headers, &rows, format);
    let file_name = format!("report-{chart}.{}", format.extension());
    super::transfer::spreadsheet_response(bytes, format, &file_name)
}

/// The dashboard's lines for those who may see reports: this year's outgoing and incoming
/// figures against last year's, with a link to the report page. Nothing for other roles.
pub async fn home_section(state: &AppState, ctx: &Ctx) -> Markup {
    let user = ctx.user();
    if !liaison_domain::access::allows(user.role, liaison_domain::Action::ViewReports) {
        return html! {};
    }
    let year = this_year();
    let both = ReportFilter {
        first_year: Some(year - 1),
        last_year: Some(year),
        ..Default::default()
    };
    // One scan of two years for both lines: the home page is opened often.
    let by_year = match state.db.report_by_year(&user.scope, &both).await {
        Ok(y) => y,
        Err(e) => {
            tracing::error!(error = %e, "dashboard figures failed");
            return html! {};
        }
    };
    let lines: Vec<String> = MobilityDirection::ALL
        .iter()
        .map(|direction| {
            let filter = ReportFilter {
                direction: Some(*direction),
                ..both.clone()
            };
            let report = Report {
                by_year: by_year
                    .iter()
                    .filter(|c| c.direction == *direction)
                    .copied()
                    .collect(),
                ..Report::default()
            };
            headline(ctx, &filter, &report)
        })
        .collect();
    html! {
        section.figures {
            h2 { (ctx.t("reports-title")) }
            ul { @for l in &lines { li { (l) } } }
            p { a href="/reports" { (ctx.t("home-reports-link")) } }
        }
    }
}

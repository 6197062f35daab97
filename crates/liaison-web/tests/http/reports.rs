//! The leadership report page on the demo data: the headline tells Xuteli College's story, every
//! chart has its table and its download, the filters narrow the figures, a coordinator sees only
//! their units, and both languages render.

use axum::http::{header, StatusCode};

use crate::support::TestApp;
use liaison_domain::Role;

async fn xuteli(app: &TestApp, token: &str) -> String {
    let r = app
        .api(
            "GET",
            "/api/v1/org-units?q=%E5%BE%90%E7%89%B9%E7%AB%8B",
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["items"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_report_tells_the_demo_story_in_both_languages() {
    let app = TestApp::with_demo().await;
    let staff = app.token(Role::Staff).await;
    let unit = xuteli(&app, &staff).await;
    let mut b = app.browser(Role::Staff).await;

    let query =
        format!("unit={unit}&direction=outgoing&group=students&level=bachelor&from=2019&to=2024");
    let page = b.get(&format!("/reports?{query}&lang=en")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let headline = page
        .body
        .split("<p class=\"headline\">")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .expect("a headline");
    // "133 outgoing undergraduates in 2024, +90% on 2019."
    let count: i64 = headline.split(' ').next().unwrap().parse().unwrap();
    assert!(count > 130, "{headline}");
    assert!(
        headline.contains("outgoing undergraduates in 2024, +"),
        "{headline}"
    );
    assert!(headline.ends_with(" on 2019."), "{headline}");
    let pct: i64 = headline
        .split('+')
        .nth(1)
        .and_then(|s| s.split('%').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((80..=95).contains(&pct), "nearly +90%: {headline}");
    for chart in [
        "years",
        "countries",
        "partners",
        "units",
        "agreement-types",
        "regions",
    ] {
        assert!(page.body.contains(&format!("id=\"{chart}\"")), "{chart}");
        assert!(
            page.body
                .contains(&format!("/reports/data?chart={chart}&amp;format=xlsx")),
            "{chart} downloads"
        );
    }
    assert!(page.body.contains("<svg"), "charts drawn on the server");
    assert!(page.body.contains("<title>Mobilities per year</title>"));
    assert!(page.body.contains("<details class=\"chart-data\">"));

    let zh = b.get(&format!("/reports?{query}&lang=zh-CN")).await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(!zh.body.contains('⟦'), "every string translated");
    assert!(
        zh.body.contains(&format!(
            "2024 年派出本科生 {count} 人，较 2019 年+{pct}%。"
        )),
        "the same story in Chinese: {}",
        zh.body
    );
    let all = b.get("/reports?lang=en").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(!all.body.contains('⟦'));

    // The numbers behind the year chart, as CSV: one row per year with the totals.
    let csv = b
        .get(&format!(
            "/reports/data?chart=years&format=csv&{query}&lang=en"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].starts_with("Year,Outgoing students"),
        "{}",
        csv.body
    );
    assert_eq!(lines.len(), 1 + 6, "2019 to 2024");
    assert!(
        lines[6].starts_with(&format!("2024,{count},")),
        "{}",
        csv.body
    );
    let xlsx = b
        .get(&format!(
            "/reports/data?chart=countries&format=xlsx&{query}"
        ))
        .await;
    assert!(xlsx.body.as_bytes().starts_with(b"PK"));
    assert_eq!(
        b.get("/reports/data?chart=nothing&format=csv").await.status,
        StatusCode::BAD_REQUEST
    );

    // The dashboard carries this year's two lines and leads to the report.
    let home = b.get("/?lang=en").await;
    assert!(
        home.body.contains("<section class=\"figures\">"),
        "{}",
        home.body
    );
    for line in [
        "outgoing students and staff in ",
        "incoming students and staff in ",
    ] {
        assert!(home.body.contains(line), "{line}");
    }
    assert!(home.body.contains("href=\"/reports\""));
    let home = b.get("/?lang=zh-CN").await;
    for line in ["年派出师生 ", "年来华（接收）师生 "] {
        assert!(home.body.contains(line), "{line}: {}", home.body);
    }

    // A year that is not a number is named, and the page still shows the default years.
    let bad = b.get("/reports?from=soon").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#from\""), "{}", bad.body);

    // A coordinator of Xuteli College sees that unit's figures only.
    let email = app
        .scoped_user(Role::Coordinator, None, vec![unit.parse().unwrap()])
        .await;
    let mut coordinator = app.browser_for(&email).await;
    let theirs = coordinator
        .get("/reports/data?chart=units&format=csv&from=2019&to=2026&lang=en")
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    let rows: Vec<&str> = theirs.body.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{}", theirs.body);
    assert!(rows[0].starts_with("Xuteli"), "{}", theirs.body);
}

/// The filters the summary tables are checked with: each source of the report (the count tables
/// by unit and by partner, and the mobilities for a unit with a region) is read by some of them.
fn filters(units: &[i64]) -> Vec<(liaison_domain::Scope, liaison_storage::ReportFilter)> {
    use liaison_domain::agreement::StudyLevel;
    use liaison_domain::mobility::MobilityDirection;
    use liaison_domain::{RegionTag, Scope};
    use liaison_storage::{Group, ReportFilter};
    let years = ReportFilter {
        first_year: Some(2019),
        last_year: Some(2026),
        ..Default::default()
    };
    let mut out = vec![
        (Scope::All, ReportFilter::default()),
        (Scope::All, years.clone()),
        (
            Scope::All,
            ReportFilter {
                first_year: Some(2022),
                last_year: Some(2024),
                direction: Some(MobilityDirection::Outgoing),
                group: Some(Group::Students),
                level: Some(StudyLevel::Bachelor),
                ..Default::default()
            },
        ),
        (
            Scope::All,
            ReportFilter {
                direction: Some(MobilityDirection::Incoming),
                group: Some(Group::Staff),
                ..years.clone()
            },
        ),
        (
            Scope::All,
            ReportFilter {
                mobility_type: Some(liaison_domain::agreement::MobilityType::StaffTeaching),
                region: Some(RegionTag::Sco),
                ..years.clone()
            },
        ),
        (Scope::Units(units.to_vec()), years.clone()),
    ];
    for region in RegionTag::ALL {
        out.push((
            Scope::All,
            ReportFilter {
                region: Some(*region),
                ..years.clone()
            },
        ));
        out.push((
            Scope::Units(units.to_vec()),
            ReportFilter {
                region: Some(*region),
                ..Default::default()
            },
        ));
    }
    for unit in units {
        out.push((
            Scope::All,
            ReportFilter {
                org_unit_id: Some(*unit),
                ..years.clone()
            },
        ));
        out.push((
            Scope::All,
            ReportFilter {
                org_unit_id: Some(*unit),
                region: Some(RegionTag::Sco),
                ..Default::default()
            },
        ));
    }
    out
}

/// The report read from the count tables equals the one computed from the mobilities.
async fn same_as_mobilities(app: &TestApp, units: &[i64], step: &str) {
    for (scope, filter) in filters(units) {
        let counted = app.db.report(&scope, &filter).await.unwrap();
        let direct = app
            .db
            .report_from_mobilities(&scope, &filter)
            .await
            .unwrap();
        assert_eq!(counted, direct, "after {step}: {scope:?} {filter:?}");
        let lines = app.db.report_by_year(&scope, &filter).await.unwrap();
        assert_eq!(lines, direct.by_year, "after {step}: {scope:?} {filter:?}");
    }
}

#[tokio::test]
async fn the_counts_follow_every_write_to_the_mobilities() {
    use liaison_domain::{RegionTag, Scope};
    use liaison_storage::ReportFilter;
    use serde_json::{json, Value};

    let app = TestApp::with_demo().await;
    let t = app.token(Role::Staff).await;
    let xuteli: i64 = xuteli(&app, &t).await.parse().unwrap();
    let created = |path: &'static str, body: Value| {
        let (app, t) = (&app, t.clone());
        async move {
            let r = app.api("POST", path, Some(&t), Some(body)).await;
            assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
            r.json()
        }
    };
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    let home = created(
        "/api/v1/institutions",
        json!({"kind": "university", "name": {"en": "Report Home University"}, "country": "CN"}),
    )
    .await;
    let malaya = created(
        "/api/v1/institutions",
        json!({"kind": "university", "name": {"en": "Report Test Malaya"}, "country": "MY",
               "region_tags": ["asean"]}),
    )
    .await;
    let astana = created(
        "/api/v1/institutions",
        json!({"kind": "university", "name": {"en": "Report Test Astana"}, "country": "KZ",
               "region_tags": ["sco", "belt_and_road"]}),
    )
    .await;
    let school = created(
        "/api/v1/org-units",
        json!({"institution_id": id(&home), "kind": "school", "name": {"en": "Report Test School"}}),
    )
    .await;
    let unit: i64 = id(&school).parse().unwrap();
    let person = created(
        "/api/v1/people",
        json!({"name": {"en": "Report Test Student"}, "institution_id": id(&home)}),
    )
    .await;
    let units = [xuteli, unit];
    same_as_mobilities(&app, &units, "the demo load").await;

    let asean_2024 = ReportFilter {
        first_year: Some(2024),
        last_year: Some(2024),
        region: Some(RegionTag::Asean),
        ..Default::default()
    };
    let before = app.db.report(&Scope::All, &asean_2024).await.unwrap().total;
    let stay = |direction: &str, kind: &str, home: &Value, host: &Value, start: &str| {
        let level = kind.starts_with("student").then_some("bachelor");
        json!({
            "person_id": id(&person), "direction": direction, "mobility_type": kind,
            "level": level, "home_institution_id": id(home), "host_institution_id": id(host),
            "org_unit_id": id(&school), "academic_year": format!("{}/{}", &start[..4], start[..4].parse::<i32>().unwrap() + 1),
            "planned_start": start, "planned_end": format!("{}-12-20", &start[..4]),
        })
    };
    let m1 = created(
        "/api/v1/mobilities",
        stay("outgoing", "student_studies", &home, &malaya, "2024-09-01"),
    )
    .await;
    let m2 = created(
        "/api/v1/mobilities",
        stay("incoming", "staff_teaching", &astana, &home, "2023-03-01"),
    )
    .await;
    let m3 = created(
        "/api/v1/mobilities",
        stay(
            "outgoing",
            "student_traineeship",
            &home,
            &astana,
            "2022-06-01",
        ),
    )
    .await;
    let after = app.db.report(&Scope::All, &asean_2024).await.unwrap();
    assert_eq!(after.total, before + 1, "the new ASEAN stay of 2024 counts");
    same_as_mobilities(&app, &units, "three inserts").await;

    // An edit moves the stay to another partner (and region) and another year.
    let path = format!("/api/v1/mobilities/{}", id(&m1));
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"version": 1, "host_institution_id": id(&astana),
                        "academic_year": "2023/2024",
                        "planned_start": "2023-09-01", "planned_end": "2023-12-20"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.db.report(&Scope::All, &asean_2024).await.unwrap().total,
        before
    );
    same_as_mobilities(&app, &units, "an edit of partner and year").await;
    // An edit that touches nothing counted.
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"version": 2, "notes": "Housing booked"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    same_as_mobilities(&app, &units, "an edit of the notes").await;

    // Cancelled stays do not count; the lifecycle moves count where they were.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/status", id(&m2)),
            Some(&t),
            Some(json!({"status": "cancelled", "version": m2["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/status", id(&m3)),
            Some(&t),
            Some(json!({"status": "accepted", "version": m3["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    same_as_mobilities(&app, &units, "status changes").await;

    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/mobilities/{}?version=2", id(&m3)),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    same_as_mobilities(&app, &units, "a delete").await;

    // Deleting the unit leaves its stays without one (the database sets it to NULL).
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/org-units/{unit}?version=1"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    same_as_mobilities(&app, &units, "deleting the unit").await;
    let all = app
        .db
        .report(&Scope::All, &ReportFilter::default())
        .await
        .unwrap();
    assert!(all.by_unit.iter().all(|(u, _)| *u != Some(unit)));
    assert!(all.by_unit.iter().any(|(u, _)| u.is_none()));
}

/// The count in a two-column CSV row starting with `label`.
fn csv_count(csv: &str, label: &str) -> Option<i64> {
    csv.lines()
        .find(|l| l.starts_with(&format!("{label},")))
        .and_then(|l| l.rsplit(',').next())
        .and_then(|n| n.parse().ok())
}

#[tokio::test]
async fn the_region_filter_narrows_every_chart_and_its_downloads_in_both_languages() {
    let app = TestApp::with_demo().await;
    let mut b = app.browser(Role::Staff).await;
    let years = "from=2019&to=2026";
    let all = b
        .get(&format!(
            "/reports/data?chart=regions&format=csv&{years}&lang=en"
        ))
        .await;
    assert_eq!(all.status, StatusCode::OK);
    let eu = csv_count(&all.body, "EU").expect("EU partners in the demo");
    let sco = csv_count(&all.body, "SCO").expect("SCO partners in the demo");
    assert!(eu > 0 && sco > 0, "{}", all.body);

    let page = b.get(&format!("/reports?{years}&region=eu&lang=en")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<option value=\"eu\" selected>EU</option>"),
        "the filter shows the chosen region"
    );
    for chart in [
        "years",
        "countries",
        "partners",
        "units",
        "agreement-types",
        "regions",
    ] {
        for format in ["xlsx", "csv"] {
            let link = page
                .body
                .split(&format!(
                    "/reports/data?chart={chart}&amp;format={format}&amp;"
                ))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default();
            assert!(
                link.contains("region=eu") && link.contains("from=2019"),
                "{chart} {format} downloads with the filters: {link}"
            );
        }
    }
    let headline = page
        .body
        .split("<p class=\"headline\">")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_string();

    // Every download of the filtered report adds up to the EU partners' stays.
    let data = |chart: &str, lang: &str| {
        format!("/reports/data?chart={chart}&format=csv&{years}&region=eu&lang={lang}")
    };
    let by_year = b.get(&data("years", "en")).await;
    assert_eq!(by_year.status, StatusCode::OK);
    let total: i64 = by_year
        .body
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(total, eu, "{}", by_year.body);
    let last_year: i64 = by_year
        .body
        .lines()
        .last()
        .and_then(|l| l.split(',').nth(5))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(headline, last_year.to_string(), "the headline counts 2026");
    let regions = b.get(&data("regions", "en")).await;
    assert_eq!(csv_count(&regions.body, "EU"), Some(eu), "{}", regions.body);
    for chart in ["countries", "units", "agreement-types"] {
        let r = b.get(&data(chart, "en")).await;
        assert_eq!(r.status, StatusCode::OK);
        let sum: i64 = r
            .body
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap())
            .sum();
        assert_eq!(sum, eu, "{chart}: {}", r.body);
    }
    let countries = b.get(&data("countries", "en")).await;
    assert!(!countries.body.contains(",KZ,"), "{}", countries.body);
    let xlsx = b
        .get(&format!(
            "/reports/data?chart=partners&format=xlsx&{years}&region=eu"
        ))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.as_bytes().starts_with(b"PK"));

    // The same in Chinese.
    let zh = b
        .get(&format!("/reports?{years}&region=sco&lang=zh-CN"))
        .await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(!zh.body.contains('⟦'), "every string translated");
    assert!(
        zh.body
            .contains("<option value=\"sco\" selected>上合组织</option>"),
        "{}",
        zh.body
    );
    let regions = b
        .get(&format!(
            "/reports/data?chart=regions&format=csv&{years}&region=sco&lang=zh-CN"
        ))
        .await;
    assert_eq!(
        csv_count(&regions.body, "上合组织"),
        Some(sco),
        "{}",
        regions.body
    );

    // A region that does not exist is named, not ignored.
    let bad = b.get("/reports?region=atlantis&lang=en").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#region\""), "{}", bad.body);
    let bad = b
        .get("/reports/data?chart=years&format=csv&region=atlantis")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// The total of a year chart's CSV (the "Total" column summed over the years).
fn years_total(csv: &str) -> i64 {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap().parse::<i64>().unwrap())
        .sum()
}

#[tokio::test]
async fn the_type_filter_splits_the_groups_in_both_languages() {
    let app = TestApp::with_demo().await;
    let mut b = app.browser(Role::Staff).await;
    let years = |q: &str| format!("/reports/data?chart=years&format=csv&from=2019&to=2026&{q}");
    let mut staff = 0;
    for kind in ["staff_teaching", "staff_training"] {
        let r = b.get(&years(&format!("type={kind}"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // No student in the student columns (outgoing and incoming students: columns 1 and 3).
        for line in r.body.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!((cells[1], cells[3]), ("0", "0"), "{kind}: {line}");
        }
        staff += years_total(&r.body);
    }
    let group = b.get(&years("group=staff")).await;
    assert!(staff > 0);
    assert_eq!(
        staff,
        years_total(&group.body),
        "the two staff types make the staff"
    );
    let studies = years_total(&b.get(&years("type=student_studies")).await.body);
    let traineeships = years_total(&b.get(&years("type=student_traineeship")).await.body);
    let students = years_total(&b.get(&years("group=students")).await.body);
    assert_eq!(studies + traineeships, students);

    let page = b
        .get("/reports?from=2019&to=2026&direction=incoming&type=staff_teaching&lang=en")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(
        "<option value=\"staff_teaching\" selected>Staff mobility for teaching</option>"
    ));
    assert!(
        page.body.contains("incoming staff in 2026"),
        "{}",
        page.body
    );
    let zh = b
        .get("/reports?from=2019&to=2026&type=staff_teaching&lang=zh-CN")
        .await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(!zh.body.contains('⟦'), "every string translated");
    assert!(zh
        .body
        .contains("<option value=\"staff_teaching\" selected>"));
    let bad = b.get("/reports?type=sabbatical").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#type\""), "{}", bad.body);
}

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
    assert!(zh.body.contains("2024 年派出本科生"), "{}", zh.body);
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

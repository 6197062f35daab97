//! Spreadsheets in and out through the pages (C8): list exports keep their filters and the
//! caller's scope; an import is checked, previewed, confirmed, and all or nothing.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::support::{Browser, Reply, TestApp};
use liaison_domain::Role;

async fn institution(app: &TestApp, token: &str, en: &str, country: &str) -> String {
    let r = app
        .api(
            "POST",
            "/api/v1/institutions",
            Some(token),
            Some(json!({"kind": "university", "name": {"en": en}, "country": country})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

async fn total(app: &TestApp, token: &str) -> i64 {
    app.api("GET", "/api/v1/institutions?per_page=1", Some(token), None)
        .await
        .json()["total"]
        .as_i64()
        .unwrap()
}

/// The import form as a browser submits it: the entity, then the file.
async fn check(b: &mut Browser<'_>, entity: &str, name: &str, bytes: &[u8]) -> Reply {
    check_in(b, "en", entity, name, bytes).await
}

async fn check_in(
    b: &mut Browser<'_>,
    lang: &str,
    entity: &str,
    name: &str,
    bytes: &[u8],
) -> Reply {
    if !b.cookies.contains_key("liaison_csrf") {
        b.get("/import").await;
    }
    let csrf = b.cookies["liaison_csrf"].clone();
    let boundary = "ImportBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"entity\"\r\n\r\n{entity}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    b.app
        .send(
            Request::builder()
                .method("POST")
                .uri(format!("/import?_csrf={csrf}&lang={lang}"))
                .header(header::COOKIE, cookies)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
}

fn token_in(page: &str) -> String {
    let at = page.find("action=\"/import/").expect("a confirm form") + "action=\"/import/".len();
    page[at..at + 43].to_string()
}

#[tokio::test]
async fn list_exports_keep_filters_and_scope() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    institution(&app, &staff, "Astana IT University", "KZ").await;
    institution(&app, &staff, "Al-Farabi Kazakh National University", "KZ").await;
    let xjtu = institution(&app, &staff, "Xi'an Jiaotong University", "CN").await;

    let mut b = app.browser(Role::Staff).await;
    let list = b.get("/institutions?country=KZ&sort=name").await;
    assert!(
        list.body
            .contains("href=\"/export/institutions?format=csv&amp;country=KZ&amp;sort=name\""),
        "{}",
        list.body
    );
    let csv = b
        .get("/export/institutions?format=csv&country=KZ&sort=name")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"institutions-"),
        "{disposition}"
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "header and the two Kazakh universities: {}",
        csv.body
    );
    assert!(lines[0].starts_with("id,kind,name.en"));
    assert!(lines[1].contains("Al-Farabi") && lines[2].contains("Astana"));

    let xlsx = b.get("/export/institutions?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.as_bytes().starts_with(b"PK"), "an XLSX workbook");
    assert_eq!(
        b.get("/export/institutions?format=pdf").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        b.get("/export/institutions?format=csv&country=XX1")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // A partner contact exports only what they may read: their own institution.
    let email = app
        .scoped_user(Role::Partner, Some(xjtu.parse().unwrap()), vec![])
        .await;
    let mut partner = app.browser_for(&email).await;
    let mine = partner.get("/export/institutions?format=csv").await;
    assert_eq!(mine.status, StatusCode::OK);
    let lines: Vec<&str> = mine.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", mine.body);
    assert!(lines[1].contains("Xi'an Jiaotong"));
}

#[tokio::test]
async fn an_import_is_checked_previewed_and_confirmed_all_or_nothing() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let existing = institution(&app, &staff, "Astana IT University", "KZ").await;
    assert_eq!(total(&app, &staff).await, 1);
    let mut b = app.browser(Role::Staff).await;
    let page = b.get("/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));

    // A bad file: every problem named by row and column, nothing written.
    let bad = format!(
        "id,kind,name.en,country,status,colour\n{existing},university,Astana IT University,KZ,active,red\n,university,,XX,active,blue\n"
    );
    let r = check(&mut b, "institutions", "partners.csv", bad.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("Row 1, column colour: is not a known column."),
        "{}",
        r.body
    );
    assert_eq!(total(&app, &staff).await, 1);

    // A good file: previewed first, written only on confirmation.
    let good = format!(
        "id,kind,name.en,name.zh,country,status\n{existing},university,Astana IT University,阿斯塔纳IT大学,KZ,active\n,university,Kazakh National University,,KZ,active\n,enterprise,iFLYTEK,科大讯飞,CN,prospect\n"
    );
    let r = check(&mut b, "institutions", "partners.csv", good.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("partners.csv: 2 new, 1 changed, 0 unchanged."),
        "{}",
        r.body
    );
    assert_eq!(total(&app, &staff).await, 1, "a check writes nothing");
    let token = token_in(&r.body);

    // Someone else cannot confirm this check.
    let mut admin = app.browser(Role::Admin).await;
    let stolen = admin.post(&format!("/import/{token}"), &[]).await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);
    assert_eq!(total(&app, &staff).await, 1);

    let done = b.post(&format!("/import/{token}"), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/institutions");
    assert_eq!(total(&app, &staff).await, 3);
    let updated = app
        .api(
            "GET",
            &format!("/api/v1/institutions/{existing}"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(updated["name"]["zh"], "阿斯塔纳IT大学");
    // A check is used once.
    let again = b.post(&format!("/import/{token}"), &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(total(&app, &staff).await, 3);

    // In Chinese, problems are named the same way; a file over the limit is refused whole.
    let r = check(
        &mut b,
        "institutions",
        "x.csv",
        b"id,kind,country,status\n,university,XX,active\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let zh = check_in(
        &mut b,
        "zh-CN",
        "institutions",
        "x.csv",
        b"id,kind,country,status\n,university,XX,active\n",
    )
    .await;
    assert!(zh.body.contains("第 2 行，country 列"), "{}", zh.body);
    let big = vec![b'a'; 300 * 1024];
    let r = check(&mut b, "institutions", "big.csv", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(total(&app, &staff).await, 3);
}

/// Column `name` of every data row of a CSV export.
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    reader
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect()
}

#[tokio::test]
async fn agreements_events_and_mobilities_export_with_their_filters_and_import_through_the_page() {
    let app = TestApp::with_demo().await;
    let staff = app.token(Role::Staff).await;
    let mut b = app.browser(Role::Staff).await;

    // The agreement list offers its own export and its conditions', with the filters kept.
    let list = b.get("/agreements?status=active").await;
    assert!(
        list.body
            .contains("href=\"/export/agreements?format=csv&amp;status=active\""),
        "{}",
        list.body
    );
    assert!(list
        .body
        .contains("href=\"/export/agreement-conditions?format=csv&amp;status=active\""));
    let active = b.get("/export/agreements?format=csv&status=active").await;
    assert_eq!(active.status, StatusCode::OK);
    let statuses = column(&active.body, "status");
    let expected = app
        .api(
            "GET",
            "/api/v1/agreements?status=active&per_page=1",
            Some(&staff),
            None,
        )
        .await
        .json()["total"]
        .as_i64()
        .unwrap();
    assert_eq!(statuses.len() as i64, expected);
    assert!(statuses.len() > 3 && statuses.iter().all(|s| s == "active"));
    let ids = column(&active.body, "id");
    let conditions = b
        .get("/export/agreement-conditions?format=csv&status=active")
        .await;
    let owners = column(&conditions.body, "agreement_id");
    assert!(!owners.is_empty());
    assert!(owners.iter().all(|a| ids.contains(a)), "{owners:?}");

    let events = b.get("/export/events?format=csv&kind=symposium").await;
    let kinds = column(&events.body, "kind");
    assert!(!kinds.is_empty() && kinds.iter().all(|k| k == "symposium"));
    let outgoing = b
        .get("/export/mobilities?format=xlsx&direction=outgoing")
        .await;
    assert_eq!(outgoing.status, StatusCode::OK);
    assert!(outgoing.body.as_bytes().starts_with(b"PK"));
    let mobilities = b
        .get("/export/mobilities?format=csv&direction=incoming")
        .await;
    let directions = column(&mobilities.body, "direction");
    assert!(!directions.is_empty() && directions.iter().all(|d| d == "incoming"));

    // An enterprise contact reads the directory but not mobility records.
    let mut enterprise = app.browser(Role::Enterprise).await;
    assert_eq!(
        enterprise.get("/export/mobilities?format=csv").await.status,
        StatusCode::FORBIDDEN
    );

    // An event file: checked (an unknown agreement named by row and column), then previewed
    // and confirmed.
    let header = "kind,title.en,title.zh,start_on,end_on,agreement_ids\n";
    let bad =
        format!("{header}seminar,Silk Road seminar,丝路研讨会,2026-03-02,2026-03-01,999999\n");
    let r = check(&mut b, "events", "events.csv", bad.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("Row 2, column end_on: must not be before the start date"),
        "{}",
        r.body
    );
    let unknown =
        format!("{header}seminar,Silk Road seminar,丝路研讨会,2026-03-02,2026-03-03,999999\n");
    let r = check(&mut b, "events", "events.csv", unknown.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("Row 2, column agreement_ids:"),
        "{}",
        r.body
    );
    async fn count(app: &TestApp, token: &str) -> i64 {
        app.api("GET", "/api/v1/events?per_page=1", Some(token), None)
            .await
            .json()["total"]
            .as_i64()
            .unwrap()
    }
    let before = count(&app, &staff).await;
    let good = format!(
        "{header}seminar,Silk Road seminar,丝路研讨会,2026-03-02,2026-03-03,{}\n",
        ids[0]
    );
    let r = check(&mut b, "events", "events.csv", good.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("events.csv: 1 new, 0 changed, 0 unchanged."),
        "{}",
        r.body
    );
    assert_eq!(count(&app, &staff).await, before, "a check writes nothing");
    let done = b.post(&format!("/import/{}", token_in(&r.body)), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/events");
    assert_eq!(count(&app, &staff).await, before + 1);
}

#[tokio::test]
async fn a_large_import_is_found_by_search() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let mut b = app.browser(Role::Staff).await;
    let mut csv = String::from("kind,name.en,name.zh,country,status\n");
    for i in 0..450 {
        csv.push_str(&format!(
            "school,Steppe Academy {i},草原学院{i}号,KZ,prospect\n"
        ));
    }
    let r = check(&mut b, "institutions", "many.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The preview says how many rows were checked and how long that took (as will the import).
    assert!(
        r.body
            .contains("450 rows read, checked and written on trial (then undone) in "),
        "{}",
        r.body
    );
    let done = b.post(&format!("/import/{}", token_in(&r.body)), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    for q in ["Steppe%20Academy%20417", "草原学院417"] {
        let found = app
            .api(
                "GET",
                &format!("/api/v1/institutions?q={q}"),
                Some(&staff),
                None,
            )
            .await
            .json();
        assert_eq!(found["total"], 1, "{q}: {found}");
    }
    // Every row written in bulk is audited as a single create, with the record after it.
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=institution&action=create&per_page=1",
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 450, "{audit}");
    let last = &audit["items"][0];
    assert_eq!(last["after"]["name"]["en"], "Steppe Academy 449", "{audit}");
    assert_eq!(last["after"]["id"], last["entity_id"], "{audit}");
    assert_eq!(last["before"], serde_json::Value::Null, "{audit}");
    // The entry (written by the database from the stored row) is the record as the API shows it.
    let id = last["entity_id"].as_str().unwrap();
    let record = app
        .api(
            "GET",
            &format!("/api/v1/institutions/{id}"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(last["after"], record, "{audit}");
    // The index keeps following edits and new records after the import.
    institution(&app, &staff, "Steppe Polytechnic", "KZ").await;
    let found = app
        .api(
            "GET",
            "/api/v1/institutions?q=polytechnic",
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(found["total"], 1, "{found}");
}

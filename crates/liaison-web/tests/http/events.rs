//! Events, action items, documents and the calendar feed (issue 6).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{Reply, TestApp};
use liaison_domain::Role;
use liaison_storage::Actor;

async fn institution(app: &TestApp, token: &str, name: &str, country: &str) -> String {
    let r = app
        .api(
            "POST",
            "/api/v1/institutions",
            Some(token),
            Some(json!({"kind": "university", "name": {"en": name}, "country": country})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

async fn event(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app
        .api("POST", "/api/v1/events", Some(token), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

pub(crate) fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// Every file in the store (temporary ones included).
pub(crate) fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.files_dir, &mut out);
    out
}

async fn upload(app: &TestApp, token: &str, event: &str, name: &str, bytes: Vec<u8>) -> Reply {
    let name: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    app.api_raw(
        "POST",
        &format!("/api/v1/events/{event}/documents?filename={name}"),
        token,
        bytes,
    )
    .await
}

#[tokio::test]
async fn event_lifecycle_with_version_checks() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let iukl = institution(&app, &staff, "Infrastructure University Kuala Lumpur", "MY").await;
    let e = event(
        &app,
        &staff,
        json!({
            "kind": "incoming_visit",
            "title": {"en": "IUKL delegation", "zh": "吉隆坡建设大学代表团来访"},
            "start_on": "2024-05-08",
            "venue": {"en": "Hefei"},
            "participants": [{"institution_id": iukl, "role": "head_of_delegation"}],
            "consensus": [{"en": "Explore joint programmes", "zh": "探讨联合培养项目"}]
        }),
    )
    .await;
    let id = e["id"].as_str().unwrap();
    assert_eq!(e["end_on"], "2024-05-08", "a one-day event by default");
    assert_eq!(e["version"], 1);
    assert_eq!(e["counts"]["institutions"], 1);
    assert_eq!(e["counts"]["countries"], 1);

    let got = app
        .api("GET", &format!("/api/v1/events/{id}"), Some(&staff), None)
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["title"]["zh"], "吉隆坡建设大学代表团来访");

    for (query, expected) in [
        ("q=代表团", 1),
        ("kind=incoming_visit", 1),
        ("kind=symposium", 0),
        ("from=2024-05-01&to=2024-05-31", 1),
        ("from=2024-06-01", 0),
        (&format!("institution_id={iukl}") as &str, 1),
    ] {
        let r = app
            .api(
                "GET",
                &format!("/api/v1/events?{query}"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
        assert_eq!(r.json()["total"], expected, "{query}");
    }
    let bad = app
        .api("GET", "/api/v1/events?kind=party", Some(&staff), None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["kind"]);

    let patched = app
        .api(
            "PATCH",
            &format!("/api/v1/events/{id}"),
            Some(&staff),
            Some(json!({"version": 1, "end_on": "2024-05-09"})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["version"], 2);
    let stale = app
        .api(
            "PATCH",
            &format!("/api/v1/events/{id}"),
            Some(&staff),
            Some(json!({"version": 1, "end_on": "2024-05-10"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let stale_delete = app
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}?version=1"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(stale_delete.status, StatusCode::CONFLICT);
    let deleted = app
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}?version=2"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app
        .api("GET", &format!("/api/v1/events/{id}"), Some(&staff), None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_event_input_names_the_field_and_stores_nothing() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    for (body, field) in [
        (
            json!({"kind": "seminar", "title": {"en": "x"}, "start_on": "2024-08-11", "end_on": "2024-08-10"}),
            "end_on",
        ),
        (
            json!({"kind": "seminar", "title": {"en": "x"}, "start_on": "2024-02-30"}),
            "start_on",
        ),
        (
            json!({"kind": "seminar", "title": {"en": "x"}, "start_on": "2024-08-11", "colour": "red"}),
            "colour",
        ),
        (
            json!({"kind": "seminar", "title": {"en": "x"}, "start_on": "2024-08-11",
                   "participants": [{"institution_id": "999999", "role": "guest"}]}),
            "participants.0.institution_id",
        ),
        (
            json!({"kind": "seminar", "start_on": "2024-08-11"}),
            "title",
        ),
    ] {
        let r = app
            .api("POST", "/api/v1/events", Some(&staff), Some(body.clone()))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(
            r.error_fields().contains(&field.to_string()),
            "{body}: {}",
            r.body
        );
    }
    let list = app.api("GET", "/api/v1/events", Some(&staff), None).await;
    assert_eq!(list.json()["total"], 0);
}

#[tokio::test]
async fn symposium_counts_institutions_and_countries() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let countries = ["CN", "KZ", "RU", "KG", "TJ", "UZ", "PK"];
    let mut participants = Vec::new();
    for i in 0..27 {
        let id = institution(&app, &staff, &format!("University {i}"), countries[i % 7]).await;
        participants
            .push(json!({"institution_id": id, "role": if i < 3 { "co_host" } else { "member" }}));
    }
    let person = app
        .api(
            "POST",
            "/api/v1/people",
            Some(&staff),
            Some(json!({"name": {"en": "Gao Jingwen"}, "institution_id": participants[0]["institution_id"]})),
        )
        .await
        .json();
    participants.push(json!({"person_id": person["id"], "role": "speaker"}));
    let e = event(
        &app,
        &staff,
        json!({
            "kind": "symposium",
            "title": {"en": "SCO higher-education symposium", "zh": "上合组织高等教育合作研讨会"},
            "start_on": "2024-07-04", "venue": {"en": "Astana", "zh": "阿斯塔纳"},
            "participants": participants,
            "honours": [{"person_id": person["id"], "honour": {"en": "Honorary professor", "zh": "荣誉教授"}, "conferred_by": participants[1]["institution_id"]}]
        }),
    )
    .await;
    assert_eq!(e["counts"]["institutions"], 27);
    assert_eq!(e["counts"]["countries"], 7);
    assert_eq!(
        e["participants"][27]["institution_id"], participants[0]["institution_id"],
        "a person participant counts for their institution"
    );
    let mut b = app.browser(Role::Staff).await;
    for lang in ["en", "zh-CN"] {
        let page = b
            .get(&format!(
                "/events/{}?lang={lang}",
                e["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("<html lang=\"{lang}\">")));
        let expected = if lang == "en" {
            "27 institutions from 7 countries"
        } else {
            "27 所院校/机构，来自 7 个国家"
        };
        assert!(page.body.contains(expected), "{lang}");
        assert!(page.body.contains("荣誉教授"));
    }
}

#[tokio::test]
async fn partners_see_only_events_their_institution_took_part_in() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let mine = institution(&app, &staff, "Mine", "MY").await;
    let other = institution(&app, &staff, "Other", "KZ").await;
    let seen = event(
        &app,
        &staff,
        json!({"kind": "seminar", "title": {"en": "With us"}, "start_on": "2024-01-01",
        "participants": [{"institution_id": mine, "role": "guest"}]}),
    )
    .await;
    let hidden = event(
        &app,
        &staff,
        json!({"kind": "seminar", "title": {"en": "Without us"}, "start_on": "2024-01-02",
        "participants": [{"institution_id": other, "role": "guest"}]}),
    )
    .await;
    let email = app
        .scoped_user(Role::Partner, Some(mine.parse().unwrap()), vec![])
        .await;
    let partner = app.token_for(&email).await;
    let list = app.api("GET", "/api/v1/events", Some(&partner), None).await;
    assert_eq!(list.json()["total"], 1);
    assert_eq!(list.json()["items"][0]["id"], seen["id"]);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/events/{}", hidden["id"].as_str().unwrap()),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            "POST",
            "/api/v1/events",
            Some(&partner),
            Some(json!({"kind": "seminar"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_size_and_served_with_headers() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let e = event(
        &app,
        &staff,
        json!({"kind": "signing_ceremony", "title": {"en": "Signing"}, "start_on": "2024-03-12"}),
    )
    .await;
    let id = e["id"].as_str().unwrap();

    let doc = upload(&app, &staff, id, "合作协议 2024.pdf", pdf()).await;
    assert_eq!(doc.status, StatusCode::CREATED, "{}", doc.body);
    let doc = doc.json();
    assert_eq!(doc["media_type"], "application/pdf");
    assert!(doc.get("thumbnail_sha256").is_none());
    let sha = doc["sha256"].as_str().unwrap();
    assert!(
        app.files_dir.join(&sha[..2]).join(&sha[2..]).is_file(),
        "content-addressed"
    );

    let got = app
        .api(
            "GET",
            &format!("/api/v1/documents/{}", doc["id"].as_str().unwrap()),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(got.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let disposition = got.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.contains("filename*=UTF-8''%E5%90%88%E4%BD%9C%E5%8D%8F%E8%AE%AE%202024.pdf"),
        "{disposition}"
    );
    assert_eq!(got.body.as_bytes(), pdf().as_slice());

    let photo = upload(&app, &staff, id, "ceremony.png", png(800, 600)).await;
    assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.body);
    let photo = photo.json();
    let thumb = photo["thumbnail_sha256"].as_str().expect("a thumbnail");
    let bytes = std::fs::read(app.files_dir.join(&thumb[..2]).join(&thumb[2..])).unwrap();
    let made = image::load_from_memory(&bytes).unwrap();
    assert_eq!((made.width(), made.height()), (320, 240));

    let mut b = app.browser(Role::Staff).await;
    let page = b.get(&format!("/events/{id}")).await;
    assert!(page.body.contains(&format!(
        "/documents/{}/thumbnail",
        photo["id"].as_str().unwrap()
    )));
    let t = b
        .get(&format!(
            "/documents/{}/thumbnail",
            photo["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(t.status, StatusCode::OK);
    assert_eq!(t.headers[header::CONTENT_TYPE], "image/jpeg");

    // Refused uploads leave no row and no file.
    let before = stored_files(&app);
    let big = {
        let mut v = pdf();
        v.resize(300 * 1024, b' ');
        v
    };
    for (name, bytes, status) in [
        ("big.pdf", big, StatusCode::PAYLOAD_TOO_LARGE),
        ("photo.pdf", png(10, 10), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            "setup.exe",
            b"MZ\x90\0\x03\0\0\0".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "setup.pdf",
            b"MZ\x90\0\x03\0\0\0".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "broken.png",
            b"\x89PNG\r\n\x1a\nnot really".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ] {
        let r = upload(&app, &staff, id, name, bytes).await;
        assert_eq!(r.status, status, "{name}: {}", r.body);
    }
    assert_eq!(stored_files(&app), before, "refused uploads leave no file");
    let list = app
        .api(
            "GET",
            &format!("/api/v1/events/{id}/documents"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        list.json()["items"].as_array().unwrap().len(),
        2,
        "and no row"
    );

    // Outside the partner's scope a document is not found.
    let inst = institution(&app, &staff, "Elsewhere", "FR").await;
    let email = app
        .scoped_user(Role::Partner, Some(inst.parse().unwrap()), vec![])
        .await;
    let partner = app.token_for(&email).await;
    let r = app
        .api(
            "GET",
            &format!("/api/v1/documents/{}", doc["id"].as_str().unwrap()),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Deleting the event removes its documents and their files.
    let deleted = app
        .api(
            "DELETE",
            &format!("/api/v1/events/{id}?version=1"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
}

#[tokio::test]
async fn browser_uploads_a_photo_through_a_multipart_form() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let e = event(
        &app,
        &staff,
        json!({"kind": "field_trip", "title": {"en": "Trip"}, "start_on": "2024-07-18"}),
    )
    .await;
    let id = e["id"].as_str().unwrap();
    let mut b = app.browser(Role::Staff).await;
    let page = b.get(&format!("/events/{id}")).await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csrf = b.cookies["liaison_csrf"].clone();
    let send = |csrf: String, bytes: Vec<u8>, name: &str| {
        let boundary = "XyZboundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let cookies = b
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        Request::builder()
            .method("POST")
            .uri(format!("/events/{id}/documents?_csrf={csrf}"))
            .header(header::COOKIE, cookies)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let forged = app.send(send("wrong".into(), png(50, 50), "a.png")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let ok = app.send(send(csrf.clone(), png(500, 100), "a.png")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let bad = app.send(send(csrf.clone(), pdf(), "a.png")).await;
    assert_eq!(bad.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = app
        .send(send(csrf, vec![0x89; 400 * 1024], "big.png"))
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    let list = app
        .api(
            "GET",
            &format!("/api/v1/events/{id}/documents"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn my_action_items_and_their_status_machine() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let student_email = app.user(Role::Student).await;
    let student = app.token_for(&student_email).await;
    let student_id = app
        .db
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == student_email)
        .unwrap()
        .id;
    let e = event(
        &app,
        &staff,
        json!({"kind": "incoming_visit", "title": {"en": "Visit"}, "start_on": "2024-05-08"}),
    )
    .await;
    let mk = |title: &str, due: &str, owner: Option<i64>| json!({"title": {"en": title}, "due_on": due, "owner_user_id": owner.map(|o| o.to_string()), "event_id": e["id"]});
    let overdue = app
        .api(
            "POST",
            "/api/v1/action-items",
            Some(&staff),
            Some(mk(
                "Plan credit recognition",
                "2020-01-01",
                Some(student_id),
            )),
        )
        .await;
    assert_eq!(overdue.status, StatusCode::CREATED, "{}", overdue.body);
    let overdue = overdue.json();
    for (t, d, o) in [
        ("Teacher training", "2099-01-01", Some(student_id)),
        ("Someone else's", "2020-01-01", None),
    ] {
        let r = app
            .api(
                "POST",
                "/api/v1/action-items",
                Some(&staff),
                Some(mk(t, d, o)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let mine = app
        .api("GET", "/api/v1/action-items", Some(&student), None)
        .await;
    assert_eq!(mine.json()["total"], 2, "a user sees the items they own");
    let late = app
        .api(
            "GET",
            "/api/v1/action-items?overdue=true",
            Some(&student),
            None,
        )
        .await;
    assert_eq!(late.json()["total"], 1);
    let all = app
        .api(
            "GET",
            "/api/v1/action-items?overdue=true",
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(all.json()["total"], 2, "staff see everyone's");

    let id = overdue["id"].as_str().unwrap();
    let path = format!("/api/v1/action-items/{id}");
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&student),
            Some(json!({"version": 1, "title": {"en": "mine now"}})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "owners change only the status"
    );
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&student),
            Some(json!({"version": 1, "status": "cancelled"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&student),
            Some(json!({"version": 2, "status": "done"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cancelled → done"
    );
    assert_eq!(r.error_fields(), ["status"]);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&student),
            Some(json!({"version": 1, "status": "open"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    let mut b = app.browser_for(&student_email).await;
    for lang in ["en", "zh-CN"] {
        let page = b.get(&format!("/action-items?lang={lang}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("<html lang=\"{lang}\">")));
        assert!(page.body.contains("Teacher training"));
        assert!(!page.body.contains("Someone else"));
    }
    // Reopened, the old item is overdue again and highlighted.
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&student),
            Some(json!({"version": 2, "status": "open"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = b.get("/action-items").await;
    assert!(page.body.contains("class=\"overdue\""), "{}", page.body);
}

#[tokio::test]
async fn calendar_feed_parses_and_holds_what_concerns_the_user() {
    let app = TestApp::new().await;
    let staff_email = app.user(Role::Staff).await;
    let staff = app.token_for(&staff_email).await;
    let user = app
        .db
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == staff_email)
        .unwrap();
    event(&app, &staff, json!({"kind": "symposium", "title": {"en": "SCO symposium, Astana; 2024", "zh": "上合组织研讨会"},
        "start_on": "2024-07-04", "end_on": "2024-07-05", "venue": {"en": "Astana"}}))
    .await;
    app.api(
        "POST",
        "/api/v1/action-items",
        Some(&staff),
        Some(json!({"title": {"en": "Send the minutes"}, "due_on": "2024-07-20", "owner_user_id": user.id.to_string()})),
    )
    .await;
    let secret = liaison_web::auth::new_secret();
    app.db
        .rotate_ical_secret(&Actor::system("test"), user.id, &secret)
        .await
        .unwrap();
    let feed = app
        .anonymous()
        .get(&format!("/calendar/{secret}.ics"))
        .await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert!(feed.body.contains("\r\n"), "CRLF line ends");
    let cal: icalendar::Calendar = feed.body.parse().expect("the feed parses");
    let summaries: Vec<String> = cal
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .filter_map(|e| icalendar::Component::get_summary(e).map(String::from))
        .collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("SCO symposium, Astana; 2024") && s.contains("上合组织研讨会")),
        "{summaries:?}"
    );
    assert!(summaries.iter().any(|s| s.contains("Send the minutes")));

    // A student with nothing of theirs gets an empty, valid calendar.
    let student_email = app.user(Role::Student).await;
    let student = app
        .db
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == student_email)
        .unwrap();
    let other = liaison_web::auth::new_secret();
    app.db
        .rotate_ical_secret(&Actor::system("test"), student.id, &other)
        .await
        .unwrap();
    let feed = app.anonymous().get(&format!("/calendar/{other}.ics")).await;
    let cal: icalendar::Calendar = feed.body.parse().expect("the feed parses");
    assert_eq!(
        cal.components.iter().filter_map(|c| c.as_event()).count(),
        0
    );

    let unknown = app
        .anonymous()
        .get("/calendar/no-such-secret-at-all.ics")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn event_pages_work_in_both_languages() {
    let app = TestApp::new().await;
    let mut b = app.browser(Role::Staff).await;
    for lang in ["en", "zh-CN"] {
        let empty = b.get(&format!("/events?lang={lang}")).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.body.contains("class=\"empty\""));
    }
    let bad = b
        .post(
            "/events?lang=en",
            &[
                ("kind", "seminar"),
                (
                    "title_en",
                    "Seminar on internationalising top-talent training",
                ),
                ("start_on", "2024-08-11"),
                ("end_on", "2024-08-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("must not be before the start date"),
        "{}",
        bad.body
    );
    let created = b
        .post(
            "/events",
            &[
                ("kind", "seminar"),
                (
                    "title_en",
                    "Seminar on internationalising top-talent training",
                ),
                ("title_zh", "拔尖创新人才国际化培养座谈会"),
                ("start_on", "2024-08-11"),
                ("consensus_en", "Send more students abroad"),
                ("consensus_zh", "扩大学生出国（境）交流"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_string();
    for lang in ["en", "zh-CN"] {
        for p in [
            path.clone(),
            format!("{path}/edit"),
            format!("{path}/delete"),
            "/events".to_string(),
            "/events/new".to_string(),
            "/action-items".to_string(),
            "/action-items/new".to_string(),
        ] {
            let r = b.get(&format!("{p}?lang={lang}")).await;
            assert_eq!(r.status, StatusCode::OK, "{p} {lang}");
            assert!(
                !r.body.contains('⟦'),
                "missing translation on {p} in {lang}"
            );
        }
    }
    let page = b.get(&format!("{path}?lang=zh-CN")).await;
    assert!(page.body.contains("座谈会") && page.body.contains("达成共识"));
    let edit = b.get(&format!("{path}/edit")).await;
    assert!(edit.body.contains("name=\"version\" value=\"1\""));
    let stale = b
        .post(
            &format!("{path}/edit"),
            &[
                ("version", "0"),
                ("kind", "seminar"),
                ("title_en", "x"),
                ("start_on", "2024-08-11"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let deleted = b.post(&format!("{path}/delete"), &[("version", "1")]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn demo_holds_the_seed_events_and_hundreds_more() {
    let app = TestApp::with_demo().await;
    let staff = app.token(Role::Staff).await;
    let all = app
        .api("GET", "/api/v1/events?per_page=1", Some(&staff), None)
        .await;
    assert!(all.json()["total"].as_i64().unwrap() >= 325, "{}", all.body);
    let sco = app
        .api(
            "GET",
            "/api/v1/events?q=SCO%20member%20states",
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(sco["total"], 1);
    let e = &sco["items"][0];
    assert_eq!(e["start_on"], "2024-07-04");
    assert_eq!(e["counts"]["institutions"], 27);
    assert_eq!(e["counts"]["countries"], 7);
    assert_eq!(e["honours"][0]["honour"]["zh"], "荣誉教授");
    let iukl = app
        .api(
            "GET",
            "/api/v1/events?from=2024-05-08&to=2024-05-08&kind=incoming_visit",
            Some(&staff),
            None,
        )
        .await
        .json();
    let visit = iukl["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"]["zh"] == "吉隆坡建设大学代表团来访")
        .expect("the IUKL delegation");
    let items = app
        .api(
            "GET",
            &format!(
                "/api/v1/action-items?event_id={}",
                visit["id"].as_str().unwrap()
            ),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(items.json()["total"], 4, "{}", items.body);
}

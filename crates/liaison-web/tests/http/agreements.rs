//! Agreements through the API and the pages: lifecycle, renewal chain, conflicts, bad input,
//! filters, partner scope, both languages, and the expiry reminders.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;
use liaison_domain::Role;

/// Two institutions (and a third) to be parties; returns their ids as strings.
async fn partners(app: &TestApp, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (en, zh, country) in [
        ("Xi'an Jiaotong University", "西安交通大学", "CN"),
        (
            "Al-Farabi Kazakh National University",
            "阿里-法拉比哈萨克国立大学",
            "KZ",
        ),
        ("Astana IT University", "阿斯塔纳IT大学", "KZ"),
    ] {
        let r = app
            .api(
                "POST",
                "/api/v1/institutions",
                Some(token),
                Some(
                    json!({"kind": "university", "name": {"en": en, "zh": zh}, "country": country}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    ids
}

fn body(a: &str, b: &str) -> Value {
    json!({
        "kind": "student_exchange",
        "title": {"en": "Student exchange in international law", "zh": "国际法学生交换协议"},
        "parties": [{"institution_id": a}, {"institution_id": b}],
        "subject_areas": ["0421"],
        "signed_on": "2024-07-04",
        "start_on": "2024-09-01",
        "end_on": "2029-08-31"
    })
}

async fn count(app: &TestApp, token: &str, query: &str) -> i64 {
    let r = app
        .api(
            "GET",
            &format!("/api/v1/agreements{query}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["total"].as_i64().unwrap()
}

#[tokio::test]
async fn lifecycle_through_the_api_with_an_illegal_transition_and_a_conflict() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let p = partners(&app, &token).await;
    let created = app
        .api(
            "POST",
            "/api/v1/agreements",
            Some(&token),
            Some(body(&p[0], &p[1])),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let a = created.json();
    assert_eq!(a["status"], "draft");
    assert_eq!(a["subject_areas"], json!(["0421"]));
    assert_eq!(a["parties"][1]["institution_id"], p[1]);
    let id = a["id"].as_str().unwrap().to_string();
    let status = |s: &str, v: i64| json!({"status": s, "version": v});

    // Illegal: draft → active. 422 naming status, the allowed states listed, nothing changed.
    let bad = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/status"),
            Some(&token),
            Some(status("active", 1)),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["status"]);
    let message = bad.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("negotiating") && message.contains("terminated"),
        "{message}"
    );
    assert_eq!(
        bad.json()["error"]["details"][0]["allowed"],
        json!(["negotiating", "terminated"])
    );
    let now = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{id}"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(
        (now["status"].as_str(), now["version"].as_i64()),
        (Some("draft"), Some(1))
    );

    // The legal path to active.
    let mut version = 1;
    for s in ["negotiating", "approved", "signed", "active"] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/agreements/{id}/status"),
                Some(&token),
                Some(status(s, version)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.body);
        assert_eq!(r.json()["status"], s);
        version = r.json()["version"].as_i64().unwrap();
    }
    // A stale version is 409 (status change and PATCH alike).
    let stale = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/status"),
            Some(&token),
            Some(status("expiring", 1)),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let stale = app
        .api(
            "PATCH",
            &format!("/api/v1/agreements/{id}"),
            Some(&token),
            Some(json!({"version": 1, "auto_renew": true})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let ok = app
        .api(
            "PATCH",
            &format!("/api/v1/agreements/{id}"),
            Some(&token),
            Some(json!({"version": version, "auto_renew": true})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["auto_renew"], true);
    assert_eq!(ok.json()["status"], "active");
    version = ok.json()["version"].as_i64().unwrap();

    // A condition with places per year, nested under the agreement.
    let cond = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/conditions"),
            Some(&token),
            Some(json!({"mobility_type": "student_studies", "sending_institution_id": p[0], "receiving_institution_id": p[1],
                "first_year": "2024/2025", "last_year": "2028/2029", "places_per_year": 5, "months_per_place": 5,
                "study_level": "EQF 7", "subject_areas": ["0421"], "language": "en", "language_level": "B2"})),
        )
        .await;
    assert_eq!(cond.status, StatusCode::CREATED, "{}", cond.body);
    assert_eq!(cond.json()["study_level"], "master");
    let not_party = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/conditions"),
            Some(&token),
            Some(json!({"mobility_type": "staff_teaching", "sending_institution_id": p[0], "receiving_institution_id": p[2], "places_per_year": 2})),
        )
        .await;
    assert_eq!(not_party.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(not_party.error_fields(), ["receiving_institution_id"]);
    let list = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{id}/conditions"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(list.json()["total"], 1);

    // Renewal: a new draft linked to the old one, which becomes renewed; the chain is visible.
    let renewed = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/renew"),
            Some(&token),
            Some(json!({"version": version})),
        )
        .await;
    assert_eq!(renewed.status, StatusCode::CREATED, "{}", renewed.body);
    let new = renewed.json();
    assert_eq!(new["previous_id"], id.as_str());
    assert_eq!(new["status"], "draft");
    assert_eq!(new["start_on"], "2029-09-01");
    let new_id = new["id"].as_str().unwrap().to_string();
    let old = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{id}"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(old["status"], "renewed");
    let copied = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{new_id}/conditions"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(copied.json()["total"], 1);
    let history = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{new_id}/history"),
            Some(&token),
            None,
        )
        .await
        .json();
    let chain: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(chain, [id.as_str(), new_id.as_str()]);
    // Renewed is final; renewing again is refused.
    let again = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/renew"),
            Some(&token),
            Some(json!({"version": old["version"]})),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    // The old one cannot be deleted while its renewal exists; the new one can.
    let del = app
        .api(
            "DELETE",
            &format!("/api/v1/agreements/{id}?version={}", old["version"]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::CONFLICT);
    let del = app
        .api(
            "DELETE",
            &format!("/api/v1/agreements/{new_id}?version=1"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT, "{}", del.body);
    // A party institution cannot be deleted while it has agreements.
    let inst = app
        .api(
            "DELETE",
            &format!("/api/v1/institutions/{}?version=1", p[0]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(inst.status, StatusCode::CONFLICT, "{}", inst.body);
}

#[tokio::test]
async fn bad_input_names_the_field_and_stores_nothing() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let p = partners(&app, &token).await;
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = body(&p[0], &p[1]);
                b["end_on"] = json!("2020-01-01");
                b
            },
            "end_on",
        ),
        (
            {
                let mut b = body(&p[0], &p[1]);
                b["parties"] = json!([{"institution_id": p[0]}, {"institution_id": p[0]}]);
                b
            },
            "parties.1.institution_id",
        ),
        (
            {
                let mut b = body(&p[0], &p[1]);
                b["subject_areas"] = json!(["0421", "9876"]);
                b
            },
            "subject_areas.1",
        ),
        (
            {
                let mut b = body(&p[0], &p[1]);
                b["parties"] = json!([{"institution_id": p[0]}]);
                b
            },
            "parties",
        ),
        (
            {
                let mut b = body(&p[0], &p[1]);
                b["start_on"] = json!("2024-02-30");
                b
            },
            "start_on",
        ),
        (
            {
                let mut b = body(&p[0], &p[1]);
                b["parties"] = json!([{"institution_id": p[0]}, {"institution_id": "999999"}]);
                b
            },
            "parties.1.institution_id",
        ),
        (
            {
                let mut b = body(&p[0], &p[1]);
                b["status"] = json!("renewed");
                b
            },
            "status",
        ),
    ];
    for (b, field) in cases {
        let r = app
            .api("POST", "/api/v1/agreements", Some(&token), Some(b))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.body
        );
        assert_eq!(r.error_fields(), [field], "{}", r.body);
    }
    assert_eq!(count(&app, &token, "").await, 0);
    // Missing kind and title.
    let r = app
        .api(
            "POST",
            "/api/v1/agreements",
            Some(&token),
            Some(json!({"parties": [{"institution_id": p[0]}, {"institution_id": p[1]}]})),
        )
        .await;
    assert_eq!(r.error_fields(), ["kind", "title"]);
}

#[tokio::test]
async fn filters_find_expiring_agreements_and_partners_see_only_their_own() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let p = partners(&app, &token).await;
    let today = liaison_storage::today();
    let fmt = liaison_domain::agreement::format_date;
    let soon = fmt(today + time::Duration::days(30));
    let later = fmt(today + time::Duration::days(400));
    let start = fmt(today - time::Duration::days(400));
    for (title, a, b, end, status, kind) in [
        ("Soon", &p[0], &p[1], &soon, "active", "student_exchange"),
        ("Later", &p[0], &p[1], &later, "active", "research"),
        ("Draft soon", &p[0], &p[2], &soon, "draft", "mou"),
        ("Other", &p[1], &p[2], &soon, "signed", "mou"),
    ] {
        let r = app
            .api(
                "POST",
                "/api/v1/agreements",
                Some(&token),
                Some(json!({
                "kind": kind, "title": {"en": title}, "status": status,
                "parties": [{"institution_id": a}, {"institution_id": b}],
                "start_on": start, "end_on": end})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    assert_eq!(count(&app, &token, "").await, 4);
    assert_eq!(count(&app, &token, "?expiring_within_days=180").await, 2);
    assert_eq!(count(&app, &token, "?status=active").await, 2);
    assert_eq!(count(&app, &token, "?kind=mou").await, 2);
    assert_eq!(
        count(&app, &token, &format!("?institution_id={}", p[2])).await,
        2
    );
    assert_eq!(count(&app, &token, "?q=soon").await, 2);
    let sorted = app
        .api("GET", "/api/v1/agreements?sort=-end_on", Some(&token), None)
        .await
        .json();
    assert_eq!(sorted["items"][0]["title"]["en"], "Later");
    for bad in [
        "?status=nope",
        "?expiring_within_days=-1",
        "?sort=evil",
        "?foo=1",
    ] {
        let r = app
            .api(
                "GET",
                &format!("/api/v1/agreements{bad}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    // A partner of the third institution sees its two agreements and nothing else.
    let email = app
        .scoped_user(Role::Partner, Some(p[2].parse().unwrap()), vec![])
        .await;
    let partner = app.token_for(&email).await;
    let list = app
        .api("GET", "/api/v1/agreements", Some(&partner), None)
        .await
        .json();
    assert_eq!(list["total"], 2);
    let all = app
        .api("GET", "/api/v1/agreements", Some(&token), None)
        .await
        .json();
    let foreign = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"]["en"] == "Later")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{foreign}"),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{foreign}/conditions"),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            "POST",
            "/api/v1/agreements",
            Some(&partner),
            Some(body(&p[2], &p[0])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut browser = app.browser_for(&email).await;
    assert_eq!(
        browser.get(&format!("/agreements/{foreign}")).await.status,
        StatusCode::NOT_FOUND
    );
    let page = browser.get("/agreements").await;
    assert!(page.body.contains("Draft soon") && !page.body.contains("Later"));

    // Pages in both languages: list with the expiring filter, detail, forms, dashboard.
    let mut staff = app.browser(Role::Staff).await;
    let soon_id = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"]["en"] == "Soon")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for lang in ["en", "zh-CN"] {
        for path in [
            "/agreements?expiring_within_days=180".to_string(),
            format!("/agreements/{soon_id}"),
            format!("/agreements/{soon_id}/edit"),
            "/agreements/new".to_string(),
            "/".to_string(),
            format!("/institutions/{}", p[0]),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let r = staff.get(&format!("{path}{sep}lang={lang}")).await;
            assert_eq!(r.status, StatusCode::OK, "{path} {lang}");
            assert!(
                !r.body.contains('⟦'),
                "missing translation on {path} in {lang}: {}",
                r.body
            );
            if !path.contains("new") && !path.contains("edit") {
                assert!(r.body.contains("Soon"), "{path} {lang}");
            }
        }
    }
    let zh = staff
        .get(&format!("/agreements/{soon_id}?lang=zh-CN"))
        .await
        .body;
    assert!(zh.contains("学生交换协议") && zh.contains("生效中"), "{zh}");
    let dash = staff.get("/?lang=en").await.body;
    assert!(dash.contains("Agreements ending within 180 days") && !dash.contains("Later"));
}

#[tokio::test]
async fn pages_create_edit_show_errors_refuse_illegal_changes_and_delete() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let p = partners(&app, &token).await;
    let mut b = app.browser(Role::Staff).await;
    // The form re-shows errors (end before start, unknown ISCED code) and keeps the input.
    let bad = b
        .post(
            "/agreements",
            &[
                ("kind", "student_exchange"),
                ("status", "draft"),
                ("title_en", "Law exchange"),
                ("parties.0.institution_id", &p[0]),
                ("parties.1.institution_id", &p[1]),
                ("subject_areas", "0421, 9999x"),
                ("start_on", "2025-09-01"),
                ("end_on", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("aria-invalid=\"true\"") && bad.body.contains("Law exchange"));
    assert!(
        bad.body.contains("ISCED-F 2013")
            && bad.body.contains("The end must not be before the start.")
    );
    assert_eq!(count(&app, &token, "").await, 0);
    let ok = b
        .post(
            "/agreements",
            &[
                ("kind", "student_exchange"),
                ("status", "active"),
                ("title_en", "Law exchange"),
                ("title_zh", "法学交换"),
                ("parties.0.institution_id", &p[0]),
                ("parties.1.institution_id", &p[1]),
                ("subject_areas", "0421"),
                ("start_on", "2024-09-01"),
                ("end_on", "2029-08-31"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let path = ok.location().to_string();
    let id = path.rsplit('/').next().unwrap().to_string();
    let show = b.get(&path).await.body;
    assert!(show.contains("0421") && show.contains("Law") && show.contains("Law exchange"));
    // Status buttons follow the state machine; an illegal change re-shows the page with the allowed ones.
    let refused = b
        .post(
            &format!("{path}/status"),
            &[("status", "draft"), ("version", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Allowed next: Expiring, Expired, Terminated, Renewed"),
        "{}",
        refused.body
    );
    // A condition through the page.
    let cond = b
        .post(
            &format!("{path}/conditions"),
            &[
                ("mobility_type", "student_studies"),
                ("direction", "both"),
                ("places_per_year", "4"),
                ("months_per_place", "5"),
            ],
        )
        .await;
    assert_eq!(cond.status, StatusCode::SEE_OTHER, "{}", cond.body);
    assert!(b.get(&path).await.body.contains("5 months"));
    // A stale edit shows the conflict message.
    let stale = b
        .post(
            &format!("{path}/edit"),
            &[
                ("version", "0"),
                ("kind", "mou"),
                ("title_en", "X"),
                ("parties.0.institution_id", &p[0]),
                ("parties.1.institution_id", &p[1]),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let moved = b
        .post(
            &format!("{path}/status"),
            &[("status", "expiring"), ("version", "1")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let renewed = b.post(&format!("{path}/renew"), &[("version", "2")]).await;
    assert_eq!(renewed.status, StatusCode::SEE_OTHER, "{}", renewed.body);
    let new_path = renewed.location().trim_end_matches("/edit").to_string();
    let new_page = b.get(&new_path).await.body;
    assert!(
        new_page.contains("Renewal history") && new_page.contains(&format!("/agreements/{id}"))
    );
    // Delete with confirmation.
    let new_id = new_path.rsplit('/').next().unwrap();
    assert_eq!(
        b.get(&format!("{new_path}/delete")).await.status,
        StatusCode::OK
    );
    let gone = b
        .post(&format!("{new_path}/delete"), &[("version", "1")])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{new_id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn expiry_reminders_go_out_once_per_owner() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let p = partners(&app, &token).await;
    let owner = app.db.users().await.unwrap()[0].clone();
    let today = liaison_storage::today();
    let fmt = liaison_domain::agreement::format_date;
    for (title, end) in [("A", 20), ("B", 90), ("C", 600)] {
        let r = app
            .api("POST", "/api/v1/agreements", Some(&token), Some(json!({
                "kind": "mou", "title": {"en": title}, "status": "active", "owner_user_id": owner.id.to_string(),
                "parties": [{"institution_id": p[0]}, {"institution_id": p[1]}],
                "end_on": fmt(today + time::Duration::days(end))})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let i18n = liaison_web::i18n::I18n::load();
    let before = app
        .db
        .outbox(None, &Default::default())
        .await
        .unwrap()
        .total;
    let sent = liaison_web::mail::agreement_reminders(
        &app.db,
        &i18n,
        Some("https://liaison.example"),
        today,
        180,
    )
    .await
    .unwrap();
    assert_eq!(sent, 1);
    let outbox = app.db.outbox(None, &Default::default()).await.unwrap();
    assert_eq!(outbox.total, before + 1);
    let mail = &outbox.items[0];
    assert_eq!(mail.to_addr, owner.email);
    assert!(
        mail.body_text.contains("A (")
            && mail.body_text.contains("B (")
            && !mail.body_text.contains("C ("),
        "{}",
        mail.body_text
    );
    let again = liaison_web::mail::agreement_reminders(&app.db, &i18n, None, today, 180)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        app.db
            .outbox(None, &Default::default())
            .await
            .unwrap()
            .total,
        before + 1
    );
}

#[tokio::test]
async fn signed_copies_upload_to_agreements_checked_scoped_and_removed_with_them() {
    use crate::events::{pdf, png, stored_files};
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let p = partners(&app, &staff).await;
    let a = app
        .api(
            "POST",
            "/api/v1/agreements",
            Some(&staff),
            Some(body(&p[0], &p[1])),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let id = a.json()["id"].as_str().unwrap().to_string();
    let upload = |name: &str, bytes: Vec<u8>| {
        let name: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
        let path = format!("/api/v1/agreements/{id}/documents?filename={name}");
        let app = &app;
        let staff = staff.clone();
        async move { app.api_raw("POST", &path, &staff, bytes).await }
    };

    // Through the API: the signed PDF is stored and listed.
    let signed = upload("国际法交换协议（签字版）.pdf", pdf()).await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    let signed = signed.json();
    assert_eq!(signed["media_type"], "application/pdf");
    let doc_id = signed["id"].as_str().unwrap().to_string();

    // Disguised and oversized files are refused and leave nothing behind.
    let before = stored_files(&app);
    let r = upload("scan.pdf", b"MZ\x90\0\x03\0\0\0".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let r = upload("scan.pdf", png(20, 20)).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let mut big = pdf();
    big.resize(300 * 1024, b' ');
    let r = upload("big.pdf", big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(stored_files(&app), before, "refused uploads leave no file");
    let list = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{id}/documents"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);

    // A party's partner contact reads the signed copy but may not remove it; another partner
    // does not learn it exists.
    let party = app
        .scoped_user(Role::Partner, Some(p[1].parse().unwrap()), vec![])
        .await;
    let party = app.token_for(&party).await;
    let got = app
        .api(
            "GET",
            &format!("/api/v1/documents/{doc_id}"),
            Some(&party),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body.as_bytes(), pdf().as_slice());
    let removed = app
        .api(
            "DELETE",
            &format!("/api/v1/documents/{doc_id}"),
            Some(&party),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::FORBIDDEN, "{}", removed.body);
    let outsider = app
        .scoped_user(Role::Partner, Some(p[2].parse().unwrap()), vec![])
        .await;
    let outsider = app.token_for(&outsider).await;
    for path in [
        format!("/api/v1/documents/{doc_id}"),
        format!("/api/v1/agreements/{id}/documents"),
    ] {
        let r = app.api("GET", &path, Some(&outsider), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Through the page: the file is listed, a scan uploads through the form, a disguised one
    // re-shows the page with the message, and deletion asks first.
    let mut b = app.browser(Role::Staff).await;
    let page = b.get(&format!("/agreements/{id}")).await;
    assert!(
        page.body.contains("国际法交换协议（签字版）.pdf"),
        "{}",
        page.body
    );
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let ok = b
        .upload(
            &format!("/agreements/{id}/documents"),
            "signing.png",
            &png(640, 480),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let bad = b
        .upload(
            &format!("/agreements/{id}/documents"),
            "signing.png",
            &pdf(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        bad.body.contains("extension does not match"),
        "{}",
        bad.body
    );
    let page = b.get(&format!("/agreements/{id}")).await;
    assert!(
        page.body.contains("/thumbnail"),
        "the scan shows as a photo"
    );
    let confirm = b.get(&format!("/documents/{doc_id}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.body.contains("cannot be undone"),
        "{}",
        confirm.body
    );
    let gone = b.post(&format!("/documents/{doc_id}/delete"), &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(
        gone.headers["location"].to_str().unwrap(),
        format!("/agreements/{id}")
    );
    let list = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{id}/documents"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);

    // Deleting the agreement removes its documents and their files.
    let version = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{id}"),
            Some(&staff),
            None,
        )
        .await
        .json()["version"]
        .as_i64()
        .unwrap();
    let deleted = app
        .api(
            "DELETE",
            &format!("/api/v1/agreements/{id}?version={version}"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
}

#[tokio::test]
async fn a_condition_is_edited_on_its_page_with_errors_and_conflicts_shown() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let p = partners(&app, &staff).await;
    let a = app
        .api(
            "POST",
            "/api/v1/agreements",
            Some(&staff),
            Some(body(&p[0], &p[1])),
        )
        .await;
    let id = a.json()["id"].as_str().unwrap().to_string();
    let cond = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/conditions"),
            Some(&staff),
            Some(json!({"mobility_type": "student_studies", "sending_institution_id": p[0],
                "receiving_institution_id": p[1], "first_year": "2024/2025", "places_per_year": 5,
                "months_per_place": 5, "subject_areas": ["0421"], "language": "en", "language_level": "B2"})),
        )
        .await;
    assert_eq!(cond.status, StatusCode::CREATED, "{}", cond.body);
    let cid = cond.json()["id"].as_str().unwrap().to_string();
    let path = format!("/agreements/{id}/conditions/{cid}/edit");

    for lang in ["en", "zh-CN"] {
        let mut b = app.browser(Role::Staff).await;
        let page = b.get(&format!("{path}?lang={lang}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(!page.body.contains('⟦'), "missing translation in {lang}");
        let heading = if lang == "en" {
            "Edit the cooperation condition"
        } else {
            "编辑合作条款"
        };
        assert!(page.body.contains(heading), "{lang}");
        assert!(page.body.contains("value=\"2024/2025\""), "pre-filled");
    }

    let mut b = app.browser(Role::Staff).await;
    let show = b.get(&format!("/agreements/{id}")).await;
    assert!(
        show.body.contains(&path),
        "the agreement page links to the edit page"
    );
    let (from, to) = (p[0].clone(), p[1].clone());
    let fields = |places: &'static str, version: &'static str| {
        vec![
            ("version", version.to_string()),
            ("mobility_type", "student_studies".to_string()),
            ("sending_institution_id", from.clone()),
            ("receiving_institution_id", to.clone()),
            ("first_year", "2024/2025".to_string()),
            ("places_per_year", places.to_string()),
            ("months_per_place", "10".to_string()),
            ("subject_areas", "0421".to_string()),
        ]
    };
    let bad = b.post(&path, &as_refs(&(fields("-3", "1")))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("places_per_year"), "{}", bad.body);
    let saved = b.post(&path, &as_refs(&(fields("8", "1")))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = b.post(&path, &as_refs(&(fields("2", "1")))).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("changed by someone else"),
        "{}",
        stale.body
    );
    let now = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{id}/conditions/{cid}"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(now["places_per_year"], 8);
    assert_eq!(now["months_per_place"], 10.0);
    assert_eq!(now["version"], 2);
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Staff teaching conditions have no months per place, student ones do: the renewal copies both
/// in one transaction (on PostgreSQL a NULL float first used to poison the prepared statement).
#[tokio::test]
async fn renewal_copies_conditions_with_and_without_months() {
    let app = TestApp::new().await;
    let staff = app.token(Role::Staff).await;
    let p = partners(&app, &staff).await;
    let mut b = body(&p[0], &p[1]);
    b["status"] = json!("active");
    let a = app
        .api("POST", "/api/v1/agreements", Some(&staff), Some(b))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let id = a.json()["id"].as_str().unwrap().to_string();
    for condition in [
        json!({"mobility_type": "staff_teaching", "direction": "both", "places_per_year": 2, "days_per_place": 7}),
        json!({"mobility_type": "student_studies", "direction": "both", "places_per_year": 4, "months_per_place": 5}),
        json!({"mobility_type": "staff_training", "direction": "both", "places_per_year": 1}),
        json!({"mobility_type": "student_studies", "direction": "both", "places_per_year": 3, "months_per_place": 10}),
    ] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/agreements/{id}/conditions"),
                Some(&staff),
                Some(condition),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let renewed = app
        .api(
            "POST",
            &format!("/api/v1/agreements/{id}/renew"),
            Some(&staff),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(renewed.status, StatusCode::CREATED, "{}", renewed.body);
    let new_id = renewed.json()["id"].as_str().unwrap().to_string();
    let copied = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{new_id}/conditions?sort=created_at"),
            Some(&staff),
            None,
        )
        .await
        .json();
    let mut months: Vec<Option<f64>> = copied["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["months_per_place"].as_f64())
        .collect();
    months.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(months, vec![None, None, Some(5.0), Some(10.0)]);
}

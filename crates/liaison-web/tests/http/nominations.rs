//! Nominations (issue 7): staff nominate allocated students (the stay is recorded, the
//! application moves on, in one step), bad dates and double nominations change nothing, the
//! printable letter is bilingual, and only the host's contact (or the office) answers, which moves
//! both the stay and the application.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;
use liaison_domain::Role;

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.api("POST", path, Some(token), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
    r.json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

struct World {
    staff: String,
    home: String,
    host: String,
    other: String,
    agreement: String,
    /// Two allocated applications (Alice, Bob) to the host's place.
    alice: Value,
    bob: Value,
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.api("GET", path, Some(token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

async fn world(app: &TestApp) -> World {
    let staff = app.token(Role::Staff).await;
    let mut inst = Vec::new();
    for (en, zh, country) in [
        ("Anhui Xinhua University", "安徽新华学院", "CN"),
        (
            "Infrastructure University Kuala Lumpur",
            "吉隆坡建设大学",
            "MY",
        ),
        ("Astana IT University", "阿斯塔纳IT大学", "KZ"),
    ] {
        let v = created(
            app,
            &staff,
            "/api/v1/institutions",
            json!({"kind": "university", "name": {"en": en, "zh": zh}, "country": country}),
        )
        .await;
        inst.push(id(&v));
    }
    let agreement = created(
        app,
        &staff,
        "/api/v1/agreements",
        json!({"kind": "student_exchange",
            "title": {"en": "Student exchange with IUKL", "zh": "与吉隆坡建设大学的学生交换协议"},
            "parties": [{"institution_id": inst[0]}, {"institution_id": inst[1]}],
            "signed_on": "2024-07-04", "start_on": "2024-09-01", "end_on": "2029-08-31"}),
    )
    .await;
    let condition = created(
        app,
        &staff,
        &format!("/api/v1/agreements/{}/conditions", id(&agreement)),
        json!({"mobility_type": "student_studies", "sending_institution_id": inst[0],
            "receiving_institution_id": inst[1], "first_year": "2024/2025",
            "last_year": "2028/2029", "places_per_year": 2, "study_level": "bachelor"}),
    )
    .await;
    let call = created(
        app,
        &staff,
        "/api/v1/calls",
        json!({"title": {"en": "Semester exchange 2025/2026", "zh": "2025/2026 学年交换项目"},
            "academic_year": "2025/2026", "deadline": "2099-03-31", "max_choices": 1,
            "places": [{"condition_id": id(&condition), "places": 2}]}),
    )
    .await;
    let mut apps = Vec::new();
    for (name, score) in [("Alice Chen", 90), ("Bob Li", 80)] {
        let person = created(
            app,
            &staff,
            "/api/v1/people",
            json!({"name": {"en": name}, "institution_id": inst[0]}),
        )
        .await;
        let email = app
            .linked_user(Role::Student, None, Some(id(&person).parse().unwrap()))
            .await;
        let token = app.token_for(&email).await;
        let a = created(
            app,
            &token,
            "/api/v1/applications",
            json!({"call_id": id(&call), "choices": [id(&condition)]}),
        )
        .await;
        let path = format!("/api/v1/applications/{}", id(&a));
        let r = app
            .api(
                "PATCH",
                &path,
                Some(&staff),
                Some(json!({"status": "eligible", "interview_score": score, "version": a["version"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        apps.push(path);
    }
    let run = app
        .api(
            "POST",
            &format!("/api/v1/calls/{}/allocate", id(&call)),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    // A run is a preview until staff publish it.
    let published = app
        .api(
            "POST",
            &format!("/api/v1/calls/{}/publish", id(&call)),
            Some(&staff),
            Some(json!({"run_id": run.json()["id"]})),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let alice = get(app, &staff, &apps[0]).await;
    let bob = get(app, &staff, &apps[1]).await;
    assert_eq!(alice["status"], "allocated");
    assert_eq!(bob["status"], "allocated");
    World {
        staff,
        home: inst[0].clone(),
        host: inst[1].clone(),
        other: inst[2].clone(),
        agreement: id(&agreement),
        alice,
        bob,
    }
}

#[tokio::test]
async fn staff_nominate_and_the_host_answers() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut office = app.browser(Role::Staff).await;

    // The list shows who is waiting to be nominated.
    let list = office.get("/nominations").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Alice Chen") && list.body.contains("Bob Li"));
    assert!(list.body.contains("Student exchange with IUKL"));
    let form_path = format!("/applications/{}/nominate", id(&w.alice));
    let form = office.get(&form_path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("2025-09-01") && form.body.contains("2026-01-31"));

    // Bad dates: the field is named, nothing is recorded.
    let version = w.alice["version"].to_string();
    let r = office
        .post(
            &form_path,
            &[
                ("version", &version),
                ("planned_start", "2025-09-01"),
                ("planned_end", "2025-08-01"),
                ("level", "bachelor"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#planned_end\""), "{}", r.body);
    let alice_path = format!("/api/v1/applications/{}", id(&w.alice));
    assert_eq!(
        get(&app, &w.staff, &alice_path).await["status"],
        "allocated"
    );
    let stays = get(&app, &w.staff, "/api/v1/mobilities").await;
    assert_eq!(stays["total"], 0);

    // Nominated: the stay is recorded from home to host for the call's year, with its checklist.
    let r = office
        .post(
            &form_path,
            &[
                ("version", &version),
                ("planned_start", "2025-09-01"),
                ("planned_end", "2026-01-31"),
                ("level", "bachelor"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stay_path = r.location().to_string();
    let stay = get(&app, &w.staff, &format!("/api/v1{stay_path}")).await;
    assert_eq!(stay["status"], "nominated");
    assert_eq!(stay["application_id"], w.alice["id"]);
    assert_eq!(stay["home_institution_id"], json!(w.home));
    assert_eq!(stay["host_institution_id"], json!(w.host));
    assert_eq!(stay["academic_year"], "2025/2026");
    let checklist = get(&app, &w.staff, &format!("/api/v1{stay_path}/checklist")).await;
    assert_eq!(checklist["items"].as_array().unwrap().len(), 10);
    let alice = get(&app, &w.staff, &alice_path).await;
    assert_eq!(alice["status"], "nominated");

    // Nominating again: a stale form conflicts, a current one is refused (not allocated).
    let r = office
        .post(
            &form_path,
            &[
                ("version", &version),
                ("planned_start", "2025-09-01"),
                ("planned_end", "2026-01-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .api(
            "POST",
            "/api/v1/mobilities/nominations",
            Some(&w.staff),
            Some(
                json!({"application_id": w.alice["id"], "planned_start": "2025-09-01",
                "planned_end": "2026-01-31", "version": alice["version"]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.error_fields(), ["status"]);
    assert_eq!(get(&app, &w.staff, "/api/v1/mobilities").await["total"], 1);

    // The letter, in both languages on one page.
    let letter = office.get(&format!("{stay_path}/letter")).await;
    assert_eq!(letter.status, StatusCode::OK);
    for text in [
        "Nomination letter",
        "提名函",
        "Alice Chen",
        "Infrastructure University Kuala Lumpur",
        "吉隆坡建设大学",
        "安徽新华学院",
        "2025/2026",
        "Student exchange with IUKL",
    ] {
        assert!(letter.body.contains(text), "{text}: {}", letter.body);
    }

    // Another partner's contact does not see the stay; the host's contact accepts it.
    let stranger = app
        .linked_user(Role::Partner, Some(w.other.parse().unwrap()), None)
        .await;
    let mut stranger = app.browser_for(&stranger).await;
    let r = stranger
        .post(
            &format!("{stay_path}/answer"),
            &[
                ("version", &stay["version"].to_string()),
                ("decision", "accept"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let host = app
        .linked_user(Role::Partner, Some(w.host.parse().unwrap()), None)
        .await;
    let mut host = app.browser_for(&host).await;
    let page = host.get(&stay_path).await;
    assert!(
        page.body.contains("Accepted by the partner"),
        "{}",
        page.body
    );
    let r = host
        .post(
            &format!("{stay_path}/answer"),
            &[
                ("version", &stay["version"].to_string()),
                ("decision", "accept"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stay = get(&app, &w.staff, &format!("/api/v1{stay_path}")).await;
    assert_eq!(stay["status"], "accepted");
    assert_eq!(get(&app, &w.staff, &alice_path).await["status"], "accepted");
    // Answering twice: refused, nothing changes.
    let r = host
        .post(
            &format!("{stay_path}/answer"),
            &[
                ("version", &stay["version"].to_string()),
                ("decision", "reject"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(&app, &w.staff, &format!("/api/v1{stay_path}")).await["status"],
        "accepted"
    );

    // Bob through the API; the host rejects him: the stay is cancelled, the application rejected.
    let r = app
        .api(
            "POST",
            "/api/v1/mobilities/nominations",
            Some(&w.staff),
            Some(
                json!({"application_id": w.bob["id"], "planned_start": "2025-09-01",
                "planned_end": "2026-01-31", "version": w.bob["version"]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let bob_stay = r.json();
    let host_token = app
        .linked_user(Role::Partner, Some(w.host.parse().unwrap()), None)
        .await;
    let host_token = app.token_for(&host_token).await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/answer", id(&bob_stay)),
            Some(&host_token),
            Some(json!({"accepted": false, "version": bob_stay["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "cancelled");
    let bob = get(
        &app,
        &w.staff,
        &format!("/api/v1/applications/{}", id(&w.bob)),
    )
    .await;
    assert_eq!(bob["status"], "rejected");

    // The list files them by the partner's answer, in both languages.
    let accepted = office.get("/nominations?status=accepted").await;
    assert!(accepted.body.contains("Alice Chen") && !accepted.body.contains("Bob Li"));
    let rejected = office.get("/nominations?status=rejected&lang=zh-CN").await;
    assert!(rejected.body.contains("Bob Li") && rejected.body.contains("提名"));
    // Students do not reach the office's list.
    let mut student = app.browser(Role::Student).await;
    assert_eq!(
        student.get("/nominations").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_partner_nominates_someone_to_come_to_us() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // The agreement's place for IUKL's students coming to us.
    let place = created(
        &app,
        &w.staff,
        &format!("/api/v1/agreements/{}/conditions", w.agreement),
        json!({"mobility_type": "student_studies", "sending_institution_id": w.host,
            "receiving_institution_id": w.home, "places_per_year": 2}),
    )
    .await;
    let people_before = get(&app, &w.staff, "/api/v1/people").await["total"].clone();
    let contact = app
        .linked_user(Role::Partner, Some(w.host.parse().unwrap()), None)
        .await;
    let mut partner = app.browser_for(&contact).await;
    let form = partner.get("/mobilities/incoming").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Student exchange with IUKL"));
    // The outgoing place (sent by us) is not offered.
    assert_eq!(
        form.body.matches("<option value=").count(),
        1 + 5,
        "{}",
        form.body
    );

    // Bad input: each field named, nothing stored.
    let place_id = id(&place);
    let r = partner
        .post(
            "/mobilities/incoming",
            &[
                ("condition_id", &place_id),
                ("name_en", ""),
                ("academic_year", "2026/2027"),
                ("planned_start", "2026-13-01"),
                ("planned_end", "2027-01-31"),
                ("level", "master"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#planned_start\""), "{}", r.body);
    let r = partner
        .post(
            "/mobilities/incoming",
            &[
                ("condition_id", &place_id),
                ("name_en", ""),
                ("academic_year", "2026/2027"),
                ("planned_start", "2026-09-01"),
                ("planned_end", "2027-01-31"),
                ("level", "master"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#name\""), "{}", r.body);
    assert_eq!(
        get(&app, &w.staff, "/api/v1/people").await["total"],
        people_before
    );
    assert_eq!(get(&app, &w.staff, "/api/v1/mobilities").await["total"], 0);

    // Nominated: the person at IUKL, the stay from IUKL to us.
    let r = partner
        .post(
            "/mobilities/incoming",
            &[
                ("condition_id", &place_id),
                ("name_en", "Nur Aisyah binti Ahmad"),
                ("emails_0", "aisyah@iukl.example.edu.my"),
                ("academic_year", "2026/2027"),
                ("planned_start", "2026-09-01"),
                ("planned_end", "2027-01-31"),
                ("level", "master"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stay = get(&app, &w.staff, &format!("/api/v1{}", r.location())).await;
    assert_eq!(stay["direction"], "incoming");
    assert_eq!(stay["status"], "nominated");
    assert_eq!(stay["home_institution_id"], json!(w.host));
    assert_eq!(stay["host_institution_id"], json!(w.home));
    assert_eq!(stay["level"], "master");
    let person = get(
        &app,
        &w.staff,
        &format!("/api/v1/people/{}", stay["person_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(person["institution_id"], json!(w.host));
    let list = partner.get("/mobilities").await;
    assert!(list.body.contains("Nur Aisyah binti Ahmad"));

    // Another partner has no such place and cannot use IUKL's.
    let stranger = app
        .linked_user(Role::Partner, Some(w.other.parse().unwrap()), None)
        .await;
    let mut stranger = app.browser_for(&stranger).await;
    let form = stranger.get("/mobilities/incoming?lang=zh-CN").await;
    assert!(
        form.body.contains("暂无可用于来华提名的名额"),
        "{}",
        form.body
    );
    let r = stranger
        .post(
            "/mobilities/incoming",
            &[
                ("condition_id", &place_id),
                ("name_en", "Someone Else"),
                ("academic_year", "2026/2027"),
                ("planned_start", "2026-09-01"),
                ("planned_end", "2027-01-31"),
                ("level", "master"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, &w.staff, "/api/v1/mobilities").await["total"], 1);
    // Students do not nominate.
    let mut student = app.browser(Role::Student).await;
    assert_eq!(
        student.get("/mobilities/incoming").await.status,
        StatusCode::FORBIDDEN
    );
}

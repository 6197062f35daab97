//! University–enterprise cooperation, continued: programme lines of agreements (roll-up per
//! year), placement supervision, field trips as group placements, outcome imports and
//! recruitment campaigns — through the API and the pages, scoped for enterprise and student
//! accounts, with bad input refused and nothing changed.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;
use liaison_domain::Role;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.api("POST", path, Some(token), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
    r.json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app.db
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == email)
        .unwrap()
        .id
}

struct Partners {
    staff: String,
    home: String,
    iflytek: String,
    other: String,
    /// The AXHU–iFLYTEK cooperation programme.
    programme: String,
    /// A student exchange agreement (carries no programme lines).
    exchange: String,
}

async fn partners(app: &TestApp) -> Partners {
    let staff = app.token(Role::Staff).await;
    let t = staff.as_str();
    let inst = |kind: &str, en: &str, zh: &str| json!({"kind": kind, "country": "CN", "name": {"en": en, "zh": zh}});
    let home = id(&post(
        app,
        t,
        "/api/v1/institutions",
        inst("university", "Anhui Xinhua University", "安徽新华学院"),
    )
    .await);
    let iflytek = id(&post(
        app,
        t,
        "/api/v1/institutions",
        inst("enterprise", "iFLYTEK", "科大讯飞"),
    )
    .await);
    let other = id(&post(
        app,
        t,
        "/api/v1/institutions",
        inst("university", "Other University", "其他大学"),
    )
    .await);
    let agreement = |kind: &str, en: &str, b: &str| json!({"kind": kind, "title": {"en": en}, "parties": [{"institution_id": home}, {"institution_id": b}]});
    let programme = id(&post(
        app,
        t,
        "/api/v1/agreements",
        agreement(
            "enterprise_programme",
            "2024 AXHU–iFLYTEK programme",
            &iflytek,
        ),
    )
    .await);
    let exchange = id(&post(
        app,
        t,
        "/api/v1/agreements",
        agreement("student_exchange", "Exchange", &other),
    )
    .await);
    Partners {
        staff,
        home,
        iflytek,
        other,
        programme,
        exchange,
    }
}

async fn total(app: &TestApp, token: &str, path: &str) -> i64 {
    let r = app.api("GET", path, Some(token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()["total"].as_i64().unwrap()
}

#[tokio::test]
async fn programme_lines_through_the_api_scoped_and_rolled_up() {
    let app = TestApp::new().await;
    let p = partners(&app).await;
    let staff = p.staff.as_str();
    let owner_email = app.user(Role::Staff).await;
    let owner = user_id(&app, &owner_email).await;
    let line = post(
        &app,
        staff,
        "/api/v1/programme-lines",
        json!({"agreement_id": p.programme, "year": 2025, "kind": "internship_target",
               "description": {"en": "Summer interns", "zh": "暑期实习生"},
               "owner_user_id": owner.to_string(), "target": 20, "actual": 12, "status": "in_progress"}),
    )
    .await;
    assert_eq!(line["agreement_id"], p.programme.as_str());
    assert_eq!(line["owner_user_id"], owner.to_string());
    assert_eq!(line["actual"], 12);
    post(
        &app,
        staff,
        "/api/v1/programme-lines",
        json!({"agreement_id": p.programme, "year": 2025, "kind": "internship_target", "target": 10, "actual": 10, "status": "achieved"}),
    )
    .await;
    post(
        &app,
        staff,
        "/api/v1/programme-lines",
        json!({"agreement_id": p.programme, "year": 2024, "kind": "guest_lecturer", "target": 6}),
    )
    .await;
    let lines_path = format!("/api/v1/programme-lines?agreement_id={}", p.programme);
    assert_eq!(total(&app, staff, &lines_path).await, 3);

    // Bad input: a clear message naming each field, nothing stored.
    for (body, fields) in [
        (
            json!({"agreement_id": p.programme, "year": 1999, "kind": "joint_course", "target": -1}),
            vec!["year", "target"],
        ),
        (
            json!({"agreement_id": p.exchange, "year": 2025, "kind": "joint_course", "target": 1}),
            vec!["agreement_id"],
        ),
        (
            json!({"agreement_id": p.programme, "year": 2025, "kind": "cooking", "target": 1}),
            vec!["kind"],
        ),
        (
            json!({"agreement_id": p.programme, "year": 2025, "kind": "joint_course"}),
            vec!["target"],
        ),
        (
            json!({"agreement_id": p.programme, "year": 2025, "kind": "joint_course", "target": 1, "colour": "red"}),
            vec!["colour"],
        ),
    ] {
        let r = app
            .api("POST", "/api/v1/programme-lines", Some(staff), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let mut got = r.error_fields();
        got.sort();
        let mut want: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{}", r.body);
    }
    let student_email = app.user(Role::Student).await;
    let student_id = user_id(&app, &student_email).await;
    let r = app
        .api(
            "POST",
            "/api/v1/programme-lines",
            Some(staff),
            Some(json!({"agreement_id": p.programme, "year": 2025, "kind": "joint_course", "target": 1, "owner_user_id": student_id.to_string()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("office staff"), "{}", r.body);
    assert_eq!(total(&app, staff, &lines_path).await, 3);

    // Edits carry the version read; a stale one is a conflict and changes nothing.
    let path = format!("/api/v1/programme-lines/{}", id(&line));
    let r = app
        .api(
            "PATCH",
            &path,
            Some(staff),
            Some(json!({"version": 1, "actual": 19})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["actual"], 19);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(staff),
            Some(json!({"version": 1, "actual": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(staff),
            Some(json!({"version": 2, "agreement_id": p.exchange})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        app.api("GET", &path, Some(staff), None).await.json()["actual"],
        19
    );

    // The roll-up adds up per year and kind.
    let r = app
        .api(
            "GET",
            &format!("/api/v1/programme-rollup?institution_id={}", p.iflytek),
            Some(staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].clone();
    assert_eq!(items[0]["year"], 2025);
    assert_eq!(items[0]["kind"], "internship_target");
    assert_eq!(items[0]["lines"], 2);
    assert_eq!(items[0]["target"], 30);
    assert_eq!(items[0]["actual"], 29);
    assert_eq!(items[0]["achieved"], 1);
    assert_eq!(items[1]["year"], 2024);

    // iFLYTEK's contact reads its agreement's lines, not others', and cannot write.
    let iflytek_contact = app
        .scoped_user(Role::Enterprise, p.iflytek.parse().ok(), vec![])
        .await;
    let enterprise = app.token_for(&iflytek_contact).await;
    assert_eq!(total(&app, &enterprise, "/api/v1/programme-lines").await, 3);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&enterprise),
            Some(json!({"version": 2, "actual": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let outsider = app
        .scoped_user(Role::Enterprise, p.other.parse().ok(), vec![])
        .await;
    let outsider = app.token_for(&outsider).await;
    assert_eq!(total(&app, &outsider, "/api/v1/programme-lines").await, 0);
    assert_eq!(
        app.api("GET", &path, Some(&outsider), None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .api("GET", "/api/v1/programme-rollup", Some(&outsider), None)
        .await;
    assert_eq!(r.json()["items"], json!([]));
    let student = app.token_for(&student_email).await;
    assert_eq!(
        app.api("GET", "/api/v1/programme-lines", Some(&student), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Deleting needs the version; deleting the agreement removes its lines; all audited.
    let r = app
        .api("DELETE", &format!("{path}?version=1"), Some(staff), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .api("DELETE", &format!("{path}?version=2"), Some(staff), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let a = app
        .api(
            "GET",
            &format!("/api/v1/agreements/{}", p.programme),
            Some(staff),
            None,
        )
        .await
        .json();
    let r = app
        .api(
            "DELETE",
            &format!(
                "/api/v1/agreements/{}?version={}",
                p.programme, a["version"]
            ),
            Some(staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(total(&app, staff, "/api/v1/programme-lines").await, 0);
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=programme_line&per_page=50",
            Some(staff),
            None,
        )
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "create").count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == "update").count(), 1);
    assert_eq!(actions.iter().filter(|a| **a == "delete").count(), 3);
    let _ = p.home;
}

#[tokio::test]
async fn programme_lines_on_the_agreement_partner_and_overview_pages() {
    let app = TestApp::new().await;
    let p = partners(&app).await;
    let mut staff = app.browser(Role::Staff).await;
    let page = staff.get(&format!("/agreements/{}", p.programme)).await;
    assert!(page.body.contains("Cooperation programme lines"));
    assert!(page.body.contains("No programme lines yet."));
    // The exchange agreement has no such section.
    let page = staff.get(&format!("/agreements/{}", p.exchange)).await;
    assert!(!page.body.contains("Cooperation programme lines"));
    let form = staff
        .get(&format!("/agreements/{}/programme-lines/new", p.programme))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Shared lab / training base"));

    // A bad year and target: the form comes back with the messages and the values kept.
    let add = format!("/agreements/{}/programme-lines", p.programme);
    let r = staff
        .post(
            &add,
            &[
                ("year", "20x5"),
                ("kind", "shared_lab"),
                ("description_en", "Speech lab"),
                ("target", "-3"),
                ("status", "planned"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("must be a year such as 2024"), "{}", r.body);
    assert!(r.body.contains("value=\"Speech lab\""));
    assert_eq!(
        total(&app, &p.staff, "/api/v1/programme-lines").await,
        0,
        "nothing stored"
    );
    let r = staff
        .post(
            &add,
            &[
                ("year", "2025"),
                ("kind", "shared_lab"),
                ("description_en", "Speech lab"),
                ("description_zh", "语音实验室"),
                ("target", "1"),
                ("actual", "1"),
                ("status", "achieved"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = staff.get(&format!("/agreements/{}", p.programme)).await;
    assert!(page.body.contains("Speech lab"));
    assert!(page.body.contains("Achieved"));
    let line = app
        .api("GET", "/api/v1/programme-lines", Some(&p.staff), None)
        .await
        .json()["items"][0]
        .clone();

    // Editing with a stale version keeps the form and says why.
    let edit = format!("/programme-lines/{}/edit", id(&line));
    assert_eq!(staff.get(&edit).await.status, StatusCode::OK);
    let fields = [
        ("version", "1"),
        ("year", "2025"),
        ("kind", "shared_lab"),
        ("description_en", "Speech and media lab"),
        ("target", "1"),
        ("actual", "1"),
        ("status", "achieved"),
    ];
    assert_eq!(
        staff.post(&edit, &fields).await.status,
        StatusCode::SEE_OTHER
    );
    let r = staff.post(&edit, &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("changed by someone else"));
    assert!(r.body.contains("Speech and media lab"));

    // The partner page rolls the lines up per year, in both languages.
    let page = staff
        .get(&format!("/institutions/{}?lang=zh-CN", p.iflytek))
        .await;
    assert!(page.body.contains("合作项目条目"), "{}", page.body);
    assert!(page.body.contains("共建实验室 / 实训基地"));
    let page = staff
        .get(&format!("/institutions/{}?lang=en", p.iflytek))
        .await;
    assert!(page
        .body
        .contains("Programme lines added up per year and kind"));
    // The partner page of a university without such agreements shows no roll-up.
    let page = staff.get(&format!("/institutions/{}", p.other)).await;
    assert!(!page.body.contains("Programme lines added up"));
    let page = staff.get("/programme-lines?year=2025").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2024 AXHU–iFLYTEK programme"));
    let page = staff.get("/programme-lines?year=2023").await;
    assert!(page.body.contains("No programme lines yet."));

    // iFLYTEK's contact sees the roll-up on its own page but no edit links; a student is refused.
    let contact = app
        .scoped_user(Role::Enterprise, p.iflytek.parse().ok(), vec![])
        .await;
    let mut contact = app.browser_for(&contact).await;
    let page = contact.get(&format!("/agreements/{}", p.programme)).await;
    assert!(page.body.contains("Speech and media lab"));
    assert!(!page.body.contains(&edit));
    assert_eq!(contact.get(&edit).await.status, StatusCode::FORBIDDEN);
    let mut student = app.browser(Role::Student).await;
    assert_eq!(
        student.get("/programme-lines").await.status,
        StatusCode::FORBIDDEN
    );

    // Deleting asks first.
    let delete = format!("/programme-lines/{}/delete", id(&line));
    let confirm = staff.get(&delete).await;
    assert!(confirm.body.contains("Delete the programme line"));
    assert_eq!(
        staff.post(&delete, &[("version", "1")]).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        staff.post(&delete, &[("version", "2")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(total(&app, &p.staff, "/api/v1/programme-lines").await, 0);
    let _ = p.home;
}

fn open_position(institution: &str, kind: &str) -> Value {
    json!({
        "institution_id": institution, "kind": kind,
        "title": {"en": "Speech data intern", "zh": "语音数据实习生"},
        "skills": [{"skill": "speech", "level": 2}], "seats": 30,
        "deadline": "2099-12-31", "status": "open"
    })
}

async fn student(app: &TestApp, staff: &str, home: &str, name: &str) -> String {
    id(&post(
        app,
        staff,
        "/api/v1/people",
        json!({"name": {"en": name}, "institution_id": home}),
    )
    .await)
}

#[tokio::test]
async fn supervision_form_for_the_office_and_the_positions_enterprise() {
    let app = TestApp::new().await;
    let p = partners(&app).await;
    let t = p.staff.as_str();
    let position = post(
        &app,
        t,
        "/api/v1/positions",
        open_position(&p.iflytek, "internship"),
    )
    .await;
    let person = student(&app, t, &p.home, "Wang Yutong").await;
    let placement = post(
        &app,
        t,
        "/api/v1/placements",
        json!({"position_id": id(&position), "person_id": person, "status": "ongoing"}),
    )
    .await;
    let form = format!("/placements/{}/supervision", id(&placement));
    let api_path = format!("/api/v1/placements/{}", id(&placement));
    let mut staff = app.browser(Role::Staff).await;
    let list = staff
        .get(&format!("/placements?position_id={}", id(&position)))
        .await;
    assert!(list.body.contains(&form), "the list links the form");
    let page = staff.get(&form).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Supervision and evaluation"));
    assert!(page.body.contains("Wang Yutong"));

    // An end before the start: the message, the values kept, nothing stored.
    let r = staff
        .post(
            &form,
            &[
                ("version", "1"),
                ("start_on", "2025-07-01"),
                ("end_on", "2025-06-01"),
                ("university_supervisor", "Prof. Chen Jing"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("The end must not be before the start."));
    assert!(r.body.contains("value=\"Prof. Chen Jing\""));
    let r = staff
        .post(&form, &[("version", "1"), ("start_on", "July")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Enter a date as YYYY-MM-DD."));
    let stored = app.api("GET", &api_path, Some(t), None).await.json();
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["university_supervisor"], Value::Null);
    let r = staff
        .post(
            &form,
            &[
                ("version", "1"),
                ("start_on", "2025-07-01"),
                ("end_on", "2025-08-31"),
                ("university_supervisor", "Prof. Chen Jing"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // iFLYTEK's contact records its supervisor and the evaluation; the university's fields stay.
    let contact = app
        .scoped_user(Role::Enterprise, p.iflytek.parse().ok(), vec![])
        .await;
    let mut ent = app.browser_for(&contact).await;
    let page = ent.get(&format!("{form}?lang=zh-CN")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("企业导师") && page.body.contains("Prof. Chen Jing"));
    assert!(!page.body.contains("name=\"university_supervisor\""));
    let r = ent
        .post(
            &form,
            &[
                ("version", "2"),
                ("enterprise_supervisor", "Liu Wei"),
                ("evaluation_en", "Reliable and quick to learn."),
                ("evaluation_zh", "踏实肯干，学习能力强。"),
                ("university_supervisor", "Someone else"),
                ("start_on", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stored = app.api("GET", &api_path, Some(t), None).await.json();
    assert_eq!(stored["enterprise_supervisor"], "Liu Wei");
    assert_eq!(stored["evaluation"]["zh"], "踏实肯干，学习能力强。");
    assert_eq!(stored["university_supervisor"], "Prof. Chen Jing");
    assert_eq!(stored["start_on"], "2025-07-01");
    // A stale version keeps the form and says why.
    let r = ent
        .post(
            &form,
            &[("version", "2"), ("enterprise_supervisor", "Zhang San")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("value=\"Zhang San\""));

    // Another enterprise does not find it; a student may not open it.
    let outsider = app
        .scoped_user(Role::Enterprise, p.other.parse().ok(), vec![])
        .await;
    let mut outsider = app.browser_for(&outsider).await;
    assert_eq!(outsider.get(&form).await.status, StatusCode::NOT_FOUND);
    let mut stranger = app.browser(Role::Student).await;
    assert_eq!(stranger.get(&form).await.status, StatusCode::FORBIDDEN);
    let audit = app
        .api(
            "GET",
            &format!(
                "/api/v1/audit?entity=placement&entity_id={}",
                id(&placement)
            ),
            Some(t),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 3, "created and two supervision saves");
}

#[tokio::test]
async fn skills_are_picked_from_the_vocabulary_beside_free_tags() {
    let app = TestApp::new().await;
    let p = partners(&app).await;
    let contact = app
        .scoped_user(Role::Enterprise, p.iflytek.parse().ok(), vec![])
        .await;
    let mut ent = app.browser_for(&contact).await;
    let form = ent.get("/positions/new?lang=zh-CN").await;
    assert!(form.body.contains("从技能列表中选择") && form.body.contains("语音技术"));
    // A skill picked twice (row and box) is refused, the picks kept, nothing stored.
    let fields = |box_text: &'static str| {
        vec![
            ("kind", "internship"),
            ("title_en", "Annotator"),
            ("seats", "2"),
            ("status", "draft"),
            ("pick_skill_0", "speech"),
            ("pick_level_0", "3"),
            ("pick_skill_1", "nlp"),
            ("pick_level_1", "2"),
            ("pick_preferred_1", "1"),
            ("skills", box_text),
        ]
    };
    let bad = ent.post("/positions", &fields("speech 2")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("<option value=\"speech\" selected>"));
    let ent_token = app.token_for(&contact).await;
    assert_eq!(total(&app, &ent_token, "/api/v1/positions").await, 0);
    let ok = ent.post("/positions", &fields("#kaldi 2")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let stored = app
        .api("GET", "/api/v1/positions", Some(&ent_token), None)
        .await
        .json()["items"][0]["skills"]
        .clone();
    assert_eq!(
        stored,
        json!([
            {"skill": "speech", "level": 3, "required": true, "free_tag": false},
            {"skill": "nlp", "level": 2, "required": false, "free_tag": false},
            {"skill": "kaldi", "level": 2, "required": true, "free_tag": true}
        ])
    );

    // A student picks held skills the same way.
    let person = student(&app, &p.staff, &p.home, "Li Haoran").await;
    let account = app
        .linked_user(Role::Student, None, person.parse().ok())
        .await;
    let mut sb = app.browser_for(&account).await;
    let saved = sb
        .post(
            "/my-profile",
            &[
                ("consent", "1"),
                ("pick_skill_0", "python"),
                ("pick_level_0", "4"),
                ("skills", "#pytorch 2"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = sb.get("/my-profile?lang=en").await.body;
    assert!(
        page.contains("python 4") && page.contains("#pytorch 2"),
        "{page}"
    );
}

#[tokio::test]
async fn field_trips_place_a_group_at_once_and_show_on_the_event() {
    let app = TestApp::new().await;
    let p = partners(&app).await;
    let t = p.staff.as_str();
    let event = post(
        &app,
        t,
        "/api/v1/events",
        json!({"kind": "field_trip", "title": {"en": "Field trip to iFLYTEK", "zh": "赴科大讯飞参观考察"},
               "start_on": "2026-05-20",
               "participants": [{"institution_id": p.home, "role": "host"}, {"institution_id": p.iflytek, "role": "guest"}]}),
    )
    .await;
    let mut body = open_position(&p.iflytek, "field_trip");
    body["event_id"] = json!(id(&event));
    body["start_on"] = json!("2026-05-20");
    body["end_on"] = json!("2026-05-20");
    let trip = post(&app, t, "/api/v1/positions", body).await;
    assert_eq!(trip["event_id"], id(&event).as_str());
    // Only a field trip links to an event; only the office links it.
    let mut body = open_position(&p.iflytek, "internship");
    body["event_id"] = json!(id(&event));
    let r = app
        .api("POST", "/api/v1/positions", Some(t), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["event_id"]);
    let contact = app
        .scoped_user(Role::Enterprise, p.iflytek.parse().ok(), vec![])
        .await;
    let ent = app.token_for(&contact).await;
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/positions/{}", id(&trip)),
            Some(&ent),
            Some(json!({"version": 1, "event_id": null})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.error_fields(), ["event_id"]);

    let mut students = Vec::new();
    for name in ["Wang Yutong", "Li Haoran", "Zhao Xinyi", "Chen Yu"] {
        students.push(student(&app, t, &p.home, name).await);
    }
    let group = format!("/api/v1/positions/{}/group-placements", id(&trip));
    let r = app
        .api(
            "POST",
            &group,
            Some(t),
            Some(json!({"person_ids": [students[0], students[1], students[2]]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let items = r.json()["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 3);
    assert_eq!(items[0]["event_id"], id(&event).as_str());
    assert_eq!(items[0]["status"], "accepted");
    assert_eq!(items[0]["start_on"], "2026-05-20");
    let placements = format!("/api/v1/placements?position_id={}", id(&trip));
    assert_eq!(total(&app, t, &placements).await, 3);

    // All or nothing: one already placed, one unknown, one listed twice.
    let r = app
        .api(
            "POST",
            &group,
            Some(t),
            Some(json!({"person_ids": [students[3], students[0], "999999", students[3]]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.error_fields(),
        ["person_ids.1", "person_ids.2", "person_ids.3"],
        "{}",
        r.body
    );
    assert_eq!(total(&app, t, &placements).await, 3, "nothing placed");
    let internship = post(
        &app,
        t,
        "/api/v1/positions",
        open_position(&p.iflytek, "internship"),
    )
    .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/positions/{}/group-placements", id(&internship)),
            Some(t),
            Some(json!({"person_ids": [students[3]]})),
        )
        .await;
    assert_eq!(r.error_fields(), ["position_id"]);
    let r = app
        .api("POST", &group, Some(t), Some(json!({"person_ids": []})))
        .await;
    assert_eq!(r.error_fields(), ["person_ids"]);
    assert_eq!(
        app.api(
            "POST",
            &group,
            Some(&ent),
            Some(json!({"person_ids": [students[3]]}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The page: search, tick, place.
    let mut staff = app.browser(Role::Staff).await;
    let form = format!("/positions/{}/group", id(&trip));
    let page = staff.get(&format!("{form}?q=Chen")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Chen Yu") && !page.body.contains("Zhao Xinyi"));
    assert!(page.body.contains("Field trip to iFLYTEK"));
    let r = staff.post(&form, &[("status", "accepted")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Students: This is required."), "{}", r.body);
    let r = staff
        .post(
            &form,
            &[("person_ids", students[3].as_str()), ("status", "ongoing")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(total(&app, t, &placements).await, 4);

    // The event page lists the group, in both languages; iFLYTEK's contact sees it too.
    let page = staff.get(&format!("/events/{}?lang=en", id(&event))).await;
    assert!(page.body.contains("Field trips") && page.body.contains("4 students in the group"));
    assert!(page.body.contains("Chen Yu") && page.body.contains("Wang Yutong"));
    let page = staff
        .get(&format!("/events/{}?lang=zh-CN", id(&event)))
        .await;
    assert!(page.body.contains("本组共 4 名学生"));
    let mut ent_browser = app.browser_for(&contact).await;
    let page = ent_browser.get(&format!("/events/{}", id(&event))).await;
    assert!(
        page.body.contains("4 students in the group"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(&form),
        "no group link for the enterprise"
    );
    let page = ent_browser.get(&format!("/positions/{}", id(&trip))).await;
    assert!(page.body.contains("Field trip to iFLYTEK"));
    let mut student_browser = app.browser(Role::Student).await;
    assert_eq!(
        student_browser.get(&form).await.status,
        StatusCode::FORBIDDEN
    );
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=placement&action=create",
            Some(t),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 4);
}

/// The import form as a browser submits it: the entity, then the file.
async fn check_import(
    b: &mut crate::support::Browser<'_>,
    lang: &str,
    entity: &str,
    bytes: &[u8],
) -> crate::support::Reply {
    use axum::body::Body;
    use axum::http::{header, Request};
    if !b.cookies.contains_key("liaison_csrf") {
        b.get("/import").await;
    }
    let csrf = b.cookies["liaison_csrf"].clone();
    let boundary = "SurveyBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"entity\"\r\n\r\n{entity}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"survey.csv\"\r\n\
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

#[tokio::test]
async fn employment_outcomes_import_from_a_survey_spreadsheet_all_or_nothing() {
    let app = TestApp::new().await;
    let p = partners(&app).await;
    let t = p.staff.as_str();
    let graduate = student(&app, t, &p.home, "Zhao Xinyi").await;
    let mut b = app.browser(Role::Staff).await;
    let page = b.get("/outcomes").await;
    assert!(page.body.contains("Import a survey spreadsheet"));
    assert!(page
        .body
        .contains("/export/employment-outcomes?format=xlsx"));
    let form = b.get("/import?lang=zh-CN").await;
    assert!(form.body.contains("就业去向（毕业生调查）"));

    // Every problem by row and column; nothing written.
    let bad = format!(
        "person_id,cohort,destination,employer.en,employer_institution_id,sector,country,major\n\
         {graduate},2024,employed,iFLYTEK,{},ai_speech,CN,journalism\n\
         ,20x4,employed,,,,,\n\
         ,2023,hired,,,,,\n\
         999999,2023,further_study_abroad,,,teaching,XX,\n",
        p.iflytek
    );
    let r = check_import(&mut b, "en", "employment-outcomes", bad.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for line in [
        "Row 3, column cohort: must be a year such as 2024",
        "Row 4, column destination:",
        "Row 5, column sector:",
        "Row 5, column country:",
    ] {
        assert!(r.body.contains(line), "{line}: {}", r.body);
    }
    assert_eq!(total(&app, t, "/api/v1/employment-outcomes").await, 0);
    // A graduate who is not on record is found by the database check, still before writing.
    let unknown = "person_id,cohort,destination,employer.en\n999999,2023,employed,iFLYTEK\n";
    let r = check_import(&mut b, "en", "employment-outcomes", unknown.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Row 2, column person_id:"), "{}", r.body);
    // Employed without an employer.
    let r = check_import(
        &mut b,
        "zh-CN",
        "employment-outcomes",
        "cohort,destination\n2024,employed\n".as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("employer.en"), "{}", r.body);

    // A good survey: previewed, then written on confirmation, audited.
    let good = format!(
        "person_id,cohort,destination,employer.en,employer.zh,employer_institution_id,sector,city.en,city.zh,country,major\n\
         {graduate},2024,employed,iFLYTEK,科大讯飞,{},ai_speech,Hefei,合肥,CN,journalism\n\
         ,2024,further_study_abroad,,,,,Kuala Lumpur,吉隆坡,MY,communication\n\
         ,2023,self_employed,Studio Nine,九号工作室,,media,Hefei,合肥,CN,digital_media\n",
        p.iflytek
    );
    let r = check_import(&mut b, "en", "employment-outcomes", good.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("survey.csv: 3 new, 0 changed, 0 unchanged."),
        "{}",
        r.body
    );
    assert_eq!(total(&app, t, "/api/v1/employment-outcomes").await, 0);
    let at = r.body.find("action=\"/import/").unwrap() + "action=\"/import/".len();
    let token = r.body[at..at + 43].to_string();
    let done = b.post(&format!("/import/{token}"), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/outcomes");
    assert_eq!(total(&app, t, "/api/v1/employment-outcomes").await, 3);
    let page = b.get("/outcomes?cohort=2024&lang=zh-CN").await;
    assert!(page.body.contains("科大讯飞"));
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=employment_outcome",
            Some(t),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 3);

    // The export reads back the same columns; enterprise contacts may not export outcomes.
    let csv = b
        .get("/export/employment-outcomes?format=csv&cohort=2024")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv
        .body
        .starts_with("id,person_id,cohort,destination,employer.en"));
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    let contact = app
        .scoped_user(Role::Enterprise, p.iflytek.parse().ok(), vec![])
        .await;
    let mut ent = app.browser_for(&contact).await;
    assert_eq!(
        ent.get("/export/employment-outcomes?format=csv")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn recruitment_campaigns_with_partners_scoped_and_checked() {
    let app = TestApp::new().await;
    let p = partners(&app).await;
    let t = p.staff.as_str();
    let created = post(
        &app,
        t,
        "/api/v1/recruitment-campaigns",
        json!({"institution_id": p.iflytek, "title": {"en": "Study at AXHU", "zh": "留学安徽新华学院"},
               "channel": "info_session", "target_countries": ["kz", "UZ"],
               "start_on": "2024-09-01", "end_on": "2025-06-30", "leads": 200, "conversions": 30}),
    )
    .await;
    assert_eq!(created["target_countries"], json!(["KZ", "UZ"]));
    post(
        &app,
        t,
        "/api/v1/recruitment-campaigns",
        json!({"institution_id": p.other, "title": {"en": "Fair in Almaty"}, "channel": "education_fair",
               "target_countries": ["KZ"], "leads": 50, "conversions": 5}),
    )
    .await;
    for (body, fields) in [
        (
            json!({"institution_id": p.iflytek, "title": {"en": "x"}, "channel": "pigeon_post"}),
            vec!["channel"],
        ),
        (
            json!({"institution_id": p.iflytek, "title": {"en": "x"}, "channel": "website", "leads": 3, "conversions": 4}),
            vec!["conversions"],
        ),
        (
            json!({"institution_id": p.iflytek, "title": {"en": "x"}, "channel": "website", "target_countries": ["KZ", "XX"], "start_on": "2025-01-02", "end_on": "2025-01-01"}),
            vec!["end_on", "target_countries.1"],
        ),
        (
            json!({"institution_id": "999999", "title": {"en": "x"}, "channel": "website"}),
            vec!["institution_id"],
        ),
    ] {
        let r = app
            .api("POST", "/api/v1/recruitment-campaigns", Some(t), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let mut got = r.error_fields();
        got.sort();
        assert_eq!(got, fields, "{}", r.body);
    }
    assert_eq!(total(&app, t, "/api/v1/recruitment-campaigns").await, 2);
    assert_eq!(
        total(&app, t, "/api/v1/recruitment-campaigns?country=uz").await,
        1
    );
    let path = format!("/api/v1/recruitment-campaigns/{}", id(&created));
    let r = app
        .api(
            "PATCH",
            &path,
            Some(t),
            Some(json!({"version": 1, "conversions": 45})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(t),
            Some(json!({"version": 1, "conversions": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The partner's contact sees its own campaigns only and cannot change them; students no.
    let contact = app
        .scoped_user(Role::Enterprise, p.iflytek.parse().ok(), vec![])
        .await;
    let ent = app.token_for(&contact).await;
    assert_eq!(total(&app, &ent, "/api/v1/recruitment-campaigns").await, 1);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&ent),
            Some(json!({"version": 2, "leads": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let partner = app
        .scoped_user(Role::Partner, p.other.parse().ok(), vec![])
        .await;
    let partner = app.token_for(&partner).await;
    assert_eq!(
        app.api("GET", &path, Some(&partner), None).await.status,
        StatusCode::NOT_FOUND
    );
    let student = app.token(Role::Student).await;
    assert_eq!(
        app.api("GET", "/api/v1/recruitment-campaigns", Some(&student), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Pages: the list with totals in both languages, the form keeps bad input, delete asks.
    let mut staff = app.browser(Role::Staff).await;
    let page = staff.get("/campaigns?lang=en").await;
    assert!(
        page.body
            .contains("2 campaigns: 250 leads, 50 conversions (20 %)."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Kazakhstan"));
    let page = staff.get("/campaigns?lang=zh-CN").await;
    assert!(
        page.body.contains("招生宣传活动")
            && page.body.contains("宣讲会")
            && page.body.contains("哈萨克斯坦")
    );
    let bad = staff
        .post(
            "/campaigns",
            &[
                ("institution_id", p.iflytek.as_str()),
                ("title_en", "Summer school promotion"),
                ("channel", "website"),
                ("target_countries", "KZ ZZ"),
                ("leads", "10"),
                ("conversions", "11"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("转化人数不能多于意向学生人数。"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("目标国家"));
    assert!(bad.body.contains("value=\"Summer school promotion\""));
    assert_eq!(total(&app, t, "/api/v1/recruitment-campaigns").await, 2);
    let ok = staff
        .post(
            "/campaigns",
            &[
                ("institution_id", p.iflytek.as_str()),
                ("title_en", "Summer school promotion"),
                ("channel", "website"),
                ("target_countries", "KZ MY"),
                ("leads", "10"),
                ("conversions", "2"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let edit = format!("/campaigns/{}/edit", id(&created));
    let r = staff
        .post(
            &edit,
            &[
                ("version", "1"),
                ("institution_id", p.iflytek.as_str()),
                ("title_en", "Study at AXHU"),
                ("channel", "website"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let mut ent_browser = app.browser_for(&contact).await;
    let page = ent_browser.get("/campaigns").await;
    assert!(page.body.contains("Study at AXHU") && !page.body.contains("Fair in Almaty"));
    assert!(!page.body.contains(&edit));
    assert_eq!(ent_browser.get(&edit).await.status, StatusCode::FORBIDDEN);
    let partner_page = staff
        .get(&format!("/institutions/{}?lang=en", p.iflytek))
        .await;
    assert!(
        partner_page.body.contains("Study at AXHU")
            && partner_page.body.contains("200 leads, 45 conversions"),
        "{}",
        partner_page.body
    );
    let partner_page = staff
        .get(&format!("/institutions/{}?lang=zh-CN", p.other))
        .await;
    assert!(partner_page.body.contains("意向学生 50 人，转化 5 人"));
    let delete = format!("/campaigns/{}/delete", id(&created));
    assert!(staff
        .get(&format!("{delete}?lang=en"))
        .await
        .body
        .contains("Delete the campaign “Study at AXHU”?"));
    assert_eq!(
        staff.post(&delete, &[("version", "2")]).await.status,
        StatusCode::SEE_OTHER
    );
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=recruitment_campaign",
            Some(t),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 5, "three created, one changed, one deleted");
}

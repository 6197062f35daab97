//! The exchange cycle (issue 7): calls with places from cooperation conditions, students'
//! applications with ranked choices, and a reproducible allocation run with explanations.

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
    call: String,
    /// Condition ids of the two places: Kuala Lumpur (1 place), Almaty (2 places).
    kl: String,
    almaty: String,
    /// A condition of another call.
    other: String,
    home: String,
}

async fn world(app: &TestApp) -> World {
    let staff = app.token(Role::Staff).await;
    let t = staff.as_str();
    let mut inst = Vec::new();
    for (en, zh, country) in [
        ("Anhui Xinhua University", "安徽新华学院", "CN"),
        (
            "Infrastructure University Kuala Lumpur",
            "吉隆坡建设大学",
            "MY",
        ),
        (
            "Al-Farabi Kazakh National University",
            "阿里-法拉比哈萨克国立大学",
            "KZ",
        ),
    ] {
        let v = created(
            app,
            t,
            "/api/v1/institutions",
            json!({"kind": "university", "name": {"en": en, "zh": zh}, "country": country}),
        )
        .await;
        inst.push(id(&v));
    }
    let mut conditions = Vec::new();
    for (partner, places) in [(&inst[1], 1), (&inst[2], 2), (&inst[2], 4)] {
        let a = created(
            app,
            t,
            "/api/v1/agreements",
            json!({"kind": "student_exchange",
                "title": {"en": format!("Student exchange {partner}-{places}"), "zh": "学生交换协议"},
                "parties": [{"institution_id": inst[0]}, {"institution_id": partner}],
                "signed_on": "2024-07-04", "start_on": "2024-09-01", "end_on": "2029-08-31"}),
        )
        .await;
        let c = created(
            app,
            t,
            &format!("/api/v1/agreements/{}/conditions", id(&a)),
            json!({"mobility_type": "student_studies", "sending_institution_id": inst[0],
                "receiving_institution_id": partner, "first_year": "2024/2025",
                "last_year": "2028/2029", "places_per_year": places}),
        )
        .await;
        conditions.push(id(&c));
    }
    let call = created(
        app,
        t,
        "/api/v1/calls",
        json!({"title": {"en": "Semester exchange 2025/2026", "zh": "2025/2026 学年交换项目"},
            "academic_year": "2025/2026", "deadline": "2025-03-31", "max_choices": 2,
            "places": [{"condition_id": conditions[0], "places": 1},
                       {"condition_id": conditions[1], "places": 2}]}),
    )
    .await;
    created(
        app,
        t,
        "/api/v1/calls",
        json!({"title": {"en": "Summer school 2025"}, "academic_year": "2025/2026",
            "places": [{"condition_id": conditions[2], "places": 4}]}),
    )
    .await;
    World {
        call: id(&call),
        kl: conditions[0].clone(),
        almaty: conditions[1].clone(),
        other: conditions[2].clone(),
        home: inst[0].clone(),
        staff,
    }
}

/// A student: a person at the home university and an account linked to it.
async fn student(app: &TestApp, w: &World, name: &str) -> (String, String, String) {
    let person = created(
        app,
        &w.staff,
        "/api/v1/people",
        json!({"name": {"en": name}, "institution_id": w.home}),
    )
    .await;
    let email = app
        .linked_user(Role::Student, None, Some(id(&person).parse().unwrap()))
        .await;
    let token = app.token_for(&email).await;
    (id(&person), email, token)
}

async fn set(app: &TestApp, staff: &str, application: &Value, body: Value) -> Value {
    let path = format!("/api/v1/applications/{}", id(application));
    let current = app.api("GET", &path, Some(staff), None).await.json();
    let mut body = body;
    body["version"] = current["version"].clone();
    let r = app.api("PATCH", &path, Some(staff), Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

#[tokio::test]
async fn allocation_gives_the_student_optimal_stable_matching_with_explanations() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // Alice 90 and Bob 85 want Kuala Lumpur (1 place) first; Carol 70 wants Almaty (2 places)
    // only; Dave 70 (applied after Carol: the tie goes to her) wants Almaty, then Kuala Lumpur;
    // Eve is ineligible.
    let plan = [
        ("Alice Chen", vec![&w.kl, &w.almaty], Some(90), true),
        ("Bob Li", vec![&w.kl, &w.almaty], Some(85), true),
        ("Carol Wang", vec![&w.almaty], Some(70), true),
        ("Dave Zhao", vec![&w.almaty, &w.kl], Some(70), true),
        ("Eve Sun", vec![&w.kl], Some(99), false),
    ];
    let mut apps = Vec::new();
    let mut tokens = Vec::new();
    for (name, choices, score, eligible) in &plan {
        let (_, _, token) = student(&app, &w, name).await;
        let a = created(
            &app,
            &token,
            "/api/v1/applications",
            json!({"call_id": w.call, "choices": choices}),
        )
        .await;
        assert_eq!(a["status"], "submitted");
        let a = if *eligible {
            set(
                &app,
                &w.staff,
                &a,
                json!({"status": "eligible", "score": score}),
            )
            .await
        } else {
            set(
                &app,
                &w.staff,
                &a,
                json!({"status": "ineligible", "ineligible_reason": "GPA below 3.0", "score": score}),
            )
            .await
        };
        apps.push(a);
        tokens.push(token);
    }

    let run = app
        .api(
            "POST",
            &format!("/api/v1/calls/{}/allocate", w.call),
            Some(&w.staff),
            None,
        )
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    let run = run.json();
    // Hand-checked: Alice → KL; Bob, refused by KL (full, cut-off rank 1), → Almaty; Carol →
    // Almaty; Dave ranks 4th: Almaty is full (cut-off 3) and so is KL (cut-off 1).
    let key = |i: usize| format!("a{}", id(&apps[i]));
    assert_eq!(run["result"]["assignment"][key(0)], json!(w.kl));
    assert_eq!(run["result"]["assignment"][key(1)], json!(w.almaty));
    assert_eq!(run["result"]["assignment"][key(2)], json!(w.almaty));
    assert_eq!(run["result"]["assignment"][key(3)], Value::Null);
    assert!(
        run["result"]["assignment"].get(key(4)).is_none(),
        "ineligible: not in the run"
    );
    assert_eq!(run["result"]["cutoffs"][&w.kl], 1);
    assert_eq!(run["result"]["cutoffs"][&w.almaty], 3);

    let get = |i: usize| {
        let path = format!("/api/v1/applications/{}", id(&apps[i]));
        let token = tokens[i].clone();
        let app = &app;
        async move { app.api("GET", &path, Some(&token), None).await.json() }
    };
    let dave = get(3).await;
    assert_eq!(dave["status"], "unplaced");
    assert_eq!(
        dave["explanation"],
        json!([{"condition_id": w.almaty, "reason": "full", "cutoff": 3, "your_rank": 4},
               {"condition_id": w.kl, "reason": "full", "cutoff": 1, "your_rank": 4}])
    );
    let bob = get(1).await;
    assert_eq!(bob["status"], "allocated");
    assert_eq!(bob["allocated_condition_id"], json!(w.almaty));
    assert_eq!(
        bob["explanation"],
        json!([{"condition_id": w.kl, "reason": "full", "cutoff": 1, "your_rank": 2}])
    );
    assert_eq!(get(4).await["status"], "ineligible");

    // Reproducible: the same data gives the same input and result.
    let again = app
        .api(
            "POST",
            &format!("/api/v1/calls/{}/allocate", w.call),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(again["input"], run["input"]);
    assert_eq!(again["result"], run["result"]);

    // Staff see the result table with cut-offs and explanations, in both languages.
    let mut office = app.browser(Role::Staff).await;
    let page = office.get(&format!("/calls/{}", w.call)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Dave Zhao") && page.body.contains("Alice Chen"));
    assert!(
        page.body.contains("you ranked 4"),
        "explanation shown: {}",
        page.body
    );
    let zh = office.get(&format!("/calls/{}?lang=zh-CN", w.call)).await;
    assert!(zh.body.contains("录取分数线") && zh.body.contains("您排名第 4"));
    assert!(!zh.body.contains('⟦'));

    // A student sees only their own application and why.
    let mine = app
        .api("GET", "/api/v1/applications", Some(&tokens[3]), None)
        .await
        .json();
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["id"], apps[3]["id"]);
    let other = format!("/api/v1/applications/{}", id(&apps[0]));
    assert_eq!(
        app.api("GET", &other, Some(&tokens[3]), None).await.status,
        StatusCode::NOT_FOUND
    );
    // Staff see all five.
    let all = app
        .api(
            "GET",
            &format!("/api/v1/applications?call_id={}", w.call),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(all["total"], 5);
    // A student may not run the allocation or set their own score.
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/v1/calls/{}/allocate", w.call),
            Some(&tokens[3]),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let cheat = app
        .api(
            "PATCH",
            &format!("/api/v1/applications/{}", id(&apps[3])),
            Some(&tokens[3]),
            Some(json!({"version": dave["version"], "score": 100})),
        )
        .await;
    assert_eq!(cheat.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(cheat.error_fields(), ["score"]);
}

#[tokio::test]
async fn student_pages_show_only_their_own_application_and_result() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (_, email, _) = student(&app, &w, "Fang Liu").await;
    let (_, _, other_token) = student(&app, &w, "Gao Ming").await;
    created(
        &app,
        &other_token,
        "/api/v1/applications",
        json!({"call_id": w.call, "choices": [w.kl]}),
    )
    .await;
    let mut b = app.browser_for(&email).await;
    let form = b.get(&format!("/calls/{}/apply", w.call)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"choice_1\"") && form.body.contains("name=\"choice_2\""));
    // The same place twice: refused, nothing stored.
    let twice = b
        .post(
            &format!("/calls/{}/apply", w.call),
            &[("choice_1", &w.almaty), ("choice_2", &w.almaty)],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("choices.1"), "{}", twice.body);
    let ok = b
        .post(
            &format!("/calls/{}/apply", w.call),
            &[("choice_1", &w.almaty), ("choice_2", &w.kl)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let mine = b.get("/applications").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Semester exchange 2025/2026"));
    let page = b.get(&format!("/calls/{}", w.call)).await;
    assert!(
        !page.body.contains("Gao Ming"),
        "another student's application is not shown"
    );
    assert!(page.body.contains("Fang Liu"));
    let zh = b.get("/applications?lang=zh-CN").await;
    assert!(zh.body.contains("我的申请") && !zh.body.contains('⟦'));
}

#[tokio::test]
async fn bad_applications_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (_, _, token) = student(&app, &w, "Hu Jing").await;
    let t = Some(token.as_str());
    for (choices, field) in [
        (json!([w.kl, w.kl]), "choices.1"),
        (json!([w.almaty, w.other]), "choices.1"),
        (json!(["x"]), "choices.0"),
    ] {
        let r = app
            .api(
                "POST",
                "/api/v1/applications",
                t,
                Some(json!({"call_id": w.call, "choices": choices})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_fields(), [field], "{}", r.body);
    }
    let r = app
        .api(
            "POST",
            "/api/v1/applications",
            t,
            Some(json!({"call_id": w.call, "choices": [w.kl], "colour": "red"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["colour"]);
    let r = app
        .api(
            "POST",
            "/api/v1/applications",
            t,
            Some(json!({"call_id": w.call, "choices": [w.kl], "score": 100})),
        )
        .await;
    assert_eq!(
        r.error_fields(),
        ["score"],
        "a student does not score themself"
    );
    let none = app.api("GET", "/api/v1/applications", t, None).await.json();
    assert_eq!(none["total"], 0, "nothing was stored");

    // Applying twice to one call.
    created(
        &app,
        &token,
        "/api/v1/applications",
        json!({"call_id": w.call, "choices": [w.kl]}),
    )
    .await;
    let twice = app
        .api(
            "POST",
            "/api/v1/applications",
            t,
            Some(json!({"call_id": w.call, "choices": [w.almaty]})),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(twice.error_fields(), ["call_id"]);

    // A call with a place twice, or an unknown condition.
    for (places, field) in [
        (
            json!([{"condition_id": w.kl, "places": 1}, {"condition_id": w.kl, "places": 2}]),
            "places.1.condition_id",
        ),
        (
            json!([{"condition_id": "999999", "places": 1}]),
            "places.0.condition_id",
        ),
        (
            json!([{"condition_id": w.kl, "places": -1}]),
            "places.0.places",
        ),
    ] {
        let r = app
            .api(
                "POST",
                "/api/v1/calls",
                Some(&w.staff),
                Some(
                    json!({"title": {"en": "Bad"}, "academic_year": "2025/2026", "places": places}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_fields(), [field]);
    }
    let calls = app
        .api("GET", "/api/v1/calls?q=bad", Some(&w.staff), None)
        .await
        .json();
    assert_eq!(calls["total"], 0);

    // An illegal status change.
    let mine = app.api("GET", "/api/v1/applications", t, None).await.json();
    let a = &mine["items"][0];
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&w.staff),
            Some(json!({"version": a["version"], "status": "nominated"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["status"]);
}

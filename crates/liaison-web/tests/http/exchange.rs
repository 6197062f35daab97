//! The exchange cycle (issue 7): calls with places from cooperation conditions, students'
//! applications with ranked choices, and a reproducible allocation run with explanations.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;
use liaison_domain::Role;

/// A date `days` from today, as the API writes dates.
fn in_days(days: i64) -> String {
    liaison_domain::event::iso_date::format(
        time::OffsetDateTime::now_utc().date() + time::Duration::days(days),
    )
}

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
            "academic_year": "2025/2026", "deadline": in_days(30), "max_choices": 2,
            "scoring": {"gpa_weight": 0, "language_weight": 0, "interview_weight": 100, "gpa_max": 4.0},
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
        // No rules: submitting makes it eligible at once.
        assert_eq!(a["status"], "eligible");
        let a = if *eligible {
            set(&app, &w.staff, &a, json!({"interview_score": score})).await
        } else {
            set(
                &app,
                &w.staff,
                &a,
                json!({"status": "ineligible", "ineligible_reason": "GPA below 3.0", "interview_score": score}),
            )
            .await
        };
        // The call scores the interview only: the total is the interview score.
        assert_eq!(a["score"], json!(score.unwrap() as f64));
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
    assert_eq!(run["round"], 1);
    assert!(run["published_at"].is_null(), "a run is a preview first");
    assert_eq!(run["result"]["cutoff_scores"][&w.kl], json!(90.0));
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
    let run = again;

    // Before publication the student sees nothing of it.
    let before = get(3).await;
    assert_eq!(before["status"], "eligible");
    assert_eq!(before["explanation"], json!([]));
    let published = app
        .api(
            "POST",
            &format!("/api/v1/calls/{}/publish", w.call),
            Some(&w.staff),
            Some(json!({"run_id": run["id"]})),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert!(published.json()["published_at"].is_string());
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
    for field in ["score", "interview_score"] {
        let cheat = app
            .api(
                "PATCH",
                &format!("/api/v1/applications/{}", id(&apps[3])),
                Some(&tokens[3]),
                Some(json!({"version": dave["version"], field: 100})),
            )
            .await;
        assert_eq!(cheat.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(cheat.error_fields(), [field]);
    }
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

/// A call with every kind of rule, for the eligibility tests.
async fn ruled_call(app: &TestApp, w: &World, deadline: &str) -> String {
    let c = created(
        app,
        &w.staff,
        "/api/v1/calls",
        json!({"title": {"en": "Ruled exchange", "zh": "有条件的交换项目"}, "academic_year": "2025/2026",
            "deadline": deadline, "max_choices": 2,
            "rules": {"min_gpa": 3.0, "min_language_level": "B2", "certificates": ["IELTS", "TOEFL"],
                      "years_of_study": [2, 3], "majors": ["Computer Science"]},
            "places": [{"condition_id": w.kl, "places": 1}]}),
    )
    .await;
    id(&c)
}

#[tokio::test]
async fn eligibility_is_checked_on_submit_naming_each_failed_rule_in_both_languages() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let call = ruled_call(&app, &w, &in_days(10)).await;
    let (_, email, token) = student(&app, &w, "Iris Qian").await;
    // Through the form: GPA 2.8, B1 with CET-6, first year, History.
    let mut b = app.browser_for(&email).await;
    let form = b.get(&format!("/calls/{call}/apply")).await;
    assert!(form.body.contains("name=\"gpa\"") && form.body.contains("name=\"language_level\""));
    let r = b
        .post(
            &format!("/calls/{call}/apply"),
            &[
                ("gpa", "2.8"),
                ("language_level", "B1"),
                ("certificate", "CET-6"),
                ("year_of_study", "1"),
                ("major", "History"),
                ("choice_1", &w.kl),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mine = app
        .api("GET", "/api/v1/applications", Some(&token), None)
        .await
        .json();
    let a = &mine["items"][0];
    assert_eq!(a["status"], "ineligible");
    let rules: Vec<&str> = a["failed_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "min_gpa",
            "language_level",
            "certificate",
            "year_of_study",
            "major"
        ]
    );
    assert_eq!(
        a["failed_rules"][0],
        json!({"rule": "min_gpa", "required": 3.0, "actual": 2.8})
    );
    // The student reads why, in both languages.
    let page = b.get("/applications").await;
    assert!(
        page.body
            .contains("GPA below the minimum: 3.00 required, 2.80 given."),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("Major not admitted: Computer Science admitted, History given."));
    let zh = b.get("/applications?lang=zh-CN").await;
    assert!(zh.body.contains("绩点低于要求：要求 3.00，实际 2.80。"));
    assert!(!zh.body.contains('⟦'));
    // Staff read it on the call page too.
    let mut office = app.browser(Role::Staff).await;
    let staff_page = office.get(&format!("/calls/{call}")).await;
    assert!(staff_page
        .body
        .contains("Language certificate not accepted: one of IELTS, TOEFL required, CET-6 given."));

    // A bad value on the student's page: named, nothing changed.
    let page_path = format!("/applications/{}", id(a));
    let bad_facts = b
        .post(
            &format!("{page_path}/facts?lang=en"),
            &[
                ("version", &a["version"].to_string()),
                ("gpa", "9"),
                ("year_of_study", "2"),
            ],
        )
        .await;
    assert_eq!(bad_facts.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_facts
            .body
            .contains("GPA: Enter a GPA from 0 to the top of the call's GPA scale."),
        "{}",
        bad_facts.body
    );
    let unchanged = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(unchanged["version"], a["version"]);
    // Corrected facts submit again and pass.
    let fixed = app
        .api(
            "PATCH",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&token),
            Some(
                json!({"version": a["version"], "gpa": 3.4, "language_level": "C1",
                "certificate": "ielts", "year_of_study": 2, "major": "computer science"}),
            ),
        )
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    let fixed = fixed.json();
    assert_eq!(fixed["status"], "eligible");
    assert_eq!(fixed["failed_rules"], json!([]));
    // GPA 3.4 of 4 (50 %), C1 (20 %), no interview yet: 42.5 + 16.67 = 59.17.
    assert_eq!(fixed["score"], json!(59.17));

    // Interview scores: staff only, 0–100; out of range a clear message and nothing changed.
    let before = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    let bad = office
        .post(
            &format!("/applications/{}/interview", id(a)),
            &[
                ("version", &before["version"].to_string()),
                ("interview_score", "101"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .body
        .contains("Enter a whole number from 0 to 100. Nothing was changed."));
    let api_bad = app
        .api(
            "PATCH",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&w.staff),
            Some(json!({"version": before["version"], "interview_score": -1})),
        )
        .await;
    assert_eq!(api_bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api_bad.error_fields(), ["interview_score"]);
    let same = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(same["version"], before["version"], "nothing changed");
    let ok = office
        .post(
            &format!("/applications/{}/interview", id(a)),
            &[
                ("version", &before["version"].to_string()),
                ("interview_score", "80"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let scored = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(scored["interview_score"], 80);
    assert_eq!(scored["score"], json!(83.17));
    // The change is in the audit log.
    let audit = app
        .api(
            "GET",
            &format!("/api/v1/audit?entity=application&entity_id={}", id(a)),
            Some(&app.token(Role::Admin).await),
            None,
        )
        .await
        .json();
    assert!(audit["total"].as_i64().unwrap() >= 3, "{audit}");
    // Staff may decide by hand: ineligible needs a reason, and a student cannot.
    let v = scored["version"].to_string();
    let no_reason = office
        .post(
            &format!("/applications/{}/review", id(a)),
            &[
                ("version", &v),
                ("status", "ineligible"),
                ("ineligible_reason", " "),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("A reason is required"),
        "{}",
        no_reason.body
    );
    let marked = office
        .post(
            &format!("/applications/{}/review", id(a)),
            &[
                ("version", &v),
                ("status", "ineligible"),
                ("ineligible_reason", "Transcript not genuine"),
            ],
        )
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);
    let marked = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(a)),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            marked["status"].as_str(),
            marked["ineligible_reason"].as_str()
        ),
        (Some("ineligible"), Some("Transcript not genuine"))
    );
    assert_eq!(
        b.post(
            &format!("/applications/{}/review", id(a)),
            &[("version", "1"), ("status", "eligible")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // A student cannot reach the interview form.
    let denied = b
        .post(
            &format!("/applications/{}/interview", id(a)),
            &[("version", "1"), ("interview_score", "100")],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn changes_after_the_deadline_are_refused() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let open = ruled_call(&app, &w, &in_days(1)).await;
    let closed = ruled_call(&app, &w, &in_days(-1)).await;
    let (person, email, token) = student(&app, &w, "Jin Wei").await;
    let late = app
        .api(
            "POST",
            "/api/v1/applications",
            Some(&token),
            Some(json!({"call_id": closed, "choices": [w.kl]})),
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(late.error_fields(), ["call_id"]);
    let mut b = app.browser_for(&email).await;
    let page = b.get(&format!("/calls/{closed}")).await;
    assert!(page.body.contains("Applications are closed"));
    let form = b
        .post(&format!("/calls/{closed}/apply"), &[("choice_1", &w.kl)])
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.body.contains("has passed its application deadline"),
        "{}",
        form.body
    );
    let mine = app
        .api("GET", "/api/v1/applications", Some(&token), None)
        .await
        .json();
    assert_eq!(mine["total"], 0, "nothing stored");
    // Staff may still record an application for the student after the deadline.
    assert!(app
        .api(
            "POST",
            "/api/v1/applications",
            Some(&w.staff),
            Some(json!({"call_id": closed, "person_id": person, "choices": [w.kl]}))
        )
        .await
        .status
        .is_success());
    // Within the deadline it works; the open call is fine.
    created(
        &app,
        &token,
        "/api/v1/applications",
        json!({"call_id": open, "choices": [w.kl]}),
    )
    .await;
}

#[tokio::test]
async fn staff_create_and_edit_calls_through_forms_with_rules_and_version_conflicts() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut office = app.browser(Role::Staff).await;
    let form = office.get("/calls/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"places.0.condition_id\""));
    assert!(
        form.body.contains(&format!("value=\"{}\"", w.kl)),
        "conditions in force offered"
    );
    let good: Vec<(&str, &str)> = vec![
        ("title_en", "Spring exchange"),
        ("title_zh", "春季交换项目"),
        ("academic_year", "2025/2026"),
        ("deadline", "2099-03-31"),
        ("max_choices", "2"),
        ("places.0.condition_id", &w.kl),
        ("places_0_places", "1"),
        ("places.1.condition_id", ""),
        ("places_1_places", ""),
        ("rules_min_gpa", "3.2"),
        ("rules.min_language_level", "B2"),
        ("rules_certificates", "IELTS, TOEFL"),
        ("rules.years_of_study", "2"),
        ("rules.years_of_study", "3"),
        ("rules_majors", "Computer Science\nCivil Engineering"),
        ("scoring_gpa_weight", "40"),
        ("scoring_language_weight", "20"),
        ("scoring_interview_weight", "40"),
        ("scoring_gpa_max", "4.0"),
    ];
    // Weights not adding up to 100 and more places than the condition has: refused, named.
    let mut bad = good.clone();
    bad[15] = ("scoring_gpa_weight", "50");
    let r = office.post("/calls", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("The weights must add up to 100."),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"Spring exchange\""),
        "the form keeps what was typed"
    );
    let mut too_many = good.clone();
    too_many[6] = ("places_0_places", "5");
    let r = office.post("/calls", &too_many).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("More than the condition has for the year: at most 1."),
        "{}",
        r.body
    );
    let zh = office.post("/calls?lang=zh-CN", &bad).await;
    assert!(zh.body.contains("各项权重之和须为 100。") && !zh.body.contains('⟦'));
    let calls = app
        .api("GET", "/api/v1/calls?q=spring", Some(&w.staff), None)
        .await
        .json();
    assert_eq!(calls["total"], 0, "nothing stored");

    let r = office.post("/calls", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let call = app
        .api("GET", "/api/v1/calls?q=spring", Some(&w.staff), None)
        .await
        .json()["items"][0]
        .clone();
    assert_eq!(
        call["rules"],
        json!({"min_gpa": 3.2, "min_language_level": "B2",
        "certificates": ["IELTS", "TOEFL"], "years_of_study": [2, 3],
        "majors": ["Computer Science", "Civil Engineering"]})
    );
    assert_eq!(call["scoring"]["interview_weight"], 40);
    let page = office.get(&format!("{}?lang=en", r.location())).await;
    assert!(
        page.body
            .contains("GPA 40 % · language 20 % · interview 40 %"),
        "{}",
        page.body
    );

    // Edit: the form shows the rules; a stale version is a conflict with the form kept.
    let edit_path = format!("/calls/{}/edit", id(&call));
    let edit = office.get(&edit_path).await;
    assert!(edit.body.contains("Civil Engineering") && edit.body.contains("value=\"3.20\""));
    let mut changed = good.clone();
    changed[0] = ("title_en", "Spring exchange (extended)");
    let v = call["version"].to_string();
    changed.push(("version", &v));
    let first = office.post(&edit_path, &changed).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = office.post(&edit_path, &changed).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Spring exchange (extended)"));
    // The API edits too, with the same checks.
    let now = app
        .api(
            "GET",
            &format!("/api/v1/calls/{}", id(&call)),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    let patched = app
        .api(
            "PATCH",
            &format!("/api/v1/calls/{}", id(&call)),
            Some(&w.staff),
            Some(json!({"version": now["version"], "rules": {"min_gpa": 9.0}})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(patched.error_fields(), ["rules.min_gpa"]);
    let patched = app
        .api("PATCH", &format!("/api/v1/calls/{}", id(&call)), Some(&w.staff),
            Some(json!({"version": now["version"], "rules": {"min_gpa": 2.5}, "opens_on": "2025-01-01"})))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(
        patched.json()["rules"],
        json!({"min_gpa": 2.5, "min_language_level": null,
        "certificates": [], "years_of_study": [], "majors": []})
    );
    // Students may not open the staff forms.
    let (_, email, _) = student(&app, &w, "Kai Lin").await;
    let mut b = app.browser_for(&email).await;
    assert_eq!(b.get("/calls/new").await.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get(&edit_path).await.status, StatusCode::FORBIDDEN);
}

/// A student applying through the API with `choices`, then interviewed by staff.
async fn applicant(
    app: &TestApp,
    w: &World,
    call: &str,
    name: &str,
    choices: Value,
    interview: i64,
) -> (Value, String) {
    let (_, _, token) = student(app, w, name).await;
    let a = created(
        app,
        &token,
        "/api/v1/applications",
        json!({"call_id": call, "choices": choices}),
    )
    .await;
    let a = set(app, &w.staff, &a, json!({"interview_score": interview})).await;
    (a, token)
}

async fn allocate(app: &TestApp, w: &World, call: &str) -> Value {
    let r = app
        .api(
            "POST",
            &format!("/api/v1/calls/{call}/allocate"),
            Some(&w.staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

async fn publish(app: &TestApp, w: &World, call: &str, run: &Value) {
    let r = app
        .api(
            "POST",
            &format!("/api/v1/calls/{call}/publish"),
            Some(&w.staff),
            Some(json!({"run_id": run["id"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn quota(app: &TestApp, w: &World, condition: &str) -> Value {
    let q = app
        .api(
            "GET",
            "/api/v1/quotas?academic_year=2025/2026",
            Some(&w.staff),
            None,
        )
        .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    q.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["condition_id"] == json!(condition))
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn quotas_are_shared_across_calls_never_exceeded_and_overrides_need_a_reason() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // A short course takes both Almaty places of 2025/2026 first.
    let short = created(
        &app,
        &w.staff,
        "/api/v1/calls",
        json!({"title": {"en": "Short course"}, "academic_year": "2025/2026", "deadline": in_days(5),
            "places": [{"condition_id": w.almaty, "places": 2}]}),
    )
    .await;
    let short = id(&short);
    applicant(&app, &w, &short, "Lan Ma", json!([w.almaty]), 80).await;
    applicant(&app, &w, &short, "Mei Hu", json!([w.almaty]), 70).await;
    let run = allocate(&app, &w, &short).await;
    publish(&app, &w, &short, &run).await;
    let q = quota(&app, &w, &w.almaty).await;
    assert_eq!(
        (
            q["places"].as_i64(),
            q["used"].as_i64(),
            q["remaining"].as_i64()
        ),
        (Some(2), Some(2), Some(0))
    );

    // The semester call offers Almaty too, but none are left: the run gives it no capacity.
    let (nina, nina_token) = applicant(&app, &w, &w.call, "Nina Guo", json!([w.almaty]), 95).await;
    let run = allocate(&app, &w, &w.call).await;
    assert_eq!(run["frozen"]["capacities"][&w.almaty], 0);
    assert_eq!(
        run["result"]["assignment"][format!("a{}", id(&nina))],
        Value::Null
    );
    assert_eq!(
        run["result"]["explanations"][format!("a{}", id(&nina))],
        json!([{"condition_id": w.almaty, "reason": "no_places"}])
    );

    // An override without a reason is refused, naming the field; nothing changes.
    let admin = app.token(Role::Admin).await;
    let no_reason = app
        .api("POST", "/api/v1/quotas", Some(&w.staff),
            Some(json!({"condition_id": w.almaty, "academic_year": "2025/2026", "places": 3, "reason": "  "})))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.error_fields(), ["reason"]);
    let mut office = app.browser(Role::Staff).await;
    let form = office
        .post(
            "/quotas",
            &[
                ("condition_id", &w.almaty),
                ("academic_year", "2025/2026"),
                ("places", "3"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.body.contains("Reason: This is required."),
        "{}",
        form.body
    );
    assert_eq!(quota(&app, &w, &w.almaty).await["places"], 2);
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=quota_override",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 0);

    // With a reason: recorded in the audit log, and the place can be allocated.
    let ok = office
        .post(
            "/quotas",
            &[
                ("condition_id", &w.almaty),
                ("academic_year", "2025/2026"),
                ("places", "3"),
                ("reason", "Partner agreed to one more place for 2025/26"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = office.get("/quotas?academic_year=2025/2026").await;
    assert!(page
        .body
        .contains("changed from 2: Partner agreed to one more place for 2025/26"));
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=quota_override",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 1);
    assert_eq!(
        audit["items"][0]["after"]["reason"],
        "Partner agreed to one more place for 2025/26"
    );
    let q = quota(&app, &w, &w.almaty).await;
    assert_eq!(
        (q["places"].as_i64(), q["remaining"].as_i64()),
        (Some(3), Some(1))
    );
    let run = allocate(&app, &w, &w.call).await;
    assert_eq!(run["frozen"]["capacities"][&w.almaty], 1);
    publish(&app, &w, &w.call, &run).await;
    let mine = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&nina)),
            Some(&nina_token),
            None,
        )
        .await
        .json();
    assert_eq!(mine["status"], "allocated");
    assert_eq!(quota(&app, &w, &w.almaty).await["remaining"], 0);
    // A call cannot offer more places than the condition has for the year.
    let greedy = app
        .api(
            "POST",
            "/api/v1/calls",
            Some(&w.staff),
            Some(
                json!({"title": {"en": "Greedy"}, "academic_year": "2025/2026",
                "places": [{"condition_id": w.other, "places": 5}]}),
            ),
        )
        .await;
    assert_eq!(greedy.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(greedy.error_fields(), ["places.0.places"]);
    // Nor name a condition outside its years.
    let early = app
        .api(
            "POST",
            "/api/v1/calls",
            Some(&w.staff),
            Some(
                json!({"title": {"en": "Too early"}, "academic_year": "2020/2021",
                "places": [{"condition_id": w.other, "places": 1}]}),
            ),
        )
        .await;
    assert_eq!(early.error_fields(), ["places.0.condition_id"]);
    // Students reach neither the quotas nor the overrides.
    assert_eq!(
        app.api(
            "GET",
            "/api/v1/quotas?academic_year=2025/2026",
            Some(&nina_token),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn two_allocation_runs_started_at_once_cannot_both_commit() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    applicant(&app, &w, &w.call, "Ou Yang", json!([w.kl]), 60).await;
    let call = app
        .api(
            "GET",
            &format!("/api/v1/calls/{}", w.call),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    let path = format!("/api/v1/calls/{}/allocate", w.call);
    let body = json!({"version": call["version"]});
    let (a, b) = tokio::join!(
        app.api("POST", &path, Some(&w.staff), Some(body.clone())),
        app.api("POST", &path, Some(&w.staff), Some(body.clone())),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{} / {}",
        a.body,
        b.body
    );
    let winner = if a.status == StatusCode::CREATED {
        a.json()
    } else {
        b.json()
    };
    let latest = app
        .api(
            "GET",
            &format!("/api/v1/calls/{}/allocation", w.call),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(latest["id"], winner["id"], "only one run was stored");
    // A run started from an older version of the call cannot be stored later either.
    let stale = app.api("POST", &path, Some(&w.staff), Some(body)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // The same through the page's form.
    let mut office = app.browser(Role::Staff).await;
    let page = office
        .post(
            &format!("/calls/{}/allocate", w.call),
            &[("version", &call["version"].to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("The call changed meanwhile"));
    // An older run cannot be published once a newer one exists.
    let newer = allocate(&app, &w, &w.call).await;
    let old = app
        .api(
            "POST",
            &format!("/api/v1/calls/{}/publish", w.call),
            Some(&w.staff),
            Some(json!({"run_id": winner["id"]})),
        )
        .await;
    assert_eq!(old.status, StatusCode::CONFLICT);
    publish(&app, &w, &w.call, &newer).await;
    // Nor a published one twice.
    let again = app
        .api(
            "POST",
            &format!("/api/v1/calls/{}/publish", w.call),
            Some(&w.staff),
            Some(json!({"run_id": newer["id"]})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn preview_publish_second_round_for_freed_places_and_xlsx_export() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // Kuala Lumpur 1 place, Almaty 2.
    let (a, a_token) = applicant(&app, &w, &w.call, "Ada Tan", json!([w.kl]), 90).await;
    let (b, _) = applicant(&app, &w, &w.call, "Ben Xu", json!([w.kl, w.almaty]), 85).await;
    let (c, _) = applicant(&app, &w, &w.call, "Cai Yu", json!([w.almaty]), 80).await;
    let (d, d_token) = applicant(&app, &w, &w.call, "Du Fei", json!([w.almaty]), 75).await;
    let (e, e_token) = applicant(&app, &w, &w.call, "Eli Shi", json!([w.kl]), 70).await;
    let key = |v: &Value| format!("a{}", id(v));
    let first = allocate(&app, &w, &w.call).await;
    assert_eq!(first["round"], 1);
    let got = &first["result"]["assignment"];
    assert_eq!(
        [
            &got[key(&a)],
            &got[key(&b)],
            &got[key(&c)],
            &got[key(&d)],
            &got[key(&e)]
        ],
        [
            &json!(w.kl),
            &json!(w.almaty),
            &json!(w.almaty),
            &Value::Null,
            &Value::Null
        ]
    );
    // The preview is not the students' to see yet.
    let d_before = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&d)),
            Some(&d_token),
            None,
        )
        .await
        .json();
    assert_eq!(d_before["status"], "eligible");
    // Staff see the preview with cut-offs and explanations, then publish.
    let mut office = app.browser(Role::Staff).await;
    let page = office.get(&format!("/calls/{}?lang=en", w.call)).await;
    assert!(
        page.body.contains("Allocation round 1")
            && page.body.contains("preview, not yet visible to students")
    );
    assert!(page.body.contains("Publish this result"));
    let published = office
        .post(
            &format!("/calls/{}/publish", w.call),
            &[("run_id", &id(&first))],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let d_after = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&d)),
            Some(&d_token),
            None,
        )
        .await
        .json();
    assert_eq!(d_after["status"], "unplaced");
    assert_eq!(d_after["explanation"][0]["reason"], "full");

    // Ada withdraws (after publication, allowed); her Kuala Lumpur place is freed.
    let a_now = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&a_token),
            None,
        )
        .await
        .json();
    let withdrawn = app
        .api(
            "PATCH",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&a_token),
            Some(json!({"version": a_now["version"], "status": "withdrawn"})),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(quota(&app, &w, &w.kl).await["remaining"], 1);
    // Round 2: only the unplaced take part; Ben and Cai keep their places.
    let second = allocate(&app, &w, &w.call).await;
    assert_eq!(second["round"], 2);
    assert_eq!(second["frozen"]["capacities"][&w.kl], 1);
    assert_eq!(second["frozen"]["capacities"][&w.almaty], 0);
    assert_eq!(second["result"]["assignment"][key(&e)], json!(w.kl));
    assert_eq!(second["result"]["assignment"][key(&d)], Value::Null);
    assert!(second["result"]["assignment"].get(key(&b)).is_none());
    publish(&app, &w, &w.call, &second).await;
    let eli = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&e)),
            Some(&e_token),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            eli["status"].as_str(),
            eli["allocated_condition_id"].as_str()
        ),
        (Some("allocated"), Some(w.kl.as_str()))
    );
    let ben = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&b)),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(ben["status"], "allocated");
    let _ = c;
    assert_eq!(quota(&app, &w, &w.kl).await["remaining"], 0);

    // The result as a spreadsheet, for staff only.
    let xlsx = office
        .get(&format!("/calls/{}/allocation.xlsx", w.call))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.body.starts_with("PK"));
    let (_, email, _) = student(&app, &w, "Fu Rong").await;
    let mut s = app.browser_for(&email).await;
    assert_eq!(
        s.get(&format!("/calls/{}/allocation.xlsx", w.call))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Publication is in the audit log.
    let admin = app.token(Role::Admin).await;
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=allocation_run&action=publish",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 2);
}

#[tokio::test]
async fn students_reorder_choices_upload_documents_and_withdraw_on_their_own_application_only() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let (_, email, token) = student(&app, &w, "Qiu Yan").await;
    let (_, other_email, _) = student(&app, &w, "Rui Bo").await;
    let mut b = app.browser_for(&email).await;
    let r = b
        .post(
            &format!("/calls/{}/apply", w.call),
            &[("choice_1", &w.kl), ("choice_2", &w.almaty)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location().to_string();
    let a = app
        .api("GET", "/api/v1/applications", Some(&token), None)
        .await
        .json()["items"][0]
        .clone();
    assert_eq!(path, format!("/applications/{}", id(&a)));
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Move down") && page.body.contains("name=\"direction\""));
    assert!(!page.body.contains("<script"), "no JavaScript needed");
    // Move the second choice up: the order swaps, the application is submitted (checked) again.
    let moved = b
        .post(
            &format!("{path}/move"),
            &[
                ("version", &a["version"].to_string()),
                ("index", "1"),
                ("direction", "up"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let after = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(after["choices"], json!([w.almaty, w.kl]));
    assert_eq!(after["status"], "eligible");
    // A move that is not possible: a clear message, nothing changed.
    let bad = b
        .post(
            &format!("{path}/move"),
            &[
                ("version", &after["version"].to_string()),
                ("index", "0"),
                ("direction", "up"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("This choice cannot move that way"));
    // A stale version: conflict.
    let stale = b
        .post(
            &format!("{path}/move"),
            &[
                ("version", &a["version"].to_string()),
                ("index", "1"),
                ("direction", "up"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // The transcript, through the upload machinery.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let up = b
        .upload(&format!("{path}/documents"), "transcript.pdf", pdf)
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let page = b.get(&path).await;
    assert!(page.body.contains("transcript.pdf"));
    let doc = page
        .body
        .split("href=\"/documents/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        b.get(&format!("/documents/{doc}")).await.status,
        StatusCode::OK
    );
    // Another student reaches neither the application nor its documents.
    let mut other = app.browser_for(&other_email).await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("/documents/{doc}")).await.status,
        StatusCode::NOT_FOUND
    );
    let sneak = other
        .post(
            &format!("{path}/move"),
            &[
                ("version", &after["version"].to_string()),
                ("index", "1"),
                ("direction", "up"),
            ],
        )
        .await;
    assert_eq!(sneak.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .upload(&format!("{path}/documents"), "x.pdf", pdf)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Staff see it.
    let mut office = app.browser(Role::Staff).await;
    assert!(office.get(&path).await.body.contains("transcript.pdf"));

    // After the deadline: no reordering, no uploads; nothing changed.
    let call = app
        .api(
            "GET",
            &format!("/api/v1/calls/{}", w.call),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    let closed = app
        .api(
            "PATCH",
            &format!("/api/v1/calls/{}", w.call),
            Some(&w.staff),
            Some(json!({"version": call["version"], "deadline": in_days(-1)})),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let now = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&token),
            None,
        )
        .await
        .json();
    let late = b
        .post(
            &format!("{path}/move"),
            &[
                ("version", &now["version"].to_string()),
                ("index", "1"),
                ("direction", "up"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late
        .body
        .contains("The application can no longer be changed"));
    let late_upload = b
        .upload(&format!("{path}/documents"), "certificate.pdf", pdf)
        .await;
    assert_eq!(late_upload.status, StatusCode::UNPROCESSABLE_ENTITY);
    let late_api = app
        .api(
            "PATCH",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&token),
            Some(json!({"version": now["version"], "choices": [w.kl]})),
        )
        .await;
    assert_eq!(late_api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(late_api.error_fields(), ["call_id"]);
    let same = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(same["version"], now["version"]);
    assert_eq!(same["choices"], json!([w.almaty, w.kl]));
    assert!(!b.get(&path).await.body.contains("certificate.pdf"));

    // Withdrawing still works, after a confirmation.
    let confirm = b.get(&format!("{path}/withdraw")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("cannot be undone"));
    let done = b
        .post(
            &format!("{path}/withdraw"),
            &[("version", &same["version"].to_string())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let gone = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(gone["status"], "withdrawn");
    let zh = b.get(&format!("{path}?lang=zh-CN")).await;
    assert!(zh.body.contains("已撤回") && !zh.body.contains('⟦'));
}

#[tokio::test]
async fn the_demo_call_is_completed_with_a_published_run() {
    let app = TestApp::with_demo().await;
    let staff = app.token(Role::Staff).await;
    let calls = app
        .api("GET", "/api/v1/calls?q=semester", Some(&staff), None)
        .await
        .json();
    let call = id(&calls["items"][0]);
    let apps = app
        .api(
            "GET",
            &format!("/api/v1/applications?call_id={call}&per_page=500"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert!(apps["total"].as_i64().unwrap() >= 100, "{}", apps["total"]);
    let statuses: std::collections::BTreeSet<&str> = apps["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    for s in [
        "allocated",
        "nominated",
        "accepted",
        "unplaced",
        "ineligible",
    ] {
        assert!(statuses.contains(s), "{statuses:?}");
    }
    // The nominated students' stays are linked to their applications, each with its checklist;
    // the one the partner accepted is accepted too.
    let accepted: Vec<&Value> = apps["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "accepted")
        .collect();
    let stays = app
        .api(
            "GET",
            "/api/v1/mobilities?status=accepted&academic_year=2025/2026&per_page=100",
            Some(&staff),
            None,
        )
        .await
        .json();
    let stay = stays["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["application_id"] == accepted[0]["id"])
        .unwrap_or_else(|| panic!("no stay for {}: {stays}", accepted[0]["id"]))
        .clone();
    let checklist = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{}/checklist", id(&stay)),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert!(
        !checklist["items"].as_array().unwrap().is_empty(),
        "{checklist}"
    );
    let published = app
        .api(
            "GET",
            &format!("/api/v1/calls/{call}/allocation"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert!(published["published_at"].is_string());
    // A second round (over the still unplaced) runs as a preview; its time is the figure noted.
    let started = std::time::Instant::now();
    let again = app
        .api(
            "POST",
            &format!("/api/v1/calls/{call}/allocate"),
            Some(&staff),
            None,
        )
        .await;
    let took = started.elapsed();
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let again = again.json();
    assert_eq!(again["round"], 2);
    println!(
        "demo call: {} applications, a new allocation run over HTTP took {took:?}",
        apps["total"]
    );
}

/// A student's applications are part of their personal data: the export holds them, and
/// anonymising the person clears what they stated while the outcome stays.
#[tokio::test]
async fn personal_data_export_and_anonymisation_cover_applications() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let call = ruled_call(&app, &w, &in_days(10)).await;
    let (person, _, token) = student(&app, &w, "Sun Li").await;
    let a = created(
        &app,
        &token,
        "/api/v1/applications",
        json!({"call_id": call, "choices": [w.kl], "gpa": 2.1, "major": "History", "year_of_study": 1}),
    )
    .await;
    assert_eq!(a["status"], "ineligible");
    let admin = app.token(Role::Admin).await;
    let export = app
        .api(
            "GET",
            &format!("/api/v1/people/{person}/export"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let apps = export.json()["applications"].clone();
    assert_eq!(apps.as_array().unwrap().len(), 1, "{apps}");
    assert_eq!(apps[0]["gpa"], 2.1);
    let p = app
        .api(
            "GET",
            &format!("/api/v1/people/{person}"),
            Some(&admin),
            None,
        )
        .await
        .json();
    let gone = app
        .api(
            "POST",
            &format!("/api/v1/people/{person}/anonymise"),
            Some(&admin),
            Some(json!({"version": p["version"]})),
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let after = app
        .api(
            "GET",
            &format!("/api/v1/applications/{}", id(&a)),
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(
        (after["gpa"].clone(), after["major"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(after["failed_rules"], json!([]));
    assert_eq!(after["status"], "ineligible");
    assert_eq!(after["choices"], json!([w.kl]));
}

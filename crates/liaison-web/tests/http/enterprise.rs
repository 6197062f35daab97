//! University–enterprise cooperation through HTTP: positions scoped to their enterprise and
//! vetted by staff, skill profiles with revocable consent, explained matching, applications and
//! placements, employment outcomes; pages in both languages.

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

struct World {
    staff: String,
    home: String,
    iflytek: String,
    other: String,
    /// (person id, name) of three students.
    students: Vec<(String, &'static str)>,
}

async fn world(app: &TestApp) -> World {
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
        inst("enterprise", "Other Co.", "其他公司"),
    )
    .await);
    let mut students = Vec::new();
    for name in ["Wang Yutong", "Li Haoran", "Zhao Xinyi"] {
        let p = post(
            app,
            t,
            "/api/v1/people",
            json!({"name": {"en": name}, "institution_id": home}),
        )
        .await;
        students.push((id(&p), name));
    }
    World {
        staff,
        home,
        iflytek,
        other,
        students,
    }
}

fn speech_position(institution: &str) -> Value {
    json!({
        "institution_id": institution, "kind": "internship",
        "title": {"en": "Speech data intern", "zh": "语音数据实习生"},
        "skills": [{"skill": "speech", "level": 2}, {"skill": "python", "level": 2},
                   {"skill": "english", "level": 2, "required": false}],
        "seats": 3, "language": "en", "language_level": "B1", "deadline": "2099-12-31"
    })
}

async fn profile(app: &TestApp, token: &str, person: &str, skills: Value, consent: bool) -> Value {
    post(
        app,
        token,
        "/api/v1/skill-profiles",
        json!({"person_id": person, "major": "computer_science", "skills": skills,
               "languages": [{"language": "en", "level": "B2"}], "consent": consent}),
    )
    .await
}

#[tokio::test]
async fn enterprise_sees_own_positions_and_only_consenting_candidates_ranked_with_explanations() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let ent = app
        .scoped_user(Role::Enterprise, Some(w.iflytek.parse().unwrap()), vec![])
        .await;
    let et = app.token_for(&ent).await;
    let e = Some(et.as_str());
    let s = Some(w.staff.as_str());

    // An enterprise contact posts for its own institution; opening it is the office's vetting.
    let mut body = speech_position(&w.iflytek);
    body["status"] = json!("open");
    let refused = app.api("POST", "/api/v1/positions", e, Some(body)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), ["status"]);
    let mut body = speech_position(&w.other);
    body["status"] = json!("pending");
    let foreign = app.api("POST", "/api/v1/positions", e, Some(body)).await;
    assert_eq!(
        foreign.error_fields(),
        ["institution_id"],
        "{}",
        foreign.body
    );
    let mut body = speech_position(&w.iflytek);
    body["status"] = json!("pending");
    let own = post(&app, &et, "/api/v1/positions", body).await;
    let theirs = post(
        &app,
        &w.staff,
        "/api/v1/positions",
        speech_position(&w.other),
    )
    .await;

    let list = app.api("GET", "/api/v1/positions", e, None).await.json();
    assert_eq!(list["total"], 1, "only its own positions");
    let theirs_path = format!("/api/v1/positions/{}", id(&theirs));
    assert_eq!(
        app.api("GET", &theirs_path, e, None).await.status,
        StatusCode::NOT_FOUND
    );
    let touch = app
        .api(
            "PATCH",
            &theirs_path,
            e,
            Some(json!({"version": 1, "seats": 9})),
        )
        .await;
    assert_eq!(
        touch.status,
        StatusCode::NOT_FOUND,
        "another enterprise's position"
    );

    // Staff vet it: pending → open.
    let own_path = format!("/api/v1/positions/{}", id(&own));
    let opened = app
        .api(
            "PATCH",
            &own_path,
            s,
            Some(json!({"version": 1, "status": "open"})),
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);

    // Three students: a strong and a weaker consenting one, and a strong one without consent.
    let strong = profile(&app, &w.staff, &w.students[0].0, json!([{"skill": "speech", "level": 3}, {"skill": "python", "level": 3}, {"skill": "english", "level": 2}]), true).await;
    let weaker = profile(
        &app,
        &w.staff,
        &w.students[1].0,
        json!([{"skill": "python", "level": 1}]),
        true,
    )
    .await;
    profile(
        &app,
        &w.staff,
        &w.students[2].0,
        json!([{"skill": "speech", "level": 4}, {"skill": "python", "level": 4}]),
        false,
    )
    .await;

    let matches_path = format!("{own_path}/matches");
    let m = app.api("GET", &matches_path, e, None).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let items = m.json()["items"].as_array().unwrap().clone();
    let names: Vec<&str> = items
        .iter()
        .map(|i| i["name"]["en"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Wang Yutong", "Li Haoran"],
        "consenting only, best first"
    );
    for item in &items {
        let sum: u64 = item["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["points"].as_u64().unwrap())
            .sum();
        assert_eq!(
            sum,
            item["score"].as_u64().unwrap(),
            "the explanation adds up"
        );
    }
    assert_eq!(items[0]["score"], 1000);
    // Required: speech 0/2 and python 1/2 → 500 × 6 / 24 = 125; no preferred; major 150;
    // language 100; availability 50.
    assert_eq!(items[1]["score"], 425);
    assert_eq!(items[1]["components"][0]["criterion"], "required_skills");
    assert_eq!(items[1]["components"][0]["points"], 125);
    assert_eq!(
        app.api("GET", &format!("{theirs_path}/matches"), e, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The enterprise sees consenting profiles only.
    let profiles = app
        .api("GET", "/api/v1/skill-profiles", e, None)
        .await
        .json();
    assert_eq!(profiles["total"], 2);

    // Withdrawing consent removes the student from the matches at once.
    let strong_path = format!("/api/v1/skill-profiles/{}", id(&strong));
    let revoked = app
        .api(
            "PATCH",
            &strong_path,
            s,
            Some(json!({"version": 1, "consent": false})),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(revoked.json()["consent_at"].is_null());
    let m = app.api("GET", &matches_path, e, None).await.json();
    assert_eq!(m["items"].as_array().unwrap().len(), 1);
    assert_eq!(m["items"][0]["profile_id"], id(&weaker));
    assert_eq!(
        app.api("GET", &strong_path, e, None).await.status,
        StatusCode::NOT_FOUND
    );

    // Stale version: 409.
    let stale = app
        .api(
            "PATCH",
            &own_path,
            s,
            Some(json!({"version": 1, "seats": 4})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let _ = w.home;
}

#[tokio::test]
async fn students_see_their_own_profile_and_open_positions_and_apply_once() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let s = Some(w.staff.as_str());
    let me = &w.students[0].0;
    let student = app
        .linked_user(Role::Student, None, Some(me.parse().unwrap()))
        .await;
    let st = app.token_for(&student).await;
    let t = Some(st.as_str());

    let open = post(&app, &w.staff, "/api/v1/positions", {
        let mut b = speech_position(&w.iflytek);
        b["status"] = json!("open");
        b
    })
    .await;
    let pending = post(&app, &w.staff, "/api/v1/positions", {
        let mut b = speech_position(&w.iflytek);
        b["status"] = json!("pending");
        b
    })
    .await;
    let list = app.api("GET", "/api/v1/positions", t, None).await.json();
    assert_eq!(
        list["total"], 1,
        "unvetted positions are invisible to students"
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/positions/{}", id(&pending)),
            t,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Applying without a consenting profile is refused with the reason.
    let apply = json!({"position_id": id(&open)});
    let no = app
        .api("POST", "/api/v1/placements", t, Some(apply.clone()))
        .await;
    assert_eq!(no.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no.error_fields(), ["consent"]);

    // The student keeps their own profile; someone else's is invisible.
    let mine = post(
        &app,
        &st,
        "/api/v1/skill-profiles",
        json!({"skills": [{"skill": "python", "level": 3}], "consent": true}),
    )
    .await;
    assert_eq!(mine["person_id"], me.as_str());
    assert!(
        mine["consent_at"].is_string(),
        "consent is recorded with its time"
    );
    let other = profile(
        &app,
        &w.staff,
        &w.students[1].0,
        json!([{"skill": "speech", "level": 1}]),
        true,
    )
    .await;
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/skill-profiles/{}", id(&other)),
            t,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api("GET", "/api/v1/skill-profiles", t, None)
            .await
            .json()["total"],
        1
    );
    let best = app
        .api(
            "GET",
            &format!("/api/v1/skill-profiles/{}/matches", id(&mine)),
            t,
            None,
        )
        .await
        .json();
    assert_eq!(best["items"][0]["position_id"], id(&open).as_str());
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/positions/{}/matches", id(&open)),
            t,
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "students do not see candidate lists"
    );

    let applied = post(&app, &st, "/api/v1/placements", apply.clone()).await;
    assert_eq!(applied["status"], "applied");
    let twice = app.api("POST", "/api/v1/placements", t, Some(apply)).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(twice.error_code(), "validation_failed");
    assert_eq!(twice.error_fields(), ["position_id"]);

    // The enterprise moves it on; an illegal jump names the field; a student cannot shortlist.
    let ent = app
        .scoped_user(Role::Enterprise, Some(w.iflytek.parse().unwrap()), vec![])
        .await;
    let et = app.token_for(&ent).await;
    let path = format!("/api/v1/placements/{}", id(&applied));
    let self_shortlist = app
        .api(
            "PATCH",
            &path,
            t,
            Some(json!({"version": 1, "status": "shortlisted"})),
        )
        .await;
    assert_eq!(self_shortlist.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .api(
            "PATCH",
            &path,
            Some(&et),
            Some(json!({"version": 1, "status": "shortlisted"})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let jump = app
        .api(
            "PATCH",
            &path,
            s,
            Some(json!({"version": 2, "status": "completed"})),
        )
        .await;
    assert_eq!(jump.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(jump.error_fields(), ["status"]);
    let stale = app
        .api(
            "PATCH",
            &path,
            s,
            Some(json!({"version": 1, "status": "interviewed"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let other_ent = app
        .scoped_user(Role::Enterprise, Some(w.other.parse().unwrap()), vec![])
        .await;
    let ot = app.token_for(&other_ent).await;
    assert_eq!(
        app.api("GET", &path, Some(&ot), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api("GET", "/api/v1/placements", Some(&ot), None)
            .await
            .json()["total"],
        0
    );
    assert_eq!(
        app.api("GET", "/api/v1/placements", t, None).await.json()["total"],
        1
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_changes() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let s = Some(w.staff.as_str());
    let mut body = speech_position(&w.iflytek);
    body["skills"] = json!([]);
    body["seats"] = json!(0);
    let r = app.api("POST", "/api/v1/positions", s, Some(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.error_fields();
    assert!(
        fields.contains(&"skills".to_string()) && fields.contains(&"seats".to_string()),
        "{fields:?}"
    );
    let mut body = speech_position(&w.iflytek);
    body["skills"] = json!([{"skill": "kungfu", "level": 2}]);
    assert_eq!(
        app.api("POST", "/api/v1/positions", s, Some(body.clone()))
            .await
            .error_fields(),
        ["skills.0.skill"]
    );
    body["skills"][0]["free_tag"] = json!(true);
    assert_eq!(
        app.api("POST", "/api/v1/positions", s, Some(body))
            .await
            .status,
        StatusCode::CREATED
    );
    let mut body = speech_position(&w.iflytek);
    body["colour"] = json!("blue");
    body["kind"] = json!("holiday");
    let r = app.api("POST", "/api/v1/positions", s, Some(body)).await;
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["colour", "kind"]);
    assert_eq!(
        app.api("GET", "/api/v1/positions", s, None).await.json()["total"],
        1,
        "nothing else written"
    );
    let r = app
        .api("GET", "/api/v1/positions?sort=colour", s, None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            "POST",
            "/api/v1/employment-outcomes",
            s,
            Some(json!({"cohort": 1800, "destination": "employed"})),
        )
        .await;
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["cohort", "employer"]);
    let o = post(&app, &w.staff, "/api/v1/employment-outcomes", json!({"cohort": 2024, "destination": "employed", "employer": {"en": "iFLYTEK"}, "sector": "ai_speech"})).await;
    assert_eq!(o["cohort"], 2024);
}

#[tokio::test]
async fn pages_in_both_languages_for_staff_enterprise_and_student() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let ent = app
        .scoped_user(Role::Enterprise, Some(w.iflytek.parse().unwrap()), vec![])
        .await;
    let position = post(&app, &w.staff, "/api/v1/positions", {
        let mut b = speech_position(&w.iflytek);
        b["status"] = json!("open");
        b
    })
    .await;
    profile(
        &app,
        &w.staff,
        &w.students[1].0,
        json!([{"skill": "speech", "level": 2}]),
        true,
    )
    .await;
    post(&app, &w.staff, "/api/v1/employment-outcomes", json!({"cohort": 2024, "destination": "employed", "employer": {"en": "iFLYTEK"}, "sector": "ai_speech"})).await;

    let mut b = app.browser_for(&ent).await;
    let page = b
        .get(&format!("/positions/{}?lang=zh-CN", id(&position)))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("候选人排名") && page.body.contains("必备技能"),
        "breakdown in Chinese"
    );
    assert!(page.body.contains("Li Haoran"));
    let page = b
        .get(&format!("/positions/{}?lang=en", id(&position)))
        .await;
    assert!(page.body.contains("Required skills") && page.body.contains("Ranked candidates"));
    // A form that fails keeps what was typed and says why.
    let bad = b
        .post(
            "/positions",
            &[
                ("kind", "internship"),
                ("title_en", "Annotator"),
                ("skills", "kungfu 2"),
                ("seats", "0"),
                ("status", "draft"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"Annotator\"") && bad.body.contains("skills vocabulary"));
    let created = b
        .post(
            "/positions",
            &[
                ("kind", "internship"),
                ("title_en", "Annotator"),
                ("skills", "data_annotation 1"),
                ("seats", "2"),
                ("status", "pending"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let listed = b.get("/positions?lang=zh-CN").await.body;
    assert!(listed.contains("待审核") && listed.contains("Annotator"));
    assert!(b
        .get("/positions?q=nothing-like-this&lang=en")
        .await
        .body
        .contains("No positions match"));
    let edit = created.location().to_string() + "/edit";
    let stale = b
        .post(
            &edit,
            &[
                ("version", "0"),
                ("kind", "internship"),
                ("title_en", "Annotator"),
                ("skills", "data_annotation 1"),
                ("seats", "2"),
                ("status", "pending"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("changed by someone else"));
    let del = b.get(&(created.location().to_string() + "/delete")).await;
    assert!(del.body.contains("Delete “Annotator”?"));

    // A student's own profile with the consent switch, and their best positions.
    let student = app
        .linked_user(Role::Student, None, Some(w.students[0].0.parse().unwrap()))
        .await;
    let mut sb = app.browser_for(&student).await;
    let page = sb.get("/my-profile?lang=zh-CN").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("允许企业查看我的技能档案"));
    let saved = sb
        .post(
            "/my-profile",
            &[
                ("consent", "1"),
                ("skills", "speech 3\npython 2"),
                ("languages", "en B2"),
                ("major", "computer_science"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = sb.get("/my-profile?lang=en").await.body;
    assert!(page.contains("Shown to enterprises since") && page.contains("Speech data intern"));
    let bad = sb.post("/my-profile", &[("skills", "speech lots")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let applied = sb
        .post(&format!("/positions/{}/apply", id(&position)), &[])
        .await;
    assert_eq!(applied.location(), "/placements");
    let again = sb
        .post(&format!("/positions/{}/apply", id(&position)), &[])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("has your application already"));
    assert!(sb
        .get("/placements?lang=zh-CN")
        .await
        .body
        .contains("已申请"));

    // Outcomes: a server-drawn chart.
    let mut staff = app.browser(Role::Staff).await;
    let page = staff.get("/outcomes?lang=zh-CN").await;
    assert!(page.body.contains("<svg") && page.body.contains("人工智能与语音技术"));
    assert!(!page.body.contains("<script"));
}

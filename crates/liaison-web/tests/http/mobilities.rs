//! Mobility records (issue 7, "whole-process service"): a stay moves through its whole lifecycle,
//! illegal changes are refused naming the allowed ones and change nothing, bad input names the
//! field, stale versions conflict, and every role reaches only its own records.

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
    /// Our university, the partner that hosts, a third institution.
    home: String,
    host: String,
    other: String,
    /// A college of `home`, and a unit of `other`.
    college: String,
    other_unit: String,
    /// Two students of `home`.
    li: String,
    wang: String,
}

async fn world(app: &TestApp) -> World {
    let staff = app.token(Role::Staff).await;
    let t = staff.as_str();
    let mut inst = Vec::new();
    for (en, zh, country) in [
        ("Beijing Institute of Technology", "北京理工大学", "CN"),
        (
            "Infrastructure University Kuala Lumpur",
            "吉隆坡建设大学",
            "MY",
        ),
        ("Astana IT University", "阿斯塔纳IT大学", "KZ"),
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
    let college = created(
        app,
        t,
        "/api/v1/org-units",
        json!({"institution_id": inst[0], "kind": "college", "name": {"en": "Xuteli College", "zh": "徐特立学院"}}),
    )
    .await;
    let other_unit = created(
        app,
        t,
        "/api/v1/org-units",
        json!({"institution_id": inst[2], "kind": "office", "name": {"en": "International Office", "zh": "国际处"}}),
    )
    .await;
    let mut people = Vec::new();
    for (en, zh) in [("Li Mingyu", "李明宇"), ("Wang Xiaoling", "王晓玲")] {
        let p = created(
            app,
            t,
            "/api/v1/people",
            json!({"name": {"en": en, "zh": zh}, "institution_id": inst[0], "org_unit_id": id(&college)}),
        )
        .await;
        people.push(id(&p));
    }
    World {
        staff,
        home: inst[0].clone(),
        host: inst[1].clone(),
        other: inst[2].clone(),
        college: id(&college),
        other_unit: id(&other_unit),
        li: people[0].clone(),
        wang: people[1].clone(),
    }
}

fn stay(w: &World, person: &str) -> Value {
    json!({
        "person_id": person, "direction": "outgoing", "mobility_type": "student_studies",
        "level": "bachelor", "home_institution_id": w.home, "host_institution_id": w.host,
        "org_unit_id": w.college, "academic_year": "2024/2025",
        "planned_start": "2024-09-01", "planned_end": "2025-01-31",
        "emergency_contact_name": "Li Jianguo", "emergency_contact_phone": "+86 138 0000 0000",
        "emergency_contact_relation": "father"
    })
}

async fn status(app: &TestApp, token: &str, m: &Value, to: &str, extra: Value) -> Value {
    let mut body = json!({"status": to, "version": m["version"]});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/status", id(m)),
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "to {to}: {}", r.body);
    r.json()
}

#[tokio::test]
async fn a_stay_moves_through_its_whole_lifecycle_and_illegal_changes_change_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = w.staff.as_str();
    let m = created(&app, t, "/api/v1/mobilities", stay(&w, &w.li)).await;
    assert_eq!(m["status"], "nominated");
    assert_eq!(m["person_id"], w.li.as_str());
    assert_eq!(m["level"], "bachelor");
    assert!(m["arrival_confirmed_at"].is_null());

    // Skipping steps is refused with the allowed next states, and nothing changes.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/status", id(&m)),
            Some(t),
            Some(json!({"status": "abroad", "version": m["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("from nominated to abroad; allowed: accepted, cancelled"),
        "{message}"
    );
    assert_eq!(
        r.json()["error"]["details"][0]["allowed"],
        json!(["accepted", "cancelled"])
    );
    let same = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{}", id(&m)),
            Some(t),
            None,
        )
        .await
        .json();
    assert_eq!(same, m, "an illegal change leaves the record as it was");

    let m = status(&app, t, &m, "accepted", json!({})).await;
    let m = status(&app, t, &m, "preparing", json!({})).await;
    let m = status(&app, t, &m, "abroad", json!({"on": "2024-09-02"})).await;
    assert_eq!(m["status"], "abroad");
    assert_eq!(m["actual_start"], "2024-09-02");
    assert!(m["arrival_confirmed_at"].is_string());
    // A return before the arrival is refused on the day given.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/status", id(&m)),
            Some(t),
            Some(json!({"status": "returned", "version": m["version"], "on": "2024-08-01"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.error_fields(), vec!["on"]);
    let m = status(&app, t, &m, "returned", json!({"on": "2025-01-25"})).await;
    assert_eq!(m["actual_end"], "2025-01-25");
    assert!(m["return_confirmed_at"].is_string());
    let m = status(&app, t, &m, "recognised", json!({})).await;
    assert_eq!(m["status"], "recognised");
    assert_eq!(m["version"], 6);

    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/status", id(&m)),
            Some(t),
            Some(json!({"status": "cancelled", "version": m["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("recognised is final"), "{}", r.body);

    // Every step is in the audit log.
    let audit = app
        .api(
            "GET",
            &format!("/api/v1/audit?entity=mobility&entity_id={}", id(&m)),
            Some(&app.token(Role::Admin).await),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 6, "{audit}");

    // A stay can be cancelled before it begins, not after.
    let n = created(&app, t, "/api/v1/mobilities", stay(&w, &w.wang)).await;
    let n = status(&app, t, &n, "cancelled", json!({})).await;
    assert_eq!(n["status"], "cancelled");
}

#[tokio::test]
async fn bad_input_names_the_field_and_stores_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = w.staff.as_str();
    let post = |body: Value| {
        let app = &app;
        async move {
            let r = app
                .api("POST", "/api/v1/mobilities", Some(t), Some(body))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert_eq!(r.error_code(), "validation_failed");
            r.error_fields()
        }
    };
    let with = |changes: Value| {
        let mut b = stay(&w, &w.li);
        for (k, v) in changes.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    assert_eq!(
        post(with(json!({"host_institution_id": w.home}))).await,
        vec!["host_institution_id"]
    );
    assert_eq!(
        post(with(json!({"planned_end": "2024-08-31"}))).await,
        vec!["planned_end"]
    );
    assert_eq!(
        post(with(
            json!({"actual_start": "2024-09-05", "actual_end": "2024-09-04"})
        ))
        .await,
        vec!["actual_end"]
    );
    assert_eq!(
        post(with(json!({"mobility_type": "staff_teaching"}))).await,
        vec!["level"]
    );
    assert_eq!(post(with(json!({"level": null}))).await, vec!["level"]);
    assert_eq!(
        post(with(json!({"academic_year": "2024/2026"}))).await,
        vec!["academic_year"]
    );
    assert_eq!(
        post(with(json!({"planned_start": "2024-02-30"}))).await,
        vec!["planned_start"]
    );
    assert_eq!(
        post(with(json!({"direction": "sideways", "status": "flying"}))).await,
        vec!["status", "direction"]
    );
    assert_eq!(
        post(with(json!({"emergency_contact_phone": "ring ring"}))).await,
        vec!["emergency_contact_phone"]
    );
    assert_eq!(post(with(json!({"colour": "red"}))).await, vec!["colour"]);
    assert_eq!(
        post(with(json!({"person_id": "999999"}))).await,
        vec!["person_id"]
    );
    assert_eq!(
        post(with(json!({"org_unit_id": w.other_unit}))).await,
        vec!["org_unit_id"]
    );
    assert_eq!(
        post(with(json!({"condition_id": "5"}))).await,
        vec!["agreement_id"]
    );
    let missing = post(json!({})).await;
    for f in [
        "person_id",
        "direction",
        "mobility_type",
        "home_institution_id",
        "host_institution_id",
        "academic_year",
        "planned_start",
        "planned_end",
    ] {
        assert!(missing.contains(&f.to_string()), "{f}: {missing:?}");
    }
    let list = app
        .api("GET", "/api/v1/mobilities", Some(t), None)
        .await
        .json();
    assert_eq!(list["total"], 0);
    // Bad filters are a 422 naming the parameter.
    for q in [
        "status=flying",
        "year=20x4",
        "abroad_on=yesterday",
        "institution_id=x",
        "sort=colour",
        "colour=red",
    ] {
        let r = app
            .api("GET", &format!("/api/v1/mobilities?{q}"), Some(t), None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    }
}

#[tokio::test]
async fn stale_versions_conflict_and_delete_needs_the_current_one() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = w.staff.as_str();
    let m = created(&app, t, "/api/v1/mobilities", stay(&w, &w.li)).await;
    let path = format!("/api/v1/mobilities/{}", id(&m));
    let r = app
        .api(
            "PATCH",
            &path,
            Some(t),
            Some(json!({"version": 1, "notes": "Housing booked", "host_institution_id": w.other})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["notes"], "Housing booked");
    assert_eq!(r.json()["host_institution_id"], w.other.as_str());
    assert_eq!(
        r.json()["status"],
        "nominated",
        "PATCH never moves the status"
    );
    let stale = app
        .api(
            "PATCH",
            &path,
            Some(t),
            Some(json!({"version": 1, "notes": "x"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let stale = app
        .api(
            "POST",
            &format!("{path}/status"),
            Some(t),
            Some(json!({"version": 1, "status": "accepted"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let r = app
        .api("PATCH", &path, Some(t), Some(json!({"notes": "x"})))
        .await;
    assert_eq!(r.error_fields(), vec!["version"]);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(t),
            Some(json!({"version": 2, "status": "abroad"})),
        )
        .await;
    assert_eq!(
        r.error_fields(),
        vec!["status"],
        "status is not a PATCH field"
    );
    let current = app.api("GET", &path, Some(t), None).await.json();
    assert_eq!(current["version"], 2);
    assert_eq!(current["notes"], "Housing booked");
    // A person or institution a stay names cannot be deleted from under it.
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/people/{}?version=1", w.li),
            Some(t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    let r = app
        .api("DELETE", &format!("{path}?version=1"), Some(t), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .api("DELETE", &format!("{path}?version=2"), Some(t), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.api("GET", &path, Some(t), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_role_reaches_only_its_own_stays() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = w.staff.as_str();
    let mine = created(&app, t, "/api/v1/mobilities", stay(&w, &w.li)).await;
    let theirs = created(&app, t, "/api/v1/mobilities", stay(&w, &w.wang)).await;
    // An incoming stay at our university from the third institution, looked after by no unit.
    let incoming = created(
        &app,
        t,
        "/api/v1/mobilities",
        json!({"person_id": w.wang, "direction": "incoming", "mobility_type": "staff_teaching",
            "home_institution_id": w.other, "host_institution_id": w.home,
            "academic_year": "2025/2026", "planned_start": "2025-10-06", "planned_end": "2025-10-17"}),
    )
    .await;

    let li: i64 = w.li.parse().unwrap();
    let student = app.linked_user(Role::Student, None, Some(li)).await;
    let s = app.token_for(&student).await;
    let list = app
        .api("GET", "/api/v1/mobilities", Some(&s), None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id(&mine).as_str());
    // Asking for someone else's by filter or by id finds nothing.
    let list = app
        .api(
            "GET",
            &format!("/api/v1/mobilities?person_id={}", w.wang),
            Some(&s),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 0);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{}", id(&theirs)),
            Some(&s),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            "POST",
            "/api/v1/mobilities",
            Some(&s),
            Some(stay(&w, &w.li)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/status", id(&mine)),
            Some(&s),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A student account with no linked person sees nothing.
    let unlinked = app.token(Role::Student).await;
    let list = app
        .api("GET", "/api/v1/mobilities", Some(&unlinked), None)
        .await
        .json();
    assert_eq!(list["total"], 0);

    // The host's partner contact sees the two stays at their institution, not the incoming one.
    let host: i64 = w.host.parse().unwrap();
    let partner = app.scoped_user(Role::Partner, Some(host), vec![]).await;
    let p = app.token_for(&partner).await;
    let list = app
        .api("GET", "/api/v1/mobilities", Some(&p), None)
        .await
        .json();
    assert_eq!(list["total"], 2);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{}", id(&incoming)),
            Some(&p),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The college's coordinator reaches the college's stays and may only record stays for it.
    let college: i64 = w.college.parse().unwrap();
    let coordinator = app
        .scoped_user(Role::Coordinator, None, vec![college])
        .await;
    let c = app.token_for(&coordinator).await;
    let list = app
        .api("GET", "/api/v1/mobilities", Some(&c), None)
        .await
        .json();
    assert_eq!(list["total"], 2);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{}", id(&incoming)),
            Some(&c),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut elsewhere = stay(&w, &w.li);
    elsewhere["org_unit_id"] = Value::Null;
    let r = app
        .api("POST", "/api/v1/mobilities", Some(&c), Some(elsewhere))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.error_fields(), vec!["org_unit_id"]);
    let ok = created(&app, &c, "/api/v1/mobilities", stay(&w, &w.li)).await;
    status(&app, &c, &ok, "accepted", json!({})).await;
}

#[tokio::test]
async fn filters_find_who_is_abroad_when_and_where() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = w.staff.as_str();
    let a = created(&app, t, "/api/v1/mobilities", stay(&w, &w.li)).await;
    let a = status(&app, t, &a, "accepted", json!({})).await;
    let a = status(&app, t, &a, "preparing", json!({})).await;
    status(&app, t, &a, "abroad", json!({"on": "2024-09-01"})).await;
    let mut later = stay(&w, &w.wang);
    later["planned_start"] = json!("2025-02-20");
    later["planned_end"] = json!("2025-07-10");
    later["host_institution_id"] = json!(w.other);
    created(&app, t, "/api/v1/mobilities", later).await;
    let total = |q: &'static str| {
        let app = &app;
        async move {
            let r = app
                .api("GET", &format!("/api/v1/mobilities?{q}"), Some(t), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
            r.json()["total"].as_i64().unwrap()
        }
    };
    assert_eq!(total("").await, 2);
    assert_eq!(total("status=abroad").await, 1);
    assert_eq!(total("abroad_on=2024-12-01").await, 1);
    assert_eq!(total("abroad_on=2024-08-01").await, 0);
    // Still abroad with no return recorded: abroad on any later day too.
    assert_eq!(total("abroad_on=2026-12-01").await, 1);
    assert_eq!(total("year=2025").await, 1);
    assert_eq!(total("year=2024&direction=outgoing").await, 1);
    assert_eq!(total("direction=incoming").await, 0);
    assert_eq!(
        total("academic_year=2024/2025&mobility_type=student_studies").await,
        2
    );
    assert_eq!(total("q=王晓").await, 1);
    assert_eq!(total("q=mingyu").await, 1);
    assert_eq!(total("q=Kuala").await, 1);
    let host_filter = format!("institution_id={}", w.other);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/mobilities?{host_filter}&sort=-start_on&per_page=1"),
            Some(t),
            None,
        )
        .await
        .json();
    assert_eq!(r["total"], 1);
    assert_eq!(r["per_page"], 1);
    assert_eq!(r["items"][0]["planned_start"], "2025-02-20");
    let r = app
        .api(
            "GET",
            &format!(
                "/api/v1/mobilities?org_unit_id={}&sort=-start_on",
                w.college
            ),
            Some(t),
            None,
        )
        .await
        .json();
    assert_eq!(r["total"], 2);
    assert_eq!(r["items"][0]["planned_start"], "2025-02-20");
}

#[tokio::test]
async fn pages_list_show_and_move_stays_in_both_languages() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let t = w.staff.as_str();
    let m = created(&app, t, "/api/v1/mobilities", stay(&w, &w.li)).await;
    created(&app, t, "/api/v1/mobilities", stay(&w, &w.wang)).await;
    let mut office = app.browser(Role::Staff).await;

    let page = office.get("/mobilities?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Li Mingyu") && page.body.contains("Wang Xiaoling"));
    let page = office.get("/mobilities?lang=zh-CN").await;
    assert!(
        page.body.contains("李明宇") && page.body.contains("已提名"),
        "{}",
        page.body
    );

    // The page offers only the allowed next states.
    let path = format!("/mobilities/{}", id(&m));
    let page = office.get(&format!("{path}?lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"accepted\""));
    assert!(page.body.contains("value=\"cancelled\""));
    assert!(!page.body.contains("value=\"abroad\""));
    // An illegal change through the form is refused with the allowed ones named.
    let r = office
        .post(
            &format!("{path}/status"),
            &[("status", "abroad"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Allowed next"), "{}", r.body);
    for to in ["accepted", "preparing", "abroad"] {
        let current = app
            .api("GET", &format!("/api/v1{path}"), Some(t), None)
            .await
            .json();
        let v = current["version"].to_string();
        let r = office
            .post(
                &format!("{path}/status"),
                &[("status", to), ("version", &v)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{to}: {}", r.body);
    }
    let abroad = office.get("/mobilities/abroad?lang=zh-CN").await;
    assert_eq!(abroad.status, StatusCode::OK);
    assert!(abroad.body.contains("李明宇"));
    assert!(
        abroad.body.contains("+86 138 0000 0000"),
        "emergency contact shown"
    );
    assert!(!abroad.body.contains("王晓玲"), "not abroad");
    let incoming = office.get("/mobilities/abroad?direction=incoming").await;
    assert_eq!(incoming.status, StatusCode::OK);
    assert!(!incoming.body.contains("李明宇"), "an outgoing stay");
    // A stay about to begin this month is listed among this month's departures.
    let today = liaison_domain::event::iso_date::format(liaison_storage::today());
    let mut soon = stay(&w, &w.wang);
    soon["planned_start"] = json!(today);
    soon["planned_end"] = json!(today);
    soon["academic_year"] = json!("2026/2027");
    soon["status"] = json!("preparing");
    created(&app, t, "/api/v1/mobilities", soon).await;
    let abroad = office.get("/mobilities/abroad?lang=en").await;
    let arriving = abroad.body.find("Leaving or arriving this month").unwrap();
    let wang = abroad.body.find("Wang Xiaoling").expect("listed");
    assert!(wang > arriving, "under this month's departures");
    let r = app
        .api(
            "GET",
            "/api/v1/mobilities?q=wang&sort=-start_on",
            Some(t),
            None,
        )
        .await
        .json();
    let soon_id = r["items"][0]["id"].as_str().unwrap().to_string();
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/mobilities/{soon_id}?version=1"),
            Some(t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // Create through the form: errors name the field; then a valid one.
    let form = [
        ("person_id", w.wang.as_str()),
        ("direction", "outgoing"),
        ("mobility_type", "student_traineeship"),
        ("level", "master"),
        ("home_institution_id", w.home.as_str()),
        ("host_institution_id", w.home.as_str()),
        ("academic_year", "2025/2026"),
        ("planned_start", "2025-09-01"),
        ("planned_end", "2025-12-20"),
    ];
    let r = office.post("/mobilities", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("id=\"host_institution_id-error\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("must differ from the home institution"),
        "in the language last chosen"
    );
    let mut good = form.to_vec();
    good[5] = ("host_institution_id", w.host.as_str());
    let r = office.post("/mobilities", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let created_path = r.location().to_string();
    let page = office.get(&format!("{created_path}/edit?lang=zh-CN")).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = office.get(&format!("{created_path}/delete?lang=en")).await;
    assert!(page.body.contains("Delete the stay of Wang Xiaoling?"));
    let r = office
        .post(&format!("{created_path}/delete"), &[("version", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        office.get(&created_path).await.status,
        StatusCode::NOT_FOUND
    );

    // The student sees "my mobilities": their own stay only, without the office's buttons.
    let li: i64 = w.li.parse().unwrap();
    let email = app.linked_user(Role::Student, None, Some(li)).await;
    let mut student = app.browser_for(&email).await;
    for lang in ["en", "zh-CN"] {
        let page = student.get(&format!("/mobilities?lang={lang}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(if lang == "en" {
            "My mobilities"
        } else {
            "我的交流"
        }));
        assert!(page.body.contains(if lang == "en" {
            "Li Mingyu"
        } else {
            "李明宇"
        }));
        assert!(!page.body.contains("Wang") && !page.body.contains("王晓玲"));
    }
    let page = student.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("/status\""),
        "no status buttons for students"
    );
    let other = app
        .api("GET", "/api/v1/mobilities?q=wang", Some(t), None)
        .await
        .json();
    let other_path = format!("/mobilities/{}", other["items"][0]["id"].as_str().unwrap());
    assert_eq!(student.get(&other_path).await.status, StatusCode::NOT_FOUND);
}

/// A person's stays are part of their personal data: the export holds them, and anonymising the
/// person clears the stays' emergency contact and notes and forgets the old name in search.
#[tokio::test]
async fn personal_data_export_and_anonymisation_cover_the_stays() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut body = stay(&w, &w.li);
    body["notes"] = json!("Allergic to penicillin");
    let m = created(&app, &w.staff, "/api/v1/mobilities", body).await;
    let admin = app.token(Role::Admin).await;

    let export = app
        .api(
            "GET",
            &format!("/api/v1/people/{}/export", w.li),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let stays = export.json()["mobilities"].clone();
    assert_eq!(stays.as_array().unwrap().len(), 1, "{stays}");
    assert_eq!(stays[0]["emergency_contact_name"], "Li Jianguo");

    let found = |q: &'static str| {
        let app = &app;
        let token = w.staff.clone();
        async move {
            app.api(
                "GET",
                &format!("/api/v1/mobilities?q={q}"),
                Some(&token),
                None,
            )
            .await
            .json()["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(found("Mingyu").await, 1);
    let person = app
        .api(
            "GET",
            &format!("/api/v1/people/{}", w.li),
            Some(&admin),
            None,
        )
        .await
        .json();
    let gone = app
        .api(
            "POST",
            &format!("/api/v1/people/{}/anonymise", w.li),
            Some(&admin),
            Some(json!({"version": person["version"]})),
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let after = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{}", id(&m)),
            Some(&admin),
            None,
        )
        .await
        .json();
    for field in [
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relation",
        "notes",
    ] {
        assert!(
            after.get(field).is_none_or(|v| v.is_null()),
            "{field}: {after}"
        );
    }
    assert_eq!(after["status"], m["status"], "the stay itself is kept");
    assert_eq!(
        found("Mingyu").await,
        0,
        "the old name no longer finds the stay"
    );
    assert_eq!(found("Kuala").await, 1, "the institutions still do");
}

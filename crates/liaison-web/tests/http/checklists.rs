//! Whole-process checklists (issue 7): a new stay gets its template's items with due dates from
//! its planned dates; the student uploads a file and confirms items, confirms their own arrival
//! and return; staff reopen items and see what is overdue; templates are edited with validation,
//! conflicts and confirmation, without touching the checklists of stays already recorded; every
//! role reaches only what it should.

use axum::http::StatusCode;
use serde_json::{json, Value};
use time::Duration;

use crate::events::pdf;
use crate::support::TestApp;
use liaison_domain::event::iso_date;
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
    li: String,
    wang: String,
}

async fn world(app: &TestApp) -> World {
    let staff = app.token(Role::Staff).await;
    let mut inst = Vec::new();
    for (en, zh, country) in [
        ("Beijing Institute of Technology", "北京理工大学", "CN"),
        (
            "Infrastructure University Kuala Lumpur",
            "吉隆坡建设大学",
            "MY",
        ),
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
    let mut people = Vec::new();
    for (en, zh) in [("Li Mingyu", "李明宇"), ("Wang Xiaoling", "王晓玲")] {
        let p = created(
            app,
            &staff,
            "/api/v1/people",
            json!({"name": {"en": en, "zh": zh}, "institution_id": inst[0]}),
        )
        .await;
        people.push(id(&p));
    }
    World {
        staff,
        home: inst[0].clone(),
        host: inst[1].clone(),
        li: people[0].clone(),
        wang: people[1].clone(),
    }
}

/// A semester abroad starting two months from today.
fn stay(w: &World, person: &str, mobility_type: &str) -> Value {
    let today = liaison_storage::today();
    let start = today + Duration::days(60);
    let end = start + Duration::days(150);
    let mut v = json!({
        "person_id": person, "direction": "outgoing", "mobility_type": mobility_type,
        "home_institution_id": w.home, "host_institution_id": w.host,
        "academic_year": "2026/2027",
        "planned_start": iso_date::format(start), "planned_end": iso_date::format(end),
    });
    if mobility_type.starts_with("student") {
        v["level"] = json!("bachelor");
    }
    v
}

async fn checklist(app: &TestApp, token: &str, stay: &str) -> Vec<Value> {
    let r = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{stay}/checklist"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["items"].as_array().unwrap().clone()
}

fn titled<'a>(items: &'a [Value], en: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["title"]["en"] == en)
        .unwrap_or_else(|| panic!("no item {en} in {items:?}"))
}

async fn status(app: &TestApp, token: &str, stay: &str, to: &str) -> Value {
    let current = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{stay}"),
            Some(token),
            None,
        )
        .await
        .json();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{stay}/status"),
            Some(token),
            Some(json!({"status": to, "version": current["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "to {to}: {}", r.body);
    r.json()
}

#[tokio::test]
async fn a_student_works_through_the_checklist_of_their_stay() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let m = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        stay(&w, &w.li, "student_studies"),
    )
    .await;
    let stay_id = id(&m);
    let today = liaison_storage::today();
    let start = today + Duration::days(60);

    // The stay got the shipped template for outgoing study stays, due dates from its start/end.
    let items = checklist(&app, &w.staff, &stay_id).await;
    assert_eq!(items.len(), 10, "{items:?}");
    assert_eq!(items[0]["title"]["en"], "Acceptance letter from the host");
    assert_eq!(items[0]["title"]["zh"], "接收方录取函");
    let letter = titled(&items, "Acceptance letter from the host");
    assert_eq!(
        letter["due_on"],
        iso_date::format(start - Duration::days(90))
    );
    assert_eq!(letter["needs_upload"], true);
    assert!(items.iter().all(|i| i["done_at"].is_null()));
    let visa = titled(&items, "Visa");
    assert_eq!(visa["due_on"], iso_date::format(start - Duration::days(30)));

    // The student sees their checklist, the acceptance letter already overdue.
    let li_account = app
        .linked_user(Role::Student, None, Some(w.li.parse().unwrap()))
        .await;
    let mut student = app.browser_for(&li_account).await;
    let page = student.get(&format!("/mobilities/{stay_id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Checklist") && page.body.contains("0 of 10 done"));
    assert!(page.body.contains("Acceptance letter from the host"));
    assert!(page.body.contains("Overdue"));
    let zh = student
        .get(&format!("/mobilities/{stay_id}?lang=zh-CN"))
        .await;
    assert!(zh.body.contains("事项清单") && zh.body.contains("接收方录取函"));
    assert!(zh.body.contains("已逾期"));
    student.get("/mobilities?lang=en").await;

    // Confirming an item that needs a file, without the file: refused, nothing changes.
    let tick_path = format!("/mobilities/{stay_id}/checklist/{}", id(letter));
    let version = letter["version"].to_string();
    let r = student
        .post(&tick_path, &[("version", &version), ("done", "1")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("needs its file first"), "{}", r.body);
    let items = checklist(&app, &w.staff, &stay_id).await;
    assert!(titled(&items, "Acceptance letter from the host")["done_at"].is_null());

    // The student uploads the letter, then confirms the item.
    let r = student
        .upload(&format!("{tick_path}/file"), "录取函.pdf", &pdf())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let items = checklist(&app, &w.staff, &stay_id).await;
    let letter = titled(&items, "Acceptance letter from the host").clone();
    let doc = id(&json!({"id": letter["document_id"]}));
    let file = student.get(&format!("/documents/{doc}")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.starts_with("%PDF"));
    let version = letter["version"].to_string();
    let r = student
        .post(&tick_path, &[("version", &version), ("done", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = student.get(&format!("/mobilities/{stay_id}")).await;
    assert!(page.body.contains("1 of 10 done"), "{}", page.body);
    assert!(page.body.contains("录取函.pdf"));
    let items = checklist(&app, &w.staff, &stay_id).await;
    let letter = titled(&items, "Acceptance letter from the host").clone();
    assert!(letter["done_at"].is_string());

    // Only staff reopen an item; a stale version conflicts.
    let version = letter["version"].to_string();
    let r = student
        .post(&tick_path, &[("version", &version), ("done", "0")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let api_tick = format!("/api/v1/mobilities/{stay_id}/checklist/{}", id(&letter));
    let r = app
        .api(
            "POST",
            &api_tick,
            Some(&w.staff),
            Some(json!({"done": false, "version": letter["version"].as_i64().unwrap() - 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app
        .api(
            "POST",
            &api_tick,
            Some(&w.staff),
            Some(json!({"done": false, "version": letter["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["done_at"].is_null());
    let r = app
        .api(
            "POST",
            &api_tick,
            Some(&w.staff),
            Some(json!({"done": "yes", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Every change is in the audit log.
    let admin = app.token(Role::Admin).await;
    let audit = app
        .api(
            "GET",
            "/api/v1/audit?entity=checklist-item",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
    assert!(
        audit.json()["total"].as_i64().unwrap() >= 3,
        "{}",
        audit.body
    );

    // The office sees the overdue letter; a cancelled stay's items are not counted.
    let mut office = app.browser(Role::Staff).await;
    let overdue = office.get("/mobilities/overdue").await;
    assert_eq!(overdue.status, StatusCode::OK);
    assert!(overdue.body.contains("Li Mingyu"));
    assert!(overdue.body.contains("Acceptance letter from the host"));
    let other = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        stay(&w, &w.wang, "student_studies"),
    )
    .await;
    assert!(office
        .get("/mobilities/overdue")
        .await
        .body
        .contains("Wang Xiaoling"));
    status(&app, &w.staff, &id(&other), "cancelled").await;
    let overdue = office.get("/mobilities/overdue?lang=zh-CN").await;
    assert!(overdue.body.contains("逾期事项"));
    assert!(!overdue.body.contains("王晓玲"), "{}", overdue.body);
    // Students do not get the office's list.
    assert_eq!(
        student.get("/mobilities/overdue").await.status,
        StatusCode::FORBIDDEN
    );

    // The student confirms their own arrival, once it is time, and their return.
    let arrive = |version: String| {
        vec![
            ("version".to_string(), version),
            ("step".to_string(), "arrival".to_string()),
        ]
    };
    let current = status(&app, &w.staff, &stay_id, "accepted").await;
    let fields = arrive(current["version"].to_string());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let r = student
        .post(&format!("/mobilities/{stay_id}/confirm"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("cannot be confirmed now"), "{}", r.body);
    let current = status(&app, &w.staff, &stay_id, "preparing").await;
    let page = student.get(&format!("/mobilities/{stay_id}")).await;
    assert!(page.body.contains("I have arrived"));
    let fields = arrive(current["version"].to_string());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let r = student
        .post(&format!("/mobilities/{stay_id}/confirm"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{stay_id}"),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(now["status"], "abroad");
    assert_eq!(now["actual_start"], iso_date::format(today));
    assert!(now["arrival_confirmed_at"].is_string());
    let version = now["version"].to_string();
    let r = student
        .post(
            &format!("/mobilities/{stay_id}/confirm"),
            &[("version", &version), ("step", "return")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{stay_id}"),
            Some(&w.staff),
            None,
        )
        .await
        .json();
    assert_eq!(now["status"], "returned");
}

#[tokio::test]
async fn each_role_reaches_only_its_own_checklists() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let m = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        stay(&w, &w.li, "student_studies"),
    )
    .await;
    let stay_id = id(&m);
    let items = checklist(&app, &w.staff, &stay_id).await;
    let item = titled(&items, "Accommodation arranged").clone();
    let tick = format!("/api/v1/mobilities/{stay_id}/checklist/{}", id(&item));
    let body = json!({"done": true, "version": item["version"]});

    // Another student: the stay does not exist for them.
    let wang = app
        .linked_user(Role::Student, None, Some(w.wang.parse().unwrap()))
        .await;
    let wang = app.token_for(&wang).await;
    for (method, path, body) in [
        (
            "GET",
            format!("/api/v1/mobilities/{stay_id}/checklist"),
            None,
        ),
        ("POST", tick.clone(), Some(body.clone())),
    ] {
        let r = app.api(method, &path, Some(&wang), body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    // The host's partner contact reads the checklist but does not tick it.
    let partner = app
        .linked_user(Role::Partner, Some(w.host.parse().unwrap()), None)
        .await;
    let partner = app.token_for(&partner).await;
    assert_eq!(checklist(&app, &partner, &stay_id).await.len(), 10);
    let r = app
        .api("POST", &tick, Some(&partner), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An item of another stay is not found through this one.
    let other = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        stay(&w, &w.wang, "student_studies"),
    )
    .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/mobilities/{}/checklist/{}", id(&other), id(&item)),
            Some(&w.staff),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The student ticks their own item (it needs no file); deleting the stay takes the
    // checklist with it.
    let li = app
        .linked_user(Role::Student, None, Some(w.li.parse().unwrap()))
        .await;
    let li = app.token_for(&li).await;
    let r = app.api("POST", &tick, Some(&li), Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let version = app
        .api(
            "GET",
            &format!("/api/v1/mobilities/{stay_id}"),
            Some(&w.staff),
            None,
        )
        .await
        .json()["version"]
        .clone();
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/mobilities/{stay_id}?version={version}"),
            Some(&w.staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(matches!(
        app.db
            .checklist_item(item["id"].as_str().unwrap().parse().unwrap())
            .await,
        Err(liaison_storage::StoreError::NotFound)
    ));
}

#[tokio::test]
async fn staff_edit_templates_without_rewriting_recorded_stays() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut office = app.browser(Role::Staff).await;
    let page = office.get("/checklists").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Pre-departure briefing attended"));
    assert!(page.body.contains("7 days before the start"));
    let before = app.db.checklist_templates().await.unwrap().len();

    // Bad input names each field and stores nothing.
    let r = office
        .post(
            "/checklists",
            &[
                ("mobility_type", "staff_teaching"),
                ("direction", "outgoing"),
                ("title_en", ""),
                ("position", "7"),
                ("anchor", "start"),
                ("offset_days", "400"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#title\""), "{}", r.body);
    assert!(r.body.contains("href=\"#offset_days\""), "{}", r.body);
    assert_eq!(app.db.checklist_templates().await.unwrap().len(), before);

    // A new item for teaching visits.
    let r = office
        .post(
            "/checklists",
            &[
                ("mobility_type", "staff_teaching"),
                ("direction", "outgoing"),
                ("title_en", "Teaching plan"),
                ("title_zh", "教学计划"),
                ("position", "7"),
                ("anchor", "start"),
                ("offset_days", "-14"),
                ("needs_upload", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let templates = app.db.checklist_templates().await.unwrap();
    let plan = templates
        .iter()
        .find(|t| t.draft.title.en.as_deref() == Some("Teaching plan"))
        .unwrap()
        .clone();
    assert!(plan.draft.needs_upload);

    // A teaching stay recorded now gets it.
    let teacher = created(
        &app,
        &w.staff,
        "/api/v1/people",
        json!({"name": {"en": "Zhang Wei", "zh": "张伟"}, "institution_id": w.home}),
    )
    .await;
    let visit = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        stay(&w, &id(&teacher), "staff_teaching"),
    )
    .await;
    let items = checklist(&app, &w.staff, &id(&visit)).await;
    assert_eq!(items.len(), 7);
    assert_eq!(titled(&items, "Teaching plan")["title"]["zh"], "教学计划");

    // A stale edit conflicts and keeps what was typed; a current one saves.
    let edit = format!("/checklists/{}/edit", plan.id);
    let fields = |version: &str| -> Vec<(String, String)> {
        [
            ("mobility_type", "staff_teaching"),
            ("direction", "outgoing"),
            ("title_en", "Teaching plan and syllabus"),
            ("title_zh", "教学计划及大纲"),
            ("position", "7"),
            ("anchor", "start"),
            ("offset_days", "-21"),
            ("needs_upload", "1"),
            ("version", version),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let stale = fields("99");
    let stale: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let r = office.post(&edit, &stale).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Teaching plan and syllabus"));
    let current = fields(&plan.version.to_string());
    let current: Vec<(&str, &str)> = current.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    assert_eq!(
        office.post(&edit, &current).await.status,
        StatusCode::SEE_OTHER
    );

    // Deleting asks first; afterwards new stays lack the item, the recorded one keeps it.
    let confirm = office.get(&format!("/checklists/{}/delete", plan.id)).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Teaching plan and syllabus"));
    let version = (plan.version + 1).to_string();
    let r = office
        .post(
            &format!("/checklists/{}/delete", plan.id),
            &[("version", &version)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.checklist_templates().await.unwrap().len(), before);
    let items = checklist(&app, &w.staff, &id(&visit)).await;
    assert_eq!(titled(&items, "Teaching plan")["needs_upload"], true);
    let later = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        stay(&w, &id(&teacher), "staff_teaching"),
    )
    .await;
    assert_eq!(checklist(&app, &w.staff, &id(&later)).await.len(), 6);

    // Coordinators follow stays but do not edit the office's templates.
    let mut coordinator = app.browser(Role::Coordinator).await;
    assert_eq!(
        coordinator.get("/checklists").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn records_of_past_stays_do_not_show_up_as_overdue_work() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let past = |person: &str, status: &str| {
        let mut v = stay(&w, person, "student_studies");
        v["planned_start"] = json!("2023-09-01");
        v["planned_end"] = json!("2024-01-31");
        v["academic_year"] = json!("2023/2024");
        v["status"] = json!(status);
        v
    };
    // Recognised: the whole checklist is behind it.
    let m = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        past(&w.li, "recognised"),
    )
    .await;
    let items = checklist(&app, &w.staff, &id(&m)).await;
    assert_eq!(items.len(), 10);
    assert!(items.iter().all(|i| i["done_at"].is_string()), "{items:?}");
    let mut office = app.browser(Role::Staff).await;
    let overdue = office.get("/mobilities/overdue").await;
    assert!(
        overdue.body.contains("Nothing is overdue"),
        "{}",
        overdue.body
    );
    // Returned but not yet recognised: the transcript and the credits are still to do.
    let m = created(
        &app,
        &w.staff,
        "/api/v1/mobilities",
        past(&w.wang, "returned"),
    )
    .await;
    let open: Vec<String> = checklist(&app, &w.staff, &id(&m))
        .await
        .iter()
        .filter(|i| i["done_at"].is_null())
        .map(|i| i["title"]["en"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        open,
        ["Transcript of records from the host", "Credit recognition"]
    );
    let overdue = office.get("/mobilities/overdue").await;
    assert!(overdue.body.contains("Wang Xiaoling") && overdue.body.contains("Credit recognition"));
}

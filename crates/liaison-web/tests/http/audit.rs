//! The audit viewer (page, API, CSV) and an administrator's personal-data tools (export,
//! anonymise), checked through HTTP as their users would.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{Reply, TestApp, PASSWORD};
use liaison_domain::Role;
use liaison_storage::{Actor, NewUser};

/// A new account with `role`: its e-mail and a bearer token.
async fn account(app: &TestApp, role: Role) -> (String, String) {
    let email = app.user(role).await;
    let token = login(app, &email, PASSWORD).await;
    assert_eq!(token.status, StatusCode::OK, "{}", token.body);
    (email, token.json()["token"].as_str().unwrap().to_string())
}

async fn login(app: &TestApp, email: &str, password: &str) -> Reply {
    app.api(
        "POST",
        "/api/v1/auth/token",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

async fn create(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = app.api("POST", path, Some(token), Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("string id").to_string()
}

/// `GET /api/v1/audit?{query}` as `token`, asserting 200.
async fn audit(app: &TestApp, token: &str, query: &str) -> Value {
    let reply = app
        .api("GET", &format!("/api/v1/audit?{query}"), Some(token), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "?{query}: {}", reply.body);
    reply.json()
}

fn actions(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["action"].as_str().unwrap(),
                e["entity"].as_str().unwrap()
            )
        })
        .collect()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A minimal RFC 4180 reader, to check what a spreadsheet would see.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "CSV ends with a line break"
    );
    rows
}

#[tokio::test]
async fn audit_list_filters_by_user_record_action_and_dates() {
    let app = TestApp::new().await;
    let (staff_email, staff) = account(&app, Role::Staff).await;
    let (admin_email, admin) = account(&app, Role::Admin).await;
    let inst = create(
        &app,
        &staff,
        "/api/v1/institutions",
        json!({"kind": "university", "name": {"en": "Astana IT University"}, "country": "KZ"}),
    )
    .await;
    let person = create(
        &app,
        &staff,
        "/api/v1/people",
        json!({"name": {"en": "Aigerim Sadykova"}, "institution_id": id(&inst)}),
    )
    .await;
    let pid = id(&person);
    let changed = app
        .api(
            "PATCH",
            &format!("/api/v1/people/{pid}"),
            Some(&admin),
            Some(json!({"version": 1, "title": {"en": "Dean"}})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

    let all = audit(&app, &staff, "").await;
    assert_eq!(all["total"], 5);
    assert_eq!(
        actions(&all),
        [
            "update person",
            "create person",
            "create institution",
            "create user",
            "create user"
        ],
        "newest first (the two accounts were created first)"
    );
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 50);
    let first = &all["items"][0];
    assert!(first["id"].is_string() && first["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first["actor"], admin_email.as_str());
    assert_eq!(first["before"]["version"], 1);
    assert_eq!(first["after"]["title"]["en"], "Dean");

    let by_staff = audit(&app, &staff, &format!("actor={}", enc(&staff_email))).await;
    assert_eq!(actions(&by_staff), ["create person", "create institution"]);
    let by_admin = audit(
        &app,
        &staff,
        &format!("actor={}", enc(&admin_email.to_uppercase())),
    )
    .await;
    assert_eq!(
        actions(&by_admin),
        ["update person"],
        "e-mails match in any case"
    );
    let people = audit(&app, &staff, "entity=person").await;
    assert_eq!(actions(&people), ["update person", "create person"]);
    let one = audit(
        &app,
        &staff,
        &format!("entity=institution&entity_id={}", id(&inst)),
    )
    .await;
    assert_eq!(actions(&one), ["create institution"]);
    let updates = audit(&app, &staff, "action=update").await;
    assert_eq!(actions(&updates), ["update person"]);
    let none = audit(&app, &staff, "entity=person&entity_id=999999").await;
    assert_eq!(none["total"], 0);
    assert_eq!(none["items"], json!([]));

    // Dates are whole UTC days, both ends inclusive. Move the entries to known times (no route
    // can; this stands in for entries written on those days).
    let ids: Vec<String> = all["items"].as_array().unwrap().iter().map(id).collect();
    for (entry, at) in ids.iter().zip([
        "2024-05-09T00:00:00.000000Z",
        "2024-05-08T23:59:59.999999Z",
        "2024-05-07T08:00:00.000000Z",
        "2024-05-01T12:00:00.000000Z",
        "2024-05-01T11:00:00.000000Z",
    ]) {
        app.db
            .execute_raw(&format!(
                "UPDATE audit_log SET at = '{at}' WHERE id = {entry}"
            ))
            .await
            .unwrap();
    }
    let may8 = audit(&app, &staff, "from=2024-05-08&to=2024-05-08").await;
    assert_eq!(actions(&may8), ["create person"]);
    let since8 = audit(&app, &staff, "from=2024-05-08").await;
    assert_eq!(actions(&since8), ["update person", "create person"]);
    let until8 = audit(&app, &staff, "from=2024-05-02&to=2024-05-08").await;
    assert_eq!(actions(&until8), ["create person", "create institution"]);
    let until1 = audit(&app, &staff, "to=2024-05-01").await;
    assert_eq!(actions(&until1), ["create user", "create user"]);
    let later = audit(&app, &staff, "from=2024-05-10").await;
    assert_eq!(later["total"], 0);
    let combined = audit(
        &app,
        &staff,
        &format!(
            "from=2024-05-01&to=2024-05-31&actor={}&entity=person",
            enc(&staff_email)
        ),
    )
    .await;
    assert_eq!(actions(&combined), ["create person"]);

    // Paging as in every list.
    let paged = audit(&app, &staff, "per_page=1&page=2").await;
    assert_eq!(paged["total"], 5);
    assert_eq!(paged["page"], 2);
    assert_eq!(paged["per_page"], 1);
    assert_eq!(actions(&paged), ["create person"]);
    assert_eq!(
        audit(&app, &staff, "per_page=100000").await["per_page"],
        500
    );

    // Bad parameters: 422 naming the field, C3 shape.
    for (query, field) in [
        ("page=0", "page"),
        ("page=x", "page"),
        ("per_page=-1", "per_page"),
        ("from=2024-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2024-05-09&to=2024-05-08", "to"),
        ("colour=red", "colour"),
        ("actor=a%00b", "actor"),
    ] {
        let bad = app
            .api("GET", &format!("/api/v1/audit?{query}"), Some(&staff), None)
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "?{query}");
        assert_eq!(bad.error_code(), "validation_failed", "?{query}");
        assert_eq!(bad.error_fields(), [field], "?{query}");
        assert!(!bad.json()["error"]["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn audit_entries_cannot_be_edited_or_deleted() {
    let app = TestApp::new().await;
    let (_, admin) = account(&app, Role::Admin).await;
    let person = create(
        &app,
        &admin,
        "/api/v1/people",
        json!({"name": {"en": "Kept Record"}}),
    )
    .await;
    let before = audit(&app, &admin, "entity=person").await;
    assert_eq!(before["total"], 1);
    let entry = id(&before["items"][0]);
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        for path in [
            "/api/v1/audit".to_string(),
            format!("/api/v1/audit/{entry}"),
        ] {
            let reply = app
                .api(
                    method,
                    &path,
                    Some(&admin),
                    Some(json!({"version": 1, "action": "forged", "before": null})),
                )
                .await;
            assert!(
                reply.status == StatusCode::NOT_FOUND
                    || reply.status == StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} → {}",
                reply.status
            );
        }
    }
    let mut browser = app.browser(Role::Admin).await;
    for path in ["/audit", "/audit.csv"] {
        let reply = browser.post(path, &[("action", "forged")]).await;
        assert!(
            reply.status == StatusCode::NOT_FOUND || reply.status == StatusCode::METHOD_NOT_ALLOWED,
            "POST {path} → {}",
            reply.status
        );
    }
    let after = audit(&app, &admin, "entity=person").await;
    assert_eq!(after["items"], before["items"], "the entry is unchanged");
    assert_eq!(after["items"][0]["entity_id"], id(&person).as_str());
}

#[tokio::test]
async fn only_office_roles_read_the_audit_log_and_only_admins_handle_personal_data() {
    let app = TestApp::new().await;
    let (_, admin) = account(&app, Role::Admin).await;
    let person = create(
        &app,
        &admin,
        "/api/v1/people",
        json!({"name": {"en": "Someone"}}),
    )
    .await;
    let pid = id(&person);
    let export = format!("/api/v1/people/{pid}/export");
    let anonymise = format!("/api/v1/people/{pid}/anonymise");

    for path in ["/api/v1/audit", export.as_str()] {
        let anon = app.api("GET", path, None, None).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anon.error_code(), "unauthorized");
    }
    let anon = app
        .api("POST", &anonymise, None, Some(json!({"version": 1})))
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    let mut visitor = app.anonymous();
    for path in ["/audit", "/audit.csv"] {
        let r = visitor.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(r.location().starts_with("/login?next="));
    }

    for role in [
        Role::Coordinator,
        Role::Student,
        Role::Editor,
        Role::Partner,
        Role::Enterprise,
    ] {
        let (_, token) = account(&app, role).await;
        let r = app.api("GET", "/api/v1/audit", Some(&token), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(r.error_code(), "forbidden");
        let mut b = app.browser(role).await;
        for path in ["/audit", "/audit.csv?entity=person"] {
            assert_eq!(
                b.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{role} {path}"
            );
        }
        let home = b.get("/").await;
        assert!(
            !home.body.contains("href=\"/audit\""),
            "{role} has no audit link"
        );
    }

    // Staff read the audit log but may not export or anonymise anyone.
    let (_, staff) = account(&app, Role::Staff).await;
    assert_eq!(
        app.api("GET", "/api/v1/audit", Some(&staff), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.api("GET", &export, Some(&staff), None).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .api(
            "POST",
            &anonymise,
            Some(&staff),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut b = app.browser(Role::Staff).await;
    assert!(
        b.get("/").await.body.contains("href=\"/audit\""),
        "staff see the audit link"
    );
    for path in [
        format!("/people/{pid}/export"),
        format!("/people/{pid}/anonymise"),
    ] {
        assert_eq!(b.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = b
        .post(&format!("/people/{pid}/anonymise"), &[("version", "1")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = b.get(&format!("/people/{pid}")).await;
    assert!(!page.body.contains("/export"), "no export button for staff");
    assert_eq!(
        app.api("GET", &format!("/api/v1/people/{pid}"), Some(&admin), None)
            .await
            .json()["name"]["en"],
        "Someone",
        "nothing was anonymised"
    );
}

#[tokio::test]
async fn audit_page_shows_filters_diffs_pages_and_both_languages() {
    let app = TestApp::new().await;
    let (_, admin) = account(&app, Role::Admin).await;
    let person = create(
        &app,
        &admin,
        "/api/v1/people",
        json!({"name": {"en": "Liu Yang", "zh": "刘洋"}, "emails": ["liu.yang@example.cn"]}),
    )
    .await;
    let pid = id(&person);
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/people/{pid}"),
            Some(&admin),
            Some(json!({"version": 1, "name": {"en": "Liu Yangyang", "zh": "刘洋洋"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let mut staff = app.browser(Role::Staff).await;

    let page = staff.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Audit log</h1>"), "{}", page.body);
    assert!(
        page.body.contains("aria-current=\"page\""),
        "the nav marks the audit page"
    );
    assert!(page.body.contains("name=\"from\"") && page.body.contains("type=\"date\""));
    assert!(page.body.contains("href=\"/audit.csv\""));

    // The update row shows the changed name, old and new, and not the unchanged e-mail.
    let updates = staff
        .get(&format!(
            "/audit?entity=person&entity_id={pid}&action=update"
        ))
        .await;
    assert_eq!(updates.status, StatusCode::OK);
    let body = &updates.body;
    assert!(body.contains("Liu Yang / 刘洋"), "{body}");
    assert!(body.contains("Liu Yangyang / 刘洋洋"));
    assert!(body.contains(">Before<") && body.contains(">After<"));
    assert!(
        !body.contains("liu.yang@example.cn"),
        "unchanged fields are not listed"
    );
    assert!(body.contains(&format!("href=\"/people/{pid}\"")));
    assert!(body.contains("Changed"));
    assert!(
        body.contains(&format!(
            "href=\"/audit.csv?entity=person&amp;entity_id={pid}&amp;action=update\""
        )),
        "the export keeps the filters: {body}"
    );
    // The creation row lists what was set, with no "before" column.
    let created = staff
        .get(&format!(
            "/audit?entity=person&entity_id={pid}&action=create"
        ))
        .await
        .body;
    assert!(created.contains("liu.yang@example.cn"));
    assert!(created.contains(">After<") && !created.contains(">Before<"));

    // Filters narrow the page; the empty state says so.
    let empty = staff.get("/audit?entity=person&entity_id=424242").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("No audit entries match these filters."));
    assert!(
        empty.body.contains("value=\"424242\""),
        "the form keeps the filter"
    );

    // Pages.
    let first = staff.get("/audit?entity=person&per_page=1").await.body;
    assert!(first.contains("rel=\"next\""));
    assert!(first.contains("Page 1 of 2"), "{first}");
    let second = staff
        .get("/audit?entity=person&per_page=1&page=2")
        .await
        .body;
    assert!(second.contains("rel=\"prev\"") && !second.contains("rel=\"next\""));

    // A bad date is named, the rest still works.
    let bad = staff.get("/audit?from=2024-02-30&entity=person").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("Enter a date as YYYY-MM-DD."));
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert!(bad.body.contains("Liu Yangyang"));

    // Both languages, complete.
    for lang in ["en", "zh-CN"] {
        for path in [
            "/audit".to_string(),
            format!("/audit?entity=person&entity_id={pid}"),
            "/audit?entity_id=424242".to_string(),
            "/audit?from=nonsense".to_string(),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let r = staff.get(&format!("{path}{sep}lang={lang}")).await;
            assert_eq!(r.status, StatusCode::OK, "{path} {lang}");
            assert!(
                r.body.contains(&format!("<html lang=\"{lang}\">")),
                "{path} {lang}"
            );
            assert!(
                !r.body.contains('⟦'),
                "missing translation on {path} in {lang}: {}",
                r.body
            );
        }
    }
    let zh = staff.get("/audit?lang=zh-CN").await.body;
    assert!(zh.contains("操作日志") && zh.contains("修改前") && zh.contains("联系人"));
    // Codes read as words: the staff account's creation shows its role and state translated.
    assert!(
        zh.contains("国际处工作人员") && zh.contains("已停用") && zh.contains(">否<"),
        "{zh}"
    );
}

#[tokio::test]
async fn audit_csv_export_has_a_header_and_quotes_its_cells() {
    let app = TestApp::new().await;
    let (admin_email, admin) = account(&app, Role::Admin).await;
    create(
        &app,
        &admin,
        "/api/v1/people",
        json!({"name": {"en": "Zhang, Wei", "zh": "张伟"}}),
    )
    .await;
    create(
        &app,
        &admin,
        "/api/v1/institutions",
        json!({"kind": "enterprise", "name": {"en": "iFLYTEK", "zh": "科大讯飞"}, "country": "CN"}),
    )
    .await;
    let mut staff = app.browser(Role::Staff).await;

    let reply = staff.get("/audit.csv").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "text/csv; charset=utf-8");
    let disposition = reply.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"audit-log-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(reply
        .body
        .starts_with("at,actor,action,entity,entity_id,before,after\r\n"));
    assert!(
        reply.body.contains("\"\"zh\"\":\"\"张伟\"\""),
        "the Chinese name sits in a quoted JSON cell: {}",
        reply.body
    );
    let all = parse_csv(&reply.body);
    assert_eq!(
        all.len(),
        5,
        "header, two accounts, a partner and a contact"
    );
    assert!(all.iter().all(|r| r.len() == 7), "{all:?}");
    let mine = staff
        .get(&format!("/audit.csv?actor={}", enc(&admin_email)))
        .await;
    let rows = parse_csv(&mine.body);
    assert_eq!(rows.len(), 3, "header and two entries");
    assert_eq!(rows[1][1], admin_email);
    assert_eq!(rows[1][2], "create");
    assert_eq!(rows[1][3], "institution", "newest first");
    let person: Value = serde_json::from_str(&rows[2][6]).expect("after is JSON");
    assert_eq!(person["name"]["en"], "Zhang, Wei");
    assert_eq!(person["name"]["zh"], "张伟");
    assert_eq!(rows[2][5], "", "a creation has no before");

    let filtered = parse_csv(&staff.get("/audit.csv?entity=institution").await.body);
    assert_eq!(filtered.len(), 2);
    assert_eq!(filtered[1][3], "institution");
    let none = staff.get("/audit.csv?from=2000-01-01&to=2000-01-02").await;
    assert_eq!(
        none.body,
        "at,actor,action,entity,entity_id,before,after\r\n"
    );
    let bad = staff.get("/audit.csv?from=01/05/2024").await;
    assert_eq!(
        staff
            .get(&format!("/audit.csv?entity_id={}", "9".repeat(400)))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("<html lang=\"en\">"));
}

/// A contact with a linked user account, as a student who left would have.
async fn person_with_account(app: &TestApp, admin: &str) -> (Value, String, String) {
    let inst = create(app, admin, "/api/v1/institutions", json!({"kind": "university", "name": {"en": "Infrastructure University Kuala Lumpur"}, "country": "MY"})).await;
    let person = create(
        app,
        admin,
        "/api/v1/people",
        json!({"name": {"en": "Nur Aisyah", "zh": "努尔·艾莎"}, "title": {"en": "Exchange student"},
               "institution_id": id(&inst), "emails": ["nur.aisyah@iukl.example.my"],
               "phones": ["+60 3 1234 5678"], "languages": ["ms", "en"]}),
    )
    .await;
    let email = "nur.aisyah@student.example.edu".to_string();
    let user = app
        .db
        .create_user(
            &Actor::system("test"),
            NewUser {
                email: email.clone(),
                password_hash: liaison_web::auth::hash_password(PASSWORD),
                role: Role::Student,
                display_name: Some("Nur Aisyah".into()),
                person_id: Some(id(&person).parse().unwrap()),
                institution_id: None,
                unit_ids: Vec::new(),
            },
        )
        .await
        .unwrap();
    (person, email, user.id.to_string())
}

#[tokio::test]
async fn an_admin_exports_a_persons_data_without_secrets() {
    let app = TestApp::new().await;
    let (admin_email, admin) = account(&app, Role::Admin).await;
    let (person, email, uid) = person_with_account(&app, &admin).await;
    let pid = id(&person);

    let reply = app
        .api(
            "GET",
            &format!("/api/v1/people/{pid}/export"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let data = reply.json();
    assert_eq!(data["person"]["id"], pid.as_str());
    assert_eq!(data["person"]["name"]["zh"], "努尔·艾莎");
    assert_eq!(
        data["person"]["emails"],
        json!(["nur.aisyah@iukl.example.my"])
    );
    assert_eq!(data["user_accounts"][0]["id"], uid.as_str());
    assert_eq!(data["user_accounts"][0]["email"], email.as_str());
    assert_eq!(data["user_accounts"][0]["role"], "student");
    assert!(
        !reply.body.contains("password"),
        "no password hash: {}",
        reply.body
    );
    assert!(!reply.body.contains("$argon2"));
    let about: Vec<(String, String)> = data["audit_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["entity"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        about.contains(&("create".into(), "person".into())),
        "{about:?}"
    );
    assert!(
        about.contains(&("create".into(), "user".into())),
        "{about:?}"
    );

    let logged = audit(
        &app,
        &admin,
        &format!("entity=person&entity_id={pid}&action=export"),
    )
    .await;
    assert_eq!(logged["total"], 1, "the export is in the audit log");
    assert_eq!(logged["items"][0]["actor"], admin_email.as_str());

    let missing = app
        .api("GET", "/api/v1/people/999999/export", Some(&admin), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error_code(), "not_found");

    // In the browser: a button on the contact page, a JSON download.
    let mut b = app.browser(Role::Admin).await;
    for lang in ["en", "zh-CN"] {
        let page = b.get(&format!("/people/{pid}?lang={lang}")).await;
        assert!(
            page.body
                .contains(&format!("href=\"/people/{pid}/export\"")),
            "{}",
            page.body
        );
        assert!(page
            .body
            .contains(&format!("href=\"/people/{pid}/anonymise\"")));
        assert!(!page.body.contains('⟦'));
    }
    let download = b.get(&format!("/people/{pid}/export")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(
        download.headers["content-disposition"],
        format!("attachment; filename=\"person-{pid}.json\"").as_str()
    );
    let file: Value = serde_json::from_str(&download.body).unwrap();
    assert_eq!(file["person"]["name"]["en"], "Nur Aisyah");
    assert!(!download.body.contains("password"));
    assert_eq!(
        audit(&app, &admin, &format!("entity_id={pid}&action=export")).await["total"],
        2
    );
    assert_eq!(
        b.get("/people/999999/export").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn anonymising_removes_names_and_contacts_keeps_the_row_and_disables_the_account() {
    let app = TestApp::new().await;
    let (_, admin) = account(&app, Role::Admin).await;
    let (person, email, uid) = person_with_account(&app, &admin).await;
    let pid = id(&person);
    let student = login(&app, &email, PASSWORD).await;
    assert_eq!(student.status, StatusCode::OK, "the account works before");
    let student_token = student.json()["token"].as_str().unwrap().to_string();
    let people_before = app
        .api("GET", "/api/v1/people", Some(&admin), None)
        .await
        .json()["total"]
        .clone();
    let path = format!("/api/v1/people/{pid}/anonymise");

    // Someone edits the contact meanwhile: the stale version is refused and nothing changes.
    let edit = app
        .api(
            "PATCH",
            &format!("/api/v1/people/{pid}"),
            Some(&admin),
            Some(json!({"version": 1, "languages": ["ms", "en", "zh"]})),
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    let stale = app
        .api("POST", &path, Some(&admin), Some(json!({"version": 1})))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.error_code(), "conflict");
    let unchanged = app
        .api("GET", &format!("/api/v1/people/{pid}"), Some(&admin), None)
        .await
        .json();
    assert_eq!(unchanged["name"]["en"], "Nur Aisyah");
    assert_eq!(login(&app, &email, PASSWORD).await.status, StatusCode::OK);
    for (body, field) in [
        (json!({}), "version"),
        (json!({"version": "two"}), "version"),
        (json!({"version": 2, "name": "x"}), "name"),
    ] {
        let bad = app.api("POST", &path, Some(&admin), Some(body)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.error_fields(), [field]);
    }
    assert_eq!(
        app.api(
            "POST",
            "/api/v1/people/999999/anonymise",
            Some(&admin),
            Some(json!({"version": 1}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    let done = app
        .api("POST", &path, Some(&admin), Some(json!({"version": 2})))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let shown = app
        .api("GET", &format!("/api/v1/people/{pid}"), Some(&admin), None)
        .await;
    assert_eq!(shown.status, StatusCode::OK, "the row is kept");
    for record in [done.json(), shown.json()] {
        assert_eq!(
            record["name"],
            json!({"en": "Anonymised person", "zh": "已匿名化人员"})
        );
        assert_eq!(record["emails"], json!([]));
        assert_eq!(record["phones"], json!([]));
        assert_eq!(record["title"], json!({}));
        assert_eq!(
            record["institution_id"], person["institution_id"],
            "links kept"
        );
        assert_eq!(record["languages"], json!(["ms", "en", "zh"]));
        assert_eq!(record["version"], 3);
    }
    assert!(
        !shown.body.contains("Nur") && !shown.body.contains("努尔") && !shown.body.contains("iukl")
    );
    let people = app
        .api("GET", "/api/v1/people", Some(&admin), None)
        .await
        .json();
    assert_eq!(people["total"], people_before, "statistics keep the row");
    let found = app
        .api("GET", "/api/v1/people?q=aisyah", Some(&admin), None)
        .await
        .json();
    assert_eq!(found["total"], 0, "the old name is not searchable");

    // The linked account is disabled and its e-mail blanked.
    assert_eq!(
        login(&app, &email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, &format!("anonymised-{uid}@invalid"), PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let old_token = app
        .api("GET", "/api/v1/audit", Some(&student_token), None)
        .await;
    assert_eq!(
        old_token.status,
        StatusCode::UNAUTHORIZED,
        "its tokens no longer work"
    );
    let accounts = app.db.users().await.unwrap();
    let account = accounts.iter().find(|u| u.id.to_string() == uid).unwrap();
    assert!(account.disabled);
    assert_eq!(account.email, format!("anonymised-{uid}@invalid"));
    assert_eq!(account.display_name, None);

    // Both changes are in the audit log, with before and after.
    let entry = audit(
        &app,
        &admin,
        &format!("entity=person&entity_id={pid}&action=anonymise"),
    )
    .await;
    assert_eq!(entry["total"], 1);
    assert_eq!(entry["items"][0]["before"]["name"]["en"], "Nur Aisyah");
    assert_eq!(
        entry["items"][0]["after"]["name"]["en"],
        "Anonymised person"
    );
    let user_entry = audit(
        &app,
        &admin,
        &format!("entity=user&entity_id={uid}&action=anonymise"),
    )
    .await;
    assert_eq!(user_entry["total"], 1);
    assert_eq!(user_entry["items"][0]["after"]["disabled"], true);
    assert!(!user_entry.to_string().contains("argon2"));
}

#[tokio::test]
async fn anonymising_through_the_confirmation_page() {
    let app = TestApp::new().await;
    let (_, admin) = account(&app, Role::Admin).await;
    let (person, email, _) = person_with_account(&app, &admin).await;
    let pid = id(&person);
    let mut b = app.browser(Role::Admin).await;
    let path = format!("/people/{pid}/anonymise");

    for lang in ["en", "zh-CN"] {
        let page = b.get(&format!("{path}?lang={lang}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("<html lang=\"{lang}\">")));
        assert!(!page.body.contains('⟦'), "{}", page.body);
        assert!(
            page.body.contains("name=\"_csrf\"")
                && page.body.contains("name=\"version\" value=\"1\"")
        );
    }
    let page = b.get(&format!("{path}?lang=en")).await;
    assert!(page.body.contains("Anonymise Nur Aisyah?"), "{}", page.body);
    assert!(b
        .get(&format!("{path}?lang=zh-CN"))
        .await
        .body
        .contains("匿名化“努尔·艾莎”？"));

    let forged = b.post_raw(&path, &[("version", "1")]).await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no change"
    );
    let done = b.post(&path, &[("version", "1")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("/people/{pid}"));
    let shown = b.get(&format!("/people/{pid}?lang=en")).await.body;
    assert!(shown.contains("The contact was anonymised."));
    assert!(shown.contains("Anonymised person") && !shown.contains("Nur Aisyah"));
    assert!(b
        .get(&format!("/people/{pid}?lang=zh-CN"))
        .await
        .body
        .contains("已匿名化人员"));
    assert_eq!(
        login(&app, &email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    let again = b.post(&path, &[("version", "1")]).await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a stale confirmation page changes nothing"
    );
    assert_eq!(
        b.get("/people/999999/anonymise").await.status,
        StatusCode::NOT_FOUND
    );
    let logged = audit(
        &app,
        &admin,
        &format!("entity=person&entity_id={pid}&action=anonymise"),
    )
    .await;
    assert_eq!(logged["total"], 1);
}

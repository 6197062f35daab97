use axum::http::StatusCode;

use crate::support::{TestApp, PASSWORD};
use liaison_domain::Role;
use liaison_web::routes::{table, Access, Face};

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_from_every_protected_page() {
    let app = TestApp::new().await;
    let mut visitor = app.anonymous();
    for spec in table()
        .iter()
        .filter(|s| s.face == Face::Html && s.access != Access::Public && s.method == "GET")
    {
        let path = spec.path.replace("{id}", "1");
        let reply = visitor.get(&path).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "GET {path}");
        assert!(
            reply.location().starts_with("/login?next="),
            "GET {path} → {}",
            reply.location()
        );
    }
    let login = visitor.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("name=\"_csrf\""));
    assert_eq!(visitor.get("/healthz").await.body, "ok");
    let css = visitor.get("/static/app.css").await;
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
}

#[tokio::test]
async fn sign_in_sign_out_and_bad_passwords() {
    let app = TestApp::new().await;
    let email = app.user(Role::Staff).await;
    let mut b = app.anonymous();
    b.get("/login").await;
    let wrong = b
        .post(
            "/login",
            &[("email", &email), ("password", "wrong password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Wrong e-mail or password"));
    assert!(
        wrong.body.contains(&format!("value=\"{email}\"")),
        "the e-mail typed is kept"
    );

    let no_csrf = b
        .post_raw("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(
        no_csrf.status,
        StatusCode::FORBIDDEN,
        "a form without its CSRF token is refused"
    );

    let ok = b
        .post(
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "/people"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/people");
    let session = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .find(|c| c.to_str().unwrap().starts_with("liaison_session="))
        .unwrap();
    let session = session.to_str().unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );

    let offsite = b
        .post(
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(offsite.location(), "/", "next= never leaves the site");

    assert_eq!(b.get("/").await.status, StatusCode::OK);
    let out = b.post("/logout", &[]).await;
    assert_eq!(out.location(), "/login");
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER, "signed out");
}

/// Every GET page, with real ids from the demo data, in both languages: complete translations,
/// the right `<html lang>`, and no server errors.
#[tokio::test]
async fn every_page_renders_in_both_languages() {
    let app = TestApp::with_demo().await;
    // An administrator may open every page, the admin-only ones (personal data) included.
    let mut staff = app.browser(Role::Admin).await;
    let inst = app
        .db
        .institutions(
            &liaison_domain::Scope::All,
            &Default::default(),
            &liaison_domain::Sort {
                field: "name",
                descending: false,
            },
            &Default::default(),
        )
        .await
        .unwrap();
    let with_units = {
        let mut found = None;
        for i in &inst.items {
            let units = app.db.org_units_of(i.id).await.unwrap();
            if let Some(u) = units.first() {
                found = Some((i.id, u.id));
                break;
            }
        }
        found.expect("demo data has units")
    };
    let person = app
        .db
        .people(
            &liaison_domain::Scope::All,
            &Default::default(),
            &liaison_domain::Sort {
                field: "name",
                descending: false,
            },
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    // The first demo student exchange agreement (by title) with cooperation conditions, and one.
    let mut with_condition = None;
    for a in app
        .db
        .agreements(
            &liaison_domain::Scope::All,
            &liaison_storage::AgreementFilter {
                kind: Some(liaison_domain::AgreementKind::StudentExchange),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "title",
                descending: false,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: 100,
            },
        )
        .await
        .unwrap()
        .items
    {
        if let Some(c) = app.db.agreement_conditions(a.id).await.unwrap().first() {
            with_condition = Some((a.id, c.id));
            break;
        }
    }
    let (agreement, condition) = with_condition.expect("a demo agreement with conditions");
    // Events, action items and documents: a demo event (the newest) with an uploaded photo.
    let event = app
        .db
        .events(
            &liaison_domain::Scope::All,
            &Default::default(),
            &liaison_domain::Sort {
                field: "start_on",
                descending: false,
            },
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let action_item = app
        .db
        .action_items(
            &Default::default(),
            &liaison_domain::Sort {
                field: "due_on",
                descending: false,
            },
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let photo = {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([200, 30, 30]));
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let token = app.token(Role::Staff).await;
        app.api_raw(
            "POST",
            &format!("/api/v1/events/{event}/documents?filename=photo.png"),
            &token,
            png,
        )
        .await
        .json()["id"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    // News: a published demo story (the public page of any other is 404) with a photo.
    let news_item = app.db.published_news(1).await.unwrap()[0].id;
    let news_photo = {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([30, 200, 30]));
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let token = app.token(Role::Staff).await;
        app.api_raw(
            "POST",
            &format!("/api/v1/news/{news_item}/photos?filename=photo.png&caption_en=Photo"),
            &token,
            png,
        )
        .await
        .json()["id"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    // Account pages need an account, an e-mail in the outbox and live one-time links (showing
    // a link's page does not use it up, so one of each serves both languages).
    let admin_token = app.token(Role::Admin).await;
    let invited = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&admin_token),
            Some(serde_json::json!({"email": "invitee@example.org", "role": "staff"})),
        )
        .await
        .json();
    let invite_token = invited["link"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let account = app.db.users().await.unwrap()[0].clone();
    let reset_page = staff
        .post(&format!("/users/{}/reset-password", account.id), &[])
        .await;
    let reset_token: String = reset_page.body
        [reset_page.body.find("/password-reset/").unwrap() + 16..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mail = app
        .db
        .outbox(None, &Default::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let calendar = liaison_web::auth::new_secret();
    app.db
        .rotate_ical_secret(
            &liaison_storage::Actor::system("test"),
            account.id,
            &calendar,
        )
        .await
        .unwrap();
    // University–enterprise cooperation: the first position (iFLYTEK's), a profile, an outcome.
    let first = |field: &'static str| liaison_domain::Sort {
        field,
        descending: false,
    };
    let position = app
        .db
        .positions(
            &liaison_domain::enterprise::Viewer::Office,
            &Default::default(),
            &first("updated_at"),
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let skill_profile = app
        .db
        .skill_profiles(
            &liaison_domain::enterprise::Viewer::Office,
            &Default::default(),
            &first("created_at"),
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let outcome = app
        .db
        .outcomes(&Default::default(), &first("cohort"), &Default::default())
        .await
        .unwrap()
        .items[0]
        .id;
    // Exchange: the demo call.
    let call = app
        .db
        .calls(
            &Default::default(),
            &first("updated_at"),
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    // Exchange: an application to the demo call.
    let application = app.db.call_applications(call).await.unwrap()[0].id;
    // Mobility records: a demo stay under way (with its emergency contact).
    let mobility = app
        .db
        .mobilities(
            &liaison_storage::MobilityReach::All,
            &liaison_storage::MobilityFilter {
                status: Some(liaison_domain::MobilityStatus::Abroad),
                ..Default::default()
            },
            &first("start_on"),
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    // Checklists: the first template item.
    let template = app.db.checklist_templates().await.unwrap()[0].id;
    // Cooperation programme lines: a demo line and its university–enterprise agreement.
    let programme_line = app
        .db
        .programme_lines(
            &liaison_domain::Scope::All,
            &Default::default(),
            &first("year"),
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .clone();
    let placement = app
        .db
        .placements(
            &liaison_domain::enterprise::Viewer::Office,
            &Default::default(),
            &first("created_at"),
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let campaign = app
        .db
        .campaigns(
            &liaison_domain::Scope::All,
            &Default::default(),
            &first("start_on"),
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    for lang in ["en", "zh-CN"] {
        for spec in table()
            .iter()
            .filter(|s| s.face == Face::Html && s.method == "GET")
        {
            let id = if spec.path.starts_with("/org-units") {
                with_units.1
            } else if spec.path.starts_with("/people") {
                person
            } else if spec.path.starts_with("/users") {
                account.id
            } else if spec.path.starts_with("/outbox") {
                mail
            } else if spec.path.starts_with("/campaigns") {
                campaign
            } else if spec.path.starts_with("/placements/") {
                placement
            } else if spec.path.starts_with("/agreements/{id}/programme-lines") {
                programme_line.draft.agreement_id
            } else if spec.path.starts_with("/programme-lines") {
                programme_line.id
            } else if spec.path.starts_with("/agreements") {
                agreement
            } else if spec.path.starts_with("/events") {
                event
            } else if spec.path.starts_with("/action-items") {
                action_item
            } else if spec.path.starts_with("/documents") {
                photo
            } else if spec.path.starts_with("/positions") {
                position
            } else if spec.path.starts_with("/skill-profiles") {
                skill_profile
            } else if spec.path.starts_with("/outcomes") {
                outcome
            } else if spec.path.starts_with("/calls") {
                call
            } else if spec.path.starts_with("/applications/") {
                application
            } else if spec.path.starts_with("/checklists") {
                template
            } else if spec.path.starts_with("/mobilities") {
                mobility
            } else if spec.path.starts_with("/news/photos") {
                news_photo
            } else if spec.path.starts_with("/news") {
                news_item
            } else {
                with_units.0
            };
            let token = if spec.path.starts_with("/invitations") {
                &invite_token
            } else {
                &reset_token
            };
            let path = spec
                .path
                .replace("{id}", &id.to_string())
                .replace("{cid}", &condition.to_string())
                .replace("{entity}", "institutions")
                .replace("{file}", "app.css")
                .replace("{token}", token);
            let path = if spec.path.starts_with("/calendar/") {
                format!("/calendar/{calendar}.ics")
            } else if spec.path == "/reports/data" {
                "/reports/data?chart=years&format=csv".to_string()
            } else {
                path
            };
            let sep = if path.contains('?') { '&' } else { '?' };
            let reply = staff.get(&format!("{path}{sep}lang={lang}")).await;
            if path == "/login" {
                assert_eq!(
                    reply.status,
                    StatusCode::SEE_OTHER,
                    "signed-in users skip the login page"
                );
                continue;
            }
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "GET {path} in {lang}: {}",
                reply.body
            );
            if !reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
            {
                continue;
            }
            assert!(
                reply.body.contains(&format!("<html lang=\"{lang}\">")),
                "GET {path} in {lang}"
            );
            assert!(
                !reply.body.contains('⟦'),
                "missing translation on {path} in {lang}: {}",
                reply.body
            );
        }
    }
    // Chinese pages use the glossary's words.
    let zh = staff.get("/institutions?lang=zh-CN").await.body;
    assert!(zh.contains("合作伙伴") && zh.contains("搜索"));
    assert!(zh.contains("安徽新华学院"));
}

#[tokio::test]
async fn language_comes_from_query_then_cookie_then_accept_language() {
    let app = TestApp::new().await;
    let mut b = app.anonymous();
    let req = axum::http::Request::builder()
        .uri("/login")
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .body(axum::body::Body::empty())
        .unwrap();
    assert!(app.send(req).await.body.contains("<html lang=\"zh-CN\">"));
    let req = axum::http::Request::builder()
        .uri("/login")
        .header("accept-language", "fr, en;q=0.5")
        .body(axum::body::Body::empty())
        .unwrap();
    assert!(app.send(req).await.body.contains("<html lang=\"en\">"));
    let first = b.get("/login?lang=zh-CN").await;
    assert!(first.body.contains("登录"));
    let later = b.get("/login").await;
    assert!(
        later.body.contains("<html lang=\"zh-CN\">"),
        "the choice is remembered in a cookie"
    );
}

fn field<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"));
    &body[start..(start + 400).min(body.len())]
}

#[tokio::test]
async fn create_find_edit_and_delete_a_partner_through_the_forms() {
    let app = TestApp::new().await;
    let mut staff = app.browser(Role::Staff).await;
    assert!(
        staff
            .get("/institutions")
            .await
            .body
            .contains("No partners match"),
        "empty state"
    );

    let bad = staff
        .post(
            "/institutions",
            &[
                ("name_zh", "哈尔滨工业大学"),
                ("kind", "university"),
                ("status", "active"),
                ("country", "CN"),
                ("website", "hit.edu.cn"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("value=\"哈尔滨工业大学\""),
        "typed values are kept"
    );
    assert!(
        field(&bad.body, "id=\"website\"").contains("Enter a full address"),
        "the error sits by its field"
    );
    assert_eq!(
        app.db.count_institutions().await.unwrap(),
        0,
        "nothing written"
    );

    let created = staff
        .post(
            "/institutions",
            &[
                ("name_en", "Harbin Institute of Technology"),
                ("name_zh", "哈尔滨工业大学"),
                ("kind", "university"),
                ("status", "active"),
                ("country", "CN"),
                ("city_zh", "哈尔滨"),
                ("website", "https://www.hit.edu.cn"),
                ("region_tags", "sco"),
                ("region_tags", "belt_and_road"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let detail_path = created.location().to_string();
    let detail = staff.get(&detail_path).await;
    assert!(detail.body.contains("Partner created."), "flash shown");
    assert!(detail.body.contains("哈尔滨工业大学") && detail.body.contains("Belt and Road"));
    assert!(
        !staff
            .get(&detail_path)
            .await
            .body
            .contains("Partner created."),
        "flash shown once"
    );

    let found = staff.get("/institutions?q=%E5%B7%A5%E4%B8%9A").await;
    assert!(
        found.body.contains("Harbin Institute of Technology"),
        "found by the Chinese substring 工业"
    );
    let none = staff.get("/institutions?q=zzzz").await;
    assert!(none.body.contains("No partners match"));

    let edit_path = format!("{detail_path}/edit");
    let form = staff.get(&edit_path).await;
    assert!(form.body.contains("name=\"version\" value=\"1\""));
    let edit = |version: &'static str, status: &'static str| {
        vec![
            ("version", version),
            ("name_en", "Harbin Institute of Technology"),
            ("name_zh", "哈尔滨工业大学"),
            ("kind", "university"),
            ("status", status),
            ("country", "CN"),
        ]
    };
    let saved = staff.post(&edit_path, &edit("1", "dormant")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let stale = staff.post(&edit_path, &edit("1", "ended")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("changed by someone else"));
    assert!(
        stale.body.contains("<option value=\"ended\" selected>"),
        "the conflicting input is kept"
    );

    let confirm = staff.get(&format!("{detail_path}/delete")).await;
    assert!(confirm.body.contains("0 org units and 0 contacts"));
    let id = detail_path.rsplit('/').next().unwrap();
    let current = app.db.institution(id.parse().unwrap()).await.unwrap();
    let deleted = staff
        .post(
            &format!("{detail_path}/delete"),
            &[("version", &current.version.to_string())],
        )
        .await;
    assert_eq!(deleted.location(), "/institutions");
    assert!(staff
        .get("/institutions")
        .await
        .body
        .contains("Partner deleted."));
    assert_eq!(staff.get(&detail_path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn units_and_contacts_through_the_forms() {
    let app = TestApp::new().await;
    let mut staff = app.browser(Role::Admin).await;
    let created = staff
        .post(
            "/institutions",
            &[
                ("name_en", "Anhui Xinhua University"),
                ("name_zh", "安徽新华学院"),
                ("kind", "university"),
                ("status", "active"),
                ("country", "CN"),
            ],
        )
        .await;
    let inst_path = created.location().to_string();
    let inst_id = inst_path.rsplit('/').next().unwrap().to_string();

    let unit = staff
        .post(
            &format!("/institutions/{inst_id}/units"),
            &[
                ("name_en", "School of Culture and Communication"),
                ("name_zh", "文化与传媒学院"),
                ("kind", "school"),
            ],
        )
        .await;
    assert_eq!(unit.status, StatusCode::SEE_OTHER, "{}", unit.body);
    let page = staff.get(&inst_path).await.body;
    assert!(page.contains("文化与传媒学院"));
    let unit_id = app.db.org_units_of(inst_id.parse().unwrap()).await.unwrap()[0]
        .id
        .to_string();

    let bad_person = staff
        .post(
            "/people",
            &[
                ("institution_id", &inst_id),
                ("org_unit_id", &unit_id),
                ("name_zh", "李娜"),
                ("emails", "li.na@axhu.example.cn, nope"),
            ],
        )
        .await;
    assert_eq!(bad_person.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&bad_person.body, "id=\"emails\"").contains("valid e-mail"));

    let person = staff
        .post(
            "/people",
            &[
                ("institution_id", &inst_id),
                ("org_unit_id", &unit_id),
                ("name_zh", "李娜"),
                ("name_en", "Li Na"),
                ("emails", "li.na@axhu.example.cn"),
            ],
        )
        .await;
    assert_eq!(person.status, StatusCode::SEE_OTHER, "{}", person.body);
    let unit_page = staff.get(&format!("/org-units/{unit_id}")).await.body;
    assert!(unit_page.contains("李娜") || unit_page.contains("Li Na"));
    assert!(staff.get("/people?q=li.na").await.body.contains("Li Na"));

    let confirm = staff.get(&format!("/org-units/{unit_id}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    let gone = staff
        .post(&format!("/org-units/{unit_id}/delete"), &[("version", "1")])
        .await;
    assert_eq!(gone.location(), inst_path);
    let contact = &app
        .db
        .people(
            &liaison_domain::Scope::All,
            &Default::default(),
            &liaison_domain::Sort {
                field: "name",
                descending: false,
            },
            &Default::default(),
        )
        .await
        .unwrap()
        .items[0];
    assert_eq!(
        contact.draft.org_unit_id, None,
        "the contact stays with the institution"
    );
    assert_eq!(contact.draft.institution_id, Some(inst_id.parse().unwrap()));
}

//! Roles and scopes: the route × role matrix generated from the route table, and record scopes
//! (a coordinator's units, a partner's institution) enforced in lists (SQL) and on single records.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;
use liaison_domain::access::allows;
use liaison_domain::{Action, Role};
use liaison_web::routes::{table, Access, Face};

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{item}", "1")
        .replace("{entity}", "institutions")
        .replace("{file}", "app.css")
        .replace("{token}", "no-such-token")
        .replace("{secret}", "no-such-secret")
}

/// The permission table as the office expects it, written out by hand so that a change to
/// `access::allows` must be made here too, on purpose.
fn expected_roles(action: Action) -> &'static [Role] {
    use Role::*;
    match action {
        Action::UseApp => &[
            Admin,
            Staff,
            Coordinator,
            Editor,
            Student,
            Partner,
            Enterprise,
        ],
        Action::ReadDirectory => &[Admin, Staff, Coordinator, Partner, Enterprise],
        Action::EditPartners => &[Admin, Staff],
        Action::EditContacts => &[Admin, Staff, Coordinator],
        Action::ManageUsers => &[Admin],
        Action::ReadAudit => &[Admin, Staff],
        Action::ManagePersonalData => &[Admin],
        Action::ReadEvents => &[Admin, Staff, Coordinator, Partner, Enterprise],
        Action::EditEvents => &[Admin, Staff],
        Action::ReadAgreements => &[Admin, Staff, Coordinator, Partner, Enterprise],
        Action::EditAgreements => &[Admin, Staff],
        Action::ReadNews => &[Admin, Staff, Coordinator, Editor],
        Action::EditNews => &[Admin, Staff, Editor],
        Action::PublishNews => &[Admin, Staff],
        Action::ReadPositions => &[Admin, Staff, Coordinator, Student, Enterprise],
        Action::EditPositions => &[Admin, Staff, Enterprise],
        Action::ReadTalent => &[Admin, Staff, Student, Enterprise],
        Action::EditTalent => &[Admin, Staff, Student],
        Action::ReadCandidates => &[Admin, Staff, Enterprise],
        Action::ManageOutcomes => &[Admin, Staff],
        Action::ReadCalls => &[Admin, Staff, Coordinator, Student],
        Action::ManageCalls => &[Admin, Staff],
        Action::Apply => &[Admin, Staff, Student],
        Action::ReadMobilities => &[Admin, Staff, Coordinator, Student, Partner],
        Action::EditMobilities => &[Admin, Staff, Coordinator],
        Action::TickChecklist => &[Admin, Staff, Coordinator, Student],
        Action::ManageChecklists => &[Admin, Staff],
        Action::AnswerNominations => &[Admin, Staff, Partner],
        Action::NominateIncoming => &[Admin, Staff, Partner],
        Action::ViewReports => &[Admin, Staff, Coordinator],
        Action::PlaceGroups => &[Admin, Staff],
        Action::ReadCampaigns => &[Admin, Staff, Coordinator, Partner, Enterprise],
        Action::EditCampaigns => &[Admin, Staff],
    }
}

#[test]
fn the_permission_table_is_the_one_the_office_expects() {
    for action in Action::ALL {
        for role in Role::ALL {
            assert_eq!(
                allows(*role, *action),
                expected_roles(*action).contains(role),
                "{role} × {action:?}"
            );
        }
    }
}

/// Every registered route × every role and anonymous: 401 / sign-in redirect without a session,
/// 403 for a role the table refuses, and never 401 or 403 for a role it allows (on a database
/// where the path's record does not exist, an allowed caller gets 404, 422 or success).
#[tokio::test]
async fn route_role_matrix() {
    let app = TestApp::new().await;
    // Paths use id 1: let it be a bystander's account, token and session, so that routes acting
    // on "record 1" (disable a user, revoke a token…) do not end the walkers' own sessions.
    let bystander = app.scoped_user(Role::Staff, None, Vec::new()).await;
    app.token_for(&bystander).await;
    app.browser_for(&bystander).await;
    let routes = table();
    assert!(routes.len() > 40, "the table holds every route");
    let mut checked = 0;
    for role in Role::ALL {
        let email = app.scoped_user(*role, None, Vec::new()).await;
        let token = app.token_for(&email).await;
        let mut browser = app.browser_for(&email).await;
        for spec in &routes {
            let Access::Signed(action) = spec.access else {
                continue;
            };
            if spec.path == "/logout" || spec.path == "/logout/everywhere" {
                continue; // would end the session the rest of the walk uses
            }
            let path = concrete(spec.path);
            let status = match (spec.face, spec.method) {
                (Face::Api, method) => {
                    app.api(method, &path, Some(&token), Some(json!({})))
                        .await
                        .status
                }
                (Face::Html, "GET") => browser.get(&path).await.status,
                (Face::Html, _) => browser.post(&path, &[]).await.status,
            };
            let what = format!("{role} on {} {}", spec.method, spec.path);
            if allows(*role, action) {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{what}: allowed, got {status}"
                );
                assert!(!status.is_server_error(), "{what}: {status}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
            }
            checked += 1;
        }
    }
    let mut visitor = app.anonymous();
    for spec in &routes {
        if spec.access == Access::Public {
            continue;
        }
        let path = concrete(spec.path);
        match spec.face {
            Face::Api => {
                let r = app.api(spec.method, &path, None, Some(json!({}))).await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{} {path}", spec.method);
            }
            Face::Html if spec.method == "GET" => {
                let r = visitor.get(&path).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "GET {path}");
                assert!(r.location().starts_with("/login"), "GET {path}");
            }
            Face::Html => {
                let r = visitor.post(&path, &[]).await;
                assert!(
                    r.status == StatusCode::SEE_OTHER || r.status == StatusCode::UNAUTHORIZED,
                    "POST {path}: {}",
                    r.status
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 300, "checked {checked} route × caller pairs");
}

struct World {
    home: String,
    partner: String,
    unit_mine: String,
    unit_below_mine: String,
    unit_other: String,
    person_mine: String,
    person_below: String,
    person_other: String,
    person_at_partner: String,
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let r = app.api("POST", path, Some(token), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

async fn world(app: &TestApp) -> World {
    let staff = app.token(Role::Staff).await;
    let t = staff.as_str();
    let home = post(
        app,
        t,
        "/api/v1/institutions",
        json!({"kind": "university", "country": "CN",
        "name": {"en": "Anhui Xinhua University", "zh": "安徽新华学院"}}),
    )
    .await;
    let partner = post(
        app,
        t,
        "/api/v1/institutions",
        json!({"kind": "university", "country": "MY",
        "name": {"en": "Infrastructure University Kuala Lumpur"}}),
    )
    .await;
    let unit = |name: &str, parent: Option<&str>| json!({"institution_id": home, "kind": "school", "name": {"en": name}, "parent_id": parent});
    let unit_mine = post(
        app,
        t,
        "/api/v1/org-units",
        unit("School of Culture and Communication", None),
    )
    .await;
    let unit_below_mine = post(
        app,
        t,
        "/api/v1/org-units",
        unit("Department of Journalism", Some(&unit_mine)),
    )
    .await;
    let unit_other = post(
        app,
        t,
        "/api/v1/org-units",
        unit("School of Medicine", None),
    )
    .await;
    let person = |name: &str, inst: &str, unit: Option<&str>| json!({"name": {"en": name}, "institution_id": inst, "org_unit_id": unit});
    World {
        person_mine: post(
            app,
            t,
            "/api/v1/people",
            person("Wang Fang", &home, Some(&unit_mine)),
        )
        .await,
        person_below: post(
            app,
            t,
            "/api/v1/people",
            person("Li Lei", &home, Some(&unit_below_mine)),
        )
        .await,
        person_other: post(
            app,
            t,
            "/api/v1/people",
            person("Zhao Min", &home, Some(&unit_other)),
        )
        .await,
        person_at_partner: post(
            app,
            t,
            "/api/v1/people",
            person("Aisha Rahman", &partner, None),
        )
        .await,
        home,
        partner,
        unit_mine,
        unit_below_mine,
        unit_other,
    }
}

fn names(reply: &crate::support::Reply) -> Vec<String> {
    let mut v: Vec<String> = reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"]["en"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_coordinator_reaches_their_units_and_the_units_below_them() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let email = app
        .scoped_user(Role::Coordinator, None, vec![w.unit_mine.parse().unwrap()])
        .await;
    let token = app.token_for(&email).await;
    let t = Some(token.as_str());

    let people = app.api("GET", "/api/v1/people", t, None).await;
    assert_eq!(names(&people), ["Li Lei", "Wang Fang"], "filtered in SQL");
    assert_eq!(people.json()["total"], 2);
    let institutions = app.api("GET", "/api/v1/institutions", t, None).await;
    assert_eq!(institutions.json()["total"], 2, "every partner is visible");

    let other = format!("/api/v1/people/{}", w.person_other);
    assert_eq!(
        app.api("GET", &other, t, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(
            "PATCH",
            &other,
            t,
            Some(json!({"version": 1, "title": {"en": "x"}}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let below = format!("/api/v1/people/{}", w.person_below);
    let edited = app
        .api(
            "PATCH",
            &below,
            t,
            Some(json!({"version": 1, "title": {"en": "Lecturer"}})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let moved_out = app
        .api(
            "PATCH",
            &below,
            t,
            Some(json!({"version": 2, "org_unit_id": w.unit_other})),
        )
        .await;
    assert_eq!(
        moved_out.status,
        StatusCode::FORBIDDEN,
        "cannot move a contact out of scope"
    );

    let new_here = app
        .api(
            "POST",
            "/api/v1/people",
            t,
            Some(json!({"name": {"en": "Sun Yu"},
            "institution_id": w.home, "org_unit_id": w.unit_below_mine})),
        )
        .await;
    assert_eq!(new_here.status, StatusCode::CREATED, "{}", new_here.body);
    let new_elsewhere = app
        .api(
            "POST",
            "/api/v1/people",
            t,
            Some(json!({"name": {"en": "Qian Hao"},
            "institution_id": w.home, "org_unit_id": w.unit_other})),
        )
        .await;
    assert_eq!(new_elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(new_elsewhere.error_code(), "forbidden");

    let unit_other = format!("/api/v1/org-units/{}", w.unit_other);
    assert_eq!(
        app.api("GET", &unit_other, t, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.api(
            "PATCH",
            &unit_other,
            t,
            Some(json!({"version": 1, "website": "https://med.example.cn"}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "visible but not theirs"
    );
    assert_eq!(
        app.api(
            "POST",
            "/api/v1/institutions",
            t,
            Some(json!({"kind": "university", "country": "CN", "name": {"en": "X"}}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The pages follow the same rules.
    let mut browser = app.browser_for(&email).await;
    let list = browser.get("/people").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Wang Fang") && !list.body.contains("Zhao Min"));
    assert_eq!(
        browser
            .get(&format!("/people/{}", w.person_other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get(&format!("/org-units/{}/edit", w.unit_other))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let refused = browser
        .post(
            "/people",
            &[
                ("name_en", "Zhou Jie"),
                ("institution_id", &w.home),
                ("org_unit_id", &w.unit_other),
            ],
        )
        .await;
    assert!(
        refused
            .body
            .contains("Choose one of the units you look after"),
        "{}",
        refused.status
    );
    let still = app
        .api(
            "GET",
            "/api/v1/people?q=zhou",
            Some(&app.token(Role::Staff).await),
            None,
        )
        .await;
    assert_eq!(still.json()["total"], 0, "nothing was written");
}

#[tokio::test]
async fn a_partner_contact_sees_only_their_own_institution() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let email = app
        .scoped_user(Role::Partner, Some(w.partner.parse().unwrap()), Vec::new())
        .await;
    let token = app.token_for(&email).await;
    let t = Some(token.as_str());

    let institutions = app.api("GET", "/api/v1/institutions", t, None).await;
    assert_eq!(
        names(&institutions),
        ["Infrastructure University Kuala Lumpur"]
    );
    assert_eq!(
        app.api("GET", &format!("/api/v1/institutions/{}", w.home), t, None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "other institutions do not even exist for them"
    );
    let people = app.api("GET", "/api/v1/people", t, None).await;
    assert_eq!(names(&people), ["Aisha Rahman"]);
    assert_eq!(
        app.api("GET", &format!("/api/v1/people/{}", w.person_mine), t, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(
            "PATCH",
            &format!("/api/v1/people/{}", w.person_at_partner),
            t,
            Some(json!({"version": 1, "title": {"en": "Dean"}}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "partners read, they do not edit"
    );
    let units = app.api("GET", "/api/v1/org-units", t, None).await;
    assert_eq!(
        units.json()["total"],
        0,
        "the home university's units are not theirs"
    );

    let mut browser = app.browser_for(&email).await;
    let list = browser.get("/institutions").await;
    assert!(list.body.contains("Kuala Lumpur") && !list.body.contains("Anhui Xinhua"));
    assert_eq!(
        browser
            .get(&format!("/institutions/{}", w.home))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A student reaches no directory record at all.
    let student = app.token(Role::Student).await;
    assert_eq!(
        app.api("GET", "/api/v1/institutions", Some(&student), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let _ = (&w.person_below, &w.unit_below_mine);
}

/// The caller behind a token is cached in the server for a moment; a change to the account's
/// scope or role, or to the unit tree below its units, must still count from the next request.
#[tokio::test]
async fn scope_role_and_unit_tree_changes_count_from_the_next_request() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let email = app
        .scoped_user(Role::Coordinator, None, vec![w.unit_mine.parse().unwrap()])
        .await;
    let token = app.token_for(&email).await;
    let t = Some(token.as_str());
    let admin = app.token(Role::Admin).await;
    let people = || async { names(&app.api("GET", "/api/v1/people", t, None).await) };
    assert_eq!(people().await, ["Li Lei", "Wang Fang"]);
    assert_eq!(people().await, ["Li Lei", "Wang Fang"], "asked again");

    let account = app
        .api("GET", "/api/v1/users?role=coordinator", Some(&admin), None)
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
        .unwrap();
    let path = format!("/api/v1/users/{}", account["id"].as_str().unwrap());
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"version": account["version"], "unit_ids": [w.unit_other]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(people().await, ["Zhao Min"], "the new units, at once");

    // A unit created below one of the coordinator's units is in scope at once.
    let staff = app.token(Role::Staff).await;
    let below = post(
        &app,
        &staff,
        "/api/v1/org-units",
        json!({"institution_id": w.home, "kind": "school", "name": {"en": "Clinic"}, "parent_id": w.unit_other}),
    )
    .await;
    post(
        &app,
        &staff,
        "/api/v1/people",
        json!({"name": {"en": "Qian Hui"}, "institution_id": w.home, "org_unit_id": below}),
    )
    .await;
    assert_eq!(people().await, ["Qian Hui", "Zhao Min"]);

    let r = app
        .api(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"version": r.json()["version"], "role": "staff"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        people().await,
        [
            "Aisha Rahman",
            "Li Lei",
            "Qian Hui",
            "Wang Fang",
            "Zhao Min"
        ],
        "staff reach every contact, at once"
    );
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"version": r.json()["version"], "role": "editor"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let create = app
        .api(
            "POST",
            "/api/v1/institutions",
            t,
            Some(json!({"kind": "university", "country": "CN", "name": {"en": "Nope"}})),
        )
        .await;
    assert_eq!(
        create.status,
        StatusCode::FORBIDDEN,
        "an editor cannot create partners, at once"
    );
}

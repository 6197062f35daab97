use axum::http::StatusCode;
use serde_json::json;

use crate::support::TestApp;
use liaison_domain::{
    CountryCode, InstitutionDraft, InstitutionKind, LocalizedText, RelationshipStatus, Role,
};
use liaison_storage::{Actor, Db};
use liaison_web::routes::{table, Access, Face};

fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{file}", "app.css")
}

#[tokio::test]
async fn every_protected_api_route_answers_401_without_credentials() {
    let app = TestApp::new().await;
    for spec in table()
        .iter()
        .filter(|s| s.face == Face::Api && s.access != Access::Public)
    {
        let reply = app
            .api(spec.method, &concrete(spec.path), None, Some(json!({})))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{} {}",
            spec.method,
            spec.path
        );
        assert_eq!(
            reply.error_code(),
            "unauthorized",
            "{} {}",
            spec.method,
            spec.path
        );
        let bad = app
            .api(
                spec.method,
                &concrete(spec.path),
                Some("lsn_forged"),
                Some(json!({})),
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNAUTHORIZED,
            "forged token on {} {}",
            spec.method,
            spec.path
        );
    }
}

#[tokio::test]
async fn token_endpoint_checks_credentials_and_fields() {
    let app = TestApp::new().await;
    let email = app.user(Role::Staff).await;
    let wrong = app
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email, "password": "nope-nope"})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error_code(), "invalid_credentials");
    let unknown = app
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "ghost@x.org", "password": "whatever1"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let missing = app
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.error_fields(), ["password"]);
}

fn xjtu() -> serde_json::Value {
    json!({
        "kind": "university",
        "name": {"en": "Xi'an Jiaotong University", "zh": "西安交通大学"},
        "country": "CN",
        "city": {"en": "Xi'an", "zh": "西安"},
        "website": "https://www.xjtu.edu.cn",
        "status": "active",
        "region_tags": ["sco", "belt_and_road"],
        "hei_id": "xjtu.edu.cn"
    })
}

#[tokio::test]
async fn institution_lifecycle_with_versions_and_audit() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let t = Some(token.as_str());

    let created = app
        .api("POST", "/api/v1/institutions", t, Some(xjtu()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    let id = body["id"].as_str().expect("id is a string").to_string();
    assert_eq!(body["version"], 1);
    assert_eq!(body["name"]["zh"], "西安交通大学");
    assert_eq!(body["region_tags"], json!(["sco", "belt_and_road"]));
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));

    let fetched = app
        .api("GET", &format!("/api/v1/institutions/{id}"), t, None)
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json()["city"]["zh"], "西安");

    let patched = app
        .api(
            "PATCH",
            &format!("/api/v1/institutions/{id}"),
            t,
            Some(json!({"version": 1, "status": "dormant"})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["version"], 2);
    assert_eq!(patched.json()["status"], "dormant");
    assert_eq!(
        patched.json()["name"]["en"],
        "Xi'an Jiaotong University",
        "PATCH keeps fields it was not sent"
    );
    let found = |q: &'static str| {
        let app = &app;
        async move {
            app.api("GET", &format!("/api/v1/institutions?q={q}"), t, None)
                .await
                .json()["total"]
                .clone()
        }
    };
    assert_eq!(found("jiaotong").await, 1, "search finds the new record");

    let stale = app
        .api(
            "PATCH",
            &format!("/api/v1/institutions/{id}"),
            t,
            Some(json!({"version": 1, "status": "ended"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.error_code(), "conflict");
    assert_eq!(stale.json()["error"]["details"]["current_version"], 2);

    let stale_delete = app
        .api(
            "DELETE",
            &format!("/api/v1/institutions/{id}?version=1"),
            t,
            None,
        )
        .await;
    assert_eq!(stale_delete.status, StatusCode::CONFLICT);
    let no_version = app
        .api("DELETE", &format!("/api/v1/institutions/{id}"), t, None)
        .await;
    assert_eq!(no_version.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_version.error_fields(), ["version"]);

    let deleted = app
        .api(
            "DELETE",
            &format!("/api/v1/institutions/{id}"),
            t,
            Some(json!({"version": 2})),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        found("jiaotong").await,
        0,
        "search forgets a deleted record"
    );
    let gone = app
        .api("GET", &format!("/api/v1/institutions/{id}"), t, None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.error_code(), "not_found");

    let audit = app
        .db
        .audit_entries(
            &liaison_storage::AuditFilter {
                entity: Some("institution".into()),
                entity_id: Some(id.clone()),
                actor: None,
            },
            &Default::default(),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["delete", "update", "create"]);
    assert_eq!(audit.items[1].before.as_ref().unwrap()["status"], "active");
    assert_eq!(audit.items[1].after.as_ref().unwrap()["status"], "dormant");
    assert!(audit.items[0].actor.starts_with("staff-"));
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_written() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let t = Some(token.as_str());
    let post = |body: serde_json::Value| app.api("POST", "/api/v1/institutions", t, Some(body));

    let mut unknown = xjtu();
    unknown["colour"] = json!("blue");
    let r = post(unknown).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["colour"]);
    assert_eq!(r.error_code(), "validation_failed");

    let mut country = xjtu();
    country["country"] = json!("XX");
    assert_eq!(post(country).await.error_fields(), ["country"]);

    let mut long = xjtu();
    long["name"]["en"] = json!("x".repeat(201));
    assert_eq!(post(long).await.error_fields(), ["name.en"]);
    let mut nul = xjtu();
    nul["name"]["en"] = json!("Xi'an\u{0}Jiaotong");
    assert_eq!(
        post(nul).await.error_fields(),
        ["name.en"],
        "a NUL is refused (PostgreSQL could not store it)"
    );

    let mut wrong_type = xjtu();
    wrong_type["name"] = json!(5);
    assert_eq!(post(wrong_type).await.error_fields(), ["name"]);

    let mut no_name = xjtu();
    no_name["name"] = json!({"en": "  "});
    assert_eq!(post(no_name).await.error_fields(), ["name"]);

    let mut bad_tag = xjtu();
    bad_tag["region_tags"] = json!(["sco", "mars"]);
    assert_eq!(post(bad_tag).await.error_fields(), ["region_tags.1"]);

    let mut lang = xjtu();
    lang["name"]["fr"] = json!("Université");
    assert_eq!(post(lang).await.error_fields(), ["name.fr"]);

    let missing = post(json!({"name": {"en": "Nameless"}})).await;
    assert_eq!(missing.error_fields(), ["kind", "country"]);

    let malformed = app
        .api_raw(
            "POST",
            "/api/v1/institutions",
            &token,
            b"{\"kind\": ".to_vec(),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error_code(), "bad_request");

    let huge = format!(
        "{{\"profile\": {{\"en\": \"{}\"}}}}",
        "a".repeat(1024 * 1024 + 10)
    );
    let too_big = app
        .api_raw("POST", "/api/v1/institutions", &token, huge.into_bytes())
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big.error_code(), "payload_too_large");

    for (query, field) in [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("sort=password", "sort"),
        ("colour=red", "colour"),
        ("country=XX", "country"),
    ] {
        let r = app
            .api("GET", &format!("/api/v1/institutions?{query}"), t, None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(r.error_fields(), [field], "{query}");
    }

    let list = app.api("GET", "/api/v1/institutions", t, None).await;
    assert_eq!(list.json()["total"], 0, "no bad request wrote anything");
    assert_eq!(
        app.db
            .audit_entries(&Default::default(), &Default::default())
            .await
            .unwrap()
            .total,
        1,
        "only the token user exists"
    );
}

#[tokio::test]
async fn duplicate_hei_id_is_a_field_error() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    assert_eq!(
        app.api("POST", "/api/v1/institutions", Some(&token), Some(xjtu()))
            .await
            .status,
        StatusCode::CREATED
    );
    let again = app
        .api("POST", "/api/v1/institutions", Some(&token), Some(xjtu()))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.error_fields(), ["hei_id"]);
}

#[tokio::test]
async fn search_filters_sorting_and_pagination() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let t = Some(token.as_str());
    let rows = [
        (
            "university",
            "Xi'an Jiaotong University",
            "西安交通大学",
            "CN",
            "active",
            vec!["sco"],
        ),
        ("enterprise", "iFLYTEK", "科大讯飞", "CN", "active", vec![]),
        (
            "university",
            "Al-Farabi Kazakh National University",
            "阿里-法拉比哈萨克国立大学",
            "KZ",
            "prospect",
            vec!["sco", "belt_and_road"],
        ),
        (
            "foundation",
            "OpenAtom Foundation",
            "开放原子开源基金会",
            "CN",
            "dormant",
            vec![],
        ),
        (
            "university",
            "Technische Universität München",
            "慕尼黑工业大学",
            "DE",
            "ended",
            vec!["eu"],
        ),
    ];
    for (kind, en, zh, country, status, tags) in &rows {
        let r = app
            .api("POST", "/api/v1/institutions", t, Some(json!({"kind": kind, "name": {"en": en, "zh": zh}, "country": country, "status": status, "region_tags": tags})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let names = |reply: &crate::support::Reply| -> Vec<String> {
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"]["en"].as_str().unwrap().to_string())
            .collect()
    };
    let app_ref = &app;
    let q = |query: &str| {
        let path = format!("/api/v1/institutions?{query}");
        async move { app_ref.api("GET", &path, t, None).await }
    };

    assert_eq!(
        names(&q("q=%E4%BA%A4%E9%80%9A").await),
        ["Xi'an Jiaotong University"],
        "Chinese substring 交通"
    );
    assert_eq!(
        names(&q("q=%E8%AE%AF%E9%A3%9E").await),
        ["iFLYTEK"],
        "Chinese substring 讯飞"
    );
    assert_eq!(
        names(&q("q=KAZAKH").await),
        ["Al-Farabi Kazakh National University"],
        "case-insensitive"
    );
    assert_eq!(
        names(&q("q=m%C3%BCnchen").await),
        ["Technische Universität München"],
        "non-ASCII Latin"
    );
    assert_eq!(
        q("q=%25").await.json()["total"],
        0,
        "LIKE wildcards are literal"
    );
    // Three characters or more go through the trigram index on SQLite and PostgreSQL.
    assert_eq!(
        names(&q("q=%E8%A5%BF%E5%AE%89%E4%BA%A4").await),
        ["Xi'an Jiaotong University"],
        "Chinese substring 西安交"
    );
    assert_eq!(
        names(&q("q=xi%27an%20jiao").await),
        ["Xi'an Jiaotong University"],
        "apostrophe and space"
    );
    let nul = q("q=ab%00cd").await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
    assert_eq!(nul.error_fields(), ["q"]);
    assert_eq!(
        q("q=%22kazakh%22").await.json()["total"],
        0,
        "double quotes are literal text, not search syntax"
    );
    assert_eq!(
        q("q=national%20univ%25").await.json()["total"],
        0,
        "a wildcard inside a long query is literal too"
    );
    assert_eq!(
        names(&q("country=KZ").await),
        ["Al-Farabi Kazakh National University"]
    );
    assert_eq!(names(&q("kind=foundation").await), ["OpenAtom Foundation"]);
    assert_eq!(
        names(&q("status=ended").await),
        ["Technische Universität München"]
    );
    assert_eq!(
        names(&q("region_tags=sco&sort=name").await),
        [
            "Al-Farabi Kazakh National University",
            "Xi'an Jiaotong University"
        ]
    );
    assert_eq!(q("country=cn&kind=university").await.json()["total"], 1);

    let sorted = q("sort=-name").await;
    assert_eq!(names(&sorted)[0], "Xi'an Jiaotong University");
    let paged = q("sort=name&page=2&per_page=2").await;
    let body = paged.json();
    assert_eq!(
        (
            body["total"].clone(),
            body["page"].clone(),
            body["per_page"].clone()
        ),
        (json!(5), json!(2), json!(2))
    );
    assert_eq!(
        names(&paged),
        ["OpenAtom Foundation", "Technische Universität München"]
    );
    assert_eq!(
        q("per_page=100000").await.json()["per_page"],
        500,
        "per_page is capped"
    );
    assert_eq!(q("page=99").await.json()["items"], json!([]));
}

#[tokio::test]
async fn org_units_nest_within_one_institution() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let t = Some(token.as_str());
    let inst = app
        .api("POST", "/api/v1/institutions", t, Some(xjtu()))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = app
        .api(
            "POST",
            "/api/v1/institutions",
            t,
            Some(json!({"kind": "enterprise", "name": {"en": "iFLYTEK"}, "country": "CN"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unit = |body: serde_json::Value| app.api("POST", "/api/v1/org-units", t, Some(body));

    let law = unit(json!({"institution_id": inst, "kind": "school", "name": {"en": "School of Law", "zh": "法学院"}, "ounit_id": "law"})).await;
    assert_eq!(law.status, StatusCode::CREATED, "{}", law.body);
    let law = law.json();
    let law_id = law["id"].as_str().unwrap().to_string();
    assert_eq!(law["institution_id"], json!(inst));
    let intl = unit(json!({"institution_id": inst, "parent_id": law_id, "kind": "department", "name": {"en": "International Law"}})).await;
    assert_eq!(intl.status, StatusCode::CREATED);
    let intl_id = intl.json()["id"].as_str().unwrap().to_string();

    let cycle = app
        .api(
            "PATCH",
            &format!("/api/v1/org-units/{law_id}"),
            t,
            Some(json!({"version": 1, "parent_id": intl_id})),
        )
        .await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(cycle.error_fields(), ["parent_id"]);
    let foreign = unit(json!({"institution_id": other, "parent_id": law_id, "kind": "office", "name": {"en": "X"}})).await;
    assert_eq!(foreign.error_fields(), ["parent_id"]);
    let dup = unit(
        json!({"institution_id": inst, "kind": "office", "name": {"en": "Y"}, "ounit_id": "law"}),
    )
    .await;
    assert_eq!(dup.error_fields(), ["ounit_id"]);
    let missing =
        unit(json!({"institution_id": "999999", "kind": "office", "name": {"en": "Z"}})).await;
    assert_eq!(missing.error_fields(), ["institution_id"]);

    let busy = app
        .api(
            "DELETE",
            &format!("/api/v1/org-units/{law_id}?version=1"),
            t,
            None,
        )
        .await;
    assert_eq!(busy.status, StatusCode::CONFLICT);
    assert_eq!(busy.error_code(), "has_dependents");

    let listed = app
        .api(
            "GET",
            &format!("/api/v1/org-units?institution_id={inst}&sort=name"),
            t,
            None,
        )
        .await
        .json();
    assert_eq!(listed["total"], 2);
    let searched = app
        .api("GET", "/api/v1/org-units?q=%E6%B3%95%E5%AD%A6", t, None)
        .await
        .json();
    assert_eq!(searched["items"][0]["name"]["zh"], "法学院");
}

#[tokio::test]
async fn people_belong_to_institutions_and_units() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let t = Some(token.as_str());
    let inst = app
        .api("POST", "/api/v1/institutions", t, Some(xjtu()))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = app
        .api("POST", "/api/v1/institutions", t, Some(json!({"kind": "university", "name": {"en": "Astana IT University"}, "country": "KZ"})))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unit = app
        .api("POST", "/api/v1/org-units", t, Some(json!({"institution_id": inst, "kind": "office", "name": {"en": "International Office"}})))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let bad = app
        .api(
            "POST",
            "/api/v1/people",
            t,
            Some(
                json!({"name": {"zh": "王芳"}, "emails": ["wang@xjtu.example.cn", "not-an-email"]}),
            ),
        )
        .await;
    assert_eq!(bad.error_fields(), ["emails.1"]);
    let wrong_unit = app
        .api(
            "POST",
            "/api/v1/people",
            t,
            Some(json!({"name": {"zh": "王芳"}, "institution_id": other, "org_unit_id": unit})),
        )
        .await;
    assert_eq!(wrong_unit.error_fields(), ["org_unit_id"]);

    let person = app
        .api(
            "POST",
            "/api/v1/people",
            t,
            Some(json!({"name": {"en": "Wang Fang", "zh": "王芳"}, "title": {"en": "Director", "zh": "主任"},
                        "institution_id": inst, "org_unit_id": unit, "emails": ["Wang.Fang@XJTU.example.cn"], "languages": ["zh", "en"]})),
        )
        .await;
    assert_eq!(person.status, StatusCode::CREATED, "{}", person.body);
    assert_eq!(
        person.json()["emails"],
        json!(["wang.fang@xjtu.example.cn"])
    );

    let found = app
        .api("GET", "/api/v1/people?q=%E7%8E%8B", t, None)
        .await
        .json();
    assert_eq!(found["total"], 1);
    let by_unit = app
        .api(
            "GET",
            &format!("/api/v1/people?org_unit_id={unit}"),
            t,
            None,
        )
        .await
        .json();
    assert_eq!(by_unit["total"], 1);

    // Deleting the institution takes its units and contacts with it, each audited.
    let deleted = app
        .api(
            "DELETE",
            &format!("/api/v1/institutions/{inst}?version=1"),
            t,
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        app.api("GET", "/api/v1/people", t, None).await.json()["total"],
        0
    );
    assert_eq!(
        app.api("GET", "/api/v1/org-units", t, None).await.json()["total"],
        0
    );
    for entity in ["person", "org_unit", "institution"] {
        let entries = app
            .db
            .audit_entries(
                &liaison_storage::AuditFilter {
                    entity: Some(entity.into()),
                    ..Default::default()
                },
                &Default::default(),
            )
            .await
            .unwrap();
        assert!(
            entries.items.iter().any(|e| e.action == "delete"),
            "{entity} deletion audited"
        );
    }
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    for path in [
        "/api/v1/institutions/424242",
        "/api/v1/institutions/abc",
        "/api/v1/people/0",
        "/api/v1/org-units/-1",
        "/api/v1/nothing",
    ] {
        let r = app.api("GET", path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.error_code(), "not_found", "{path}");
    }
    let patch = app
        .api(
            "PATCH",
            "/api/v1/people/424242",
            Some(&token),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn openapi_document_covers_every_api_route() {
    let app = TestApp::new().await;
    let doc = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut checked = 0;
    for spec in table().iter().filter(|s| s.face == Face::Api) {
        let op = &doc["paths"][spec.path][spec.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} missing from the OpenAPI document",
            spec.method,
            spec.path
        );
        assert!(op["responses"].is_object());
        checked += 1;
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented, checked,
        "the document lists no route the server lacks"
    );
    for schema in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(!schema.is_empty());
    }
}

#[tokio::test]
async fn search_follows_a_renamed_partner() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let t = Some(token.as_str());
    let created = app
        .api("POST", "/api/v1/institutions", t, Some(xjtu()))
        .await;
    let id = created.json()["id"].as_str().unwrap().to_string();
    let renamed = app
        .api(
            "PATCH",
            &format!("/api/v1/institutions/{id}"),
            t,
            Some(json!({"version": 1, "name": {"en": "Shaanxi Normal University", "zh": "陕西师范大学"}})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let total = |q: &'static str| {
        let app = &app;
        async move {
            app.api("GET", &format!("/api/v1/institutions?q={q}"), t, None)
                .await
                .json()["total"]
                .clone()
        }
    };
    assert_eq!(total("jiaotong").await, 0, "the old name is forgotten");
    assert_eq!(total("normal%20univ").await, 1, "the new name is found");
    assert_eq!(
        total("%E5%B8%88%E8%8C%83%E5%A4%A7").await,
        1,
        "the new Chinese name (师范大) is found"
    );
}

/// A list page is served from memory while the database is unchanged (SQLite), so a change made
/// through another connection (as `liaison import` beside the server makes) must show at once,
/// as must a change through the API, for every caller, sort and page.
#[tokio::test]
async fn institution_list_shows_every_change_at_once_including_other_processes() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let t = Some(token.as_str());
    let list = |path: &'static str| {
        let app = &app;
        async move { app.api("GET", path, t, None).await.json() }
    };
    let first = "/api/v1/institutions?page=1&per_page=50";
    assert_eq!(list(first).await["total"], 0);
    assert_eq!(
        list(first).await["items"],
        json!([]),
        "asked twice, still empty"
    );

    let created = app
        .api("POST", "/api/v1/institutions", t, Some(xjtu()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let page = list(first).await;
    assert_eq!(page["total"], 1, "the API's own change shows");
    assert_eq!(page["items"][0]["name"]["zh"], "西安交通大学");

    // Another process: its own pool on the same database.
    let other = Db::connect(&app.url).await.expect("second connection");
    let drafts = [InstitutionDraft {
        kind: InstitutionKind::Enterprise,
        name: LocalizedText {
            zh: Some("科大讯飞".into()),
            ..LocalizedText::default()
        },
        country: CountryCode::parse("CN").unwrap(),
        city: LocalizedText::default(),
        website: None,
        status: RelationshipStatus::Active,
        region_tags: Vec::new(),
        hei_id: None,
        erasmus_code: None,
        social_credit_code: None,
        profile: LocalizedText::default(),
    }];
    other
        .create_institutions(&Actor::system("import"), &drafts)
        .await
        .expect("insert from the other process");
    let page = list(first).await;
    assert_eq!(page["total"], 2, "the other process's change shows");
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["name"]["zh"].as_str())
        .collect();
    assert!(names.contains(&"科大讯飞"), "{names:?}");
    let by_kind = list("/api/v1/institutions?kind=enterprise").await;
    assert_eq!(by_kind["total"], 1, "a filtered page agrees");

    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    let version = page["items"][0]["version"].as_i64().unwrap();
    let deleted = app
        .api(
            "DELETE",
            &format!("/api/v1/institutions/{id}?version={version}"),
            t,
            None,
        )
        .await;
    assert!(deleted.status.is_success(), "{}", deleted.body);
    assert_eq!(list(first).await["total"], 1, "a deletion shows");
    other.close().await;
}

/// The list's items are written as JSON by the database (one statement, from the JSON stored
/// with each row); each must be exactly the record `GET /api/v1/institutions/{id}` serialises, in
/// the order of the sort, with the total. Also for rows without stored JSON (built from the
/// columns) and for rows filled by migration 12.
#[tokio::test]
async fn institution_list_items_are_the_records_as_shown_one_by_one() {
    let app = TestApp::new().await;
    let token = app.token(Role::Staff).await;
    let t = Some(token.as_str());
    let bodies = [
        xjtu(),
        json!({"kind": "enterprise", "name": {"zh": "科大讯飞"}, "country": "CN"}),
        json!({
            "kind": "government", "name": {"en": "Quote \"and\" back\\slash", "local": "Ñandú ✓ 😀"},
            "country": "KZ", "city": {"local": "Алматы"}, "status": "ended",
            "region_tags": ["eu"], "erasmus_code": "E KZ01", "social_credit_code": "91340100711771143J",
            "profile": {"en": "Line one\nline two\t<b>&amp;</b>", "zh": "简介"}
        }),
        json!({"kind": "university", "name": {"en": "Tab\tand unicode \u{2028}"}, "country": "DE",
               "region_tags": ["sco", "eu", "belt_and_road"], "website": "https://tum.de/?a=1&b=2"}),
    ];
    let mut ids = Vec::new();
    for body in bodies {
        let r = app.api("POST", "/api/v1/institutions", t, Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    // An edit rewrites the stored JSON.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/institutions/{}", ids[1]),
            t,
            Some(json!({"version": 1, "name": {"en": "iFLYTEK", "zh": "科大讯飞"}, "status": "active"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut shown = std::collections::HashMap::new();
    for id in &ids {
        let r = app
            .api("GET", &format!("/api/v1/institutions/{id}"), t, None)
            .await;
        shown.insert(id.clone(), r.json());
    }
    check_institution_lists(&app, t, &shown, "stored").await;
    app.db
        .execute_raw("UPDATE institutions SET api_json = ''")
        .await
        .unwrap();
    check_institution_lists(&app, t, &shown, "built from the columns").await;
    let migration = if std::env::var("LIAISON_TEST_POSTGRES_URL").is_ok() {
        include_str!("../../../liaison-storage/migrations/postgres/0012_institution_json.sql")
    } else {
        include_str!("../../../liaison-storage/migrations/sqlite/0012_institution_json.sql")
    };
    let backfill = &migration[migration.find("UPDATE").unwrap()..];
    app.db.execute_raw(backfill).await.unwrap();
    check_institution_lists(&app, t, &shown, "filled by the migration").await;
}

async fn check_institution_lists(
    app: &TestApp,
    t: Option<&str>,
    shown: &std::collections::HashMap<String, serde_json::Value>,
    state: &str,
) {
    for (query, total) in [
        ("", 4),
        ("sort=-name", 4),
        ("sort=country&per_page=2&page=2", 4),
        ("sort=-created_at&per_page=3", 4),
        ("status=active", 2),
        ("region_tags=eu", 2),
        ("q=%E8%AE%AF%E9%A3%9E", 1),
        ("q=back%5Cslash", 1),
        ("q=nothing-like-this", 0),
        ("page=9", 4),
    ] {
        let r = app
            .api("GET", &format!("/api/v1/institutions?{query}"), t, None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{state} {query}: {}", r.body);
        assert!(
            r.headers
                .get("content-type")
                .is_some_and(|v| v == "application/json"),
            "{query}"
        );
        let body = r.json();
        assert_eq!(body["total"], total, "{state} {query}");
        let items = body["items"].as_array().expect("items is an array");
        for item in items {
            let id = item["id"].as_str().expect("id is a string");
            assert_eq!(
                item, &shown[id],
                "{state} {query}: item {id} as listed and as shown"
            );
        }
        // The order is the one the sort asks for, ties broken by id.
        let mut expected: Vec<&serde_json::Value> = shown
            .values()
            .filter(|v| items.iter().any(|i| i["id"] == v["id"]))
            .collect();
        let key = |v: &serde_json::Value| -> String {
            if query.contains("sort=country") {
                v["country"].as_str().unwrap().to_string()
            } else if query.contains("created_at") {
                v["created_at"].as_str().unwrap().to_string()
            } else {
                let n = &v["name"];
                liaison_domain::search::normalize(
                    n["en"]
                        .as_str()
                        .or(n["zh"].as_str())
                        .or(n["local"].as_str())
                        .unwrap(),
                )
            }
        };
        let id_num = |v: &serde_json::Value| v["id"].as_str().unwrap().parse::<i64>().unwrap();
        expected.sort_by_key(|v| (key(v), id_num(v)));
        if query.contains("sort=-") {
            expected.reverse();
        }
        let got: Vec<&serde_json::Value> = items.iter().collect();
        if !query.contains("page=2") {
            assert_eq!(got, expected, "{state} {query}: order");
        }
    }
    let all = app
        .api("GET", "/api/v1/institutions?sort=country", t, None)
        .await
        .json();
    let second = app
        .api(
            "GET",
            "/api/v1/institutions?sort=country&per_page=2&page=2",
            t,
            None,
        )
        .await
        .json();
    assert_eq!(
        second["items"].as_array().unwrap()[..],
        all["items"].as_array().unwrap()[2..4],
        "{state}"
    );
}

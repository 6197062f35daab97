//! Hardening through the user's doors: sign-in throttling (form and API), session rotation,
//! "sign out everywhere", security headers on every page.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::support::{TestApp, PASSWORD};
use liaison_domain::Role;

/// A sign-in form post from the given client address (the server reads it from the connection).
async fn form_sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    ip: &str,
) -> crate::support::Reply {
    let mut browser = app.anonymous();
    browser.get("/login").await;
    let csrf = browser.cookies["liaison_csrf"].clone();
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("_csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/"),
        ])
        .finish();
    let mut req = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::COOKIE, format!("liaison_csrf={csrf}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    app.send(req).await
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account_for_a_while() {
    let app = TestApp::new().await;
    let email = app.user(Role::Staff).await;
    for attempt in 1..=5 {
        let reply = form_sign_in(&app, &email, "wrong password!", "192.0.2.1").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Even the right password is refused now, from another address too, with a clear message.
    let locked = form_sign_in(&app, &email, PASSWORD, "198.51.100.7").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = locked.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    assert!(locked.body.contains("Too many failed sign-ins"));
    assert!(
        locked
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("liaison_session=")),
        "no session is handed out"
    );

    // The API door counts the same failures.
    let api = app
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.error_code(), "too_many_attempts");
    assert!(api.headers.contains_key(header::RETRY_AFTER));

    // Other accounts are not affected.
    let other = app.user(Role::Staff).await;
    let fine = form_sign_in(&app, &other, PASSWORD, "198.51.100.7").await;
    assert_eq!(fine.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled() {
    let app = TestApp::new().await;
    for i in 0..20 {
        let reply = form_sign_in(
            &app,
            &format!("nobody{i}@example.org"),
            "guess-guess",
            "203.0.113.9",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let email = app.user(Role::Staff).await;
    let blocked = form_sign_in(&app, &email, PASSWORD, "203.0.113.9").await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = form_sign_in(&app, &email, PASSWORD, "203.0.113.10").await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_success_clears_the_account_counter() {
    let app = TestApp::new().await;
    let email = app.user(Role::Staff).await;
    for _ in 0..4 {
        form_sign_in(&app, &email, "wrong password!", "192.0.2.1").await;
    }
    assert_eq!(
        form_sign_in(&app, &email, PASSWORD, "192.0.2.1")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    for _ in 0..4 {
        form_sign_in(&app, &email, "wrong password!", "192.0.2.1").await;
    }
    assert_eq!(
        form_sign_in(&app, &email, PASSWORD, "192.0.2.1")
            .await
            .status,
        StatusCode::SEE_OTHER,
        "four new failures after a success do not lock"
    );
}

#[tokio::test]
async fn signing_in_replaces_the_session_and_sign_out_everywhere_ends_them_all() {
    let app = TestApp::new().await;
    let email = app.user(Role::Staff).await;

    let mut laptop = app.anonymous();
    laptop.sign_in(&email, PASSWORD).await;
    let first = laptop.cookies["liaison_session"].clone();
    laptop.sign_in(&email, PASSWORD).await;
    let second = laptop.cookies["liaison_session"].clone();
    assert_ne!(first, second, "a new session id on every sign-in");
    let mut planted = app.anonymous();
    planted
        .cookies
        .insert("liaison_session".into(), first.clone());
    assert_eq!(
        planted.get("/institutions").await.status,
        StatusCode::SEE_OTHER,
        "the replaced session no longer works"
    );

    let mut phone = app.anonymous();
    phone.sign_in(&email, PASSWORD).await;
    assert_eq!(phone.get("/institutions").await.status, StatusCode::OK);
    let out = laptop.post("/logout/everywhere", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.headers[header::LOCATION], "/login");
    assert_eq!(
        phone.get("/institutions").await.status,
        StatusCode::SEE_OTHER,
        "the phone is signed out too"
    );
    assert_eq!(
        laptop.get("/institutions").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn every_page_and_api_answer_carries_the_security_headers() {
    let app = TestApp::with_demo().await;
    let mut admin = app.browser(Role::Admin).await;
    let token = app.token(Role::Admin).await;
    let mut checked = 0;
    for spec in liaison_web::routes::table() {
        if spec.method != "GET" || spec.path.contains('{') {
            continue;
        }
        let reply = if spec.path.starts_with("/api/") {
            app.api("GET", spec.path, Some(&token), None).await
        } else {
            admin.get(spec.path).await
        };
        let csp = reply
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap_or_else(|| panic!("{}: no CSP", spec.path))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{}: {csp}",
            spec.path
        );
        assert!(!csp.contains("unsafe-inline"), "{}: {csp}", spec.path);
        assert!(
            !csp.contains("script-src"),
            "no script source is allowed at all"
        );
        assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(reply.headers[header::REFERRER_POLICY], "same-origin");
        if reply.body.contains("<html") {
            assert!(
                !reply.body.contains("<script"),
                "{}: inline script",
                spec.path
            );
            assert!(
                !reply.body.contains(" style=\""),
                "{}: inline style",
                spec.path
            );
        }
        checked += 1;
    }
    assert!(checked > 10, "walked {checked} routes");
    // Errors carry them too.
    let missing = admin.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing
        .headers
        .contains_key(header::CONTENT_SECURITY_POLICY));
}

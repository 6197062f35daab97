//! A real application on a real database (SQLite in a temp dir, or a fresh PostgreSQL schema when
//! `LIAISON_TEST_POSTGRES_URL` is set), driven through its HTTP router exactly as a client would.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use liaison_domain::Role;
use liaison_storage::{Actor, Db, NewUser};
use liaison_web::{AppState, WebConfig};

pub struct TestApp {
    pub app: Router,
    pub db: Db,
    /// The database URL, for opening it a second time as another process would.
    pub url: String,
    /// Where this app stores uploaded files.
    pub files_dir: std::path::PathBuf,
    _dir: Option<tempfile::TempDir>,
    _files: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The C3 error code.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Fields named in a 422's details.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["error"]["details"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|d| d["field"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub async fn new() -> TestApp {
        let (url, dir) = match std::env::var("LIAISON_TEST_POSTGRES_URL") {
            Ok(admin) => {
                let secret = liaison_web::auth::new_secret()
                    .to_lowercase()
                    .replace(['-', '_'], "");
                let schema = format!("t_{}", &secret[..16]);
                let db = Db::connect(&admin)
                    .await
                    .expect("connect to test PostgreSQL");
                db.execute_raw(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("create schema");
                db.close().await;
                let sep = if admin.contains('?') { '&' } else { '?' };
                (
                    format!("{admin}{sep}options=-c%20search_path%3D{schema}"),
                    None,
                )
            }
            Err(_) => {
                let dir = tempfile::tempdir().expect("temp dir");
                (
                    format!("sqlite://{}", dir.path().join("test.db").display()),
                    Some(dir),
                )
            }
        };
        let db = Db::connect(&url).await.expect("open test database");
        db.migrate().await.expect("migrate");
        let files = tempfile::tempdir().expect("temp dir for files");
        let files_dir = files.path().join("files");
        let config = WebConfig {
            files_dir: files_dir.clone(),
            upload_limit: 256 * 1024,
            ..WebConfig::default()
        };
        let app = liaison_web::app(AppState::new(db.clone(), config));
        TestApp {
            app,
            db,
            url,
            files_dir,
            _dir: dir,
            _files: files,
        }
    }

    pub async fn with_demo() -> TestApp {
        let app = TestApp::new().await;
        liaison_demo::load(&app.db).await.expect("demo data loads");
        app
    }

    /// Creates an account with `PASSWORD` and returns its e-mail.
    pub async fn user(&self, role: Role) -> String {
        let email = format!(
            "{}-{}@test.example.org",
            role.as_str(),
            &liaison_web::auth::new_secret()[..8].to_lowercase()
        );
        let new = NewUser {
            email: email.clone(),
            password_hash: liaison_web::auth::hash_password(PASSWORD),
            role,
            display_name: None,
            person_id: None,
            institution_id: None,
            unit_ids: Vec::new(),
        };
        self.db
            .create_user(&Actor::system("test"), new)
            .await
            .expect("create user");
        email.to_lowercase()
    }

    /// Creates a scoped account (a partner's institution, a coordinator's units) with `PASSWORD`.
    pub async fn scoped_user(
        &self,
        role: Role,
        institution_id: Option<i64>,
        unit_ids: Vec<i64>,
    ) -> String {
        let email = format!(
            "{}-{}@test.example.org",
            role.as_str(),
            &liaison_web::auth::new_secret()[..8].to_lowercase()
        )
        .to_lowercase();
        let new = NewUser {
            email: email.clone(),
            password_hash: liaison_web::auth::hash_password(PASSWORD),
            role,
            display_name: None,
            person_id: None,
            institution_id,
            unit_ids,
        };
        self.db
            .create_user(&Actor::system("test"), new)
            .await
            .expect("create scoped user");
        email
    }

    /// Creates an account linked to a person (a student) and/or an institution, with `PASSWORD`.
    pub async fn linked_user(
        &self,
        role: Role,
        institution_id: Option<i64>,
        person_id: Option<i64>,
    ) -> String {
        let email = format!(
            "{}-{}@test.example.org",
            role.as_str(),
            &liaison_web::auth::new_secret()[..8].to_lowercase()
        )
        .to_lowercase();
        let new = NewUser {
            email: email.clone(),
            password_hash: liaison_web::auth::hash_password(PASSWORD),
            role,
            display_name: None,
            person_id,
            institution_id,
            unit_ids: Vec::new(),
        };
        self.db
            .create_user(&Actor::system("test"), new)
            .await
            .expect("create linked user");
        email
    }

    /// A bearer token for an existing account.
    pub async fn token_for(&self, email: &str) -> String {
        let reply = self
            .api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["token"].as_str().expect("token").to_string()
    }

    /// A signed-in browser for an existing account.
    pub async fn browser_for(&self, email: &str) -> Browser<'_> {
        let mut b = self.anonymous();
        b.sign_in(email, PASSWORD).await;
        b
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A bearer token for a new account with `role`, obtained through the API.
    pub async fn token(&self, role: Role) -> String {
        let email = self.user(role).await;
        let reply = self
            .api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["token"].as_str().expect("token").to_string()
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("request")).await
    }

    pub async fn api_raw(&self, method: &str, path: &str, token: &str, body: Vec<u8>) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// A browser-like session: signs in through the login form and keeps its cookies.
    pub async fn browser(&self, role: Role) -> Browser<'_> {
        let email = self.user(role).await;
        let mut b = Browser {
            app: self,
            cookies: HashMap::new(),
        };
        b.sign_in(&email, PASSWORD).await;
        b
    }

    pub fn anonymous(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: HashMap::new(),
        }
    }
}

pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, String>,
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, reply: &Reply) {
        for v in reply.headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap_or("");
            let pair = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = pair.split_once('=') {
                if v.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let req = Request::builder()
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .expect("request");
        let reply = self.app.send(req).await;
        self.remember(&reply);
        reply
    }

    /// Submits a form with the CSRF token a real page would have embedded.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        if !self.cookies.contains_key("liaison_csrf") {
            self.get("/login").await;
        }
        let csrf = self.cookies["liaison_csrf"].clone();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Uploads one file as a page's upload form does: `multipart/form-data` with a `file` field,
    /// the CSRF token in the URL.
    pub async fn upload(&mut self, path: &str, file_name: &str, bytes: &[u8]) -> Reply {
        if !self.cookies.contains_key("liaison_csrf") {
            self.get("/login").await;
        }
        let csrf = self.cookies["liaison_csrf"].clone();
        let boundary = "LiaisonTestBoundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method("POST")
            .uri(format!("{path}?_csrf={csrf}"))
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request");
        let reply = self.app.send(req).await;
        self.remember(&reply);
        reply
    }

    /// Submits exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let reply = self.app.send(req).await;
        self.remember(&reply);
        reply
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        self.get("/login").await;
        let reply = self
            .post(
                "/login",
                &[("email", email), ("password", password), ("next", "/")],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            reply.body
        );
        reply
    }
}

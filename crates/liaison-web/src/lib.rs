//! Liaison's HTTP face: server-rendered HTML pages, the `/api/v1` JSON API and its OpenAPI
//! document, all behind one route table (`routes.rs`) that declares each route's access.
//!
//! Invariant: handlers are thin. They parse and authorise (the guard already did), call storage
//! or the domain, and render. No SQL and no business rule lives here.

pub mod api;
pub mod auth;
pub mod calendar;
pub mod charts;
pub mod error;
pub mod feeds;
pub mod html;
pub mod i18n;
pub mod mail;
pub mod markdown;
pub mod openapi;
pub mod routes;
pub mod uploads;
pub mod world_map;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Router;

use liaison_storage::Db;

/// JSON and form bodies above this size are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The default upper bound of one uploaded document (`--max-upload-mib`).
pub const DEFAULT_UPLOAD_LIMIT: u64 = 20 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when the public URL is https).
    pub secure_cookies: bool,
    /// The URL people reach the server at (`--public-url`), for links in e-mails; without it the
    /// request's `Host` is used.
    pub public_url: Option<String>,
    /// Where uploaded files live, content-addressed (`<data dir>/files`); several nodes share it.
    pub files_dir: std::path::PathBuf,
    /// The largest upload accepted, in bytes; beyond it 413.
    pub upload_limit: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            public_url: None,
            files_dir: std::path::PathBuf::from("./liaison-data/files"),
            upload_limit: DEFAULT_UPLOAD_LIMIT,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub i18n: Arc<i18n::I18n>,
    pub config: Arc<WebConfig>,
    pub files: liaison_storage::FileStore,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState {
            db,
            i18n: Arc::new(i18n::I18n::load()),
            files: liaison_storage::FileStore::new(config.files_dir.clone()),
            config: Arc::new(config),
        }
    }
}

/// The whole application as one `Router`, ready to serve.
pub fn app(state: AppState) -> Router {
    routes::router(&state)
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::context,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .with_state(state)
}

async fn not_found(ctx: auth::Ctx) -> axum::response::Response {
    if ctx.path.starts_with("/api/") {
        error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route").into_response()
    } else {
        html::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found")
    }
}

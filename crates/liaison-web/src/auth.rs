//! Who is calling and whether they may: passwords, sessions, API tokens, CSRF and the per-route
//! guard. Every route passes through `guard` with the access it declared in `routes.rs`.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::i18n::{I18n, Lang};
use crate::routes::{Access, Face};
use crate::AppState;
use liaison_domain::access::allows;
use liaison_storage::SessionUser;

pub const SESSION_COOKIE: &str = "liaison_session";
pub const CSRF_COOKIE: &str = "liaison_csrf";
pub const LANG_COOKIE: &str = "lang";
pub const FLASH_COOKIE: &str = "liaison_flash";
pub const CSRF_FIELD: &str = "_csrf";
/// Forms are small; anything larger is refused before parsing.
pub const FORM_LIMIT: usize = 1024 * 1024;
pub const SESSION_HOURS: i64 = 12;
pub const TOKEN_DAYS: i64 = 30;

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Spends the same time as a real check, so that a missing account cannot be told by timing.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not-a-real-password"));
    let _ = verify_password(password, hash);
}

/// A new random secret (256 bits, URL-safe).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Secrets are stored only as this hash.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure when served over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are ASCII")
}

/// What every handler knows about the request: language, caller, CSRF token, flash message.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<SessionUser>,
    pub csrf: String,
    pub flash: Option<String>,
    pub i18n: Arc<I18n>,
    /// Path and query as requested, for the language switch and `next=` links.
    pub path: String,
    pub query: String,
    /// Whether cookies set while answering must be `Secure`.
    pub secure_cookies: bool,
    /// The peer's address, when the server knows it (for sign-in throttling).
    pub client_ip: Option<std::net::IpAddr>,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        self.i18n.t(self.lang, key)
    }

    pub fn t_args(&self, key: &str, args: &[(&str, fluent_bundle::FluentValue<'_>)]) -> String {
        self.i18n.t_args(self.lang, key, args)
    }

    /// The signed-in user; the guard has already turned anonymous callers away on protected routes.
    pub fn user(&self) -> &SessionUser {
        self.user.as_ref().expect("guarded route has a user")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Runs before routing: resolves language, caller and CSRF token, and sets the cookies they need.
pub async fn context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let client_ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let headers = req.headers();
    let query = req.uri().query().unwrap_or("").to_string();
    let path = req.uri().path().to_string();
    let lang_param = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v));
    let lang = lang_param
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En);

    let is_api = path.starts_with("/api/");
    let user = if is_api {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match bearer {
            Some(token) => state
                .db
                .token_user(&secret_hash(token.trim()))
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "token lookup failed");
                    None
                }),
            None => None,
        }
    } else {
        match cookie(headers, SESSION_COOKIE) {
            Some(token) => state
                .db
                .session_user(&secret_hash(&token))
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "session lookup failed");
                    None
                }),
            None => None,
        }
    };
    let existing_csrf = cookie(headers, CSRF_COOKIE).filter(|c| c.len() >= 32);
    let csrf = existing_csrf.clone().unwrap_or_else(new_secret);
    let flash = cookie(headers, FLASH_COOKIE)
        .filter(|k| k.starts_with("flash-") && state.i18n.has(lang, k));
    let had_flash = cookie(headers, FLASH_COOKIE).is_some();

    req.extensions_mut().insert(Ctx {
        lang,
        user,
        csrf: csrf.clone(),
        flash,
        i18n: state.i18n.clone(),
        path,
        query,
        secure_cookies: state.config.secure_cookies,
        client_ip,
    });
    let mut response = next.run(req).await;
    let secure = state.config.secure_cookies;
    let h = response.headers_mut();
    if let Some(lang) = lang_param {
        h.append(
            header::SET_COOKIE,
            set_cookie(LANG_COOKIE, lang.tag(), Some(365 * 24 * 3600), secure),
        );
    }
    if !is_api && existing_csrf.is_none() {
        h.append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &csrf, None, secure),
        );
    }
    // A page that shows the flash clears it; a redirect that sets a new one keeps its own.
    let sets_flash = h
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    if had_flash && !sets_flash {
        h.append(
            header::SET_COOKIE,
            set_cookie(FLASH_COOKIE, "", Some(0), secure),
        );
    }
    response
}

/// The state each route's guard carries: what it needs and which face it shows.
#[derive(Clone, Copy)]
pub struct Guard {
    pub access: Access,
    pub face: Face,
}

/// Checks the declared access, and the CSRF token on every HTML form submission.
pub async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .expect("context middleware runs first");
    if let Access::Signed(action) = guard.access {
        let Some(user) = &ctx.user else {
            return match guard.face {
                Face::Api => ApiError::unauthorized().into_response(),
                Face::Html => {
                    let target = if ctx.query.is_empty() {
                        ctx.path.clone()
                    } else {
                        format!("{}?{}", ctx.path, ctx.query)
                    };
                    let next: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
                    Redirect::to(&format!("/login?next={next}")).into_response()
                }
            };
        };
        if !allows(user.role, action) {
            return match guard.face {
                Face::Api => ApiError::forbidden().into_response(),
                Face::Html => {
                    crate::html::error_page(&ctx, StatusCode::FORBIDDEN, "page-forbidden")
                }
            };
        }
    }
    if guard.face == Face::Html && req.method() != Method::GET && req.method() != Method::HEAD {
        if is_multipart(req.headers()) {
            return check_csrf_in_query(ctx, req, next).await;
        }
        return check_csrf(ctx, req, next).await;
    }
    next.run(req).await
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// File uploads (`multipart/form-data`) carry the CSRF token in the form's action URL
/// (`?_csrf=…`), so that the body can stream to disk instead of being buffered here. The token is
/// the same per-browser secret, sent only to this origin (`Referrer-Policy: same-origin`).
async fn check_csrf_in_query(ctx: Ctx, req: Request, next: Next) -> Response {
    let sent = form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    let valid = sent.is_some_and(|s| bool::from(s.as_bytes().ct_eq(ctx.csrf.as_bytes())));
    if !valid {
        tracing::warn!(path = %req.uri().path(), "upload rejected: missing or wrong CSRF token");
        return crate::html::error_page(&ctx, StatusCode::FORBIDDEN, "page-csrf");
    }
    next.run(req).await
}

async fn check_csrf(ctx: Ctx, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return crate::html::error_page(&ctx, StatusCode::PAYLOAD_TOO_LARGE, "page-too-large")
        }
    };
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    let valid = sent.is_some_and(|s| bool::from(s.as_bytes().ct_eq(ctx.csrf.as_bytes())));
    if !valid {
        tracing::warn!(path = %parts.uri.path(), "form rejected: missing or wrong CSRF token");
        return crate::html::error_page(&ctx, StatusCode::FORBIDDEN, "page-csrf");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Failed sign-ins allowed per account within the window before further attempts get 429.
pub const ACCOUNT_THROTTLE: liaison_storage::ThrottleRule = liaison_storage::ThrottleRule {
    failures: 5,
    window: time::Duration::minutes(15),
};
/// Failed sign-ins allowed per client address (higher: an office shares one NAT address).
pub const IP_THROTTLE: liaison_storage::ThrottleRule = liaison_storage::ThrottleRule {
    failures: 20,
    window: time::Duration::minutes(15),
};

/// The throttling keys of a sign-in attempt: the account (by normalised e-mail) and the address.
pub fn throttle_keys(email: &str, ip: Option<std::net::IpAddr>) -> (String, Option<String>) {
    (
        format!("account:{}", email.trim().to_lowercase()),
        ip.map(|ip| format!("ip:{ip}")),
    )
}

/// Whether this attempt must wait; `Some(seconds)` for `Retry-After`.
pub async fn sign_in_wait(
    db: &liaison_storage::Db,
    email: &str,
    ip: Option<std::net::IpAddr>,
) -> liaison_storage::StoreResult<Option<u64>> {
    let (account, address) = throttle_keys(email, ip);
    let mut keys = vec![(account.as_str(), ACCOUNT_THROTTLE)];
    if let Some(a) = &address {
        keys.push((a.as_str(), IP_THROTTLE));
    }
    Ok(db
        .login_throttled(&keys)
        .await?
        .map(|d| d.whole_seconds().max(1) as u64))
}

/// Counts a failed sign-in against the account and the address.
pub async fn sign_in_failed(
    db: &liaison_storage::Db,
    email: &str,
    ip: Option<std::net::IpAddr>,
) -> liaison_storage::StoreResult<()> {
    let (account, address) = throttle_keys(email, ip);
    let mut keys = vec![account.as_str()];
    if let Some(a) = &address {
        keys.push(a.as_str());
    }
    db.record_login_failure(&keys).await
}

/// After a successful sign-in the account's earlier failures stop counting.
pub async fn sign_in_succeeded(
    db: &liaison_storage::Db,
    email: &str,
) -> liaison_storage::StoreResult<()> {
    db.clear_login_failures(&throttle_keys(email, None).0).await
}

/// Headers every response carries: no scripts, styles and images only from this origin, never
/// framed, no MIME sniffing, no referrer leaking to other sites. HSTS when served over HTTPS.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

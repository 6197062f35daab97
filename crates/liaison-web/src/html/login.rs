//! Signing in and out.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::{csrf_input, layout, FormData};
use crate::auth::{
    cookie, new_secret, secret_hash, set_cookie, verify_against_dummy, verify_password, Ctx,
    SESSION_COOKIE, SESSION_HOURS,
};
use crate::AppState;

/// Only local paths, so that `next=` cannot send someone to another site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

/// Why the form is shown again.
enum Refusal {
    WrongCredentials,
    /// Too many failures: try again in this many seconds.
    Throttled(u64),
}

fn render(ctx: &Ctx, email: &str, next: &str, refusal: Option<Refusal>) -> Response {
    let title = ctx.t("sign-in");
    let message = match &refusal {
        None => None,
        Some(Refusal::WrongCredentials) => Some(ctx.t("login-failed")),
        Some(Refusal::Throttled(seconds)) => Some(ctx.t_args(
            "login-throttled",
            &[("minutes", seconds.div_ceil(60).into())],
        )),
    };
    let body = html! {
        section.narrow {
            h1 { (title) }
            @if let Some(message) = &message { p.error-summary role="alert" { (message) } }
            form method="post" action="/login" {
                (csrf_input(ctx))
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="email" { (ctx.t("field-email")) }
                    input #email type="email" name="email" value=(email) required autocomplete="username" autofocus;
                }
                div.field {
                    label for="password" { (ctx.t("field-password")) }
                    input #password type="password" name="password" required autocomplete="current-password";
                }
                button type="submit" { (ctx.t("sign-in")) }
            }
        }
    };
    let status = match refusal {
        None => StatusCode::OK,
        Some(Refusal::WrongCredentials) => StatusCode::UNAUTHORIZED,
        Some(Refusal::Throttled(_)) => StatusCode::TOO_MANY_REQUESTS,
    };
    let mut response = super::html_response(status, layout(ctx, &title, body));
    if let Some(Refusal::Throttled(seconds)) = refusal {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

pub async fn form(ctx: Ctx) -> Response {
    if ctx.user.is_some() {
        return Redirect::to("/").into_response();
    }
    let next = form_urlencoded::parse(ctx.query.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned());
    render(&ctx, "", safe_next(next.as_deref().unwrap_or("/")), None)
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let (email, password, next) = (
        form.get("email").trim(),
        form.get("password"),
        safe_next(form.get("next")),
    );
    match crate::auth::sign_in_wait(&state.db, email, ctx.client_ip).await {
        Ok(None) => {}
        Ok(Some(seconds)) => {
            tracing::warn!(email, ip = ?ctx.client_ip, "sign-in refused: too many failures");
            return render(&ctx, email, next, Some(Refusal::Throttled(seconds)));
        }
        Err(e) => {
            tracing::error!(error = %e, "throttle lookup failed");
            return super::error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "page-internal");
        }
    }
    let account = match state.db.user_for_login(email).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "login lookup failed");
            return super::error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "page-internal");
        }
    };
    let user = match account {
        Some((user, hash)) if verify_password(password, &hash) => user,
        Some(_) => {
            tracing::warn!(email, "failed sign-in: wrong password");
            return failed(&state, &ctx, email, next).await;
        }
        None => {
            verify_against_dummy(password);
            tracing::warn!(email, "failed sign-in: no such account");
            return failed(&state, &ctx, email, next).await;
        }
    };
    if let Err(e) = crate::auth::sign_in_succeeded(&state.db, email).await {
        tracing::error!(error = %e, "could not clear sign-in failures");
    }
    // A new session on every sign-in: a session id planted before sign-in is worth nothing.
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = state.db.delete_session(&secret_hash(&old)).await {
            tracing::error!(error = %e, "could not end the previous session");
        }
    }
    let token = new_secret();
    let expires = liaison_storage::format_time(
        time::OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS),
    );
    if let Err(e) = state
        .db
        .create_session(user.id, &secret_hash(&token), &expires)
        .await
    {
        tracing::error!(error = %e, "could not store session");
        return super::error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "page-internal");
    }
    tracing::info!(user = %user.email, "signed in");
    let mut response = Redirect::to(next).into_response();
    let secure = state.config.secure_cookies;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, Some(SESSION_HOURS * 3600), secure),
    );
    if let Some(lang) = &user.preferred_lang {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(crate::auth::LANG_COOKIE, lang, None, secure),
        );
    }
    response
}

async fn failed(state: &AppState, ctx: &Ctx, email: &str, next: &str) -> Response {
    if let Err(e) = crate::auth::sign_in_failed(&state.db, email, ctx.client_ip).await {
        tracing::error!(error = %e, "could not count a failed sign-in");
    }
    render(ctx, email, next, Some(Refusal::WrongCredentials))
}

/// "Sign out everywhere": ends every browser session of the caller, this one included.
pub async fn logout_everywhere(State(state): State<AppState>, ctx: Ctx) -> Response {
    let user = ctx.user();
    match state.db.delete_sessions_of(user.id).await {
        Ok(n) => tracing::info!(user = %user.email, sessions = n, "signed out everywhere"),
        Err(e) => {
            tracing::error!(error = %e, "could not end sessions");
            return super::error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "page-internal");
        }
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
    );
    response
}

pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = state.db.delete_session(&secret_hash(&token)).await {
            tracing::error!(error = %e, "could not delete session");
        }
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
    );
    response
}

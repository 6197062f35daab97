//! Every user's own profile: change the password, choose the interface language, list and revoke
//! API tokens, and the secret calendar feed URL (C9) with a button to replace it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;

use super::institutions::store_error_page;
use super::invitations::new_password;
use super::{csrf_input, parse_path_id, redirect_with_flash, Form, FormData};
use crate::api::institutions::actor;
use crate::auth::{
    cookie, hash_password, new_secret, secret_hash, set_cookie, verify_password, Ctx, LANG_COOKIE,
    SESSION_COOKIE,
};
use crate::mail::base_url;
use crate::AppState;
use liaison_domain::{account, password, FieldErrors};
use liaison_storage::StoreError;

async fn render(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    values: &FormData,
    errors: &FieldErrors,
) -> Response {
    let me = ctx.user();
    let (user, tokens, secret) = match tokio::try_join!(
        state.db.user(me.id),
        state.db.api_tokens_of(me.id),
        state.db.ical_secret(me.id)
    ) {
        Ok(x) => x,
        Err(e) => return store_error_page(ctx, e),
    };
    let f = Form {
        ctx,
        values,
        errors,
    };
    let mut lang_options = vec![(String::new(), ctx.t("lang-follow-browser"))];
    lang_options.extend(
        account::LANGS
            .iter()
            .map(|l| (l.to_string(), ctx.t(&format!("lang-name-{l}")))),
    );
    let mut lang_values = FormData::default();
    lang_values.set_opt("preferred_lang", user.preferred_lang.as_deref());
    let lang_form = Form {
        ctx,
        values: &lang_values,
        errors: &FieldErrors::default(),
    };
    let feed = secret.map(|s| format!("{}/calendar/{s}.ics", base_url(state, headers)));
    let title = ctx.t("profile-title");
    let body = html! {
        h1 { (title) }
        dl.details {
            div { dt { (ctx.t("field-email")) } dd { (user.email) } }
            @if let Some(n) = &user.display_name { div { dt { (ctx.t("field-display-name")) } dd { (n) } } }
            div { dt { (ctx.t("field-role")) } dd { (ctx.t(&user.role.message_key())) } }
        }

        section #password {
            h2 { (ctx.t("profile-password")) }
            (f.summary())
            form.record method="post" action="/profile/password" novalidate {
                (csrf_input(ctx))
                (f.input("current_password", "field-current-password", "password", true))
                (f.input("password", "field-new-password", "password", true))
                (f.input("password_confirm", "field-password-confirm", "password", true))
                p.hint { (ctx.t_args("password-hint", &[("min", fluent_bundle::FluentValue::from(password::MIN_CHARS))])) }
                div.actions { button type="submit" { (ctx.t("profile-password-save")) } }
            }
        }

        section #language {
            h2 { (ctx.t("profile-language")) }
            form.record method="post" action="/profile/language" {
                (csrf_input(ctx))
                (lang_form.select("preferred_lang", "field-lang", &lang_options, None))
                div.actions { button type="submit" { (ctx.t("save")) } }
            }
        }

        section #tokens {
            h2 { (ctx.t("profile-tokens")) }
            p.hint { (ctx.t("profile-tokens-help")) }
            @if tokens.is_empty() {
                div.empty { p { (ctx.t("profile-tokens-empty")) } }
            } @else {
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" { (ctx.t("token-name")) }
                        th scope="col" { (ctx.t("token-created")) }
                        th scope="col" { (ctx.t("token-expires")) }
                        th scope="col" { span.visually-hidden { (ctx.t("token-revoke")) } }
                    } }
                    tbody { @for t in &tokens { tr {
                        td { (t.name) }
                        td { (t.created_at.get(..10).unwrap_or(&t.created_at)) }
                        td { (t.expires_at.get(..10).unwrap_or(&t.expires_at)) }
                        td { form.inline method="post" action=(format!("/profile/tokens/{}/revoke", t.id)) {
                            (csrf_input(ctx))
                            button.danger type="submit" { (ctx.t("token-revoke")) }
                        } }
                    } } }
                } }
            }
        }

        section #calendar {
            h2 { (ctx.t("profile-calendar")) }
            p.hint { (ctx.t("profile-calendar-help")) }
            @if let Some(url) = &feed {
                p { code.calendar-url { (url) } }
            } @else {
                p { (ctx.t("profile-calendar-none")) }
            }
            form method="post" action="/profile/calendar" {
                (csrf_input(ctx))
                button.secondary type="submit" {
                    (ctx.t(if feed.is_some() { "profile-calendar-rotate" } else { "profile-calendar-create" }))
                }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    super::html_response(status, super::layout(ctx, &title, body))
}

pub async fn page(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    render(
        &state,
        &ctx,
        &headers,
        &FormData::default(),
        &FieldErrors::default(),
    )
    .await
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let values = FormData::parse(&body);
    let me = ctx.user();
    let current = match state.db.password_hash(me.id).await {
        Ok(Some(h)) => h,
        Ok(None) => return store_error_page(&ctx, StoreError::NotFound),
        Err(e) => return store_error_page(&ctx, e),
    };
    let mut errors = FieldErrors::default();
    if !verify_password(values.get("current_password"), &current) {
        tracing::warn!(user = %me.email, "password change refused: wrong current password");
        errors.push("current_password", "wrong-password");
    }
    let new = new_password(&values, &mut errors);
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return render(&state, &ctx, &headers, &FormData::default(), &errors).await;
    };
    let session = cookie(&headers, SESSION_COOKIE).map(|t| secret_hash(&t));
    match state
        .db
        .change_password(
            &actor(&ctx),
            me.id,
            &hash_password(&new),
            session.as_deref(),
        )
        .await
    {
        Ok(_) => redirect_with_flash(&ctx, "/profile", "flash-password-changed"),
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn set_language(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let values = FormData::parse(&body);
    let raw = values.get("preferred_lang").trim();
    let lang = if raw.is_empty() {
        None
    } else {
        match account::parse_lang(raw) {
            Some(l) => Some(l),
            None => {
                return super::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, "page-bad-choice")
            }
        }
    };
    match state
        .db
        .set_preferred_lang(&actor(&ctx), ctx.user().id, lang)
        .await
    {
        Ok(_) => {
            let mut response = redirect_with_flash(&ctx, "/profile", "flash-saved");
            // The choice takes effect at once; signing in sets it again on other browsers.
            let cookie = match lang {
                Some(l) => set_cookie(LANG_COOKIE, l, Some(365 * 24 * 3600), ctx.secure_cookies),
                None => set_cookie(LANG_COOKIE, "", Some(0), ctx.secure_cookies),
            };
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return super::error_page(&ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    match state
        .db
        .revoke_api_token(&actor(&ctx), ctx.user().id, id)
        .await
    {
        Ok(()) => redirect_with_flash(&ctx, "/profile#tokens", "flash-token-revoked"),
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn rotate_calendar(State(state): State<AppState>, ctx: Ctx) -> Response {
    match state
        .db
        .rotate_ical_secret(&actor(&ctx), ctx.user().id, &new_secret())
        .await
    {
        Ok(()) => redirect_with_flash(&ctx, "/profile#calendar", "flash-calendar-rotated"),
        Err(e) => store_error_page(&ctx, e),
    }
}

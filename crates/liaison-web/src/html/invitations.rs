//! The public pages behind one-time links: accepting an invitation (choose a display name and a
//! password; the account is created) and resetting a password. A used or expired link answers
//! 410, an unknown one 404, and neither changes anything.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::html;

use super::institutions::store_error_page;
use super::{csrf_input, redirect_with_flash, Form, FormData};
use crate::auth::{hash_password, secret_hash, Ctx};
use crate::AppState;
use liaison_domain::{account, password, FieldErrors};
use liaison_storage::{Invitation, LinkProblem, LinkPurpose, StoreError};

fn problem_page(ctx: &Ctx, problem: LinkProblem) -> Response {
    match problem {
        LinkProblem::Unknown => super::error_page(ctx, StatusCode::NOT_FOUND, "link-unknown"),
        LinkProblem::Used => super::error_page(ctx, StatusCode::GONE, "link-used"),
        LinkProblem::Expired => super::error_page(ctx, StatusCode::GONE, "link-expired"),
    }
}

/// Tokens are URL-safe base64; anything else cannot be one of ours.
fn plausible(token: &str) -> bool {
    (20..=100).contains(&token.len())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

async fn find(
    state: &AppState,
    ctx: &Ctx,
    purpose: LinkPurpose,
    token: &str,
) -> Result<Invitation, Response> {
    if !plausible(token) {
        return Err(problem_page(ctx, LinkProblem::Unknown));
    }
    match state.db.link(purpose, &secret_hash(token)).await {
        Ok(Ok(link)) => Ok(link),
        Ok(Err(problem)) => Err(problem_page(ctx, problem)),
        Err(e) => Err(store_error_page(ctx, e)),
    }
}

fn form_page(
    ctx: &Ctx,
    link: &Invitation,
    action: &str,
    values: &FormData,
    errors: &FieldErrors,
) -> Response {
    let f = Form {
        ctx,
        values,
        errors,
    };
    let invite = link.purpose == LinkPurpose::Invite;
    let title = ctx.t(if invite {
        "invitation-title"
    } else {
        "password-reset-title"
    });
    let body = html! {
        section.narrow {
            h1 { (title) }
            @if invite {
                p { (ctx.t_args("invitation-intro", &[
                    ("email", FluentValue::from(link.email.as_str())),
                    ("role", FluentValue::from(link.role.map(|r| ctx.t(&r.message_key())).unwrap_or_default())),
                ])) }
            } @else {
                p { (ctx.t_args("password-reset-intro", &[("email", FluentValue::from(link.email.as_str()))])) }
            }
            (f.summary())
            form method="post" action=(action) novalidate {
                (csrf_input(ctx))
                @if invite { (f.input("display_name", "field-display-name", "text", false)) }
                (f.input("password", "field-new-password", "password", true))
                (f.input("password_confirm", "field-password-confirm", "password", true))
                p.hint { (ctx.t_args("password-hint", &[("min", FluentValue::from(password::MIN_CHARS))])) }
                button type="submit" { (ctx.t(if invite { "invitation-accept" } else { "password-reset-save" })) }
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

/// The new password from a form: the policy, and the confirmation must match.
pub fn new_password(values: &FormData, errors: &mut FieldErrors) -> Option<String> {
    let pw = values.get("password");
    if let Err(e) = password::check("password", pw) {
        errors.0.push(e);
        return None;
    }
    if values.get("password_confirm") != pw {
        errors.push("password_confirm", "password-mismatch");
        return None;
    }
    Some(pw.to_string())
}

/// Values to show again: never the passwords.
fn kept(values: &FormData) -> FormData {
    let mut k = FormData::default();
    k.set_opt("display_name", Some(values.get("display_name")));
    k
}

pub async fn invitation_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Response {
    match find(&state, &ctx, LinkPurpose::Invite, &token).await {
        Ok(link) => form_page(
            &ctx,
            &link,
            &format!("/invitations/{token}"),
            &FormData::default(),
            &FieldErrors::default(),
        ),
        Err(r) => r,
    }
}

pub async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let link = match find(&state, &ctx, LinkPurpose::Invite, &token).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let action = format!("/invitations/{token}");
    let mut errors = FieldErrors::default();
    let name = account::display_name(
        "display_name",
        Some(values.get("display_name")),
        &mut errors,
    );
    let pw = new_password(&values, &mut errors);
    let Some(pw) = pw.filter(|_| errors.is_empty()) else {
        return form_page(&ctx, &link, &action, &kept(&values), &errors);
    };
    match state
        .db
        .accept_invitation(&secret_hash(&token), name, &hash_password(&pw))
        .await
    {
        Ok(Ok(user)) => {
            tracing::info!(user = %user.email, role = %user.role, "invitation accepted");
            redirect_with_flash(&ctx, "/login", "flash-account-created")
        }
        Ok(Err(problem)) => problem_page(&ctx, problem),
        Err(StoreError::Invalid(e)) => {
            tracing::warn!(email = %link.email, errors = %e, "invitation can no longer be used");
            super::error_page(&ctx, StatusCode::CONFLICT, "link-stale")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

pub async fn reset_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Response {
    match find(&state, &ctx, LinkPurpose::Reset, &token).await {
        Ok(link) => form_page(
            &ctx,
            &link,
            &format!("/password-reset/{token}"),
            &FormData::default(),
            &FieldErrors::default(),
        ),
        Err(r) => r,
    }
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let link = match find(&state, &ctx, LinkPurpose::Reset, &token).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let values = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    let Some(pw) = new_password(&values, &mut errors) else {
        return form_page(
            &ctx,
            &link,
            &format!("/password-reset/{token}"),
            &FormData::default(),
            &errors,
        );
    };
    match state
        .db
        .reset_password(&secret_hash(&token), &hash_password(&pw))
        .await
    {
        Ok(Ok(user)) => {
            tracing::info!(user = %user.email, "password reset through a link");
            redirect_with_flash(&ctx, "/login", "flash-password-reset")
        }
        Ok(Err(problem)) => problem_page(&ctx, problem),
        Err(e) => store_error_page(&ctx, e),
    }
}

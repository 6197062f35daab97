//! The e-mails the application writes (an invitation, a password-reset link), rendered from the
//! catalogues in the recipient's language, and the one-time links they carry. Storage queues the
//! message in the same transaction as the link; `liaison-mail` sends it.

use axum::http::{header, HeaderMap};
use fluent_bundle::FluentValue;

use crate::auth::{new_secret, secret_hash, Ctx};
use crate::i18n::Lang;
use crate::AppState;
use liaison_domain::account::{AccountScope, INVITATION_DAYS, RESET_DAYS};
use liaison_domain::Role;
use liaison_storage::{Actor, Invitation, NewInvitation, OutgoingMail, StoreResult, User};

/// A link just issued: the stored record and the URL (shown once to the administrator).
pub struct IssuedLink {
    pub invitation: Invitation,
    pub url: String,
}

/// `https://liaison.example.edu` from `--public-url`, else from the request's `Host`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn days_from_now(days: i64) -> String {
    liaison_storage::format_time(time::OffsetDateTime::now_utc() + time::Duration::days(days))
}

fn inviter_name(ctx: &Ctx) -> String {
    let user = ctx.user();
    user.display_name
        .clone()
        .unwrap_or_else(|| user.email.clone())
}

/// What an administrator asks for when inviting someone.
pub struct InviteRequest {
    pub email: String,
    pub role: Role,
    pub scope: AccountScope,
    pub lang: Lang,
}

/// Invites someone: a new link, its e-mail in the invitee's language queued with it.
pub async fn invite(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    request: &InviteRequest,
) -> StoreResult<IssuedLink> {
    let token = new_secret();
    let url = format!("{}/invitations/{token}", base_url(state, headers));
    let lang = request.lang;
    let role_name = state.i18n.t(lang, &request.role.message_key());
    let inviter = inviter_name(ctx);
    let args = [
        ("link", FluentValue::from(url.as_str())),
        ("role", FluentValue::from(role_name.as_str())),
        ("inviter", FluentValue::from(inviter.as_str())),
        ("days", FluentValue::from(INVITATION_DAYS)),
    ];
    let mail = OutgoingMail {
        to: request.email.clone(),
        subject: state.i18n.t_args(lang, "mail-invite-subject", &args),
        body: state.i18n.t_args(lang, "mail-invite-body", &args),
        lang: lang.tag().to_string(),
    };
    let new = NewInvitation {
        email: request.email.clone(),
        role: request.role,
        scope: request.scope.clone(),
        lang: lang.tag().to_string(),
        expires_at: days_from_now(INVITATION_DAYS),
    };
    let actor = Actor::user(ctx.user().id, &ctx.user().email);
    let invitation = state
        .db
        .create_invitation(&actor, &new, &secret_hash(&token), &mail)
        .await?;
    Ok(IssuedLink { invitation, url })
}

/// Sends an account a password-reset link, in the account's preferred language.
pub async fn password_reset(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    user: &User,
) -> StoreResult<IssuedLink> {
    let token = new_secret();
    let url = format!("{}/password-reset/{token}", base_url(state, headers));
    let lang = user
        .preferred_lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let inviter = inviter_name(ctx);
    let args = [
        ("link", FluentValue::from(url.as_str())),
        ("email", FluentValue::from(user.email.as_str())),
        ("inviter", FluentValue::from(inviter.as_str())),
        ("hours", FluentValue::from(RESET_DAYS * 24)),
    ];
    let mail = OutgoingMail {
        to: user.email.clone(),
        subject: state.i18n.t_args(lang, "mail-reset-subject", &args),
        body: state.i18n.t_args(lang, "mail-reset-body", &args),
        lang: lang.tag().to_string(),
    };
    let actor = Actor::user(ctx.user().id, &ctx.user().email);
    let invitation = state
        .db
        .create_password_reset(
            &actor,
            user.id,
            &secret_hash(&token),
            &days_from_now(RESET_DAYS),
            &mail,
        )
        .await?;
    Ok(IssuedLink { invitation, url })
}

/// Queues the agreement-expiry reminders that are due: one e-mail per owner, in the owner's
/// language, listing their agreements in force that end within `days` of `today` and were not
/// reminded of yet (storage records `reminded_at` in the same transaction, so calling this
/// again sends nothing twice). Returns the number of e-mails queued.
pub async fn agreement_reminders(
    db: &liaison_storage::Db,
    i18n: &crate::i18n::I18n,
    public_url: Option<&str>,
    today: time::Date,
    days: i64,
) -> StoreResult<usize> {
    let base = public_url.unwrap_or("").trim_end_matches('/').to_string();
    db.enqueue_agreement_reminders(today, days, |owner, agreements| {
        let lang = owner
            .preferred_lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or(Lang::En);
        let zh = lang.is_chinese();
        let list: Vec<String> = agreements
            .iter()
            .map(|a| {
                let end = a
                    .draft
                    .end_on
                    .map(liaison_domain::agreement::format_date)
                    .unwrap_or_default();
                format!(
                    "- {} ({end}) {base}/agreements/{}",
                    a.draft.title.display(zh),
                    a.id
                )
            })
            .collect();
        let name = owner.display_name.clone().unwrap_or(owner.email.clone());
        let args = [
            ("count", FluentValue::from(agreements.len())),
            ("days", FluentValue::from(days)),
            ("name", FluentValue::from(name.as_str())),
            ("list", FluentValue::from(list.join("\n"))),
        ];
        OutgoingMail {
            to: owner.email.clone(),
            subject: i18n.t_args(lang, "mail-agreement-reminder-subject", &args),
            body: i18n.t_args(lang, "mail-agreement-reminder-body", &args),
            lang: lang.tag().to_string(),
        }
    })
    .await
}

/// Runs [`agreement_reminders`] at start and then every six hours until `stop` turns true.
pub async fn agreement_reminder_loop(
    db: liaison_storage::Db,
    public_url: Option<String>,
    days: i64,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let i18n = crate::i18n::I18n::load();
    loop {
        let today = liaison_storage::today();
        match agreement_reminders(&db, &i18n, public_url.as_deref(), today, days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(mails = n, "agreement expiry reminders queued"),
            Err(e) => tracing::error!(error = %e, "agreement reminders failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(6 * 3600)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

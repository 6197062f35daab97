//! One-time links: invitations (`/invitations/{token}`, create an account with the role and scope
//! the administrator chose) and password resets (`/password-reset/{token}`). Only the token's
//! hash is stored; the e-mail carrying the link is queued in the outbox in the same transaction.
//! A link works once, until it expires; a newer link for the same address or account replaces
//! the older ones.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::accounts::{check_scope_exists, end_sessions_and_tokens, lock_user, write_password};
use crate::outbox::{enqueue, OutgoingMail};
use crate::query;
use crate::table::Tx;
use crate::users::{insert_user, NewUser};
use crate::{audit, Actor, Db, StoreError, StoreResult, User};
use liaison_domain::account::AccountScope;
use liaison_domain::{FieldError, FieldErrors, Id, Role};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPurpose {
    Invite,
    Reset,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// A stored link (without its token hash).
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    pub purpose: LinkPurpose,
    pub email: String,
    pub role: Option<Role>,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub institution_id: Option<Id>,
    #[serde(serialize_with = "crate::ids_as_strings")]
    pub unit_ids: Vec<Id>,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub person_id: Option<Id>,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub user_id: Option<Id>,
    pub lang: String,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub invited_by: Option<Id>,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

/// An invitation to create.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
    pub scope: AccountScope,
    /// The invitee's language (`en` or `zh-CN`): of the e-mail and, later, of the account.
    pub lang: String,
    pub expires_at: String,
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// No such link (or one for the other purpose).
    Unknown,
    Used,
    Expired,
}

const COLUMNS: &str = "id, purpose, email, role, institution_id, person_id, user_id, lang, \
    invited_by, created_at, expires_at, used_at";

fn from_row(row: &AnyRow) -> StoreResult<Invitation> {
    let purpose = match query::text(row, "purpose")?.as_str() {
        "invite" => LinkPurpose::Invite,
        "reset" => LinkPurpose::Reset,
        other => return Err(StoreError::Corrupt(format!("purpose = {other:?}"))),
    };
    let role = query::opt_text(row, "role")?
        .map(|r| Role::parse(&r).ok_or_else(|| StoreError::Corrupt(format!("role = {r:?}"))))
        .transpose()?;
    Ok(Invitation {
        id: query::int(row, "id")?,
        purpose,
        email: query::text(row, "email")?,
        role,
        institution_id: query::opt_int(row, "institution_id")?,
        unit_ids: Vec::new(),
        person_id: query::opt_int(row, "person_id")?,
        user_id: query::opt_int(row, "user_id")?,
        lang: query::text(row, "lang")?,
        invited_by: query::opt_int(row, "invited_by")?,
        created_at: query::text(row, "created_at")?,
        expires_at: query::text(row, "expires_at")?,
        used_at: query::opt_text(row, "used_at")?,
    })
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

/// The link behind `token_hash` for `purpose`, locked for the rest of the transaction, or why it
/// cannot be used.
async fn usable(
    db: &Db,
    tx: &mut Tx,
    purpose: LinkPurpose,
    token_hash: &str,
) -> StoreResult<Result<Invitation, LinkProblem>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE token_hash = $1 AND purpose = $2{}",
        db.for_update()
    );
    let row = sqlx::query(&sql)
        .bind(token_hash.to_string())
        .bind(purpose.as_str().to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        return Ok(Err(LinkProblem::Unknown));
    };
    let mut link = from_row(&row)?;
    if link.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if link.expires_at <= crate::now() {
        return Ok(Err(LinkProblem::Expired));
    }
    let units = sqlx::query(
        "SELECT org_unit_id FROM invitation_units WHERE invitation_id = $1 ORDER BY org_unit_id",
    )
    .bind(link.id)
    .fetch_all(&mut **tx)
    .await?;
    link.unit_ids = units
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<_, _>>()?;
    Ok(Ok(link))
}

async fn mark_used(tx: &mut Tx, link: Id, user: Id) -> StoreResult<()> {
    sqlx::query("UPDATE invitations SET used_at = $1, user_id = $2 WHERE id = $3")
        .bind(crate::now())
        .bind(user)
        .bind(link)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends the pending links of `column = value` for `purpose` (a newer one replaces them).
async fn expire_pending(
    tx: &mut Tx,
    purpose: LinkPurpose,
    column: &str,
    value: query::Arg,
) -> StoreResult<()> {
    let now = crate::now();
    let sql = format!(
        "UPDATE invitations SET expires_at = $1 WHERE purpose = $2 AND {column} = $3 \
         AND used_at IS NULL AND expires_at > $1"
    );
    query::bind_all(
        sqlx::query(&sql),
        &[
            query::Arg::Text(now),
            query::Arg::Text(purpose.as_str().into()),
            value,
        ],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The values of a new link row.
struct LinkRow<'a> {
    purpose: LinkPurpose,
    token_hash: &'a str,
    email: &'a str,
    role: Option<Role>,
    scope: &'a AccountScope,
    user: Option<Id>,
    lang: &'a str,
    expires_at: &'a str,
}

async fn insert_link(tx: &mut Tx, actor: &Actor, new: LinkRow<'_>) -> StoreResult<Invitation> {
    let LinkRow {
        purpose,
        token_hash,
        email,
        role,
        scope,
        user,
        lang,
        expires_at,
    } = new;
    let sql = format!(
        "INSERT INTO invitations (token_hash, purpose, email, role, institution_id, person_id, \
         user_id, lang, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(token_hash.to_string())
        .bind(purpose.as_str().to_string())
        .bind(email.to_string())
        .bind(role.map(|r| r.as_str().to_string()))
        .bind(scope.institution_id)
        .bind(scope.person_id)
        .bind(user)
        .bind(lang.to_string())
        .bind(actor.user_id)
        .bind(crate::now())
        .bind(expires_at.to_string())
        .fetch_one(&mut **tx)
        .await?;
    let mut link = from_row(&row)?;
    let mut units = scope.unit_ids.clone();
    units.sort_unstable();
    units.dedup();
    for unit in &units {
        sqlx::query("INSERT INTO invitation_units (invitation_id, org_unit_id) VALUES ($1, $2)")
            .bind(link.id)
            .bind(*unit)
            .execute(&mut **tx)
            .await?;
    }
    link.unit_ids = units;
    Ok(link)
}

impl Db {
    /// Invites `new.email` with a role and scope (checked against the role by the caller). The
    /// address must not have an account yet (`email` `taken`); the scope must exist. Earlier
    /// pending invitations of the address stop working. `mail` (carrying the link) is queued in
    /// the same transaction; the invitation is audited (`invite`).
    pub async fn create_invitation(
        &self,
        actor: &Actor,
        new: &NewInvitation,
        token_hash: &str,
        mail: &OutgoingMail,
    ) -> StoreResult<Invitation> {
        let email = new.email.trim().to_lowercase();
        let mut tx = self.write().await?;
        let taken = sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(email.clone())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(invalid("email", "taken"));
        }
        check_scope_exists(&mut tx, &new.scope).await?;
        expire_pending(
            &mut tx,
            LinkPurpose::Invite,
            "email",
            query::Arg::Text(email.clone()),
        )
        .await?;
        let link = insert_link(
            &mut tx,
            actor,
            LinkRow {
                purpose: LinkPurpose::Invite,
                token_hash,
                email: &email,
                role: Some(new.role),
                scope: &new.scope,
                user: None,
                lang: &new.lang,
                expires_at: &new.expires_at,
            },
        )
        .await?;
        enqueue(&mut tx, mail).await?;
        audit::record(
            &mut tx,
            actor,
            "invite",
            "invitation",
            link.id,
            None,
            Some(&link),
        )
        .await?;
        tx.commit().await?;
        Ok(link)
    }

    /// A password-reset link for an account; earlier pending resets of the account stop working.
    /// `mail` is queued in the same transaction; audited on the account (`password-reset-link`).
    pub async fn create_password_reset(
        &self,
        actor: &Actor,
        user: Id,
        token_hash: &str,
        expires_at: &str,
        mail: &OutgoingMail,
    ) -> StoreResult<Invitation> {
        let mut tx = self.write().await?;
        let account = lock_user(self, &mut tx, user).await?;
        expire_pending(
            &mut tx,
            LinkPurpose::Reset,
            "user_id",
            query::Arg::Int(user),
        )
        .await?;
        let lang = account.preferred_lang.as_deref().unwrap_or("en");
        let link = insert_link(
            &mut tx,
            actor,
            LinkRow {
                purpose: LinkPurpose::Reset,
                token_hash,
                email: &account.email,
                role: None,
                scope: &AccountScope::default(),
                user: Some(user),
                lang,
                expires_at,
            },
        )
        .await?;
        enqueue(&mut tx, mail).await?;
        audit::record::<serde_json::Value>(
            &mut tx,
            actor,
            "password-reset-link",
            "user",
            user,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(link)
    }

    /// The link behind a token, if it can still be used (for the page that asks for a password).
    pub async fn link(
        &self,
        purpose: LinkPurpose,
        token_hash: &str,
    ) -> StoreResult<Result<Invitation, LinkProblem>> {
        // A read, but through the write path so that the checks match `accept`/`reset` exactly.
        let mut tx = self.pool.begin().await?;
        let found = usable(self, &mut tx, purpose, token_hash).await;
        tx.rollback().await?;
        found
    }

    /// Uses an invitation: creates the account with the invited role, scope and language, the
    /// chosen display name and password, and marks the link used, in one transaction. A used,
    /// expired or unknown link changes nothing; so does an address that got an account since
    /// (`email` `taken`) or a scope record deleted since (`not-found`).
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        display_name: Option<String>,
        password_hash: &str,
    ) -> StoreResult<Result<User, LinkProblem>> {
        let mut tx = self.write().await?;
        let link = match usable(self, &mut tx, LinkPurpose::Invite, token_hash).await? {
            Ok(link) => link,
            Err(problem) => return Ok(Err(problem)),
        };
        let role = link
            .role
            .ok_or_else(|| StoreError::Corrupt("invitation without a role".into()))?;
        let actor = Actor::system(&link.email);
        let mut user = insert_user(
            &mut tx,
            &actor,
            NewUser {
                email: link.email.clone(),
                password_hash: password_hash.to_string(),
                role,
                display_name,
                person_id: link.person_id,
                institution_id: link.institution_id,
                unit_ids: link.unit_ids.clone(),
            },
        )
        .await?;
        sqlx::query("UPDATE users SET preferred_lang = $1 WHERE id = $2")
            .bind(link.lang.clone())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        user.preferred_lang = Some(link.lang.clone());
        mark_used(&mut tx, link.id, user.id).await?;
        audit::record::<serde_json::Value>(
            &mut tx,
            &actor,
            "accept",
            "invitation",
            link.id,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(Ok(user))
    }

    /// Uses a password-reset link: sets the new password, ends the account's sessions and API
    /// tokens, marks the link used; one transaction, audited (`password-reset`).
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> StoreResult<Result<User, LinkProblem>> {
        let mut tx = self.write().await?;
        let link = match usable(self, &mut tx, LinkPurpose::Reset, token_hash).await? {
            Ok(link) => link,
            Err(problem) => return Ok(Err(problem)),
        };
        let user = link
            .user_id
            .ok_or_else(|| StoreError::Corrupt("reset link without an account".into()))?;
        let before = lock_user(self, &mut tx, user).await?;
        let actor = Actor::user(user, &before.email);
        let after =
            write_password(&mut tx, &actor, &before, password_hash, "password-reset").await?;
        end_sessions_and_tokens(&mut tx, user).await?;
        mark_used(&mut tx, link.id, user).await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(Ok(after))
    }

    /// Pending invitations (unused, unexpired), newest first, for the administrator's list.
    pub async fn pending_invitations(&self, limit: i64) -> StoreResult<Vec<Invitation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM invitations WHERE purpose = 'invite' AND used_at IS NULL \
             AND expires_at > $1 ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(crate::now())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Sets a link's expiry, for operators and tests (e.g. to end a link early).
    pub async fn set_link_expiry(&self, id: Id, expires_at: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2")
            .bind(expires_at.to_string())
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}

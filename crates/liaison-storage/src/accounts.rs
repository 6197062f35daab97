//! Managing accounts: the administrator's list and edits (role, scope, name, disabled) and each
//! user's own profile (password, language, API tokens, calendar secret). Every change is audited
//! in its own transaction; audit entries and API output never hold a password or token hash.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::Tx;
use crate::users::{from_row, COLUMNS, TABLE};
use crate::{audit, Actor, Db, Page, SessionUser, StoreError, StoreResult, User};
use liaison_domain::account::AccountScope;
use liaison_domain::{FieldError, FieldErrors, Id, PageRequest, Role, Sort};

pub const USER_SORTS: &[&str] = &["email", "role", "created_at"];

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Part of the e-mail or display name.
    pub q: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// What an administrator may change on an account.
#[derive(Debug, Clone)]
pub struct UserChanges {
    pub role: Role,
    pub scope: AccountScope,
    pub display_name: Option<String>,
    pub disabled: bool,
}

/// One of a user's API tokens, as listed to its owner (never the hash).
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    pub name: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

/// Fills `unit_ids` of each user from `user_units`.
async fn load_units<'e, E>(executor: E, users: &mut [User]) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if users.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=users.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT user_id, org_unit_id FROM user_units WHERE user_id IN ({}) ORDER BY org_unit_id",
        placeholders.join(", ")
    );
    let args: Vec<Arg> = users.iter().map(|u| Arg::Int(u.id)).collect();
    let rows = query::bind_all(sqlx::query(&sql), &args)
        .fetch_all(executor)
        .await?;
    for row in rows {
        let (user, unit): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        if let Some(u) = users.iter_mut().find(|u| u.id == user) {
            u.unit_ids.push(unit);
        }
    }
    Ok(())
}

/// Every scope reference must exist.
pub(crate) async fn check_scope_exists(tx: &mut Tx, scope: &AccountScope) -> StoreResult<()> {
    for (field, table, id) in [
        ("person_id", "people", scope.person_id),
        ("institution_id", "institutions", scope.institution_id),
    ] {
        if let Some(id) = id {
            let sql = format!("SELECT id FROM {table} WHERE id = $1");
            if sqlx::query(&sql)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
                .is_none()
            {
                return Err(invalid(field, "not-found"));
            }
        }
    }
    for unit in &scope.unit_ids {
        if sqlx::query("SELECT id FROM org_units WHERE id = $1")
            .bind(*unit)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
        {
            return Err(invalid("unit_ids", "not-found"));
        }
    }
    Ok(())
}

/// Ends every session and API token of an account.
pub(crate) async fn end_sessions_and_tokens(tx: &mut Tx, user: Id) -> StoreResult<()> {
    for table in ["sessions", "api_tokens"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Locks the account and returns it with its units.
pub(crate) async fn lock_user(db: &Db, tx: &mut Tx, id: Id) -> StoreResult<User> {
    let mut user = TABLE.lock(db, tx, id).await?;
    load_units(&mut **tx, std::slice::from_mut(&mut user)).await?;
    Ok(user)
}

/// Sets a new password hash (version bumped), audited under `action` without the hash.
pub(crate) async fn write_password(
    tx: &mut Tx,
    actor: &Actor,
    before: &User,
    password_hash: &str,
    action: &str,
) -> StoreResult<User> {
    let sql = format!(
        "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(password_hash.to_string())
        .bind(crate::now())
        .bind(before.id)
        .fetch_one(&mut **tx)
        .await?;
    let mut after = from_row(&row)?;
    after.unit_ids = before.unit_ids.clone();
    audit::record(
        tx,
        actor,
        action,
        "user",
        before.id,
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

impl UserFilter {
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::default();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            c.add(
                "(email LIKE ? ESCAPE '\\' OR LOWER(COALESCE(display_name, '')) LIKE ? ESCAPE '\\')",
                Arg::Text(liaison_domain::search::like_pattern(q)),
            );
        }
        if let Some(role) = self.role {
            c.add("role = ?", Arg::Text(role.as_str().into()));
        }
        if let Some(d) = self.disabled {
            c.add("disabled = ?", Arg::Int(i64::from(d)));
        }
        c
    }
}

impl Db {
    /// One page of accounts, filtered and sorted in SQL, each with its units.
    pub async fn users_page(
        &self,
        filter: &UserFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<User>> {
        let mut found = query::page(
            &self.pool,
            "users",
            COLUMNS,
            &filter.conditions(),
            sort,
            page,
            from_row,
        )
        .await?;
        load_units(&self.pool, &mut found.items).await?;
        Ok(found)
    }

    /// One account with its units.
    pub async fn user(&self, id: Id) -> StoreResult<User> {
        let mut user = TABLE.get(&self.pool, id).await?;
        load_units(&self.pool, std::slice::from_mut(&mut user)).await?;
        Ok(user)
    }

    /// An administrator's change to role, scope, display name or the disabled flag. The scope
    /// must fit the role (checked by the caller with `account::check_scope`) and exist. An
    /// administrator cannot change their own role or disable themselves (`own-account`), so
    /// that the last administrator cannot lock everyone out by mistake. Disabling ends the
    /// account's sessions and API tokens.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        changes: &UserChanges,
    ) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let before = lock_user(self, &mut tx, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        if actor.user_id == Some(id) {
            if changes.role != before.role {
                return Err(invalid("role", "own-account"));
            }
            if changes.disabled {
                return Err(invalid("disabled", "own-account"));
            }
        }
        check_scope_exists(&mut tx, &changes.scope).await?;
        let sql = format!(
            "UPDATE users SET role = $1, display_name = $2, institution_id = $3, person_id = $4, \
             disabled = $5, updated_at = $6, version = version + 1 \
             WHERE id = $7 AND version = $8 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(changes.role.as_str().to_string())
            .bind(changes.display_name.clone())
            .bind(changes.scope.institution_id)
            .bind(changes.scope.person_id)
            .bind(i64::from(changes.disabled))
            .bind(crate::now())
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
        let mut after = row
            .as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::Conflict {
                current: before.version,
            })?;
        sqlx::query("DELETE FROM user_units WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mut units = changes.scope.unit_ids.clone();
        units.sort_unstable();
        units.dedup();
        for unit in &units {
            sqlx::query("INSERT INTO user_units (user_id, org_unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*unit)
                .execute(&mut *tx)
                .await?;
        }
        after.unit_ids = units;
        if after.disabled {
            end_sessions_and_tokens(&mut tx, id).await?;
        }
        audit::record(
            &mut tx,
            actor,
            "update",
            "user",
            id,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(after)
    }

    /// The password hash of an enabled account, to check a user's current password.
    pub async fn password_hash(&self, id: Id) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1 AND disabled = 0")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(|r| query::text(r, "password_hash"))
            .transpose()
    }

    /// A user's new password (the caller checked the current one and the policy). Every other
    /// session of the account ends; `keep_session` (a session token hash) stays signed in.
    pub async fn change_password(
        &self,
        actor: &Actor,
        id: Id,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let before = lock_user(self, &mut tx, id).await?;
        let after =
            write_password(&mut tx, actor, &before, password_hash, "password-change").await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(keep_session.unwrap_or("").to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(after)
    }

    /// The interface language a user prefers (`None`: follow the browser).
    pub async fn set_preferred_lang(
        &self,
        actor: &Actor,
        id: Id,
        lang: Option<&str>,
    ) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let before = lock_user(self, &mut tx, id).await?;
        let sql = format!(
            "UPDATE users SET preferred_lang = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(lang.map(String::from))
            .bind(crate::now())
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let mut after = from_row(&row)?;
        after.unit_ids = before.unit_ids.clone();
        audit::record(
            &mut tx,
            actor,
            "update",
            "user",
            id,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(after)
    }

    /// A user's live API tokens, newest first.
    pub async fn api_tokens_of(&self, user: Id) -> StoreResult<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY id DESC",
        )
        .bind(user)
        .bind(crate::now())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes one of the user's own tokens; someone else's token is `NotFound`.
    pub async fn revoke_api_token(&self, actor: &Actor, user: Id, token: Id) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens \
             WHERE id = $1 AND user_id = $2",
        )
        .bind(token)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let info = row
            .as_ref()
            .map(token_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM api_tokens WHERE id = $1")
            .bind(token)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            "revoke",
            "api-token",
            token,
            Some(&info),
            None,
        )
        .await?;
        tx.commit().await?;
        self.auth_changed();
        Ok(())
    }

    /// The secret of the user's calendar feed URL, if one was created.
    pub async fn ical_secret(&self, user: Id) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT ical_secret FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        query::opt_text(&row, "ical_secret")
    }

    /// Replaces the calendar secret; the old feed URL stops working at once. The audit entry
    /// says that it happened, never the secret.
    pub async fn rotate_ical_secret(
        &self,
        actor: &Actor,
        user: Id,
        secret: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE users SET ical_secret = $1 WHERE id = $2")
            .bind(secret.to_string())
            .bind(user)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        audit::record::<serde_json::Value>(
            &mut tx,
            actor,
            "rotate-calendar",
            "user",
            user,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The enabled account a calendar feed secret belongs to (for the feed).
    pub async fn user_by_ical_secret(&self, secret: &str) -> StoreResult<Option<SessionUser>> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM users u WHERE u.ical_secret = $1 AND u.disabled = 0",
            crate::users::SESSION_COLUMNS
        ))
        .bind(secret.to_string())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(
                self.with_scope(crate::users::session_user(&row)?).await?,
            )),
        }
    }
}

fn token_from_row(row: &AnyRow) -> StoreResult<TokenInfo> {
    Ok(TokenInfo {
        id: query::int(row, "id")?,
        name: query::text(row, "name")?,
        created_at: query::text(row, "created_at")?,
        expires_at: query::text(row, "expires_at")?,
        last_used_at: query::opt_text(row, "last_used_at")?,
    })
}

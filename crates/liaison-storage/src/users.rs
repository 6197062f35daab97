//! Accounts, browser sessions and API tokens. Secrets are stored only as hashes (SHA-256 of a
//! random token; argon2id for passwords, computed by the caller).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::auth_cache::Credential;
use crate::query;
use crate::table::{has_id, versioned, Table};
use crate::{Actor, Db, StoreError, StoreResult};
use liaison_domain::{FieldError, FieldErrors, Id, Role, Scope};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    pub email: String,
    pub role: Role,
    pub display_name: Option<String>,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub person_id: Option<Id>,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub institution_id: Option<Id>,
    #[serde(serialize_with = "crate::ids_as_strings")]
    pub unit_ids: Vec<Id>,
    pub preferred_lang: Option<String>,
    pub disabled: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

versioned!(User);
has_id!(User);

pub struct NewUser {
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub display_name: Option<String>,
    pub person_id: Option<Id>,
    pub institution_id: Option<Id>,
    pub unit_ids: Vec<Id>,
}

/// The signed-in caller, as every request sees it.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: Id,
    pub email: String,
    pub role: Role,
    pub display_name: Option<String>,
    pub preferred_lang: Option<String>,
    /// The institution a partner or enterprise contact speaks for.
    pub institution_id: Option<Id>,
    /// The person record a student account belongs to.
    pub person_id: Option<Id>,
    /// The records the account reaches (coordinator units already expanded to sub-units).
    pub scope: Scope,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub name: String,
    pub created_at: String,
    pub expires_at: String,
}

pub(crate) const COLUMNS: &str =
    "id, email, role, display_name, person_id, institution_id, preferred_lang, disabled, \
    version, created_at, updated_at";

pub(crate) const TABLE: Table<User> = Table {
    name: "users",
    entity: "user",
    columns: COLUMNS,
    write_columns: &[
        "email",
        "password_hash",
        "role",
        "display_name",
        "person_id",
        "institution_id",
    ],
    from_row,
};

pub(crate) fn from_row(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: query::int(row, "id")?,
        email: query::text(row, "email")?,
        role: query::parse_enum(row, "role", Role::parse)?,
        display_name: query::opt_text(row, "display_name")?,
        person_id: query::opt_int(row, "person_id")?,
        institution_id: query::opt_int(row, "institution_id")?,
        unit_ids: Vec::new(),
        preferred_lang: query::opt_text(row, "preferred_lang")?,
        disabled: query::int(row, "disabled")? != 0,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

/// The columns [`session_user`] reads, for queries over `users` aliased `u`.
pub(crate) const SESSION_COLUMNS: &str =
    "u.id, u.email, u.role, u.display_name, u.preferred_lang, u.institution_id, u.person_id";

/// A signed-in caller from a row of [`SESSION_COLUMNS`]; the scope is completed by
/// [`Db::with_scope`].
pub(crate) fn session_user(row: &AnyRow) -> StoreResult<SessionUser> {
    Ok(SessionUser {
        id: query::int(row, "id")?,
        email: query::text(row, "email")?,
        role: query::parse_enum(row, "role", Role::parse)?,
        display_name: query::opt_text(row, "display_name")?,
        preferred_lang: query::opt_text(row, "preferred_lang")?,
        institution_id: query::opt_int(row, "institution_id")?,
        person_id: query::opt_int(row, "person_id")?,
        scope: Scope::Nothing,
    })
}

impl Db {
    /// Completes a caller's scope: a coordinator's units and every unit below them.
    pub(crate) async fn with_scope(&self, mut user: SessionUser) -> StoreResult<SessionUser> {
        let units = if user.role == Role::Coordinator {
            sqlx::query(
                "WITH RECURSIVE scope_units (id) AS ( \
                   SELECT org_unit_id FROM user_units WHERE user_id = $1 \
                   UNION SELECT o.id FROM org_units o JOIN scope_units s ON o.parent_id = s.id) \
                 SELECT id FROM scope_units ORDER BY id",
            )
            .bind(user.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        user.scope = Scope::of(user.role, user.institution_id, units);
        Ok(user)
    }

    async fn scoped(&self, row: Option<AnyRow>) -> StoreResult<Option<SessionUser>> {
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(self.with_scope(session_user(&row)?).await?)),
        }
    }
}

/// Inserts an account inside the caller's transaction; the e-mail must be unused and every scope
/// reference must exist. Audited as `create`.
pub(crate) async fn insert_user(
    tx: &mut crate::table::Tx,
    actor: &Actor,
    new: NewUser,
) -> StoreResult<User> {
    use crate::query::Arg;
    let invalid =
        |field: &str, code| StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)));
    let email = new.email.trim().to_lowercase();
    let taken = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email.clone())
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(invalid("email", "taken"));
    }
    crate::accounts::check_scope_exists(
        tx,
        &liaison_domain::account::AccountScope {
            institution_id: new.institution_id,
            unit_ids: new.unit_ids.clone(),
            person_id: new.person_id,
        },
    )
    .await?;
    let mut user = TABLE
        .insert(
            tx,
            actor,
            vec![
                Arg::Text(email),
                Arg::Text(new.password_hash),
                Arg::Text(new.role.as_str().into()),
                Arg::OptText(new.display_name),
                Arg::OptInt(new.person_id),
                Arg::OptInt(new.institution_id),
            ],
        )
        .await?;
    for unit in &new.unit_ids {
        sqlx::query("INSERT INTO user_units (user_id, org_unit_id) VALUES ($1, $2)")
            .bind(user.id)
            .bind(*unit)
            .execute(&mut **tx)
            .await?;
    }
    user.unit_ids = new.unit_ids;
    Ok(user)
}

impl Db {
    /// Creates an account; the e-mail must be unused and every scope reference must exist.
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let user = insert_user(&mut tx, actor, new).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The account and its password hash, for signing in. Disabled accounts are not returned.
    pub async fn user_for_login(&self, email: &str) -> StoreResult<Option<(SessionUser, String)>> {
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS}, u.password_hash FROM users u \
                 WHERE u.email = $1 AND u.disabled = 0"
        ))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((
                self.with_scope(session_user(&row)?).await?,
                query::text(&row, "password_hash")?,
            ))),
        }
    }

    pub async fn users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users ORDER BY id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn create_session(
        &self,
        user_id: Id,
        token_hash: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash.to_string())
            .bind(user_id)
            .bind(crate::now())
            .bind(expires_at.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user behind a live session cookie, if the session exists, is unexpired and the
    /// account is enabled.
    /// Answered from the in-process cache while it is exact (see `auth_cache.rs`).
    pub async fn session_user(&self, token_hash: &str) -> StoreResult<Option<SessionUser>> {
        self.cached_caller(Credential::Session, "sessions", token_hash)
            .await
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&self.pool)
            .await?;
        self.auth_changed();
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        user_id: Id,
        token_hash: &str,
        name: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash.to_string())
            .bind(user_id)
            .bind(name.to_string())
            .bind(crate::now())
            .bind(expires_at.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user behind a live API token, if the token exists, is unexpired and the account is
    /// enabled. Answered from the in-process cache while it is exact (see `auth_cache.rs`).
    pub async fn token_user(&self, token_hash: &str) -> StoreResult<Option<SessionUser>> {
        self.cached_caller(Credential::Token, "api_tokens", token_hash)
            .await
    }

    /// A session's or token's user from the cache, else from `table` (cached when found).
    async fn cached_caller(
        &self,
        kind: Credential,
        table: &str,
        token_hash: &str,
    ) -> StoreResult<Option<SessionUser>> {
        if let Some(user) = self.auth.get(kind, token_hash) {
            return Ok(Some(user));
        }
        let generation = self.auth.generation();
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS}, s.expires_at AS expires_at FROM {table} s \
                 JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        ))
        .bind(token_hash.to_string())
        .bind(crate::now())
        .fetch_optional(&self.pool)
        .await?;
        let expires_at = match &row {
            Some(row) => crate::parse_time(&query::text(row, "expires_at")?),
            None => None,
        };
        let user = self.scoped(row).await?;
        if let Some(user) = &user {
            self.auth
                .put(kind, token_hash, user, generation, expires_at);
        }
        Ok(user)
    }

    pub async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}

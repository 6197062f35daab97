//! One person's personal data: export everything stored about them, or anonymise them when they
//! leave (names and contacts removed, the row and its links kept so statistics stay right).
//! Both are recorded in the audit log.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::people::TABLE as PEOPLE;
use crate::query;
use crate::table::Tx;
use crate::{Actor, Db, StoreResult};
use liaison_domain::{Id, LocalizedText, Person, PersonDraft};

/// A user account linked to a person (`users.person_id`), as exported: never the password hash.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedAccount {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    pub email: String,
    pub role: String,
    pub display_name: Option<String>,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub institution_id: Option<Id>,
    pub preferred_lang: Option<String>,
    pub disabled: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Everything Liaison stores about one person.
#[derive(Debug, Clone, Serialize)]
pub struct PersonExport {
    pub exported_at: String,
    pub person: Person,
    pub user_accounts: Vec<LinkedAccount>,
    /// Their stays abroad or with us, newest first.
    pub mobilities: Vec<liaison_domain::Mobility>,
    /// Their applications to exchange calls (with what they stated and the outcome).
    pub applications: Vec<liaison_domain::Application>,
    /// Entries about the person and their accounts, oldest first.
    pub audit_entries: Vec<AuditEntry>,
}

const ACCOUNT_COLUMNS: &str = "id, email, role, display_name, institution_id, preferred_lang, \
    disabled, version, created_at, updated_at";

fn account_from_row(row: &AnyRow) -> StoreResult<LinkedAccount> {
    Ok(LinkedAccount {
        id: query::int(row, "id")?,
        email: query::text(row, "email")?,
        role: query::text(row, "role")?,
        display_name: query::opt_text(row, "display_name")?,
        institution_id: query::opt_int(row, "institution_id")?,
        preferred_lang: query::opt_text(row, "preferred_lang")?,
        disabled: query::int(row, "disabled")? != 0,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

async fn linked_accounts(
    db: &Db,
    tx: &mut Tx,
    person: Id,
    lock: bool,
) -> StoreResult<Vec<LinkedAccount>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users WHERE person_id = $1 ORDER BY id{}",
        if lock { db.for_update() } else { "" }
    );
    let rows = sqlx::query(&sql).bind(person).fetch_all(&mut **tx).await?;
    rows.iter().map(account_from_row).collect()
}

/// The person with names, title and contacts removed; links and languages kept.
fn anonymised(draft: &PersonDraft, placeholder: &LocalizedText) -> PersonDraft {
    PersonDraft {
        name: placeholder.clone(),
        title: LocalizedText::default(),
        institution_id: draft.institution_id,
        org_unit_id: draft.org_unit_id,
        emails: Vec::new(),
        phones: Vec::new(),
        languages: draft.languages.clone(),
    }
}

impl Db {
    /// The person, their linked accounts and the audit entries about them; the export itself is
    /// recorded (action `export`) in the same transaction.
    pub async fn export_person(&self, actor: &Actor, id: Id) -> StoreResult<PersonExport> {
        let mut tx = self.write().await?;
        let person = PEOPLE.lock(self, &mut tx, id).await?;
        let user_accounts = linked_accounts(self, &mut tx, id, false).await?;
        let mobilities = crate::mobilities::of_person(&mut tx, id).await?;
        let applications = crate::exchange::of_person(&mut tx, id).await?;
        let mut audit_entries = audit::about(&mut tx, "person", id).await?;
        for account in &user_accounts {
            audit_entries.extend(audit::about(&mut tx, "user", account.id).await?);
        }
        audit_entries.sort_by_key(|e| e.id);
        audit::record::<serde_json::Value>(&mut tx, actor, "export", "person", id, None, None)
            .await?;
        tx.commit().await?;
        Ok(PersonExport {
            exported_at: crate::now(),
            person,
            user_accounts,
            mobilities,
            applications,
            audit_entries,
        })
    }

    /// Replaces the person's names with `placeholder`, clears title, e-mails and phones, keeps
    /// the row with its institution, unit and languages; clears their stays' emergency contacts
    /// and notes and what their applications stated (GPA, language, year, major, reasons); disables every linked account, blanks
    /// its e-mail to `anonymised-{user id}@invalid` and ends its sessions and API tokens. One
    /// transaction, audited (action `anonymise`, before and after). A stale `expected_version` is
    /// a conflict and changes nothing.
    pub async fn anonymise_person(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        placeholder: &LocalizedText,
    ) -> StoreResult<Person> {
        let mut tx = self.write().await?;
        let before = PEOPLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let draft = anonymised(&before.draft, placeholder);
        let sql = format!(
            "UPDATE people SET name_en = $1, name_zh = $2, name_local = $3, \
             title_en = NULL, title_zh = NULL, title_local = NULL, emails = '[]', phones = '[]', \
             search_text = $4, sort_name = $5, updated_at = $6, version = version + 1 \
             WHERE id = $7 AND version = $8 RETURNING {}",
            PEOPLE.columns
        );
        let row = sqlx::query(&sql)
            .bind(draft.name.en.clone())
            .bind(draft.name.zh.clone())
            .bind(draft.name.local.clone())
            .bind(draft.search_text())
            .bind(query::sort_name(&draft.name))
            .bind(crate::now())
            .bind(id)
            .bind(before.version)
            .fetch_optional(&mut *tx)
            .await?;
        let after =
            row.as_ref()
                .map(PEOPLE.from_row)
                .transpose()?
                .ok_or(crate::StoreError::Conflict {
                    current: before.version,
                })?;
        audit::record(
            &mut tx,
            actor,
            "anonymise",
            "person",
            id,
            Some(&before),
            Some(&after),
        )
        .await?;
        crate::mobilities::anonymise_person_stays(&mut tx, actor, id).await?;
        crate::exchange::anonymise_person_applications(&mut tx, actor, id).await?;

        for account in linked_accounts(self, &mut tx, id, true).await? {
            let sql = format!(
                "UPDATE users SET email = $1, display_name = NULL, disabled = 1, updated_at = $2, \
                 version = version + 1 WHERE id = $3 RETURNING {ACCOUNT_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(format!("anonymised-{}@invalid", account.id))
                .bind(crate::now())
                .bind(account.id)
                .fetch_one(&mut *tx)
                .await?;
            let changed = account_from_row(&row)?;
            for table in ["sessions", "api_tokens"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                    .bind(account.id)
                    .execute(&mut *tx)
                    .await?;
            }
            audit::record(
                &mut tx,
                actor,
                "anonymise",
                "user",
                account.id,
                Some(&account),
                Some(&changed),
            )
            .await?;
        }
        tx.commit().await?;
        self.auth_changed();
        Ok(after)
    }
}

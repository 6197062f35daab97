//! Liaison's storage: one repository API over SQLite (embedded default) and PostgreSQL.
//!
//! Handlers call `Db` methods and never see which engine is underneath. SQL is written once, in the
//! common subset of both dialects (`$1` placeholders work on both through sqlx); where the
//! dialects differ, `Db` offers the piece (`for_update`, the write-transaction `BEGIN`).
//!
//! Invariants: every change to a user-edited record bumps its `version`, sets `updated_at` and writes
//! an audit entry in the same transaction; a stale `version` is a `StoreError::Conflict` and
//! changes nothing.

mod accounts;
mod action_items;
mod agreements;
mod audit;
mod auth_cache;
mod backup;
mod campaigns;
mod checklists;
mod db;
mod documents;
mod enterprise;
mod events;
mod exchange;
mod field_trips;
mod import;
mod import_outcomes;
mod institutions;
mod invitations;
mod migrate;
mod mobilities;
mod news;
mod nominations;
mod org_units;
mod outbox;
mod page_cache;
mod people;
mod personal_data;
mod programme;
mod query;
mod reports;
mod security;
mod table;
mod trigrams;
mod users;

pub use accounts::{TokenInfo, UserChanges, UserFilter, USER_SORTS};
pub use action_items::{ActionItemFilter, ACTION_ITEM_SORTS};
pub use agreements::{agreement_visible, today, AgreementFilter, ReminderOwner, AGREEMENT_SORTS};
pub use audit::{AuditColumn, AuditEntry, AuditFilter, AuditSearch, AUDIT_EXPORT_MAX};
pub use auth_cache::LIFETIME as AUTH_CACHE_LIFETIME;
pub use backup::{BackupError, RestoreSummary, TableDump};
pub use campaigns::{campaign_visible, CampaignFilter, CampaignTotals, CAMPAIGN_SORTS};
pub use checklists::OverdueItem;
pub use db::{Backend, Db};
pub use documents::{upload_error, Document, FileStore, Incoming, NewDocument, OwnerKind};
pub use enterprise::{
    OutcomeCount, OutcomeFilter, PlacementFilter, PositionFilter, SkillProfileFilter,
    OUTCOME_SORTS, PLACEMENT_SORTS, POSITION_SORTS, SKILL_PROFILE_SORTS,
};
pub use events::{AgreementEnd, CalendarData, EventFilter, NamedTable, EVENT_SORTS};
pub use exchange::{
    AllocationInputs, AllocationRun, ApplicationFilter, CallFilter, QuotaLine, QuotaOverride,
    APPLICATION_SORTS, CALL_SORTS,
};
pub use import::{
    AgreementImport, ConditionImport, ImportFailure, ImportOutcome, ImportRow, MobilityImport,
    Progress, PROGRESS_EVERY,
};
pub use institutions::{InstitutionFilter, INSTITUTION_SORTS};
pub use invitations::{Invitation, LinkProblem, LinkPurpose, NewInvitation};
pub use migrate::{newest_version, MIGRATION_COUNT};
pub use mobilities::{
    mobility_visible, MobilityFilter, MobilityReach, NewMobility, MOBILITY_SORTS,
};
pub use news::{NewsFilter, NewsHistoryEntry, NewsPhoto, NEWS_SORTS};
pub use org_units::{OrgUnitFilter, ORG_UNIT_SORTS};
pub use outbox::{backoff, MailStatus, OutboxMessage, OutgoingMail, MAX_ATTEMPTS};
pub use people::{PersonFilter, PERSON_SORTS};
pub use personal_data::{LinkedAccount, PersonExport};
pub use programme::{ProgrammeLineFilter, PROGRAMME_LINE_SORTS};
pub use reports::{Group, Report, ReportFilter, YearCount};
pub use security::ThrottleRule;
pub use users::{ApiToken, NewUser, SessionUser, User};

use liaison_domain::{FieldErrors, Id};

/// Who makes a change, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Id>,
    /// An e-mail for users; `cli` or `demo` for operator actions.
    pub label: String,
}

impl Actor {
    pub fn user(id: Id, email: &str) -> Actor {
        Actor {
            user_id: Some(id),
            label: email.to_string(),
        }
    }

    pub fn system(label: &str) -> Actor {
        Actor {
            user_id: None,
            label: label.to_string(),
        }
    }
}

/// One page of a list, with the total count of matching records.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// One page of a list already serialised by the database: `items` is the JSON array text of the
/// records, exactly as serde would write them (same fields, types and order), and `total` the
/// count of matching records. One statement, one row: the API splices `items` into its envelope.
#[derive(Debug, Clone)]
pub struct JsonPage {
    /// UTF-8 JSON text; shared, so that a page kept by the page cache is sent without a copy.
    pub items: bytes::Bytes,
    pub total: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else (now at version {current})")]
    Conflict { current: i64 },
    /// The input refers to missing records or breaks a uniqueness rule.
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Deleting would orphan records of this kind (e.g. a unit that still has sub-units).
    #[error("other records depend on this one: {0}")]
    HasDependents(&'static str),
    /// The database could not be opened (bad URL, unreachable server, unwritable folder).
    #[error("{0}")]
    Open(String),
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The current time as stored: UTC RFC 3339 with microseconds.
pub fn now() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

/// Reads a timestamp written by [`format_time`].
pub fn parse_time(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

pub fn format_time(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&f)
        .expect("timestamps always format")
}

/// Serialises a list of ids as JSON strings (C6: ids are strings in JSON).
pub(crate) fn ids_as_strings<S: serde::Serializer>(ids: &[Id], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ids.iter().map(|id| id.to_string()))
}

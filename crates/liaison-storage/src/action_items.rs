//! Follow-up action items of events and agreements.

use sqlx::any::AnyRow;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::event::iso_date;
use liaison_domain::{
    ActionItem, ActionItemDraft, ActionStatus, FieldError, FieldErrors, Id, PageRequest, Sort,
};

pub const ACTION_ITEM_SORTS: &[&str] = &["due_on", "name", "status", "updated_at"];

#[derive(Debug, Default, Clone)]
pub struct ActionItemFilter {
    pub q: Option<String>,
    pub status: Option<ActionStatus>,
    pub owner_user_id: Option<Id>,
    pub event_id: Option<Id>,
    pub agreement_id: Option<Id>,
    /// Only items still pending whose due date is before this day.
    pub overdue_on: Option<time::Date>,
    /// Only open and in-progress items.
    pub pending: bool,
}

const COLUMNS: &str = "id, title_en, title_zh, title_local, owner_user_id, due_on, status, \
    event_id, agreement_id, notes_en, notes_zh, notes_local, version, created_at, updated_at";

const WRITE_COLUMNS: &[&str] = &[
    "title_en",
    "title_zh",
    "title_local",
    "owner_user_id",
    "due_on",
    "status",
    "event_id",
    "agreement_id",
    "notes_en",
    "notes_zh",
    "notes_local",
    "search_text",
    "sort_name",
];

pub(crate) const TABLE: Table<ActionItem> = Table {
    name: "action_items",
    entity: "action_item",
    columns: COLUMNS,
    write_columns: WRITE_COLUMNS,
    from_row,
};

versioned!(ActionItem);
has_id!(ActionItem);

fn from_row(row: &AnyRow) -> StoreResult<ActionItem> {
    let due_on = match query::opt_text(row, "due_on")? {
        None => None,
        Some(raw) => Some(
            iso_date::parse(&raw)
                .ok_or_else(|| StoreError::Corrupt(format!("due_on = {raw:?}")))?,
        ),
    };
    Ok(ActionItem {
        id: query::int(row, "id")?,
        draft: ActionItemDraft {
            title: query::localized(row, "title")?,
            owner_user_id: query::opt_int(row, "owner_user_id")?,
            due_on,
            status: query::parse_enum(row, "status", ActionStatus::parse)?,
            event_id: query::opt_int(row, "event_id")?,
            agreement_id: query::opt_int(row, "agreement_id")?,
            notes: query::localized(row, "notes")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

pub(crate) fn write_args(d: &ActionItemDraft) -> Vec<Arg> {
    vec![
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::OptInt(d.owner_user_id),
        Arg::OptText(d.due_on.map(iso_date::format)),
        Arg::Text(d.status.as_str().to_string()),
        Arg::OptInt(d.event_id),
        Arg::OptInt(d.agreement_id),
        Arg::OptText(d.notes.en.clone()),
        Arg::OptText(d.notes.zh.clone()),
        Arg::OptText(d.notes.local.clone()),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.title)),
    ]
}

async fn check_references(tx: &mut Tx, draft: &ActionItemDraft) -> StoreResult<()> {
    for (field, table, id) in [
        ("owner_user_id", "users", draft.owner_user_id),
        ("event_id", "events", draft.event_id),
        ("agreement_id", "agreements", draft.agreement_id),
    ] {
        let Some(id) = id else { continue };
        let sql = format!("SELECT id FROM {table} WHERE id = $1");
        if sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
        {
            return Err(StoreError::Invalid(FieldErrors::from(FieldError::new(
                field,
                "not-found",
            ))));
        }
    }
    Ok(())
}

fn conditions(db: &Db, filter: &ActionItemFilter) -> Conditions {
    let mut c = Conditions::default();
    c.search(db, "action_items", filter.q.as_deref());
    if let Some(s) = filter.status {
        c.add("status = ?", Arg::Text(s.as_str().into()));
    }
    if let Some(id) = filter.owner_user_id {
        c.add("owner_user_id = ?", Arg::Int(id));
    }
    if let Some(id) = filter.event_id {
        c.add("event_id = ?", Arg::Int(id));
    }
    if let Some(id) = filter.agreement_id {
        c.add("agreement_id = ?", Arg::Int(id));
    }
    if filter.pending || filter.overdue_on.is_some() {
        c.add("status IN ('open', ?)", Arg::Text("in_progress".into()));
    }
    if let Some(day) = filter.overdue_on {
        c.add("due_on < ?", Arg::Text(iso_date::format(day)));
    }
    c
}

impl Db {
    pub async fn action_items(
        &self,
        filter: &ActionItemFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<ActionItem>> {
        let c = conditions(self, filter);
        query::page(
            &self.pool,
            "action_items",
            COLUMNS,
            &c,
            sort,
            page,
            from_row,
        )
        .await
    }

    pub async fn action_item(&self, id: Id) -> StoreResult<ActionItem> {
        TABLE.get(&self.pool, id).await
    }

    pub async fn create_action_item(
        &self,
        actor: &Actor,
        draft: &ActionItemDraft,
    ) -> StoreResult<ActionItem> {
        let mut tx = self.write().await?;
        check_references(&mut tx, draft).await?;
        let created = TABLE.insert(&mut tx, actor, write_args(draft)).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces an item; the status change must be one the state machine allows.
    pub async fn update_action_item(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &ActionItemDraft,
    ) -> StoreResult<ActionItem> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let draft = draft
            .clone()
            .validate_change(&before.draft)
            .map_err(StoreError::Invalid)?;
        check_references(&mut tx, &draft).await?;
        let after = TABLE
            .update(&mut tx, actor, &before, write_args(&draft))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_action_item(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }
}

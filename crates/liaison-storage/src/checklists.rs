//! Whole-process checklists (issue 7): the templates staff edit, each stay's own items (copied
//! from the template when the stay is recorded), confirming items and attaching their files, and
//! the office's list of overdue items.

use sqlx::any::AnyRow;
use sqlx::Row;
use time::Date;

use crate::mobilities::MobilityReach;
use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{audit, Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::agreement::MobilityType;
use liaison_domain::checklist::{self, ChecklistItem, DueAnchor, TemplateItem, TemplateItemDraft};
use liaison_domain::event::iso_date;
use liaison_domain::mobility::{MobilityDirection, MobilityStatus};
use liaison_domain::{FieldError, FieldErrors, Id, Mobility, MobilityDraft, PageRequest};

const TEMPLATE_COLUMNS: &str = "id, mobility_type, direction, position, title_en, title_zh, \
    title_local, anchor, offset_days, needs_upload, version, created_at, updated_at";

const TEMPLATE_WRITE: &[&str] = &[
    "mobility_type",
    "direction",
    "position",
    "title_en",
    "title_zh",
    "title_local",
    "anchor",
    "offset_days",
    "needs_upload",
];

const TEMPLATES: Table<TemplateItem> = Table {
    name: "checklist_templates",
    entity: "checklist-template-item",
    columns: TEMPLATE_COLUMNS,
    write_columns: TEMPLATE_WRITE,
    from_row: template_from_row,
};

const ITEM_COLUMNS: &str = "id, mobility_id, position, title_en, title_zh, title_local, due_on, \
    needs_upload, document_id, done_at, done_by, version, created_at, updated_at";

const ITEM_WRITE: &[&str] = &[
    "mobility_id",
    "position",
    "title_en",
    "title_zh",
    "title_local",
    "due_on",
    "needs_upload",
    "document_id",
    "done_at",
    "done_by",
];

const ITEMS: Table<ChecklistItem> = Table {
    name: "checklist_items",
    entity: "checklist-item",
    columns: ITEM_COLUMNS,
    write_columns: ITEM_WRITE,
    from_row: item_from_row,
};

versioned!(TemplateItem, ChecklistItem);
has_id!(TemplateItem, ChecklistItem);

fn template_from_row(row: &AnyRow) -> StoreResult<TemplateItem> {
    Ok(TemplateItem {
        id: query::int(row, "id")?,
        draft: TemplateItemDraft {
            mobility_type: query::parse_enum(row, "mobility_type", MobilityType::parse)?,
            direction: query::parse_enum(row, "direction", MobilityDirection::parse)?,
            position: query::int(row, "position")?,
            title: query::localized(row, "title")?,
            anchor: query::parse_enum(row, "anchor", DueAnchor::parse)?,
            offset_days: query::int(row, "offset_days")?,
            needs_upload: query::int(row, "needs_upload")? != 0,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn item_from_row(row: &AnyRow) -> StoreResult<ChecklistItem> {
    let raw = query::text(row, "due_on")?;
    let due_on =
        iso_date::parse(&raw).ok_or_else(|| StoreError::Corrupt(format!("due_on = {raw:?}")))?;
    Ok(ChecklistItem {
        id: query::int(row, "id")?,
        mobility_id: query::int(row, "mobility_id")?,
        position: query::int(row, "position")?,
        title: query::localized(row, "title")?,
        due_on,
        needs_upload: query::int(row, "needs_upload")? != 0,
        document_id: query::opt_int(row, "document_id")?,
        done_at: query::opt_text(row, "done_at")?,
        done_by: query::opt_int(row, "done_by")?,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn template_args(d: &TemplateItemDraft) -> Vec<Arg> {
    vec![
        Arg::Text(d.mobility_type.as_str().into()),
        Arg::Text(d.direction.as_str().into()),
        Arg::Int(d.position),
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::Text(d.anchor.as_str().into()),
        Arg::Int(d.offset_days),
        Arg::Int(d.needs_upload.into()),
    ]
}

fn item_args(i: &ChecklistItem) -> Vec<Arg> {
    vec![
        Arg::Int(i.mobility_id),
        Arg::Int(i.position),
        Arg::OptText(i.title.en.clone()),
        Arg::OptText(i.title.zh.clone()),
        Arg::OptText(i.title.local.clone()),
        Arg::Text(iso_date::format(i.due_on)),
        Arg::Int(i.needs_upload.into()),
        Arg::OptInt(i.document_id),
        Arg::OptText(i.done_at.clone()),
        Arg::OptInt(i.done_by),
    ]
}

/// The checklist a stay gets when it is recorded: its template's items with due dates from its
/// planned dates. Items a record of a stay already under way or past has behind it come
/// confirmed (dated on their due day). One audit entry lists the whole checklist: the items are
/// part of recording the stay, not separate decisions.
pub(crate) async fn add_checklist(
    tx: &mut Tx,
    actor: &Actor,
    mobility_id: Id,
    draft: &MobilityDraft,
    status: MobilityStatus,
) -> StoreResult<()> {
    let sql = format!(
        "SELECT {TEMPLATE_COLUMNS} FROM checklist_templates WHERE mobility_type = $1 AND \
         direction = $2 ORDER BY position, id"
    );
    let rows = sqlx::query(&sql)
        .bind(draft.mobility_type.as_str())
        .bind(draft.direction.as_str())
        .fetch_all(&mut **tx)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let now = crate::now();
    let mut created = Vec::with_capacity(rows.len());
    for row in &rows {
        let t = template_from_row(row)?;
        let due_on = t.draft.due_on(draft.planned_start, draft.planned_end);
        let done_at = checklist::presumed_done(status, &t.draft)
            .then(|| format!("{}T09:00:00.000000Z", iso_date::format(due_on)));
        let row = sqlx::query(&format!(
            "INSERT INTO checklist_items (mobility_id, position, title_en, title_zh, title_local, \
             due_on, needs_upload, done_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {ITEM_COLUMNS}"
        ))
        .bind(mobility_id)
        .bind(t.draft.position)
        .bind(t.draft.title.en.clone())
        .bind(t.draft.title.zh.clone())
        .bind(t.draft.title.local.clone())
        .bind(iso_date::format(due_on))
        .bind(i64::from(t.draft.needs_upload))
        .bind(done_at)
        .bind(now.clone())
        .fetch_one(&mut **tx)
        .await?;
        created.push(item_from_row(&row)?);
    }
    audit::record(
        tx,
        actor,
        "create",
        "checklist",
        mobility_id,
        None,
        // The audit contract wants an object per entry; a checklist is a list of items.
        Some(&serde_json::json!({ "items": created })),
    )
    .await
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

/// An open item past its due date, with the stay it belongs to.
#[derive(Debug, Clone)]
pub struct OverdueItem {
    pub item: ChecklistItem,
    pub mobility: Mobility,
}

impl Db {
    /// Every template item, grouped by mobility type and direction, in order.
    pub async fn checklist_templates(&self) -> StoreResult<Vec<TemplateItem>> {
        let sql = format!(
            "SELECT {TEMPLATE_COLUMNS} FROM checklist_templates \
             ORDER BY mobility_type, direction, position, id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(template_from_row).collect()
    }

    pub async fn checklist_template_item(&self, id: Id) -> StoreResult<TemplateItem> {
        TEMPLATES.get(&self.pool, id).await
    }

    pub async fn create_checklist_template_item(
        &self,
        actor: &Actor,
        draft: &TemplateItemDraft,
    ) -> StoreResult<TemplateItem> {
        let mut tx = self.write().await?;
        let created = TEMPLATES
            .insert(&mut tx, actor, template_args(draft))
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_checklist_template_item(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &TemplateItemDraft,
    ) -> StoreResult<TemplateItem> {
        let mut tx = self.write().await?;
        let before = TEMPLATES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let after = TEMPLATES
            .update(&mut tx, actor, &before, template_args(draft))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes an item from its template; stays that already have their copy keep it.
    pub async fn delete_checklist_template_item(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = TEMPLATES
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        TEMPLATES.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A stay's checklist, in order.
    pub async fn checklist(&self, mobility_id: Id) -> StoreResult<Vec<ChecklistItem>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE mobility_id = $1 \
             ORDER BY position, id"
        );
        let rows = sqlx::query(&sql)
            .bind(mobility_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item_from_row).collect()
    }

    pub async fn checklist_item(&self, id: Id) -> StoreResult<ChecklistItem> {
        ITEMS.get(&self.pool, id).await
    }

    /// Confirms an item (`done`) or opens it again, if the caller saw `expected_version`. An
    /// item that needs a file cannot be confirmed without one (`Invalid` on `document_id`).
    pub async fn set_checklist_item_done(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        done: bool,
    ) -> StoreResult<ChecklistItem> {
        let mut tx = self.write().await?;
        let before = ITEMS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        if done == before.is_done() {
            return Ok(before);
        }
        let mut next = before.clone();
        if done {
            if let Some(code) = before.confirm_blocker() {
                return Err(invalid("document_id", code));
            }
            next.done_at = Some(crate::now());
            next.done_by = actor.user_id;
        } else {
            next.done_at = None;
            next.done_by = None;
        }
        let after = ITEMS
            .update(&mut tx, actor, &before, item_args(&next))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Links an uploaded document (of the item's stay) to the item.
    pub async fn attach_checklist_document(
        &self,
        actor: &Actor,
        id: Id,
        document_id: Id,
    ) -> StoreResult<ChecklistItem> {
        let mut tx = self.write().await?;
        let before = ITEMS.lock(self, &mut tx, id).await?;
        let owner =
            sqlx::query("SELECT owner_id FROM documents WHERE id = $1 AND owner_kind = 'mobility'")
                .bind(document_id)
                .fetch_optional(&mut *tx)
                .await?;
        match owner {
            Some(row) if row.try_get::<i64, _>(0)? == before.mobility_id => {}
            _ => return Err(invalid("document_id", "not-found")),
        }
        let mut next = before.clone();
        next.document_id = Some(document_id);
        let after = ITEMS
            .update(&mut tx, actor, &before, item_args(&next))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Open items due before `today` of the stays `reach` covers, oldest due first; stays that
    /// were cancelled do not count.
    pub async fn overdue_checklist_items(
        &self,
        reach: &MobilityReach,
        today: Date,
        page: &PageRequest,
    ) -> StoreResult<Page<OverdueItem>> {
        let mut c = Conditions::default();
        reach.narrow(&mut c);
        c.raw("checklist_items.done_at IS NULL");
        c.raw("mobilities.status <> 'cancelled'");
        c.add(
            "checklist_items.due_on < ?",
            Arg::Text(iso_date::format(today)),
        );
        let where_sql = c.where_sql();
        let from = "checklist_items JOIN mobilities ON mobilities.id = checklist_items.mobility_id";
        let count_sql = format!("SELECT COUNT(*) FROM {from}{where_sql}");
        let total: i64 = query::bind_all(sqlx::query(&count_sql), &c.args)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let n = c.args.len();
        let item_columns: Vec<String> = ITEM_COLUMNS
            .split(", ")
            .map(|col| format!("checklist_items.{col}"))
            .collect();
        let sql = format!(
            "SELECT {} FROM {from}{where_sql} \
             ORDER BY checklist_items.due_on, checklist_items.id LIMIT ${} OFFSET ${}",
            item_columns.join(", "),
            n + 1,
            n + 2
        );
        let mut args = c.args.clone();
        args.push(Arg::Int(page.limit()));
        args.push(Arg::Int(page.offset()));
        let rows = query::bind_all(sqlx::query(&sql), &args)
            .fetch_all(&self.pool)
            .await?;
        let found = rows
            .iter()
            .map(item_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let ids: Vec<Id> = found.iter().map(|i| i.mobility_id).collect();
        let stays = crate::mobilities::by_ids(&self.pool, &ids).await?;
        let mut items = Vec::with_capacity(found.len());
        for item in found {
            let mobility = stays
                .get(&item.mobility_id)
                .cloned()
                .ok_or(StoreError::NotFound)?;
            items.push(OverdueItem { item, mobility });
        }
        Ok(Page { items, total })
    }
}

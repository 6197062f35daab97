//! News stories: the working copy with its workflow status, the published snapshot the public
//! sees (`published`, with `public_on` and `public_tags` for the public list), the history of
//! every step (`news_history`) and photo captions (`news_photos`; the files are documents of
//! owner kind `news`). Every change writes an audit entry through `table.rs`.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Document, OwnerKind, Page, StoreError, StoreResult};
use liaison_domain::event::iso_date;
use liaison_domain::news::{self, PublishedVersion};
use liaison_domain::{
    FieldError, FieldErrors, Id, LocalizedText, NewsDraft, NewsItem, NewsStatus, PageRequest, Sort,
};

/// Sort names of the newsroom list; without `sort` it shows the latest changes first.
pub const NEWS_SORTS: &[&str] = &["updated_at", "published_on", "name", "status"];

#[derive(Debug, Default, Clone)]
pub struct NewsFilter {
    pub q: Option<String>,
    pub status: Option<NewsStatus>,
    /// Stories carrying this tag (working copy).
    pub tag: Option<String>,
    /// Stories linked to this event.
    pub event_id: Option<Id>,
}

/// One line of a story's history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewsHistoryEntry {
    /// `create`, `edit` or `status`.
    pub action: String,
    pub from_status: Option<NewsStatus>,
    pub to_status: NewsStatus,
    /// The record version after the step.
    pub version: i64,
    #[serde(with = "liaison_domain::id_as_string::option")]
    pub user_id: Option<Id>,
    /// Who: the account's e-mail, or `demo`/`cli`.
    pub actor: String,
    pub comment: Option<String>,
    pub at: String,
}

/// A photo of a story with its caption and photographer credit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewsPhoto {
    #[serde(flatten)]
    pub document: Document,
    pub caption: LocalizedText,
    pub photographer: Option<String>,
}

const COLUMNS: &str = "id, slug, status, title_en, title_zh, title_local, summary_en, summary_zh, \
    summary_local, body_en, body_zh, body_local, published_on, tags, event_ids, institution_ids, \
    credits, author_user_id, published, version, created_at, updated_at";

const WRITE_COLUMNS: &[&str] = &[
    "slug",
    "status",
    "title_en",
    "title_zh",
    "title_local",
    "summary_en",
    "summary_zh",
    "summary_local",
    "body_en",
    "body_zh",
    "body_local",
    "published_on",
    "tags",
    "event_ids",
    "institution_ids",
    "credits",
    "author_user_id",
    "published",
    "public_on",
    "public_tags",
    "search_text",
    "sort_name",
];

pub(crate) const TABLE: Table<NewsItem> = Table {
    name: "news",
    entity: "news",
    columns: COLUMNS,
    write_columns: WRITE_COLUMNS,
    from_row,
};

versioned!(NewsItem);
has_id!(NewsItem);

fn read_json<T: serde::de::DeserializeOwned>(raw: &str, column: &str) -> StoreResult<T> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn ids(row: &AnyRow, column: &str) -> StoreResult<Vec<Id>> {
    query::json_list(row, column)?
        .iter()
        .map(|s| s.parse().map_err(|_| StoreError::Corrupt(column.into())))
        .collect()
}

fn from_row(row: &AnyRow) -> StoreResult<NewsItem> {
    let published_on = match query::opt_text(row, "published_on")? {
        Some(raw) => Some(
            iso_date::parse(&raw)
                .ok_or_else(|| StoreError::Corrupt(format!("published_on = {raw:?}")))?,
        ),
        None => None,
    };
    let published = match query::opt_text(row, "published")? {
        Some(raw) => Some(read_json::<PublishedVersion>(&raw, "published")?),
        None => None,
    };
    Ok(NewsItem {
        id: query::int(row, "id")?,
        draft: NewsDraft {
            title: query::localized(row, "title")?,
            summary: query::localized(row, "summary")?,
            body: query::localized(row, "body")?,
            slug: query::opt_text(row, "slug")?,
            published_on,
            tags: query::json_list(row, "tags")?,
            event_ids: ids(row, "event_ids")?,
            institution_ids: ids(row, "institution_ids")?,
            credits: read_json(&query::text(row, "credits")?, "credits")?,
        },
        status: query::parse_enum(row, "status", NewsStatus::parse)?,
        author_user_id: query::opt_int(row, "author_user_id")?,
        published,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise")
}

fn write_args(
    d: &NewsDraft,
    status: NewsStatus,
    author: Option<Id>,
    published: Option<&PublishedVersion>,
) -> Vec<Arg> {
    let id_strings = |ids: &[Id]| json(&ids.iter().map(|i| i.to_string()).collect::<Vec<_>>());
    let public_on = published.map(|p| {
        p.content
            .published_on
            .map(iso_date::format)
            .unwrap_or_else(|| p.published_at[..10].to_string())
    });
    vec![
        Arg::OptText(d.slug.clone()),
        Arg::Text(status.as_str().into()),
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::OptText(d.summary.en.clone()),
        Arg::OptText(d.summary.zh.clone()),
        Arg::OptText(d.summary.local.clone()),
        Arg::OptText(d.body.en.clone()),
        Arg::OptText(d.body.zh.clone()),
        Arg::OptText(d.body.local.clone()),
        Arg::OptText(d.published_on.map(iso_date::format)),
        Arg::Text(json(&d.tags)),
        Arg::Text(id_strings(&d.event_ids)),
        Arg::Text(id_strings(&d.institution_ids)),
        Arg::Text(json(&d.credits)),
        Arg::OptInt(author),
        Arg::OptText(published.map(json)),
        Arg::OptText(public_on),
        Arg::OptText(published.map(|p| json(&p.content.tags))),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.title)),
    ]
}

fn invalid(field: impl Into<String>, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

async fn exists(tx: &mut Tx, table: &str, id: Id) -> StoreResult<bool> {
    let sql = format!("SELECT id FROM {table} WHERE id = $1");
    Ok(sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

async fn slug_owner(tx: &mut Tx, slug: &str) -> StoreResult<Option<Id>> {
    Ok(sqlx::query("SELECT id FROM news WHERE slug = $1")
        .bind(slug.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?)
}

/// Checks the links and credits, and settles the slug: a given one must be free, else one is
/// made from the English title (with `-2`, `-3`… when taken).
async fn resolve(tx: &mut Tx, draft: &mut NewsDraft, own_id: Option<Id>) -> StoreResult<()> {
    for (i, e) in draft.event_ids.iter().enumerate() {
        if !exists(tx, "events", *e).await? {
            return Err(invalid(format!("event_ids.{i}"), "not-found"));
        }
    }
    for (i, inst) in draft.institution_ids.iter().enumerate() {
        if !exists(tx, "institutions", *inst).await? {
            return Err(invalid(format!("institution_ids.{i}"), "not-found"));
        }
    }
    for (i, c) in draft.credits.iter().enumerate() {
        if let Some(p) = c.person_id {
            if !exists(tx, "people", p).await? {
                return Err(invalid(format!("credits.{i}.person_id"), "not-found"));
            }
        }
    }
    match &draft.slug {
        Some(s) => {
            if slug_owner(tx, s).await?.is_some_and(|o| Some(o) != own_id) {
                return Err(invalid("slug", "taken"));
            }
        }
        None => {
            if let Some(base) = draft.title.en.as_deref().and_then(news::slugify) {
                for n in 1..100 {
                    let candidate = if n == 1 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    };
                    match slug_owner(tx, &candidate).await? {
                        None => {
                            draft.slug = Some(candidate);
                            break;
                        }
                        Some(o) if Some(o) == own_id => {
                            draft.slug = Some(candidate);
                            break;
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    Ok(())
}

async fn record_history(
    tx: &mut Tx,
    actor: &Actor,
    item: &NewsItem,
    action: &str,
    from: Option<NewsStatus>,
    comment: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO news_history (news_id, version, action, from_status, to_status, user_id, \
         actor, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(item.id)
    .bind(item.version)
    .bind(action.to_string())
    .bind(from.map(|s| s.as_str().to_string()))
    .bind(item.status.as_str().to_string())
    .bind(actor.user_id)
    .bind(actor.label.clone())
    .bind(comment.map(String::from))
    .bind(crate::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn history_row(row: &AnyRow) -> StoreResult<NewsHistoryEntry> {
    Ok(NewsHistoryEntry {
        action: query::text(row, "action")?,
        from_status: query::opt_text(row, "from_status")?
            .as_deref()
            .and_then(NewsStatus::parse),
        to_status: query::parse_enum(row, "to_status", NewsStatus::parse)?,
        version: query::int(row, "version")?,
        user_id: query::opt_int(row, "user_id")?,
        actor: query::text(row, "actor")?,
        comment: query::opt_text(row, "comment")?,
        at: query::text(row, "created_at")?,
    })
}

impl Db {
    /// One page of the newsroom: every story, filtered, searched and sorted in SQL.
    pub async fn news(
        &self,
        filter: &NewsFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<NewsItem>> {
        let mut c = Conditions::default();
        c.search(self, "news", filter.q.as_deref());
        if let Some(s) = filter.status {
            c.add("status = ?", Arg::Text(s.as_str().into()));
        }
        if let Some(t) = filter.tag.as_deref().and_then(news::normalize_tag) {
            // Tags hold only letters, digits and hyphens: no LIKE wildcard can hide in one.
            c.add("tags LIKE ?", Arg::Text(format!("%\"{t}\"%")));
        }
        if let Some(e) = filter.event_id {
            c.add("event_ids LIKE ?", Arg::Text(format!("%\"{e}\"%")));
        }
        query::page(&self.pool, "news", COLUMNS, &c, sort, page, from_row).await
    }

    /// One page of the public site: published stories, newest dateline first, optionally with
    /// one tag (of the published version).
    pub async fn public_news(
        &self,
        tag: Option<&str>,
        page: &PageRequest,
    ) -> StoreResult<Page<NewsItem>> {
        let mut c = Conditions::default();
        c.raw("published IS NOT NULL");
        if let Some(t) = tag {
            match news::normalize_tag(t) {
                Some(t) => c.add("public_tags LIKE ?", Arg::Text(format!("%\"{t}\"%"))),
                None => c.raw("1 = 0"),
            }
        }
        let sort = Sort {
            field: "public_on",
            descending: true,
        };
        query::page(&self.pool, "news", COLUMNS, &c, &sort, page, from_row).await
    }

    /// Every published story (for feeds and the sitemap), newest first, at most `limit`.
    pub async fn published_news(&self, limit: i64) -> StoreResult<Vec<NewsItem>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM news WHERE published IS NOT NULL \
             ORDER BY public_on DESC, id DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn news_item(&self, id: Id) -> StoreResult<NewsItem> {
        TABLE.get(&self.pool, id).await
    }

    /// A story by its slug, or by its id when the key is a number.
    pub async fn news_by_key(&self, key: &str) -> StoreResult<NewsItem> {
        if let Ok(id) = key.parse::<Id>() {
            return self.news_item(id).await;
        }
        if !news::is_slug(key) {
            return Err(StoreError::NotFound);
        }
        let sql = format!("SELECT {COLUMNS} FROM news WHERE slug = $1");
        let row = sqlx::query(&sql)
            .bind(key.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// Creates a story as a draft; the acting account becomes its author.
    pub async fn create_news(&self, actor: &Actor, draft: &NewsDraft) -> StoreResult<NewsItem> {
        let mut draft = draft.clone();
        let mut tx = self.write().await?;
        resolve(&mut tx, &mut draft, None).await?;
        let created = TABLE
            .insert(
                &mut tx,
                actor,
                write_args(&draft, NewsStatus::Draft, actor.user_id, None),
            )
            .await?;
        record_history(&mut tx, actor, &created, "create", None, None).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces a story's content. Editing a published story starts a new unpublished version:
    /// the status goes back to draft while the public keeps the published snapshot.
    pub async fn update_news(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &NewsDraft,
    ) -> StoreResult<NewsItem> {
        let mut draft = draft.clone();
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        resolve(&mut tx, &mut draft, Some(id)).await?;
        let status = if before.status == NewsStatus::Published {
            NewsStatus::Draft
        } else {
            before.status
        };
        let after = TABLE
            .update(
                &mut tx,
                actor,
                &before,
                write_args(
                    &draft,
                    status,
                    before.author_user_id,
                    before.published.as_ref(),
                ),
            )
            .await?;
        record_history(&mut tx, actor, &after, "edit", Some(before.status), None).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a story one step (the caller checked the role with `news::check_step`; the step
    /// itself is checked again here against the locked record). Publishing stores the snapshot
    /// the public sees; going from published back to draft withdraws it.
    pub async fn set_news_status(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        to: NewsStatus,
        comment: Option<&str>,
    ) -> StoreResult<NewsItem> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        if !before.status.next().contains(&to) {
            return Err(invalid("status", "status-not-allowed"));
        }
        let mut draft = before.draft.clone();
        let published = match to {
            NewsStatus::Published => {
                let now = crate::now();
                if draft.published_on.is_none() {
                    draft.published_on = crate::parse_time(&now).map(|t| t.date());
                }
                Some(PublishedVersion {
                    content: draft.clone(),
                    first_published_at: before
                        .published
                        .as_ref()
                        .map(|p| p.first_published_at.clone())
                        .unwrap_or_else(|| now.clone()),
                    published_at: now,
                    version: before.version + 1,
                })
            }
            NewsStatus::Draft if before.status == NewsStatus::Published => None,
            _ => before.published.clone(),
        };
        let after = TABLE
            .update(
                &mut tx,
                actor,
                &before,
                write_args(&draft, to, before.author_user_id, published.as_ref()),
            )
            .await?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        record_history(
            &mut tx,
            actor,
            &after,
            "status",
            Some(before.status),
            comment,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a story with its history, captions and photo records (files stay while other
    /// records use them).
    pub async fn delete_news(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<Vec<Document>> {
        let mut tx = self.write().await?;
        let before = TABLE
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        for table in ["news_photos", "news_history"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE news_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let documents =
            crate::documents::delete_all_of(&mut tx, actor, OwnerKind::News, id).await?;
        TABLE.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(documents)
    }

    /// A story's history, oldest first.
    pub async fn news_history(&self, id: Id) -> StoreResult<Vec<NewsHistoryEntry>> {
        let rows = sqlx::query(
            "SELECT action, from_status, to_status, version, user_id, actor, comment, created_at \
             FROM news_history WHERE news_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(history_row).collect()
    }

    /// Records the caption and photographer of a photo just uploaded to a story.
    pub async fn caption_news_photo(
        &self,
        actor: &Actor,
        news_id: Id,
        document_id: Id,
        caption: &LocalizedText,
        photographer: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM news_photos WHERE document_id = $1")
            .bind(document_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO news_photos (document_id, news_id, caption_en, caption_zh, photographer) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(document_id)
        .bind(news_id)
        .bind(caption.en.clone())
        .bind(caption.zh.clone())
        .bind(photographer.map(String::from))
        .execute(&mut *tx)
        .await?;
        let entry = serde_json::json!({"news_id": news_id.to_string(), "caption": caption, "photographer": photographer});
        crate::audit::record(
            &mut tx,
            actor,
            "create",
            "news_photo",
            document_id,
            None,
            Some(&entry),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A story's photos with captions, oldest first.
    pub async fn news_photos(&self, news_id: Id) -> StoreResult<Vec<NewsPhoto>> {
        let documents = self.documents_of(OwnerKind::News, news_id).await?;
        let rows = sqlx::query(
            "SELECT document_id, caption_en, caption_zh, photographer FROM news_photos WHERE news_id = $1",
        )
        .bind(news_id)
        .fetch_all(&self.pool)
        .await?;
        let mut captions = std::collections::HashMap::new();
        for r in &rows {
            captions.insert(
                query::int(r, "document_id")?,
                (
                    LocalizedText {
                        en: query::opt_text(r, "caption_en")?,
                        zh: query::opt_text(r, "caption_zh")?,
                        local: None,
                    },
                    query::opt_text(r, "photographer")?,
                ),
            );
        }
        Ok(documents
            .into_iter()
            .filter(|d| d.media_type.is_image())
            .map(|document| {
                let (caption, photographer) = captions.remove(&document.id).unwrap_or_default();
                NewsPhoto {
                    document,
                    caption,
                    photographer,
                }
            })
            .collect())
    }
}

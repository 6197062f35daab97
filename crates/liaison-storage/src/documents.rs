//! Uploaded documents and photos of agreements and events: metadata rows here, the bytes in a
//! content-addressed file store (`<files>/ab/cdef…`, named by SHA-256) that several nodes may
//! share. A file is written to a temporary name in the store's own directory and renamed into
//! place, so no node ever sees half a file; the client's name never becomes a path.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use tokio::io::AsyncWriteExt;

use crate::query;
use crate::table::Tx;
use crate::{audit, Actor, Db, StoreError, StoreResult};
use liaison_domain::document::MediaType;
use liaison_domain::{FieldError, FieldErrors, Id};

/// The kind of record a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OwnerKind {
    Agreement,
    Event,
    /// A news story's photo (captions in `news_photos`).
    News,
    /// A stay's file (a visa, a transcript), usually linked to a checklist item.
    Mobility,
    /// A student's exchange application: transcript, language certificate.
    Application,
}

impl OwnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Agreement => "agreement",
            OwnerKind::Event => "event",
            OwnerKind::News => "news",
            OwnerKind::Mobility => "mobility",
            OwnerKind::Application => "application",
        }
    }

    pub fn parse(s: &str) -> Option<OwnerKind> {
        match s {
            "agreement" => Some(OwnerKind::Agreement),
            "event" => Some(OwnerKind::Event),
            "news" => Some(OwnerKind::News),
            "mobility" => Some(OwnerKind::Mobility),
            "application" => Some(OwnerKind::Application),
            _ => None,
        }
    }

    fn table(self) -> &'static str {
        match self {
            OwnerKind::Agreement => "agreements",
            OwnerKind::Event => "events",
            OwnerKind::News => "news",
            OwnerKind::Mobility => "mobilities",
            OwnerKind::Application => "applications",
        }
    }
}

impl Serialize for OwnerKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    pub owner_kind: OwnerKind,
    #[serde(with = "liaison_domain::id_as_string")]
    pub owner_id: Id,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    pub sha256: String,
    /// A JPEG thumbnail of a photo, in the same store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_sha256: Option<String>,
    #[serde(
        with = "liaison_domain::id_as_string::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_by: Option<Id>,
    pub created_at: String,
}

/// What an upload stores once its bytes are in the file store.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub owner_kind: OwnerKind,
    pub owner_id: Id,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    pub sha256: String,
    pub thumbnail_sha256: Option<String>,
}

const COLUMNS: &str = "id, owner_kind, owner_id, file_name, media_type, size, sha256, \
    thumbnail_sha256, created_by, created_at";

fn from_row(row: &AnyRow) -> StoreResult<Document> {
    Ok(Document {
        id: query::int(row, "id")?,
        owner_kind: query::parse_enum(row, "owner_kind", OwnerKind::parse)?,
        owner_id: query::int(row, "owner_id")?,
        file_name: query::text(row, "file_name")?,
        media_type: query::parse_enum(row, "media_type", MediaType::parse)?,
        size: query::int(row, "size")?,
        sha256: query::text(row, "sha256")?,
        thumbnail_sha256: query::opt_text(row, "thumbnail_sha256")?,
        created_by: query::opt_int(row, "created_by")?,
        created_at: query::text(row, "created_at")?,
    })
}

/// Deletes every document row of a record (inside the record's own delete), audited.
pub(crate) async fn delete_all_of(
    tx: &mut Tx,
    actor: &Actor,
    kind: OwnerKind,
    owner_id: Id,
) -> StoreResult<Vec<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE owner_kind = $1 AND owner_id = $2");
    let rows = sqlx::query(&sql)
        .bind(kind.as_str())
        .bind(owner_id)
        .fetch_all(&mut **tx)
        .await?;
    let docs = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    for d in &docs {
        sqlx::query("DELETE FROM documents WHERE id = $1")
            .bind(d.id)
            .execute(&mut **tx)
            .await?;
        audit::record(tx, actor, "delete", "document", d.id, Some(d), None).await?;
    }
    Ok(docs)
}

impl Db {
    /// Records an uploaded file; the owner must exist.
    pub async fn create_document(&self, actor: &Actor, new: &NewDocument) -> StoreResult<Document> {
        let mut tx = self.write().await?;
        let sql = format!("SELECT id FROM {} WHERE id = $1", new.owner_kind.table());
        if sqlx::query(&sql)
            .bind(new.owner_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        let sql = format!(
            "INSERT INTO documents (owner_kind, owner_id, file_name, media_type, size, sha256, \
             thumbnail_sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(new.owner_kind.as_str())
            .bind(new.owner_id)
            .bind(new.file_name.clone())
            .bind(new.media_type.as_str())
            .bind(new.size)
            .bind(new.sha256.clone())
            .bind(new.thumbnail_sha256.clone())
            .bind(actor.user_id)
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await?;
        let created = from_row(&row)?;
        audit::record(
            &mut tx,
            actor,
            "create",
            "document",
            created.id,
            None,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn document(&self, id: Id) -> StoreResult<Document> {
        let sql = format!("SELECT {COLUMNS} FROM documents WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// A record's documents, oldest first.
    pub async fn documents_of(&self, kind: OwnerKind, owner_id: Id) -> StoreResult<Vec<Document>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM documents WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(kind.as_str())
            .bind(owner_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn delete_document(&self, actor: &Actor, id: Id) -> StoreResult<Document> {
        let mut tx = self.write().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM documents WHERE id = $1{}",
            self.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let doc = from_row(&row)?;
        sqlx::query("DELETE FROM documents WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(&mut tx, actor, "delete", "document", id, Some(&doc), None).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Whether any document row still uses a stored file (as its content or its thumbnail).
    pub async fn file_in_use(&self, sha256: &str) -> StoreResult<bool> {
        use sqlx::Row;
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM documents WHERE sha256 = $1 OR thumbnail_sha256 = $1",
        )
        .bind(sha256.to_string())
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }
}

/// The content-addressed file store.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// A file being received: bytes go to a temporary file in the store, hashed and counted on the
/// way. Dropping it without [`FileStore::keep`] removes the temporary file.
pub struct Incoming {
    temp: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl Incoming {
    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        if self.head.len() < 16 {
            let take = (16 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        match &mut self.file {
            Some(f) => f.write_all(chunk).await,
            None => Err(std::io::Error::other("upload already finished")),
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The first bytes, for recognising the type.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The temporary file, for reading it back (to make a thumbnail).
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Flushes the bytes to disk and returns the SHA-256 in lowercase hex.
    pub async fn finish(&mut self) -> std::io::Result<String> {
        if let Some(mut f) = self.file.take() {
            f.flush().await?;
            f.sync_all().await?;
        }
        let digest = std::mem::take(&mut self.hasher).finalize();
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // Still here: the upload failed or was refused, or `keep` has moved it (then this fails
        // harmlessly).
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn is_sha(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with this SHA-256 lives: `ab/cdef…`. Only hex digests make paths.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_sha(sha256).then(|| self.root.join(&sha256[..2]).join(&sha256[2..]))
    }

    /// Starts receiving a file.
    pub async fn incoming(&self) -> std::io::Result<Incoming> {
        tokio::fs::create_dir_all(&self.root).await?;
        let mut name = [0u8; 12];
        fill_random(&mut name);
        let suffix: String = name.iter().map(|b| format!("{b:02x}")).collect();
        let temp = self.root.join(format!(".incoming-{suffix}"));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .await?;
        Ok(Incoming {
            temp,
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
        })
    }

    /// Moves a finished upload to its content address. Returns whether this call created the
    /// file (false when the same content was already stored).
    pub async fn keep(&self, incoming: Incoming, sha256: &str) -> std::io::Result<bool> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| std::io::Error::other("not a SHA-256"))?;
        let dir = path.parent().expect("content paths have a folder");
        tokio::fs::create_dir_all(dir).await?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(false); // dropping `incoming` removes the duplicate
        }
        tokio::fs::rename(&incoming.temp, &path).await?;
        Ok(true)
    }

    /// Stores bytes made on the server (a thumbnail) the same way.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<(String, bool)> {
        let mut incoming = self.incoming().await?;
        incoming.write(bytes).await?;
        let sha = incoming.finish().await?;
        let created = self.keep(incoming, &sha).await?;
        Ok((sha, created))
    }

    /// Removes a stored file (when no record uses it any more).
    pub async fn remove(&self, sha256: &str) {
        if let Some(path) = self.path_of(sha256) {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
}

/// Random bytes for temporary names, from the OS (no `rand` dependency in storage).
fn fill_random(buf: &mut [u8]) {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    for chunk in buf.chunks_mut(8) {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        let bytes = h.finish().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

/// A field error naming the upload.
pub fn upload_error(code: &'static str) -> FieldErrors {
    FieldErrors::from(FieldError::new("file", code))
}

//! Receiving and serving documents and photos (shared by the API and the pages).
//!
//! An upload streams into a temporary file in the shared file store while it is hashed and
//! counted; past the configured limit it stops at once (413). Its type comes from its first bytes
//! (PDF, JPEG, PNG, WebP; anything else, or a name whose extension says otherwise, is 415), a photo
//! gets a 320-pixel-wide JPEG thumbnail, then the file is renamed to its content address and the
//! row written. Whatever fails on the way leaves no file and no row behind.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use liaison_domain::document::{clean_file_name, name_matches, MediaType};
use liaison_domain::{access::allows, Action, Id};
use liaison_storage::{Actor, Document, Incoming, NewDocument, OwnerKind, StoreError};

/// Width of photo thumbnails, in pixels.
pub const THUMBNAIL_WIDTH: u32 = 320;

#[derive(Debug)]
pub enum UploadError {
    /// Larger than the limit (413).
    TooLarge,
    /// Not a PDF, JPEG, PNG or WebP, or not readable as one (415).
    Unsupported,
    /// The name's extension does not fit the content (415).
    NameMismatch,
    /// No file, or an empty one, or no usable name (422).
    Missing,
    Store(StoreError),
    Io(std::io::Error),
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Store(e)
    }
}

impl From<std::io::Error> for UploadError {
    fn from(e: std::io::Error) -> Self {
        UploadError::Io(e)
    }
}

impl UploadError {
    pub fn status(&self) -> StatusCode {
        match self {
            UploadError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::Unsupported | UploadError::NameMismatch => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            UploadError::Missing => StatusCode::UNPROCESSABLE_ENTITY,
            UploadError::Store(StoreError::NotFound) => StatusCode::NOT_FOUND,
            UploadError::Store(_) | UploadError::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The catalogue key of the message shown on pages.
    pub fn message_key(&self) -> &'static str {
        match self {
            UploadError::TooLarge => "upload-too-large",
            UploadError::Unsupported => "upload-unsupported",
            UploadError::NameMismatch => "upload-name-mismatch",
            UploadError::Missing => "upload-missing",
            _ => "page-error",
        }
    }
}

/// An upload in progress.
pub struct Upload {
    incoming: Incoming,
    limit: u64,
}

impl Upload {
    pub async fn start(state: &AppState) -> Result<Upload, UploadError> {
        Ok(Upload {
            incoming: state.files.incoming().await?,
            limit: state.config.upload_limit,
        })
    }

    /// Adds bytes; refuses as soon as the total passes the limit.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        if self.incoming.size() + chunk.len() as u64 > self.limit {
            return Err(UploadError::TooLarge);
        }
        self.incoming.write(chunk).await?;
        Ok(())
    }

    /// [`Upload::finish`] for photos only: a PDF or any other content is refused (415).
    pub async fn finish_image(
        self,
        state: &AppState,
        actor: &Actor,
        owner_kind: OwnerKind,
        owner_id: Id,
        raw_name: &str,
    ) -> Result<Document, UploadError> {
        if self.incoming.size() > 0
            && !MediaType::sniff(self.incoming.head()).is_some_and(|m| m.is_image())
        {
            return Err(UploadError::Unsupported);
        }
        self.finish(state, actor, owner_kind, owner_id, raw_name)
            .await
    }

    /// Checks the content and stores the file, its thumbnail and its row.
    pub async fn finish(
        mut self,
        state: &AppState,
        actor: &Actor,
        owner_kind: OwnerKind,
        owner_id: Id,
        raw_name: &str,
    ) -> Result<Document, UploadError> {
        if self.incoming.size() == 0 {
            return Err(UploadError::Missing);
        }
        let media_type = MediaType::sniff(self.incoming.head()).ok_or(UploadError::Unsupported)?;
        let file_name = match clean_file_name(raw_name) {
            Some(n) => n,
            None => format!("{}.{}", owner_kind.as_str(), media_type.extensions()[0]),
        };
        if !name_matches(&file_name, media_type) {
            return Err(UploadError::NameMismatch);
        }
        let sha = self.incoming.finish().await?;
        let size = self.incoming.size() as i64;
        let thumbnail = if media_type.is_image() {
            let bytes = tokio::fs::read(self.incoming.path()).await?;
            let made = tokio::task::spawn_blocking(move || thumbnail(&bytes))
                .await
                .map_err(|e| UploadError::Io(std::io::Error::other(e)))?;
            Some(made.ok_or(UploadError::Unsupported)?)
        } else {
            None
        };
        let created_file = state.files.keep(self.incoming, &sha).await?;
        let mut created_thumb = None;
        let thumbnail_sha = match thumbnail {
            Some(bytes) => match state.files.put(&bytes).await {
                Ok((t, created)) => {
                    created_thumb = created.then(|| t.clone());
                    Some(t)
                }
                Err(e) => {
                    if created_file {
                        state.files.remove(&sha).await;
                    }
                    return Err(e.into());
                }
            },
            None => None,
        };
        let new = NewDocument {
            owner_kind,
            owner_id,
            file_name,
            media_type,
            size,
            sha256: sha.clone(),
            thumbnail_sha256: thumbnail_sha,
        };
        match state.db.create_document(actor, &new).await {
            Ok(doc) => Ok(doc),
            Err(e) => {
                // Only what this upload created goes; the same bytes may belong to other rows.
                if created_file && !state.db.file_in_use(&sha).await.unwrap_or(true) {
                    state.files.remove(&sha).await;
                }
                if let Some(t) = created_thumb {
                    if !state.db.file_in_use(&t).await.unwrap_or(true) {
                        state.files.remove(&t).await;
                    }
                }
                Err(e.into())
            }
        }
    }
}

/// A JPEG thumbnail at most [`THUMBNAIL_WIDTH`] wide; `None` if the image cannot be decoded.
pub fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    let img = if img.width() > THUMBNAIL_WIDTH {
        img.thumbnail(THUMBNAIL_WIDTH, u32::MAX)
    } else {
        img
    };
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&rgb)
        .ok()?;
    Some(out)
}

/// Streams a raw request body into an upload.
pub async fn receive_body(state: &AppState, body: Body) -> Result<Upload, UploadError> {
    use http_body_util::BodyExt;
    let mut upload = Upload::start(state).await?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| UploadError::Io(std::io::Error::other(e)))?;
        if let Ok(data) = frame.into_data() {
            upload.push(&data).await?;
        }
    }
    Ok(upload)
}

/// Whether the caller may see a document's owner record.
pub async fn may_read_owner(
    state: &AppState,
    user: &liaison_storage::SessionUser,
    kind: OwnerKind,
    owner_id: Id,
) -> Result<bool, StoreError> {
    match kind {
        OwnerKind::Event => {
            if !allows(user.role, Action::ReadEvents) {
                return Ok(false);
            }
            match state.db.event(owner_id).await {
                Ok(e) => Ok(e.draft.visible_to(&user.scope)),
                Err(StoreError::NotFound) => Ok(false),
                Err(e) => Err(e),
            }
        }
        OwnerKind::Agreement => {
            if !allows(user.role, Action::ReadAgreements) {
                return Ok(false);
            }
            match state.db.agreement(owner_id).await {
                Ok(a) => Ok(liaison_storage::agreement_visible(&user.scope, &a)),
                Err(StoreError::NotFound) => Ok(false),
                Err(e) => Err(e),
            }
        }
        // News photos: the newsroom (the public reaches published stories' photos elsewhere).
        OwnerKind::News => Ok(allows(user.role, Action::ReadNews)),
        OwnerKind::Mobility => {
            if !allows(user.role, Action::ReadMobilities) {
                return Ok(false);
            }
            match state.db.mobility(owner_id).await {
                Ok(m) => Ok(liaison_storage::mobility_visible(
                    &crate::api::mobilities::reach_of(user),
                    &m,
                )),
                Err(StoreError::NotFound) => Ok(false),
                Err(e) => Err(e),
            }
        }
        // An application's documents: the office, and the student who applied.
        OwnerKind::Application => {
            if !allows(user.role, Action::Apply) {
                return Ok(false);
            }
            match state.db.application(owner_id).await {
                Ok(a) => Ok(allows(user.role, Action::ManageCalls)
                    || user.person_id == Some(a.draft.person_id)),
                Err(StoreError::NotFound) => Ok(false),
                Err(e) => Err(e),
            }
        }
    }
}

/// Whether the caller may remove a document: they must see its owner and be allowed to edit
/// that kind of record.
pub async fn may_edit_owner(
    state: &AppState,
    user: &liaison_storage::SessionUser,
    kind: OwnerKind,
    owner_id: Id,
) -> Result<bool, StoreError> {
    let action = match kind {
        OwnerKind::Event => Action::EditEvents,
        OwnerKind::Agreement => Action::EditAgreements,
        OwnerKind::News => Action::EditNews,
        OwnerKind::Mobility => Action::EditMobilities,
        OwnerKind::Application => Action::Apply,
    };
    Ok(allows(user.role, action) && may_read_owner(state, user, kind, owner_id).await?)
}

/// `Content-Disposition` with an ASCII fallback and the RFC 5987 UTF-8 name (Chinese names).
pub fn content_disposition(name: &str, inline: bool) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Streams a stored file with its headers.
pub async fn serve_file(
    state: &AppState,
    sha: &str,
    media_type: &str,
    file_name: &str,
    inline: bool,
) -> Response {
    let Some(path) = state.files.path_of(sha) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, path = %path.display(), "stored file missing");
            return StatusCode::NOT_FOUND.into_response();
        }
    };
    let len = file.metadata().await.map(|m| m.len()).ok();
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    h.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(file_name, inline),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    response
}

/// Serves a document (or its thumbnail) after checking access through its owner. `None` means
/// the caller may not see it (answer 404, so its existence does not leak).
pub async fn download(
    state: &AppState,
    user: &liaison_storage::SessionUser,
    id: Id,
    thumbnail: bool,
) -> Result<Option<Response>, StoreError> {
    let doc = match state.db.document(id).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !may_read_owner(state, user, doc.owner_kind, doc.owner_id).await? {
        return Ok(None);
    }
    if thumbnail {
        let Some(t) = &doc.thumbnail_sha256 else {
            return Ok(None);
        };
        return Ok(Some(
            serve_file(state, t, "image/jpeg", &doc.file_name, true).await,
        ));
    }
    let inline = doc.media_type.is_image() || doc.media_type == MediaType::Pdf;
    Ok(Some(
        serve_file(
            state,
            &doc.sha256,
            doc.media_type.as_str(),
            &doc.file_name,
            inline,
        )
        .await,
    ))
}

//! Documents and photos on record pages (events, agreements): the section that lists them with
//! an upload form, receiving a `multipart/form-data` upload, downloads and deletion. Access is
//! always decided through the owner record (`uploads::may_read_owner` / `may_edit_owner`).

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use super::institutions::store_error_page;
use super::{parse_path_id, redirect_with_flash};
use crate::api::events::forget_files;
use crate::api::institutions::actor;
use crate::auth::Ctx;
use crate::uploads::{Upload, UploadError};
use crate::AppState;
use liaison_domain::Id;
use liaison_storage::{Document, OwnerKind};

/// Where a record's page lives, for links back after an upload or a deletion.
pub fn owner_path(kind: OwnerKind, owner_id: Id) -> String {
    match kind {
        OwnerKind::News => format!("/newsroom/{owner_id}"),
        OwnerKind::Mobility => format!("/mobilities/{owner_id}"),
        kind => format!("/{}s/{owner_id}", kind.as_str()),
    }
}

/// Photos as thumbnails, other files as a list with sizes; for editors, a delete button per file
/// and the upload form (with the last upload's error, if any).
pub fn section(
    ctx: &Ctx,
    kind: OwnerKind,
    owner_id: Id,
    documents: &[Document],
    edit: bool,
    upload_error: Option<&str>,
) -> Markup {
    let (photos, files): (Vec<&Document>, Vec<&Document>) = documents
        .iter()
        .partition(|doc| doc.thumbnail_sha256.is_some());
    // The CSRF token travels in the URL: a multipart body is streamed to disk, not parsed first.
    let upload_action = format!(
        "{}/documents?_csrf={}",
        owner_path(kind, owner_id),
        form_urlencoded::byte_serialize(ctx.csrf.as_bytes()).collect::<String>()
    );
    let delete_button = |d: &Document| -> Markup {
        html! { @if edit {
            a href=(format!("/documents/{}/delete", d.id)) aria-label=(format!("{} {}", ctx.t("delete"), d.file_name)) { (ctx.t("delete")) }
        } }
    };
    html! {
        section.documents #documents {
            h2 { (ctx.t("event-photos")) }
            @if photos.is_empty() { p.empty { (ctx.t("event-no-photos")) } }
            @else { div.photo-grid { @for p in &photos { figure {
                a href=(format!("/documents/{}", p.id)) { img src=(format!("/documents/{}/thumbnail", p.id)) alt=(p.file_name) loading="lazy" width="320"; }
                figcaption { (p.file_name) " " (delete_button(p)) }
            } } } }
            h2 { (ctx.t("event-documents")) }
            @if files.is_empty() { p.empty { (ctx.t("event-no-documents")) } }
            @else { ul.documents { @for f in &files { li {
                a href=(format!("/documents/{}", f.id)) { (f.file_name) } " " span.other-lang { "(" (f.size / 1024 + 1) " KiB)" }
                " " (delete_button(f))
            } } } }
            @if edit {
                @if let Some(key) = upload_error { p.error-summary role="alert" { (ctx.t(key)) } }
                form.upload method="post" action=(upload_action) enctype="multipart/form-data" {
                    div.field {
                        label for="file" { (ctx.t("upload-file")) }
                        input #file type="file" name="file" accept=".pdf,.jpg,.jpeg,.png,.webp,application/pdf,image/jpeg,image/png,image/webp" required;
                        p.hint { (ctx.t("upload-hint")) }
                    }
                    div.actions { button type="submit" { (ctx.t("upload")) } }
                }
            }
        }
    }
}

/// Streams the `file` field of a multipart request into the store for `owner`.
pub async fn receive_multipart(
    state: &AppState,
    ctx: &Ctx,
    kind: OwnerKind,
    owner_id: Id,
    req: Request,
) -> Result<Document, UploadError> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|_| UploadError::Missing)?;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        let mut upload = Upload::start(state).await?;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            upload.push(&chunk).await?;
        }
        return upload
            .finish(state, &actor(ctx), kind, owner_id, &name)
            .await;
    }
    Err(UploadError::Missing)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge
    } else {
        UploadError::Missing
    }
}

/// What an upload handler answers when the upload failed: `Err` with a page for the server's
/// faults, or `Ok` with the status and message key to show on the owner's page again.
#[allow(
    clippy::result_large_err,
    reason = "the error is the page to answer with"
)]
pub fn upload_failure_page(
    ctx: &Ctx,
    e: UploadError,
) -> Result<(StatusCode, &'static str), Response> {
    let status = e.status();
    if status == StatusCode::NOT_FOUND || status.is_server_error() {
        if let UploadError::Store(e) = e {
            return Err(store_error_page(ctx, e));
        }
        return Err(super::error_page(ctx, status, "page-internal"));
    }
    Ok((status, e.message_key()))
}

pub async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    serve(&state, &ctx, &id, false).await
}

pub async fn thumbnail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    serve(&state, &ctx, &id, true).await
}

async fn serve(state: &AppState, ctx: &Ctx, id: &str, thumb: bool) -> Response {
    let Some(id) = parse_path_id(id) else {
        return super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found");
    };
    match crate::uploads::download(state, ctx.user(), id, thumb).await {
        Ok(Some(r)) => r,
        Ok(None) => super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found"),
        Err(e) => store_error_page(ctx, e),
    }
}

/// The document, if the caller may delete it: 404 when its owner is out of their reach, 403 when
/// they may see but not change it.
async fn load_editable(state: &AppState, ctx: &Ctx, id: &str) -> Result<Document, Response> {
    let Some(id) = parse_path_id(id) else {
        return Err(super::error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "page-not-found",
        ));
    };
    let doc = state
        .db
        .document(id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    let user = ctx.user();
    let visible = crate::uploads::may_read_owner(state, user, doc.owner_kind, doc.owner_id)
        .await
        .map_err(|e| store_error_page(ctx, e))?;
    let editable = visible
        && crate::uploads::may_edit_owner(state, user, doc.owner_kind, doc.owner_id)
            .await
            .map_err(|e| store_error_page(ctx, e))?;
    super::check_record(ctx, visible, editable)?;
    Ok(doc)
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    let doc = match load_editable(&state, &ctx, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let title = format!("{} {}", ctx.t("delete"), doc.file_name);
    super::confirm_delete_page(
        &ctx,
        &title,
        html! { p { (ctx.t("document-delete-warning")) } },
        &format!("/documents/{}/delete", doc.id),
        0,
        &owner_path(doc.owner_kind, doc.owner_id),
    )
}

pub async fn delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let doc = match load_editable(&state, &ctx, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match state.db.delete_document(&actor(&ctx), doc.id).await {
        Ok(doc) => {
            forget_files(&state, std::slice::from_ref(&doc)).await;
            redirect_with_flash(
                &ctx,
                &owner_path(doc.owner_kind, doc.owner_id),
                "flash-document-deleted",
            )
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

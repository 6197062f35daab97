//! An administrator's personal-data tools on a contact: download everything stored about them
//! (JSON), and anonymise them after a confirmation page.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentValue;
use maud::html;

use super::institutions::store_error_page;
use super::{csrf_input, parse_path_id, redirect_with_flash, FormData};
use crate::api::institutions::actor;
use crate::api::personal_data::placeholder;
use crate::auth::Ctx;
use crate::AppState;
use liaison_storage::StoreError;

fn not_found(ctx: &Ctx) -> Response {
    super::error_page(ctx, StatusCode::NOT_FOUND, "page-not-found")
}

/// `GET /people/{id}/export`: the person's data as a JSON download (recorded in the audit log).
pub async fn export(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return not_found(&ctx);
    };
    let data = match state.db.export_person(&actor(&ctx), id).await {
        Ok(d) => d,
        Err(e) => return store_error_page(&ctx, e),
    };
    let body = serde_json::to_string_pretty(&data).expect("exports serialise");
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"person-{id}.json\""))
            .expect("the file name is ASCII"),
    );
    response
}

/// `GET /people/{id}/anonymise`: what anonymising does, and a button to do it.
pub async fn confirm(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return not_found(&ctx);
    };
    let person = match state.db.person(id).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&ctx, e),
    };
    let name = person.draft.name.display(ctx.lang.is_chinese()).to_string();
    let title = ctx.t_args(
        "person-anonymise-title",
        &[("name", FluentValue::from(name.as_str()))],
    );
    let back = format!("/people/{}", person.id);
    let body = html! {
        h1 { (title) }
        div.warning {
            p { (ctx.t("person-anonymise-warning")) }
            ul {
                li { (ctx.t("person-anonymise-removes")) }
                li { (ctx.t("person-anonymise-accounts")) }
                li { (ctx.t("person-anonymise-keeps")) }
            }
            p { (ctx.t("person-anonymise-irreversible")) }
        }
        form method="post" action=(format!("/people/{}/anonymise", person.id)) {
            (csrf_input(&ctx))
            input type="hidden" name="version" value=(person.version);
            button.danger type="submit" { (ctx.t("person-anonymise-confirm")) }
            " "
            a.button.secondary href=(back) { (ctx.t("cancel")) }
        }
    };
    super::page(&ctx, &title, body)
}

/// `POST /people/{id}/anonymise` with the version the confirmation page showed.
pub async fn anonymise(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(id) = parse_path_id(&id) else {
        return not_found(&ctx);
    };
    let version = FormData::parse(&body)
        .get("version")
        .parse::<i64>()
        .unwrap_or(-1);
    match state
        .db
        .anonymise_person(&actor(&ctx), id, version, &placeholder(&ctx))
        .await
    {
        Ok(p) => redirect_with_flash(
            &ctx,
            &format!("/people/{}", p.id),
            "flash-person-anonymised",
        ),
        Err(StoreError::Conflict { .. }) => {
            super::error_page(&ctx, StatusCode::CONFLICT, "page-conflict")
        }
        Err(e) => store_error_page(&ctx, e),
    }
}

//! `POST /api/v1/auth/token` (C3): trade an e-mail and password for a bearer token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::{JsonFields, JsonObject};
use crate::auth::{new_secret, secret_hash, verify_against_dummy, verify_password, TOKEN_DAYS};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub async fn token(
    State(state): State<AppState>,
    ctx: crate::auth::Ctx,
    body: JsonObject,
) -> ApiResult<axum::response::Response> {
    let mut fields = JsonFields::new(body, &["email", "password", "name"]);
    let email: Option<String> = fields.take("email");
    let password: Option<String> = fields.take("password");
    let name: Option<String> = fields.take("name");
    fields.require("email", email.is_some());
    fields.require("password", password.is_some());
    fields.finish()?;
    let (email, password) = (email.expect("checked"), password.expect("checked"));
    if let Some(seconds) = crate::auth::sign_in_wait(&state.db, &email, ctx.client_ip).await? {
        tracing::warn!(email, ip = ?ctx.client_ip, "token refused: too many failures");
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many failed sign-ins; try again in {seconds} s"),
        )
        .into_response();
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, seconds.into());
        return Ok(response);
    }
    let account = state.db.user_for_login(&email).await?;
    let user = match account {
        Some((user, hash)) if verify_password(&password, &hash) => user,
        Some(_) => {
            crate::auth::sign_in_failed(&state.db, &email, ctx.client_ip).await?;
            return Err(bad_credentials());
        }
        None => {
            verify_against_dummy(&password);
            crate::auth::sign_in_failed(&state.db, &email, ctx.client_ip).await?;
            return Err(bad_credentials());
        }
    };
    crate::auth::sign_in_succeeded(&state.db, &email).await?;
    let token = format!("lsn_{}", new_secret());
    let expires = liaison_storage::format_time(
        time::OffsetDateTime::now_utc() + time::Duration::days(TOKEN_DAYS),
    );
    let name = name.unwrap_or_else(|| "api".to_string());
    state
        .db
        .create_api_token(user.id, &secret_hash(&token), &name, &expires)
        .await?;
    tracing::info!(user = %user.email, "issued API token");
    Ok((
        StatusCode::OK,
        Json(json!({"token": token, "expires_at": expires})),
    )
        .into_response())
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "wrong e-mail or password",
    )
}

//! `POST /api/v1/auth/token` (C3): trade an e-mail and password for a bearer token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::{JsonFields, JsonObject};
use crate::auth::{new_secret, secret_hash, verify_against_dummy, verify_password, TOKEN_DAYS};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub async fn token(
    State(state): State<AppState>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut fields = JsonFields::new(body, &["email", "password", "name"]);
    let email: Option<String> = fields.take("email");
    let password: Option<String> = fields.take("password");
    let name: Option<String> = fields.take("name");
    fields.require("email", email.is_some());
    fields.require("password", password.is_some());
    fields.finish()?;
    let (email, password) = (email.expect("checked"), password.expect("checked"));
    let account = state.db.user_for_login(&email).await?;
    let user = match account {
        Some((user, hash)) if verify_password(&password, &hash) => user,
        Some(_) => return Err(bad_credentials()),
        None => {
            verify_against_dummy(&password);
            return Err(bad_credentials());
        }
    };
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
    ))
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "wrong e-mail or password",
    )
}

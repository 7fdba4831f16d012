//! A user's own account: devices (sessions and JWT logins), sign out elsewhere, password.

use axum::{extract::State, http::StatusCode, routing::{get, post}, Json, Router};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use app::ssr::AppState;
use auth::{account::Device, AuthMode, Password};

use super::{
    extract::{ApiJson, Authenticated},
    Client,
};
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/devices", get(list))
        .route("/api/devices/revoke", post(revoke))
        .route("/api/devices/sign-out-others", post(sign_out_others))
        .route("/api/account/password", post(change_password))
}

#[derive(Serialize)]
pub(super) struct DeviceJson {
    mode: &'static str,
    id: String,
    created_at: String,
    last_used_at: String,
    user_agent: Option<String>,
    ip: Option<String>,
    current: bool,
}

impl From<Device> for DeviceJson {
    fn from(d: Device) -> Self {
        Self {
            mode: d.mode.as_str(),
            // A session is named by its fingerprint already; a family id is shortened the same way.
            id: d.id,
            created_at: d.created_at.format(&Rfc3339).unwrap_or_default(),
            last_used_at: d.last_used_at.format(&Rfc3339).unwrap_or_default(),
            user_agent: d.user_agent,
            ip: d.ip,
            current: d.current,
        }
    }
}

async fn list(State(state): State<AppState>, Authenticated(me): Authenticated) -> Result<Json<Vec<DeviceJson>>, ApiError> {
    Ok(Json(state.auth.devices(&me).await?.into_iter().map(DeviceJson::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    mode: String,
    id: String,
}

async fn revoke(
    State(state): State<AppState>,
    Authenticated(me): Authenticated,
    Client(client): Client,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<StatusCode, ApiError> {
    let mode = body.mode.parse::<AuthMode>().map_err(|e| ApiError::bad_request("invalid_mode", e))?;
    if state.auth.revoke_device(&me, mode, &body.id, &client).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no such device"))
    }
}

async fn sign_out_others(
    State(state): State<AppState>,
    Authenticated(me): Authenticated,
    Client(client): Client,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (sessions, families) = state.auth.sign_out_others(&me, &client).await?;
    Ok(Json(serde_json::json!({"sessions_ended": sessions, "families_revoked": families})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    Authenticated(me): Authenticated,
    Client(client): Client,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    let current = Password::parse_attempt(body.current_password).map_err(|e| ApiError::bad_request("invalid_password", e))?;
    let new = Password::parse_new(body.new_password).map_err(|e| ApiError::bad_request("invalid_new_password", e))?;
    state.auth.change_password(&me, &current, &new, &client).await.map_err(|e| match e {
        auth::AuthError::InvalidCredentials => ApiError::bad_request("wrong_password", "The current password is wrong."),
        other => other.into(),
    })?;
    Ok(StatusCode::NO_CONTENT)
}

//! The signed-in user's own account: devices and password.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRow {
    pub mode: String,
    /// A session's fingerprint, or a JWT login's family id: enough to revoke, useless to sign in.
    pub id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub current: bool,
}

/// The devices page lists at most this many: an account signed in from thousands of clients
/// (a script, a leak) must not make a page of thousands of rows that no browser can hydrate.
pub const DEVICES_SHOWN: usize = 50;

/// The most recently used devices (this browser always among them), and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceList {
    pub rows: Vec<DeviceRow>,
    pub total: usize,
}

#[server(prefix = "/sf", endpoint = "devices", output = crate::codec::Json)]
pub async fn my_devices() -> Result<DeviceList, AppError> {
    let me = crate::ssr::require_user()?;
    let devices = crate::ssr::state()?.auth.devices(&me).await?;
    let total = devices.len();
    // Newest first already; keep this browser's row even when it is not among the newest.
    let (current, others): (Vec<_>, Vec<_>) = devices.into_iter().partition(|d| d.current);
    let mut shown: Vec<_> = current.into_iter().chain(others).take(DEVICES_SHOWN).collect();
    shown.sort_by_key(|d| std::cmp::Reverse(d.last_used_at));
    let rows = shown
        .into_iter()
        .map(|d| DeviceRow {
            mode: d.mode.to_string(),
            id: d.id,
            created_at: d.created_at.unix_timestamp(),
            last_used_at: d.last_used_at.unix_timestamp(),
            user_agent: d.user_agent,
            ip: d.ip,
            current: d.current,
        })
        .collect();
    Ok(DeviceList { rows, total })
}

#[server(prefix = "/sf", endpoint = "revoke_device", output = crate::codec::Json)]
pub async fn revoke_device(mode: String, id: String) -> Result<(), AppError> {
    use crate::ssr::{client_info, fail, require_user, state};
    let me = require_user()?;
    let mode = mode.parse::<auth::AuthMode>().map_err(|e| fail(AppError::invalid("mode", e)))?;
    if state()?.auth.revoke_device(&me, mode, &id, &client_info()).await? {
        Ok(())
    } else {
        Err(fail(AppError::NotFound))
    }
}

#[server(prefix = "/sf", endpoint = "sign_out_others", output = crate::codec::Json)]
pub async fn sign_out_others() -> Result<String, AppError> {
    use crate::ssr::{client_info, require_user, state};
    let me = require_user()?;
    let (sessions, families) = state()?.auth.sign_out_others(&me, &client_info()).await?;
    Ok(format!("Ended {sessions} other session(s) and revoked {families} other JWT login(s)."))
}

#[server(prefix = "/sf", endpoint = "change_password", output = crate::codec::Json)]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::ssr::{client_info, fail, require_user, state};
    let me = require_user()?;
    let current = auth::Password::parse_attempt(current_password).map_err(|e| fail(AppError::invalid("current_password", e)))?;
    let new = auth::Password::parse_new(new_password).map_err(|e| fail(AppError::invalid("new_password", e)))?;
    match state()?.auth.change_password(&me, &current, &new, &client_info()).await {
        Ok(()) => Ok(()),
        Err(auth::AuthError::InvalidCredentials) => Err(fail(AppError::invalid("current_password", "The current password is wrong."))),
        Err(e) => Err(fail(e.into())),
    }
}

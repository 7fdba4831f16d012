//! Server functions: thin wrappers that read the request's principal, call the auth core and
//! map its errors. Each one checks authorization itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user as the browser may see it: no hash, no credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub mode: String,
    /// Unix seconds at which the credential stops being valid unless used.
    pub expires_at: i64,
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

#[cfg(feature = "ssr")]
impl From<&auth::Principal> for Viewer {
    fn from(p: &auth::Principal) -> Self {
        Self {
            id: p.user_id.0,
            email: p.email.to_string(),
            role: p.role.to_string(),
            mode: p.mode.to_string(),
            expires_at: p.expires_at.unix_timestamp(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

#[server(prefix = "/sf", endpoint = "me")]
pub async fn current_user() -> Result<Option<Viewer>, AppError> {
    Ok(crate::ssr::principal().as_ref().map(Viewer::from))
}

/// Returns where to go next. A plain form post (JavaScript off) gets a 302 there; the hydrated
/// app does a full page load there, so no state from before the login survives in memory.
#[server(prefix = "/sf", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<String, AppError> {
    use crate::ssr::{fail, redirect_plain_form, request_cookie, set_cookie, state};
    let email = auth::Email::parse(&email).map_err(|e| fail(AppError::invalid("email", e)))?;
    let password = auth::Password::parse_attempt(password).map_err(|e| fail(AppError::invalid("password", e)))?;
    let previous = request_cookie(auth::cookies::SESSION_COOKIE);
    let session = state()?
        .auth
        .login_session(&email, &password, previous.as_deref())
        .await
        .map_err(|e| fail(e.into()))?;
    tracing::info!(user = %session.principal.user_id, mode = "session", "login");
    set_cookie(session.cookie);
    let next = crate::next::safe_next(next.as_deref());
    redirect_plain_form(&next);
    Ok(next)
}

#[server(prefix = "/sf", endpoint = "register")]
pub async fn register(email: String, password: String) -> Result<(), AppError> {
    use crate::ssr::{fail, state};
    let email = auth::Email::parse(&email).map_err(|e| fail(AppError::invalid("email", e)))?;
    let password = auth::Password::parse_new(password).map_err(|e| fail(AppError::invalid("password", e)))?;
    state()?.auth.register(&email, &password).await.map_err(|e| fail(e.into()))?;
    leptos_axum::redirect(&format!("{}?registered=1", crate::paths::LOGIN));
    Ok(())
}

/// Deletes the session server side and clears the cookie; returns where to go (see `login`).
#[server(prefix = "/sf", endpoint = "logout")]
pub async fn logout() -> Result<String, AppError> {
    use crate::ssr::{redirect_plain_form, request_cookie, set_cookie, state};
    if let Some(raw) = request_cookie(auth::cookies::SESSION_COOKIE) {
        state()?.auth.logout_session(&raw).await?;
    }
    set_cookie(auth::cookies::session_removal_cookie());
    redirect_plain_form(crate::paths::HOME);
    Ok(crate::paths::HOME.to_owned())
}

#[server(prefix = "/sf", endpoint = "admin_users")]
pub async fn admin_users() -> Result<Vec<UserRow>, AppError> {
    use crate::ssr::{require_admin, state};
    require_admin()?;
    let users = state()?.auth.users().list(200).await?;
    Ok(users
        .into_iter()
        .map(|u| UserRow { id: u.id.0, email: u.email.to_string(), role: u.role.to_string(), created_at: u.created_at.unix_timestamp() })
        .collect())
}

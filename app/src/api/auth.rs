//! Signing in and out, the active mode, and who is signed in.

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

/// Everything the UI needs to know about this browser's authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthStatus {
    /// The active mode: the one the server honours for this browser.
    pub mode: String,
    pub enabled_modes: Vec<String>,
    /// JWT mode: whether access tokens are checked against revocations on every request.
    pub revocation_check: bool,
    /// Signed in under the active mode.
    pub viewer: Option<Viewer>,
}


/// The JWT-mode refresher's way to learn the new expiry after a refresh.
#[server(prefix = "/sf", endpoint = "status", output = crate::codec::Json)]
pub async fn get_auth_status() -> Result<AuthStatus, AppError> {
    auth_status()
}

/// This request's status, read from what the request-auth layer already resolved: no await, so
/// every page renders it in place (no loading state for who is signed in).
#[cfg(feature = "ssr")]
pub fn auth_status() -> Result<AuthStatus, AppError> {
    use crate::ssr::{active_mode, principal, state};
    let state = state()?;
    Ok(AuthStatus {
        mode: active_mode().to_string(),
        enabled_modes: state.modes.enabled.iter().map(ToString::to_string).collect(),
        revocation_check: state.auth.revocation_check(),
        viewer: principal().as_ref().map(Viewer::from),
    })
}

/// Switches this browser's active mode. Both modes' credentials can exist at once; from now on
/// the server honours only the chosen one's.
#[server(prefix = "/sf", endpoint = "set_mode", output = crate::codec::Json)]
pub async fn set_mode(mode: String) -> Result<String, AppError> {
    use crate::ssr::{client_info, fail, principal, set_cookie, state};
    let parsed = mode.parse::<auth::AuthMode>().map_err(|e| fail(AppError::invalid("mode", e)))?;
    let state = state()?;
    if !state.modes.is_enabled(parsed) {
        return Err(fail(AppError::invalid("mode", format!("{parsed} mode is disabled on this server"))));
    }
    set_cookie(auth::cookies::mode_cookie(parsed));
    state.auth.record_mode_switch(principal().as_ref(), parsed, &client_info()).await;
    tracing::info!(mode = %parsed, "mode switch");
    Ok(parsed.to_string())
}

/// A protected call the dashboard makes on demand, to show that server functions check the
/// credential themselves (and that JWT mode refreshes transparently when it has expired).
#[server(prefix = "/sf", endpoint = "whoami", output = crate::codec::Json)]
pub async fn whoami() -> Result<String, AppError> {
    let p = crate::ssr::require_user()?;
    Ok(format!("The server verified your {} credential: you are {} ({}).", p.mode, p.email, p.role))
}

/// Returns where to go next. A plain form post (JavaScript off) gets a 302 there; the hydrated
/// app does a full page load there, so no state from before the login survives in memory.
#[server(prefix = "/sf", endpoint = "login", output = crate::codec::Json)]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<String, AppError> {
    use crate::ssr::{active_mode, client_info, fail, redirect_plain_form, request_cookie, set_cookie, state};
    let email = auth::Email::parse(&email).map_err(|e| fail(AppError::invalid("email", e)))?;
    let password = auth::Password::parse_attempt(password).map_err(|e| fail(AppError::invalid("password", e)))?;
    let auth = state()?.auth;
    match active_mode() {
        auth::AuthMode::Session => {
            let previous = request_cookie(auth::cookies::SESSION_COOKIE);
            let session = auth.login_session(&email, &password, previous.as_deref(), &client_info()).await.map_err(|e| fail(e.into()))?;
            tracing::info!(user = %session.principal.user_id, mode = "session", "login");
            set_cookie(session.cookie);
        }
        auth::AuthMode::Jwt => {
            let grant = auth.login_jwt(&email, &password, &client_info()).await.map_err(|e| fail(e.into()))?;
            tracing::info!(user = %grant.principal.user_id, mode = "jwt", "login");
            for c in grant.cookies(auth.now()) {
                set_cookie(c);
            }
        }
    }
    let next = crate::next::safe_next(next.as_deref());
    redirect_plain_form(&next);
    Ok(next)
}

#[server(prefix = "/sf", endpoint = "register", output = crate::codec::Json)]
pub async fn register(email: String, password: String) -> Result<(), AppError> {
    use crate::ssr::{fail, state};
    let email = auth::Email::parse(&email).map_err(|e| fail(AppError::invalid("email", e)))?;
    let password = auth::Password::parse_new(password).map_err(|e| fail(AppError::invalid("password", e)))?;
    state()?.auth.register(&email, &password).await.map_err(|e| fail(e.into()))?;
    leptos_axum::redirect(&format!("{}?registered=1", crate::paths::LOGIN));
    Ok(())
}

/// Ends the active mode's credential server side (deletes the session, or revokes the JWT
/// login) and clears its cookies; returns where to go (see `login`). Mounted under `/api/auth`
/// so that it receives JWT mode's path-scoped refresh cookie.
#[server(prefix = "/api/auth", endpoint = "logout_form", output = crate::codec::Json)]
pub async fn logout() -> Result<String, AppError> {
    use crate::ssr::{active_mode, client_info, redirect_plain_form, request_cookie, set_cookie, state};
    use auth::cookies;
    let auth = state()?.auth;
    match active_mode() {
        auth::AuthMode::Session => {
            if let Some(raw) = request_cookie(cookies::SESSION_COOKIE) {
                auth.logout_session(&raw, &client_info()).await?;
            }
            set_cookie(cookies::session_removal_cookie());
        }
        auth::AuthMode::Jwt => {
            let access = request_cookie(cookies::ACCESS_COOKIE);
            let refresh = request_cookie(cookies::REFRESH_COOKIE);
            auth.logout_jwt(access.as_deref(), refresh.as_deref(), &client_info()).await?;
            for c in cookies::jwt_removal_cookies() {
                set_cookie(c);
            }
        }
    }
    redirect_plain_form(crate::paths::HOME);
    Ok(crate::paths::HOME.to_owned())
}

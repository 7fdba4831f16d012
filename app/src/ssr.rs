//! Server-only glue for the server functions and SSR: state, the request's principal, cookies.

use auth::{ActiveMode, AuthError, AuthMode, AuthService, ModePolicy, Principal, Resolution};
use axum::extract::FromRef;
use http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// Shared by the axum router and every server function (leptos_axum provides it as context).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub auth: AuthService,
    pub modes: ModePolicy,
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// What the request-auth layer resolved for this request. Absent only outside a request
/// (a bug), which we treat as anonymous: never as signed in.
pub fn resolution() -> Resolution {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<Resolution>().cloned())
        .unwrap_or(Resolution::Anonymous)
}

/// The mode this request was resolved under (the browser's choice, or the default).
pub fn active_mode() -> AuthMode {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<ActiveMode>().copied())
        .map_or(AuthMode::Session, |m| m.mode)
}

/// How long the request-auth layer took to resolve this request's credential.
pub fn resolve_timing() -> std::time::Duration {
    use_context::<Parts>().and_then(|p| p.extensions.get::<auth::ResolveTiming>().copied()).map_or_else(Default::default, |t| t.0)
}

pub fn principal() -> Option<Principal> {
    match resolution() {
        Resolution::Authenticated(p) => Some(p),
        _ => None,
    }
}

/// Every server function that shows or changes private data starts here: the UI guard is a
/// convenience, this is the check.
pub fn require_user() -> Result<Principal, AppError> {
    principal().ok_or_else(|| fail(AppError::Unauthorized))
}

pub fn require_admin() -> Result<Principal, AppError> {
    let p = require_user()?;
    if p.is_admin() {
        Ok(p)
    } else {
        Err(fail(AppError::Forbidden))
    }
}

/// The raw value of a request cookie.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    auth::cookies::from_headers(&parts.headers, name).map(str::to_owned)
}

/// What the browser sent as `User-Agent` and where it came from, for the devices list.
pub fn client_info() -> auth::ClientInfo {
    let parts = use_context::<Parts>();
    auth::ClientInfo {
        user_agent: parts
            .as_ref()
            .and_then(|p| p.headers.get(header::USER_AGENT))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: parts.as_ref().and_then(|p| p.extensions.get::<auth::ClientIp>()).map(|c| c.0.to_string()),
    }
}

pub fn set_cookie(cookie: cookie::Cookie<'static>) {
    if let (Some(res), Ok(v)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&cookie.to_string())) {
        res.append_header(header::SET_COOKIE, v);
        // A response that sets or clears a credential must never be stored by a cache.
        res.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

pub fn set_status(status: StatusCode) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(status);
    }
}

/// A plain HTML form post (JavaScript off) wants the redirect that leptos_axum makes back to the
/// form, so its status must stay 302; a fetch from the hydrated app gets the real status.
fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| p.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Redirects a plain form post (JavaScript off). The hydrated app navigates by itself.
pub fn redirect_plain_form(to: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(to);
    }
}

/// Sets the HTTP status that matches the error, then hands the error back.
pub fn fail(e: AppError) -> AppError {
    if !is_plain_form_post() {
        set_status(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    }
    e
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => AppError::InvalidCredentials,
            AuthError::AccountDisabled => AppError::AccountDisabled,
            AuthError::Forbidden => AppError::Forbidden,
            AuthError::UnknownUser => AppError::NotFound,
            AuthError::Throttled { retry_after } => {
                let retry_after_secs = auth::throttle::retry_after_secs(retry_after);
                if let Some(res) = use_context::<ResponseOptions>() {
                    res.insert_header(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                }
                AppError::TooManyRequests { retry_after_secs }
            }
            other => {
                tracing::error!(error = %other, "auth failure");
                AppError::Internal
            }
        }
    }
}

impl From<auth::StoreError> for AppError {
    fn from(e: auth::StoreError) -> Self {
        tracing::error!(error = %e, "store failure");
        AppError::Internal
    }
}

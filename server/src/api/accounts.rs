//! Register, log in (either mode), log out, and who am I.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use app::ssr::AppState;
use auth::{cookies, ActiveMode, AuthMode, Principal, Resolution};

use super::{
    append_cookie, Client,
    extract::{optional_json, ApiJson},
    presented,
};
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/me", get(me))
}

/// The credentials body, parsed by the auth core (and fuzzed there).
pub(super) use auth::input::Credentials;

#[derive(Serialize)]
pub(super) struct Me {
    id: i64,
    email: String,
    role: &'static str,
    mode: &'static str,
    expires_at: String,
}

impl From<&Principal> for Me {
    fn from(p: &Principal) -> Self {
        Me {
            id: p.user_id.0,
            email: p.email.to_string(),
            role: p.role.as_str(),
            mode: p.mode.as_str(),
            expires_at: p.expires_at.format(&Rfc3339).unwrap_or_default(),
        }
    }
}

/// 201 whether or not the email was already registered: the answer must not reveal accounts.
async fn register(State(state): State<AppState>, ApiJson(body): ApiJson<Credentials>) -> Result<Response, ApiError> {
    if body.mode.is_some() {
        return Err(ApiError::bad_request("invalid_body", "`mode` applies to login, not registration"));
    }
    let (email, password) = body.parse(true)?;
    state.auth.register(&email, &password).await?;
    Ok((StatusCode::CREATED, Json(json!({"message": "Registration received. Sign in with your email and password."}))).into_response())
}

/// Signs in under the requested mode (default: the browser's active mode) and makes that mode
/// the browser's active one. The other mode's credential, if any, is left alone.
async fn login(
    State(state): State<AppState>,
    Extension(active): Extension<ActiveMode>,
    Client(client): Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let mode = match body.mode.as_deref() {
        None => active.mode,
        Some(m) => m.parse::<AuthMode>().map_err(|e| ApiError::bad_request("invalid_mode", e))?,
    };
    if !state.modes.is_enabled(mode) {
        return Err(ApiError::bad_request("mode_disabled", format!("{mode} mode is disabled on this server")));
    }
    let (email, password) = body.parse(false)?;
    let mut res;
    match mode {
        AuthMode::Session => {
            let previous = presented(&headers, cookies::SESSION_COOKIE);
            let session = state.auth.login_session(&email, &password, previous.as_deref(), &client).await?;
            tracing::info!(user = %session.principal.user_id, mode = "session", "login");
            res = Json(Me::from(&session.principal)).into_response();
            append_cookie(&mut res, &session.cookie);
        }
        AuthMode::Jwt => {
            let grant = state.auth.login_jwt(&email, &password, &client).await?;
            tracing::info!(user = %grant.principal.user_id, mode = "jwt", "login");
            res = Json(Me::from(&grant.principal)).into_response();
            for c in grant.cookies(state.auth.now()) {
                append_cookie(&mut res, &c);
            }
        }
    }
    append_cookie(&mut res, &cookies::mode_cookie(mode));
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LogoutBody {
    /// API clients: the refresh token to revoke (its whole family).
    #[serde(default)]
    refresh_token: Option<String>,
}

/// Always 204: ends the credential of the request's mode (the session, or the JWT login behind
/// the presented tokens) and clears its cookies. Idempotent.
async fn logout(
    State(state): State<AppState>,
    Extension(active): Extension<ActiveMode>,
    Client(client): Client,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: LogoutBody = optional_json(&headers, &body)?.unwrap_or_default();
    let mut res = StatusCode::NO_CONTENT.into_response();
    match active.mode {
        AuthMode::Session => {
            if let Some(raw) = presented(&headers, cookies::SESSION_COOKIE) {
                state.auth.logout_session(&raw, &client).await?;
            }
            append_cookie(&mut res, &cookies::session_removal_cookie());
        }
        AuthMode::Jwt => {
            let access = super::bearer_or_cookie(&headers, active);
            let refresh = body.refresh_token.or_else(|| presented(&headers, cookies::REFRESH_COOKIE));
            state.auth.logout_jwt(access.as_deref(), refresh.as_deref(), &client).await?;
            if !active.bearer {
                for c in cookies::jwt_removal_cookies() {
                    append_cookie(&mut res, &c);
                }
            }
        }
    }
    Ok(res)
}

async fn me(Extension(resolution): Extension<Resolution>) -> Result<Json<Me>, ApiError> {
    match resolution {
        Resolution::Authenticated(p) => Ok(Json(Me::from(&p))),
        Resolution::Anonymous => Err(ApiError::unauthorized("unauthenticated", "Sign in first.")),
        Resolution::Rejected(r) => Err(ApiError::unauthorized(r.code(), r.message())),
    }
}

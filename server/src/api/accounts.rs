//! Register, log in, log out, and who am I.

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use app::ssr::AppState;
use auth::{cookies, AuthMode, Email, Password, Principal, Rejection, Resolution};

use super::extract::ApiJson;
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/me", get(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
    /// Which mechanism to sign in with; only `session` exists so far.
    #[serde(default)]
    mode: Option<String>,
}

#[derive(Serialize)]
struct Me {
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

fn parse_email(raw: &str) -> Result<Email, ApiError> {
    Email::parse(raw).map_err(|e| ApiError::bad_request("invalid_email", e))
}

/// 201 whether or not the email was already registered: the answer must not reveal accounts.
async fn register(State(state): State<AppState>, ApiJson(body): ApiJson<Credentials>) -> Result<Response, ApiError> {
    if body.mode.is_some() {
        return Err(ApiError::bad_request("invalid_body", "`mode` applies to login, not registration"));
    }
    let email = parse_email(&body.email)?;
    let password = Password::parse_new(body.password).map_err(|e| ApiError::bad_request("invalid_password", e))?;
    state.auth.register(&email, &password).await?;
    Ok((StatusCode::CREATED, Json(json!({"message": "Registration received. Sign in with your email and password."}))).into_response())
}

async fn login(State(state): State<AppState>, headers: HeaderMap, ApiJson(body): ApiJson<Credentials>) -> Result<Response, ApiError> {
    let mode = match body.mode.as_deref() {
        None => AuthMode::Session,
        Some(m) => m.parse::<AuthMode>().map_err(|e| ApiError::bad_request("invalid_mode", e))?,
    };
    let email = parse_email(&body.email)?;
    let password = Password::parse_attempt(body.password).map_err(|e| ApiError::bad_request("invalid_password", e))?;
    match mode {
        AuthMode::Session => {
            let previous = presented_session(&headers);
            let session = state.auth.login_session(&email, &password, previous.as_deref()).await?;
            tracing::info!(user = %session.principal.user_id, mode = "session", "login");
            let mut res = Json(Me::from(&session.principal)).into_response();
            append_cookie(&mut res, &session.cookie);
            Ok(res)
        }
    }
}

/// Always 204 and always clears the cookie, signed in or not: logging out is idempotent.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(raw) = presented_session(&headers) {
        state.auth.logout_session(&raw).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    append_cookie(&mut res, &cookies::session_removal_cookie());
    Ok(res)
}

async fn me(Extension(resolution): Extension<Resolution>) -> Result<Json<Me>, ApiError> {
    match resolution {
        Resolution::Authenticated(p) => Ok(Json(Me::from(&p))),
        Resolution::Anonymous => Err(ApiError::unauthorized("unauthenticated", "Sign in first.")),
        Resolution::Rejected(Rejection::Malformed) => Err(ApiError::unauthorized("invalid_session", Rejection::Malformed.message())),
        Resolution::Rejected(r) => Err(ApiError::unauthorized("session_expired", r.message())),
    }
}

fn presented_session(headers: &HeaderMap) -> Option<String> {
    cookies::from_headers(headers, cookies::SESSION_COOKIE).map(str::to_owned)
}

fn append_cookie(res: &mut Response, cookie: &cookie::Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

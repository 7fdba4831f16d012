//! JWT mode endpoints: tokens for API clients, refresh (cookie or body), and the public keys.

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;

use app::ssr::AppState;
use auth::{cookies, AuthMode, JwtGrant, RefreshError};

use super::{
    accounts::Credentials,
    append_cookie, Client,
    extract::{optional_json, ApiJson},
    presented,
};
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/token", post(token))
        .route("/api/auth/refresh", post(refresh).get(refresh_and_return))
        .route("/.well-known/jwks.json", get(jwks))
}

fn token_body(grant: &JwtGrant, now: time::OffsetDateTime) -> serde_json::Value {
    json!({
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token.expose(),
        "token_type": "Bearer",
        "expires_in": grant.access_max_age(now),
    })
}

/// API clients: credentials in, tokens in the body out. No cookies.
async fn token(State(state): State<AppState>, Client(client): Client, ApiJson(body): ApiJson<Credentials>) -> Result<Response, ApiError> {
    if !state.modes.is_enabled(AuthMode::Jwt) {
        return Err(ApiError::bad_request("mode_disabled", "jwt mode is disabled on this server"));
    }
    if body.mode.is_some() {
        return Err(ApiError::bad_request("invalid_body", "`mode` does not apply here: tokens are always JWT mode"));
    }
    let (email, password) = body.parse(false)?;
    let grant = state.auth.login_jwt(&email, &password, &client).await?;
    tracing::info!(user = %grant.principal.user_id, mode = "jwt", "token issued");
    Ok(no_store(Json(token_body(&grant, state.auth.now())).into_response()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

fn refresh_error(e: RefreshError) -> ApiError {
    let code = match e {
        RefreshError::Reused => "refresh_reused",
        RefreshError::Expired => "refresh_expired",
        RefreshError::Revoked => "refresh_revoked",
        RefreshError::Unknown => "invalid_refresh_token",
    };
    ApiError::unauthorized(code, e)
}

/// Rotates the refresh token. The answer goes back the way the token came: a JSON body
/// `{refresh_token}` gets tokens in the body; the cookie gets new cookies.
async fn refresh(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let now = state.auth.now();
    if let Some(body) = optional_json::<RefreshBody>(&headers, &body)? {
        let grant = state.auth.refresh_jwt(&body.refresh_token).await?.map_err(refresh_error)?;
        return Ok(no_store(Json(token_body(&grant, now)).into_response()));
    }
    let Some(raw) = presented(&headers, cookies::REFRESH_COOKIE) else {
        return Err(ApiError::unauthorized("invalid_refresh_token", "no refresh token: send the cookie or {\"refresh_token\": ...}"));
    };
    match state.auth.refresh_jwt(&raw).await? {
        Ok(grant) => {
            let mut res = Json(json!({"expires_at": grant.access_claims.exp, "expires_in": grant.access_max_age(now)})).into_response();
            for c in grant.cookies(now) {
                append_cookie(&mut res, &c);
            }
            Ok(res)
        }
        Err(e) => {
            let mut res = refresh_error(e).into_response();
            for c in cookies::jwt_removal_cookies() {
                append_cookie(&mut res, &c);
            }
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// For full page loads in JWT mode whose access token expired: rotate, then go back to the
/// page. On failure the JWT cookies are cleared and the page then renders signed out (and a
/// protected page sends the visitor to login); no loop, because the hint cookie is gone.
async fn refresh_and_return(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Result<Response, ApiError> {
    let next = app::next::safe_next(q.next.as_deref());
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&next) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    let now = state.auth.now();
    let outcome = match presented(&headers, cookies::REFRESH_COOKIE) {
        Some(raw) => state.auth.refresh_jwt(&raw).await?,
        None => Err(RefreshError::Unknown),
    };
    match outcome {
        Ok(grant) => grant.cookies(now).iter().for_each(|c| append_cookie(&mut res, c)),
        Err(e) => {
            tracing::info!(reason = %e, "page-load refresh failed");
            cookies::jwt_removal_cookies().iter().for_each(|c| append_cookie(&mut res, c));
        }
    }
    Ok(no_store(res))
}

async fn jwks(State(state): State<AppState>) -> Response {
    let mut res = Json(state.auth.jwks()).into_response();
    // Short: a rotation must reach verifiers quickly.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    res
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

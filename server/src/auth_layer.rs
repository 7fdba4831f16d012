//! The request-auth layer: resolves every request's principal once, before any page renders or
//! any handler or server function runs, and leaves it in the request's extensions.
//!
//! Downstream code reads `Resolution` (and `ActiveMode`) from the request and never looks at
//! cookies to decide access. The server honours only the credential of the browser's active
//! mode; an API client's `Authorization: Bearer` token is honoured on `/api/*`. A credential
//! that is present but invalid resolves to `Rejected` (not anonymous), so the API can say why,
//! and a dead cookie is cleared on the way out.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::ssr::AppState;
use auth::{cookies, ActiveMode, AuthMode, RejectReason, Resolution};

use crate::error::ApiError;

/// Browsers cap a cookie at 4 KiB; all of ours together are far below that.
pub const MAX_COOKIE_HEADER_BYTES: usize = 8 * 1024;

pub async fn resolve_principal(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    // Static assets carry the cookies too but need no principal: skip the lookup.
    if path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    let cookie_bytes: usize = req.headers().get_all(header::COOKIE).iter().map(|v| v.len()).sum();
    if cookie_bytes > MAX_COOKIE_HEADER_BYTES {
        return ApiError::HeadersTooLarge.into_response();
    }

    let headers = req.headers();
    let bearer = if path.starts_with("/api/") { bearer_token(headers) } else { None };
    let active = match bearer {
        Some(_) => ActiveMode { mode: AuthMode::Jwt, bearer: true },
        None => ActiveMode { mode: state.modes.active(cookies::from_headers(headers, cookies::MODE_COOKIE)), bearer: false },
    };
    let started = std::time::Instant::now();
    let resolved = match (bearer, active.mode) {
        (Some(token), _) => state.auth.resolve_access(token).await,
        (None, AuthMode::Session) => match cookies::from_headers(headers, cookies::SESSION_COOKIE) {
            Some(raw) => state.auth.resolve_session(raw).await,
            None => Ok(Resolution::Anonymous),
        },
        (None, AuthMode::Jwt) => match cookies::from_headers(headers, cookies::ACCESS_COOKIE) {
            Some(raw) => state.auth.resolve_access(raw).await,
            None => Ok(Resolution::Anonymous),
        },
    };
    let timing = auth::ResolveTiming(started.elapsed());
    let resolution = match resolved {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };

    // JWT mode, a page load, no live access token, but a refresh cookie probably exists: take a
    // detour through the refresh endpoint (which alone receives that cookie) and come back.
    if !active.bearer && active.mode == AuthMode::Jwt && wants_refresh_detour(&req, &resolution) {
        let here = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        let to = app::paths::with_next(app::paths::REFRESH, here);
        return redirect(&to);
    }

    let stale = match &resolution {
        Resolution::Rejected(r) => !(r.mode == AuthMode::Jwt && r.reason == RejectReason::Expired),
        _ => false,
    };
    let private = !matches!(resolution, Resolution::Anonymous);
    req.extensions_mut().insert(active);
    req.extensions_mut().insert(resolution);
    req.extensions_mut().insert(timing);

    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if stale && !active.bearer {
        clear_dead_credential(headers, active.mode);
    }
    if private || stale {
        // Whatever a signed-in user sees is theirs alone: no cache, shared or private, keeps it,
        // so neither a reload nor the back button can show it after logout.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.append(header::VARY, HeaderValue::from_static("Cookie"));
    res
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn wants_refresh_detour(req: &Request, resolution: &Resolution) -> bool {
    let h = req.headers();
    let path = req.uri().path();
    let navigation = req.method() == Method::GET
        && h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
        && !path.starts_with("/api/")
        && !path.starts_with("/sf/");
    // A navigation from another site does not carry the SameSite=Strict refresh cookie, so the
    // detour could not succeed; the page renders signed out and the app refreshes in place.
    let cross_site = h.get("sec-fetch-site").is_some_and(|v| v == "cross-site");
    let no_live_token = match resolution {
        Resolution::Anonymous => true,
        Resolution::Rejected(r) => r.reason == RejectReason::Expired,
        Resolution::Authenticated(_) => false,
    };
    navigation && !cross_site && no_live_token && cookies::from_headers(h, cookies::JWT_HINT_COOKIE).is_some()
}

fn redirect(to: &str) -> Response {
    let mut res = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Appends removal cookies for the mode's credential unless the response sets a new one.
fn clear_dead_credential(headers: &mut HeaderMap, mode: AuthMode) {
    let (name, removals) = match mode {
        AuthMode::Session => (cookies::SESSION_COOKIE, vec![cookies::session_removal_cookie()]),
        AuthMode::Jwt => (cookies::ACCESS_COOKIE, cookies::jwt_removal_cookies().to_vec()),
    };
    let sets_new = headers.get_all(header::SET_COOKIE).iter().any(|v| v.as_bytes().starts_with(name.as_bytes()));
    if sets_new {
        return;
    }
    for c in removals {
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            headers.append(header::SET_COOKIE, v);
        }
    }
}

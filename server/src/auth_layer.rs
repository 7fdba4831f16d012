//! The request-auth layer: resolves every request's principal once, before any page renders or
//! any handler or server function runs, and leaves it in the request's extensions.
//!
//! Downstream code reads `Resolution` from the request and never looks at cookies to decide
//! access. A credential that is present but invalid resolves to `Rejected` (not anonymous), so
//! the API can say why, and the stale cookie is cleared on the way out.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::ssr::AppState;
use auth::{cookies, Resolution};

use crate::error::ApiError;

/// Browsers cap a cookie at 4 KiB; all of ours together are far below that.
pub const MAX_COOKIE_HEADER_BYTES: usize = 8 * 1024;

pub async fn resolve_principal(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Static assets carry the cookie too but need no principal: skip the lookup.
    if req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let cookie_bytes: usize = req.headers().get_all(header::COOKIE).iter().map(|v| v.len()).sum();
    if cookie_bytes > MAX_COOKIE_HEADER_BYTES {
        return ApiError::HeadersTooLarge.into_response();
    }
    let resolution = match cookies::from_headers(req.headers(), cookies::SESSION_COOKIE) {
        None => Resolution::Anonymous,
        Some(raw) => match state.auth.resolve_session(raw).await {
            Ok(r) => r,
            Err(e) => return ApiError::from(e).into_response(),
        },
    };
    let stale = matches!(resolution, Resolution::Rejected(_));
    let private = !matches!(resolution, Resolution::Anonymous);
    req.extensions_mut().insert(resolution);

    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let sets_session = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(cookies::SESSION_COOKIE.as_bytes()));
    if stale && !sets_session {
        if let Ok(v) = HeaderValue::from_str(&cookies::session_removal_cookie().to_string()) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    if private || stale {
        // Whatever a signed-in user sees is theirs alone: no cache, shared or private, keeps it,
        // so neither a reload nor the back button can show it after logout.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.append(header::VARY, HeaderValue::from_static("Cookie"));
    res
}

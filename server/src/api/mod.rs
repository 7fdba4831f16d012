//! The JSON API for non-Leptos clients and tests. A stable contract: see README.

mod accounts;
mod admin;
mod devices;
mod extract;
mod health;
mod tokens;

use axum::{
    extract::DefaultBodyLimit,
    http::{header, HeaderMap, HeaderValue},
    response::Response,
    Router,
};
use app::ssr::AppState;
use auth::{cookies, ActiveMode};

/// JSON bodies here are a few hundred bytes; anything near this is abuse.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(accounts::router())
        .merge(tokens::router())
        .merge(devices::router())
        .merge(admin::router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(health::router())
}

/// The raw value of a request cookie.
fn presented(headers: &HeaderMap, name: &str) -> Option<String> {
    cookies::from_headers(headers, name).map(str::to_owned)
}

/// The access token the request authenticated with: the Bearer header, or the cookie.
fn bearer_or_cookie(headers: &HeaderMap, active: ActiveMode) -> Option<String> {
    if active.bearer {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .map(|(_, t)| t.trim().to_owned())
    } else {
        presented(headers, cookies::ACCESS_COOKIE)
    }
}

/// The caller's user agent and address, for the devices list and the audit log.
pub(crate) struct Client(pub auth::ClientInfo);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(auth::ClientInfo {
            user_agent: parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
            ip: parts.extensions.get::<auth::ClientIp>().map(|c| c.0.to_string()),
        }))
    }
}

fn append_cookie(res: &mut Response, cookie: &cookie::Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

//! The JSON API for non-Leptos clients and tests. A stable contract: see README.

mod accounts;
mod extract;
mod health;

use axum::{extract::DefaultBodyLimit, Router};
use app::ssr::AppState;

/// JSON bodies here are a few hundred bytes; anything near this is abuse.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(accounts::router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(health::router())
}

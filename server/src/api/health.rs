//! `/healthz`: the process answers. `/readyz`: it can serve, because the database and (when
//! sessions live there) Redis answer. A load balancer routes on the second; a supervisor that
//! restarts dead processes watches the first.

use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use serde_json::{json, Value};

use app::ssr::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (database, sessions) = tokio::join!(state.auth.ping(), state.auth.ping_session_store());
    let word = |r: &Result<(), auth::StoreError>, what: &str| match r {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "readiness: {what} unreachable");
            "unreachable"
        }
    };
    let body = json!({
        "status": if database.is_ok() && sessions.is_ok() { "ok" } else { "unavailable" },
        "database": word(&database, "database"),
        "session_store": word(&sessions, "session store"),
    });
    let status = if database.is_ok() && sessions.is_ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}

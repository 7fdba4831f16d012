use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use serde_json::{json, Value};

use app::ssr::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// Up when the process answers and its database does.
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.auth.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok", "database": "ok"}))),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database down");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "database": "unreachable"})))
        }
    }
}

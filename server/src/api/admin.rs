//! Admin endpoints: users with their sessions and logins, role changes, disabling, forced
//! logout, and the audit log. Each checks the admin role itself.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use app::ssr::AppState;
use auth::{audit, Role, UserId};

use super::{
    extract::{ApiJson, Authenticated},
    Client,
};
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/users", get(users))
        .route("/api/admin/users/{id}/role", post(set_role))
        .route("/api/admin/users/{id}/disable", post(disable))
        .route("/api/admin/users/{id}/enable", post(enable))
        .route("/api/admin/users/{id}/force-logout", post(force_logout))
        .route("/api/admin/audit", get(audit_log))
}

#[derive(Serialize)]
struct UserJson {
    id: i64,
    email: String,
    role: &'static str,
    disabled: bool,
    sessions: usize,
    token_families: usize,
}

async fn users(State(state): State<AppState>, Authenticated(me): Authenticated) -> Result<Json<Vec<UserJson>>, ApiError> {
    let rows = state.auth.user_overview(&me).await?;
    Ok(Json(
        rows.into_iter()
            .map(|o| UserJson {
                id: o.user.id.0,
                email: o.user.email.to_string(),
                role: o.user.role.as_str(),
                disabled: o.user.disabled,
                sessions: o.sessions,
                token_families: o.families,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBody {
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    Authenticated(me): Authenticated,
    Client(client): Client,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<StatusCode, ApiError> {
    let role = body.role.parse::<Role>().map_err(|e| ApiError::bad_request("invalid_role", e))?;
    state.auth.set_role(&me, UserId(id), role, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn disable(State(state): State<AppState>, Authenticated(me): Authenticated, Client(client): Client, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    state.auth.set_disabled(&me, UserId(id), true, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn enable(State(state): State<AppState>, Authenticated(me): Authenticated, Client(client): Client, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    state.auth.set_disabled(&me, UserId(id), false, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn force_logout(
    State(state): State<AppState>,
    Authenticated(me): Authenticated,
    Client(client): Client,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (sessions, families) = state.auth.force_logout(&me, UserId(id), &client).await?;
    Ok(Json(serde_json::json!({"sessions_ended": sessions, "families_revoked": families})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    event: Option<String>,
    user_id: Option<i64>,
    email: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct AuditJson {
    at: String,
    event: String,
    user_id: Option<i64>,
    email: Option<String>,
    mode: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    detail: Option<String>,
}

async fn audit_log(State(state): State<AppState>, Authenticated(me): Authenticated, Query(q): Query<AuditQuery>) -> Result<Json<Vec<AuditJson>>, ApiError> {
    let event = match q.event.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => Some(audit::Event::parse(e).ok_or_else(|| ApiError::bad_request("invalid_event", format!("unknown event {e:?}")))?),
        None => None,
    };
    let filter = audit::Filter { event, user_id: q.user_id.map(UserId), email_contains: q.email, limit: q.limit.unwrap_or(100) };
    let rows = state.auth.audit_log(&me, &filter).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditJson {
                at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.at) * 1_000_000)
                    .ok()
                    .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                    .unwrap_or_default(),
                event: r.event,
                user_id: r.user_id,
                email: r.email,
                mode: r.mode,
                ip: r.ip,
                user_agent: r.user_agent,
                detail: r.detail,
            })
            .collect(),
    ))
}

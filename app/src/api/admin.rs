//! Admin server functions. Each refuses anyone who is not an admin, whatever the UI showed.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub sessions: usize,
    pub families: usize,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at_ms: i64,
    pub event: String,
    pub email: Option<String>,
    pub mode: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

#[server(prefix = "/sf", endpoint = "admin_users", output = crate::codec::Json)]
pub async fn admin_users() -> Result<Vec<UserRow>, AppError> {
    use crate::ssr::{require_admin, state};
    let admin = require_admin()?;
    let rows = state()?.auth.user_overview(&admin).await?;
    Ok(rows
        .into_iter()
        .map(|o| UserRow {
            id: o.user.id.0,
            email: o.user.email.to_string(),
            role: o.user.role.to_string(),
            disabled: o.user.disabled,
            sessions: o.sessions,
            families: o.families,
            created_at: o.user.created_at.unix_timestamp(),
        })
        .collect())
}

/// `action` is one of `make_admin`, `make_user`, `disable`, `enable`, `force_logout`.
#[server(prefix = "/sf", endpoint = "admin_act", output = crate::codec::Json)]
pub async fn admin_act(user_id: i64, action: String) -> Result<String, AppError> {
    use crate::ssr::{client_info, fail, require_admin, state};
    let admin = require_admin()?;
    let auth = state()?.auth;
    let target = auth::UserId(user_id);
    let client = client_info();
    let r = match action.as_str() {
        "make_admin" => auth.set_role(&admin, target, auth::Role::Admin, &client).await.map(|_| "Role changed to admin.".to_owned()),
        "make_user" => auth.set_role(&admin, target, auth::Role::User, &client).await.map(|_| "Role changed to user.".to_owned()),
        "disable" => auth.set_disabled(&admin, target, true, &client).await.map(|_| "Account disabled and signed out.".to_owned()),
        "enable" => auth.set_disabled(&admin, target, false, &client).await.map(|_| "Account enabled.".to_owned()),
        "force_logout" => auth
            .force_logout(&admin, target, &client)
            .await
            .map(|(s, f)| format!("Ended {s} session(s) and revoked {f} JWT login(s).")),
        other => return Err(fail(AppError::invalid("action", format!("unknown action {other:?}")))),
    };
    r.map_err(|e| fail(e.into()))
}

#[server(prefix = "/sf", endpoint = "audit", output = crate::codec::Json)]
pub async fn audit_entries(event: Option<String>, email: Option<String>) -> Result<Vec<AuditRow>, AppError> {
    use crate::ssr::{fail, require_admin, state};
    let admin = require_admin()?;
    let event = match event.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => Some(auth::audit::Event::parse(e).ok_or_else(|| fail(AppError::invalid("event", format!("unknown event {e:?}"))))?),
        None => None,
    };
    let filter = auth::audit::Filter { event, user_id: None, email_contains: email, limit: 200 };
    let rows = state()?.auth.audit_log(&admin, &filter).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditRow { at_ms: r.at, event: r.event, email: r.email, mode: r.mode, ip: r.ip, user_agent: r.user_agent, detail: r.detail })
        .collect())
}

/// The event names, for the audit filter.
pub const AUDIT_EVENTS: [&str; 13] = [
    "registered",
    "login_succeeded",
    "login_failed",
    "logout",
    "refresh",
    "reuse_detected",
    "revoked",
    "role_changed",
    "account_disabled",
    "account_enabled",
    "password_changed",
    "mode_switched",
    "force_logout",
];

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn the_audit_filter_lists_exactly_the_core_events() {
        let core: Vec<&str> = auth::audit::Event::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(super::AUDIT_EVENTS.to_vec(), core);
    }
}

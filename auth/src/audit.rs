//! The audit log: every security-relevant event, with who, how, when and from where.
//!
//! Writes are best effort: a failed audit write is logged loudly but does not fail the user's
//! request (the alternative lets a full disk lock everyone out). Details carry fingerprints,
//! never a credential.

use crate::db::{with_pool, Pool};
use time::OffsetDateTime;

use crate::{error::StoreError, service::ClientInfo, AuthMode, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Registered,
    LoginSucceeded,
    LoginFailed,
    Logout,
    Refresh,
    ReuseDetected,
    Revoked,
    RoleChanged,
    AccountDisabled,
    AccountEnabled,
    PasswordChanged,
    ModeSwitched,
    ForceLogout,
}

impl Event {
    pub const ALL: [Event; 13] = [
        Event::Registered,
        Event::LoginSucceeded,
        Event::LoginFailed,
        Event::Logout,
        Event::Refresh,
        Event::ReuseDetected,
        Event::Revoked,
        Event::RoleChanged,
        Event::AccountDisabled,
        Event::AccountEnabled,
        Event::PasswordChanged,
        Event::ModeSwitched,
        Event::ForceLogout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::Registered => "registered",
            Event::LoginSucceeded => "login_succeeded",
            Event::LoginFailed => "login_failed",
            Event::Logout => "logout",
            Event::Refresh => "refresh",
            Event::ReuseDetected => "reuse_detected",
            Event::Revoked => "revoked",
            Event::RoleChanged => "role_changed",
            Event::AccountDisabled => "account_disabled",
            Event::AccountEnabled => "account_enabled",
            Event::PasswordChanged => "password_changed",
            Event::ModeSwitched => "mode_switched",
            Event::ForceLogout => "force_logout",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub event: Event,
    pub user_id: Option<UserId>,
    pub email: Option<&'a str>,
    pub mode: Option<AuthMode>,
    pub client: Option<&'a ClientInfo>,
    pub detail: Option<String>,
}

impl<'a> Entry<'a> {
    pub fn new(event: Event) -> Self {
        Self { event, user_id: None, email: None, mode: None, client: None, detail: None }
    }
    pub fn user(mut self, id: UserId, email: &'a str) -> Self {
        self.user_id = Some(id);
        self.email = Some(email);
        self
    }
    pub fn email(mut self, email: &'a str) -> Self {
        self.email = Some(email);
        self
    }
    pub fn mode(mut self, mode: AuthMode) -> Self {
        self.mode = Some(mode);
        self
    }
    pub fn client(mut self, client: &'a ClientInfo) -> Self {
        self.client = Some(client);
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Record {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub mode: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub event: Option<Event>,
    pub user_id: Option<UserId>,
    pub email_contains: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    pool: Pool,
}

impl AuditLog {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    pub async fn record(&self, entry: Entry<'_>, now: OffsetDateTime) {
        let result = with_pool!(&self.pool, p => sqlx::query(
            "INSERT INTO audit_log (at, event, user_id, email, mode, ip, user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind((now.unix_timestamp_nanos() / 1_000_000) as i64)
        .bind(entry.event.as_str())
        .bind(entry.user_id.map(|u| u.0))
        .bind(entry.email)
        .bind(entry.mode.map(AuthMode::as_str))
        .bind(entry.client.and_then(|c| c.ip.as_deref()))
        .bind(entry.client.and_then(|c| c.user_agent.as_deref()).map(|ua| ua.chars().take(256).collect::<String>()))
        .bind(entry.detail)
        .execute(p)
        .await.map(|r| r.rows_affected()));
        if let Err(e) = result {
            tracing::error!(error = %e, event = entry.event.as_str(), "audit write failed");
        }
    }

    /// Newest first.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<Record>, StoreError> {
        let contains = self.pool.contains_fn();
        Ok(with_pool!(&self.pool, p => {
        let mut q = sqlx::QueryBuilder::new("SELECT id, at, event, user_id, email, mode, ip, user_agent, detail FROM audit_log WHERE 1 = 1");
        if let Some(e) = filter.event {
            q.push(" AND event = ").push_bind(e.as_str());
        }
        if let Some(u) = filter.user_id {
            q.push(" AND user_id = ").push_bind(u.0);
        }
        if let Some(s) = filter.email_contains.as_deref().filter(|s| !s.is_empty()) {
            q.push(format!(" AND {contains}(email, ")).push_bind(s.to_lowercase()).push(") > 0");
        }
        q.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(filter.limit.clamp(1, 500)));
        q.build_query_as::<Record>().fetch_all(p).await?
        }))
    }
}

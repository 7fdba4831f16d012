//! Who a request belongs to, as resolved once per request by the web layer.

use std::{fmt, str::FromStr};

use time::OffsetDateTime;

use crate::{Email, Role, UserId};

/// Which mechanism authenticated a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMode {
    /// A session id in `__Host-sid`, state in the session store.
    Session,
    /// A signed access token (cookie or `Authorization: Bearer`), refreshed by a rotating
    /// refresh token.
    Jwt,
}

impl AuthMode {
    pub const ALL: [AuthMode; 2] = [AuthMode::Session, AuthMode::Jwt];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Session => "session",
            AuthMode::Jwt => "jwt",
        }
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "session" => Ok(AuthMode::Session),
            "jwt" => Ok(AuthMode::Jwt),
            other => Err(format!("unknown auth mode {other:?} (expected \"session\" or \"jwt\")")),
        }
    }
}

/// Which modes this server offers, and the one a browser gets until it picks another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModePolicy {
    pub enabled: Vec<AuthMode>,
    pub default: AuthMode,
}

impl ModePolicy {
    pub fn new(enabled: Vec<AuthMode>, default: AuthMode) -> Result<Self, String> {
        if enabled.is_empty() {
            return Err("at least one auth mode must be enabled".into());
        }
        if !enabled.contains(&default) {
            return Err(format!("the default mode {default} is not among the enabled modes"));
        }
        Ok(Self { enabled, default })
    }

    pub fn is_enabled(&self, mode: AuthMode) -> bool {
        self.enabled.contains(&mode)
    }

    /// The browser's preference if it names an enabled mode, else the default.
    pub fn active(&self, preference: Option<&str>) -> AuthMode {
        preference
            .and_then(|p| p.parse::<AuthMode>().ok())
            .filter(|m| self.is_enabled(*m))
            .unwrap_or(self.default)
    }
}

impl Default for ModePolicy {
    fn default() -> Self {
        Self { enabled: AuthMode::ALL.to_vec(), default: AuthMode::Session }
    }
}

/// The mode a request was resolved under, beside its `Resolution` in the request extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveMode {
    pub mode: AuthMode,
    /// The credential came in an `Authorization: Bearer` header (an API client, not a browser).
    pub bearer: bool,
}

/// An authenticated user, with the role read from the user store on this request (so a role
/// change is seen at the next request) and the moment the credential stops being valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub email: Email,
    pub role: Role,
    pub mode: AuthMode,
    pub expires_at: OffsetDateTime,
    /// JWT mode: the refresh family (login) the credential belongs to.
    pub family: Option<String>,
    /// Session mode: the fingerprint of the session id (never the id itself).
    pub session: Option<String>,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_active_mode_follows_an_enabled_preference_only() {
        let p = ModePolicy::new(vec![AuthMode::Session, AuthMode::Jwt], AuthMode::Session).unwrap();
        assert_eq!(p.active(Some("jwt")), AuthMode::Jwt);
        assert_eq!(p.active(Some("bogus")), AuthMode::Session);
        assert_eq!(p.active(None), AuthMode::Session);
        let only_session = ModePolicy::new(vec![AuthMode::Session], AuthMode::Session).unwrap();
        assert_eq!(only_session.active(Some("jwt")), AuthMode::Session);
        assert!(ModePolicy::new(vec![AuthMode::Session], AuthMode::Jwt).is_err());
    }
}

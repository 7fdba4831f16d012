//! Who a request belongs to, as resolved once per request by the web layer.

use std::{fmt, str::FromStr};

use time::OffsetDateTime;

use crate::{Email, Role, UserId};

/// Which mechanism authenticated a request. Only sessions exist so far; JWT mode plugs in as a
/// second variant, and everything downstream already carries the mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMode {
    Session,
}

impl AuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Session => "session",
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
            other => Err(format!("unknown auth mode {other:?} (expected \"session\")")),
        }
    }
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
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

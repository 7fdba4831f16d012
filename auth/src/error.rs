//! Errors of the core, split into what a caller expects (bad credentials) and what it doesn't
//! (a store that failed). The HTTP layers map these to status codes in one place each.

use crate::password::HashError;

/// A storage backend failed: always unexpected, never the user's fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("session store error: {0}")]
    Sessions(#[from] tower_sessions::session_store::Error),
    #[error("redis error: {0}")]
    Redis(#[from] tower_sessions_redis_store::fred::error::Error),
    /// A setting names something we can't use (a URL with an unknown scheme, say).
    #[error("{0}")]
    Config(String),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown email or wrong password: deliberately one variant, so that no caller can
    /// accidentally tell the two apart.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// Only ever returned after the right password was given.
    #[error("this account is disabled")]
    AccountDisabled,
    #[error("not allowed")]
    Forbidden,
    #[error("no such user")]
    UnknownUser,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("token signing failed: {0}")]
    Token(String),
    /// Too many failed logins for this email: try again after `retry_after`.
    #[error("too many failed attempts for this account")]
    Throttled { retry_after: std::time::Duration },
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<tower_sessions::session_store::Error> for AuthError {
    fn from(e: tower_sessions::session_store::Error) -> Self {
        Self::Store(e.into())
    }
}

//! The security core of Secure Routes, free of any web framework.
//!
//! Everything that decides who a request belongs to lives here: parsing emails and passwords,
//! hashing, the user store, server-side sessions and the principal that the web layers read.
//! The HTTP crates only translate between this and requests; that keeps the core testable and
//! benchmarkable on its own.

pub mod access_cache;
pub mod account;
pub mod audit;
pub mod clock;
pub mod cookies;
pub mod db;
pub mod email;
pub mod error;
pub mod hash_pool;
pub mod input;
pub mod inspect;
pub mod keys;
pub mod password;
pub mod principal;
pub mod refresh;
pub mod service;
pub mod session;
pub mod session_index;
pub mod session_store;
pub mod shared_limits;
pub mod throttle;
pub mod token;
pub mod user;

/// A short, non-reversible label for a credential or id, for logs, the audit log and the UI.
pub fn fingerprint(secret: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes())[..6].iter().map(|b| format!("{b:02x}")).collect()
}

pub use clock::{Clock, ManualClock, SystemClock};
pub use email::Email;
pub use error::{AuthError, StoreError};
pub use inspect::ResolveTiming;
pub use password::{Password, PasswordHasher};
pub use principal::{ActiveMode, AuthMode, ModePolicy, Principal};
pub use refresh::{RefreshError, RefreshPolicy};
pub use service::{AuthConfig, AuthService, ClientInfo, ClientIp, JwtGrant, NewSession, RejectReason, Rejection, Resolution};
pub use session::{SessionPolicy, SessionToken};
pub use session_store::SessionBackend;
pub use throttle::ThrottlePolicy;
pub use token::TokenConfig;
pub use user::{Role, User, UserId, UserStore};

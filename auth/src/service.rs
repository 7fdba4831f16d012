//! `AuthService`: the use cases (register, log in, resolve, log out) over the stores.

use std::sync::Arc;

use sqlx::SqlitePool;
use tower_sessions_sqlx_store::SqliteStore;

use crate::{
    clock::{Clock, SystemClock},
    cookies,
    error::{AuthError, StoreError},
    password::{HashParams, PasswordHasher},
    principal::{AuthMode, Principal},
    session::{SessionPolicy, SessionState, SessionToken, Sessions},
    Email, Password, Role, User, UserStore,
};

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub session: SessionPolicy,
    pub hash_params: HashParams,
    /// Password hashes computed at once; the rest queue. Defaults to the number of cores.
    pub hash_concurrency: usize,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session: SessionPolicy::default(),
            hash_params: HashParams::default(),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// What a request's credential resolved to.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// No credential was presented.
    Anonymous,
    Authenticated(Principal),
    /// A credential was presented and is not valid (malformed, expired, logged out, user gone).
    /// Callers must not silently treat this as anonymous where it matters (the API says so).
    Rejected(Rejection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Malformed,
    Expired,
}

impl Rejection {
    pub fn message(self) -> &'static str {
        match self {
            Rejection::Malformed => "the session cookie is malformed",
            Rejection::Expired => "the session has expired or was signed out",
        }
    }
}

/// A session just started: who, and the Set-Cookie that carries it.
#[derive(Debug)]
pub struct NewSession {
    pub principal: Principal,
    /// Expires at the absolute timeout: the cookie never outlives what the server would honour.
    pub cookie: cookie::Cookie<'static>,
}

#[derive(Debug, Clone)]
pub struct AuthService {
    users: UserStore,
    hasher: PasswordHasher,
    sessions: Sessions,
    clock: Arc<dyn Clock>,
}

impl AuthService {
    /// Everything on one SQLite pool (users and the tower-sessions table).
    pub fn sqlite(pool: SqlitePool, config: &AuthConfig) -> Result<Self, AuthError> {
        Self::with_clock(pool, config, Arc::new(SystemClock))
    }

    pub fn with_clock(pool: SqlitePool, config: &AuthConfig, clock: Arc<dyn Clock>) -> Result<Self, AuthError> {
        let store = Arc::new(SqliteStore::new(pool.clone()));
        Ok(Self {
            users: UserStore::new(pool),
            hasher: PasswordHasher::new(config.hash_params, config.hash_concurrency)?,
            sessions: Sessions::new(store, config.session, clock.clone()),
            clock,
        })
    }

    /// The database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.users.ping().await
    }

    pub fn users(&self) -> &UserStore {
        &self.users
    }

    pub fn session_policy(&self) -> &SessionPolicy {
        self.sessions.policy()
    }

    /// Creates an account. Succeeds the same way, after the same work, whether or not the email
    /// was already taken, so the endpoint cannot be used to discover accounts. The owner of an
    /// existing account just signs in with the password they already have.
    pub async fn register(&self, email: &Email, password: &Password) -> Result<(), AuthError> {
        let hash = self.hasher.hash(password).await?;
        let created = self.users.insert(email, &hash, Role::User, self.clock.now()).await?;
        tracing::info!(created, "registration");
        Ok(())
    }

    /// Creates or promotes an admin (the `create-admin` command).
    pub async fn create_admin(&self, email: &Email, password: &Password) -> Result<User, AuthError> {
        let hash = self.hasher.hash(password).await?;
        Ok(self.users.upsert_admin(email, &hash, self.clock.now()).await?)
    }

    /// Checks credentials. An unknown email runs a dummy verification so that it costs the same
    /// time as a wrong password, and both give the same error.
    pub async fn verify_credentials(&self, email: &Email, password: &Password) -> Result<User, AuthError> {
        match self.users.find_by_email(email).await? {
            Some(user) if self.hasher.verify(password, &user.password_hash).await? => Ok(user),
            Some(_) => Err(AuthError::InvalidCredentials),
            None => {
                self.hasher.verify_dummy(password).await?;
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    /// Verifies credentials and starts a session under a new id (the presented one, if any, is
    /// destroyed). Returns the token for the cookie and the principal it now carries.
    pub async fn login_session(
        &self,
        email: &Email,
        password: &Password,
        previous_cookie: Option<&str>,
    ) -> Result<NewSession, AuthError> {
        let user = self.verify_credentials(email, password).await?;
        let previous = previous_cookie.and_then(SessionToken::parse);
        let (token, state) = self.sessions.start(user.id, previous.as_ref()).await?;
        let principal = self.principal(&user, &state);
        let cookie = cookies::session_cookie(&token, state.auth_at + self.sessions.policy().absolute_timeout);
        Ok(NewSession { principal, cookie })
    }

    /// Resolves the raw value of the session cookie.
    pub async fn resolve_session(&self, raw: &str) -> Result<Resolution, StoreError> {
        let Some(token) = SessionToken::parse(raw) else {
            return Ok(Resolution::Rejected(Rejection::Malformed));
        };
        let Some(state) = self.sessions.resolve(&token).await? else {
            return Ok(Resolution::Rejected(Rejection::Expired));
        };
        // The role is read fresh on every request: a demotion takes effect at the next one.
        match self.users.find_by_id(state.user_id).await? {
            Some(user) => Ok(Resolution::Authenticated(self.principal(&user, &state))),
            None => {
                self.sessions.end(&token).await?;
                Ok(Resolution::Rejected(Rejection::Expired))
            }
        }
    }

    /// Deletes the session record. Idempotent; a malformed value is simply ignored.
    pub async fn logout_session(&self, raw: &str) -> Result<(), StoreError> {
        if let Some(token) = SessionToken::parse(raw) {
            self.sessions.end(&token).await?;
        }
        Ok(())
    }

    fn principal(&self, user: &User, state: &SessionState) -> Principal {
        Principal {
            user_id: user.id,
            email: user.email.clone(),
            role: user.role,
            mode: AuthMode::Session,
            expires_at: self.sessions.policy().expires_at(state),
        }
    }
}

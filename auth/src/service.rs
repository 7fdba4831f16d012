//! `AuthService`: the use cases of both modes (register, log in, resolve, refresh, log out) over
//! the stores.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::{
    access_cache::AccessCache,
    audit::{AuditLog, Entry, Event},
    clock::Clock,
    cookies,
    db::Pool,
    error::{AuthError, StoreError},
    keys::KeyStore,
    password::{HashParams, PasswordHasher},
    principal::{AuthMode, Principal},
    refresh::{RefreshError, RefreshPolicy, RefreshStore, RefreshToken, Rotated},
    session::{SessionPolicy, SessionState, SessionToken, Sessions},
    session_index::SessionIndex,
    session_store::SessionBackend,
    token::{AccessClaims, TokenConfig, TokenError, Tokens},
    Email, Password, Role, User, UserStore,
};

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub session: SessionPolicy,
    pub hash_params: HashParams,
    /// Password hashes computed at once; the rest queue. Defaults to the number of cores.
    pub hash_concurrency: usize,
    pub tokens: TokenConfig,
    pub refresh: RefreshPolicy,
    /// JWT mode: look up each access token's family (one indexed query) so logout and
    /// revocation take effect at once. Off is the pure stateless mode: a token stays valid
    /// until `exp` whatever happens.
    pub revocation_check: bool,
    pub throttle: crate::throttle::ThrottlePolicy,
    /// Remember what the stores said about a credential (see `access_cache`). Correct only
    /// when this process makes every change to the database: one instance on SQLite. Session
    /// records are remembered only if they live in the database too.
    pub access_cache: bool,
}

/// How long a cached answer may stand for changes made outside the process (`create-admin` in
/// another shell, an operator's SQL); changes made through the server retire it at once.
pub const ACCESS_CACHE_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(10);

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session: SessionPolicy::default(),
            hash_params: HashParams::default(),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            tokens: TokenConfig::default(),
            refresh: RefreshPolicy::default(),
            revocation_check: true,
            throttle: crate::throttle::ThrottlePolicy::default(),
            access_cache: false,
        }
    }
}

/// What a request's credential resolved to.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// No credential was presented.
    Anonymous,
    Authenticated(Principal),
    /// A credential was presented and is not valid. Callers must not silently treat this as
    /// anonymous where it matters (the API says why).
    Rejected(Rejection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection {
    pub mode: AuthMode,
    pub reason: RejectReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// Unparseable, badly signed, wrong audience... (details are logged at debug level only).
    Invalid,
    Expired,
    /// Logged out, signed out elsewhere, or the account is gone.
    Revoked,
}

impl Rejection {
    /// The API error code.
    pub fn code(self) -> &'static str {
        match (self.mode, self.reason) {
            (AuthMode::Session, RejectReason::Invalid) => "invalid_session",
            (AuthMode::Session, _) => "session_expired",
            (AuthMode::Jwt, RejectReason::Invalid) => "invalid_token",
            (AuthMode::Jwt, RejectReason::Expired) => "token_expired",
            (AuthMode::Jwt, RejectReason::Revoked) => "token_revoked",
        }
    }

    pub fn message(self) -> &'static str {
        match (self.mode, self.reason) {
            (AuthMode::Session, RejectReason::Invalid) => "the session cookie is malformed",
            (AuthMode::Session, _) => "the session has expired or was signed out",
            (AuthMode::Jwt, RejectReason::Invalid) => "the access token is not valid",
            (AuthMode::Jwt, RejectReason::Expired) => "the access token has expired; refresh it",
            (AuthMode::Jwt, RejectReason::Revoked) => "the access token was revoked",
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

/// Tokens just issued (login or refresh).
#[derive(Debug)]
pub struct JwtGrant {
    pub principal: Principal,
    pub access_token: String,
    pub access_claims: AccessClaims,
    pub refresh_token: RefreshToken,
    pub family_expires_at: OffsetDateTime,
}

impl JwtGrant {
    pub fn access_max_age(&self, now: OffsetDateTime) -> i64 {
        self.access_claims.exp - now.unix_timestamp()
    }

    /// The three cookies a browser keeps in JWT mode.
    pub fn cookies(&self, now: OffsetDateTime) -> [cookie::Cookie<'static>; 3] {
        let family_left = (self.family_expires_at - now).whole_seconds();
        [
            cookies::access_cookie(&self.access_token, self.access_max_age(now)),
            cookies::refresh_cookie(self.refresh_token.expose(), family_left),
            cookies::jwt_hint_cookie(family_left),
        ]
    }
}

/// The address a request came from, as the web layer resolved it (the peer, or the client
/// behind a trusted proxy). Put in the request by the web layer; read by everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// Where a login came from, kept with a refresh family for the devices page.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuthService {
    pub(crate) users: UserStore,
    pub(crate) hasher: PasswordHasher,
    pub(crate) sessions: Sessions,
    pub(crate) session_index: SessionIndex,
    pub(crate) session_backend: SessionBackend,
    pub(crate) tokens: Tokens,
    keys: KeyStore,
    pub(crate) refresh: RefreshStore,
    pub(crate) audit: AuditLog,
    revocation_check: bool,
    cache: AccessCache,
    throttle: crate::throttle::LoginThrottle,
    /// Unix second of the last reload an unknown `kid` triggered.
    last_key_reload: Arc<std::sync::atomic::AtomicI64>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl AuthService {
    /// Everything on one database, sessions in `session_backend` (the same database, or
    /// Redis). Loads the signing keys, creating the first on first start.
    pub async fn open(pool: Pool, session_backend: SessionBackend, config: &AuthConfig, clock: Arc<dyn Clock>) -> Result<Self, AuthError> {
        let store = session_backend.store();
        let throttle = match session_backend.shared_limits() {
            Some(shared) => crate::throttle::LoginThrottle::shared(config.throttle, shared),
            None => crate::throttle::LoginThrottle::new(config.throttle),
        };
        // A retired key must verify every token it signed: access lifetime plus leeway.
        let retain = config.tokens.access_ttl + time::Duration::seconds(config.tokens.leeway_secs as i64 + 60);
        let keys = KeyStore::new(pool.clone(), retain);
        let ring = keys.load_or_init(clock.now()).await?;
        let cache = match config.access_cache {
            true => AccessCache::new(ACCESS_CACHE_MAX_AGE, matches!(session_backend, SessionBackend::Database(_))),
            false => AccessCache::off(),
        };
        Ok(Self {
            users: UserStore::with_cache(pool.clone(), cache.clone()),
            hasher: PasswordHasher::new(config.hash_params, config.hash_concurrency)?,
            sessions: Sessions::with_cache(store, config.session, clock.clone(), cache.clone()),
            session_index: SessionIndex::new(pool.clone()),
            session_backend,
            audit: AuditLog::new(pool.clone()),
            tokens: Tokens::new(ring, config.tokens.clone()),
            keys,
            refresh: RefreshStore::with_cache(pool, config.refresh, cache.clone()),
            cache,
            revocation_check: config.revocation_check,
            throttle,
            last_key_reload: Arc::default(),
            clock,
        })
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.users.ping().await
    }

    /// The session store answers (the database again, unless sessions live in Redis).
    pub async fn ping_session_store(&self) -> Result<(), StoreError> {
        self.session_backend.ping().await
    }

    pub fn session_backend(&self) -> &SessionBackend {
        &self.session_backend
    }

    pub fn users(&self) -> &UserStore {
        &self.users
    }

    pub fn session_policy(&self) -> &SessionPolicy {
        self.sessions.policy()
    }

    pub fn token_config(&self) -> &TokenConfig {
        self.tokens.config()
    }

    pub fn refresh_policy(&self) -> &RefreshPolicy {
        self.refresh.policy()
    }

    pub fn revocation_check(&self) -> bool {
        self.revocation_check
    }

    /// The in-process access cache (off unless configured; see `access_cache`).
    pub fn access_cache(&self) -> &AccessCache {
        &self.cache
    }

    /// Creates an account. Succeeds the same way, after the same work, whether or not the email
    /// was already taken, so the endpoint cannot be used to discover accounts. The owner of an
    /// existing account just signs in with the password they already have.
    pub async fn register(&self, email: &Email, password: &Password) -> Result<(), AuthError> {
        let hash = self.hasher.hash(password).await?;
        let created = self.users.insert(email, &hash, Role::User, self.clock.now()).await?;
        tracing::info!(created, "registration");
        if created {
            self.audit.record(Entry::new(Event::Registered).email(email.as_str()), self.clock.now()).await;
        }
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
            // Told apart from a wrong password only after the right password: no enumeration.
            Some(user) if self.hasher.verify(password, &user.password_hash).await? => {
                if user.disabled {
                    return Err(AuthError::AccountDisabled);
                }
                if self.hasher.needs_rehash(&user.password_hash) {
                    let hash = self.hasher.hash(password).await?;
                    self.users.set_password_hash(user.id, &hash).await?;
                    tracing::info!(user = %user.id, "password hash upgraded to the current parameters");
                }
                Ok(user)
            }
            Some(_) => Err(AuthError::InvalidCredentials),
            None => {
                self.hasher.verify_dummy(password).await?;
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    /// `verify_credentials` plus the audit entry for the attempt.
    async fn login_attempt(&self, email: &Email, password: &Password, mode: AuthMode, client: &ClientInfo) -> Result<User, AuthError> {
        // Checked before any hashing: a throttled guess costs the server nothing.
        if let Err(retry_after) = self.throttle.check_now(email.as_str()).await {
            let entry = Entry::new(Event::LoginFailed).email(email.as_str()).detail("throttled: too many failures");
            self.audit.record(entry.mode(mode).client(client), self.clock.now()).await;
            return Err(AuthError::Throttled { retry_after });
        }
        let result = self.verify_credentials(email, password).await;
        match &result {
            Ok(_) => self.throttle.record_success(email.as_str()).await,
            Err(AuthError::InvalidCredentials) => self.throttle.record_failure(email.as_str()).await,
            Err(_) => {}
        }
        let entry = match &result {
            Ok(user) => Entry::new(Event::LoginSucceeded).user(user.id, user.email.as_str()),
            Err(AuthError::InvalidCredentials) => Entry::new(Event::LoginFailed).email(email.as_str()).detail("invalid credentials"),
            Err(AuthError::AccountDisabled) => Entry::new(Event::LoginFailed).email(email.as_str()).detail("account disabled"),
            Err(_) => return result,
        };
        self.audit.record(entry.mode(mode).client(client), self.clock.now()).await;
        result
    }

    // ----- session mode -----

    /// Verifies credentials and starts a session under a new id (the presented one, if any, is
    /// destroyed).
    pub async fn login_session(
        &self,
        email: &Email,
        password: &Password,
        previous_cookie: Option<&str>,
        client: &ClientInfo,
    ) -> Result<NewSession, AuthError> {
        let user = self.login_attempt(email, password, AuthMode::Session, client).await?;
        let previous = previous_cookie.and_then(SessionToken::parse);
        if let Some(old) = &previous {
            self.session_index.remove(&old.expose()).await?;
        }
        let (token, state) = self.sessions.start(user.id, previous.as_ref()).await?;
        self.session_index.insert(&token.expose(), user.id, state.auth_at, client).await?;
        let principal = self.session_principal(&user, &state, &token);
        let cookie = cookies::session_cookie(&token, state.auth_at + self.sessions.policy().absolute_timeout);
        Ok(NewSession { principal, cookie })
    }

    /// Resolves the raw value of the session cookie.
    pub async fn resolve_session(&self, raw: &str) -> Result<Resolution, StoreError> {
        let reject = |reason| Ok(Resolution::Rejected(Rejection { mode: AuthMode::Session, reason }));
        let Some(token) = SessionToken::parse(raw) else {
            return reject(RejectReason::Invalid);
        };
        let Some(state) = self.sessions.resolve(&token).await? else {
            return reject(RejectReason::Expired);
        };
        // The role is read fresh on every request: a demotion takes effect at the next one.
        match self.users.find_by_id(state.user_id).await? {
            Some(user) if !user.disabled => Ok(Resolution::Authenticated(self.session_principal(&user, &state, &token))),
            _ => {
                self.sessions.end(&token).await?;
                reject(RejectReason::Revoked)
            }
        }
    }

    /// Deletes the session record. Idempotent; a malformed value is simply ignored.
    pub async fn logout_session(&self, raw: &str, client: &ClientInfo) -> Result<(), StoreError> {
        if let Some(token) = SessionToken::parse(raw) {
            if let Some(state) = self.sessions.peek(&token).await? {
                let entry = Entry::new(Event::Logout).mode(AuthMode::Session).client(client);
                let entry = Entry { user_id: Some(state.user_id), ..entry }.detail(format!("session {}", crate::fingerprint(raw)));
                self.audit.record(entry, self.clock.now()).await;
            }
            self.sessions.end(&token).await?;
            self.session_index.remove(&token.expose()).await?;
        }
        Ok(())
    }

    fn session_principal(&self, user: &User, state: &SessionState, token: &SessionToken) -> Principal {
        Principal {
            user_id: user.id,
            email: user.email.clone(),
            role: user.role,
            mode: AuthMode::Session,
            expires_at: self.sessions.policy().expires_at(state),
            family: None,
            session: Some(crate::fingerprint(&token.expose())),
        }
    }

    // ----- JWT mode -----

    /// Verifies credentials, starts a refresh family and issues the first token pair.
    pub async fn login_jwt(&self, email: &Email, password: &Password, client: &ClientInfo) -> Result<JwtGrant, AuthError> {
        let user = self.login_attempt(email, password, AuthMode::Jwt, client).await?;
        let now = self.clock.now();
        let family = self.refresh.start_family(user.id, now, client.user_agent.as_deref(), client.ip.as_deref()).await?;
        self.grant(&user, family, now)
    }

    /// Rotates a refresh token and issues a fresh access token (with the role as stored now).
    pub async fn refresh_jwt(&self, raw: &str) -> Result<Result<JwtGrant, RefreshError>, AuthError> {
        let Some(presented) = RefreshToken::parse(raw) else {
            return Ok(Err(RefreshError::Unknown));
        };
        let now = self.clock.now();
        let rotated = match self.refresh.rotate(&presented, now).await? {
            Ok(r) => r,
            Err(e) => {
                if e == RefreshError::Reused {
                    let family = self.refresh.family_of(&presented).await?.unwrap_or_default();
                    let entry =
                        Entry::new(Event::ReuseDetected).mode(AuthMode::Jwt).detail(format!("family {} revoked", crate::fingerprint(&family)));
                    self.audit.record(entry, now).await;
                }
                return Ok(Err(e));
            }
        };
        let user = match self.users.find_by_id(rotated.user_id).await? {
            Some(u) if !u.disabled => u,
            _ => {
                self.refresh.revoke_family(&rotated.family_id, now, "account gone or disabled").await?;
                return Ok(Err(RefreshError::Revoked));
            }
        };
        let entry = Entry::new(Event::Refresh).user(user.id, user.email.as_str()).mode(AuthMode::Jwt);
        self.audit.record(entry.detail(format!("family {}", crate::fingerprint(&rotated.family_id))), now).await;
        self.grant(&user, rotated, now).map(Ok)
    }

    fn grant(&self, user: &User, family: Rotated, now: OffsetDateTime) -> Result<JwtGrant, AuthError> {
        let (access_token, access_claims) =
            self.tokens.issue(user.id, user.email.as_str(), user.role, &family.family_id, now).map_err(|e| AuthError::Token(e.to_string()))?;
        let principal = Principal {
            user_id: user.id,
            email: user.email.clone(),
            role: user.role,
            mode: AuthMode::Jwt,
            expires_at: access_claims.expires_at(),
            family: Some(family.family_id),
            session: None,
        };
        Ok(JwtGrant { principal, access_token, access_claims, refresh_token: family.token, family_expires_at: family.family_expires_at })
    }

    /// Verifies an access token: signature and claims from memory; then, when revocation
    /// checking is on, one lookup that the family is live (and the role current).
    pub async fn resolve_access(&self, raw: &str) -> Result<Resolution, StoreError> {
        let reject = |reason| Ok(Resolution::Rejected(Rejection { mode: AuthMode::Jwt, reason }));
        let mut verified = self.tokens.verify(raw);
        if matches!(verified, Err(TokenError::UnknownKey)) && self.may_reload_keys_now() {
            // Another instance may have rotated keys since our last periodic reload: re-read them
            // once rather than refuse its fresh tokens until then. At most once a second, so
            // tokens with made-up `kid`s cannot turn into a database read each.
            self.reload_keys().await?;
            verified = self.tokens.verify(raw);
        }
        let claims = match verified {
            Ok(c) => c,
            Err(TokenError::Expired) => return reject(RejectReason::Expired),
            Err(e) => {
                tracing::debug!(error = %e, "access token refused");
                return reject(RejectReason::Invalid);
            }
        };
        let Some(user_id) = claims.user_id() else {
            return reject(RejectReason::Invalid);
        };
        // With revocation checking on, the role and email are also read fresh: a role change
        // then takes effect at once instead of at the next refresh.
        let (role_name, email) = if self.revocation_check {
            match self.refresh.live_user(user_id, &claims.fid, self.clock.now()).await? {
                Some(live) => live,
                None => return reject(RejectReason::Revoked),
            }
        } else {
            (claims.role.clone(), claims.email.clone())
        };
        let (Ok(role), Ok(email)) = (role_name.parse::<Role>(), Email::parse(&email)) else {
            return reject(RejectReason::Invalid);
        };
        Ok(Resolution::Authenticated(Principal {
            user_id,
            email,
            role,
            mode: AuthMode::Jwt,
            expires_at: claims.expires_at(),
            family: Some(claims.fid),
            session: None,
        }))
    }

    /// Revokes the login behind whichever JWT-mode credentials were presented. The access
    /// token's signature must verify (even if expired) for its family to be trusted.
    pub async fn logout_jwt(&self, access: Option<&str>, refresh: Option<&str>, client: &ClientInfo) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut family = None;
        if let Some(t) = refresh.and_then(RefreshToken::parse) {
            family = self.refresh.family_of(&t).await?;
        }
        if family.is_none() {
            family = access.and_then(|a| self.tokens.verify_ignoring_expiry(a).ok()).map(|c| c.fid);
        }
        if let Some(f) = family {
            self.refresh.revoke_family(&f, now, "logout").await?;
            let entry = Entry::new(Event::Logout).mode(AuthMode::Jwt).client(client);
            self.audit.record(entry.detail(format!("family {} revoked", crate::fingerprint(&f))), now).await;
        }
        Ok(())
    }

    /// Public keys (JWKS).
    pub fn jwks(&self) -> serde_json::Value {
        self.tokens.keyring().current().jwks()
    }

    /// New signing key; tokens signed by the previous one verify until they expire.
    pub async fn rotate_keys(&self) -> Result<String, StoreError> {
        let kid = self.keys.rotate(self.clock.now()).await?;
        self.reload_keys().await?;
        Ok(kid)
    }

    /// True at most once a second (per process): whether an unknown `kid` may trigger a reload.
    fn may_reload_keys_now(&self) -> bool {
        use std::sync::atomic::Ordering;
        let now = self.clock.now().unix_timestamp();
        let last = self.last_key_reload.load(Ordering::Relaxed);
        now > last && self.last_key_reload.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    }

    /// Picks up keys rotated by another process.
    pub async fn reload_keys(&self) -> Result<(), StoreError> {
        self.keys.reload(self.tokens.keyring(), self.clock.now()).await
    }
}

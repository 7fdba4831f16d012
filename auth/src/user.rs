//! Users and their store.

use std::{fmt, str::FromStr};

use crate::db::{with_pool, Pool};
use time::OffsetDateTime;

use crate::{access_cache::AccessCache, error::StoreError, Email};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user" => Ok(Role::User),
            "admin" => Ok(Role::Admin),
            other => Err(format!("unknown role {other:?}")),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored user. Holds the password hash, so it is never serialised and its `Debug` hides it.
#[derive(Clone)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub password_hash: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
    pub disabled: bool,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User").field("id", &self.id).field("email", &self.email).field("role", &self.role).finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    password_hash: String,
    role: String,
    created_at: i64,
    disabled_at: Option<i64>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        let corrupt = |what: String| StoreError::Database(sqlx::Error::Decode(what.into()));
        Ok(User {
            id: UserId(r.id),
            email: Email::parse(&r.email).map_err(|e| corrupt(format!("stored email: {e}")))?,
            password_hash: r.password_hash,
            role: r.role.parse().map_err(corrupt)?,
            created_at: OffsetDateTime::from_unix_timestamp(r.created_at).map_err(|e| corrupt(format!("stored created_at: {e}")))?,
            disabled: r.disabled_at.is_some(),
        })
    }
}

const COLUMNS: &str = "id, email, password_hash, role, created_at, disabled_at";

#[derive(Debug, Clone)]
pub struct UserStore {
    pool: Pool,
    cache: AccessCache,
}

impl UserStore {
    pub fn new(pool: Pool) -> Self {
        Self { pool, cache: AccessCache::off() }
    }

    /// A store whose `find_by_id` answers from `cache` when it can (see `access_cache`).
    pub(crate) fn with_cache(pool: Pool, cache: AccessCache) -> Self {
        Self { pool, cache }
    }

    /// The pool the stores share, for the inspector's whole-store statistics.
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Inserts a user unless the email is taken. Returns whether a row was created; callers
    /// that face the public must not reveal the answer (account enumeration).
    pub async fn insert(&self, email: &Email, password_hash: &str, role: Role, now: OffsetDateTime) -> Result<bool, StoreError> {
        let done = with_pool!(&self.pool, p => sqlx::query(
            "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT(email) DO NOTHING",
        )
        .bind(email.as_str())
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now.unix_timestamp())
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Creates the account as an admin, or promotes an existing one and resets its password.
    pub async fn upsert_admin(&self, email: &Email, password_hash: &str, now: OffsetDateTime) -> Result<User, StoreError> {
        let done = with_pool!(&self.pool, p => sqlx::query(
            "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, 'admin', $3)
             ON CONFLICT(email) DO UPDATE SET role = 'admin', password_hash = excluded.password_hash",
        )
        .bind(email.as_str())
        .bind(password_hash)
        .bind(now.unix_timestamp())
        .execute(p)
        .await.map(|r| r.rows_affected()));
        self.cache.invalidate_unless_nothing_changed(&done);
        done?;
        self.find_by_email(email).await?.ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))
    }

    pub async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = with_pool!(&self.pool, p => sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
            .bind(email.as_str())
            .fetch_optional(p)
            .await)?;
        row.map(User::try_from).transpose()
    }

    pub async fn set_role(&self, id: UserId, role: Role) -> Result<bool, StoreError> {
        let done = with_pool!(&self.pool, p => sqlx::query("UPDATE users SET role = $1 WHERE id = $2").bind(role.as_str()).bind(id.0).execute(p).await.map(|r| r.rows_affected()));
        self.cache.invalidate_unless_nothing_changed(&done);
        Ok(done? == 1)
    }

    pub async fn set_disabled(&self, id: UserId, disabled: bool, now: OffsetDateTime) -> Result<bool, StoreError> {
        let at = disabled.then(|| (now.unix_timestamp_nanos() / 1_000_000) as i64);
        let done = with_pool!(&self.pool, p => sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2").bind(at).bind(id.0).execute(p).await.map(|r| r.rows_affected()));
        self.cache.invalidate_unless_nothing_changed(&done);
        Ok(done? == 1)
    }

    pub async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError> {
        let done = with_pool!(&self.pool, p => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(id.0).execute(p).await.map(|r| r.rows_affected()));
        self.cache.invalidate_unless_nothing_changed(&done);
        done?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.pool.ping().await
    }

    /// Newest first, at most `limit`.
    pub async fn list(&self, limit: u32) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = with_pool!(&self.pool, p => sqlx::query_as(&format!("SELECT {COLUMNS} FROM users ORDER BY id DESC LIMIT $1"))
            .bind(i64::from(limit))
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(User::try_from).collect()
    }

    pub async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.cache.user(id) {
            return Ok(Some(user));
        }
        let epoch = self.cache.epoch();
        let row: Option<UserRow> = with_pool!(&self.pool, p => sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        let user = row.map(User::try_from).transpose()?;
        if let Some(u) = &user {
            self.cache.put_user(u.clone(), epoch);
        }
        Ok(user)
    }
}

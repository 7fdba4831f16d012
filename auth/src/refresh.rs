//! Refresh tokens: opaque, stored only as SHA-256 hashes, grouped in one family per login,
//! rotated on every use, and a reuse after the grace window burns the whole family.

use std::fmt;

use crate::db::{with_pool, Pool};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::{
    access_cache::{AccessCache, LiveFamily},
    error::StoreError,
    UserId,
};

/// A refresh token as handed to the client: 256 random bits. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl RefreshToken {
    pub const MAX_LEN: usize = 128;

    fn generate() -> Self {
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()))
    }

    pub fn parse(raw: &str) -> Option<Self> {
        (!raw.is_empty() && raw.len() <= Self::MAX_LEN && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            .then(|| Self(raw.to_owned()))
    }

    /// The value for the cookie or response body. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// The family dies after this long without a refresh.
    pub idle_timeout: Duration,
    /// The family dies this long after login.
    pub absolute_timeout: Duration,
    /// A rotated token presented again within this window (two tabs refreshing at once) gets a
    /// valid successor instead of burning the family.
    pub reuse_grace: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self { idle_timeout: Duration::minutes(30), absolute_timeout: Duration::hours(8), reuse_grace: Duration::seconds(10) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    #[error("unknown refresh token")]
    Unknown,
    #[error("refresh token reused after rotation: the family is revoked")]
    Reused,
    #[error("the sign-in was revoked")]
    Revoked,
    #[error("the sign-in expired")]
    Expired,
}

/// A live login in JWT mode, as the devices page shows it.
#[derive(Debug, Clone)]
pub struct Family {
    pub id: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// A refresh that went through: who, which family, and the new token.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub user_id: UserId,
    pub family_id: String,
    pub token: RefreshToken,
    pub family_expires_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    family_id: String,
    used_at: Option<i64>,
    user_id: i64,
    created_at_family: i64,
    last_used_at: i64,
    revoked_at: Option<i64>,
}

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn from_ms(v: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Marks a family revoked, on any executor of either engine (a pool or an open transaction);
/// yields how many rows changed (0: it was revoked already).
macro_rules! revoke {
    ($executor:expr, $family_id:expr, $now:expr, $reason:expr) => {
        sqlx::query("UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
            .bind(ms($now))
            .bind($reason)
            .bind($family_id)
            .execute($executor)
            .await
            .map(|r| r.rows_affected())
    };
}

#[derive(Debug, Clone)]
pub struct RefreshStore {
    pool: Pool,
    policy: RefreshPolicy,
    cache: AccessCache,
}

impl RefreshStore {
    pub fn new(pool: Pool, policy: RefreshPolicy) -> Self {
        Self::with_cache(pool, policy, AccessCache::off())
    }

    /// A store whose revocation check answers from `cache` when it can (see `access_cache`).
    pub fn with_cache(pool: Pool, policy: RefreshPolicy, cache: AccessCache) -> Self {
        Self { pool, policy, cache }
    }

    pub fn policy(&self) -> &RefreshPolicy {
        &self.policy
    }

    /// Starts a family (a login) and returns its first token.
    pub async fn start_family(&self, user: UserId, now: OffsetDateTime, user_agent: Option<&str>, ip: Option<&str>) -> Result<Rotated, StoreError> {
        let family_id = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
        let token = RefreshToken::generate();
        with_pool!(&self.pool, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO refresh_families (id, user_id, created_at, last_used_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&family_id)
            .bind(user.0)
            .bind(ms(now))
            .bind(ms(now))
            .bind(user_agent.map(|s| s.chars().take(256).collect::<String>()))
            .bind(ip)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO refresh_tokens (hash, family_id, created_at) VALUES ($1, $2, $3)")
            .bind(token.hash())
            .bind(&family_id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        });
        Ok(Rotated { user_id: user, family_id, token, family_expires_at: now + self.policy.absolute_timeout })
    }

    /// Exchanges a refresh token for its successor.
    ///
    /// Atomic without locks: the conditional `UPDATE ... WHERE used_at IS NULL` lets exactly one
    /// of several concurrent requests claim a token; the others see it used, and within the
    /// grace window get a sibling successor (an equivalent valid token) instead of an error.
    pub async fn rotate(&self, presented: &RefreshToken, now: OffsetDateTime) -> Result<Result<Rotated, RefreshError>, StoreError> {
        let outcome = self.rotate_in_store(presented, now).await;
        // Expired and Reused revoked the family. An error may have come after the revocation
        // committed (a failed commit can still have landed): a spare bump costs one reload.
        if !matches!(outcome, Ok(Ok(_)) | Ok(Err(RefreshError::Unknown | RefreshError::Revoked))) {
            self.cache.invalidate();
        }
        outcome
    }

    async fn rotate_in_store(&self, presented: &RefreshToken, now: OffsetDateTime) -> Result<Result<Rotated, RefreshError>, StoreError> {
        let hash = presented.hash();
        // One body, compiled for each engine; `return`s leave the function as usual.
        with_pool!(&self.pool, pool => {
        let mut tx = pool.begin().await?;
        let claimed = sqlx::query("UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL")
            .bind(ms(now))
            .bind(&hash)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        let row: Option<TokenRow> = sqlx::query_as(
            "SELECT t.family_id, t.used_at, f.user_id, f.created_at AS created_at_family, f.last_used_at, f.revoked_at
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Err(RefreshError::Unknown));
        };
        if row.revoked_at.is_some() {
            tx.commit().await?;
            return Ok(Err(RefreshError::Revoked));
        }
        let created = from_ms(row.created_at_family);
        if now >= created + self.policy.absolute_timeout || now >= from_ms(row.last_used_at) + self.policy.idle_timeout {
            revoke!(&mut *tx, &row.family_id, now, "expired")?;
            tx.commit().await?;
            return Ok(Err(RefreshError::Expired));
        }
        if !claimed {
            let used_at = row.used_at.map(from_ms).unwrap_or(now);
            if now - used_at > self.policy.reuse_grace {
                // A token rotated a while ago came back: it was stolen, or the thief already
                // used it and this is the victim. Either way nobody in this family is trusted.
                revoke!(&mut *tx, &row.family_id, now, "reuse")?;
                tx.commit().await?;
                tracing::warn!(family = %crate::fingerprint(&row.family_id), "refresh token reuse: family revoked");
                return Ok(Err(RefreshError::Reused));
            }
        }
        let token = RefreshToken::generate();
        sqlx::query("INSERT INTO refresh_tokens (hash, family_id, parent_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token.hash())
            .bind(&row.family_id)
            .bind(&hash)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE refresh_families SET last_used_at = $1 WHERE id = $2")
            .bind(ms(now))
            .bind(&row.family_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(Rotated {
            user_id: UserId(row.user_id),
            family_id: row.family_id,
            token,
            family_expires_at: created + self.policy.absolute_timeout,
        }))
        })
    }

    /// The family a token belongs to (for logout), whatever its state.
    pub async fn family_of(&self, presented: &RefreshToken) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(&self.pool, p => sqlx::query_scalar("SELECT family_id FROM refresh_tokens WHERE hash = $1")
            .bind(presented.hash())
            .fetch_optional(p)
            .await)?)
    }

    /// The user's live families (logins), newest first.
    pub async fn live_families(&self, user: UserId, now: OffsetDateTime) -> Result<Vec<Family>, StoreError> {
        let rows: Vec<(String, i64, i64, Option<String>, Option<String>)> = with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, created_at, last_used_at, user_agent, ip FROM refresh_families
             WHERE user_id = $1 AND revoked_at IS NULL AND created_at > $2 AND last_used_at > $3 ORDER BY created_at DESC",
        )
        .bind(user.0)
        .bind(ms(now - self.policy.absolute_timeout))
        .bind(ms(now - self.policy.idle_timeout))
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, created, used, user_agent, ip)| Family { id, created_at: from_ms(created), last_used_at: from_ms(used), user_agent, ip })
            .collect())
    }

    /// Revokes every live family of a user except `keep`; returns how many.
    pub async fn revoke_all(&self, user: UserId, keep: Option<&str>, now: OffsetDateTime, reason: &str) -> Result<u64, StoreError> {
        let done = with_pool!(&self.pool, p => sqlx::query(
            "UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL AND id != $4",
        )
        .bind(ms(now))
        .bind(reason)
        .bind(user.0)
        .bind(keep.unwrap_or(""))
        .execute(p)
        .await.map(|r| r.rows_affected()));
        // Only a real revocation retires the cache: anyone could replay a request that revokes
        // nothing, and must not be able to empty the cache for free.
        self.cache.invalidate_unless_nothing_changed(&done);
        Ok(done?)
    }

    /// The family's tokens, oldest first: (hash, created ms, used ms, family revoked).
    pub async fn chain(&self, family_id: &str) -> Result<Vec<(Vec<u8>, i64, Option<i64>, bool)>, StoreError> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT t.hash, t.created_at, t.used_at, f.revoked_at IS NOT NULL FROM refresh_tokens t
             JOIN refresh_families f ON f.id = t.family_id WHERE t.family_id = $1 ORDER BY t.created_at, t.rowid",
        )
        .bind(family_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn revoke_family(&self, family_id: &str, now: OffsetDateTime, reason: &str) -> Result<(), StoreError> {
        let done = with_pool!(&self.pool, p => revoke!(p, family_id, now, reason));
        // A replayed logout of a family already revoked changes nothing: no bump (see revoke_all).
        self.cache.invalidate_unless_nothing_changed(&done);
        done?;
        Ok(())
    }

    /// The revocation check of an access token: its user's current role and email, if the user
    /// exists and the token's family is neither revoked nor expired. One indexed lookup.
    pub async fn live_user(&self, user: UserId, family_id: &str, now: OffsetDateTime) -> Result<Option<(String, String)>, StoreError> {
        let live = |f: LiveFamily| (f.user_id == user && now < from_ms(f.created_ms) + self.policy.absolute_timeout).then_some((f.role, f.email));
        if let Some(f) = self.cache.family(family_id) {
            return Ok(live(f));
        }
        let epoch = self.cache.epoch();
        let row: Option<(String, String, Option<i64>, i64)> = with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT u.role, u.email, f.revoked_at, f.created_at FROM refresh_families f JOIN users u ON u.id = f.user_id
             WHERE f.id = $1 AND f.user_id = $2 AND u.disabled_at IS NULL",
        )
        .bind(family_id)
        .bind(user.0)
        .fetch_optional(p)
        .await)?;
        // Only a live answer is remembered: a dead family stays dead, and is rare.
        let Some((role, email, None, created_ms)) = row else { return Ok(None) };
        let family = LiveFamily { user_id: user, created_ms, role, email };
        self.cache.put_family(family_id.to_owned(), family.clone(), epoch);
        Ok(live(family))
    }
}

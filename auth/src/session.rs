//! Server-side sessions: an opaque id in a cookie, the state in a tower-sessions store.
//!
//! We use the store (SQLite now, Redis later) but not tower-sessions' middleware, because the
//! policy here needs things that middleware does not do: an absolute timeout beside the idle
//! one, idle-timeout writes throttled instead of a save on every request, and a removal cookie
//! that a browser honours for a `__Host-` name.

use std::{collections::HashMap, fmt, str::FromStr, sync::Arc};

use serde_json::Value;
use time::{Duration, OffsetDateTime};
use tower_sessions::{
    session::{Id, Record},
    session_store::SessionStore,
};

use crate::{access_cache::AccessCache, clock::Clock, error::StoreError, UserId};

/// The session id as carried by the cookie. 128 random bits; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(Id);

impl SessionToken {
    /// Longest cookie value we even try to parse (an id is 22 characters of base64).
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Option<Self> {
        if raw.len() > Self::MAX_LEN {
            return None;
        }
        Id::from_str(raw).ok().map(Self)
    }

    /// The cookie value. Only for the Set-Cookie header: never log it.
    pub fn expose(&self) -> String {
        self.0.to_string()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Signed out after this long without a request.
    pub idle_timeout: Duration,
    /// Signed out this long after login, however active.
    pub absolute_timeout: Duration,
    /// `last_seen` is written at most this often. Saving on every request costs ~30x throughput
    /// on SQLite; the price is that the idle timeout may fire up to this much early.
    pub touch_interval: Duration,
}

impl SessionPolicy {
    pub fn new(idle_timeout: Duration, absolute_timeout: Duration) -> Self {
        // A tenth of the idle timeout, capped at a minute: precise enough, rarely written.
        let touch_interval = std::cmp::min(idle_timeout / 10_i32, Duration::minutes(1));
        Self { idle_timeout, absolute_timeout, touch_interval }
    }

    pub fn expires_at(&self, s: &SessionState) -> OffsetDateTime {
        (s.last_seen + self.idle_timeout).min(s.auth_at + self.absolute_timeout)
    }

    pub fn check(&self, s: &SessionState, now: OffsetDateTime) -> Freshness {
        if now >= s.auth_at + self.absolute_timeout {
            Freshness::Expired(Expiry::Absolute)
        } else if now >= s.last_seen + self.idle_timeout {
            Freshness::Expired(Expiry::Idle)
        } else if now - s.last_seen >= self.touch_interval {
            Freshness::NeedsTouch
        } else {
            Freshness::Fresh
        }
    }
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self::new(Duration::minutes(30), Duration::hours(8))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    NeedsTouch,
    Expired(Expiry),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Idle,
    Absolute,
}

/// What the store keeps for a signed-in browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionState {
    pub user_id: UserId,
    pub auth_at: OffsetDateTime,
    pub last_seen: OffsetDateTime,
}

impl SessionState {
    // Times are unix milliseconds: seconds would make short timeouts up to a second early.
    fn to_data(self) -> HashMap<String, Value> {
        let ms = |t: OffsetDateTime| Value::from((t.unix_timestamp_nanos() / 1_000_000) as i64);
        HashMap::from([
            ("user_id".to_owned(), Value::from(self.user_id.0)),
            ("auth_at".to_owned(), ms(self.auth_at)),
            ("last_seen".to_owned(), ms(self.last_seen)),
        ])
    }

    /// `None` for a record this code did not write (treated as no session).
    fn from_data(data: &HashMap<String, Value>) -> Option<Self> {
        let int = |k: &str| data.get(k).and_then(Value::as_i64);
        let at = |k: &str| {
            int(k).and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
        };
        Some(Self { user_id: UserId(int("user_id")?), auth_at: at("auth_at")?, last_seen: at("last_seen")? })
    }
}

/// Sessions over any tower-sessions store.
#[derive(Debug, Clone)]
pub struct Sessions {
    store: Arc<dyn SessionStore>,
    policy: SessionPolicy,
    clock: Arc<dyn Clock>,
    cache: AccessCache,
}

impl Sessions {
    pub fn new(store: Arc<dyn SessionStore>, policy: SessionPolicy, clock: Arc<dyn Clock>) -> Self {
        Self::with_cache(store, policy, clock, AccessCache::off())
    }

    /// Sessions that `resolve` from `cache` when it can (see `access_cache`).
    pub fn with_cache(store: Arc<dyn SessionStore>, policy: SessionPolicy, clock: Arc<dyn Clock>, cache: AccessCache) -> Self {
        Self { store, policy, clock, cache }
    }

    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }

    /// Starts a session under a fresh id. Any session the browser already presented is deleted
    /// first, so an id planted before login is worthless after it (session fixation).
    pub async fn start(&self, user_id: UserId, previous: Option<&SessionToken>) -> Result<(SessionToken, SessionState), StoreError> {
        if let Some(old) = previous {
            self.delete(old).await?;
        }
        let now = self.clock.now();
        let state = SessionState { user_id, auth_at: now, last_seen: now };
        let mut record = Record { id: Id::default(), data: state.to_data(), expiry_date: self.policy.expires_at(&state) };
        // `create` re-rolls the id on the (astronomically unlikely) collision.
        self.store.create(&mut record).await?;
        Ok((SessionToken(record.id), state))
    }

    /// The live session behind a token, or `None` if there is none (never existed, logged out,
    /// expired). Expired records are deleted on sight; `last_seen` is refreshed when due.
    pub async fn resolve(&self, token: &SessionToken) -> Result<Option<SessionState>, StoreError> {
        let now = self.clock.now();
        // A remembered state answers only while it needs no write; a touch or an expiry goes
        // through the store as before.
        if let Some(state) = self.cache.session(&token.0) {
            if self.policy.check(&state, now) == Freshness::Fresh {
                return Ok(Some(state));
            }
        }
        let epoch = self.cache.epoch();
        let Some(record) = self.store.load(&token.0).await? else { return Ok(None) };
        let Some(mut state) = SessionState::from_data(&record.data) else { return Ok(None) };
        match self.policy.check(&state, now) {
            Freshness::Expired(_) => {
                self.cache.forget_session(&token.0);
                self.store.delete(&token.0).await?;
                Ok(None)
            }
            Freshness::NeedsTouch => {
                state.last_seen = now;
                let record = Record { id: record.id, data: state.to_data(), expiry_date: self.policy.expires_at(&state) };
                self.store.save(&record).await?;
                self.cache.put_session(token.0, state, epoch);
                Ok(Some(state))
            }
            Freshness::Fresh => {
                self.cache.put_session(token.0, state, epoch);
                Ok(Some(state))
            }
        }
    }

    /// The live state behind a token, without touching it (for listing devices).
    pub async fn peek(&self, token: &SessionToken) -> Result<Option<SessionState>, StoreError> {
        let Some(record) = self.store.load(&token.0).await? else { return Ok(None) };
        Ok(SessionState::from_data(&record.data).filter(|s| !matches!(self.policy.check(s, self.clock.now()), Freshness::Expired(_))))
    }

    /// Deletes the record: the id is dead everywhere from this moment.
    pub async fn end(&self, token: &SessionToken) -> Result<(), StoreError> {
        self.delete(token).await
    }

    /// Deletes a record, and retires the access cache if there was one to delete: a logout
    /// with a made-up id needs no sign-in, and must not empty the cache for everyone.
    async fn delete(&self, token: &SessionToken) -> Result<(), StoreError> {
        let existed = !self.cache.is_on() || self.store.load(&token.0).await?.is_some();
        let deleted = self.store.delete(&token.0).await;
        if existed {
            // Also after an error: the delete may have landed; a spare bump costs one reload.
            self.cache.invalidate();
        }
        Ok(deleted?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;
    use tower_sessions::MemoryStore;

    /// Whole milliseconds (what the store keeps) and near the real time, because the memory
    /// store itself drops records whose expiry is in the real past.
    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
    }

    fn sessions(clock: &ManualClock) -> Sessions {
        let policy = SessionPolicy::new(Duration::minutes(30), Duration::hours(8));
        Sessions::new(Arc::new(MemoryStore::default()), policy, Arc::new(clock.clone()))
    }

    #[test]
    fn the_policy_expires_on_idle_and_on_absolute_age() {
        let p = SessionPolicy::new(Duration::minutes(30), Duration::hours(8));
        let s = SessionState { user_id: UserId(1), auth_at: t0(), last_seen: t0() };
        assert_eq!(p.check(&s, t0() + Duration::seconds(5)), Freshness::Fresh);
        assert_eq!(p.check(&s, t0() + Duration::minutes(2)), Freshness::NeedsTouch);
        assert_eq!(p.check(&s, t0() + Duration::minutes(30)), Freshness::Expired(Expiry::Idle));
        let busy = SessionState { last_seen: t0() + Duration::hours(8), ..s };
        assert_eq!(p.check(&busy, t0() + Duration::hours(8)), Freshness::Expired(Expiry::Absolute));
        assert_eq!(p.expires_at(&s), t0() + Duration::minutes(30));
        let late = SessionState { last_seen: t0() + Duration::minutes(470), ..s };
        assert_eq!(p.expires_at(&late), t0() + Duration::hours(8));
    }

    #[test]
    fn garbage_tokens_do_not_parse() {
        assert!(SessionToken::parse("").is_none());
        assert!(SessionToken::parse("not base64 !!").is_none());
        assert!(SessionToken::parse(&"A".repeat(500)).is_none());
    }

    #[tokio::test]
    async fn a_session_lives_while_used_and_dies_when_idle() {
        let clock = ManualClock::new(t0());
        let s = sessions(&clock);
        let (token, _) = s.start(UserId(7), None).await.unwrap();
        for _ in 0..10 {
            clock.advance(Duration::minutes(20));
            assert_eq!(s.resolve(&token).await.unwrap().unwrap().user_id, UserId(7));
        }
        clock.advance(Duration::minutes(31));
        assert!(s.resolve(&token).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_busy_session_still_ends_at_the_absolute_timeout() {
        let clock = ManualClock::new(t0());
        let s = sessions(&clock);
        let (token, _) = s.start(UserId(7), None).await.unwrap();
        for _ in 0..(8 * 4 - 1) {
            clock.advance(Duration::minutes(15));
            assert!(s.resolve(&token).await.unwrap().is_some());
        }
        clock.advance(Duration::minutes(15));
        assert!(s.resolve(&token).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn starting_a_session_kills_the_one_presented() {
        let clock = ManualClock::new(t0());
        let s = sessions(&clock);
        let (old, _) = s.start(UserId(1), None).await.unwrap();
        let (new, _) = s.start(UserId(1), Some(&old)).await.unwrap();
        assert_ne!(old, new);
        assert!(s.resolve(&old).await.unwrap().is_none());
        assert!(s.resolve(&new).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn an_ended_session_is_gone() {
        let clock = ManualClock::new(t0());
        let s = sessions(&clock);
        let (token, _) = s.start(UserId(1), None).await.unwrap();
        s.end(&token).await.unwrap();
        assert!(s.resolve(&token).await.unwrap().is_none());
    }

    fn cached_sessions(clock: &ManualClock) -> (Sessions, Arc<MemoryStore>) {
        let policy = SessionPolicy::new(Duration::minutes(30), Duration::hours(8));
        let store = Arc::new(MemoryStore::default());
        let cache = AccessCache::new(std::time::Duration::from_secs(60), true);
        (Sessions::with_cache(store.clone(), policy, Arc::new(clock.clone()), cache), store)
    }

    #[tokio::test]
    async fn a_cached_session_answers_without_the_store_and_still_touches_and_ends() {
        let clock = ManualClock::new(t0());
        let (s, store) = cached_sessions(&clock);
        let (token, _) = s.start(UserId(7), None).await.unwrap();
        assert!(s.resolve(&token).await.unwrap().is_some());
        // Gone from the store behind the cache's back: a fresh entry still answers, which is
        // what proves the store is not read (and why only this process may write it).
        store.delete(&token.0).await.unwrap();
        assert!(s.resolve(&token).await.unwrap().is_some());
        // Once a touch is due, the store is read again.
        clock.advance(Duration::minutes(4));
        assert!(s.resolve(&token).await.unwrap().is_none());

        let (token, _) = s.start(UserId(7), None).await.unwrap();
        assert!(s.resolve(&token).await.unwrap().is_some());
        clock.advance(Duration::minutes(4));
        assert!(s.resolve(&token).await.unwrap().is_some(), "touched through the store");
        let stored = store.load(&token.0).await.unwrap().unwrap();
        assert_eq!(SessionState::from_data(&stored.data).unwrap().last_seen, clock.now());
        // Ending a session that does not exist (a made-up cookie) leaves the cache alone...
        let (other, _) = Sessions::new(store.clone(), *s.policy(), Arc::new(clock.clone())).start(UserId(8), None).await.unwrap();
        store.delete(&other.0).await.unwrap();
        s.end(&other).await.unwrap();
        store.delete(&token.0).await.unwrap();
        assert!(s.resolve(&token).await.unwrap().is_some(), "still answered from the cache");
        let (token, _) = s.start(UserId(7), None).await.unwrap();
        assert!(s.resolve(&token).await.unwrap().is_some());
        // ...and a real logout retires the cached answer at once.
        s.end(&token).await.unwrap();
        assert!(s.resolve(&token).await.unwrap().is_none());
    }
}

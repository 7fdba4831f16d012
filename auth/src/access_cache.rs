//! An in-process memo of what the stores said about a credential, for a server that owns its
//! stores (a single instance on SQLite).
//!
//! Session records, users and live refresh families are remembered after a store read, so a
//! request with a known credential costs no store round trip. That is only correct where
//! every write that can take access away runs in this process, so the rule is simple enough to
//! check by reading:
//!
//! - Every such write (logout, revoke, sign-out-everywhere, role change, disable, refresh
//!   reuse) calls `invalidate()` after it commits. That bumps one epoch and so retires *every*
//!   entry at once, not just the ones it concerns: no write has to know what the cache holds.
//! - A reader takes the epoch *before* it reads the store, and its entry is tagged with it. If
//!   a write commits after that read, the bump follows the commit, so the entry is stale before
//!   anyone can use it. An entry is served only while the epoch is still the one it was read
//!   under.
//! - Entries also age out after `max_age`, which bounds how long a change made outside this
//!   process can go unseen: `create-admin` promoting an account from another shell, or an
//!   operator's SQL.
//!
//! Where several instances share the stores (PostgreSQL, or sessions in Redis) another
//! instance's logout would not bump our epoch, so the server leaves the cache off there (or,
//! for sessions in Redis, leaves the session part off). Writes never bump an epoch that no
//! cache reads; with the cache off every call here is a no-op.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use tower_sessions::session::Id;

use crate::{session::SessionState, User, UserId};

/// At most this many entries per kind; past it, the oldest half of the work is redone.
const MAX_ENTRIES: usize = 50_000;

/// What the revocation check of an access token reads: the family's owner and birth, the
/// owner's role and email. Present only while the family is unrevoked and the owner enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFamily {
    pub user_id: UserId,
    pub created_ms: i64,
    pub role: String,
    pub email: String,
}

/// Cheap to clone; every store of one `AuthService` holds the same cache.
#[derive(Debug, Clone, Default)]
pub struct AccessCache(Option<Arc<Inner>>);

#[derive(Debug)]
struct Inner {
    epoch: AtomicU64,
    max_age: Duration,
    /// Off where sessions live in a store other instances write (Redis).
    sessions_on: bool,
    sessions: Memo<Id, SessionState>,
    users: Memo<UserId, User>,
    families: Memo<String, LiveFamily>,
}

/// The epoch a reader saw before it read the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epoch(u64);

impl AccessCache {
    /// No caching: every lookup goes to the stores.
    pub fn off() -> Self {
        Self(None)
    }

    /// Users and families cached; session records too if `sessions` (they live in our database).
    pub fn new(max_age: Duration, sessions: bool) -> Self {
        Self(Some(Arc::new(Inner {
            epoch: AtomicU64::new(0),
            max_age,
            sessions_on: sessions,
            sessions: Memo::default(),
            users: Memo::default(),
            families: Memo::default(),
        })))
    }

    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    pub fn sessions_on(&self) -> bool {
        self.0.as_ref().is_some_and(|i| i.sessions_on)
    }

    /// Take this before reading the store; tag what you read with it.
    pub fn epoch(&self) -> Epoch {
        // Acquire pairs with the Release in `invalidate`: a reader that sees the new epoch
        // also sees everything the write did before it.
        Epoch(self.0.as_ref().map_or(0, |i| i.epoch.load(Ordering::Acquire)))
    }

    /// After a write that can take access away has committed: retires every entry.
    pub fn invalidate(&self) {
        if let Some(i) = &self.0 {
            i.epoch.fetch_add(1, Ordering::Release);
        }
    }

    /// `invalidate` unless the write reports that it changed no row. An error counts as a
    /// change: the write may have landed before it failed.
    pub fn invalidate_unless_nothing_changed<E>(&self, rows_affected: &Result<u64, E>) {
        if !matches!(rows_affected, Ok(0)) {
            self.invalidate();
        }
    }

    pub(crate) fn session(&self, id: &Id) -> Option<SessionState> {
        let i = self.0.as_ref().filter(|i| i.sessions_on)?;
        i.sessions.get(id, i.current(), i.max_age)
    }

    pub(crate) fn put_session(&self, id: Id, state: SessionState, read_under: Epoch) {
        if let Some(i) = self.0.as_ref().filter(|i| i.sessions_on) {
            i.sessions.put(id, state, read_under.0, i.current());
        }
    }

    pub(crate) fn forget_session(&self, id: &Id) {
        if let Some(i) = &self.0 {
            i.sessions.remove(id);
        }
    }

    pub(crate) fn user(&self, id: UserId) -> Option<User> {
        let i = self.0.as_ref()?;
        i.users.get(&id, i.current(), i.max_age)
    }

    pub(crate) fn put_user(&self, user: User, read_under: Epoch) {
        if let Some(i) = &self.0 {
            i.users.put(user.id, user, read_under.0, i.current());
        }
    }

    pub(crate) fn family(&self, id: &str) -> Option<LiveFamily> {
        let i = self.0.as_ref()?;
        i.families.get(id, i.current(), i.max_age)
    }

    pub(crate) fn put_family(&self, id: String, family: LiveFamily, read_under: Epoch) {
        if let Some(i) = &self.0 {
            i.families.put(id, family, read_under.0, i.current());
        }
    }

    /// Entries held (sessions, users, families), for the inspector and the load-test report.
    pub fn len(&self) -> (usize, usize, usize) {
        self.0.as_ref().map_or((0, 0, 0), |i| (i.sessions.len(), i.users.len(), i.families.len()))
    }
}

impl Inner {
    fn current(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }
}

#[derive(Debug)]
struct Memo<K, V>(Mutex<HashMap<K, Slot<V>>>);

#[derive(Debug)]
struct Slot<V> {
    value: V,
    epoch: u64,
    at: Instant,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Slot<V>>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get<Q>(&self, key: &Q, epoch: u64, max_age: Duration) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let map = self.lock();
        map.get(key).filter(|s| s.epoch == epoch && s.at.elapsed() < max_age).map(|s| s.value.clone())
    }

    fn put(&self, key: K, value: V, epoch: u64, current: u64) {
        let mut map = self.lock();
        if map.len() >= MAX_ENTRIES {
            // Stale entries first; if the live ones alone fill it, start over (they reload).
            map.retain(|_, s| s.epoch == current);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, Slot { value, epoch, at: Instant::now() });
    }

    fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().remove(key);
    }

    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(role: &str) -> LiveFamily {
        LiveFamily { user_id: UserId(1), created_ms: 0, role: role.into(), email: "a@example.com".into() }
    }

    #[test]
    fn an_entry_is_served_until_any_write_invalidates() {
        let c = AccessCache::new(Duration::from_secs(60), true);
        let e = c.epoch();
        c.put_family("f".into(), family("user"), e);
        assert_eq!(c.family("f"), Some(family("user")));
        c.invalidate();
        assert_eq!(c.family("f"), None);
    }

    #[test]
    fn a_read_that_raced_a_write_is_never_served() {
        // The reader took the epoch, then read the store before the write committed; the write
        // bumped after committing; the reader stores its (old) answer afterwards.
        let c = AccessCache::new(Duration::from_secs(60), true);
        let before_read = c.epoch();
        c.invalidate();
        c.put_family("f".into(), family("admin"), before_read);
        assert_eq!(c.family("f"), None, "an answer read under an older epoch must not be served");
        // A read after the write is.
        let after = c.epoch();
        c.put_family("f".into(), family("user"), after);
        assert_eq!(c.family("f"), Some(family("user")));
    }

    #[test]
    fn a_write_that_changed_nothing_keeps_the_cache() {
        let c = AccessCache::new(Duration::from_secs(60), true);
        c.put_family("f".into(), family("user"), c.epoch());
        c.invalidate_unless_nothing_changed(&Ok::<u64, ()>(0));
        assert!(c.family("f").is_some(), "a replayed logout must not empty the cache");
        c.invalidate_unless_nothing_changed(&Err::<u64, ()>(()));
        assert!(c.family("f").is_none(), "a failed write may have landed");
    }

    #[test]
    fn entries_age_out() {
        let c = AccessCache::new(Duration::from_millis(30), true);
        c.put_family("f".into(), family("user"), c.epoch());
        assert!(c.family("f").is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(c.family("f"), None);
    }

    #[test]
    fn off_caches_nothing_and_sessions_can_be_off_alone() {
        let off = AccessCache::off();
        off.put_family("f".into(), family("user"), off.epoch());
        assert_eq!(off.family("f"), None);

        let no_sessions = AccessCache::new(Duration::from_secs(60), false);
        let id = Id::default();
        let t = time::OffsetDateTime::UNIX_EPOCH;
        no_sessions.put_session(id, SessionState { user_id: UserId(1), auth_at: t, last_seen: t }, no_sessions.epoch());
        assert_eq!(no_sessions.session(&id), None);
        no_sessions.put_family("f".into(), family("user"), no_sessions.epoch());
        assert!(no_sessions.family("f").is_some());
    }

    #[test]
    fn the_map_stays_bounded() {
        let c = AccessCache::new(Duration::from_secs(60), true);
        let e = c.epoch();
        for n in 0..(MAX_ENTRIES + 10) {
            c.put_family(n.to_string(), family("user"), e);
        }
        assert!(c.len().2 <= MAX_ENTRIES);
    }
}

//! Where session records live: the tower-sessions table of the database (the default), or
//! Redis (`SESSION_STORE_URL=redis://...`), which several server instances can share.

use std::{sync::Arc, time::Duration};

use tower_sessions::session_store::{ExpiredDeletion, SessionStore};
use tower_sessions_redis_store::{
    fred::prelude::{ClientLike, KeysInterface},
    fred::types::{
        config::{Config, ReconnectPolicy},
        Builder,
    },
    RedisStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::{
    db::{with_pool, Pool},
    error::StoreError,
};

pub type RedisPool = tower_sessions_redis_store::fred::clients::Pool;

#[derive(Debug, Clone)]
pub enum SessionBackend {
    /// The tower-sessions table in the main database.
    Database(Pool),
    Redis(RedisPool),
}

impl SessionBackend {
    /// Connects to Redis. Fails at once when Redis can't be reached (a start should say so);
    /// afterwards the client reconnects on its own, and a command waits at most `timeout`,
    /// so an outage turns into quick errors (503s), never into hung requests.
    pub async fn connect_redis(url: &str, timeout: Duration) -> Result<Self, StoreError> {
        let config = Config::from_url(url)?;
        let pool = Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = timeout;
                c.internal_command_timeout = timeout;
                // A command caught by a dropped connection is not retried forever.
                c.max_command_attempts = 1;
            })
            .with_performance_config(|p| p.default_command_timeout = timeout)
            .set_policy(ReconnectPolicy::new_constant(0, 250))
            // One connection: fred pipelines the commands of concurrent requests onto it, so 32
            // session reads in flight cost one write and one read syscall instead of 32 each.
            // Measured with wrk on 2 cores: 20.0k session requests/s with 1 connection, 17.8k
            // with 2, 16.4k with 4 (bench/REPORT.md has the full run).
            .build_pool(1)?;
        pool.init().await?;
        Ok(Self::Redis(pool))
    }

    /// The tower-sessions store over this backend.
    pub fn store(&self) -> Arc<dyn SessionStore> {
        match self {
            Self::Database(Pool::Sqlite(p)) => Arc::new(SqliteStore::new(p.clone())),
            Self::Database(Pool::Postgres(p)) => Arc::new(PostgresStore::new(p.clone())),
            Self::Redis(p) => Arc::new(RedisStore::new(p.clone())),
        }
    }

    /// What the inspector calls it.
    pub fn describe(&self) -> String {
        match self {
            Self::Database(p) => format!("{} (tower-sessions-sqlx-store)", p.engine()),
            Self::Redis(_) => "Redis (tower-sessions-redis-store)".to_owned(),
        }
    }

    pub fn is_redis(&self) -> bool {
        matches!(self, Self::Redis(_))
    }

    /// Rate-limit counters shared by every instance: in Redis, when sessions are there too.
    pub fn shared_limits(&self) -> Option<crate::shared_limits::SharedLimits> {
        match self {
            Self::Redis(r) => Some(crate::shared_limits::SharedLimits::new(r.clone())),
            Self::Database(_) => None,
        }
    }

    /// The store answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Database(p) => p.ping().await,
            Self::Redis(r) => Ok(r.ping::<()>(None).await?),
        }
    }

    /// Size of one session's stored record, in bytes.
    pub async fn record_bytes(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(match self {
            Self::Database(Pool::Sqlite(p)) => {
                sqlx::query_scalar("SELECT length(data) FROM tower_sessions WHERE id = $1").bind(id).fetch_optional(p).await?
            }
            Self::Database(Pool::Postgres(p)) => {
                sqlx::query_scalar("SELECT CAST(length(data) AS BIGINT) FROM tower_sessions.session WHERE id = $1").bind(id).fetch_optional(p).await?
            }
            Self::Redis(r) => Some(r.strlen::<i64, _>(id).await?).filter(|n| *n > 0),
        })
    }

    /// (records, bytes) in the whole store. In Redis: the keys that are not `sr:` rate-limit
    /// keys, and the dataset's memory, overhead included.
    pub async fn stats(&self) -> Result<(i64, i64), StoreError> {
        Ok(match self {
            Self::Database(pool) => {
                let table = match pool {
                    Pool::Sqlite(_) => "tower_sessions",
                    Pool::Postgres(_) => "tower_sessions.session",
                };
                let sql = format!("SELECT count(*), CAST(coalesce(sum(length(data)), 0) AS BIGINT) FROM {table}");
                with_pool!(pool, p => sqlx::query_as(&sql).fetch_one(p).await)?
            }
            Self::Redis(r) => {
                use futures_util::StreamExt;
                // SCAN, not KEYS: it never blocks Redis, however many keys there are. Counting
                // the non-`sr:` keys (not DBSIZE minus the `sr:` ones) keeps a rate-limit key
                // that expires mid-count from being taken for a session.
                let mut all = r.next().scan_buffered("*", Some(1000), None);
                let mut keys = 0i64;
                while let Some(key) = all.next().await {
                    if !key?.as_str().is_some_and(|k| k.starts_with("sr:")) {
                        keys += 1;
                    }
                }
                let info: String = r.info(Some(tower_sessions_redis_store::fred::types::InfoKind::Memory)).await?;
                let bytes = info.lines().find_map(|l| l.strip_prefix("used_memory_dataset:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
                (keys, if keys == 0 { 0 } else { bytes })
            }
        })
    }

    /// Deletes expired records every `period`, forever (spawn it). Expired records are already
    /// refused on read; this only keeps the table from growing. Redis expires keys itself.
    pub async fn delete_expired_every(self, period: Duration) {
        let Self::Database(pool) = self else { return };
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            let done = match &pool {
                Pool::Sqlite(p) => SqliteStore::new(p.clone()).delete_expired().await,
                Pool::Postgres(p) => PostgresStore::new(p.clone()).delete_expired().await,
            };
            if let Err(e) = done {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
        }
    }
}

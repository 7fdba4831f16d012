//! Which sessions belong to which user, so they can be listed and ended per user.

use crate::db::{with_pool, Pool};
use time::OffsetDateTime;

use crate::{error::StoreError, service::ClientInfo, UserId};

#[derive(Debug, Clone)]
pub struct IndexedSession {
    /// The session id: only for ending the session, never shown.
    pub id: String,
    pub fingerprint: String,
    pub created_at: OffsetDateTime,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionIndex {
    pool: Pool,
}

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl SessionIndex {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, id: &str, user: UserId, now: OffsetDateTime, client: &ClientInfo) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query("INSERT INTO session_index (id, fingerprint, user_id, created_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, user_id = excluded.user_id,
             created_at = excluded.created_at, user_agent = excluded.user_agent, ip = excluded.ip")
            .bind(id)
            .bind(crate::fingerprint(id))
            .bind(user.0)
            .bind(ms(now))
            .bind(client.user_agent.as_deref().map(|ua| ua.chars().take(256).collect::<String>()))
            .bind(client.ip.as_deref())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query("DELETE FROM session_index WHERE id = $1").bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn for_user(&self, user: UserId) -> Result<Vec<IndexedSession>, StoreError> {
        let rows: Vec<(String, String, i64, Option<String>, Option<String>)> = with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, fingerprint, created_at, user_agent, ip FROM session_index WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user.0)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, fingerprint, created, user_agent, ip)| IndexedSession {
                id,
                fingerprint,
                created_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(created) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                user_agent,
                ip,
            })
            .collect())
    }
}

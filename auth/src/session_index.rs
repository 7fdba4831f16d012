//! Which sessions belong to which user, so they can be listed and ended per user.

use sqlx::SqlitePool;
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
    pool: SqlitePool,
}

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl SessionIndex {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, id: &str, user: UserId, now: OffsetDateTime, client: &ClientInfo) -> Result<(), StoreError> {
        sqlx::query("INSERT OR REPLACE INTO session_index (id, fingerprint, user_id, created_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(id)
            .bind(crate::fingerprint(id))
            .bind(user.0)
            .bind(ms(now))
            .bind(client.user_agent.as_deref().map(|ua| ua.chars().take(256).collect::<String>()))
            .bind(client.ip.as_deref())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM session_index WHERE id = ?").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Size of the session's record in the tower-sessions table, in bytes.
    pub async fn record_bytes(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT length(data) FROM tower_sessions WHERE id = ?").bind(id).fetch_optional(&self.pool).await?)
    }

    pub async fn for_user(&self, user: UserId) -> Result<Vec<IndexedSession>, StoreError> {
        let rows: Vec<(String, String, i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT id, fingerprint, created_at, user_agent, ip FROM session_index WHERE user_id = ? ORDER BY created_at DESC",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
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

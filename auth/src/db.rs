//! Opening and migrating the embedded SQLite database.

use std::{str::FromStr, time::Duration};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions_sqlx_store::SqliteStore;

use crate::error::StoreError;

/// The database pool, named once so callers need not know which engine it is.
pub type Pool = SqlitePool;

/// The default: a file next to the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.db";

/// Opens (creating the file and its folder if needed) and migrates the database, including the
/// session table of the tower-sessions SQLite store.
pub async fn connect(database_url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        // WAL lets readers (every authenticated request) proceed while a login writes.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let file = options.get_filename();
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    SqliteStore::new(pool.clone()).migrate().await?;
    Ok(pool)
}

/// `SELECT 1`: the database answers.
pub async fn ping(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// Deletes expired session records every `period`, forever (spawn it). Expired records are
/// already refused on read; this only keeps the table from growing.
pub async fn delete_expired_sessions_every(pool: Pool, period: Duration) {
    let store = SqliteStore::new(pool);
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
    }
}

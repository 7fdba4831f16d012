//! Opening and migrating the database: SQLite (the embedded default) or PostgreSQL (for several
//! instances), chosen by the scheme of `DATABASE_URL`.
//!
//! The stores write each query once, in SQL both engines accept (`$1` placeholders, `ON
//! CONFLICT`, BIGINT-sized integers), and `with_pool!` runs it on whichever pool is open. Each
//! engine has its own migrations folder with the same versions, so the schemas stay twins.

use std::{str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous},
};

use crate::error::StoreError;

/// The default: a file next to the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.db";

/// The open database. Cloning is cheap (a pool handle).
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to the engine's own pool (or transaction source). The body is
/// compiled once per engine, so row and argument types are checked against both.
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use with_pool;

impl Pool {
    /// What the UI and the logs call it.
    pub fn engine(&self) -> &'static str {
        match self {
            Pool::Sqlite(_) => "SQLite",
            Pool::Postgres(_) => "PostgreSQL",
        }
    }

    /// `SELECT 1`: the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(drop))?;
        Ok(())
    }

    /// Case-sensitive "contains" in SQL: `instr(haystack, needle)` on SQLite, `strpos` on
    /// PostgreSQL (the only SQL here that differs by engine).
    pub(crate) fn contains_fn(&self) -> &'static str {
        match self {
            Pool::Sqlite(_) => "instr",
            Pool::Postgres(_) => "strpos",
        }
    }
}

/// Whether the URL names a PostgreSQL server (otherwise it must be SQLite).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens and migrates the database, including the session table of the tower-sessions store
/// for that engine (used unless sessions live in Redis). SQLite creates its file and folder.
/// `timeout` bounds every wait for a connection: a start against a database that isn't there
/// fails with a message instead of hanging, and so does a request while it is down (a 503).
pub async fn connect(database_url: &str, timeout: Duration) -> Result<Pool, StoreError> {
    if is_postgres_url(database_url) {
        let options = PgConnectOptions::from_str(database_url)?;
        // One plain connection first: its error says why ("Connection refused", a bad
        // password), where the pool would only report that it timed out.
        tokio::time::timeout(timeout, sqlx::Connection::connect_with(&options))
            .await
            .map_err(|_| StoreError::Config(format!("no answer from the database within {timeout:?}")))?
            .map(|c: sqlx::PgConnection| drop(c))?;
        let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(timeout).connect_with(options).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        tower_sessions_sqlx_store::PostgresStore::new(pool.clone()).migrate().await?;
        return Ok(Pool::Postgres(pool));
    }
    if !database_url.starts_with("sqlite:") {
        return Err(StoreError::Config(format!(
            "DATABASE_URL must start with sqlite:// or postgres://, not {:?}",
            database_url.split(':').next().unwrap_or_default()
        )));
    }
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
    let pool = SqlitePoolOptions::new().max_connections(8).acquire_timeout(timeout.max(Duration::from_secs(5))).connect_with(options).await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    tower_sessions_sqlx_store::SqliteStore::new(pool.clone()).migrate().await?;
    Ok(Pool::Sqlite(pool))
}

//! Several server instances on one PostgreSQL and one Redis, and the faults they must survive.
//!
//! These need real engines: the throwaway servers of `scripts/services.sh start`, named by
//! TEST_DATABASE_URL and TEST_REDIS_URL. They are `#[ignore]`d so that a plain `cargo test`
//! without those servers reports them as not run (never as passed); scripts/test.sh starts
//! the servers and runs them with `--ignored`.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod faults;
mod proxy;
mod two_instances;

/// Fails loudly when the engines are not configured: a scale-out test on SQLite proves nothing.
pub fn engines() -> (String, String) {
    let db = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    let redis = std::env::var("TEST_REDIS_URL").unwrap_or_default();
    assert!(
        db.starts_with("postgres") && redis.starts_with("redis"),
        "set TEST_DATABASE_URL=postgres://... and TEST_REDIS_URL=redis://... (scripts/services.sh start; scripts/services.sh env)"
    );
    (db, redis)
}

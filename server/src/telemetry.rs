//! Logging. Nothing here or anywhere else logs a password, cookie or token value: handlers log
//! user ids and outcomes only, and the HTTP trace records method, path and status.

use tracing_subscriber::EnvFilter;

pub fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("warning: bad LOG_LEVEL {filter:?} ({e}); using info");
        EnvFilter::new("info")
    });
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

//! The Secure Routes server: configuration, the request-auth layer, the JSON API and the Leptos
//! SSR routes, assembled into one axum router.

pub mod api;
pub mod auth_layer;
pub mod commands;
pub mod config;
pub mod error;
pub mod rate_limit;
pub mod router;
pub mod security;
pub mod telemetry;

use std::sync::Arc;

use tokio::net::TcpListener;

pub use config::Settings;

/// Anything that stops the server from starting or serving.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not open the database {url}: {source}")]
    Database { url: String, source: auth::StoreError },
    #[error("could not reach the session store {url}: {source}")]
    SessionStore { url: String, source: auth::StoreError },
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Input(String),
}

/// Opens the database (and Redis, when sessions live there) and builds the auth service.
/// Either one unreachable is an error here: a server that can't reach its stores at start
/// says so and exits instead of serving 503s.
pub async fn auth_service(settings: &Settings) -> Result<(auth::AuthService, auth::SessionBackend), StartError> {
    let pool = auth::db::connect(&settings.database_url, settings.store_timeout)
        .await
        .map_err(|source| StartError::Database { url: settings.database_url_for_display(), source })?;
    let sessions = match &settings.session_store_url {
        Some(url) => auth::SessionBackend::connect_redis(url, settings.store_timeout)
            .await
            .map_err(|source| StartError::SessionStore { url: config::redact_url(url), source })?,
        None => auth::SessionBackend::Database(pool.clone()),
    };
    let service = auth::AuthService::open(pool, sessions.clone(), &settings.auth_config(), Arc::new(auth::SystemClock)).await?;
    Ok((service, sessions))
}

/// Serves on the configured address until SIGTERM or Ctrl-C.
pub async fn run(settings: Settings) -> Result<(), StartError> {
    let listener = TcpListener::bind(&settings.addr).await.map_err(|source| StartError::Bind { addr: settings.addr.clone(), source })?;
    serve(settings, listener, shutdown_signal()).await
}

/// Serves on an already bound listener (tests bind port 0) until `shutdown` resolves, then
/// stops accepting and lets in-flight requests finish.
pub async fn serve(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let (service, sessions) = auth_service(&settings).await?;
    tracing::info!(database = %settings.database_url_for_display(), sessions = %sessions.describe(), access_cache = settings.access_cache, "stores open");
    let cleanup = tokio::spawn(sessions.clone().delete_expired_every(settings.cleanup_interval));
    let key_reload = tokio::spawn(reload_keys_every(service.clone(), settings.key_reload_interval));
    let limits = rate_limit::Limits::new(settings.auth_rate_per_minute, settings.refresh_rate_per_minute).shared(sessions.shared_limits());
    let sweep = tokio::spawn(sweep_every(limits.clone(), std::time::Duration::from_secs(60)));
    let app = router::build(&settings, service, limits);
    tracing::info!(addr = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(), "listening");
    let result = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(StartError::Serve);
    cleanup.abort();
    key_reload.abort();
    sweep.abort();
    result
}

async fn reload_keys_every(service: auth::AuthService, period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(e) = service.reload_keys().await {
            tracing::warn!(error = %e, "could not reload signing keys");
        }
    }
}

async fn sweep_every(limits: rate_limit::Limits, period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        limits.sweep();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

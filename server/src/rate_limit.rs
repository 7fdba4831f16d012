//! Per-address rate limits on the endpoints that cost a password hash or mint credentials:
//! login, register and token (one budget), and refresh (a larger one: several tabs refresh).
//! GCRA buckets (governor), keyed by the client address as `security::ClientIp` resolved it, so
//! a spoofed `X-Forwarded-For` only counts when it comes through a trusted proxy.
//!
//! With Redis configured the budgets are shared by every instance (the same GCRA, computed in
//! Redis by `auth::shared_limits`); the in-process buckets then only stand in while Redis can't
//! be reached, so an outage weakens the limit to per instance, never to none.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::{error::ApiError, security::ClientIp};

#[derive(Clone)]
pub struct Limits {
    credentials: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    refresh: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    per_minute: (u32, u32),
    shared: Option<auth::shared_limits::SharedLimits>,
}

/// Which budget a request draws on, if any.
fn bucket(method: &Method, path: &str) -> Option<Bucket> {
    match (method, path) {
        (&Method::POST, "/api/auth/login" | "/api/auth/register" | "/api/auth/token" | "/sf/login" | "/sf/register") => Some(Bucket::Credentials),
        (&Method::POST | &Method::GET, "/api/auth/refresh") => Some(Bucket::Refresh),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Credentials,
    Refresh,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub fn new(credentials_per_minute: u32, refresh_per_minute: u32) -> Self {
        Self {
            credentials: Arc::new(RateLimiter::keyed(per_minute(credentials_per_minute))),
            refresh: Arc::new(RateLimiter::keyed(per_minute(refresh_per_minute))),
            per_minute: (credentials_per_minute, refresh_per_minute),
            shared: None,
        }
    }

    pub fn shared(mut self, shared: Option<auth::shared_limits::SharedLimits>) -> Self {
        self.shared = shared;
        self
    }

    /// The shared budget when there is one, else (or while Redis is unreachable) this
    /// instance's.
    async fn check_now(&self, bucket: Bucket, ip: IpAddr) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            let (name, limit) = match bucket {
                Bucket::Credentials => ("credentials", self.per_minute.0),
                Bucket::Refresh => ("refresh", self.per_minute.1),
            };
            match shared.hit(&format!("{name}:{ip}"), limit.max(1), Duration::from_secs(60)).await {
                Ok(verdict) => return verdict,
                Err(e) => tracing::warn!(error = %e, "shared rate limit unreachable; using this instance's"),
            }
        }
        self.check(bucket, ip)
    }

    /// `Err(wait)` when the address has spent its budget.
    fn check(&self, bucket: Bucket, ip: IpAddr) -> Result<(), Duration> {
        let limiter = match bucket {
            Bucket::Credentials => &self.credentials,
            Bucket::Refresh => &self.refresh,
        };
        limiter.check_key(&ip).map_err(|not_until| not_until.wait_time_from(governor::clock::DefaultClock::default().now()))
    }

    /// Drops the state of addresses whose buckets are full again, so memory stays bounded.
    pub fn sweep(&self) {
        self.credentials.retain_recent();
        self.refresh.retain_recent();
    }
}

pub async fn enforce(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    let Some(bucket) = bucket(req.method(), req.uri().path()) else { return next.run(req).await };
    let Some(ClientIp(ip)) = req.extensions().get::<ClientIp>().copied() else { return next.run(req).await };
    match limits.check_now(bucket, ip).await {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            tracing::info!(%ip, path = req.uri().path(), "rate limited");
            let server_fn = req.uri().path().starts_with("/sf/");
            ApiError::too_many_requests(wait, "Too many attempts from your address.", server_fn).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_credential_endpoints_draw_on_the_budgets() {
        assert_eq!(bucket(&Method::POST, "/api/auth/login"), Some(Bucket::Credentials));
        assert_eq!(bucket(&Method::POST, "/sf/register"), Some(Bucket::Credentials));
        assert_eq!(bucket(&Method::GET, "/api/auth/refresh"), Some(Bucket::Refresh));
        assert_eq!(bucket(&Method::GET, "/api/me"), None);
        assert_eq!(bucket(&Method::GET, "/api/auth/login"), None);
    }

    #[test]
    fn a_spent_budget_says_how_long_to_wait() {
        let limits = Limits::new(2, 60);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.check(Bucket::Credentials, ip).is_ok());
        assert!(limits.check(Bucket::Credentials, ip).is_ok());
        let wait = limits.check(Bucket::Credentials, ip).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30), "{wait:?}");
        assert!(limits.check(Bucket::Credentials, "192.0.2.2".parse().unwrap()).is_ok(), "per address");
        assert!(limits.check(Bucket::Refresh, ip).is_ok(), "separate budgets");
    }
}

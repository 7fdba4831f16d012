//! Per-account brake on password guessing: after a few failed logins for one email, each further
//! attempt must wait twice as long as the last (1 s, 2 s, 4 s, ... capped). The cap keeps an
//! attacker who knows someone's email from locking them out for long; the doubling still makes
//! online guessing hopeless. Keyed by the email as typed (normalised), existing or not, so it
//! behaves the same for unknown accounts and cannot reveal which exist.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A failure streak is forgotten after this long without a new failure.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Past this many tracked emails, forgotten streaks are swept on the next failure.
const SWEEP_AT: usize = 10_000;

/// A wait as the whole seconds of a `Retry-After` header: rounded up, and never 0, which would
/// only invite a tight retry loop.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed without any delay.
    pub free_failures: u32,
    /// The longest a real user can be made to wait.
    pub max_delay: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self { free_failures: 5, max_delay: Duration::from_secs(60) }
    }
}

#[derive(Debug, Clone, Copy)]
struct Streak {
    failures: u32,
    last: Instant,
}

#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    streaks: Arc<Mutex<HashMap<String, Streak>>>,
    /// Set when several instances share Redis: the streaks live there, and this instance's
    /// own map only stands in while Redis can't be reached.
    shared: Option<crate::shared_limits::SharedLimits>,
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self { policy, streaks: Arc::default(), shared: None }
    }

    pub fn shared(policy: ThrottlePolicy, shared: crate::shared_limits::SharedLimits) -> Self {
        Self { shared: Some(shared), ..Self::new(policy) }
    }

    /// `check` against the shared streak when there is one. If Redis fails, this instance's
    /// own record decides: the brake weakens to per instance for the outage, never to none.
    pub async fn check_now(&self, email: &str) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            match shared.streak(email).await {
                Ok((failures, ago)) => {
                    let delay = self.delay_after(failures);
                    return if ago < delay { Err(delay - ago) } else { Ok(()) };
                }
                Err(e) => tracing::warn!(error = %e, "shared login brake unreachable; using this instance's"),
            }
        }
        self.check(email, Instant::now())
    }

    /// `failed`, recorded in the shared streak too when there is one.
    pub async fn record_failure(&self, email: &str) {
        self.failed(email, Instant::now());
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.failed(email, FORGET_AFTER).await {
                tracing::warn!(error = %e, "could not record a failed login in the shared brake");
            }
        }
    }

    pub async fn record_success(&self, email: &str) {
        self.succeeded(email);
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.succeeded(email).await {
                tracing::warn!(error = %e, "could not clear the shared login brake");
            }
        }
    }

    fn delay_after(&self, failures: u32) -> Duration {
        match failures.checked_sub(self.policy.free_failures) {
            None => Duration::ZERO,
            Some(extra) => Duration::from_secs(1u64 << extra.min(20)).min(self.policy.max_delay),
        }
    }

    /// `Err(wait)` while the email must wait before its next attempt.
    pub fn check(&self, email: &str, now: Instant) -> Result<(), Duration> {
        let streaks = self.streaks.lock().unwrap_or_else(|e| e.into_inner());
        let Some(s) = streaks.get(email) else { return Ok(()) };
        let ready_at = s.last + self.delay_after(s.failures);
        if now < ready_at {
            Err(ready_at - now)
        } else {
            Ok(())
        }
    }

    pub fn failed(&self, email: &str, now: Instant) {
        let mut streaks = self.streaks.lock().unwrap_or_else(|e| e.into_inner());
        if streaks.len() >= SWEEP_AT {
            streaks.retain(|_, s| now.saturating_duration_since(s.last) < FORGET_AFTER);
        }
        let s = streaks.entry(email.to_owned()).or_insert(Streak { failures: 0, last: now });
        if now.saturating_duration_since(s.last) >= FORGET_AFTER {
            s.failures = 0;
        }
        s.failures += 1;
        s.last = now;
    }

    pub fn succeeded(&self, email: &str) {
        self.streaks.lock().unwrap_or_else(|e| e.into_inner()).remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_at_least_a_second() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(990)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
    }

    #[test]
    fn delays_double_after_the_free_failures_and_are_capped() {
        let t = LoginThrottle::new(ThrottlePolicy { free_failures: 3, max_delay: Duration::from_secs(10) });
        let start = Instant::now();
        for i in 0..3 {
            assert_eq!(t.check("a@x.io", start), Ok(()), "attempt {i} is free");
            t.failed("a@x.io", start);
        }
        // Three failures so far: the fourth attempt waits 1 s, then 2 s, 4 s, 8 s, 10 s (cap).
        assert_eq!(t.check("a@x.io", start), Err(Duration::from_secs(1)));
        let mut now = start;
        for wait in [1, 2, 4, 8, 10, 10] {
            now += Duration::from_secs(wait);
            assert_eq!(t.check("a@x.io", now), Ok(()));
            t.failed("a@x.io", now);
        }
        assert_eq!(t.check("a@x.io", now), Err(Duration::from_secs(10)));
        assert_eq!(t.check("other@x.io", now), Ok(()), "other accounts are not affected");
    }

    #[test]
    fn a_success_or_a_quiet_quarter_hour_clears_the_streak() {
        let t = LoginThrottle::new(ThrottlePolicy { free_failures: 2, max_delay: Duration::from_secs(60) });
        let now = Instant::now();
        t.failed("a@x.io", now);
        t.failed("a@x.io", now);
        assert!(t.check("a@x.io", now).is_err());
        t.succeeded("a@x.io");
        assert_eq!(t.check("a@x.io", now), Ok(()));
        t.failed("a@x.io", now);
        t.failed("a@x.io", now);
        let later = now + FORGET_AFTER;
        t.failed("a@x.io", later);
        assert_eq!(t.check("a@x.io", later), Ok(()), "the old streak was forgotten: this is failure one of two free");
    }
}

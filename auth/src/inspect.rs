//! What the flow inspector and the compare page show: the server's own view of a credential,
//! how long looking at it took, and what each mode keeps in its stores. Credentials appear
//! only as fingerprints; nothing here returns a usable secret.

use std::time::{Duration, Instant};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::Value;
use time::OffsetDateTime;

use crate::{
    account::Device,
    audit::{Filter, Record},
    db::with_pool,
    error::{AuthError, StoreError},
    service::{AuthService, Resolution},
    session::SessionToken,
    AuthMode, Principal, Role, UserId,
};

/// How long the request-auth layer took to resolve this request's credential. The web layer
/// measures it and leaves it in the request, so the inspector shows the cost of the request
/// itself, not of a second lookup made for show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolveTiming(pub Duration);

#[derive(Debug, Clone)]
pub struct SessionView {
    pub fingerprint: String,
    pub auth_at: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    pub idle_expires_at: OffsetDateTime,
    pub absolute_expires_at: OffsetDateTime,
    /// Bytes the store keeps for this session (its serialised record).
    pub record_bytes: Option<i64>,
    /// One store read of this record, timed here.
    pub lookup_micros: u128,
}

#[derive(Debug, Clone)]
pub struct TokenView {
    pub header: Value,
    pub claims: Value,
    /// Signature and claims checked from the in-memory keys, timed here.
    pub verify_micros: u128,
    pub family_chain: Vec<ChainLink>,
}

/// One refresh token of a family, oldest first.
#[derive(Debug, Clone)]
pub struct ChainLink {
    pub fingerprint: String,
    pub created_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    /// `active`, `used` or `revoked`.
    pub state: &'static str,
}

/// The outcome of "sign me out everywhere, then try the old credential".
#[derive(Debug, Clone)]
pub struct RevocationProbe {
    pub mode: AuthMode,
    pub revocation_check: bool,
    /// Whether the old credential was still accepted right after the sign-out.
    pub still_valid: bool,
    /// Time from the sign-out to the answer about the old credential.
    pub measured_micros: u128,
    /// If still valid: for how much longer (until `exp`).
    pub remaining_validity_secs: Option<i64>,
}

/// What the stores hold right now, across all users.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreStats {
    pub session_records: i64,
    pub session_bytes: i64,
    pub live_families: i64,
    pub refresh_tokens: i64,
    /// Bytes of the refresh-token rows' own columns (hash, family id, times).
    pub refresh_token_bytes: i64,
    pub signing_keys: i64,
}

/// Per-request costs measured now on this server, medians of several runs.
#[derive(Debug, Clone, Copy)]
pub struct Costs {
    pub jwt_verify_micros: u128,
    pub revocation_lookup_micros: u128,
    pub session_lookup_micros: u128,
    pub sample_access_token_bytes: usize,
}

fn ms_to_time(v: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn median(mut v: Vec<u128>) -> u128 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// Decodes a JWT part for display only; nothing here is trusted.
fn decode_part(part: Option<&str>) -> Value {
    part.and_then(|p| URL_SAFE_NO_PAD.decode(p).ok()).and_then(|b| serde_json::from_slice::<Value>(&b).ok()).unwrap_or(Value::Null)
}

impl AuthService {
    pub async fn inspect_session(&self, raw: &str) -> Result<Option<SessionView>, StoreError> {
        let Some(token) = SessionToken::parse(raw) else {
            return Ok(None);
        };
        let started = Instant::now();
        let Some(state) = self.sessions.peek(&token).await? else {
            return Ok(None);
        };
        let lookup_micros = started.elapsed().as_micros();
        let policy = self.sessions.policy();
        let record_bytes = self.session_backend.record_bytes(&token.expose()).await?;
        Ok(Some(SessionView {
            fingerprint: crate::fingerprint(raw),
            auth_at: state.auth_at,
            last_seen: state.last_seen,
            idle_expires_at: state.last_seen + policy.idle_timeout,
            absolute_expires_at: state.auth_at + policy.absolute_timeout,
            record_bytes,
            lookup_micros,
        }))
    }

    /// The decoded header and claims of a token whose signature verifies, and its family's
    /// chain. `None` for a token that does not verify.
    pub async fn inspect_access(&self, raw: &str) -> Result<Option<TokenView>, StoreError> {
        let started = Instant::now();
        let Ok(claims) = self.tokens.verify(raw) else {
            return Ok(None);
        };
        let verify_micros = started.elapsed().as_micros();
        let mut parts = raw.split('.');
        let header = decode_part(parts.next());
        let claims_json = decode_part(parts.next());
        let chain = self
            .refresh
            .chain(&claims.fid)
            .await?
            .into_iter()
            .map(|(hash, created, used, revoked)| ChainLink {
                fingerprint: hash.iter().take(6).map(|b| format!("{b:02x}")).collect(),
                created_at: ms_to_time(created),
                used_at: used.map(ms_to_time),
                state: if revoked {
                    "revoked"
                } else if used.is_some() {
                    "used"
                } else {
                    "active"
                },
            })
            .collect();
        Ok(Some(TokenView { header, claims: claims_json, verify_micros, family_chain: chain }))
    }

    /// The principal's own recent security events, newest first.
    pub async fn timeline(&self, me: &Principal, limit: u32) -> Result<Vec<Record>, StoreError> {
        self.audit.list(&Filter { user_id: Some(me.user_id), limit, ..Filter::default() }).await
    }

    pub async fn store_stats(&self) -> Result<StoreStats, StoreError> {
        let pool = self.users.pool();
        let (session_records, session_bytes) = self.session_backend.stats().await?;
        let live_families: i64 =
            with_pool!(pool, p => sqlx::query_scalar("SELECT count(*) FROM refresh_families WHERE revoked_at IS NULL").fetch_one(p).await)?;
        // Integers are stored in up to 8 bytes; count them as 8.
        let (refresh_tokens, refresh_token_bytes): (i64, i64) = with_pool!(pool, p => sqlx::query_as(
            "SELECT count(*), CAST(coalesce(sum(length(hash) + length(family_id) + coalesce(length(parent_hash), 0) + 16), 0) AS BIGINT) FROM refresh_tokens",
        )
        .fetch_one(p)
        .await)?;
        let signing_keys: i64 = with_pool!(pool, p => sqlx::query_scalar("SELECT count(*) FROM signing_keys").fetch_one(p).await)?;
        Ok(StoreStats { session_records, session_bytes, live_families, refresh_tokens, refresh_token_bytes, signing_keys })
    }

    /// Times what each mode does per request, on this server now: a signature verification, the
    /// revocation lookup, and a session-store read (of the caller's session if it has one).
    pub async fn measure_costs(&self, session_cookie: Option<&str>) -> Result<Costs, AuthError> {
        const RUNS: usize = 25;
        let now = self.clock.now();
        let (sample, _) =
            self.tokens.issue(UserId(0), "sample@example.com", Role::User, "sample-family", now).map_err(|e| AuthError::Token(e.to_string()))?;
        let mut verify = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let _ = self.tokens.verify(&sample);
            verify.push(t.elapsed().as_micros());
        }
        let mut lookup = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            self.refresh.live_user(UserId(0), "sample-family", now).await?;
            lookup.push(t.elapsed().as_micros());
        }
        // A well-formed id that no session has, when the caller has none: the store still
        // does the same keyed read.
        let token = session_cookie.and_then(SessionToken::parse).or_else(|| SessionToken::parse("AAAAAAAAAAAAAAAAAAAAAA"));
        let mut session = Vec::with_capacity(RUNS);
        if let Some(token) = token {
            for _ in 0..RUNS {
                let t = Instant::now();
                self.sessions.peek(&token).await?;
                session.push(t.elapsed().as_micros());
            }
        }
        Ok(Costs {
            jwt_verify_micros: median(verify),
            revocation_lookup_micros: median(lookup),
            session_lookup_micros: median(session),
            sample_access_token_bytes: sample.len(),
        })
    }

    /// Signs the principal out everywhere (this browser included), then asks whether the
    /// credential this request came with still works, and how long the answer took.
    pub async fn probe_revocation(&self, me: &Principal, raw: &str, client: &crate::ClientInfo) -> Result<RevocationProbe, StoreError> {
        let started = Instant::now();
        for d in self.devices(me).await? {
            let Device { mode, id, .. } = d;
            self.revoke_device(me, mode, &id, client).await?;
        }
        let after = match me.mode {
            AuthMode::Session => self.resolve_session(raw).await?,
            AuthMode::Jwt => self.resolve_access(raw).await?,
        };
        let measured_micros = started.elapsed().as_micros();
        let (still_valid, remaining) = match after {
            Resolution::Authenticated(p) => (true, Some((p.expires_at - self.clock.now()).whole_seconds())),
            _ => (false, None),
        };
        Ok(RevocationProbe {
            mode: me.mode,
            revocation_check: self.revocation_check(),
            still_valid,
            measured_micros,
            remaining_validity_secs: remaining,
        })
    }
}

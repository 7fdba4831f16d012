//! The flow inspector and the compare page: the server's view of this browser's credentials and
//! of what each mode keeps, measured on this running server. Nothing returned is a usable
//! secret: ids and tokens appear as fingerprints, a JWT only as its decoded (public) parts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A cookie the server sets, with the attributes it sets it with, and whether this request
/// carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieRow {
    pub name: String,
    /// `session`, `jwt`, or empty for the mode preference.
    pub mode: String,
    pub credential: bool,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: String,
    pub path: String,
    pub lifetime: String,
    pub purpose: String,
    /// Bytes of `name=value` in this request, if the browser sent it.
    pub sent_bytes: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub fingerprint: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    pub record_bytes: Option<i64>,
    pub lookup_micros: u64,
    pub backend: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainRow {
    pub fingerprint: String,
    pub created_at_ms: i64,
    pub used_at_ms: Option<i64>,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// Pretty-printed JSON of the decoded header and claims.
    pub header: String,
    pub claims: String,
    pub alg: String,
    pub kid: String,
    pub exp: i64,
    pub verify_micros: u64,
    pub chain: Vec<ChainRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at_ms: i64,
    pub event: String,
    pub mode: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub mode: String,
    pub revocation_check: bool,
    pub signed_in_as: Option<String>,
    /// How the request-auth layer resolved this very request, and how long it took.
    pub verified_how: String,
    pub resolve_micros: u64,
    pub server_now_ms: i64,
    pub cookies: Vec<CookieRow>,
    pub session: Option<SessionRecord>,
    pub token: Option<TokenRecord>,
    pub timeline: Vec<TimelineEvent>,
}

#[cfg(feature = "ssr")]
fn micros(v: u128) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

#[cfg(feature = "ssr")]
fn unix_ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(feature = "ssr")]
fn lifetimes(auth: &auth::AuthService) -> impl Fn(&str) -> String + '_ {
    move |name| {
        use auth::cookies::*;
        let mins = |d: time::Duration| format!("{} min", d.whole_minutes());
        match name {
            SESSION_COOKIE => format!("until the absolute timeout ({})", mins(auth.session_policy().absolute_timeout)),
            ACCESS_COOKIE => format!("as long as the token ({} s)", auth.token_config().access_ttl.whole_seconds()),
            REFRESH_COOKIE | JWT_HINT_COOKIE => format!("until the login's absolute lifetime ({})", mins(auth.refresh_policy().absolute_timeout)),
            _ => "a year (a preference)".to_owned(),
        }
    }
}

#[cfg(feature = "ssr")]
fn cookie_rows(auth: &auth::AuthService) -> Vec<CookieRow> {
    let lifetime = lifetimes(auth);
    auth::cookies::specs()
        .into_iter()
        .map(|s| CookieRow {
            name: s.name.to_owned(),
            mode: s.mode.map(|m| m.to_string()).unwrap_or_default(),
            credential: s.credential,
            http_only: s.http_only,
            secure: s.secure,
            same_site: s.same_site,
            path: s.path,
            lifetime: lifetime(s.name),
            purpose: s.purpose.to_owned(),
            sent_bytes: crate::ssr::request_cookie(s.name).map(|v| s.name.len() + 1 + v.len()),
        })
        .collect()
}

/// The inspector's view of this browser under its active mode. Public: a signed-out browser
/// sees which cookies it lacks.
#[server(prefix = "/sf", endpoint = "inspect", output = crate::codec::Json)]
pub async fn inspect() -> Result<Inspection, AppError> {
    use crate::ssr::{active_mode, principal, request_cookie, resolution, resolve_timing, state};
    use auth::{cookies, AuthMode};
    let auth = state()?.auth;
    let mode = active_mode();
    let me = principal();
    let resolve_micros = micros(resolve_timing().as_micros());
    let verified_how = match (&resolution(), mode) {
        (auth::Resolution::Anonymous, _) => "no credential for this mode: nothing to verify".to_owned(),
        (auth::Resolution::Rejected(r), _) => format!("refused: {}", r.message()),
        (auth::Resolution::Authenticated(_), AuthMode::Session) if auth.access_cache().sessions_on() => {
            "session id looked up in the session store, or in this instance's access cache (which every logout empties)".to_owned()
        }
        (auth::Resolution::Authenticated(_), AuthMode::Session) => "session id looked up in the session store".to_owned(),
        (auth::Resolution::Authenticated(_), AuthMode::Jwt) if auth.revocation_check() && auth.access_cache().is_on() => {
            "verified by signature, then one revocation lookup (revocation checking on), answered by this instance's access cache \
             when nothing was revoked since"
                .to_owned()
        }
        (auth::Resolution::Authenticated(_), AuthMode::Jwt) if auth.revocation_check() => {
            "verified by signature, then one revocation lookup (revocation checking on)".to_owned()
        }
        (auth::Resolution::Authenticated(_), AuthMode::Jwt) => "verified by signature, no store lookup".to_owned(),
    };
    let session = match request_cookie(cookies::SESSION_COOKIE) {
        Some(raw) if mode == AuthMode::Session => auth.inspect_session(&raw).await?.map(|v| SessionRecord {
            fingerprint: v.fingerprint,
            created_at: v.auth_at.unix_timestamp(),
            last_seen: v.last_seen.unix_timestamp(),
            idle_expires_at: v.idle_expires_at.unix_timestamp(),
            absolute_expires_at: v.absolute_expires_at.unix_timestamp(),
            record_bytes: v.record_bytes,
            lookup_micros: micros(v.lookup_micros),
            backend: auth.session_backend().describe(),
        }),
        _ => None,
    };
    let token = match request_cookie(cookies::ACCESS_COOKIE) {
        Some(raw) if mode == AuthMode::Jwt => auth.inspect_access(&raw).await?.map(|v| {
            let field = |k: &str| v.header.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
            TokenRecord {
                alg: field("alg"),
                kid: field("kid"),
                exp: v.claims.get("exp").and_then(|x| x.as_i64()).unwrap_or_default(),
                header: serde_json::to_string_pretty(&v.header).unwrap_or_default(),
                claims: serde_json::to_string_pretty(&v.claims).unwrap_or_default(),
                verify_micros: micros(v.verify_micros),
                chain: v
                    .family_chain
                    .into_iter()
                    .map(|l| ChainRow {
                        fingerprint: l.fingerprint,
                        created_at_ms: unix_ms(l.created_at),
                        used_at_ms: l.used_at.map(unix_ms),
                        state: l.state.to_owned(),
                    })
                    .collect(),
            }
        }),
        _ => None,
    };
    let timeline = match &me {
        Some(p) => {
            auth.timeline(p, 20).await?.into_iter().map(|r| TimelineEvent { at_ms: r.at, event: r.event, mode: r.mode, detail: r.detail }).collect()
        }
        None => Vec::new(),
    };
    Ok(Inspection {
        mode: mode.to_string(),
        revocation_check: auth.revocation_check(),
        signed_in_as: me.map(|p| p.email.to_string()),
        verified_how,
        resolve_micros,
        server_now_ms: unix_ms(auth.now()),
        cookies: cookie_rows(&auth),
        session,
        token,
        timeline,
    })
}

/// What each mode keeps and costs, measured on this server now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub revocation_check: bool,
    pub session_cookie_bytes: usize,
    /// Measured from this browser's cookie when it has one, else from a freshly signed sample.
    pub access_cookie_bytes: usize,
    pub access_cookie_measured: bool,
    pub refresh_cookie_bytes: usize,
    pub session_records: i64,
    pub session_avg_record_bytes: i64,
    pub live_families: i64,
    pub refresh_tokens: i64,
    pub refresh_avg_token_bytes: i64,
    pub signing_keys: i64,
    pub session_lookup_micros: u64,
    pub jwt_verify_micros: u64,
    pub revocation_lookup_micros: u64,
    pub session_idle_secs: i64,
    pub session_absolute_secs: i64,
    pub access_ttl_secs: i64,
    pub refresh_idle_secs: i64,
    pub refresh_absolute_secs: i64,
}

#[server(prefix = "/sf", endpoint = "compare", output = crate::codec::Json)]
pub async fn compare() -> Result<Comparison, AppError> {
    use crate::ssr::{request_cookie, state};
    use auth::cookies;
    let auth = state()?.auth;
    let session_raw = request_cookie(cookies::SESSION_COOKIE);
    let stats = auth.store_stats().await?;
    let costs = auth.measure_costs(session_raw.as_deref()).await.map_err(AppError::from)?;
    let access = request_cookie(cookies::ACCESS_COOKIE);
    let per = |total: i64, n: i64| if n > 0 { total / n } else { 0 };
    // A session id is always 22 base64 characters; a refresh token 43 (256 bits).
    let cookie_len = |name: &str, value_len: usize| name.len() + 1 + value_len;
    Ok(Comparison {
        revocation_check: auth.revocation_check(),
        session_cookie_bytes: cookie_len(cookies::SESSION_COOKIE, session_raw.map_or(22, |v| v.len())),
        access_cookie_measured: access.is_some(),
        access_cookie_bytes: cookie_len(cookies::ACCESS_COOKIE, access.map_or(costs.sample_access_token_bytes, |v| v.len())),
        refresh_cookie_bytes: cookie_len(cookies::REFRESH_COOKIE, 43),
        session_records: stats.session_records,
        session_avg_record_bytes: per(stats.session_bytes, stats.session_records),
        live_families: stats.live_families,
        refresh_tokens: stats.refresh_tokens,
        refresh_avg_token_bytes: per(stats.refresh_token_bytes, stats.refresh_tokens),
        signing_keys: stats.signing_keys,
        session_lookup_micros: micros(costs.session_lookup_micros),
        jwt_verify_micros: micros(costs.jwt_verify_micros),
        revocation_lookup_micros: micros(costs.revocation_lookup_micros),
        session_idle_secs: auth.session_policy().idle_timeout.whole_seconds(),
        session_absolute_secs: auth.session_policy().absolute_timeout.whole_seconds(),
        access_ttl_secs: auth.token_config().access_ttl.whole_seconds(),
        refresh_idle_secs: auth.refresh_policy().idle_timeout.whole_seconds(),
        refresh_absolute_secs: auth.refresh_policy().absolute_timeout.whole_seconds(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub mode: String,
    pub revocation_check: bool,
    pub still_valid: bool,
    pub measured_micros: u64,
    pub remaining_validity_secs: Option<i64>,
}

/// "Sign me out everywhere, then try the old credential": ends every session and JWT login of
/// the signed-in user (this browser's too), then resolves the credential this request came
/// with, as the next request would.
#[server(prefix = "/sf", endpoint = "probe_revocation", output = crate::codec::Json)]
pub async fn probe_revocation() -> Result<ProbeResult, AppError> {
    use crate::ssr::{client_info, fail, request_cookie, require_user, state};
    use auth::{cookies, AuthMode};
    let me = require_user()?;
    let name = match me.mode {
        AuthMode::Session => cookies::SESSION_COOKIE,
        AuthMode::Jwt => cookies::ACCESS_COOKIE,
    };
    // A Bearer client has no cookie; this button is for browsers.
    let raw = request_cookie(name).ok_or_else(|| fail(AppError::invalid("mode", "this probe needs the browser's credential cookie")))?;
    let p = state()?.auth.probe_revocation(&me, &raw, &client_info()).await?;
    Ok(ProbeResult {
        mode: p.mode.to_string(),
        revocation_check: p.revocation_check,
        still_valid: p.still_valid,
        measured_micros: micros(p.measured_micros),
        remaining_validity_secs: p.remaining_validity_secs,
    })
}

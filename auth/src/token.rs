//! Access tokens: short-lived EdDSA-signed JWTs, verified from in-memory keys with no lookup.

use std::{fmt, sync::Arc};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{keys::SharedKeyring, Role, UserId};

/// The `typ` claim of access tokens. No other token we issue carries it, so nothing else can
/// pass as an access token.
pub const ACCESS_TOKEN_USE: &str = "access";

/// Longest token we even try to parse; ours are ~400 bytes.
pub const MAX_TOKEN_LEN: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    /// Carried so the stateless path can show who is signed in without a lookup.
    pub email: String,
    pub role: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub iss: String,
    pub aud: String,
    /// Token use marker.
    pub typ: String,
    /// The refresh family (the login) this token belongs to: revoking the family can revoke it.
    pub fid: String,
}

impl AccessClaims {
    pub fn user_id(&self) -> Option<UserId> {
        self.sub.parse().ok().map(UserId)
    }

    pub fn expires_at(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.exp).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// Why a token was refused. Only for logs and tests: clients get one generic answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token too long")]
    TooLong,
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("algorithm not allowed")]
    Algorithm,
    #[error("embedded or remote keys are not accepted")]
    EmbeddedKey,
    #[error("missing or unknown key id")]
    UnknownKey,
    #[error("expired")]
    Expired,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("not an access token")]
    WrongUse,
}

#[derive(Debug, Clone)]
pub struct TokenConfig {
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    /// Clock skew tolerated on `exp` and `nbf`; capped at 30 s.
    pub leeway_secs: u64,
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self { issuer: "secure-routes".into(), audience: "secure-routes".into(), access_ttl: Duration::minutes(5), leeway_secs: 30 }
    }
}

#[derive(Clone)]
pub struct Tokens {
    keys: SharedKeyring,
    config: Arc<TokenConfig>,
    validation: Arc<Validation>,
    verified: Arc<VerifiedCache>,
}

/// Tokens whose signature, issuer, audience and use already checked out, by SHA-256 of the
/// whole token, kept until their `exp`. That check is a pure function of the token and the keys
/// (a key verifies until every token it signed has expired), so remembering its answer is as
/// safe as recomputing it: what can change (revocation, role) is looked up by the caller after
/// this, every time. It turns a ~45 µs EdDSA verification into a hash and a map lookup.
#[derive(Default)]
struct VerifiedCache(std::sync::Mutex<std::collections::HashMap<[u8; 32], AccessClaims>>);

/// At most this many remembered tokens (~4 MB); past it, expired ones go, then all.
const VERIFIED_CACHE_MAX: usize = 10_000;

impl VerifiedCache {
    fn get(&self, key: &[u8; 32], now: i64, leeway: i64) -> Option<AccessClaims> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // The same time checks as jsonwebtoken's: valid while exp >= now - leeway, nbf <= now + leeway.
        map.get(key).filter(|c| c.exp >= now - leeway && c.nbf <= now + leeway).cloned()
    }

    fn insert(&self, key: [u8; 32], claims: AccessClaims, now: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= VERIFIED_CACHE_MAX {
            map.retain(|_, c| c.exp >= now);
            if map.len() >= VERIFIED_CACHE_MAX {
                map.clear();
            }
        }
        map.insert(key, claims);
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Tokens {
    pub fn new(keys: SharedKeyring, config: TokenConfig) -> Self {
        // The algorithm is pinned: the header's `alg` is never trusted to choose one.
        let mut v = Validation::new(Algorithm::EdDSA);
        v.leeway = config.leeway_secs.min(30);
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        v.set_issuer(&[config.issuer.as_str()]);
        v.set_audience(&[config.audience.as_str()]);
        Self { keys, config: Arc::new(config), validation: Arc::new(v), verified: Arc::default() }
    }

    pub fn config(&self) -> &TokenConfig {
        &self.config
    }

    pub fn keyring(&self) -> &SharedKeyring {
        &self.keys
    }

    /// Signs an access token for this user and family.
    pub fn issue(&self, user: UserId, email: &str, role: Role, family: &str, now: OffsetDateTime) -> Result<(String, AccessClaims), TokenError> {
        let ring = self.keys.current();
        let active = ring.active();
        let iat = now.unix_timestamp();
        let claims = AccessClaims {
            sub: user.0.to_string(),
            email: email.to_owned(),
            role: role.as_str().to_owned(),
            iat,
            nbf: iat,
            exp: (now + self.config.access_ttl).unix_timestamp(),
            jti: URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            typ: ACCESS_TOKEN_USE.to_owned(),
            fid: family.to_owned(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(active.kid.clone());
        let token = encode(&header, &claims, &active.encoding).map_err(|e| TokenError::Invalid(e.to_string()))?;
        Ok((token, claims))
    }

    /// Verifies signature, algorithm, key id, `exp`/`nbf` (with leeway), `iss`, `aud` and use.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        use sha2::Digest;
        let key: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        // jsonwebtoken checks exp/nbf against the system clock; so does the cache.
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if let Some(claims) = self.verified.get(&key, now, self.validation.leeway as i64) {
            return Ok(claims);
        }
        let claims = self.verify_with(token, &self.validation)?;
        self.verified.insert(key, claims.clone(), now);
        Ok(claims)
    }

    /// The same checks but `exp`: only for logout, to find which login to revoke.
    pub fn verify_ignoring_expiry(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let mut v = (*self.validation).clone();
        v.validate_exp = false;
        self.verify_with(token, &v)
    }

    fn verify_with(&self, token: &str, validation: &Validation) -> Result<AccessClaims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        let header = decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Algorithm);
        }
        // A token must never bring, or point at, the key that verifies it.
        if header.jwk.is_some() || header.jku.is_some() || header.x5u.is_some() || header.x5c.is_some() {
            return Err(TokenError::EmbeddedKey);
        }
        let ring = self.keys.current();
        let key = header.kid.as_deref().and_then(|kid| ring.decoding(kid)).ok_or(TokenError::UnknownKey)?;
        let data = decode::<AccessClaims>(token, key, validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid(e.to_string()),
        })?;
        if data.claims.typ != ACCESS_TOKEN_USE {
            return Err(TokenError::WrongUse);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(ttl: time::Duration) -> Tokens {
        Tokens::new(SharedKeyring::ephemeral(), TokenConfig { access_ttl: ttl, leeway_secs: 0, ..TokenConfig::default() })
    }

    #[test]
    fn a_remembered_token_still_verifies_and_a_tampered_copy_never_does() {
        let t = tokens(time::Duration::minutes(5));
        let (token, claims) = t.issue(UserId(7), "a@example.com", Role::User, "fam", OffsetDateTime::now_utc()).unwrap();
        assert_eq!(t.verify(&token).unwrap(), claims);
        assert_eq!(t.verify(&token).unwrap(), claims, "from the cache");
        // Flip one character of the signature: a different token, so a full (failing) check.
        let mut forged = token.clone().into_bytes();
        let last = forged.len() - 2;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        assert!(t.verify(std::str::from_utf8(&forged).unwrap()).is_err());
    }

    #[test]
    fn a_remembered_token_expires_like_any_other() {
        let t = tokens(time::Duration::seconds(1));
        let (token, _) = t.issue(UserId(7), "a@example.com", Role::User, "fam", OffsetDateTime::now_utc()).unwrap();
        assert!(t.verify(&token).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert!(matches!(t.verify(&token), Err(TokenError::Expired)));
    }
}

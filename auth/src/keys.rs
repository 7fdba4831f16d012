//! Ed25519 signing keys: generated on first start, kept in the database (so every instance and
//! every restart signs and verifies with the same keys), rotated by a command, published as JWKS.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, RwLock},
};

use crate::db::{with_pool, Pool};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{pkcs8::EncodePrivateKey, SigningKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::rngs::OsRng;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::error::StoreError;

/// The key that signs new tokens.
#[derive(Clone)]
pub struct ActiveKey {
    pub kid: String,
    pub encoding: EncodingKey,
}

/// Every key that may still verify, by `kid`.
#[derive(Clone)]
pub struct Keyring {
    active: ActiveKey,
    verifying: HashMap<String, (DecodingKey, [u8; 32])>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring").field("active", &self.active.kid).field("kids", &self.verifying.keys()).finish()
    }
}

impl Keyring {
    pub fn active(&self) -> &ActiveKey {
        &self.active
    }

    pub fn decoding(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid).map(|(k, _)| k)
    }

    /// The public keys as a JWK Set (RFC 7517, OKP keys per RFC 8037).
    pub fn jwks(&self) -> Value {
        let mut keys: Vec<_> = self.verifying.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        let keys: Vec<Value> = keys
            .into_iter()
            .map(|(kid, (_, public))| {
                json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public), "kid": kid, "alg": "EdDSA", "use": "sig"})
            })
            .collect();
        json!({ "keys": keys })
    }
}

/// The keyring shared by all requests, replaced whole when keys are reloaded.
#[derive(Clone, Debug)]
pub struct SharedKeyring(Arc<RwLock<Arc<Keyring>>>);

impl SharedKeyring {
    pub fn current(&self) -> Arc<Keyring> {
        self.0.read().expect("keyring lock").clone()
    }

    /// A fresh key held only in memory: for tests, benchmarks and the fuzzer, never for serving
    /// (a restart would invalidate every token it signed).
    pub fn ephemeral() -> Self {
        let key = SigningKey::generate(&mut OsRng);
        let public = key.verifying_key().to_bytes();
        let der = key.to_pkcs8_der().expect("an in-memory Ed25519 key encodes");
        let kid = "ephemeral".to_owned();
        let decoding = DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(public)).expect("a valid public key");
        let ring = Keyring {
            active: ActiveKey { kid: kid.clone(), encoding: EncodingKey::from_ed_der(der.as_bytes()) },
            verifying: HashMap::from([(kid, (decoding, public))]),
        };
        Self(Arc::new(RwLock::new(Arc::new(ring))))
    }

    fn replace(&self, ring: Keyring) {
        *self.0.write().expect("keyring lock") = Arc::new(ring);
    }
}

#[derive(Debug, Clone)]
pub struct KeyStore {
    pool: Pool,
    /// A retired key keeps verifying this long: the longest a token it signed can live.
    retain: Duration,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    kid: String,
    private_pkcs8: Vec<u8>,
    public_key: Vec<u8>,
}

impl KeyStore {
    pub fn new(pool: Pool, retain: Duration) -> Self {
        Self { pool, retain }
    }

    /// Loads the keys, generating the first one if there is none.
    pub async fn load_or_init(&self, now: OffsetDateTime) -> Result<SharedKeyring, StoreError> {
        let ring = match self.load(now).await? {
            Some(r) => r,
            None => {
                self.insert_new(now).await?;
                self.load(now).await?.ok_or(StoreError::Database(sqlx::Error::RowNotFound))?
            }
        };
        Ok(SharedKeyring(Arc::new(RwLock::new(Arc::new(ring)))))
    }

    /// Re-reads the keys (picks up a rotation made by another process).
    pub async fn reload(&self, shared: &SharedKeyring, now: OffsetDateTime) -> Result<(), StoreError> {
        if let Some(ring) = self.load(now).await? {
            shared.replace(ring);
        }
        Ok(())
    }

    /// Makes a new key the signing key; the previous one verifies until its tokens expire.
    pub async fn rotate(&self, now: OffsetDateTime) -> Result<String, StoreError> {
        with_pool!(&self.pool, p => sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(now.unix_timestamp())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        let kid = self.insert_new(now).await?;
        with_pool!(&self.pool, p => sqlx::query("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1")
            .bind((now - self.retain).unix_timestamp())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(kid)
    }

    async fn insert_new(&self, now: OffsetDateTime) -> Result<String, StoreError> {
        let key = SigningKey::generate(&mut OsRng);
        let der = key.to_pkcs8_der().map_err(|e| StoreError::Database(sqlx::Error::Encode(e.to_string().into())))?;
        let public = key.verifying_key().to_bytes();
        // The kid names the key without revealing anything: a hash prefix of the public key.
        let kid = URL_SAFE_NO_PAD.encode(&<sha2::Sha256 as sha2::Digest>::digest(public)[..12]);
        with_pool!(&self.pool, p => sqlx::query("INSERT INTO signing_keys (kid, private_pkcs8, public_key, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&kid)
            .bind(der.as_bytes())
            .bind(&public[..])
            .bind(now.unix_timestamp())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(kid)
    }

    async fn load(&self, now: OffsetDateTime) -> Result<Option<Keyring>, StoreError> {
        let active: Option<KeyRow> = with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT kid, private_pkcs8, public_key FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1",
        )
        .fetch_optional(p)
        .await)?;
        let Some(active) = active else {
            return Ok(None);
        };
        let rows: Vec<KeyRow> = with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT kid, private_pkcs8, public_key FROM signing_keys WHERE retired_at IS NULL OR retired_at >= $1",
        )
        .bind((now - self.retain).unix_timestamp())
        .fetch_all(p)
        .await)?;
        let corrupt = |what: &str| StoreError::Database(sqlx::Error::Decode(format!("signing key: {what}").into()));
        let mut verifying = HashMap::new();
        for row in rows {
            let public: [u8; 32] = row.public_key.as_slice().try_into().map_err(|_| corrupt("public key length"))?;
            let decoding = DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(public)).map_err(|_| corrupt("public key"))?;
            verifying.insert(row.kid, (decoding, public));
        }
        Ok(Some(Keyring { active: ActiveKey { kid: active.kid, encoding: EncodingKey::from_ed_der(&active.private_pkcs8) }, verifying }))
    }
}

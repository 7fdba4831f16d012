//! Forged and tampered access tokens: every one is refused with 401.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

struct Forge {
    kid: String,
    key: EncodingKey,
    public: Vec<u8>,
    claims: Value,
}

/// The server's real signing key (read from its database) and a valid set of claims for a real
/// user, so each test changes exactly one thing.
async fn forge(app: &TestApp, email: &str) -> Forge {
    let (access, _) = app.tokens(email).await;
    let payload = access.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let (kid, der, public): (String, Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT kid, private_pkcs8, public_key FROM signing_keys WHERE retired_at IS NULL")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    Forge { kid, key: EncodingKey::from_ed_der(&der), public, claims }
}

impl Forge {
    fn sign(&self, claims: &Value) -> String {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = Some(self.kid.clone());
        encode(&h, claims, &self.key).unwrap()
    }

    fn with(&self, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
        let mut c = self.claims.clone();
        f(c.as_object_mut().unwrap());
        self.sign(&c)
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    let r = app.me_bearer(token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what} must be refused");
}

#[tokio::test]
async fn a_genuine_token_is_accepted_as_a_baseline() {
    let app = spawn_app().await;
    app.register("base@example.com").await;
    let f = forge(&app, "base@example.com").await;
    let r = app.me_bearer(&f.sign(&f.claims)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["mode"], "jwt");
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = spawn_app().await;
    app.register("none@example.com").await;
    let f = forge(&app, "none@example.com").await;
    for alg in ["none", "None", "NONE"] {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT", "kid": f.kid}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(f.claims.to_string());
        assert_refused(&app, &format!("{header}.{payload}."), "alg none").await;
    }
}

#[tokio::test]
async fn an_hs256_token_signed_with_the_public_key_is_refused() {
    let app = spawn_app().await;
    app.register("hs@example.com").await;
    let f = forge(&app, "hs@example.com").await;
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(f.kid.clone());
    let x = URL_SAFE_NO_PAD.encode(&f.public);
    for secret in [f.public.clone(), x.into_bytes()] {
        let token = encode(&h, &f.claims, &EncodingKey::from_secret(&secret).unwrap()).unwrap();
        assert_refused(&app, &token, "HS256 with the public key").await;
    }
}

#[tokio::test]
async fn a_flipped_payload_byte_is_refused() {
    let app = spawn_app().await;
    app.register("flip@example.com").await;
    let (access, _) = app.tokens("flip@example.com").await;
    let parts: Vec<&str> = access.split('.').collect();
    let mut payload = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
    let i = payload.len() / 2;
    payload[i] ^= 0x01;
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(payload), parts[2]);
    assert_refused(&app, &forged, "a tampered payload").await;
}

#[tokio::test]
async fn an_expired_token_beyond_the_leeway_is_refused() {
    let app = spawn_app().await;
    app.register("exp@example.com").await;
    let f = forge(&app, "exp@example.com").await;
    let t = f.with(|c| {
        c.insert("iat".into(), json!(now() - 400));
        c.insert("nbf".into(), json!(now() - 400));
        c.insert("exp".into(), json!(now() - 31));
    });
    let r = app.me_bearer(&t).await;
    assert_error(r, StatusCode::UNAUTHORIZED, "token_expired").await;
    // Within the leeway (30 s) it still passes: the leeway is real, and bounded.
    let t = f.with(|c| {
        c.insert("exp".into(), json!(now() - 5));
    });
    assert_eq!(app.me_bearer(&t).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing_or_mistyped_exp_is_refused() {
    let app = spawn_app().await;
    app.register("noexp@example.com").await;
    let f = forge(&app, "noexp@example.com").await;
    assert_refused(&app, &f.with(|c| { c.remove("exp"); }), "a token without exp").await;
    let exp = f.claims["exp"].as_i64().unwrap().to_string();
    assert_refused(&app, &f.with(|c| { c.insert("exp".into(), json!(exp)); }), "exp as a string").await;
}

#[tokio::test]
async fn wrong_audience_or_issuer_is_refused() {
    let app = spawn_app().await;
    app.register("aud@example.com").await;
    let f = forge(&app, "aud@example.com").await;
    assert_refused(&app, &f.with(|c| { c.insert("aud".into(), json!("someone-else")); }), "wrong aud").await;
    assert_refused(&app, &f.with(|c| { c.remove("aud"); }), "missing aud").await;
    assert_refused(&app, &f.with(|c| { c.insert("iss".into(), json!("https://evil.example")); }), "wrong iss").await;
}

#[tokio::test]
async fn a_future_nbf_is_refused() {
    let app = spawn_app().await;
    app.register("nbf@example.com").await;
    let f = forge(&app, "nbf@example.com").await;
    assert_refused(&app, &f.with(|c| { c.insert("nbf".into(), json!(now() + 120)); }), "nbf in the future").await;
}

#[tokio::test]
async fn an_unknown_or_missing_kid_is_refused() {
    let app = spawn_app().await;
    app.register("kid@example.com").await;
    let f = forge(&app, "kid@example.com").await;
    for kid in [Some("not-a-key".to_owned()), None] {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = kid;
        assert_refused(&app, &encode(&h, &f.claims, &f.key).unwrap(), "unknown kid").await;
    }
}

#[tokio::test]
async fn a_header_jwk_or_jku_pointing_at_another_key_is_refused() {
    let app = spawn_app().await;
    app.register("jwk@example.com").await;
    let f = forge(&app, "jwk@example.com").await;
    // The attacker's own key pair, announced in the header.
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let attacker = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let der = attacker.to_pkcs8_der().unwrap();
    let x = URL_SAFE_NO_PAD.encode(attacker.verifying_key().to_bytes());
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "evil"})).unwrap();
    let key = EncodingKey::from_ed_der(der.as_bytes());
    let mut h = Header::new(Algorithm::EdDSA);
    h.jwk = Some(jwk);
    assert_refused(&app, &encode(&h, &f.claims, &key).unwrap(), "embedded jwk").await;
    h.kid = Some(f.kid.clone());
    assert_refused(&app, &encode(&h, &f.claims, &key).unwrap(), "embedded jwk with a real kid").await;
    let mut h = Header::new(Algorithm::EdDSA);
    h.kid = Some(f.kid.clone());
    h.jku = Some("https://evil.example/jwks.json".into());
    assert_refused(&app, &encode(&h, &f.claims, &key).unwrap(), "jku").await;
    // Even signed with the real key, a token carrying jku is refused.
    assert_refused(&app, &encode(&h, &f.claims, &f.key).unwrap(), "jku with a real signature").await;
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token() {
    let app = spawn_app().await;
    app.register("use@example.com").await;
    let (_, refresh) = app.tokens("use@example.com").await;
    assert_refused(&app, &refresh, "a refresh token as bearer").await;
    let f = forge(&app, "use@example.com").await;
    assert_refused(&app, &f.with(|c| { c.insert("typ".into(), json!("refresh")); }), "a non-access typ").await;
    assert_refused(&app, &f.with(|c| { c.remove("typ"); }), "no typ").await;
}

#[tokio::test]
async fn forged_tokens_in_the_cookie_are_refused_too() {
    let app = spawn_app().await;
    app.register("cookie@example.com").await;
    let mut jar = app.login_mode("cookie@example.com", "jwt").await;
    assert_eq!(app.get("/api/me", Some(&jar.header())).await.status(), StatusCode::OK);
    let f = forge(&app, "cookie@example.com").await;
    jar.set("__Host-access", &f.with(|c| { c.insert("aud".into(), json!("other")); }));
    let r = app.get("/api/me", Some(&jar.header())).await;
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

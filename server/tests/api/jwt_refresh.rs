//! Refresh-token rotation, reuse detection, concurrency, family expiry, keys and restarts.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn every_refresh_rotates_the_refresh_token() {
    let app = spawn_app().await;
    app.register("rot@example.com").await;
    let (a0, r0) = app.tokens("rot@example.com").await;
    let (a1, r1) = token_pair(app.refresh_body(&r0).await).await;
    assert_ne!(r0, r1);
    assert_ne!(a0, a1);
    let (_, r2) = token_pair(app.refresh_body(&r1).await).await;
    assert_ne!(r1, r2);
    assert_eq!(app.me_bearer(&a1).await.status(), StatusCode::OK);
    // Only the hash is stored.
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM refresh_tokens").fetch_all(&app.db().await).await.unwrap();
    assert_eq!(stored.len(), 3);
    assert!(stored.iter().all(|h| h.len() == 32 && !String::from_utf8_lossy(h).contains(&r2)));
}

#[tokio::test]
async fn a_reused_refresh_token_after_the_grace_window_revokes_its_family() {
    let app = spawn_with(&["--refresh-reuse-grace", "1s"]).await;
    app.register("reuse@example.com").await;
    let (_, r0) = app.tokens("reuse@example.com").await;
    let (a1, r1) = token_pair(app.refresh_body(&r0).await).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_error(app.refresh_body(&r0).await, StatusCode::UNAUTHORIZED, "refresh_reused").await;
    // The newest token of the family is dead too, and so (revocation on) is its access token.
    assert_error(app.refresh_body(&r1).await, StatusCode::UNAUTHORIZED, "refresh_revoked").await;
    assert_error(app.me_bearer(&a1).await, StatusCode::UNAUTHORIZED, "token_revoked").await;
}

#[tokio::test]
async fn concurrent_refreshes_inside_the_grace_window_keep_the_user_signed_in() {
    let app = spawn_app().await;
    app.register("tabs@example.com").await;
    let (_, r0) = app.tokens("tabs@example.com").await;
    let (x, y, z) = tokio::join!(app.refresh_body(&r0), app.refresh_body(&r0), app.refresh_body(&r0));
    let mut successors = Vec::new();
    for r in [x, y, z] {
        let (a, r) = token_pair(r).await;
        assert_eq!(app.me_bearer(&a).await.status(), StatusCode::OK);
        successors.push(r);
    }
    // Every successor is a valid token of the same, still live, family.
    for r in successors {
        let (a, _) = token_pair(app.refresh_body(&r).await).await;
        assert_eq!(app.me_bearer(&a).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_family_dies_after_its_idle_timeout() {
    let app = spawn_with(&["--refresh-idle-timeout", "2s"]).await;
    app.register("fidle@example.com").await;
    let (_, r0) = app.tokens("fidle@example.com").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (_, r1) = token_pair(app.refresh_body(&r0).await).await;
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_error(app.refresh_body(&r1).await, StatusCode::UNAUTHORIZED, "refresh_expired").await;
}

#[tokio::test]
async fn a_family_dies_at_its_absolute_lifetime_however_active() {
    let app = spawn_with(&["--refresh-absolute-timeout", "3s", "--refresh-idle-timeout", "1h"]).await;
    app.register("fabs@example.com").await;
    let (_, mut r) = app.tokens("fabs@example.com").await;
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        r = token_pair(app.refresh_body(&r).await).await.1;
    }
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_error(app.refresh_body(&r).await, StatusCode::UNAUTHORIZED, "refresh_expired").await;
}

#[tokio::test]
async fn after_a_key_rotation_old_tokens_verify_until_they_expire() {
    let app = spawn_with(&["--key-reload-interval", "1s"]).await;
    app.register("keys@example.com").await;
    let (old, _) = app.tokens("keys@example.com").await;
    let kid = |t: &str| jsonwebtoken::decode_header(t).unwrap().kid.unwrap();
    let (service, _) = server::auth_service(&app.settings).await.unwrap();
    let new_kid = service.rotate_keys().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (new, _) = app.tokens("keys@example.com").await;
    assert_eq!(kid(&new), new_kid, "new tokens use the new key");
    assert_ne!(kid(&old), new_kid);
    assert_eq!(app.me_bearer(&old).await.status(), StatusCode::OK, "the old key still verifies");
    assert_eq!(app.me_bearer(&new).await.status(), StatusCode::OK);
    let jwks = json(app.get("/.well-known/jwks.json", None).await).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_token_verifies_against_the_published_jwks() {
    let app = spawn_app().await;
    app.register("jwks@example.com").await;
    let (access, _) = app.tokens("jwks@example.com").await;
    let r = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let set: jsonwebtoken::jwk::JwkSet = r.json().await.unwrap();
    let kid = jsonwebtoken::decode_header(&access).unwrap().kid.unwrap();
    let jwk = set.find(&kid).expect("the token's kid is published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    v.set_audience(&["secure-routes"]);
    v.set_issuer(&["secure-routes"]);
    let data = jsonwebtoken::decode::<serde_json::Value>(&access, &key, &v).expect("verifies with the published key");
    assert_eq!(data.claims["typ"], "access");
    // Nothing private is published.
    assert!(set.keys.iter().all(|k| serde_json::to_value(k).unwrap().get("d").is_none()));
}

#[tokio::test]
async fn a_restart_keeps_tokens_and_sessions_valid() {
    let app = spawn_app().await;
    app.register("restart@example.com").await;
    let (access, refresh) = app.tokens("restart@example.com").await;
    let session = app.login("restart@example.com").await;
    let dir = app.stop().await;
    let app = spawn_on(dir, &[]).await;
    assert_eq!(app.me_bearer(&access).await.status(), StatusCode::OK);
    assert_eq!(app.refresh_body(&refresh).await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/me", Some(&session)).await.status(), StatusCode::OK);
}

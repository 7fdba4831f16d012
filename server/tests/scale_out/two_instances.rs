//! Two instances, A and B, on different ports against the same PostgreSQL and Redis: whatever
//! one instance does to a credential, the other sees at its next request.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json, spawn_on, token_pair, Jar, TestApp};

/// A and B, sharing every store. Revocation checking is on (the default): a logout reaches a
/// JWT at once on every instance, because the check reads the shared database.
async fn pair(extra: &[&str]) -> (TestApp, TestApp) {
    crate::engines();
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let a = spawn_on(dir.clone(), extra).await;
    let b = spawn_on(dir, extra).await;
    assert_ne!(a.base, b.base);
    (a, b)
}

async fn me(app: &TestApp, jar: &Jar) -> StatusCode {
    app.get("/api/me", Some(&jar.header())).await.status()
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn a_session_started_on_a_is_used_on_b_and_a_logout_on_b_ends_it_on_a() {
    let (a, b) = pair(&[]).await;
    a.register("both@example.com").await;
    let jar = a.login_mode("both@example.com", "session").await;
    assert_eq!(me(&b, &jar).await, StatusCode::OK, "B finds the session A stored in Redis");
    let r = b.post_json("/api/auth/logout", &json!({}), Some(&jar.header())).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&a, &jar).await, StatusCode::UNAUTHORIZED, "the old cookie replayed on A");
    assert_eq!(me(&b, &jar).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn a_token_signed_on_a_verifies_on_b_and_a_logout_on_b_ends_it_on_a() {
    let (a, b) = pair(&[]).await;
    a.register("jwt2@example.com").await;
    let jar = a.login_mode("jwt2@example.com", "jwt").await;
    assert_eq!(me(&b, &jar).await, StatusCode::OK, "B verifies A's signature: the keys are shared");
    let (access, refresh) = a.tokens("jwt2@example.com").await;
    assert_eq!(b.me_bearer(&access).await.status(), StatusCode::OK);

    assert_eq!(b.post_json("/api/auth/logout", &json!({}), Some(&jar.header())).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&a, &jar).await, StatusCode::UNAUTHORIZED, "revoked on B, refused on A");
    let r = a.client.post(a.url("/api/auth/refresh")).header(reqwest::header::COOKIE, jar.header()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "nor can A extend it");

    let r = b.client.post(b.url("/api/auth/logout")).bearer_auth(&access).json(&json!({"refresh_token": refresh})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(a.me_bearer(&access).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(a.refresh_body(&refresh).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn a_force_logout_on_a_reaches_both_modes_on_b() {
    let (a, b) = pair(&[]).await;
    a.make_admin("root@example.com").await;
    let root = a.login_mode("root@example.com", "session").await;
    b.register("kicked@example.com").await;
    let session = b.login_mode("kicked@example.com", "session").await;
    let jwt = b.login_mode("kicked@example.com", "jwt").await;
    let id = json(b.get("/api/me", Some(&session.header())).await).await["id"].as_i64().unwrap();
    let r = a.post_json(&format!("/api/admin/users/{id}/force-logout"), &json!({}), Some(&root.header())).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(me(&b, &session).await, StatusCode::UNAUTHORIZED, "session ended on B");
    assert_eq!(me(&b, &jwt).await, StatusCode::UNAUTHORIZED, "JWT refused on B");
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn concurrent_refreshes_split_across_a_and_b_keep_the_user_signed_in() {
    let (a, b) = pair(&[]).await;
    a.register("tabs2@example.com").await;
    for round in 0..5 {
        let (_, r0) = a.tokens("tabs2@example.com").await;
        // The same token at both instances at once, as two tabs behind a load balancer would.
        let (x, y, z, w) = tokio::join!(a.refresh_body(&r0), b.refresh_body(&r0), a.refresh_body(&r0), b.refresh_body(&r0));
        for (i, r) in [x, y, z, w].into_iter().enumerate() {
            let (access, next) = token_pair(r).await;
            let (here, there) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            assert_eq!(there.me_bearer(&access).await.status(), StatusCode::OK, "round {round}, reply {i}");
            let (again, _) = token_pair(here.refresh_body(&next).await).await;
            assert_eq!(here.me_bearer(&again).await.status(), StatusCode::OK);
        }
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn an_address_has_one_rate_budget_across_instances() {
    let (a, b) = pair(&["--auth-rate-per-minute", "4"]).await;
    let attempt = |app: &TestApp, i: usize| {
        let body = json!({"email": format!("guess{i}@example.com"), "password": "not the password"});
        let (client, url) = (app.client.clone(), app.url("/api/auth/login"));
        async move { client.post(url).json(&body).send().await.unwrap() }
    };
    // Four in all, alternating: each instance alone would allow four more.
    for i in 0..4 {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(attempt(app, i).await.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    for (name, app) in [("A", &a), ("B", &b)] {
        let r = attempt(app, 9).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the fifth, on {name}");
        assert!(r.headers().get("retry-after").is_some());
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn an_accounts_login_brake_is_shared_across_instances() {
    let (a, b) = pair(&["--login-free-failures", "2", "--login-max-delay", "2s"]).await;
    a.register("braked@example.com").await;
    let wrong = json!({"email": "braked@example.com", "password": "not the password"});
    assert_eq!(a.post_json("/api/auth/login", &wrong, None).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.post_json("/api/auth/login", &wrong, None).await.status(), StatusCode::UNAUTHORIZED);
    // Two failures, one on each: the third guess waits on both, though neither saw two.
    for (name, app) in [("A", &a), ("B", &b)] {
        assert_eq!(app.post_json("/api/auth/login", &wrong, None).await.status(), StatusCode::TOO_MANY_REQUESTS, "on {name}");
    }
}

fn kid(token: &str) -> String {
    use base64::Engine;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap();
    serde_json::from_slice::<Value>(&header).unwrap()["kid"].as_str().unwrap().to_owned()
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn after_a_key_rotation_a_new_token_from_a_verifies_on_b_at_once() {
    crate::engines();
    let dir = Arc::new(tempfile::tempdir().unwrap());
    // A re-reads keys every second; B only every 30 s (the default): B must not wait for that.
    let a = spawn_on(dir.clone(), &["--key-reload-interval", "1s"]).await;
    let b = spawn_on(dir, &[]).await;
    a.register("rot@example.com").await;
    let (before, _) = a.tokens("rot@example.com").await;
    let (service, _) = server::auth_service(&a.settings).await.unwrap();
    service.rotate_keys().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (after, _) = a.tokens("rot@example.com").await;
    assert_ne!(kid(&before), kid(&after), "A signs with the new key");
    assert_eq!(b.me_bearer(&after).await.status(), StatusCode::OK, "B reloads the keys for an unknown kid");
    assert_eq!(b.me_bearer(&before).await.status(), StatusCode::OK, "the old key still verifies until its tokens expire");
}

//! Bearer and token-endpoint flows, JWT cookies, logout with revocation on and off, modes.

use reqwest::{header, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_token_endpoint_returns_tokens_in_the_body_and_no_cookies() {
    let app = spawn_app().await;
    app.register("api@example.com").await;
    let r = app.post_json("/api/auth/token", &json!({"email": "api@example.com", "password": PASSWORD}), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(set_cookies(&r).is_empty());
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let b = json(r).await;
    assert_eq!(b["token_type"], "Bearer");
    assert!(b["expires_in"].as_i64().unwrap() > 250 && b["expires_in"].as_i64().unwrap() <= 300);
    let me = app.me_bearer(b["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me = json(me).await;
    assert_eq!(me["mode"], "jwt");
    assert_eq!(me["email"], "api@example.com");
}

#[tokio::test]
async fn wrong_credentials_at_the_token_endpoint_are_a_generic_401() {
    let app = spawn_app().await;
    app.register("api2@example.com").await;
    let wrong = app.post_json("/api/auth/token", &json!({"email": "api2@example.com", "password": "nope nope"}), None).await;
    let unknown = app.post_json("/api/auth/token", &json!({"email": "ghost@example.com", "password": "nope nope"}), None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(wrong).await, json(unknown).await);
}

#[tokio::test]
async fn a_body_refresh_answers_in_the_body() {
    let app = spawn_app().await;
    app.register("body@example.com").await;
    let (_, refresh) = app.tokens("body@example.com").await;
    let r = app.refresh_body(&refresh).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(set_cookies(&r).is_empty());
    assert!(json(r).await["refresh_token"].as_str().is_some());
}

#[tokio::test]
async fn a_jwt_login_sets_the_three_cookies_with_their_scopes() {
    let app = spawn_app().await;
    app.register("jar@example.com").await;
    let r = app.post_json("/api/auth/login", &json!({"email": "jar@example.com", "password": PASSWORD, "mode": "jwt"}), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookies = set_cookies(&r);
    let find = |name: &str| cookies.iter().find(|c| c.starts_with(&format!("{name}="))).cloned().unwrap_or_default();
    let access = find("__Host-access");
    for a in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(access.contains(a), "{access} lacks {a}");
    }
    let refresh = find("__Secure-refresh");
    for a in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"] {
        assert!(refresh.contains(a), "{refresh} lacks {a}");
    }
    assert!(find("__Host-mode").starts_with("__Host-mode=jwt"));
    assert_eq!(json(r).await["mode"], "jwt");
}

#[tokio::test]
async fn the_cookie_refresh_rotates_both_cookies() {
    let app = spawn_app().await;
    app.register("cref@example.com").await;
    let mut jar = app.login_mode("cref@example.com", "jwt").await;
    let before = jar.get("__Secure-refresh").unwrap().to_owned();
    let r = app.post_json("/api/auth/refresh", &json!(null), Some(&jar.header())).await;
    // A JSON `null` body is not `{refresh_token}`: fall back to... no, it is a bad body.
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app.client.post(app.url("/api/auth/refresh")).header(header::COOKIE, jar.header()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    jar.absorb(&r);
    assert_ne!(jar.get("__Secure-refresh").unwrap(), before);
    assert_eq!(app.get("/api/me", Some(&jar.header())).await.status(), StatusCode::OK);
}

async fn logout_then_replay(revocation: &str) -> (StatusCode, StatusCode) {
    let app = spawn_with(&["--revocation-check", revocation]).await;
    app.register("out@example.com").await;
    let jar = app.login_mode("out@example.com", "jwt").await;
    assert_eq!(app.get("/api/me", Some(&jar.header())).await.status(), StatusCode::OK);
    let r = app.post_json("/api/auth/logout", &json!({}), Some(&jar.header())).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let cleared = set_cookies(&r);
    for name in ["__Host-access", "__Secure-refresh"] {
        assert!(cleared.iter().any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0")), "{name} cleared");
    }
    // Replay the old cookies as an attacker who copied them would.
    let me = app.get("/api/me", Some(&jar.header())).await.status();
    let refresh = app.client.post(app.url("/api/auth/refresh")).header(header::COOKIE, jar.header()).send().await.unwrap().status();
    (me, refresh)
}

#[tokio::test]
async fn with_revocation_checking_on_logout_kills_the_access_token_at_once() {
    let (me, refresh) = logout_then_replay("on").await;
    assert_eq!(me, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn with_revocation_checking_off_the_old_access_token_lives_until_exp() {
    let (me, refresh) = logout_then_replay("off").await;
    assert_eq!(me, StatusCode::OK, "stateless: valid until exp");
    assert_eq!(refresh, StatusCode::UNAUTHORIZED, "but the login cannot be extended");
}

#[tokio::test]
async fn bearer_logout_revokes_the_family() {
    let app = spawn_app().await;
    app.register("blo@example.com").await;
    let (access, refresh) = app.tokens("blo@example.com").await;
    let r = app.client.post(app.url("/api/auth/logout")).bearer_auth(&access).json(&json!({"refresh_token": refresh})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.me_bearer(&access).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.refresh_body(&refresh).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn both_modes_coexist_and_only_the_active_one_is_honoured() {
    let app = spawn_app().await;
    app.register("both@example.com").await;
    let session = app.login_mode("both@example.com", "session").await;
    let jwt = app.login_mode("both@example.com", "jwt").await;
    let mut jar = session.clone();
    for (k, v) in &jwt.0 {
        jar.set(k, v);
    }
    jar.set("__Host-mode", "session");
    assert_eq!(json(app.get("/api/me", Some(&jar.header())).await).await["mode"], "session");
    jar.set("__Host-mode", "jwt");
    assert_eq!(json(app.get("/api/me", Some(&jar.header())).await).await["mode"], "jwt");
    // Signed in under session only, with JWT selected: not signed in.
    let mut only_session = session.clone();
    only_session.set("__Host-mode", "jwt");
    assert_error(app.get("/api/me", Some(&only_session.header())).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_disabled_mode_cannot_be_used() {
    let app = spawn_with(&["--auth-modes", "session"]).await;
    app.register("dis@example.com").await;
    let r = app.post_json("/api/auth/login", &json!({"email": "dis@example.com", "password": PASSWORD, "mode": "jwt"}), None).await;
    assert_error(r, StatusCode::BAD_REQUEST, "mode_disabled").await;
    let r = app.post_json("/api/auth/token", &json!({"email": "dis@example.com", "password": PASSWORD}), None).await;
    assert_error(r, StatusCode::BAD_REQUEST, "mode_disabled").await;
}

#[tokio::test]
async fn a_page_load_with_an_expired_access_token_detours_through_refresh() {
    let app = spawn_with(&["--access-token-ttl", "1s", "--jwt-leeway-secs", "0"]).await;
    app.register("detour@example.com").await;
    let mut jar = app.login_mode("detour@example.com", "jwt").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    // The browser would have dropped the expired access cookie (Max-Age); the hint remains.
    jar.0.remove("__Host-access");
    let r = app.page("/dashboard", Some(&jar.header())).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[header::LOCATION], "/api/auth/refresh?next=/dashboard");
    let r = app.client.get(app.url("/api/auth/refresh?next=/dashboard")).header(header::COOKIE, jar.header()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/dashboard");
    jar.absorb(&r);
    let r = app.page("/dashboard", Some(&jar.header())).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("detour@example.com"));
}

#[tokio::test]
async fn a_failed_page_load_refresh_clears_the_jwt_cookies_and_does_not_loop() {
    let app = spawn_app().await;
    let jar = "__Host-mode=jwt; __Host-jwt=1; __Secure-refresh=bogus";
    let r = app.page("/dashboard", Some(jar)).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let r = app.client.get(app.url("/api/auth/refresh?next=/dashboard")).header(header::COOKIE, jar).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cleared = set_cookies(&r);
    assert!(cleared.iter().any(|c| c.starts_with("__Host-jwt=;")));
    // Without the hint the page load goes straight to the login redirect.
    let r = app.page("/dashboard", Some("__Host-mode=jwt")).await;
    assert_eq!(r.headers()[header::LOCATION], "/login?next=/dashboard");
}

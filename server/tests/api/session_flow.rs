use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn register_login_me_logout_then_me_is_401() {
    let app = spawn_app().await;
    app.register("alice@example.com").await;
    let cookie = app.login("alice@example.com").await;

    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me = json(me).await;
    assert_eq!(me["email"], "alice@example.com");
    assert_eq!(me["role"], "user");
    assert_eq!(me["mode"], "session");
    assert!(me["id"].as_i64().is_some());
    assert!(me["expires_at"].as_str().unwrap().contains('T'), "RFC 3339: {me}");

    let out = app.post_json("/api/auth/logout", &json!({}), Some(&cookie)).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);

    // The browser dropped the cookie: a request without it is anonymous.
    assert_error(app.get("/api/me", None).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn the_old_cookie_replayed_after_logout_is_refused() {
    let app = spawn_app().await;
    let cookie = app.signed_in_user("bob@example.com").await;
    app.post_json("/api/auth/logout", &json!({}), Some(&cookie)).await;
    let replay = app.get("/api/me", Some(&cookie)).await;
    assert_error(replay, StatusCode::UNAUTHORIZED, "session_expired").await;
}

#[tokio::test]
async fn login_issues_a_new_session_id_and_kills_the_presented_one() {
    let app = spawn_app().await;
    let first = app.signed_in_user("carol@example.com").await;
    // Log in again while presenting the first id (as a fixation attacker's planted id would be).
    let r = app.post_json("/api/auth/login", &json!({"email": "carol@example.com", "password": PASSWORD}), Some(&first)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let second = session_cookie(&r).unwrap();
    assert_ne!(first, second, "the session id must change on login");
    assert_eq!(app.get("/api/me", Some(&first)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/me", Some(&second)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_session_cookie_is_host_prefixed_httponly_secure_and_lax() {
    let app = spawn_app().await;
    app.register("dave@example.com").await;
    let r = app.post_json("/api/auth/login", &json!({"email": "dave@example.com", "password": PASSWORD}), None).await;
    let c = session_set_cookie(&r).unwrap();
    let attrs: Vec<String> = c.split(';').map(|a| a.trim().to_ascii_lowercase()).collect();
    for want in ["httponly", "secure", "samesite=lax", "path=/"] {
        assert!(attrs.iter().any(|a| a == want), "{c} lacks {want}");
    }
    assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{c} must not set Domain");
    assert!(attrs.iter().any(|a| a.starts_with("expires=")), "{c} should expire with the absolute timeout");
    assert_eq!(r.headers()["cache-control"], "no-store");
    // 128 random bits, base64: 22 characters.
    assert_eq!(c.split(';').next().unwrap().len(), "__Host-sid=".len() + 22);
}

#[tokio::test]
async fn logout_sends_a_removal_cookie_that_a_browser_honours() {
    let app = spawn_app().await;
    let cookie = app.signed_in_user("erin@example.com").await;
    let r = app.post_json("/api/auth/logout", &json!({}), Some(&cookie)).await;
    let c = session_set_cookie(&r).expect("a removal cookie");
    // A `__Host-` cookie is only replaced by one that is itself Secure with Path=/.
    assert!(c.starts_with("__Host-sid=;"), "{c}");
    for want in ["Secure", "Path=/", "Max-Age=0"] {
        assert!(c.contains(want), "{c} lacks {want}");
    }
}

#[tokio::test]
async fn logout_without_a_session_still_succeeds() {
    let app = spawn_app().await;
    let r = app.post_json("/api/auth/logout", &json!({}), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.register("frank@example.com").await;
    let wrong = app.post_json("/api/auth/login", &json!({"email": "frank@example.com", "password": "not the password"}), None).await;
    let unknown = app.post_json("/api/auth/login", &json!({"email": "nobody@example.com", "password": "not the password"}), None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(session_set_cookie(&wrong).is_none() && session_set_cookie(&unknown).is_none());
    assert_eq!(json(wrong).await, json(unknown).await);
}

#[tokio::test]
async fn registering_a_taken_email_looks_like_a_new_registration() {
    let app = spawn_app().await;
    let body = json!({"email": "grace@example.com", "password": PASSWORD});
    let first = app.post_json("/api/auth/register", &body, None).await;
    let again = app.post_json("/api/auth/register", &json!({"email": "Grace@Example.com ", "password": "another passphrase"}), None).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(json(first).await, json(again).await);
    // ...and the original password still works: the second registration changed nothing.
    app.login("grace@example.com").await;
}

#[tokio::test]
async fn emails_are_matched_case_and_space_insensitively() {
    let app = spawn_app().await;
    app.register("heidi@example.com").await;
    let r = app.post_json("/api/auth/login", &json!({"email": "  HEIDI@example.COM", "password": PASSWORD}), None).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_admin_made_by_the_command_has_the_admin_role() {
    let app = spawn_app().await;
    app.make_admin("root@example.com").await;
    let cookie = app.login("root@example.com").await;
    assert_eq!(json(app.get("/api/me", Some(&cookie)).await).await["role"], "admin");
}

#[tokio::test]
async fn liveness_and_readiness_report_the_stores() {
    let app = spawn_app().await;
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["status"], "ok");
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = json(r).await;
    assert_eq!((&body["database"], &body["session_store"]), (&"ok".into(), &"ok".into()), "{body}");
}

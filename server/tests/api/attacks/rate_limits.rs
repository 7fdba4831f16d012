//! Per-address limits (429 + Retry-After, not reset by a spoofed X-Forwarded-For) and the
//! per-account delay after failed logins, which is short and the same for unknown emails.

use reqwest::{header, StatusCode};
use serde_json::json;

use crate::helpers::*;

async fn login(app: &TestApp, email: &str, password: &str, xff: Option<&str>) -> reqwest::Response {
    let mut req = app.client.post(app.url("/api/auth/login")).json(&json!({"email": email, "password": password}));
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    req.send().await.unwrap()
}

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_address_over_its_budget_gets_429_with_retry_after_and_a_spoofed_header_does_not_help() {
    let app = spawn_with(&["--auth-rate-per-minute", "3"]).await;
    for _ in 0..3 {
        assert_eq!(login(&app, "x@example.com", "wrong password", None).await.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login(&app, "x@example.com", "wrong password", None).await;
    let wait = retry_after(&r);
    assert!((1..=20).contains(&wait), "{wait}");
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Register and token share the budget; a made-up X-Forwarded-For is not believed.
    for xff in ["203.0.113.9", "198.51.100.1, 203.0.113.10"] {
        assert_eq!(login(&app, "x@example.com", "wrong password", Some(xff)).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let r = app.post_json("/api/auth/register", &json!({"email": "n@example.com", "password": PASSWORD}), None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Authenticated traffic is not limited.
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget() {
    let app = spawn_with(&["--auth-rate-per-minute", "2", "--trusted-proxies", "127.0.0.1"]).await;
    for _ in 0..2 {
        login(&app, "x@example.com", "wrong password", Some("203.0.113.1")).await;
    }
    assert_eq!(login(&app, "x@example.com", "wrong password", Some("203.0.113.1")).await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login(&app, "y@example.com", "wrong password", Some("203.0.113.2")).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_has_its_own_budget() {
    let app = spawn_with(&["--refresh-rate-per-minute", "2"]).await;
    for _ in 0..2 {
        assert_eq!(app.refresh_body("not-a-real-token").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.refresh_body("not-a-real-token").await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login(&app, "x@example.com", "wrong password", None).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_failures_slow_one_account_briefly_and_unknown_accounts_alike() {
    let app = spawn_with(&["--login-free-failures", "2", "--login-max-delay", "2s"]).await;
    app.register("victim@example.com").await;
    for email in ["victim@example.com", "nobody@example.com"] {
        for _ in 0..2 {
            assert_eq!(login(&app, email, "wrong password", None).await.status(), StatusCode::UNAUTHORIZED);
        }
        let r = login(&app, email, "wrong password", None).await;
        assert_eq!(retry_after(&r), 1, "{email}");
        assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        // Even the right password waits: the brake is on guesses, whoever makes them.
        assert_eq!(login(&app, email, PASSWORD, None).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    // Other accounts are untouched, and the real user gets in after the (short) wait.
    app.register("bystander@example.com").await;
    assert_eq!(login(&app, "bystander@example.com", PASSWORD, None).await.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(login(&app, "victim@example.com", PASSWORD, None).await.status(), StatusCode::OK);
}

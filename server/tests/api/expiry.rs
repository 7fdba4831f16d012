use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_session_expires_after_the_idle_timeout() {
    let app = spawn_with(&["--session-idle-timeout", "2s", "--session-absolute-timeout", "1h"]).await;
    let cookie = app.signed_in_user("idle@example.com").await;
    // Used within the idle window, it lives on.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(app.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let r = app.get("/api/me", Some(&cookie)).await;
    assert!(session_set_cookie(&r).is_some_and(|c| c.contains("Max-Age=0")), "a dead session's cookie is cleared");
    assert_error(r, StatusCode::UNAUTHORIZED, "session_expired").await;
}

#[tokio::test]
async fn an_active_session_still_ends_at_the_absolute_timeout() {
    let app = spawn_with(&["--session-idle-timeout", "2s", "--session-absolute-timeout", "4s"]).await;
    let cookie = app.signed_in_user("busy@example.com").await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(app.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK);
    }
    // Never idle for more than a second, yet past the absolute limit.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_error(app.get("/api/me", Some(&cookie)).await, StatusCode::UNAUTHORIZED, "session_expired").await;
}

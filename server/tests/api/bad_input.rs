//! Bad input of every kind gets a 4xx with the JSON error shape, never a 500.

use reqwest::{header, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn malformed_json_is_a_400() {
    let app = spawn_app().await;
    let r = app.client.post(app.url("/api/auth/login")).header(header::CONTENT_TYPE, "application/json").body("{\"email\":").send().await.unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn missing_and_mistyped_fields_are_a_400() {
    let app = spawn_app().await;
    for body in [json!({"email": "a@example.com"}), json!({"password": PASSWORD}), json!({"email": 5, "password": PASSWORD}), json!([1, 2]), json!({"email": "a@example.com", "password": PASSWORD, "extra": true})] {
        for path in ["/api/auth/login", "/api/auth/register"] {
            assert_error(app.post_json(path, &body, None).await, StatusCode::BAD_REQUEST, "invalid_body").await;
        }
    }
}

#[tokio::test]
async fn a_non_json_content_type_is_a_415() {
    let app = spawn_app().await;
    let r = app.client.post(app.url("/api/auth/login")).header(header::CONTENT_TYPE, "text/plain").body("email=a").send().await.unwrap();
    assert_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let r = app.client.post(app.url("/api/auth/register")).body("{}").send().await.unwrap();
    assert_error(r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
}

#[tokio::test]
async fn an_oversize_body_is_a_413() {
    let app = spawn_app().await;
    let body = json!({"email": "a@example.com", "password": "x".repeat(20_000)});
    for path in ["/api/auth/login", "/api/auth/register"] {
        assert_error(app.post_json(path, &body, None).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    }
}

#[tokio::test]
async fn an_invalid_email_is_a_400_that_says_so() {
    let app = spawn_app().await;
    for email in ["", "   ", "not-an-email", "a@b", "<script>@x.com", &format!("{}@example.com", "a".repeat(300))] {
        let body = json!({"email": email, "password": PASSWORD});
        for path in ["/api/auth/login", "/api/auth/register"] {
            let msg = assert_error(app.post_json(path, &body, None).await, StatusCode::BAD_REQUEST, "invalid_email").await;
            assert!(msg.contains("email"), "{msg}");
        }
    }
}

#[tokio::test]
async fn empty_short_and_absurdly_long_passwords_are_400s() {
    let app = spawn_app().await;
    let long = "p".repeat(5_000);
    for (path, pw) in [("/api/auth/login", ""), ("/api/auth/register", ""), ("/api/auth/register", "short"), ("/api/auth/login", long.as_str()), ("/api/auth/register", long.as_str())] {
        let body = json!({"email": "a@example.com", "password": pw});
        let msg = assert_error(app.post_json(path, &body, None).await, StatusCode::BAD_REQUEST, "invalid_password").await;
        assert!(msg.contains("password"), "{msg}");
    }
}

#[tokio::test]
async fn an_unknown_login_mode_is_a_400() {
    let app = spawn_app().await;
    let body = json!({"email": "a@example.com", "password": PASSWORD, "mode": "magic"});
    assert_error(app.post_json("/api/auth/login", &body, None).await, StatusCode::BAD_REQUEST, "invalid_mode").await;
}

#[tokio::test]
async fn a_garbage_session_cookie_is_a_401_and_is_cleared() {
    let app = spawn_app().await;
    for garbage in ["__Host-sid=%%%not-base64%%%", "__Host-sid=", "__Host-sid=AAAAAAAAAAAAAAAAAAAAAA", &format!("__Host-sid={}", "A".repeat(3000))] {
        let r = app.get("/api/me", Some(garbage)).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{garbage}");
        let body = json(r).await;
        assert!(body["error"] == "invalid_session" || body["error"] == "session_expired", "{body}");
    }
    let r = app.get("/api/me", Some("__Host-sid=@@@")).await;
    assert!(session_set_cookie(&r).is_some_and(|c| c.contains("Max-Age=0")));
}

#[tokio::test]
async fn an_oversize_cookie_header_is_a_431() {
    let app = spawn_app().await;
    let huge = format!("junk={}", "x".repeat(10_000));
    assert_error(app.get("/api/me", Some(&huge)).await, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large").await;
}

#[tokio::test]
async fn a_session_id_in_the_query_string_is_ignored() {
    let app = spawn_app().await;
    let cookie = app.signed_in_user("query@example.com").await;
    let id = cookie.trim_start_matches("__Host-sid=");
    let r = app.get(&format!("/api/me?__Host-sid={id}&sid={id}"), None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

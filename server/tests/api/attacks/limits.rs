//! Oversize input is refused with a 4xx, never a 500; credentials in URLs are ignored.

use reqwest::{header, StatusCode};

use crate::helpers::*;

#[tokio::test]
async fn oversize_headers_are_a_431() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/api/me")).header("x-padding", "a".repeat(20 * 1024)).send().await.unwrap();
    assert_error(r, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large").await;
}

#[tokio::test]
async fn an_oversize_token_is_a_plain_401() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/api/me")).bearer_auth("e".repeat(6000)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_oversize_server_function_body_is_refused() {
    let app = spawn_app().await;
    let body = format!("email=a%40example.com&password={}", "p".repeat(2 * 1024 * 1024));
    let r = app
        .client
        .post(app.url("/sf/login"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn an_access_token_in_the_query_string_is_ignored() {
    let app = spawn_app().await;
    app.register("q@example.com").await;
    let (access, _) = app.tokens("q@example.com").await;
    for q in [format!("access_token={access}"), format!("__Host-access={access}"), format!("token={access}")] {
        assert_eq!(app.get(&format!("/api/me?{q}"), None).await.status(), StatusCode::UNAUTHORIZED, "{q}");
    }
}

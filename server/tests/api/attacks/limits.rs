//! Oversize input is refused with a 4xx, never a 500; credentials in URLs are ignored.

use reqwest::StatusCode;

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
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    // Only the request head, announcing 2 MiB: the server must answer 413 from the length
    // alone, before reading (or making anyone send) the body. A client that keeps writing gets
    // the same answer or a closed connection, depending on timing; this tests the answer.
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /sf/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // Until the JSON body is in (or the server closes): the head and body may come in pieces.
    while !String::from_utf8_lossy(&got).contains('}') {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut buf)).await.expect("an answer without the body").unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    let reply = String::from_utf8_lossy(&got);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("payload_too_large"), "{reply}");
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

//! Authenticated pages and every response that sets or clears a credential are `no-store`.

use reqwest::header;
use serde_json::json;

use crate::helpers::*;

fn no_store(r: &reqwest::Response) -> bool {
    r.headers().get(header::CACHE_CONTROL).is_some_and(|v| v.to_str().unwrap().contains("no-store"))
}

#[tokio::test]
async fn credential_responses_and_private_pages_are_never_cached() {
    let app = spawn_app().await;
    app.register("c@example.com").await;
    let login = app.post_json("/api/auth/login", &json!({"email": "c@example.com", "password": PASSWORD}), None).await;
    assert!(no_store(&login), "login sets a cookie");
    let cookie = session_cookie(&login).unwrap();
    assert!(no_store(&app.page("/dashboard", Some(&cookie)).await), "authenticated HTML");
    assert!(no_store(&app.get("/api/me", Some(&cookie)).await));
    let jwt = app.post_json("/api/auth/login", &json!({"email": "c@example.com", "password": PASSWORD, "mode": "jwt"}), None).await;
    assert!(no_store(&jwt));
    let (_, refresh) = app.tokens("c@example.com").await;
    assert!(no_store(&app.refresh_body(&refresh).await));
    let logout = app.post_json("/api/auth/logout", &json!({}), Some(&cookie)).await;
    assert!(no_store(&logout), "logout clears a cookie");
}

//! Cross-origin state changes are refused; same-origin pages and Bearer API clients work.

use reqwest::{header, StatusCode};
use serde_json::json;

use crate::helpers::*;

async fn login_from(app: &TestApp, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.post(app.url("/api/auth/login")).json(&json!({"email": "v@example.com", "password": PASSWORD}));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_cross_site_login_is_refused_by_fetch_metadata() {
    let app = spawn_app().await;
    app.register("v@example.com").await;
    let r = login_from(&app, &[("sec-fetch-site", "cross-site")]).await;
    assert!(session_set_cookie(&r).is_none(), "no credential is issued");
    assert_error(r, StatusCode::FORBIDDEN, "cross_origin").await;
    assert_eq!(login_from(&app, &[("sec-fetch-site", "same-site")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(login_from(&app, &[("sec-fetch-site", "same-origin")]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_fetch_metadata_the_origin_then_the_referer_must_be_this_site() {
    let app = spawn_app().await;
    app.register("v@example.com").await;
    let me = app.base.clone();
    assert_eq!(login_from(&app, &[("origin", "https://evil.example")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(login_from(&app, &[("origin", "null")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(login_from(&app, &[("origin", &me)]).await.status(), StatusCode::OK);
    assert_eq!(login_from(&app, &[("referer", "https://evil.example/login")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(login_from(&app, &[("referer", &format!("{me}.evil.example/"))]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(login_from(&app, &[("referer", &format!("{me}/login"))]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_and_server_functions_from_another_site_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let cookie = app.signed_in_user("v@example.com").await;
    let r = app
        .client
        .post(app.url("/api/auth/logout"))
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK, "still signed in");
    for endpoint in ["/sf/sign_out_others", "/sf/set_mode", "/sf/login", "/api/auth/logout_form"] {
        let r = app
            .client
            .post(app.url(endpoint))
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("mode=jwt")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    assert_eq!(app.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn bearer_api_clients_are_not_browser_pages_and_pass() {
    let app = spawn_app().await;
    app.register("v@example.com").await;
    let (access, _) = app.tokens("v@example.com").await;
    let r = app
        .client
        .post(app.url("/api/devices/sign-out-others"))
        .bearer_auth(&access)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn state_changing_server_functions_refuse_get() {
    let app = spawn_app().await;
    let cookie = app.signed_in_user("v@example.com").await;
    for endpoint in ["/sf/sign_out_others", "/api/auth/logout_form", "/sf/probe_revocation", "/sf/set_mode"] {
        let r = app.get(endpoint, Some(&cookie)).await;
        assert!(r.status().is_client_error(), "{endpoint}: {}", r.status());
    }
    assert_eq!(app.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn responses_vary_on_the_headers_the_decision_used() {
    let app = spawn_app().await;
    let r = app.get("/api/me", None).await;
    let vary: Vec<_> = r.headers().get_all(header::VARY).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let vary = vary.join(", ");
    for h in ["Origin", "Sec-Fetch-Site", "Cookie"] {
        assert!(vary.contains(h), "Vary: {vary}");
    }
}

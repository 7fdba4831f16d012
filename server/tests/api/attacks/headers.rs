//! Security headers on every response; HSTS only where the public origin is https.

use reqwest::{header, StatusCode};

use crate::helpers::*;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/api/me", "/login", "/no-such-page"] {
        let r = app.page(path, None).await;
        let h = r.headers();
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "strict-origin-when-cross-origin", "{path}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_origin_is_https() {
    let app = spawn_with(&["--public-origin", "https://app.example"]).await;
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[header::STRICT_TRANSPORT_SECURITY].to_str().unwrap().starts_with("max-age="));
}

#[tokio::test]
async fn markup_in_user_controlled_strings_renders_as_text_on_the_admin_and_audit_pages() {
    let app = spawn_app().await;
    // Emails cannot carry markup at all: the parser refuses it.
    let r = app.post_json("/api/auth/register", &serde_json::json!({"email": "a<b>@example.com", "password": PASSWORD}), None).await;
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_email").await;
    // A User-Agent can, and it lands in the audit log and the devices list, which the admin page
    // shows (and serialises into the page for hydration).
    let evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";
    app.register("ua@example.com").await;
    let r = app
        .client
        .post(app.url("/api/auth/login"))
        .header(header::USER_AGENT, evil)
        .json(&serde_json::json!({"email": "ua@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.make_admin("root@example.com").await;
    let jar = app.login_mode("root@example.com", "session").await;
    for page in ["/admin", "/admin?event=login_succeeded"] {
        let html = app.page(page, Some(&jar.header())).await.text().await.unwrap();
        assert!(html.contains("ua@example.com"), "{page} lists the user");
        assert!(!html.contains("<script>alert(1)"), "{page}: raw markup reached the page");
        assert!(!html.contains("<img src=x"), "{page}: raw markup reached the page");
    }
}

#[tokio::test]
async fn pages_carry_a_nonce_based_csp_and_every_script_has_the_nonce() {
    let app = spawn_app().await;
    let mut nonces = Vec::new();
    for path in ["/", "/login", "/inspect"] {
        let r = app.page(path, None).await;
        let csp = r.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        for directive in ["frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'", "'wasm-unsafe-eval'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("a nonce").to_owned();
        let html = r.text().await.unwrap();
        let tags: Vec<&str> = html.split("<script").skip(1).map(|rest| rest.split('>').next().unwrap_or_default()).collect();
        assert!(!tags.is_empty(), "{path} has the hydration script");
        for tag in tags {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: <script{tag}> lacks the nonce");
        }
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce per response");
    let api = app.get("/api/me", None).await;
    assert!(api.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
}

//! Server-rendered pages and the server functions behind the forms.

use reqwest::{header, Response, StatusCode};

use crate::helpers::*;

fn location(r: &Response) -> String {
    r.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// A login form posted the way a browser with JavaScript off posts it.
async fn form_login(app: &TestApp, email: &str, password: &str, next: &str) -> Response {
    let body = format!(
        "email={}&password={}&next={}",
        urlencode(email),
        urlencode(password),
        urlencode(next)
    );
    app.client
        .post(app.url("/sf/login"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/login?next=/dashboard"))
        .body(body)
        .send()
        .await
        .unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_signed_out_visitor_gets_a_real_redirect_from_the_dashboard() {
    let app = spawn_app().await;
    let r = app.page("/dashboard", None).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(location(&r), "/login?next=/dashboard");
    let body = r.text().await.unwrap();
    assert!(!body.contains("dashboard-welcome"), "no protected content in the redirect body");
}

#[tokio::test]
async fn a_signed_in_user_gets_the_dashboard_uncached() {
    let app = spawn_app().await;
    let cookie = app.signed_in_user("page@example.com").await;
    let r = app.page("/dashboard", Some(&cookie)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let body = r.text().await.unwrap();
    assert!(body.contains("dashboard-welcome") && body.contains("page@example.com"));
}

#[tokio::test]
async fn a_non_admin_gets_403_on_the_admin_page_and_an_admin_gets_it() {
    let app = spawn_app().await;
    let user = app.signed_in_user("plain@example.com").await;
    let r = app.page("/admin", Some(&user)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body = r.text().await.unwrap();
    assert!(body.contains("data-testid=\"forbidden\"") && !body.contains("admin-users"));

    app.make_admin("boss@example.com").await;
    let admin = app.login("boss@example.com").await;
    let r = app.page("/admin", Some(&admin)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("admin-users") && body.contains("plain@example.com"));
}

#[tokio::test]
async fn the_admin_server_function_checks_the_role_itself() {
    let app = spawn_app().await;
    let user = app.signed_in_user("sneaky@example.com").await;
    let post = |cookie: Option<String>| {
        let mut req = app.client.post(app.url("/sf/admin_users")).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.body("").send()
    };
    assert_eq!(post(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = post(Some(user)).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r.text().await.unwrap().contains("sneaky@example.com"));
}

#[tokio::test]
async fn a_plain_form_login_sets_the_cookie_and_redirects_to_next() {
    let app = spawn_app().await;
    app.register("form@example.com").await;
    let r = form_login(&app, "form@example.com", PASSWORD, "/dashboard").await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(location(&r), "/dashboard");
    let cookie = session_cookie(&r).expect("session cookie");
    assert_eq!(app.page("/dashboard", Some(&cookie)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_failed_form_login_goes_back_to_the_form_with_the_error() {
    let app = spawn_app().await;
    let r = form_login(&app, "nobody@example.com", "wrong password", "/dashboard").await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let to = location(&r);
    assert!(to.contains("/login?next=") && to.contains("dashboard") && to.contains("__err="), "{to}");
    assert!(session_cookie(&r).is_none());
}

#[tokio::test]
async fn login_only_follows_same_site_relative_next_paths() {
    let app = spawn_app().await;
    app.register("next@example.com").await;
    for evil in ["https://evil.example/", "//evil.example", "/\\evil.example", "/x\r\nSet-Cookie: a=b"] {
        let r = form_login(&app, "next@example.com", PASSWORD, evil).await;
        assert_eq!(r.status(), StatusCode::FOUND, "{evil:?}");
        assert_eq!(location(&r), "/", "{evil:?}");
    }
}

#[tokio::test]
async fn a_form_logout_clears_the_cookie_and_kills_the_session() {
    let app = spawn_app().await;
    let cookie = app.signed_in_user("leaver@example.com").await;
    let r = app
        .client
        .post(app.url("/api/auth/logout_form"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, &cookie)
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(location(&r), "/");
    assert!(session_set_cookie(&r).is_some_and(|c| c.contains("Max-Age=0") && c.contains("Secure")));
    assert_eq!(app.page("/dashboard", Some(&cookie)).await.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = spawn_app().await;
    assert_eq!(app.page("/no/such/page", None).await.status(), StatusCode::NOT_FOUND);
}

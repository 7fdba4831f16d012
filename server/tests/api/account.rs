//! Devices, sign out elsewhere, password change, admin actions, and the audit trail.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

async fn post(app: &TestApp, path: &str, body: Value, jar: &Jar) -> reqwest::Response {
    app.post_json(path, &body, Some(&jar.header())).await
}

async fn me_status(app: &TestApp, jar: &Jar) -> StatusCode {
    app.get("/api/me", Some(&jar.header())).await.status()
}

async fn refresh_status(app: &TestApp, jar: &Jar) -> StatusCode {
    app.client.post(app.url("/api/auth/refresh")).header(header::COOKIE, jar.header()).send().await.unwrap().status()
}

async fn admin(app: &TestApp) -> Jar {
    app.make_admin("root@example.com").await;
    app.login_mode("root@example.com", "session").await
}

async fn user_id(app: &TestApp, jar: &Jar) -> i64 {
    json(app.get("/api/me", Some(&jar.header())).await).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn devices_list_both_modes_and_revoking_one_signs_that_browser_out() {
    let app = spawn_app().await;
    app.register("dev@example.com").await;
    let laptop = app.login_mode("dev@example.com", "session").await;
    let phone = app.login_mode("dev@example.com", "session").await;
    let jwt = app.login_mode("dev@example.com", "jwt").await;

    let list = json(app.get("/api/devices", Some(&laptop.header())).await).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.iter().filter(|d| d["mode"] == "session").count(), 2);
    assert_eq!(list.iter().filter(|d| d["mode"] == "jwt").count(), 1);
    let current: Vec<_> = list.iter().filter(|d| d["current"] == true).collect();
    assert_eq!(current.len(), 1);
    // Sessions are named by a fingerprint, never by their id.
    let phone_id = phone.get("__Host-sid").unwrap();
    assert!(list.iter().all(|d| d["id"].as_str().unwrap() != phone_id));

    let phone_device = list.iter().find(|d| d["mode"] == "session" && d["current"] == false).unwrap();
    let r = post(&app, "/api/devices/revoke", json!({"mode": "session", "id": phone_device["id"]}), &laptop).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, &phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &laptop).await, StatusCode::OK);

    let family = list.iter().find(|d| d["mode"] == "jwt").unwrap();
    let r = post(&app, "/api/devices/revoke", json!({"mode": "jwt", "id": family["id"]}), &laptop).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Revocation checking is on by default: the access token in flight dies too.
    assert_eq!(me_status(&app, &jwt).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh_status(&app, &jwt).await, StatusCode::UNAUTHORIZED);

    let r = post(&app, "/api/devices/revoke", json!({"mode": "session", "id": "nope"}), &laptop).await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn someone_elses_device_cannot_be_revoked() {
    let app = spawn_app().await;
    app.register("a@example.com").await;
    app.register("b@example.com").await;
    let a = app.login_mode("a@example.com", "session").await;
    let b = app.login_mode("b@example.com", "jwt").await;
    let b_devices = json(app.get("/api/devices", Some(&b.header())).await).await;
    let id = b_devices[0]["id"].clone();
    let r = post(&app, "/api/devices/revoke", json!({"mode": "jwt", "id": id}), &a).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(me_status(&app, &b).await, StatusCode::OK);
}

#[tokio::test]
async fn sign_out_everywhere_else_keeps_only_the_current_browser() {
    let app = spawn_app().await;
    app.register("else@example.com").await;
    let here = app.login_mode("else@example.com", "session").await;
    let there = app.login_mode("else@example.com", "session").await;
    let jwt = app.login_mode("else@example.com", "jwt").await;
    let r = post(&app, "/api/devices/sign-out-others", json!({}), &here).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = json(r).await;
    assert_eq!(body["sessions_ended"], 1);
    assert_eq!(body["families_revoked"], 1);
    assert_eq!(me_status(&app, &here).await, StatusCode::OK);
    assert_eq!(me_status(&app, &there).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &jwt).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_signs_out_everything_else() {
    let app = spawn_app().await;
    app.register("pw@example.com").await;
    let here = app.login_mode("pw@example.com", "jwt").await;
    let other_session = app.login_mode("pw@example.com", "session").await;
    let other_jwt = app.login_mode("pw@example.com", "jwt").await;

    let r = post(&app, "/api/account/password", json!({"current_password": "wrong wrong", "new_password": "a brand new passphrase"}), &here).await;
    assert_error(r, StatusCode::BAD_REQUEST, "wrong_password").await;
    let r = post(&app, "/api/account/password", json!({"current_password": PASSWORD, "new_password": "short"}), &here).await;
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_new_password").await;

    let r = post(&app, "/api/account/password", json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}), &here).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, &here).await, StatusCode::OK);
    assert_eq!(refresh_status(&app, &here).await, StatusCode::OK);
    assert_eq!(me_status(&app, &other_session).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &other_jwt).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh_status(&app, &other_jwt).await, StatusCode::UNAUTHORIZED);

    let old = app.post_json("/api/auth/login", &json!({"email": "pw@example.com", "password": PASSWORD}), None).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app.post_json("/api/auth/login", &json!({"email": "pw@example.com", "password": "a brand new passphrase"}), None).await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn admin_endpoints_refuse_non_admins() {
    let app = spawn_app().await;
    app.register("joe@example.com").await;
    let joe = app.login_mode("joe@example.com", "session").await;
    for path in ["/api/admin/users", "/api/admin/audit"] {
        assert_error(app.get(path, Some(&joe.header())).await, StatusCode::FORBIDDEN, "forbidden").await;
        assert_error(app.get(path, None).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let id = user_id(&app, &joe).await;
    let r = post(&app, &format!("/api/admin/users/{id}/force-logout"), json!({}), &joe).await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_admin_user_list_counts_sessions_and_families() {
    let app = spawn_app().await;
    let root = admin(&app).await;
    app.register("counted@example.com").await;
    app.login_mode("counted@example.com", "session").await;
    app.login_mode("counted@example.com", "jwt").await;
    app.login_mode("counted@example.com", "jwt").await;
    let users = json(app.get("/api/admin/users", Some(&root.header())).await).await;
    let u = users.as_array().unwrap().iter().find(|u| u["email"] == "counted@example.com").unwrap().clone();
    assert_eq!(u["sessions"], 1);
    assert_eq!(u["token_families"], 2);
    assert_eq!(u["role"], "user");
    assert_eq!(u["disabled"], false);
}

#[tokio::test]
async fn a_role_change_reaches_a_session_at_its_next_request() {
    let app = spawn_app().await;
    let root = admin(&app).await;
    app.register("promo@example.com").await;
    let user = app.login_mode("promo@example.com", "session").await;
    let id = user_id(&app, &user).await;
    let r = post(&app, &format!("/api/admin/users/{id}/role"), json!({"role": "admin"}), &root).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(json(app.get("/api/me", Some(&user.header())).await).await["role"], "admin");
    let r = post(&app, &format!("/api/admin/users/{id}/role"), json!({"role": "emperor"}), &root).await;
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_role").await;
}

async fn role_change_in_jwt_mode(revocation: &str) -> (Value, Value) {
    let app = spawn_with(&["--revocation-check", revocation]).await;
    let root = admin(&app).await;
    app.register("jrole@example.com").await;
    let mut user = app.login_mode("jrole@example.com", "jwt").await;
    let id = user_id(&app, &user).await;
    post(&app, &format!("/api/admin/users/{id}/role"), json!({"role": "admin"}), &root).await;
    let before_refresh = json(app.get("/api/me", Some(&user.header())).await).await["role"].clone();
    let r = app.client.post(app.url("/api/auth/refresh")).header(header::COOKIE, user.header()).send().await.unwrap();
    user.absorb(&r);
    let after_refresh = json(app.get("/api/me", Some(&user.header())).await).await["role"].clone();
    (before_refresh, after_refresh)
}

#[tokio::test]
async fn in_jwt_mode_with_revocation_checking_a_role_change_applies_at_once() {
    let (before, after) = role_change_in_jwt_mode("on").await;
    assert_eq!(before, "admin");
    assert_eq!(after, "admin");
}

#[tokio::test]
async fn in_stateless_jwt_mode_a_role_change_applies_at_the_next_refresh() {
    let (before, after) = role_change_in_jwt_mode("off").await;
    assert_eq!(before, "user", "the token still carries the old role");
    assert_eq!(after, "admin", "the refreshed token carries the new one");
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled() {
    let app = spawn_app().await;
    let root = admin(&app).await;
    app.register("off@example.com").await;
    let user = app.login_mode("off@example.com", "session").await;
    let id = user_id(&app, &user).await;
    assert_eq!(post(&app, &format!("/api/admin/users/{id}/disable"), json!({}), &root).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, &user).await, StatusCode::UNAUTHORIZED);
    let r = app.post_json("/api/auth/login", &json!({"email": "off@example.com", "password": PASSWORD}), None).await;
    assert_error(r, StatusCode::FORBIDDEN, "account_disabled").await;
    // The wrong password still gets the generic answer: being disabled is no enumeration oracle.
    let r = app.post_json("/api/auth/login", &json!({"email": "off@example.com", "password": "wrong wrong"}), None).await;
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(post(&app, &format!("/api/admin/users/{id}/enable"), json!({}), &root).await.status(), StatusCode::NO_CONTENT);
    app.login("off@example.com").await;
    // An admin cannot lock themselves out.
    let root_id = user_id(&app, &root).await;
    assert_error(post(&app, &format!("/api/admin/users/{root_id}/disable"), json!({}), &root).await, StatusCode::FORBIDDEN, "forbidden").await;
}

async fn force_logout(revocation: &str) -> (StatusCode, StatusCode, StatusCode) {
    let app = spawn_with(&["--revocation-check", revocation]).await;
    let root = admin(&app).await;
    app.register("kicked@example.com").await;
    let session = app.login_mode("kicked@example.com", "session").await;
    let jwt = app.login_mode("kicked@example.com", "jwt").await;
    let id = user_id(&app, &session).await;
    let r = post(&app, &format!("/api/admin/users/{id}/force-logout"), json!({}), &root).await;
    assert_eq!(r.status(), StatusCode::OK);
    (me_status(&app, &session).await, me_status(&app, &jwt).await, refresh_status(&app, &jwt).await)
}

#[tokio::test]
async fn force_logout_is_immediate_for_sessions_and_for_checked_jwts() {
    let (session, access, refresh) = force_logout("on").await;
    assert_eq!(session, StatusCode::UNAUTHORIZED);
    assert_eq!(access, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn force_logout_leaves_a_stateless_access_token_valid_until_exp() {
    let (session, access, refresh) = force_logout("off").await;
    assert_eq!(session, StatusCode::UNAUTHORIZED);
    assert_eq!(access, StatusCode::OK, "no lookup, no revocation: valid until exp");
    assert_eq!(refresh, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_action_is_audited_and_no_secret_reaches_the_audit_log() {
    let app = spawn_with(&["--refresh-reuse-grace", "1s"]).await;
    let root = admin(&app).await;
    app.register("trail@example.com").await;
    let bad = app.post_json("/api/auth/login", &json!({"email": "trail@example.com", "password": "not my password"}), None).await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let session = app.login_mode("trail@example.com", "session").await;
    let mut jwt = app.login_mode("trail@example.com", "jwt").await;
    let first_refresh = jwt.get("__Secure-refresh").unwrap().to_owned();
    let r = app.client.post(app.url("/api/auth/refresh")).header(header::COOKIE, jwt.header()).send().await.unwrap();
    jwt.absorb(&r);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    app.refresh_body(&first_refresh).await; // reuse after the grace window
    let id = user_id(&app, &session).await;
    post(&app, &format!("/api/admin/users/{id}/role"), json!({"role": "admin"}), &root).await;
    post(&app, "/api/account/password", json!({"current_password": PASSWORD, "new_password": "another long passphrase"}), &session).await;
    post(&app, &format!("/api/admin/users/{id}/disable"), json!({}), &root).await;
    post(&app, &format!("/api/admin/users/{id}/enable"), json!({}), &root).await;
    post(&app, &format!("/api/admin/users/{id}/force-logout"), json!({}), &root).await;
    let r = app.post_json("/api/auth/login", &json!({"email": "trail@example.com", "password": "another long passphrase"}), None).await;
    let mut fresh = Jar::default();
    fresh.absorb(&r);
    post(&app, "/api/auth/logout", json!({}), &fresh).await;
    app.client
        .post(app.url("/sf/set_mode"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("mode=jwt")
        .send()
        .await
        .unwrap();

    let log = json(app.get("/api/admin/audit?limit=500", Some(&root.header())).await).await;
    let events: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    for want in ["registered", "login_failed", "login_succeeded", "refresh", "reuse_detected", "role_changed", "password_changed",
        "account_disabled", "account_enabled", "force_logout", "logout", "mode_switched"] {
        assert!(events.contains(&want), "no {want} event in {events:?}");
    }
    let filtered = json(app.get("/api/admin/audit?event=login_failed", Some(&root.header())).await).await;
    assert!(filtered.as_array().unwrap().iter().all(|e| e["event"] == "login_failed"));
    let bad_filter = app.get("/api/admin/audit?event=bogus", Some(&root.header())).await;
    assert_error(bad_filter, StatusCode::BAD_REQUEST, "invalid_event").await;

    // No password, session id or token appears anywhere in the table.
    let dump: Vec<String> = sqlx::query_scalar("SELECT coalesce(email,'') || ' ' || coalesce(detail,'') || ' ' || coalesce(user_agent,'') FROM audit_log")
        .fetch_all(&app.db().await)
        .await
        .unwrap();
    let dump = dump.join("\n");
    let secrets = [PASSWORD, "not my password", "another long passphrase", session.get("__Host-sid").unwrap(), &first_refresh, jwt.get("__Host-access").unwrap(), jwt.get("__Secure-refresh").unwrap()];
    for s in secrets {
        assert!(!dump.contains(s), "a secret leaked into the audit log");
    }
}

#[tokio::test]
async fn the_devices_page_lists_the_newest_fifty_and_always_this_browser() {
    let app = spawn_app().await;
    app.register("many@example.com").await;
    // The oldest sign-in is the browser that asks; 54 more sign-ins follow it.
    let me = app.login_mode("many@example.com", "session").await;
    for _ in 0..54 {
        app.login_mode("many@example.com", "session").await;
    }
    let r = app
        .client
        .post(app.url("/sf/devices"))
        .header(header::COOKIE, me.header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list = json(r).await;
    assert_eq!(list["total"], 55, "{list}");
    let rows = list["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50);
    assert_eq!(rows.iter().filter(|d| d["current"] == true).count(), 1, "this browser is listed although it is the oldest");
    // The page says that more exist.
    let page = app.page("/devices", Some(&me.header())).await.text().await.unwrap();
    assert!(page.contains("Showing the 50 most recently used of 55 devices"), "{page}");
}

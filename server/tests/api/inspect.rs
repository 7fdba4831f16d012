//! The flow inspector, the compare page and the revocation-latency probe, through their server
//! functions, as the browser calls them.

use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::helpers::*;

/// Calls a server function without arguments, as the hydrated app does.
async fn call(app: &TestApp, endpoint: &str, jar: &Jar) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/sf/{endpoint}")))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, jar.header())
        .body("")
        .send()
        .await
        .unwrap()
}

async fn call_ok(app: &TestApp, endpoint: &str, jar: &Jar) -> (Value, String) {
    let r = call(app, endpoint, jar).await;
    assert_eq!(r.status(), StatusCode::OK, "{endpoint}");
    let text = r.text().await.unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

fn cookie<'a>(inspection: &'a Value, name: &str) -> &'a Value {
    inspection["cookies"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

#[tokio::test]
async fn session_mode_shows_the_stored_record_by_fingerprint_only() {
    let app = spawn_app().await;
    app.register("ins@example.com").await;
    let jar = app.login_mode("ins@example.com", "session").await;
    let (i, raw) = call_ok(&app, "inspect", &jar).await;
    assert_eq!(i["mode"], "session");
    assert_eq!(i["signed_in_as"], "ins@example.com");
    assert!(i["verified_how"].as_str().unwrap().contains("session store"), "{i}");
    let s = &i["session"];
    assert_eq!(s["fingerprint"].as_str().unwrap().len(), 12);
    assert!(s["record_bytes"].as_i64().unwrap() > 0);
    assert!(s["idle_expires_at"].as_i64().unwrap() <= s["absolute_expires_at"].as_i64().unwrap());
    assert!(i["token"].is_null());
    let sid = cookie(&i, "__Host-sid");
    assert_eq!((sid["http_only"].as_bool(), sid["secure"].as_bool(), sid["same_site"].as_str()), (Some(true), Some(true), Some("Lax")));
    assert_eq!(sid["sent_bytes"].as_u64().unwrap() as usize, "__Host-sid=".len() + jar.get("__Host-sid").unwrap().len());
    let refresh = cookie(&i, "__Secure-refresh");
    assert_eq!((refresh["path"].as_str(), refresh["same_site"].as_str()), (Some("/api/auth"), Some("Strict")));
    assert!(i["timeline"].as_array().unwrap().iter().any(|e| e["event"] == "login_succeeded"), "{i}");
    // The session id itself never leaves the server in the inspector's answer.
    assert!(!raw.contains(jar.get("__Host-sid").unwrap()));
}

#[tokio::test]
async fn jwt_mode_shows_the_decoded_token_and_the_refresh_chain() {
    let app = spawn_app().await;
    app.register("chain@example.com").await;
    let mut jar = app.login_mode("chain@example.com", "jwt").await;
    let (i, _) = call_ok(&app, "inspect", &jar).await;
    assert_eq!(i["mode"], "jwt");
    let t = &i["token"];
    assert_eq!(t["alg"], "EdDSA");
    let jwks = json(app.get("/.well-known/jwks.json", None).await).await;
    assert_eq!(t["kid"], jwks["keys"][0]["kid"]);
    assert!(t["claims"].as_str().unwrap().contains("\"typ\": \"access\""));
    assert_eq!(t["chain"].as_array().unwrap().len(), 1);
    assert_eq!(t["chain"][0]["state"], "active");
    assert!(i["verified_how"].as_str().unwrap().contains("revocation lookup"), "{i}");

    // One refresh: the first token is now used, its successor active.
    let r = app.client.post(app.url("/api/auth/refresh")).header(header::COOKIE, jar.header()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    jar.absorb(&r);
    let (i, raw) = call_ok(&app, "inspect", &jar).await;
    let states: Vec<_> = i["token"]["chain"].as_array().unwrap().iter().map(|l| l["state"].as_str().unwrap().to_owned()).collect();
    assert_eq!(states, ["used", "active"]);
    assert!(i["timeline"].as_array().unwrap().iter().any(|e| e["event"] == "refresh"));
    // Neither token appears as such: the JWT only decoded, the refresh token only as a hash prefix.
    assert!(!raw.contains(jar.get("__Host-access").unwrap()));
    assert!(!raw.contains(jar.get("__Secure-refresh").unwrap()));
}

#[tokio::test]
async fn stateless_jwt_mode_says_no_lookup_was_made() {
    let app = spawn_with(&["--revocation-check", "off"]).await;
    app.register("sl@example.com").await;
    let jar = app.login_mode("sl@example.com", "jwt").await;
    let (i, _) = call_ok(&app, "inspect", &jar).await;
    assert_eq!(i["revocation_check"], false);
    assert_eq!(i["verified_how"], "verified by signature, no store lookup");
}

#[tokio::test]
async fn a_signed_out_browser_sees_which_cookies_it_lacks() {
    let app = spawn_app().await;
    let (i, _) = call_ok(&app, "inspect", &Jar::default()).await;
    assert!(i["signed_in_as"].is_null() && i["session"].is_null() && i["token"].is_null());
    assert!(i["cookies"].as_array().unwrap().iter().all(|c| c["sent_bytes"].is_null()));
    assert!(i["timeline"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn compare_reports_sizes_and_counts_measured_on_this_server() {
    let app = spawn_app().await;
    app.register("cmp@example.com").await;
    let mut jar = app.login_mode("cmp@example.com", "session").await;
    let jwt = app.login_mode("cmp@example.com", "jwt").await;
    jar.set("__Host-access", jwt.get("__Host-access").unwrap());
    let (c, _) = call_ok(&app, "compare", &jar).await;
    assert_eq!(c["session_cookie_bytes"], "__Host-sid=".len() + 22);
    assert_eq!(c["access_cookie_measured"], true);
    assert_eq!(c["access_cookie_bytes"].as_u64().unwrap() as usize, "__Host-access=".len() + jwt.get("__Host-access").unwrap().len());
    assert_eq!(c["session_records"], 1);
    assert!(c["session_avg_record_bytes"].as_i64().unwrap() > 0);
    assert_eq!(c["live_families"], 1);
    assert_eq!(c["refresh_tokens"], 1);
    assert_eq!(c["signing_keys"], 1);
    assert_eq!(c["access_ttl_secs"], 300);
    assert!(c["jwt_verify_micros"].as_u64().unwrap() > 0, "an EdDSA verification takes measurable time");
}

async fn probe(app: &TestApp, jar: &Jar) -> Value {
    call_ok(app, "probe_revocation", jar).await.0
}

#[tokio::test]
async fn the_revocation_probe_is_immediate_for_sessions_and_checked_jwts() {
    let app = spawn_app().await;
    app.register("probe@example.com").await;
    let session = app.login_mode("probe@example.com", "session").await;
    let p = probe(&app, &session).await;
    assert_eq!((p["mode"].as_str(), p["still_valid"].as_bool()), (Some("session"), Some(false)), "{p}");
    assert_eq!(app.get("/api/me", Some(&session.header())).await.status(), StatusCode::UNAUTHORIZED);

    let jwt = app.login_mode("probe@example.com", "jwt").await;
    let p = probe(&app, &jwt).await;
    assert_eq!((p["mode"].as_str(), p["revocation_check"].as_bool(), p["still_valid"].as_bool()), (Some("jwt"), Some(true), Some(false)), "{p}");
    assert_eq!(app.get("/api/me", Some(&jwt.header())).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_revocation_probe_shows_a_stateless_token_living_until_exp() {
    let app = spawn_with(&["--revocation-check", "off"]).await;
    app.register("probe@example.com").await;
    let jwt = app.login_mode("probe@example.com", "jwt").await;
    let p = probe(&app, &jwt).await;
    assert_eq!(p["still_valid"], true, "{p}");
    let left = p["remaining_validity_secs"].as_i64().unwrap();
    assert!((1..=300).contains(&left), "{p}");
    // The claim is real: the old access token is still accepted, its refresh is not.
    assert_eq!(app.get("/api/me", Some(&jwt.header())).await.status(), StatusCode::OK);
    let r = app.client.post(app.url("/api/auth/refresh")).header(header::COOKIE, jwt.header()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_probe_needs_a_signed_in_browser() {
    let app = spawn_app().await;
    assert_eq!(call(&app, "probe_revocation", &Jar::default()).await.status(), StatusCode::UNAUTHORIZED);
}

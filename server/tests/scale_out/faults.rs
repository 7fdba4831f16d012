//! Faults: an engine that goes away mid-run and comes back, one that isn't there at start,
//! and a SIGTERM with requests in flight. Outages are made with a relay the test cuts
//! (`proxy.rs`), so nothing else using the same engines is disturbed.

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{json, spawn_on, stores_for, Jar, TestApp, PASSWORD},
    proxy::{host_port, FaultProxy},
};

async fn me(app: &TestApp, jar: &Jar) -> reqwest::Response {
    app.get("/api/me", Some(&jar.header())).await
}

/// Polls until the request succeeds again, for at most `limit`.
async fn until_ok(app: &TestApp, jar: &Jar, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if me(app, jar).await.status() == StatusCode::OK {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "not recovered after {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn ready(app: &TestApp) -> (StatusCode, Value) {
    let r = app.get("/readyz", None).await;
    (r.status(), json(r).await)
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn with_redis_gone_sessions_get_503_while_stateless_jwts_keep_working_and_all_recovers() {
    crate::engines();
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let (_, redis) = stores_for(dir.path()).await;
    let redis = redis.unwrap();
    let relay = FaultProxy::start(host_port(&redis)).await;
    let via_relay = relay.url_for(&redis);
    let app = spawn_on(dir, &["--session-store-url", &via_relay, "--revocation-check", "off", "--store-timeout", "1s"]).await;
    app.register("calm@example.com").await;
    let session = app.login_mode("calm@example.com", "session").await;
    let jwt = app.login_mode("calm@example.com", "jwt").await;
    assert_eq!(me(&app, &session).await.status(), StatusCode::OK);

    relay.cut();
    let started = Instant::now();
    let r = me(&app, &session).await;
    let took = started.elapsed();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().get_all("set-cookie").iter().next().is_none(), "an outage must not clear anyone's session cookie");
    let body = json(r).await;
    assert_eq!(body["error"], "unavailable", "{body}");
    println!("redis down: session request answered {} in {took:?}: {}", 503, body["message"]);
    // The stateless claim, shown live: no store is consulted for a JWT with checking off.
    assert_eq!(me(&app, &jwt).await.status(), StatusCode::OK, "JWT mode without revocation checks needs no store");
    let (status, body) = ready(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!((&body["database"], &body["session_store"]), (&"ok".into(), &"unreachable".into()), "{body}");
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK, "alive, just not ready");

    relay.restore();
    let after = until_ok(&app, &session, Duration::from_secs(15)).await;
    println!("redis back: the same session cookie works again after {after:?}");
    assert_eq!(ready(&app).await.0, StatusCode::OK);
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: run by scripts/test.sh"]
async fn with_the_database_gone_requests_get_503_and_service_recovers_on_its_own() {
    crate::engines();
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let (db, _) = stores_for(dir.path()).await;
    let relay = FaultProxy::start(host_port(&db)).await;
    let via_relay = relay.url_for(&db);
    let app = spawn_on(dir, &["--database-url", &via_relay, "--store-timeout", "1s"]).await;
    app.register("steady@example.com").await;
    let session = app.login_mode("steady@example.com", "session").await;
    let jwt = app.login_mode("steady@example.com", "jwt").await;

    relay.cut();
    for (what, jar) in [("session", &session), ("jwt, revocation checked", &jwt)] {
        let started = Instant::now();
        let r = me(&app, jar).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
        println!("database down: {what} request answered 503 in {:?}", started.elapsed());
    }
    let r = app.post_json("/api/auth/login", &json!({"email": "steady@example.com", "password": PASSWORD}), None).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "a login needs the database");
    let (status, body) = ready(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["database"], "unreachable", "{body}");

    relay.restore();
    let after = until_ok(&app, &session, Duration::from_secs(20)).await;
    println!("database back: served again after {after:?}, no restart");
    assert_eq!(me(&app, &jwt).await.status(), StatusCode::OK);
    assert_eq!(ready(&app).await.0, StatusCode::OK);
}

/// Runs the real binary; returns (exit status, stderr, how long it took).
fn run_server(args: &[&str], limit: Duration) -> (std::process::ExitStatus, String, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server")).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status, err, started.elapsed());
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("the server was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn an_unreachable_database_at_start_is_a_clear_message_and_a_nonzero_exit() {
    // Port 1 on loopback: nothing listens there.
    let addr = format!("127.0.0.1:{}", free_port());
    let (status, err, took) =
        run_server(&["--addr", &addr, "--database-url", "postgres://app:secret@127.0.0.1:1/app", "--store-timeout", "1s"], Duration::from_secs(30));
    assert!(!status.success(), "{status}");
    assert!(err.contains("could not open the database postgres://app:***@127.0.0.1:1/app"), "{err}");
    assert!(err.contains("Connection refused"), "the cause, not just a timeout: {err}");
    assert!(!err.contains("secret"), "the password stays out of the message");
    println!("exit {status} after {took:?}: {}", err.lines().next().unwrap_or_default());
}

#[test]
fn an_unreachable_session_store_at_start_is_a_clear_message_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/app.db", dir.path().display());
    let addr = format!("127.0.0.1:{}", free_port());
    let (status, err, took) = run_server(
        &["--addr", &addr, "--database-url", &db, "--session-store-url", "redis://127.0.0.1:1/0", "--store-timeout", "1s"],
        Duration::from_secs(30),
    );
    assert!(!status.success(), "{status}");
    assert!(err.contains("could not reach the session store redis://127.0.0.1:1/0"), "{err}");
    println!("exit {status} after {took:?}: {}", err.lines().next().unwrap_or_default());
}

#[tokio::test]
async fn sigterm_stops_accepting_finishes_in_flight_requests_then_exits() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/app.db", dir.path().display());
    let addr = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{addr}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        // One hash at a time: a burst of logins queues up and stays in flight for a while.
        .args(["--addr", &addr, "--database-url", &db, "--hash-concurrency", "1", "--log-level", "warn"])
        .args(["--public-origin", &base, "--auth-rate-per-minute", "1000"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let creds = json!({"email": "term@example.com", "password": PASSWORD});
    assert_eq!(client.post(format!("{base}/api/auth/register")).json(&creds).send().await.unwrap().status(), StatusCode::CREATED);

    let logins: Vec<_> = (0..6)
        .map(|_| {
            let (client, url, creds) = (client.clone(), format!("{base}/api/auth/login"), creds.clone());
            tokio::spawn(async move { client.post(url).json(&creds).send().await.map(|r| r.status()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let term_at = Instant::now();

    let mut finished = Vec::new();
    for l in logins {
        finished.push(l.await.unwrap().map_err(|e| e.to_string()));
    }
    assert!(finished.iter().all(|s| s.as_ref().is_ok_and(|s| *s == StatusCode::OK)), "in-flight logins: {finished:?}");
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait()).await.expect("exits after SIGTERM").unwrap();
    assert!(status.success(), "clean exit: {status}");
    println!("SIGTERM: {} in-flight logins finished, then exit {status} after {:?}", finished.len(), term_at.elapsed());
    assert!(reqwest::Client::new().get(format!("{base}/healthz")).send().await.is_err(), "no longer accepting");
}

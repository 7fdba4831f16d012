//! `spawn_app()` and a client that handles cookies by hand, so tests can see every attribute
//! (and send `Secure` cookies over plain http, as Chromium does on localhost).

use std::time::Duration;

use clap::Parser;
use reqwest::{header, Response, StatusCode};
use serde_json::{json, Value};
use server::config::Cli;
use tokio::{net::TcpListener, sync::oneshot};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub settings: server::Settings,
    pub dir: std::sync::Arc<tempfile::TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<std::thread::JoinHandle<()>>,
}

/// A test that ends without `stop()` still shuts its server down (its thread then exits).
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(&[]).await
}

/// Starts the server with extra command-line flags (e.g. short timeouts).
pub async fn spawn_with(extra: &[&str]) -> TestApp {
    spawn_on(std::sync::Arc::new(tempfile::tempdir().expect("temp dir")), extra).await
}

/// The stores of the test that owns `dir`, made fresh on its first start and reused by a
/// restart on the same `dir`. SQLite in `dir` unless the environment names shared engines:
/// `TEST_DATABASE_URL=postgres://.../postgres` gives each test its own new PostgreSQL
/// database, and `TEST_REDIS_URL=redis://host:port` its own emptied Redis database number
/// (scripts/test.sh starts both servers with enough databases for the whole suite).
pub async fn stores_for(dir: &std::path::Path) -> (String, Option<String>) {
    let saved = dir.join("stores");
    if let Ok(s) = std::fs::read_to_string(&saved) {
        let mut lines = s.lines().map(str::to_owned);
        return (lines.next().unwrap(), lines.next().filter(|r| !r.is_empty()));
    }
    let database = match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            use sqlx::Connection;
            let name = format!("sr_test_{}_{}", std::process::id(), NEXT_STORE.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            let mut c = sqlx::PgConnection::connect(&admin).await.expect("TEST_DATABASE_URL reachable");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.expect("create test database");
            let base = admin.rsplit_once('/').expect("a database in TEST_DATABASE_URL").0;
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/app.db", dir.display()),
    };
    let redis = match std::env::var("TEST_REDIS_URL") {
        Ok(base) if !base.is_empty() => {
            // 1..=255: the Redis client addresses databases by a u8. A number comes back round
            // only after 255 other tests, long finished by then.
            let n = 1 + NEXT_REDIS_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 255;
            let url = format!("{}/{n}", base.trim_end_matches('/'));
            flush_redis(&url).await;
            Some(url)
        }
        _ => None,
    };
    std::fs::write(&saved, format!("{database}\n{}", redis.clone().unwrap_or_default())).unwrap();
    (database, redis)
}

static NEXT_STORE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
// 0 is left alone: it is where a person's own use of that Redis would be.
static NEXT_REDIS_DB: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// FLUSHDB over a raw connection (RESP by hand, to need no Redis client in the tests).
async fn flush_redis(url: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("redis://");
    let (addr, db) = rest.rsplit_once('/').unwrap();
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("TEST_REDIS_URL reachable");
    let cmd = format!("*2\r\n$6\r\nSELECT\r\n${}\r\n{db}\r\n*1\r\n$7\r\nFLUSHDB\r\n", db.len());
    s.write_all(cmd.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64];
    let mut got = Vec::new();
    while got.windows(2).filter(|w| w == b"\r\n").count() < 2 {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "redis closed the connection");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(String::from_utf8_lossy(&got), "+OK\r\n+OK\r\n", "redis SELECT/FLUSHDB on {url}");
}

/// Starts a server on the stores of `dir` (a restart, when another server used them before).
pub async fn spawn_on(dir: std::sync::Arc<tempfile::TempDir>, extra: &[&str]) -> TestApp {
    let (db, redis) = stores_for(dir.path()).await;
    let mut args = vec!["server", "--log-level", "warn", "--hash-concurrency", "2"];
    // A test may reach the same stores another way (through a fault relay, say).
    if !extra.contains(&"--database-url") {
        args.extend(["--database-url", &db]);
    }
    if let Some(r) = redis.as_deref().filter(|_| !extra.contains(&"--session-store-url")) {
        args.extend(["--session-store-url", r]);
    }
    // Most tests sign in far more often than a person would: the limits get tests of their own.
    for (flag, lax) in [("--auth-rate-per-minute", "100000"), ("--refresh-rate-per-minute", "100000"), ("--login-free-failures", "1000")] {
        if !extra.contains(&flag) {
            args.extend([flag, lax]);
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // The origin this test's requests really come from, for the cross-origin checks.
    if !extra.contains(&"--public-origin") {
        args.extend(["--public-origin", &base]);
    }
    args.extend_from_slice(extra);
    let settings = Cli::parse_from(args).settings().expect("valid settings");
    let (tx, rx) = oneshot::channel::<()>();
    let s = settings.clone();
    // The server runs on its own thread and runtime, as it would in its own process: on the
    // test's runtime, the client and the server took turns on one thread, and a request once
    // sat unanswered for the client's whole 30 s timeout (seen twice in ~15 suite runs).
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = TcpListener::from_std(listener).unwrap();
            server::serve(s, listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server failed")
        })
    });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build().unwrap();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == StatusCode::OK {
                return TestApp { base, client, settings, dir, shutdown: Some(tx), server: Some(server) };
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server did not become healthy");
}

impl TestApp {
    /// Stops the server gracefully and waits until it has.
    pub async fn stop(mut self) -> std::sync::Arc<tempfile::TempDir> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            tokio::task::spawn_blocking(move || h.join()).await.unwrap().expect("server thread");
        }
        self.dir.clone()
    }

    /// The test database (SQLite or PostgreSQL), to inspect what the server stored. Queries
    /// use `$1` placeholders, which both accept.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.settings.database_url).await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_json(&self, path: &str, body: &Value, cookie: Option<&str>) -> Response {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.send().await.expect("request")
    }

    /// A page as a browser navigation asks for it.
    pub async fn page(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path)).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.send().await.expect("request")
    }

    pub async fn register(&self, email: &str) {
        let r = self.post_json("/api/auth/register", &json!({"email": email, "password": PASSWORD}), None).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }

    /// Logs in and returns the `Cookie` header value to send from now on.
    pub async fn login(&self, email: &str) -> String {
        let r = self.post_json("/api/auth/login", &json!({"email": email, "password": PASSWORD}), None).await;
        assert_eq!(r.status(), StatusCode::OK);
        session_cookie(&r).expect("login sets the session cookie")
    }

    pub async fn signed_in_user(&self, email: &str) -> String {
        self.register(email).await;
        self.login(email).await
    }

    pub async fn make_admin(&self, email: &str) {
        let (service, _) = server::auth_service(&self.settings).await.unwrap();
        let email = auth::Email::parse(email).unwrap();
        service.create_admin(&email, &auth::Password::parse_new(PASSWORD.into()).unwrap()).await.unwrap();
    }
}

/// All `Set-Cookie` headers of a response.
pub fn set_cookies(r: &Response) -> Vec<String> {
    r.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// The `Set-Cookie` header for the session cookie, if any.
pub fn session_set_cookie(r: &Response) -> Option<String> {
    set_cookies(r).into_iter().find(|c| c.starts_with("__Host-sid="))
}

/// `__Host-sid=<value>` from a response that sets a live session cookie.
pub fn session_cookie(r: &Response) -> Option<String> {
    let c = session_set_cookie(r)?;
    let pair = c.split(';').next()?.to_owned();
    (pair.len() > "__Host-sid=".len()).then_some(pair)
}

/// (access, refresh) from a 200 answer of the token or refresh endpoint.
pub async fn token_pair(r: Response) -> (String, String) {
    assert_eq!(r.status(), StatusCode::OK);
    let b = json(r).await;
    (b["access_token"].as_str().unwrap().to_owned(), b["refresh_token"].as_str().unwrap().to_owned())
}

pub async fn json(r: Response) -> Value {
    r.json().await.expect("a JSON body")
}

/// Asserts the API error shape and code, and returns the message.
pub async fn assert_error(r: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(r.status(), status, "status for {code}");
    let body = json(r).await;
    assert_eq!(body["error"], code, "{body}");
    let message = body["message"].as_str().expect("a message").to_owned();
    assert!(!message.is_empty());
    message
}

/// A cookie jar that keeps every cookie a response sets (Secure ones too, as Chromium does on
/// localhost) and forgets those a response removes. Ignores Path: tests pick what to send.
#[derive(Debug, Clone, Default)]
pub struct Jar(pub std::collections::BTreeMap<String, String>);

impl Jar {
    pub fn absorb(&mut self, r: &Response) {
        for c in set_cookies(r) {
            let pair = c.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if value.is_empty() || c.contains("Max-Age=0") {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }

    pub fn header(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }
}

impl TestApp {
    /// Logs in through the API in the given mode and returns the browser's cookies.
    pub async fn login_mode(&self, email: &str, mode: &str) -> Jar {
        let r = self.post_json("/api/auth/login", &json!({"email": email, "password": PASSWORD, "mode": mode}), None).await;
        assert_eq!(r.status(), StatusCode::OK, "login in {mode} mode");
        let mut jar = Jar::default();
        jar.absorb(&r);
        jar
    }

    /// `POST /api/auth/token`: (access, refresh).
    pub async fn tokens(&self, email: &str) -> (String, String) {
        token_pair(self.post_json("/api/auth/token", &json!({"email": email, "password": PASSWORD}), None).await).await
    }

    pub async fn me_bearer(&self, access: &str) -> Response {
        self.client.get(self.url("/api/me")).bearer_auth(access).send().await.unwrap()
    }

    pub async fn refresh_body(&self, refresh: &str) -> Response {
        self.post_json("/api/auth/refresh", &json!({"refresh_token": refresh}), None).await
    }
}

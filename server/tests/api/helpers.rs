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
    _dir: tempfile::TempDir,
    _shutdown: oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(&[]).await
}

/// Starts the server with extra command-line flags (e.g. short timeouts).
pub async fn spawn_with(extra: &[&str]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}/app.db", dir.path().display());
    let mut args = vec!["server", "--database-url", &db, "--log-level", "warn", "--hash-concurrency", "2"];
    args.extend_from_slice(extra);
    let settings = Cli::parse_from(args).settings();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let s = settings.clone();
    tokio::spawn(async move {
        server::serve(s, listener, async {
            let _ = rx.await;
        })
        .await
        .expect("server failed")
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == StatusCode::OK {
                return TestApp { base, client, settings, _dir: dir, _shutdown: tx };
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server did not become healthy");
}

impl TestApp {
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

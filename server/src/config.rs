//! All configuration, in one struct, from flags or environment variables (`server --help`).

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "server",
    version,
    about = "Secure Routes: server-side sessions and JWTs in HttpOnly cookies, side by side.",
    long_about = "Serves the Secure Routes web app and its JSON API. With no subcommand it serves.\n\
                  Every option can also be set through the environment variable shown with it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on (host:port).
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: String,

    /// Database URL: sqlite://path (the default; the file and its folder are created on first
    /// start) or postgres://user:password@host/db for several instances sharing one database.
    #[arg(long, env = "DATABASE_URL", default_value = auth::db::DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Keep sessions in Redis instead of the database (redis://host:port/db). Several
    /// instances then share them. Unset: sessions live in the database.
    #[arg(long, env = "SESSION_STORE_URL", global = true)]
    pub session_store_url: Option<String>,

    /// How long a call to the database or Redis may wait before the request gets a 503.
    #[arg(long, env = "STORE_TIMEOUT", default_value = "2s", value_parser = parse_duration, global = true)]
    pub store_timeout: Duration,

    /// Sign a session out after this long without a request (e.g. 30m, 90s, 1h).
    #[arg(long, env = "SESSION_IDLE_TIMEOUT", default_value = "30m", value_parser = parse_duration, global = true)]
    pub session_idle_timeout: Duration,

    /// Sign a session out this long after login, however active it is (e.g. 8h).
    #[arg(long, env = "SESSION_ABSOLUTE_TIMEOUT", default_value = "8h", value_parser = parse_duration, global = true)]
    pub session_absolute_timeout: Duration,

    /// How often expired session records are deleted from the store.
    #[arg(long, env = "SESSION_CLEANUP_INTERVAL", default_value = "5m", value_parser = parse_duration, global = true)]
    pub cleanup_interval: Duration,

    /// Auth modes offered, comma-separated: session, jwt.
    #[arg(long, env = "AUTH_MODES", default_value = "session,jwt", value_delimiter = ',', value_parser = parse_mode, global = true)]
    pub auth_modes: Vec<auth::AuthMode>,

    /// The mode a browser uses until it picks one with the toggle.
    #[arg(long, env = "DEFAULT_AUTH_MODE", default_value = "session", value_parser = parse_mode, global = true)]
    pub default_auth_mode: auth::AuthMode,

    /// JWT mode: lifetime of an access token.
    #[arg(long, env = "ACCESS_TOKEN_TTL", default_value = "5m", value_parser = parse_duration, global = true)]
    pub access_token_ttl: Duration,

    /// JWT mode: clock skew tolerated on exp/nbf, in seconds (0-30).
    #[arg(long, env = "JWT_LEEWAY_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=30), global = true)]
    pub jwt_leeway_secs: u64,

    /// JWT mode: the `iss` claim issued and required.
    #[arg(long, env = "JWT_ISSUER", default_value = "secure-routes", global = true)]
    pub jwt_issuer: String,

    /// JWT mode: the `aud` claim issued and required.
    #[arg(long, env = "JWT_AUDIENCE", default_value = "secure-routes", global = true)]
    pub jwt_audience: String,

    /// JWT mode: a login (refresh-token family) ends after this long without a refresh.
    #[arg(long, env = "REFRESH_IDLE_TIMEOUT", default_value = "30m", value_parser = parse_duration, global = true)]
    pub refresh_idle_timeout: Duration,

    /// JWT mode: a login (refresh-token family) ends this long after it started.
    #[arg(long, env = "REFRESH_ABSOLUTE_TIMEOUT", default_value = "8h", value_parser = parse_duration, global = true)]
    pub refresh_absolute_timeout: Duration,

    /// JWT mode: a rotated refresh token presented again within this window (parallel tabs)
    /// gets a valid successor; after it, the reuse revokes the whole family.
    #[arg(long, env = "REFRESH_REUSE_GRACE", default_value = "10s", value_parser = parse_duration, global = true)]
    pub refresh_reuse_grace: Duration,

    /// JWT mode: check each access token against its login's revocation state (one lookup per
    /// request; logout takes effect at once). "off" is purely stateless: a token stays valid
    /// until it expires, whatever happens.
    #[arg(long, env = "REVOCATION_CHECK", default_value = "on", value_parser = parse_on_off, action = clap::ArgAction::Set, global = true)]
    pub revocation_check: bool,

    /// Remember, in this process, what the stores said about a credential (a session, a user,
    /// a live login), so a request with a known credential needs no store round trip. Every
    /// logout, revocation, role change or disable made through this server retires the whole
    /// cache at once; a change made outside it (create-admin in another shell, hand-written SQL)
    /// is seen within 10 s. Correct only when this process makes every change: "auto" turns it
    /// on for SQLite (one instance) and off for PostgreSQL; session records are never cached
    /// when they live in Redis. Set "off" if two processes share one SQLite file.
    #[arg(long, env = "ACCESS_CACHE", default_value = "auto", value_parser = ["auto", "on", "off"], global = true)]
    pub access_cache: String,

    /// JWT mode: how often signing keys are re-read (picks up `rotate-keys` run elsewhere).
    #[arg(long, env = "KEY_RELOAD_INTERVAL", default_value = "30s", value_parser = parse_duration, global = true)]
    pub key_reload_interval: Duration,

    /// Password hashes computed at once (argon2id is CPU- and memory-heavy); 0 = number of cores.
    #[arg(long, env = "HASH_CONCURRENCY", default_value_t = 0, global = true)]
    pub hash_concurrency: usize,

    /// The origin browsers use to reach this server (scheme://host[:port], no path). A
    /// state-changing request whose Sec-Fetch-Site, Origin or Referer says it came from any
    /// other origin is refused with 403. Default: http://<addr>. An https origin also turns on
    /// Strict-Transport-Security.
    #[arg(long, env = "PUBLIC_ORIGIN", global = true)]
    pub public_origin: Option<String>,

    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For is believed for the
    /// client address. Empty by default: the peer address is the client, whatever the header says.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Per client address: login, register and token requests allowed per minute (a burst of
    /// that many, refilled evenly). Over it: 429 with Retry-After.
    #[arg(long, env = "AUTH_RATE_PER_MINUTE", default_value_t = 20, global = true)]
    pub auth_rate_per_minute: u32,

    /// Per client address: refresh requests allowed per minute.
    #[arg(long, env = "REFRESH_RATE_PER_MINUTE", default_value_t = 60, global = true)]
    pub refresh_rate_per_minute: u32,

    /// Per account: failed logins allowed before each further attempt must wait (1 s, then
    /// doubling up to --login-max-delay).
    #[arg(long, env = "LOGIN_FREE_FAILURES", default_value_t = 5, global = true)]
    pub login_free_failures: u32,

    /// Per account: the longest wait imposed after failed logins, so an attacker cannot lock
    /// the real user out for long.
    #[arg(long, env = "LOGIN_MAX_DELAY", default_value = "60s", value_parser = parse_duration, global = true)]
    pub login_max_delay: Duration,

    /// Log filter: a level (error, warn, info, debug, trace) or a tracing directive list.
    #[arg(long, env = "LOG_LEVEL", default_value = "info", global = true)]
    pub log_level: String,

    /// Folder with the built site (the wasm bundle, JS and CSS), as cargo-leptos writes it.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site", global = true)]
    pub site_root: String,

    /// Name of the bundle files inside the site's pkg folder (set by cargo-leptos).
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", default_value = "secure-routes", global = true, hide = true)]
    pub output_name: String,

    /// Port of cargo-leptos' live-reload socket in watch mode (set by cargo-leptos).
    #[arg(long, env = "LEPTOS_RELOAD_PORT", default_value_t = 3001, global = true, hide = true)]
    pub reload_port: u32,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the app (the default).
    Serve,
    /// Create an admin account, or promote an existing one and reset its password. The password
    /// is read from ADMIN_PASSWORD, or else from the first line of standard input.
    CreateAdmin(CreateAdminArgs),
    /// Make a new JWT signing key current. Tokens signed by the previous key keep verifying
    /// until they expire; running servers pick the new key up within --key-reload-interval.
    RotateKeys,
}

#[derive(Debug, Clone, Args)]
pub struct CreateAdminArgs {
    /// Email of the admin account.
    #[arg(long)]
    pub email: String,
}

/// The resolved settings the server runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: String,
    pub database_url: String,
    pub session_store_url: Option<String>,
    pub store_timeout: Duration,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub cleanup_interval: Duration,
    pub hash_concurrency: usize,
    pub site_root: String,
    pub output_name: String,
    pub reload_port: u32,
    pub modes: auth::ModePolicy,
    pub access_token_ttl: Duration,
    pub jwt_leeway_secs: u64,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub refresh_idle_timeout: Duration,
    pub refresh_absolute_timeout: Duration,
    pub refresh_reuse_grace: Duration,
    pub revocation_check: bool,
    pub access_cache: bool,
    pub key_reload_interval: Duration,
    pub public_origin: String,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub auth_rate_per_minute: u32,
    pub refresh_rate_per_minute: u32,
    pub login_free_failures: u32,
    pub login_max_delay: Duration,
}

/// `scheme://user:***@host/...`: a URL fit for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// `scheme://host[:port]`, without a trailing slash or a path.
fn parse_origin(raw: &str) -> Result<String, String> {
    let o = raw.trim().trim_end_matches('/');
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ']) => Ok(o.to_owned()),
        _ => Err(format!("--public-origin {raw:?} must look like https://host or http://host:port, with no path")),
    }
}

impl Cli {
    /// Fails on contradictory options (a default mode that is not enabled).
    pub fn settings(&self) -> Result<Settings, String> {
        let mut enabled = self.auth_modes.clone();
        enabled.dedup();
        Ok(Settings {
            modes: auth::ModePolicy::new(enabled, self.default_auth_mode)?,
            access_token_ttl: self.access_token_ttl,
            jwt_leeway_secs: self.jwt_leeway_secs,
            jwt_issuer: self.jwt_issuer.clone(),
            jwt_audience: self.jwt_audience.clone(),
            refresh_idle_timeout: self.refresh_idle_timeout,
            refresh_absolute_timeout: self.refresh_absolute_timeout,
            refresh_reuse_grace: self.refresh_reuse_grace,
            revocation_check: self.revocation_check,
            access_cache: match self.access_cache.as_str() {
                "on" => true,
                "off" => false,
                // Several instances can only share PostgreSQL; a SQLite file belongs to one.
                _ => !auth::db::is_postgres_url(&self.database_url),
            },
            key_reload_interval: self.key_reload_interval,
            public_origin: parse_origin(self.public_origin.as_deref().unwrap_or(&format!("http://{}", self.addr)))?,
            trusted_proxies: self.trusted_proxies.clone(),
            auth_rate_per_minute: self.auth_rate_per_minute,
            refresh_rate_per_minute: self.refresh_rate_per_minute,
            login_free_failures: self.login_free_failures,
            login_max_delay: self.login_max_delay,
            addr: self.addr.clone(),
            database_url: self.database_url.clone(),
            session_store_url: self.session_store_url.clone().filter(|u| !u.trim().is_empty()),
            store_timeout: self.store_timeout,
            session_idle_timeout: self.session_idle_timeout,
            session_absolute_timeout: self.session_absolute_timeout,
            cleanup_interval: self.cleanup_interval,
            hash_concurrency: self.hash_concurrency,
            site_root: self.site_root.clone(),
            output_name: self.output_name.clone(),
            reload_port: self.reload_port,
        })
    }
}

impl Settings {
    pub fn auth_config(&self) -> auth::AuthConfig {
        let defaults = auth::AuthConfig::default();
        let to_time = |d: Duration| time::Duration::try_from(d).unwrap_or(time::Duration::MAX);
        auth::AuthConfig {
            session: auth::SessionPolicy::new(to_time(self.session_idle_timeout), to_time(self.session_absolute_timeout)),
            hash_concurrency: if self.hash_concurrency == 0 { defaults.hash_concurrency } else { self.hash_concurrency },
            tokens: auth::TokenConfig {
                issuer: self.jwt_issuer.clone(),
                audience: self.jwt_audience.clone(),
                access_ttl: to_time(self.access_token_ttl),
                leeway_secs: self.jwt_leeway_secs,
            },
            refresh: auth::RefreshPolicy {
                idle_timeout: to_time(self.refresh_idle_timeout),
                absolute_timeout: to_time(self.refresh_absolute_timeout),
                reuse_grace: to_time(self.refresh_reuse_grace),
            },
            revocation_check: self.revocation_check,
            access_cache: self.access_cache,
            throttle: auth::ThrottlePolicy { free_failures: self.login_free_failures, max_delay: self.login_max_delay },
            ..defaults
        }
    }

    /// The URL with any password replaced, for messages and logs.
    pub fn database_url_for_display(&self) -> String {
        redact_url(&self.database_url)
    }
}

fn parse_mode(s: &str) -> Result<auth::AuthMode, String> {
    s.trim().parse()
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s.trim() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        other => Err(format!("{other:?}: use on or off")),
    }
}

/// `90s`, `30m`, `8h`, `2d`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a duration like 90s, 30m, 8h or 2d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("unknown unit {unit:?} in {s:?}: use s, m, h or d")),
    };
    if secs == 0 {
        return Err("a duration must be more than zero".into());
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("8h"), Ok(Duration::from_secs(28_800)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5y").is_err());
    }

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        let cli = Cli::parse_from(["server", "--database-url", "postgres://app:s3cret@db/app"]);
        assert_eq!(cli.settings().unwrap().database_url_for_display(), "postgres://app:***@db/app");
    }

    #[test]
    fn a_default_mode_must_be_enabled() {
        let cli = Cli::parse_from(["server", "--auth-modes", "session", "--default-auth-mode", "jwt"]);
        assert!(cli.settings().is_err());
        let cli = Cli::parse_from(["server", "--auth-modes", "jwt", "--default-auth-mode", "jwt", "--revocation-check", "off"]);
        let s = cli.settings().unwrap();
        assert_eq!(s.modes.enabled, vec![auth::AuthMode::Jwt]);
        assert!(!s.revocation_check);
    }

    #[test]
    fn the_public_origin_defaults_to_the_address_and_is_validated() {
        let s = Cli::parse_from(["server", "--addr", "127.0.0.1:4000"]).settings().unwrap();
        assert_eq!(s.public_origin, "http://127.0.0.1:4000");
        let s = Cli::parse_from(["server", "--public-origin", "https://app.example/"]).settings().unwrap();
        assert_eq!(s.public_origin, "https://app.example");
        assert!(Cli::parse_from(["server", "--public-origin", "app.example"]).settings().is_err());
        assert!(Cli::parse_from(["server", "--public-origin", "https://app.example/path"]).settings().is_err());
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

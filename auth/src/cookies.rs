//! The credential cookies, with every attribute in one place.
//!
//! `__Host-` makes the browser enforce Secure, Path=/ and no Domain: a sibling subdomain or a
//! plain-http page cannot plant or overwrite the cookie. Browsers apply that rule to removal
//! cookies too, so a removal must carry the same attributes or it is silently ignored.

use cookie::{time::OffsetDateTime, Cookie, SameSite};

use crate::session::SessionToken;

pub const SESSION_COOKIE: &str = "__Host-sid";
/// JWT mode's access token. Lax like the session cookie; lives exactly as long as the token.
pub const ACCESS_COOKIE: &str = "__Host-access";
/// JWT mode's refresh token: SameSite=Strict and sent only to `/api/auth/*` (login, logout,
/// refresh), so no other handler ever sees it. A cookie with a Path other than `/` cannot carry
/// the `__Host-` prefix; `__Secure-` still makes the browser insist on Secure.
pub const REFRESH_COOKIE: &str = "__Secure-refresh";
pub const REFRESH_COOKIE_PATH: &str = "/api/auth";
/// Not a credential: tells page requests that a refresh cookie probably exists, so a page load
/// with an expired access token is worth a detour through the refresh endpoint.
pub const JWT_HINT_COOKIE: &str = "__Host-jwt";
/// Not a credential: the auth mode this browser chose in the UI.
pub const MODE_COOKIE: &str = "__Host-mode";

fn base(name: &'static str, value: String, path: &'static str, same_site: SameSite, http_only: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(http_only);
    c.set_secure(true);
    c.set_same_site(same_site);
    c.set_path(path);
    c
}

fn with_max_age(mut c: Cookie<'static>, secs: i64) -> Cookie<'static> {
    c.set_max_age(cookie::time::Duration::seconds(secs.max(0)));
    c
}

fn removal(mut c: Cookie<'static>) -> Cookie<'static> {
    c.set_max_age(cookie::time::Duration::ZERO);
    c.set_expires(OffsetDateTime::UNIX_EPOCH);
    c
}

pub fn access_cookie(token: &str, max_age_secs: i64) -> Cookie<'static> {
    with_max_age(base(ACCESS_COOKIE, token.to_owned(), "/", SameSite::Lax, true), max_age_secs)
}

pub fn refresh_cookie(token: &str, max_age_secs: i64) -> Cookie<'static> {
    with_max_age(base(REFRESH_COOKIE, token.to_owned(), REFRESH_COOKIE_PATH, SameSite::Strict, true), max_age_secs)
}

pub fn jwt_hint_cookie(max_age_secs: i64) -> Cookie<'static> {
    with_max_age(base(JWT_HINT_COOKIE, "1".to_owned(), "/", SameSite::Lax, true), max_age_secs)
}

/// Removal cookies for everything JWT mode set.
pub fn jwt_removal_cookies() -> [Cookie<'static>; 3] {
    [
        removal(base(ACCESS_COOKIE, String::new(), "/", SameSite::Lax, true)),
        removal(base(REFRESH_COOKIE, String::new(), REFRESH_COOKIE_PATH, SameSite::Strict, true)),
        removal(base(JWT_HINT_COOKIE, String::new(), "/", SameSite::Lax, true)),
    ]
}

/// A year: a preference, not a credential.
pub fn mode_cookie(mode: crate::AuthMode) -> Cookie<'static> {
    with_max_age(base(MODE_COOKIE, mode.as_str().to_owned(), "/", SameSite::Lax, true), 365 * 86_400)
}

/// HttpOnly (no script can read it), Secure, SameSite=Lax (sent on top-level navigations from
/// other sites, so links into the app keep working, but not on their cross-site POSTs).
pub fn session_cookie(token: &SessionToken, expires: OffsetDateTime) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, token.expose());
    c.set_http_only(true);
    c.set_secure(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_expires(expires);
    c
}

pub fn session_removal_cookie() -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, "");
    c.set_http_only(true);
    c.set_secure(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_max_age(cookie::time::Duration::ZERO);
    c.set_expires(OffsetDateTime::UNIX_EPOCH);
    c
}

/// One cookie this server sets, described from the very builder that sets it, so the flow
/// inspector can never show attributes that differ from the real ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSpec {
    pub name: &'static str,
    /// The mode it belongs to; `None` for the mode preference.
    pub mode: Option<crate::AuthMode>,
    /// Whether it authenticates anything (the hint and the preference do not).
    pub credential: bool,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: String,
    pub path: String,
    pub purpose: &'static str,
}

/// Every cookie the server may set, in the order the inspector lists them.
pub fn specs() -> Vec<CookieSpec> {
    use crate::AuthMode::{Jwt, Session};
    let sample = SessionToken::parse("AAAAAAAAAAAAAAAAAAAAAA").expect("a valid sample id");
    let built = [
        (session_cookie(&sample, OffsetDateTime::UNIX_EPOCH), Some(Session), true, "the session id: a random key into the server's session store"),
        (access_cookie("", 0), Some(Jwt), true, "the signed access token (a JWT), verified by signature"),
        (refresh_cookie("", 0), Some(Jwt), true, "the opaque refresh token, sent only to /api/auth/*"),
        (jwt_hint_cookie(0), Some(Jwt), false, "not a credential: tells page loads a refresh is worth trying"),
        (mode_cookie(Session), None, false, "not a credential: which mode this browser chose"),
    ];
    built
        .into_iter()
        .map(|(c, mode, credential, purpose)| CookieSpec {
            name: match c.name() {
                SESSION_COOKIE => SESSION_COOKIE,
                ACCESS_COOKIE => ACCESS_COOKIE,
                REFRESH_COOKIE => REFRESH_COOKIE,
                JWT_HINT_COOKIE => JWT_HINT_COOKIE,
                _ => MODE_COOKIE,
            },
            mode,
            credential,
            http_only: c.http_only().unwrap_or(false),
            secure: c.secure().unwrap_or(false),
            same_site: c.same_site().map_or("unset".to_owned(), |s| s.to_string()),
            path: c.path().unwrap_or("/").to_owned(),
            purpose,
        })
        .collect()
}

/// Finds a cookie by name in a `Cookie` request header, ignoring pairs that do not parse.
pub fn find<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"'))
    })
}

/// Finds a cookie across all `Cookie` headers of a request.
pub fn from_headers<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| find(h, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_has_the_host_prefix_attributes() {
        let token = SessionToken::parse("AAAAAAAAAAAAAAAAAAAAAA").unwrap();
        let c = session_cookie(&token, OffsetDateTime::UNIX_EPOCH).to_string();
        for attr in ["__Host-sid=", "HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(attr), "{c} lacks {attr}");
        }
        assert!(!c.contains("Domain"));
    }

    #[test]
    fn the_removal_cookie_is_secure_so_browsers_honour_it() {
        let c = session_removal_cookie().to_string();
        for attr in ["__Host-sid=;", "Secure", "Path=/", "Max-Age=0"] {
            assert!(c.contains(attr), "{c} lacks {attr}");
        }
    }

    #[test]
    fn the_specs_describe_the_real_cookies() {
        let specs = specs();
        let refresh = specs.iter().find(|s| s.name == REFRESH_COOKIE).unwrap();
        assert_eq!((refresh.path.as_str(), refresh.same_site.as_str()), (REFRESH_COOKIE_PATH, "Strict"));
        assert!(specs.iter().all(|s| s.http_only && s.secure), "every cookie we set is HttpOnly and Secure");
        assert_eq!(specs.iter().filter(|s| s.credential).count(), 3);
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = "a=1; __Host-sid=abc; __Host-sidx=zzz; junk";
        assert_eq!(find(h, "__Host-sid"), Some("abc"));
        assert_eq!(find(h, "b"), None);
    }
}

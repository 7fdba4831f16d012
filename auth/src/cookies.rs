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
    fn cookies_are_found_by_exact_name() {
        let h = "a=1; __Host-sid=abc; __Host-sidx=zzz; junk";
        assert_eq!(find(h, "__Host-sid"), Some("abc"));
        assert_eq!(find(h, "b"), None);
    }
}

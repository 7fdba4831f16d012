//! The credential cookies, with every attribute in one place.
//!
//! `__Host-` makes the browser enforce Secure, Path=/ and no Domain: a sibling subdomain or a
//! plain-http page cannot plant or overwrite the cookie. Browsers apply that rule to removal
//! cookies too, so a removal must carry the same attributes or it is silently ignored.

use cookie::{time::OffsetDateTime, Cookie, SameSite};

use crate::session::SessionToken;

pub const SESSION_COOKIE: &str = "__Host-sid";

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

//! Route paths, in one place for the router, the redirects and the tests.

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const REGISTER: &str = "/register";
pub const DASHBOARD: &str = "/dashboard";
pub const ADMIN: &str = "/admin";
pub const DEVICES: &str = "/devices";
pub const INSPECT: &str = "/inspect";
pub const COMPARE: &str = "/compare";
/// JWT mode's refresh endpoint (GET: for page loads, answers with a redirect to `next`).
pub const REFRESH: &str = "/api/auth/refresh";

/// `/login?next=<path>`, with the path percent-encoded as a query value.
pub fn login_with_next(next: &str) -> String {
    with_next(LOGIN, next)
}

/// `<base>?next=<path>`, with the path percent-encoded as a query value.
pub fn with_next(base: &str, next: &str) -> String {
    if next == HOME || next.is_empty() {
        return base.to_owned();
    }
    let mut out = String::with_capacity(base.len() + 6 + next.len());
    out.push_str(base);
    out.push_str("?next=");
    for b in next.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_path_is_encoded_as_a_query_value() {
        assert_eq!(login_with_next("/dashboard"), "/login?next=/dashboard");
        assert_eq!(login_with_next("/a?b=c&d"), "/login?next=/a%3Fb%3Dc%26d");
        assert_eq!(login_with_next("/"), "/login");
    }
}

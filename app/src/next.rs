//! The `next=` target after login: only a same-site relative path is ever followed.
//!
//! Anything else is an open redirect waiting to happen (`https://evil`, `//evil`, `/\evil`,
//! which browsers treat as `//evil`), and CR/LF would make `leptos_axum::redirect` panic.

use crate::paths;

pub fn safe_next(raw: Option<&str>) -> String {
    match raw {
        Some(p) if is_safe(p) => p.to_owned(),
        _ => paths::HOME.to_owned(),
    }
}

fn is_safe(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && p.len() <= 2048
        && !p.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        // Sending someone back to the login or register form after logging in is pointless.
        && !p.starts_with(paths::LOGIN)
        && !p.starts_with(paths::REGISTER)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn relative_paths_are_kept() {
        assert_eq!(safe_next(Some("/dashboard")), "/dashboard");
        assert_eq!(safe_next(Some("/admin?tab=users")), "/admin?tab=users");
    }

    #[test]
    fn everything_else_falls_back_to_home() {
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil",
            "/dash\r\nSet-Cookie: x=y", "/dash\nboard", "javascript:alert(1)", "dashboard", "",
            "/login?next=/x", " /dashboard"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?} must not be followed");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(5000)))), "/");
    }
}

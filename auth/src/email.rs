//! `Email`: the only way an address enters the system, normalised once at the edge.

use std::fmt;

/// A syntactically plausible, normalised (trimmed, lower-cased) email address.
///
/// Deliberately not a full RFC 5322 parser: we accept the shape `local@domain.tld` with no
/// whitespace, control characters or markup, which covers real mailboxes while keeping
/// user-controlled strings boring wherever they are shown.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email is required")]
    Empty,
    #[error("email is too long (at most 254 characters)")]
    TooLong,
    #[error("email must look like name@example.com")]
    Malformed,
}

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Malformed)?;
        let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c);
        let domain_ok = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain.split('.').all(|label| !label.is_empty() && label.len() <= 63);
        if local.is_empty()
            || local.len() > 64
            || local.contains(forbidden)
            || domain.contains(forbidden)
            || !domain_ok
        {
            return Err(EmailError::Malformed);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in ["alice", "@example.com", "alice@", "alice@example", "a b@example.com",
            "alice@@example.com", "alice@exa mple.com", "<script>@x.com", "alice@.example.com",
            "alice@example..com", "alice@example.com.", "al\nice@example.com"] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn empty_and_oversize_addresses_have_their_own_errors() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}

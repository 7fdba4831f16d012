//! The credentials body of login, register and token requests, parsed into domain types. Here,
//! not in the web layer, so that the fuzzer exercises exactly what the server runs.

use serde::Deserialize;

use crate::{
    email::EmailError,
    password::{Password, PasswordError},
    Email,
};

/// `{email, password, mode?}` as every client sends it. Unknown fields are refused, so a typo
/// (`"pasword"`) is an error, not a silently missing value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    /// Login only: `session` or `jwt`; defaults to the browser's active mode.
    #[serde(default)]
    pub mode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

impl Credentials {
    /// `new_password`: the password rules for a new password apply (registration); otherwise
    /// only what a login attempt needs.
    pub fn parse(self, new_password: bool) -> Result<(Email, Password), CredentialsError> {
        let email = Email::parse(&self.email)?;
        let password = if new_password { Password::parse_new(self.password) } else { Password::parse_attempt(self.password) }?;
        Ok((email, password))
    }
}

//! The one error type of the server functions, serialisable so the browser can show it.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A form field is wrong; `field` names the input so the message can sit next to it.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Unknown email or wrong password, deliberately indistinguishable.
    #[error("Invalid email or password.")]
    InvalidCredentials,
    #[error("This account is disabled. Contact an administrator.")]
    AccountDisabled,
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("Not found.")]
    NotFound,
    #[error("You do not have access to this.")]
    Forbidden,
    /// Details are logged on the server, never sent.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("Too many attempts. Try again in {retry_after_secs} s.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl ToString) -> Self {
        Self::Invalid { field: field.to_owned(), message: message.to_string() }
    }

    /// The message for one field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 400,
            AppError::InvalidCredentials | AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::AccountDisabled => 403,
            AppError::NotFound => 404,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

//! The HTTP error of the JSON API: one enum, mapped to a status and a JSON body in one place.
//! Every error body is `{"error": "<code>", "message": "..."}`.

use axum::{
    extract::rejection::JsonRejection,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(&'static str),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("the request headers are too large")]
    HeadersTooLarge,
    #[error("send the body as JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("a backing store is unavailable; try again shortly")]
    Unavailable,
    /// 429 with `Retry-After`. `server_fn` answers in the server functions' error encoding, so
    /// the app can show the message.
    #[error("{message} Try again in {retry_after_secs} s.")]
    TooManyRequests { retry_after_secs: u64, message: &'static str, server_fn: bool },
    /// Logged once with its cause; the client learns nothing about it.
    #[error("internal error")]
    Internal,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: String,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl ToString) -> Self {
        Self::BadRequest { code, message: message.to_string() }
    }

    pub fn unauthorized(code: &'static str, message: impl ToString) -> Self {
        Self::Unauthorized { code, message: message.to_string() }
    }

    pub fn too_many_requests(wait: std::time::Duration, message: &'static str, server_fn: bool) -> Self {
        Self::TooManyRequests { retry_after_secs: auth::throttle::retry_after_secs(wait), message, server_fn }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Unauthorized { code, .. } | ApiError::Forbidden { code, .. } => code,
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::HeadersTooLarge => "headers_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Unavailable => "unavailable",
            ApiError::TooManyRequests { .. } => "rate_limited",
            ApiError::Internal => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = match &self {
            ApiError::TooManyRequests { retry_after_secs, server_fn: true, .. } => {
                let e = app::error::AppError::TooManyRequests { retry_after_secs: *retry_after_secs };
                (self.status(), Json(e)).into_response()
            }
            _ => (self.status(), Json(Body { error: self.code(), message: self.to_string() })).into_response(),
        };
        if let ApiError::TooManyRequests { retry_after_secs, .. } = &self {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(*retry_after_secs));
        }
        res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
        res
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::JsonSyntaxError(e) => ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {}", e.body_text())),
            JsonRejection::JsonDataError(e) => ApiError::bad_request("invalid_body", e.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            other => ApiError::bad_request("invalid_body", other.body_text()),
        }
    }
}

impl From<auth::input::CredentialsError> for ApiError {
    fn from(e: auth::input::CredentialsError) -> Self {
        match e {
            auth::input::CredentialsError::Email(e) => ApiError::bad_request("invalid_email", e),
            auth::input::CredentialsError::Password(e) => ApiError::bad_request("invalid_password", e),
        }
    }
}

impl From<auth::AuthError> for ApiError {
    fn from(e: auth::AuthError) -> Self {
        match e {
            auth::AuthError::InvalidCredentials => ApiError::unauthorized("invalid_credentials", "Invalid email or password."),
            auth::AuthError::AccountDisabled => ApiError::Forbidden { code: "account_disabled", message: "This account is disabled.".into() },
            auth::AuthError::Forbidden => ApiError::Forbidden { code: "forbidden", message: "You are not allowed to do this.".into() },
            auth::AuthError::UnknownUser => ApiError::NotFound("no such user"),
            auth::AuthError::Store(e) => e.into(),
            auth::AuthError::Throttled { retry_after } => {
                ApiError::too_many_requests(retry_after, "Too many failed sign-ins for this account.", false)
            }
            other => {
                tracing::error!(error = %other, "auth failure");
                ApiError::Internal
            }
        }
    }
}

impl From<auth::StoreError> for ApiError {
    fn from(e: auth::StoreError) -> Self {
        tracing::error!(error = %e, "store failure");
        ApiError::Unavailable
    }
}

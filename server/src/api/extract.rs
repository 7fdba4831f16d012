//! Extractors whose rejections are `ApiError`s, so bad input always gets the JSON error shape.

use axum::{
    extract::{FromRequest, Request},
    Json,
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state).await.map(|Json(v)| ApiJson(v)).map_err(ApiError::from)
    }
}

/// An optional JSON body: empty means `None`; anything else must be well-formed JSON of `T`
/// (sent as `application/json`). For endpoints that also take their input from a cookie.
pub fn optional_json<T: DeserializeOwned>(headers: &axum::http::HeaderMap, body: &[u8]) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    match serde_json::from_slice::<T>(body) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_syntax() || e.is_eof() => Err(ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))),
        Err(e) => Err(ApiError::bad_request("invalid_body", e)),
    }
}

/// The request's principal, or the 401 that says why there is none. Every protected handler
/// takes this: the UI guard is not the check.
pub struct Authenticated(pub auth::Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        match parts.extensions.get::<auth::Resolution>() {
            Some(auth::Resolution::Authenticated(p)) => Ok(Authenticated(p.clone())),
            Some(auth::Resolution::Rejected(r)) => Err(ApiError::unauthorized(r.code(), r.message())),
            _ => Err(ApiError::unauthorized("unauthenticated", "Sign in first.")),
        }
    }
}

pub mod admin;
pub mod compare;
pub mod dashboard;
pub mod devices;
pub mod home;
pub mod inspect;
pub mod login;
pub mod not_found;
pub mod register;

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

use crate::{error::AppError, form_post::FormPost};

/// The error leptos_axum put in the URL when it redirected a plain form post (JavaScript off)
/// back to the page, if it came from server function `S`. Read on the server, which renders
/// the page, and handed to the form's island.
pub fn url_error<S: ServerFn>() -> Option<AppError> {
    let query = use_query_map();
    query.with_untracked(|q| {
        let from_this_form = q.get("__path").is_some_and(|p| p == S::PATH);
        from_this_form
            .then(|| q.get("__err"))
            .flatten()
            .map(|e| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&e))
    })
}

/// The error to show for a form: the last result of its action (JavaScript on), or else the one
/// from the URL (see `url_error`).
pub fn form_error<T>(action: FormPost<T>, from_url: Option<AppError>) -> Signal<Option<AppError>>
where
    T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(Ok(_)) => None,
        Some(Err(e)) => Some(e),
        None => from_url.clone(),
    })
}

/// A form field's own message, if the error is about it.
pub fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.for_field(name)))
}

/// The part of an error that belongs to no single field.
pub fn general_message(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid { .. } => None,
        other => Some(other.to_string()),
    }
}

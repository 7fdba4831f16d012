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

use crate::error::AppError;

/// The error to show for a form: the last result of its action (JavaScript on), or the one
/// leptos_axum put in the URL when it redirected a plain form post back (JavaScript off).
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let from_url = move || {
        query.with(|q| {
            let from_this_form = q.get("__path").is_some_and(|p| p == S::PATH);
            from_this_form
                .then(|| q.get("__err"))
                .flatten()
                .map(|e| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&e))
        })
    };
    Signal::derive(move || match action.value().get() {
        Some(Ok(_)) => None,
        Some(Err(e)) => Some(e),
        None => from_url(),
    })
}

/// The part of an error that belongs to no single field.
pub fn general_message(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid { .. } => None,
        other => Some(other.to_string()),
    }
}

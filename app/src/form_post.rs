//! Forms that post to server functions, enhanced in the browser.
//!
//! Every form is first a plain HTML post to its server function's URL, which works without
//! JavaScript (the server answers a form post with a redirect). In an island, `FormPost` sends
//! the same urlencoded body with `fetch` instead and keeps the answer in signals, so the page
//! shows errors in place and a busy state without a page load.
//!
//! Why not leptos' `ActionForm`: it rebuilds the server function's arguments from the form in
//! the browser and encodes them again, which put a query-string (de)serialiser and every form's
//! argument types in the wasm bundle, about a tenth of it. Here the browser sends the form as
//! the form would, and the server function parses it as before, so validation stays on the
//! server only. The answer is decoded from JSON text like every other one (`crate::codec`).

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The state of one form's posts: like a `ServerAction`, without encoding arguments. Posts may
/// overlap (two admin actions clicked quickly): it is pending while any is in flight, and only
/// the answer to the latest post becomes its value, whatever order the answers arrive in.
pub struct FormPost<T: Send + Sync + 'static> {
    in_flight: RwSignal<usize>,
    /// The number of the latest post.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    latest: StoredValue<u64>,
    value: RwSignal<Option<Result<T, AppError>>>,
    version: RwSignal<usize>,
}

impl<T: Send + Sync + 'static> Clone for FormPost<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for FormPost<T> {}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> Default for FormPost<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> FormPost<T> {
    pub fn new() -> Self {
        Self { in_flight: RwSignal::new(0), latest: StoredValue::new(0), value: RwSignal::new(None), version: RwSignal::new(0) }
    }

    /// True from a submit until every answer has arrived.
    pub fn pending(&self) -> Signal<bool> {
        let in_flight = self.in_flight;
        Signal::derive(move || in_flight.get() > 0)
    }

    /// For a form whose success leads to a page load (sign-in, sign-out and the mode switch
    /// change who is signed in or how; registration goes on to sign-in): on success, load the
    /// page `to` names (`None`: this page again) afresh, so nothing from before stays in
    /// memory. Returns the form's busy state, which lasts from
    /// the submit until that page replaces this one, so the button cannot be pressed twice.
    pub fn load_page_on_success(&self, to: impl Fn(&T) -> Option<String> + 'static) -> Signal<bool> {
        let (in_flight, value) = (self.in_flight, self.value);
        Effect::new(move |_| {
            if let Some(Ok(answer)) = &*value.read() {
                match to(answer) {
                    Some(page) => crate::app::go_to(&page),
                    None => crate::app::reload_page(),
                }
            }
        });
        Signal::derive(move || in_flight.get() > 0 || value.with(|v| matches!(v, Some(Ok(_)))))
    }

    /// The answer to the latest post.
    pub fn value(&self) -> ReadSignal<Option<Result<T, AppError>>> {
        self.value.read_only()
    }

    /// How many answers have arrived: a resource that depends on it reloads after each one.
    pub fn version(&self) -> ReadSignal<usize> {
        self.version.read_only()
    }

    /// The form's `on:submit`: posts the form (and the button that submitted it) with `fetch`.
    pub fn submit(self, ev: leptos::ev::SubmitEvent) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
            // The attribute, not `form.action`: a field named "action" (the admin form has one)
            // shadows that property with the input element.
            let Some(url) = form.get_attribute("action") else { return };
            let Some(body) = web_sys::FormData::new_with_form(&form).ok().and_then(|d| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&d).ok())
            else {
                return; // leave it to the browser's own post
            };
            ev.prevent_default();
            // A named submit button's value is part of a form post (the mode switch has one per mode).
            if let Some(button) = ev.submitter().and_then(|b| b.dyn_into::<web_sys::HtmlButtonElement>().ok()) {
                if !button.name().is_empty() {
                    body.append(&button.name(), &button.value());
                }
            }
            let body = String::from(body.to_string());
            let number = self.latest.get_value() + 1;
            self.latest.set_value(number);
            self.in_flight.update(|n| *n += 1);
            leptos::task::spawn_local(async move {
                let answer = post(&url, &body).await;
                if self.latest.get_value() == number {
                    self.value.set(Some(answer));
                }
                self.version.update(|v| *v += 1);
                self.in_flight.update(|n| *n -= 1);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    }
}

/// Posts an urlencoded body and decodes the server function's answer: the value on success,
/// else the `AppError` the server sent (or one that says what went wrong on the way).
#[cfg(feature = "hydrate")]
async fn post<T: DeserializeOwned>(url: &str, body: &str) -> Result<T, AppError> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let transport = |e: JsValue| AppError::Transport(e.as_string().unwrap_or_else(|| "the request failed".into()));
    let headers = web_sys::Headers::new().map_err(transport)?;
    headers.set("Content-Type", "application/x-www-form-urlencoded").map_err(transport)?;
    headers.set("Accept", "application/json").map_err(transport)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    let window = web_sys::window().ok_or_else(|| AppError::Transport("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(transport)?.unchecked_into();
    let text = JsFuture::from(response.text().map_err(transport)?).await.map_err(transport)?.as_string().unwrap_or_default();
    if response.ok() {
        leptos::serde_json::from_str(&text).map_err(|e| AppError::Transport(e.to_string()))
    } else {
        Err(leptos::serde_json::from_str(&text).unwrap_or_else(|_| AppError::Transport(format!("HTTP {}", response.status()))))
    }
}

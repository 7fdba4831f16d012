//! The live switch between session and JWT mode, on every page.
//!
//! A form with one submit button per mode. With JavaScript it switches, then loads the same page
//! again: the server re-evaluates access under the new mode (a protected page this browser is
//! not signed in to under it answers with a redirect to the login page). Without JavaScript the
//! post comes back to the same page.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{api::SetMode, form_post::FormPost};

const LABELS: [(&str, &str, &str); 2] = [
    ("session", "Session", "Server-side session: an id in a cookie, state on the server"),
    ("jwt", "JWT", "JWT in HttpOnly cookies: signed access token plus rotating refresh token"),
];

#[island]
pub fn ModeToggle(
    /// The active mode.
    mode: String,
    /// The modes this server offers.
    enabled: Vec<String>,
) -> impl IntoView {
    crate::app::island_hydrated();
    let set_mode = FormPost::<String>::new();
    let busy = set_mode.load_page_on_success(|_| None);
    view! {
        <form method="post" action=SetMode::PATH on:submit=move |ev| set_mode.submit(ev) class="mode-toggle" aria-label="Authentication mode">
            <span class="mode-label" id="mode-label">"Mode"</span>
            <div role="group" aria-labelledby="mode-label" class="segmented">
                {LABELS
                    .into_iter()
                    .map(|(value, label, title)| {
                        let active = mode == value;
                        let offered = enabled.iter().any(|e| e == value);
                        view! {
                            <button
                                type="submit"
                                name="mode"
                                value=value
                                title=title
                                data-testid=format!("mode-{value}")
                                class:active=active
                                aria-pressed=active.to_string()
                                disabled=move || !offered || busy.get()
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </form>
    }
}

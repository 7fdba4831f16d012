//! The live switch between session and JWT mode, on every page.
//!
//! A form with one submit button per mode: with JavaScript it switches in place (the status is
//! re-read and a protected page re-evaluates access at once); without, the post comes back to
//! the same page.

use leptos::prelude::*;

use crate::app::AuthContext;

const LABELS: [(&str, &str, &str); 2] = [
    ("session", "Session", "Server-side session: an id in a cookie, state on the server"),
    ("jwt", "JWT", "JWT in HttpOnly cookies: signed access token plus rotating refresh token"),
];

#[component]
pub fn ModeToggle() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    let enabled = move |m: &str| ctx.status.get().and_then(Result::ok).is_some_and(|s| s.enabled_modes.iter().any(|e| e == m));
    let active = move |m: &str| ctx.mode().as_deref() == Some(m);
    view! {
        <ActionForm action=ctx.set_mode attr:class="mode-toggle" attr:aria-label="Authentication mode">
            <span class="mode-label" id="mode-label">"Mode"</span>
            <div role="group" aria-labelledby="mode-label" class="segmented">
                {LABELS
                    .into_iter()
                    .map(|(value, label, title)| {
                        view! {
                            <button
                                type="submit"
                                name="mode"
                                value=value
                                title=title
                                data-testid=format!("mode-{value}")
                                class:active=move || active(value)
                                aria-pressed=move || active(value).to_string()
                                disabled=move || !enabled(value) || ctx.set_mode.pending().get()
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </ActionForm>
    }
}

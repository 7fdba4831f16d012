use leptos::prelude::*;

use crate::components::inspector::InspectorIsland;

/// The full-page flow inspector. Public: a signed-out browser sees which cookies it lacks.
#[component]
pub fn InspectPage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Flow inspector"</h1>
            <p class="aside">
                "What this browser holds, what the server keeps for it, and how the server verified this very "
                "request, for the active mode. It refreshes every two seconds; switch the mode in the bar above to "
                "see the other side."
            </p>
            <InspectorIsland/>
        </section>
    }
}

use leptos::prelude::*;
use leptos_router::components::A;

use crate::paths;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Two ways to secure a route, side by side"</h1>
            <p class="lede">
                "Secure Routes runs server-side sessions and JWTs in HttpOnly cookies against the same users "
                "and the same protected pages, so you can see where the state lives and what logging out really does."
            </p>
            <p>
                <A href=paths::REGISTER attr:class="button">"Create an account"</A>
                " "
                <A href=paths::DASHBOARD attr:class="button button-secondary">"Open the protected dashboard"</A>
            </p>
        </section>
        <section class="grid">
            <article class="card">
                <h2>"Server-side sessions"</h2>
                <p>"Your browser holds only a random id in an HttpOnly cookie named "<code>"__Host-sid"</code>". "
                "Everything else lives on the server, so logging out deletes the record and the id is dead at once."</p>
                <p class="status status-on">"Switch to it with the Mode toggle above"</p>
            </article>
            <article class="card">
                <h2>"JWTs in HttpOnly cookies"</h2>
                <p>"A signed, short-lived access token the server verifies without a lookup, plus a rotating refresh token. "
                "Stateless until you want to revoke one."</p>
                <p class="status status-on">"Switch to it with the Mode toggle above"</p>
            </article>
        </section>
    }
}

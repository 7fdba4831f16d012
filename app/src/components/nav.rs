//! The top bar: where you are, who you are, how you are signed in, and the way out.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::components::A;

use crate::{
    api::Logout,
    app::AuthContext,
    components::mode_toggle::ModeToggle,
    form_post::FormPost,
    paths,
};

/// Rendered on the server for each page load, so it always shows what the server decided for
/// this very request (a session ended elsewhere shows as signed out at the next page).
#[component]
pub fn Nav() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    let (mode, enabled) = ctx.status.as_ref().map(|s| (s.mode.clone(), s.enabled_modes.clone())).unwrap_or_default();
    let account = match ctx.current() {
        Some(v) => {
            let admin = v.is_admin();
            view! {
                <li><A href=paths::DASHBOARD>"Dashboard"</A></li>
                <li><A href=paths::DEVICES>"Devices"</A></li>
                {admin.then(|| view! { <li><A href=paths::ADMIN>"Admin"</A></li> })}
                <li class="nav-user">
                    <span class="who" data-testid="nav-user">{v.email.clone()}</span>
                    <span class="badge" title="How this browser is authenticated">{v.mode.clone()}</span>
                    {admin.then(|| view! { <span class="badge badge-admin">"admin"</span> })}
                </li>
                <li><SignOut/></li>
            }
            .into_any()
        }
        None => view! {
            <li><A href=paths::LOGIN>"Sign in"</A></li>
            <li><A href=paths::REGISTER>"Register"</A></li>
        }
        .into_any(),
    };
    view! {
        <header class="topbar">
            <a class="skip" href="#main">"Skip to content"</a>
            <nav aria-label="Main">
                <a class="brand" href=paths::HOME>"Secure Routes"</a>
                <ModeToggle mode enabled/>
                <ul>
                    <li><A href=paths::INSPECT>"Inspect"</A></li>
                    <li><A href=paths::COMPARE>"Compare"</A></li>
                    {account}
                </ul>
            </nav>
        </header>
    }
}

/// Signs out of the active mode, then loads the start page afresh.
#[island]
fn SignOut() -> impl IntoView {
    crate::app::island_hydrated();
    let logout = FormPost::<String>::new();
    let busy = logout.load_page_on_success(|to| Some(to.clone()));
    view! {
        <form method="post" action=Logout::PATH on:submit=move |ev| logout.submit(ev)>
            <button type="submit" class="button-link" disabled=move || busy.get()>
                {move || if busy.get() { "Signing out…" } else { "Sign out" }}
            </button>
        </form>
    }
}

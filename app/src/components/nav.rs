//! The top bar: where you are, who you are, how you are signed in, and the way out.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{app::AuthContext, components::mode_toggle::ModeToggle, paths};

#[component]
pub fn Nav() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    // A client-side navigation asks the server again who this is, so a session ended elsewhere
    // (logout in another tab, an admin's force logout, a revoked device) is noticed at the very
    // next navigation, not at the next full page load.
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            ctx.reload();
        }
        path
    });
    let signed_in = move |v: crate::api::Viewer| {
        {
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
                <li>
                    <ActionForm action=ctx.logout>
                        <button type="submit" class="button-link" disabled=move || ctx.logout.pending().get()>
                            {move || if ctx.logout.pending().get() { "Signing out…" } else { "Sign out" }}
                        </button>
                    </ActionForm>
                </li>
            }
        }
    };
    let signed_out = move || {
        view! {
            <li><A href=paths::LOGIN>"Sign in"</A></li>
            <li><A href=paths::REGISTER>"Register"</A></li>
        }
    };
    view! {
        <header class="topbar">
            <a class="skip" href="#main">"Skip to content"</a>
            <nav aria-label="Main">
                <a class="brand" href=paths::HOME>"Secure Routes"</a>
                <ModeToggle/>
                <ul>
                    <li><A href=paths::INSPECT>"Inspect"</A></li>
                    <li><A href=paths::COMPARE>"Compare"</A></li>
                    <Transition fallback=|| ()>
                        {move || {
                            ctx.status.get().map(|r| match r.ok().and_then(|s| s.viewer) {
                                Some(v) => signed_in(v).into_any(),
                                None => signed_out().into_any(),
                            })
                        }}
                    </Transition>
                </ul>
            </nav>
        </header>
    }
}

//! The document shell, the router and the auth context every page reads.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ProtectedRoute, Route, Router, Routes},
    hooks::use_location,
    path, SsrMode,
};

use crate::{
    api::{AuthStatus, Viewer},
    components::{inspector::InspectorPanel, nav::Nav},
    error::AppError,
    pages::{admin::AdminPage, compare::ComparePage, dashboard::DashboardPage, inspect::InspectPage, devices::DevicesPage, home::HomePage, login::LoginPage, not_found::NotFound, register::RegisterPage},
    paths,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy. leptos_axum makes a fresh nonce for every response and
/// puts it on the hydration and streaming scripts; only scripts carrying it run, plus what they
/// load (`'strict-dynamic'`: the wasm bundle's JS) and the wasm itself (`'wasm-unsafe-eval'`).
/// An injected `<script>` has no nonce, so even markup that slipped through could not run.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else { return };
    let csp = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    );
    if let Ok(v) = http::HeaderValue::from_str(&csp) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

/// Who is signed in under which mode. The server renders every page; this is read once per
/// request from what the request-auth layer resolved, and handed to the islands that need it as
/// props. (Islands are the only parts of a page that run in the browser.)
#[derive(Clone)]
pub struct AuthContext {
    pub status: Result<AuthStatus, AppError>,
}

impl AuthContext {
    pub fn signed_in(&self) -> bool {
        self.current().is_some()
    }

    pub fn current(&self) -> Option<Viewer> {
        self.status.as_ref().ok().and_then(|s| s.viewer.clone())
    }

    /// The active mode.
    pub fn mode(&self) -> Option<String> {
        self.status.as_ref().ok().map(|s| s.mode.clone())
    }

    /// JWT mode: whether access tokens are checked against revocations on every request.
    pub fn revocation_check(&self) -> bool {
        self.status.as_ref().is_ok_and(|s| s.revocation_check)
    }
}

/// The whole document, rendered on the server only. In the browser just the islands hydrate, so
/// the wasm bundle carries no router and none of the static pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Route discovery at start-up renders `App` outside any request, with no state to read.
    #[cfg(feature = "ssr")]
    let status = match use_context::<crate::ssr::AppState>() {
        Some(_) => crate::api::auth_status(),
        None => Err(AppError::Unauthorized),
    };
    #[cfg(not(feature = "ssr"))]
    let status = Err(AppError::Internal);
    let ctx = AuthContext { status };
    provide_context(ctx.clone());

    let jwt_login = ctx.current().filter(|v| v.mode == "jwt");
    let signed_in = {
        let yes = ctx.signed_in();
        move || Some(yes)
    };
    let to_login = move || {
        let loc = use_location();
        let path = loc.pathname.get_untracked();
        let search = loc.search.get_untracked();
        let search = search.trim_start_matches('?');
        let here = if search.is_empty() { path } else { format!("{path}?{search}") };
        paths::login_with_next(&here)
    };

    // `SsrMode::Async` on pages with data: the server sends them whole, so a redirect is a real
    // 302 and every island's data is in the HTML before the islands hydrate.
    view! {
        <Stylesheet id="leptos" href="/pkg/secure-routes.css"/>
        <Title text="Secure Routes"/>
        <Router>
            <Nav/>
            {jwt_login.map(|v| view! { <KeepJwtFresh expires_at=v.expires_at role=v.role/> })}
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("login") view=LoginPage/>
                    <Route path=path!("register") view=RegisterPage/>
                    <Route path=path!("inspect") view=InspectPage ssr=SsrMode::Async/>
                    <Route path=path!("compare") view=ComparePage ssr=SsrMode::Async/>
                    <ProtectedRoute
                        path=path!("dashboard")
                        view=DashboardPage
                        condition=signed_in
                        redirect_path=to_login
                        ssr=SsrMode::Async
                    />
                    <ProtectedRoute
                        path=path!("devices")
                        view=DevicesPage
                        condition=signed_in
                        redirect_path=to_login
                        ssr=SsrMode::Async
                    />
                    <ProtectedRoute
                        path=path!("admin")
                        view=AdminPage
                        condition=signed_in
                        redirect_path=to_login
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <InspectorPanel/>
        </Router>
    }
}

// Counts the islands that hydrated: every island calls `island_hydrated` first.
#[cfg(feature = "hydrate")]
thread_local! {
    static HYDRATED_ISLANDS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// The first line of every island: counts it once its view has taken over its HTML (effects run
/// after hydration), for `mark_hydrated`.
pub fn island_hydrated() {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| HYDRATED_ISLANDS.with(|n| n.set(n.get() + 1)));
}

/// Browser only, called by the entry point before the islands script hydrates the islands.
/// Marks the page `data-hydrated="true"` once every island on it has hydrated, or `"failed"` if
/// one did not (a panic in one stops the script). The browser tests wait for `"true"` before they
/// click, so they never race the wasm bundle and they notice a broken island.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    // The script hydrates the islands one after another in a chain of microtasks that starts
    // when `hydrate` returns; a zero-delay timer fires only after that chain has run out.
    set_timeout(
        || {
            let islands = document().query_selector_all("leptos-island").map_or(0, |l| l.length());
            let state = if HYDRATED_ISLANDS.with(|n| n.get()) == islands { "true" } else { "failed" };
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", state);
            }
        },
        std::time::Duration::ZERO,
    );
}

/// JWT mode: refresh the access token shortly before it expires, for as long as the page is
/// open; the new expiry re-arms the timer. (Session mode needs nothing: the server extends it.)
/// A refresh is also when a JWT login learns what changed on the server: if it fails (the
/// login was revoked, the account disabled) or the role is no longer the one this page was
/// rendered for, the page reloads and the server renders what this browser may see now.
#[island]
pub fn KeepJwtFresh(expires_at: i64, role: String) -> impl IntoView {
    crate::app::island_hydrated();
    let expires_at = RwSignal::new(expires_at);
    let role = StoredValue::new(role);
    Effect::new(move |_| {
        let delay = crate::refresh::refresh_delay_ms(expires_at.get() * 1000 - crate::refresh::now_ms());
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    let unchanged = if crate::refresh::refresh_now().await {
                        crate::api::get_auth_status().await.ok().and_then(|s| s.viewer).filter(|v| v.mode == "jwt" && role.with_value(|r| *r == v.role))
                    } else {
                        None
                    };
                    match unchanged {
                        Some(v) => expires_at.set(v.expires_at),
                        None => reload_page(),
                    }
                });
            },
            std::time::Duration::from_millis(delay as u64),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    });
}

/// Loads this page again from the server, which decides what this browser may see now.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    let _ = window().location().reload();
}

/// Loads `to` afresh: after a change of identity nothing from the old page stays in memory.
pub fn go_to(to: &str) {
    #[cfg(feature = "hydrate")]
    let _ = window().location().assign(to);
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

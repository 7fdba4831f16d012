//! The document shell, the router and the auth context every page reads.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ProtectedRoute, Route, Router, Routes},
    hooks::use_location,
    path, SsrMode,
};

use crate::{
    api::{get_auth_status, AuthStatus, Login, Logout, Register, SetMode, Viewer},
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
                <HydrationScripts options/>
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

pub type StatusResource = Resource<Result<AuthStatus, AppError>>;

/// Who is signed in under which mode, and the actions that change it.
#[derive(Clone, Copy)]
pub struct AuthContext {
    pub status: StatusResource,
    /// Bumped to re-read the status from the server (after a mode switch or a token refresh).
    pub epoch: RwSignal<u32>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub register: ServerAction<Register>,
    pub set_mode: ServerAction<SetMode>,
}

impl AuthContext {
    /// `None` while loading, then whether someone is signed in under the active mode.
    pub fn signed_in(&self) -> Option<bool> {
        self.status.get().map(|r| matches!(r, Ok(AuthStatus { viewer: Some(_), .. })))
    }

    pub fn current(&self) -> Option<Viewer> {
        self.status.get().and_then(Result::ok).and_then(|s| s.viewer)
    }

    /// The active mode, once known.
    pub fn mode(&self) -> Option<String> {
        self.status.get().and_then(Result::ok).map(|s| s.mode)
    }

    pub fn reload(&self) {
        self.epoch.update(|e| *e += 1);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let register = ServerAction::<Register>::new();
    let set_mode = ServerAction::<SetMode>::new();
    let epoch = RwSignal::new(0u32);
    // Blocking: the protected routes render in `SsrMode::Async`, so the server knows the answer
    // before it writes a single byte and can answer a real 302 instead of flashing the page.
    // Login and logout end in a full page load (below); a mode switch or a token refresh bumps
    // `epoch`, and a protected page re-evaluates access at once.
    let status = Resource::new_blocking(move || epoch.get(), |_| get_auth_status());
    let ctx = AuthContext { status, epoch, login, logout, register, set_mode };
    provide_context(ctx);
    Effect::new(move |_| {
        if let Some(Ok(_)) = set_mode.value().get() {
            ctx.reload();
        }
    });
    keep_jwt_fresh(ctx);
    // Effects run only in the browser, after hydration: the browser tests wait for this marker
    // before they click, so they never race the wasm bundle.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    // After a login or logout, load the destination afresh: every resource, cache and piece of
    // in-memory state from before the change of identity is dropped with the old page.
    for done in [login.value(), logout.value()] {
        Effect::new(move |_| {
            if let Some(Ok(to)) = done.get() {
                #[cfg(feature = "hydrate")]
                let _ = window().location().assign(&to);
                #[cfg(not(feature = "hydrate"))]
                let _ = to;
            }
        });
    }

    let signed_in = move || ctx.signed_in();
    let to_login = move || {
        let loc = use_location();
        let path = loc.pathname.get_untracked();
        let search = loc.search.get_untracked();
        let search = search.trim_start_matches('?');
        let here = if search.is_empty() { path } else { format!("{path}?{search}") };
        paths::login_with_next(&here)
    };

    view! {
        <Stylesheet id="leptos" href="/pkg/secure-routes.css"/>
        <Title text="Secure Routes"/>
        <Router>
            <Nav/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("login") view=LoginPage/>
                    <Route path=path!("register") view=RegisterPage/>
                    <Route path=path!("inspect") view=InspectPage/>
                    <Route path=path!("compare") view=ComparePage/>
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

/// JWT mode: refresh the access token shortly before it expires, for as long as the page is
/// open; the new expiry re-arms the timer. (Session mode needs nothing: the server extends it.)
fn keep_jwt_fresh(ctx: AuthContext) {
    Effect::new(move |_| {
        let Some(viewer) = ctx.current() else { return };
        if viewer.mode != "jwt" {
            return;
        }
        let delay = crate::refresh::refresh_delay_ms(viewer.expires_at * 1000 - crate::refresh::now_ms());
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    crate::refresh::refresh_now().await;
                    // Success or not, re-read the status: a failed refresh means signed out.
                    ctx.reload();
                });
            },
            std::time::Duration::from_millis(delay as u64),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    });
}

//! The document shell, the router and the auth context every page reads.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ProtectedRoute, Route, Router, Routes},
    hooks::use_location,
    path, SsrMode,
};

use crate::{
    api::{current_user, Login, Logout, Register, Viewer},
    components::nav::Nav,
    error::AppError,
    pages::{admin::AdminPage, dashboard::DashboardPage, home::HomePage, login::LoginPage, not_found::NotFound, register::RegisterPage},
    paths,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
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

pub type ViewerResource = Resource<Result<Option<Viewer>, AppError>>;

/// Who is signed in, and the actions that change it.
#[derive(Clone, Copy)]
pub struct AuthContext {
    pub viewer: ViewerResource,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub register: ServerAction<Register>,
}

impl AuthContext {
    /// `None` while loading, then whether someone is signed in.
    pub fn signed_in(&self) -> Option<bool> {
        self.viewer.get().map(|r| matches!(r, Ok(Some(_))))
    }

    pub fn current(&self) -> Option<Viewer> {
        self.viewer.get().and_then(Result::ok).flatten()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let register = ServerAction::<Register>::new();
    // Blocking: the protected routes render in `SsrMode::Async`, so the server knows the answer
    // before it writes a single byte and can answer a real 302 instead of flashing the page.
    // It is read once per page load: login and logout end in a full page load (below).
    let viewer = Resource::new_blocking(|| (), |_| current_user());
    let ctx = AuthContext { viewer, login, logout, register };
    provide_context(ctx);
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
                    <ProtectedRoute
                        path=path!("dashboard")
                        view=DashboardPage
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
        </Router>
    }
}

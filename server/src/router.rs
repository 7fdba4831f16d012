//! Assembles the whole app: JSON API, server functions, SSR pages and static files, all behind
//! the request-auth layer.

use axum::{middleware, Router};
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;

use app::{shell, ssr::AppState, App};

use crate::{api, auth_layer, Settings};

pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(settings.output_name.clone())
        .site_root(settings.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(settings.addr.parse::<std::net::SocketAddr>().unwrap_or_else(|_| ([127, 0, 0, 1], 3000).into()))
        .reload_port(settings.reload_port)
        .build()
}

/// The app's routes, discovered once per process. Discovering them renders the app with a
/// process-global "suppress resource loads" flag set (leptos_server's SuppressResourceLoad), and
/// a resource that first polls while it is set waits forever (leptos-rs/leptos#4773). One
/// server per process never renders during its own discovery, but several servers in one
/// process (the test suites) did: a page in one test hung while another test's server started.
/// All servers wait here for the first discovery, before any of them serves.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(settings: &Settings, auth: auth::AuthService, limits: crate::rate_limit::Limits) -> Router {
    let policy = std::sync::Arc::new(crate::security::Policy {
        public_origin: settings.public_origin.clone(),
        trusted_proxies: settings.trusted_proxies.clone(),
        hsts: settings.public_origin.starts_with("https://"),
    });
    let leptos_options = leptos_options(settings);
    let state = AppState { leptos_options: leptos_options.clone(), auth, modes: settings.modes.clone() };
    let routes = route_list();
    Router::new()
        .merge(api::router())
        .leptos_routes_with_context(&state, routes, || (), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Outermost first on the way in: trace, security checks, rate limits, then auth.
        .layer(middleware::from_fn_with_state(state.clone(), auth_layer::resolve_principal))
        .layer(middleware::from_fn_with_state(limits, crate::rate_limit::enforce))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(crate::security::MAX_BODY_BYTES as usize))
        .layer(middleware::from_fn_with_state(policy, crate::security::guard))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

//! Pages whose code the browser downloads only when it shows them.
//!
//! With `cargo leptos build --split`, each `#[lazy_route]` view below goes into its own wasm
//! chunk, fetched when its route renders (during hydration too: the app hydrates with
//! `hydrate_lazy`, which waits for the chunk). These are the pages that are not on the way to
//! signing in or to the dashboard, with the largest server-function types (the inspector's,
//! the comparison's): keeping them out of the first download is most of what keeps the
//! bundle small (bench/REPORT.md, "Hydrate bundle"). Without `--split` they are ordinary
//! functions.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::{compare::ComparePage, inspect::InspectPage};

pub struct InspectRoute;

#[lazy_route]
impl LazyRoute for InspectRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <InspectPage/> }.into_any()
    }
}

pub struct CompareRoute;

#[lazy_route]
impl LazyRoute for CompareRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <ComparePage/> }.into_any()
    }
}

//! Browser entry point. The server renders whole pages; this hydrates only their islands (the
//! forms, the mode switch, the inspector), whose wasm functions the `app` crate exports.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    app::app::mark_hydrated();
}

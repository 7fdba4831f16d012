//! Browser entry point: hydrates the HTML the server rendered.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the wasm chunk of a lazy page (app::pages::lazy) before hydrating it.
    leptos::mount::hydrate_lazy(app::App);
}

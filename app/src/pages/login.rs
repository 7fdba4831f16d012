use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    app::AuthContext,
    components::field::Field,
    pages::{form_error, general_message},
    paths,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let registered = move || query.with(|q| q.get("registered").is_some());
    let error = form_error(ctx.login);
    let field_error = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    // Still busy after success: the browser is loading the next page.
    let pending = Signal::derive(move || ctx.login.pending().get() || matches!(ctx.login.value().get(), Some(Ok(_))));

    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <p class="mode-note" data-testid="login-mode">
                {move || match ctx.mode().as_deref() {
                    Some("jwt") => view! {
                        "You are signing in with " <strong>"JWTs in HttpOnly cookies"</strong>
                        ": a signed access token the server verifies without a lookup, and a rotating refresh token."
                    }.into_any(),
                    _ => view! {
                        "You are signing in with a " <strong>"server-side session"</strong>
                        ": the server keeps your sign-in and your browser gets only a random id in an HttpOnly cookie."
                    }.into_any(),
                }}
            </p>
            <Show when=registered>
                <p class="notice" role="status">"Registration received. Sign in with your email and password."</p>
            </Show>
            <ActionForm action=ctx.login attr:aria-busy=move || pending.get().to_string()>
                <input type="hidden" name="next" value=next/>
                <Field label="Email" name="email" kind="email" autocomplete="username" error=field_error("email")/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password" error=field_error("password")/>
                <p class="form-error" role="alert" data-testid="form-error">
                    {move || error.get().as_ref().and_then(general_message)}
                </p>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="aside">"No account yet? " <A href=paths::REGISTER>"Register"</A></p>
        </section>
    }
}

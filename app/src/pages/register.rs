use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    app::AuthContext,
    components::field::Field,
    pages::{form_error, general_message},
    paths,
};

#[component]
pub fn RegisterPage() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    let error = form_error(ctx.register);
    let field_error = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    let pending = ctx.register.pending();

    view! {
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <ActionForm action=ctx.register attr:aria-busy=move || pending.get().to_string()>
                <Field label="Email" name="email" kind="email" autocomplete="username" error=field_error("email")/>
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters, and not one of the most common passwords. Long passphrases are welcome; no symbols required."
                    error=field_error("password")
                />
                <p class="form-error" role="alert" data-testid="form-error">
                    {move || error.get().as_ref().and_then(general_message)}
                </p>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="aside">"Already registered? " <A href=paths::LOGIN>"Sign in"</A></p>
        </section>
    }
}

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::components::A;

use crate::{
    api::Register,
    components::field::Field,
    error::AppError,
    form_post::FormPost,
    pages::{field_error, form_error, general_message, url_error},
    paths,
};

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <RegisterForm url_error={url_error::<Register>()}/>
            <p class="aside">"Already registered? " <A href=paths::LOGIN>"Sign in"</A></p>
        </section>
    }
}

#[island]
fn RegisterForm(url_error: Option<AppError>) -> impl IntoView {
    crate::app::island_hydrated();
    let register = FormPost::<()>::new();
    let error = form_error(register, url_error);
    let pending = register.load_page_on_success(|()| Some(format!("{}?registered=1", paths::LOGIN)));

    view! {
        <form method="post" action=Register::PATH on:submit=move |ev| register.submit(ev) aria-busy=move || pending.get().to_string()>
            <Field label="Email" name="email" kind="email" autocomplete="username" error=field_error(error, "email")/>
            <Field
                label="Password"
                name="password"
                kind="password"
                autocomplete="new-password"
                hint="At least 8 characters, and not one of the most common passwords. Long passphrases are welcome; no symbols required."
                error=field_error(error, "password")
            />
            <p class="form-error" role="alert" data-testid="form-error">
                {move || error.get().as_ref().and_then(general_message)}
            </p>
            <button type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Creating account…" } else { "Create account" }}
            </button>
        </form>
    }
}

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::Login,
    app::AuthContext,
    components::field::Field,
    error::AppError,
    form_post::FormPost,
    pages::{field_error, form_error, general_message, url_error},
    paths,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next")).unwrap_or_default();
    let registered = query.with_untracked(|q| q.get("registered").is_some());
    let explanation = match ctx.mode().as_deref() {
        Some("jwt") => view! {
            "You are signing in with " <strong>"JWTs in HttpOnly cookies"</strong>
            ": a signed access token the server verifies without a lookup, and a rotating refresh token."
        }
        .into_any(),
        _ => view! {
            "You are signing in with a " <strong>"server-side session"</strong>
            ": the server keeps your sign-in and your browser gets only a random id in an HttpOnly cookie."
        }
        .into_any(),
    };

    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <p class="mode-note" data-testid="login-mode">{explanation}</p>
            {registered.then(|| view! {
                <p class="notice" role="status">"Registration received. Sign in with your email and password."</p>
            })}
            <LoginForm next url_error={url_error::<Login>()}/>
            <p class="aside">"No account yet? " <A href=paths::REGISTER>"Register"</A></p>
        </section>
    }
}

/// Signs in under the active mode, then loads `next` afresh.
#[island]
fn LoginForm(next: String, url_error: Option<AppError>) -> impl IntoView {
    crate::app::island_hydrated();
    let login = FormPost::<String>::new();
    let error = form_error(login, url_error);
    let pending = login.load_page_on_success(|next| Some(next.clone()));
    view! {
        <form method="post" action=Login::PATH on:submit=move |ev| login.submit(ev) aria-busy=move || pending.get().to_string()>
            <input type="hidden" name="next" value=next/>
            <Field label="Email" name="email" kind="email" autocomplete="username" error=field_error(error, "email")/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" error=field_error(error, "password")/>
            <p class="form-error" role="alert" data-testid="form-error">
                {move || error.get().as_ref().and_then(general_message)}
            </p>
            <button type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
    }
}

use leptos::prelude::*;

use crate::{api::admin_users, app::AuthContext, pages::dashboard::format_unix};

/// Protected and role-gated. The page shows a 403 to a signed-in non-admin, but the real gate is
/// `admin_users` itself, which refuses anyone who is not an admin.
#[component]
pub fn AdminPage() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || ctx.current().map(|v| if v.is_admin() {
                view! { <AdminUsers/> }.into_any()
            } else {
                view! { <Forbidden/> }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(http::StatusCode::FORBIDDEN);
    view! {
        <section class="card narrow" data-testid="forbidden">
            <h1>"403: not for you"</h1>
            <p>"This page is for administrators. You are signed in, but your role does not allow it."</p>
        </section>
    }
}

#[component]
fn AdminUsers() -> impl IntoView {
    let users = Resource::new_blocking(|| (), |_| crate::refresh::with_refresh(admin_users));
    view! {
        <section class="card">
            <h1>"Admin"</h1>
            <Suspense fallback=|| view! { <p>"Loading users…"</p> }>
                {move || users.get().map(|r| match r {
                    Ok(rows) => view! {
                        <table class="table" data-testid="admin-users">
                            <caption>"Users (newest first)"</caption>
                            <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Registered"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|u| view! {
                                    <tr><td>{u.email}</td><td>{u.role}</td><td>{format_unix(u.created_at)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

use crate::{
    api::{admin_users, audit_entries, AdminAct, AUDIT_EVENTS},
    app::AuthContext,
    form_post::FormPost,
    pages::dashboard::format_unix,
    refresh::with_refresh,
};

/// Protected and role-gated. The page shows a 403 to a signed-in non-admin, but the real gate is
/// each admin server function, which refuses anyone who is not an admin.
#[component]
pub fn AdminPage() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    if ctx.current().is_some_and(|v| v.is_admin()) {
        view! { <AdminUsers revocation_check=ctx.revocation_check()/> <AuditLog/> }.into_any()
    } else {
        view! { <Forbidden/> }.into_any()
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

/// The user table and its actions; the table reloads after each action.
#[island]
fn AdminUsers(revocation_check: bool) -> impl IntoView {
    crate::app::island_hydrated();
    let act = FormPost::<String>::new();
    let users = Resource::new_blocking(move || act.version().get(), |_| with_refresh(admin_users));
    let button = move |id: i64, action: &'static str, label: &'static str| {
        view! {
            <form method="post" action=AdminAct::PATH on:submit=move |ev| act.submit(ev) class="inline">
                <input type="hidden" name="user_id" value=id/>
                <input type="hidden" name="action" value=action/>
                <button type="submit" class="button-link" data-testid=format!("{action}-{id}")>{label}</button>
            </form>
        }
    };
    view! {
        <section class="card">
            <h1>"Admin"</h1>
            <p class="aside">
                "What an action reaches: a " <strong>"session"</strong> " sees a role change or a forced logout at its very next request. "
                "A " <strong>"JWT"</strong> " login "
                {if revocation_check {
                    "too, because revocation checking is on (one lookup per request)."
                } else {
                    "keeps its current access token, role included, until it expires; the change lands at its next refresh, because revocation checking is off."
                }}
            </p>
            <p role="status" data-testid="admin-result">{move || act.value().get().map(|r| r.unwrap_or_else(|e| e.to_string()))}</p>
            <Transition fallback=|| view! { <p>"Loading users…"</p> }>
                {move || users.get().map(|r| match r {
                    Ok(rows) => view! {
                        <table class="table" data-testid="admin-users">
                            <caption>"Users (newest first)"</caption>
                            <thead><tr>
                                <th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Sessions"</th>
                                <th scope="col">"JWT logins"</th><th scope="col">"Registered"</th><th scope="col">"Actions"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|u| {
                                    let id = u.id;
                                    view! {
                                        <tr data-email=u.email.clone()>
                                            <td>{u.email.clone()} {u.disabled.then(|| view! { " " <span class="badge badge-admin">"disabled"</span> })}</td>
                                            <td>{u.role.clone()}</td>
                                            <td>{u.sessions}</td>
                                            <td>{u.families}</td>
                                            <td>{format_unix(u.created_at)}</td>
                                            <td class="actions">
                                                {if u.role == "admin" { button(id, "make_user", "Make user") } else { button(id, "make_admin", "Make admin") }}
                                                {if u.disabled { button(id, "enable", "Enable") } else { button(id, "disable", "Disable") }}
                                                {button(id, "force_logout", "Force logout")}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Server-rendered only: the filter is a plain GET form, so each filter is a page load.
#[component]
fn AuditLog() -> impl IntoView {
    let query = use_query_map();
    let filter = move || query.with(|q| (q.get("event").filter(|e| !e.is_empty()), q.get("email").filter(|e| !e.is_empty())));
    let entries = Resource::new_blocking(filter, |(event, email)| with_refresh(move || audit_entries(event.clone(), email.clone())));
    view! {
        <section class="card">
            <h2>"Audit log"</h2>
            <form method="get" action=crate::paths::ADMIN class="filters">
                <label>"Event "
                    <select name="event">
                        <option value="">"any"</option>
                        {AUDIT_EVENTS.iter().map(|e| view! { <option value=*e selected=move || filter().0.as_deref() == Some(*e)>{*e}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Email contains " <input type="search" name="email" value=move || filter().1.unwrap_or_default()/></label>
                <button type="submit">"Filter"</button>
            </form>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || entries.get().map(|r| match r {
                    Ok(rows) => view! {
                        <table class="table" data-testid="audit-log">
                            <thead><tr>
                                <th scope="col">"When (UTC)"</th><th scope="col">"Event"</th><th scope="col">"User"</th>
                                <th scope="col">"Mode"</th><th scope="col">"From"</th><th scope="col">"Detail"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|e| view! {
                                    <tr>
                                        <td>{format_unix(e.at_ms / 1000)}</td>
                                        <td><code>{e.event}</code></td>
                                        <td>{e.email.unwrap_or_default()}</td>
                                        <td>{e.mode.unwrap_or_default()}</td>
                                        <td>{crate::pages::devices::coarse_agent(e.user_agent.as_deref())} " " {e.ip.unwrap_or_default()}</td>
                                        <td>{e.detail.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

//! The signed-in user's devices (sessions and JWT logins) and password.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    api::{my_devices, ChangePassword, DeviceList, RevokeDevice, SignOutOthers},
    app::AuthContext,
    components::field::Field,
    error::AppError,
    form_post::FormPost,
    pages::{dashboard::format_unix, field_error, form_error, general_message, url_error},
    refresh::with_refresh,
};

#[component]
pub fn DevicesPage() -> impl IntoView {
    let revocation_check = expect_context::<AuthContext>().revocation_check();
    view! { <Devices revocation_check password_url_error={url_error::<ChangePassword>()}/> }
}

/// The device list and the password form, one island: a password change ends the other
/// devices, so the list reloads after it.
#[island]
fn Devices(revocation_check: bool, password_url_error: Option<AppError>) -> impl IntoView {
    crate::app::island_hydrated();
    let revoke = FormPost::<()>::new();
    let others = FormPost::<String>::new();
    let password = FormPost::<()>::new();
    let devices = Resource::new_blocking(
        move || (revoke.version().get(), others.version().get(), password.version().get()),
        |_| with_refresh(my_devices),
    );
    let pw_error = form_error(password, password_url_error);

    view! {
        <section class="card">
            <h1>"Your devices"</h1>
            <p class="aside">
                "Every browser or client signed in to your account. A " <strong>"session"</strong>
                " ends the moment you revoke it: the server deletes the record. A " <strong>"JWT login"</strong>
                " stops refreshing at once, but the access token it already issued "
                {if revocation_check {
                    "is refused at once too, because this server checks revocations on every request."
                } else {
                    "stays valid until it expires (a few minutes), because this server runs JWTs purely stateless."
                }}
            </p>
            <Transition fallback=|| view! { <p>"Loading devices…"</p> }>
                {move || devices.get().map(|r| match r {
                    Ok(list) if list.rows.is_empty() => view! { <p>"No active devices."</p> }.into_any(),
                    Ok(DeviceList { rows, total }) => view! {
                        {(total > rows.len()).then(|| view! {
                            <p class="aside" data-testid="devices-truncated">
                                {format!("Showing the {} most recently used of {total} devices. \"Sign out everywhere else\" ends them all.", rows.len())}
                            </p>
                        })}
                        <table class="table" data-testid="devices">
                            <thead><tr>
                                <th scope="col">"Mode"</th><th scope="col">"Id (fingerprint)"</th><th scope="col">"Signed in"</th>
                                <th scope="col">"Last used"</th><th scope="col">"Client"</th><th scope="col"><span class="sr-only">"Action"</span></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|d| {
                                    let short = d.id.chars().take(12).collect::<String>();
                                    let (mode_attr, mode_text, mode_input) = (d.mode.clone(), d.mode.clone(), d.mode);
                                    let client = format!("{} {}", coarse_agent(d.user_agent.as_deref()), d.ip.unwrap_or_default());
                                    view! {
                                        <tr data-mode=mode_attr class:current=d.current>
                                            <td>{mode_text}</td>
                                            <td><code>{short}</code>{d.current.then(|| view! { " " <span class="badge">"this browser"</span> })}</td>
                                            <td>{format_unix(d.created_at)}</td>
                                            <td>{format_unix(d.last_used_at)}</td>
                                            <td>{client}</td>
                                            <td>
                                                <form method="post" action=RevokeDevice::PATH on:submit=move |ev| revoke.submit(ev)>
                                                    <input type="hidden" name="mode" value=mode_input/>
                                                    <input type="hidden" name="id" value=d.id/>
                                                    <button type="submit" class="button-link">"Revoke"</button>
                                                </form>
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
            <form method="post" action=SignOutOthers::PATH on:submit=move |ev| others.submit(ev)>
                <button type="submit" data-testid="sign-out-others" disabled=move || others.pending().get()>"Sign out everywhere else"</button>
            </form>
            <p role="status">{move || others.value().get().map(|r| r.unwrap_or_else(|e| e.to_string()))}</p>
        </section>
        <section class="card narrow">
            <h2>"Change password"</h2>
            <p class="aside">"Changing it signs out every other session and revokes every other JWT login, in both modes."</p>
            <form method="post" action=ChangePassword::PATH on:submit=move |ev| password.submit(ev)>
                <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" error=field_error(pw_error, "current_password")/>
                <Field label="New password" name="new_password" kind="password" autocomplete="new-password" hint="At least 8 characters." error=field_error(pw_error, "new_password")/>
                <p class="form-error" role="alert">{move || pw_error.get().as_ref().and_then(general_message)}</p>
                <button type="submit" disabled=move || password.pending().get()>
                    {move || if password.pending().get() { "Changing…" } else { "Change password" }}
                </button>
                <p role="status" data-testid="password-changed">
                    {move || matches!(password.value().get(), Some(Ok(()))).then_some("Password changed. Other devices are signed out.")}
                </p>
            </form>
        </section>
    }
}

/// "Firefox on Linux" rather than the whole string: enough to recognise a device.
pub fn coarse_agent(ua: Option<&str>) -> String {
    let Some(ua) = ua else { return "unknown client".into() };
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/", "curl/", "reqwest"]
        .iter()
        .find(|b| ua.contains(*b))
        .map_or("Other", |b| match *b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            "Safari/" => "Safari",
            "curl/" => "curl",
            _ => "API client",
        });
    let os = ["Windows", "Android", "iPhone", "Mac OS", "Linux"].iter().find(|o| ua.contains(*o)).copied();
    match os {
        Some(os) => format!("{browser} on {os}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::coarse_agent;

    #[test]
    fn user_agents_are_shown_coarsely() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(coarse_agent(Some(chrome)), "Chrome on Linux");
        assert_eq!(coarse_agent(None), "unknown client");
        assert_eq!(coarse_agent(Some("curl/8.0")), "curl");
    }
}

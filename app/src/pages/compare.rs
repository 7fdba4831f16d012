use leptos::prelude::*;

use crate::{
    api::{compare, probe_revocation, Comparison, ProbeResult},
    app::AuthContext,
    refresh::with_refresh,
};

fn duration(secs: i64) -> String {
    match secs {
        s if s % 3600 == 0 && s >= 3600 => format!("{} h", s / 3600),
        s if s % 60 == 0 && s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// Sessions and JWTs side by side, with the numbers measured on this server now.
#[component]
pub fn ComparePage() -> impl IntoView {
    let signed_in_as = expect_context::<AuthContext>().current().map(|v| v.mode);
    view! { <Measurements signed_in_as/> }
}

/// The table and the probe, one island: the table is measured again after a probe.
#[island]
fn Measurements(
    /// The mode this browser is signed in under, if any.
    signed_in_as: Option<String>,
) -> impl IntoView {
    crate::app::island_hydrated();
    let probe = Action::new_local(|_: &()| with_refresh(probe_revocation));
    let data = Resource::new(move || probe.version().get(), |_| compare());
    // The probe signs this browser out everywhere. Load the page again afterwards, so that all of
    // it (the bar at the top too) shows what the server says now; the answer survives the reload.
    let carried = RwSignal::new(None::<String>);
    Effect::new(move |_| carried.set(take_probe_note()));
    Effect::new(move |_| {
        if let Some(Ok(p)) = probe.value().get() {
            keep_probe_note(&describe_probe(&p));
            crate::app::reload_page();
        }
    });
    let signed_in = move || signed_in_as.clone().filter(|_| !matches!(probe.value().get(), Some(Ok(_))));
    view! {
        <section class="card">
            <h1>"Sessions vs JWTs, measured"</h1>
            <p class="aside">"Every number below was measured on this running server just now, not copied from a blog post."</p>
            <Transition fallback=|| view! { <p>"Measuring…"</p> }>
                {move || data.get().map(|r| match r {
                    Ok(c) => view! { <ComparisonTable c=c/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
        <section class="card">
            <h2>"Revocation latency"</h2>
            <p class="aside">
                "Signs you out everywhere (this browser too), then presents the credential this browser just used, "
                "as its next request would, and times the answer."
            </p>
            {move || match signed_in() {
                Some(mode) => view! {
                    <button type="button" data-testid="probe" on:click=move |_| { probe.dispatch(()); } disabled=move || probe.pending().get()>
                        {move || if probe.pending().get() { "Signing out and retrying…".to_owned() } else { format!("Sign me out everywhere, then try the old {mode} credential") }}
                    </button>
                }.into_any(),
                None if carried.get().is_some() => view! { <p>"This browser is signed out now, everywhere."</p> }.into_any(),
                None => view! { <p>"Sign in (under either mode) to run it."</p> }.into_any(),
            }}
            <p role="status" data-testid="probe-result">
                {move || probe.value().get().map(|r| match r {
                    Ok(p) => describe_probe(&p),
                    Err(e) => e.to_string(),
                }).or_else(|| carried.get())}
            </p>
        </section>
    }
}

/// The probe's answer, kept in this tab's sessionStorage across the reload that follows it, with
/// the time it was kept: a note that the reload never picked up (the tab went elsewhere first)
/// must not turn up on a later visit.
const PROBE_NOTE: &str = "secure-routes.probe";
const PROBE_NOTE_MAX_AGE_MS: i64 = 10_000;

fn keep_probe_note(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = window().session_storage().ok().flatten() {
        let _ = s.set_item(PROBE_NOTE, &format!("{}|{text}", crate::refresh::now_ms()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, PROBE_NOTE, PROBE_NOTE_MAX_AGE_MS);
}

/// The note left before the reload, once.
fn take_probe_note() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let s = window().session_storage().ok().flatten()?;
        let note = s.get_item(PROBE_NOTE).ok().flatten();
        let _ = s.remove_item(PROBE_NOTE);
        let (kept_at, text) = note?.split_once('|').map(|(t, text)| (t.parse::<i64>().ok(), text.to_owned()))?;
        (crate::refresh::now_ms() - kept_at? < PROBE_NOTE_MAX_AGE_MS).then_some(text)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

pub fn describe_probe(p: &ProbeResult) -> String {
    let how = match (p.mode.as_str(), p.revocation_check) {
        ("session", _) => "Session mode".to_owned(),
        (_, true) => "JWT mode, revocation checking on".to_owned(),
        (_, false) => "JWT mode, revocation checking off".to_owned(),
    };
    if p.still_valid {
        let left = p.remaining_validity_secs.unwrap_or(0);
        format!("{how}: the old credential is STILL VALID after signing out everywhere, for another {left} s (until exp). Measured in {} µs.", p.measured_micros)
    } else {
        format!("{how}: the old credential was refused immediately ({} µs after the sign-out).", p.measured_micros)
    }
}

#[component]
fn ComparisonTable(c: Comparison) -> impl IntoView {
    let jwt_logout = if c.revocation_check {
        "revokes the login's refresh family; the access token is refused at once (revocation checking is on)".to_owned()
    } else {
        format!("revokes the login's refresh family; the access token in flight stays valid until exp (at most {})", duration(c.access_ttl_secs))
    };
    let jwt_per_request = if c.revocation_check {
        format!("signature check {} µs + revocation lookup {} µs", c.jwt_verify_micros, c.revocation_lookup_micros)
    } else {
        format!("signature check {} µs, no lookup", c.jwt_verify_micros)
    };
    let access_note = if c.access_cookie_measured { "this browser's" } else { "a freshly signed sample" };
    view! {
        <table class="table compare" data-testid="compare-table">
            <thead><tr><th scope="col"></th><th scope="col">"Server-side session"</th><th scope="col">"JWT in HttpOnly cookies"</th></tr></thead>
            <tbody>
                <tr>
                    <th scope="row">"Where the auth state lives"</th>
                    <td>"On the server: a record in the session store (SQLite). The cookie is only a key."</td>
                    <td>"In the browser: the signed token carries who you are. The server keeps signing keys and one refresh family per login."</td>
                </tr>
                <tr>
                    <th scope="row">"Credential size in the browser"</th>
                    <td data-testid="session-cookie-bytes">{format!("__Host-sid: {} bytes", c.session_cookie_bytes)}</td>
                    <td data-testid="access-cookie-bytes">{format!("__Host-access: {} bytes ({access_note}); __Secure-refresh: {} bytes", c.access_cookie_bytes, c.refresh_cookie_bytes)}</td>
                </tr>
                <tr>
                    <th scope="row">"What the server keeps per signed-in user"</th>
                    <td>{format!("one session record, {} bytes on average ({} records now)", c.session_avg_record_bytes, c.session_records)}</td>
                    <td>{format!("one family row plus one row per refresh token, {} bytes per token on average ({} live families, {} tokens now); {} signing key(s) shared by everyone", c.refresh_avg_token_bytes, c.live_families, c.refresh_tokens, c.signing_keys)}</td>
                </tr>
                <tr>
                    <th scope="row">"Work per request (median, measured now)"</th>
                    <td data-testid="session-cost">{format!("one store read: {} µs", c.session_lookup_micros)}</td>
                    <td data-testid="jwt-cost">{jwt_per_request}</td>
                </tr>
                <tr>
                    <th scope="row">"How the credential travels"</th>
                    <td>"A cookie on every request to this site (SameSite=Lax)."</td>
                    <td>"The access cookie on every request (SameSite=Lax); the refresh cookie only to /api/auth (SameSite=Strict). API clients send Authorization: Bearer."</td>
                </tr>
                <tr>
                    <th scope="row">"Logout"</th>
                    <td>"deletes the record: the id is dead everywhere at once"</td>
                    <td data-testid="jwt-logout">{jwt_logout.clone()}</td>
                </tr>
                <tr>
                    <th scope="row">"Force logout (admin), revoke a device"</th>
                    <td>"deletes the records: the next request is refused"</td>
                    <td>{jwt_logout}</td>
                </tr>
                <tr>
                    <th scope="row">"Expiry"</th>
                    <td>{format!("idle {}, absolute {}, enforced by the server", duration(c.session_idle_secs), duration(c.session_absolute_secs))}</td>
                    <td>{format!("access token {}; refresh family idle {}, absolute {}", duration(c.access_ttl_secs), duration(c.refresh_idle_secs), duration(c.refresh_absolute_secs))}</td>
                </tr>
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_results_say_what_happened() {
        let p = ProbeResult { mode: "jwt".into(), revocation_check: false, still_valid: true, measured_micros: 80, remaining_validity_secs: Some(299) };
        assert!(describe_probe(&p).contains("STILL VALID") && describe_probe(&p).contains("299 s"));
        let p = ProbeResult { mode: "session".into(), revocation_check: true, still_valid: false, measured_micros: 80, remaining_validity_secs: None };
        assert!(describe_probe(&p).starts_with("Session mode: the old credential was refused immediately"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(8 * 3600), "8 h");
        assert_eq!(duration(1800), "30 min");
        assert_eq!(duration(8), "8 s");
    }
}

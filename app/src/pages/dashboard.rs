use leptos::prelude::*;

use crate::{api::whoami, app::AuthContext, refresh::with_refresh};

/// Protected: reached only through `ProtectedRoute`, and shows only what the server resolved
/// for this request's principal.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let ctx = expect_context::<AuthContext>();
    let revocation_check = ctx.revocation_check();
    view! {
        <section class="card">
            <h1>"Dashboard"</h1>
            {ctx.current().map(|v| view! {
                <p data-testid="dashboard-welcome">"Signed in as " <strong>{v.email.clone()}</strong> "."</p>
                <dl class="facts">
                    <dt>"Role"</dt><dd>{v.role.clone()}</dd>
                    <dt>"Authenticated by"</dt><dd>{v.mode.clone()}</dd>
                    <dt>"Credential valid until (unless used)"</dt>
                    <dd><time data-unix=v.expires_at>{format_unix(v.expires_at)}</time></dd>
                    {(v.mode == "jwt").then(|| view! {
                        <dt>"Revocation checking"</dt>
                        <dd data-testid="revocation-check">
                            {if revocation_check {
                                "on: every request checks that this login was not revoked (one lookup)"
                            } else {
                                "off: purely stateless; a token stays valid until it expires, even after logout"
                            }}
                        </dd>
                    })}
                </dl>
            })}
            <WhoAmI/>
        </section>
    }
}

/// A protected server function called from the browser: it checks the credential itself.
#[island]
fn WhoAmI() -> impl IntoView {
    crate::app::island_hydrated();
    let check = Action::new_local(|_: &()| with_refresh(whoami));
    view! {
        <p>
            <button type="button" data-testid="whoami" on:click=move |_| { check.dispatch(()); } disabled=move || check.pending().get()>
                {move || if check.pending().get() { "Asking the server…" } else { "Call a protected server function" }}
            </button>
        </p>
        <p role="status" data-testid="whoami-result">
            {move || check.value().get().map(|r| match r {
                Ok(msg) => msg,
                Err(e) => e.to_string(),
            })}
        </p>
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC`, computed by hand so the wasm bundle needs no date library.
pub fn format_unix(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(super::format_unix(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::format_unix(1_796_083_200), "2026-12-01 00:00:00 UTC");
        assert_eq!(super::format_unix(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}

//! The flow inspector: what this browser holds, what the server keeps for it, and how the
//! server verified this very request, refreshed live while it is on screen.

use leptos::prelude::*;

use crate::{
    api::{inspect, CookieRow, Inspection, TimelineEvent},
    pages::dashboard::format_unix,
    paths,
};

/// How often the inspector asks the server again while it is shown.
const POLL_MS: u64 = 2_000;
/// Local "request verified" observations kept beside the server's audit events.
const LOCAL_EVENTS: usize = 5;

/// The full-page inspector (`/inspect`).
#[island]
pub fn InspectorIsland() -> impl IntoView {
    crate::app::island_hydrated();
    view! { <Inspector/> }
}

/// Used by the two islands above and below, never as an island itself: the islands script
/// would hydrate an island nested in another one twice.
#[component]
fn Inspector() -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let data = Resource::new(move || tick.get(), |_| inspect());
    // Browser-only state, `None` until hydrated, so the server's HTML and the first client
    // render agree.
    let now_ms = RwSignal::new(None::<i64>);
    let js_cookies = RwSignal::new(None::<String>);
    let local = RwSignal::new(Vec::<TimelineEvent>::new());

    Effect::new(move |_| {
        let poll = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(POLL_MS));
        let clock = set_interval_with_handle(move || now_ms.set(Some(crate::refresh::now_ms())), std::time::Duration::from_millis(500));
        now_ms.set(Some(crate::refresh::now_ms()));
        on_cleanup(move || {
            for h in [poll, clock].into_iter().flatten() {
                h.clear();
            }
        });
    });
    // Each answer: read what JavaScript can see, and note how the server verified the poll.
    Effect::new(move |_| {
        let Some(Ok(i)) = data.get() else { return };
        js_cookies.set(Some(document_cookie()));
        let seen = TimelineEvent {
            at_ms: i.server_now_ms,
            event: "request_verified".into(),
            mode: Some(i.mode.clone()),
            detail: Some(format!("{} ({} µs)", i.verified_how, i.resolve_micros)),
        };
        local.update(|v| {
            v.retain(|e| e.detail.as_deref().map(strip_timing) != seen.detail.as_deref().map(strip_timing));
            v.insert(0, seen);
            v.truncate(LOCAL_EVENTS);
        });
    });

    view! {
        <div class="inspector" data-testid="inspector" aria-live="polite">
            <Transition fallback=|| view! { <p>"Asking the server…"</p> }>
                {move || data.get().map(|r| match r {
                    Ok(i) => view! { <InspectionView i=i now_ms=now_ms js_cookies=js_cookies local=local/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

fn strip_timing(s: &str) -> &str {
    s.rsplit_once(" (").map_or(s, |(head, _)| head)
}

fn document_cookie() -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        document().dyn_into::<web_sys::HtmlDocument>().ok().and_then(|d| d.cookie().ok()).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

fn yes_no(v: bool) -> &'static str {
    if v {
        "yes"
    } else {
        "no"
    }
}

#[component]
fn InspectionView(
    i: Inspection,
    now_ms: RwSignal<Option<i64>>,
    js_cookies: RwSignal<Option<String>>,
    local: RwSignal<Vec<TimelineEvent>>,
) -> impl IntoView {
    let server_now = i.server_now_ms;
    let now = move || now_ms.get().unwrap_or(server_now);
    let credentials: Vec<CookieRow> = i.cookies.iter().filter(|c| c.credential).cloned().collect();
    let events = i.timeline.clone();
    let timeline = move || {
        let mut all = local.get();
        all.extend(events.iter().cloned());
        all.sort_by(|a, b| b.at_ms.cmp(&a.at_ms));
        all
    };
    view! {
        <p data-testid="inspector-summary">
            "Active mode: " <strong data-testid="inspector-mode">{i.mode.clone()}</strong> ". "
            {match &i.signed_in_as {
                Some(e) => format!("Signed in as {e}. "),
                None => "Not signed in under this mode. ".to_owned(),
            }}
            "This request: " <span data-testid="verified-how">{i.verified_how.clone()}</span>
            {format!(" — {} µs in the request-auth layer.", i.resolve_micros)}
            {(i.mode == "jwt").then(|| format!(" Revocation checking is {}.", if i.revocation_check { "on" } else { "off" }))}
        </p>

        <div class="inspector-cookies">
            <table class="table" data-testid="server-cookies">
                <caption>"Cookies the server sets, with their attributes, and whether this request carried them"</caption>
                <thead><tr>
                    <th scope="col">"Cookie"</th><th scope="col">"HttpOnly"</th><th scope="col">"Secure"</th>
                    <th scope="col">"SameSite"</th><th scope="col">"Path"</th><th scope="col">"Lifetime"</th><th scope="col">"Sent now"</th>
                </tr></thead>
                <tbody>
                    {i.cookies.into_iter().map(|c| view! {
                        <tr data-cookie=c.name.clone()>
                            <td><code>{c.name.clone()}</code><br/><span class="aside">{c.purpose.clone()}</span></td>
                            <td>{yes_no(c.http_only)}</td>
                            <td>{yes_no(c.secure)}</td>
                            <td>{c.same_site.clone()}</td>
                            <td><code>{c.path.clone()}</code></td>
                            <td>{c.lifetime.clone()}</td>
                            <td>{match c.sent_bytes {
                                Some(b) => format!("yes, {b} bytes"),
                                None if c.path != "/" => format!("not to this URL (only {})", c.path),
                                None => "no".to_owned(),
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="js-view">
                <h3>"What page JavaScript can read"</h3>
                <p class="aside">"document.cookie, read in your browser:"</p>
                <pre data-testid="js-cookies">{move || match js_cookies.get() {
                    None => "(read after the page loads)".to_owned(),
                    Some(s) if s.is_empty() => "\"\" (empty)".to_owned(),
                    Some(s) => s,
                }}</pre>
                <ul data-testid="js-credentials">
                    {credentials.into_iter().map(|c| {
                        let name = c.name.clone();
                        let shown = move || js_cookies.get().map(|s| s.split(';').any(|p| p.trim().starts_with(&format!("{name}="))));
                        view! {
                            <li>
                                <code>{c.name.clone()}</code> ": "
                                {move || match shown() {
                                    None => "…",
                                    Some(false) => "absent: HttpOnly keeps it from scripts",
                                    Some(true) => "VISIBLE to scripts",
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </div>

        {i.session.map(|s| view! {
            <h3>"The session record, as the server stores it"</h3>
            <dl class="facts" data-testid="session-record">
                <dt>"Session id"</dt><dd>"fingerprint " <code>{s.fingerprint}</code> " (the id itself is never shown)"</dd>
                <dt>"Store"</dt><dd>{s.backend}</dd>
                <dt>"Signed in"</dt><dd>{format_unix(s.created_at)}</dd>
                <dt>"Last seen"</dt><dd>{format_unix(s.last_seen)}</dd>
                <dt>"Idle expiry"</dt><dd>{format_unix(s.idle_expires_at)}</dd>
                <dt>"Absolute expiry"</dt><dd>{format_unix(s.absolute_expires_at)}</dd>
                <dt>"Record size"</dt><dd>{s.record_bytes.map_or("unknown".to_owned(), |b| format!("{b} bytes"))}</dd>
                <dt>"Store lookup"</dt><dd>{format!("{} µs for one read of this record", s.lookup_micros)}</dd>
            </dl>
        })}

        {i.token.map(|t| {
            let exp_ms = t.exp * 1000;
            view! {
                <h3>"The access token (decoded; verified by signature)"</h3>
                <dl class="facts" data-testid="token-record">
                    <dt>"Algorithm"</dt><dd><code>{t.alg}</code></dd>
                    <dt>"Key id"</dt><dd><code>{t.kid}</code></dd>
                    <dt>"Expires"</dt>
                    <dd data-testid="jwt-countdown">{move || {
                        let left = (exp_ms - now()) / 1000;
                        if left > 0 { format!("in {left} s ({})", format_unix(exp_ms / 1000)) } else { "expired: the app refreshes it".to_owned() }
                    }}</dd>
                    <dt>"Verification"</dt>
                    <dd>{format!("verified by signature, no store lookup: {} µs", t.verify_micros)}</dd>
                </dl>
                <div class="grid">
                    <div><h4>"Header"</h4><pre data-testid="jwt-header">{t.header}</pre></div>
                    <div><h4>"Claims"</h4><pre data-testid="jwt-claims">{t.claims}</pre></div>
                </div>
                <h4>"Refresh family (this login), oldest first"</h4>
                <ol class="chain" data-testid="refresh-chain">
                    {t.chain.into_iter().map(|l| {
                        let state = l.state.clone();
                        view! {
                            <li data-state=state.clone()>
                                <code>{l.fingerprint}</code> " "
                                <span class=format!("badge state-{state}")>{state.clone()}</span>
                                {format!(" issued {}", format_unix(l.created_at_ms / 1000))}
                                {l.used_at_ms.map(|u| format!(", rotated {}", format_unix(u / 1000)))}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
        })}

        <h3>"Timeline"</h3>
        <ol class="timeline" data-testid="timeline">
            {move || timeline().into_iter().map(|e| view! {
                <li data-event=e.event.clone()>
                    <time>{format_unix(e.at_ms / 1000)}</time> " "
                    <strong>{e.event.replace('_', " ")}</strong>
                    {e.mode.map(|m| format!(" [{m}]"))}
                    {e.detail.map(|d| format!(": {d}"))}
                </li>
            }).collect_view()}
        </ol>
    }
}

/// A collapsed inspector on every page; it asks the server only while open.
#[island]
pub fn InspectorPanel() -> impl IntoView {
    crate::app::island_hydrated();
    let open = RwSignal::new(false);
    view! {
        <aside class="inspector-panel" aria-label="Flow inspector">
            <details on:toggle=move |_| open.update(|o| *o = !*o)>
                <summary data-testid="inspector-toggle">"Flow inspector"</summary>
                {move || open.get().then(|| view! {
                    <Inspector/>
                    <p><a href=paths::INSPECT>"Open the full inspector"</a></p>
                })}
            </details>
        </aside>
    }
}

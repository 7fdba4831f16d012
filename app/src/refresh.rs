//! JWT mode in the browser: keeping the access token fresh without ever seeing it.
//!
//! The tokens are HttpOnly, so the app only knows when the current one expires (from the
//! server) and asks `/api/auth/refresh` for a new pair shortly before. If a call still meets an
//! expired token (a laptop woke up, a timer was throttled), `with_refresh` refreshes once and
//! retries. Full page loads are covered on the server (a detour through the refresh endpoint).

use std::future::Future;

use crate::error::AppError;

/// Asks the server to rotate the refresh cookie; true when a new pair was set.
pub async fn refresh_now() -> bool {
    #[cfg(feature = "hydrate")]
    {
        // The browser is single-threaded; the wrapper only satisfies resources' `Send` bound.
        send_wrapper::SendWrapper::new(async {
            use wasm_bindgen::JsCast;
            let opts = web_sys::RequestInit::new();
            opts.set_method("POST");
            opts.set_credentials(web_sys::RequestCredentials::SameOrigin);
            let Some(window) = web_sys::window() else { return false };
            let promise = window.fetch_with_str_and_init(crate::paths::REFRESH, &opts);
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(v) => v.dyn_into::<web_sys::Response>().map(|r| r.ok()).unwrap_or(false),
                Err(_) => false,
            }
        })
        .await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Runs a server function; on `Unauthorized` in the browser, refreshes once and retries.
pub async fn with_refresh<T, F, Fut>(call: F) -> Result<T, AppError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    match call().await {
        Err(AppError::Unauthorized) if cfg!(feature = "hydrate") => {
            if refresh_now().await {
                call().await
            } else {
                Err(AppError::Unauthorized)
            }
        }
        other => other,
    }
}

/// When to refresh a token that expires in `left_ms`: a fifth of its remaining life early (at
/// most 30 s), and never sooner than in a second.
pub fn refresh_delay_ms(left_ms: i64) -> i64 {
    (left_ms - (left_ms / 5).min(30_000)).max(1_000)
}

/// Milliseconds since the epoch, in the browser (0 on the server, where nothing is scheduled).
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_delay_ms;

    #[test]
    fn refreshes_are_scheduled_before_expiry() {
        assert_eq!(refresh_delay_ms(300_000), 270_000);
        assert_eq!(refresh_delay_ms(10_000), 8_000);
        assert_eq!(refresh_delay_ms(500), 1_000);
        assert_eq!(refresh_delay_ms(-5_000), 1_000);
    }
}

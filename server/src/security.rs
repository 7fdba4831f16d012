//! Defences that apply to every request before any auth work: cross-origin request refusal
//! (CSRF), header size limits, the client address behind trusted proxies, and the security
//! headers of every response. See docs/SECURITY.md for what each defends against.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::error::ApiError;

/// All request headers together; far above what a browser sends to this app.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Any request body (server-function forms included; the JSON API allows less). Bodies that
/// announce more are refused before a byte of them is read; longer unannounced bodies are cut
/// off by the body-limit layer in the router.
pub const MAX_BODY_BYTES: u64 = 64 * 1024;

/// What the security layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `scheme://host[:port]` as browsers address this server.
    pub public_origin: String,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Send `Strict-Transport-Security` (the public origin is https).
    pub hsts: bool,
}

pub use auth::ClientIp;

/// The address a request came from: the peer, or, when the peer is a trusted proxy, the
/// nearest address in `X-Forwarded-For` that is not one of ours. Put in the request (as
/// `ClientIp`) for the rate limits, the devices list and the audit log.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        // Anyone can write X-Forwarded-For; only our own proxies are believed.
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer)
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
}

/// Why a state-changing request is refused as cross-origin, if it is.
///
/// Browsers say where a request comes from: `Sec-Fetch-Site` (all current browsers), else
/// `Origin`, else `Referer`. A request with none of them is not from a browser page (curl, a
/// mobile app, a service) and carries no ambient credential a page could abuse, so it passes.
/// A Bearer-token API request carries its credential explicitly: no page can make a browser
/// attach it, so it passes too.
pub fn cross_origin_refusal(method: &Method, path: &str, headers: &HeaderMap, public_origin: &str) -> Option<&'static str> {
    if !is_state_changing(method) || (path.starts_with("/api/") && has_bearer(headers)) {
        return None;
    }
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return match site {
            // `none`: the user did it (typed, bookmarked), no page did.
            "same-origin" | "none" => None,
            _ => Some("the request came from another site (Sec-Fetch-Site)"),
        };
    }
    if let Some(origin) = get(header::ORIGIN.as_str()) {
        return (origin != public_origin).then_some("the request's Origin is not this site");
    }
    if let Some(referer) = get(header::REFERER.as_str()) {
        let same = referer.strip_prefix(public_origin).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        return (!same).then_some("the request's Referer is not this site");
    }
    None
}

/// Refuses oversize headers and bodies and cross-origin state changes, resolves the client address, and
/// sets the security headers on every response.
pub async fn guard(State(policy): State<std::sync::Arc<Policy>>, mut req: Request, next: Next) -> Response {
    let header_bytes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let mut res = if header_bytes > MAX_HEADER_BYTES {
        ApiError::HeadersTooLarge.into_response()
    } else if announced.is_some_and(|n| n > MAX_BODY_BYTES) {
        ApiError::PayloadTooLarge.into_response()
    } else if let Some(why) = cross_origin_refusal(req.method(), req.uri().path(), req.headers(), &policy.public_origin) {
        tracing::info!(path = req.uri().path(), why, "cross-origin request refused");
        ApiError::Forbidden { code: "cross_origin", message: format!("Refused: {why}.") }.into_response()
    } else {
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        if let Some(peer) = peer {
            let ip = client_ip(peer, req.headers(), &policy.trusted_proxies);
            req.extensions_mut().insert(ClientIp(ip));
        }
        next.run(req).await
    };
    set_security_headers(res.headers_mut(), policy.hsts);
    res
}

fn set_security_headers(h: &mut HeaderMap, hsts: bool) {
    // Pages set their own policy with a per-response nonce (app::shell); anything else (JSON,
    // assets, errors) needs no content at all when opened as a document.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    // The answer to a state-changing request depends on these (a refusal or not).
    h.append(header::VARY, HeaderValue::from_static("Origin, Sec-Fetch-Site"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    const ORIGIN: &str = "https://app.example";

    #[test]
    fn cross_site_posts_are_refused_by_fetch_metadata_then_origin_then_referer() {
        let post = Method::POST;
        let refused = |pairs: &[(&'static str, &'static str)]| cross_origin_refusal(&post, "/api/auth/login", &headers(pairs), ORIGIN).is_some();
        assert!(refused(&[("sec-fetch-site", "cross-site")]));
        assert!(refused(&[("sec-fetch-site", "same-site")]));
        assert!(!refused(&[("sec-fetch-site", "same-origin"), ("origin", "https://evil.example")]));
        assert!(refused(&[("origin", "https://evil.example")]));
        assert!(refused(&[("origin", "https://app.example.evil.example")]));
        assert!(refused(&[("origin", "null")]));
        assert!(!refused(&[("origin", ORIGIN)]));
        assert!(refused(&[("referer", "https://evil.example/app.example")]));
        assert!(refused(&[("referer", "https://app.example.evil/")]));
        assert!(!refused(&[("referer", "https://app.example/login")]));
        assert!(!refused(&[]), "no browser headers: not a browser page");
    }

    #[test]
    fn safe_methods_and_bearer_api_calls_pass() {
        let evil = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(cross_origin_refusal(&Method::GET, "/dashboard", &evil, ORIGIN).is_none());
        let bearer = headers(&[("sec-fetch-site", "cross-site"), ("authorization", "Bearer abc")]);
        assert!(cross_origin_refusal(&Method::POST, "/api/me", &bearer, ORIGIN).is_none());
        // A server function is not the bearer API.
        assert!(cross_origin_refusal(&Method::POST, "/sf/login", &bearer, ORIGIN).is_some());
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4")]);
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(client_ip(peer, &spoofed, &[]), peer);
        assert_eq!(client_ip(proxy, &spoofed, &[proxy]), "1.2.3.4".parse::<IpAddr>().unwrap());
        // The client may prepend anything; the proxy appends the address it saw, the last one.
        let chain = headers(&[("x-forwarded-for", "9.9.9.9, 5.6.7.8")]);
        assert_eq!(client_ip(proxy, &chain, &[proxy]), "5.6.7.8".parse::<IpAddr>().unwrap());
    }
}

//! A `Cookie` header as any client may send it: finding our cookies in it and parsing the
//! session id and refresh token out of them must never panic, and only well-formed values parse.
#![no_main]

use auth::{cookies, refresh::RefreshToken, SessionToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    for name in [cookies::SESSION_COOKIE, cookies::ACCESS_COOKIE, cookies::REFRESH_COOKIE, cookies::MODE_COOKIE] {
        if let Some(value) = cookies::find(header, name) {
            assert!(header.contains(value));
            if let Some(t) = SessionToken::parse(value) {
                assert!(t.expose().len() <= SessionToken::MAX_LEN);
            }
            let _ = RefreshToken::parse(value);
        }
    }
    let _ = SessionToken::parse(header);
    let _ = RefreshToken::parse(header);
});

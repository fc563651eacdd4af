//! The password hash (R11): Argon2id at OWASP's parameters or stronger. The functions here are
//! CPU-bound and blocking; the `PasswordHasher` port lets the server run them on a bounded
//! pool off the async workers, and lets tests use cheaper parameters.

use crate::credentials::Password;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Argon2id parameters; never below OWASP's m=19456 KiB, t=2, p=1 in production.
#[derive(Debug, Clone, Copy)]
pub struct HashParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl HashParams {
    pub const OWASP: HashParams = HashParams { m_kib: 19_456, t: 2, p: 1 };

    fn argon2(self) -> Argon2<'static> {
        let params = Params::new(self.m_kib, self.t, self.p, None).expect("valid argon2 parameters");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// A PHC string `$argon2id$v=19$m=…` for the password.
    pub fn hash(self, password: &Password) -> String {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.expose().as_bytes(), &salt)
            .expect("argon2 hashing with valid parameters")
            .to_string()
    }

    /// Verifies with the parameters recorded in the hash itself.
    pub fn verify(password: &Password, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }
}

/// The hashing capacity is used up and its queue full: the request is refused at once
/// (admission control) instead of waiting without bound, so the rest of the service stays fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after_secs: i64,
}

impl From<Busy> for crate::error::Error {
    fn from(b: Busy) -> Self {
        crate::error::Error::Busy { retry_after_secs: b.retry_after_secs }
    }
}

/// The port: hashing and verifying, wherever the server chooses to run them.
#[async_trait::async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: Password) -> Result<String, Busy>;
    async fn verify(&self, password: Password, phc: String) -> Result<bool, Busy>;
    /// The work of a verification without a stored hash, so an unknown username costs the
    /// same time as a wrong password (R13).
    async fn verify_dummy(&self, password: Password) -> Result<(), Busy>;
}

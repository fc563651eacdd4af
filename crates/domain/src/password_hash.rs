//! The password hash (R11): Argon2id at OWASP's parameters or stronger. The functions here are
//! CPU-bound and blocking; the `PasswordHasher` port lets the server run them on a bounded
//! pool off the async workers, and lets tests use cheaper parameters.

use crate::credentials::Password;
use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Argon2id parameters; never below OWASP's m=19456 KiB, t=2, p=1 in production.
#[derive(Debug, Clone, Copy)]
pub struct HashParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

/// Argon2's working memory (a 1 KiB block per KiB of `m`), kept by a hashing thread from one
/// hash to the next. Letting the crate allocate it per hash left a freed 19 MiB block in
/// every allocator arena a hashing thread ever used: hundreds of MiB after a login flood.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, m_kib: u32) -> &mut [Block] {
        let n = m_kib as usize;
        if self.0.len() < n {
            self.0.resize(n, Block::default());
        }
        &mut self.0[..n]
    }
}

/// The raw Argon2 output for `password` and `salt` with `params`, computed in `memory`.
fn compute(
    memory: &mut Memory,
    (algorithm, version, params): (Algorithm, Version, Params),
    password: &[u8],
    salt: Salt<'_>,
    output_len: usize,
) -> argon2::password_hash::Result<Output> {
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    let blocks = memory.blocks(params.m_cost());
    let argon2 = Argon2::new(algorithm, version, params);
    Output::init_with(output_len, |out| Ok(argon2.hash_password_into_with_memory(password, salt, out, &mut *blocks)?))
}

impl HashParams {
    pub const OWASP: HashParams = HashParams { m_kib: 19_456, t: 2, p: 1 };

    /// A PHC string `$argon2id$v=19$m=…` for the password.
    pub fn hash(self, password: &Password) -> String {
        self.hash_in(&mut Memory::default(), password)
    }

    /// `hash`, in a hashing thread's memory.
    pub fn hash_in(self, memory: &mut Memory, password: &Password) -> String {
        let params = Params::new(self.m_kib, self.t, self.p, None).expect("valid argon2 parameters");
        let salt = SaltString::generate(&mut OsRng);
        let hashed = (|| {
            let output = compute(
                memory,
                (Algorithm::Argon2id, Version::V0x13, params.clone()),
                password.expose().as_bytes(),
                salt.as_salt(),
                Params::DEFAULT_OUTPUT_LEN,
            )?;
            Ok::<_, argon2::password_hash::Error>(
                PasswordHash {
                    algorithm: Algorithm::Argon2id.ident(),
                    version: Some(Version::V0x13.into()),
                    params: ParamsString::try_from(&params)?,
                    salt: Some(salt.as_salt()),
                    hash: Some(output),
                }
                .to_string(),
            )
        })();
        hashed.expect("argon2 hashing with valid parameters")
    }

    /// Verifies with the parameters recorded in the hash itself.
    pub fn verify(password: &Password, phc: &str) -> bool {
        Self::verify_in(&mut Memory::default(), password, phc)
    }

    /// `verify`, in a hashing thread's memory.
    pub fn verify_in(memory: &mut Memory, password: &Password, phc: &str) -> bool {
        let mut check = || -> argon2::password_hash::Result<bool> {
            let parsed = PasswordHash::new(phc)?;
            let algorithm = Algorithm::try_from(parsed.algorithm)?;
            let version = parsed.version.map(Version::try_from).transpose()?.unwrap_or_default();
            let params = Params::try_from(&parsed)?;
            let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return Ok(false) };
            let computed =
                compute(memory, (algorithm, version, params), password.expose().as_bytes(), salt, expected.len())?;
            // `Output`'s equality takes the same time wherever the outputs differ.
            Ok(computed == expected)
        };
        check().unwrap_or(false)
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

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher as _;

    const SMALL: HashParams = HashParams { m_kib: 1024, t: 2, p: 1 };

    #[test]
    fn r11_hashes_made_in_reused_memory_verify_and_match_the_crates_own() {
        let right = Password::for_login("a long enough pass phrase");
        let wrong = Password::for_login("a long enough pass phrase!");
        let mut memory = Memory::default();
        let ours = SMALL.hash_in(&mut memory, &right);
        assert!(ours.starts_with("$argon2id$v=19$m=1024,t=2,p=1$"), "{ours}");
        assert!(HashParams::verify_in(&mut memory, &right, &ours));
        assert!(!HashParams::verify_in(&mut memory, &wrong, &ours));
        // A hash the crate made by itself (as stored before this change) verifies too, in
        // memory last sized for other parameters.
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::new(2048, 3, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(right.expose().as_bytes(), &salt)
            .unwrap()
            .to_string();
        assert!(HashParams::verify_in(&mut memory, &right, &theirs));
        assert!(!HashParams::verify_in(&mut memory, &wrong, &theirs));
        // And ours verifies with the crate's own verifier.
        use argon2::password_hash::PasswordVerifier as _;
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(right.expose().as_bytes(), &parsed).is_ok());
        for garbage in ["", "$argon2id$", "not a hash", "$argon2id$v=19$m=1024,t=2,p=1$c2FsdA$"] {
            assert!(!HashParams::verify_in(&mut memory, &right, garbage), "{garbage}");
        }
    }
}

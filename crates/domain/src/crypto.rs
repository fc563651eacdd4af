//! Keys and the few primitives built on them (R14, R26, R27): personal data sealed with
//! XChaCha20-Poly1305, lookup hashes (HMAC-SHA-256) so sealed values can still be searched
//! for, hashes of session tokens and one-time codes, and the MAC that checkpoints the audit
//! chain. Every key is derived from one master key kept outside the database.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// What a sealed value is; bound into the ciphertext so a mobile cannot be passed off as an
/// identity number by moving bytes between columns.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    Mobile,
    IdNumber,
    SmsPayload,
    Registration,
    SigningKey,
    EnrolmentKey,
    TotpSecret,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Mobile => b"mobile",
            Purpose::IdNumber => b"id_number",
            Purpose::SmsPayload => b"sms_payload",
            Purpose::Registration => b"registration",
            Purpose::SigningKey => b"signing_key",
            Purpose::EnrolmentKey => b"enrolment_key",
            Purpose::TotpSecret => b"totp_secret",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the master key must be 32 bytes")]
    BadKeyLength,
    #[error("a sealed value failed to open: wrong master key or altered data")]
    OpenFailed,
}

pub struct Vault {
    seal_key: Zeroizing<[u8; 32]>,
    lookup_key: Zeroizing<[u8; 32]>,
    code_key: Zeroizing<[u8; 32]>,
    audit_key: Zeroizing<[u8; 32]>,
}

fn derive(master: &[u8], label: &str) -> Zeroizing<[u8; 32]> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("any key length");
    mac.update(label.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

fn hmac_hex(key: &[u8; 32], parts: &[&[u8]]) -> String {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("any key length");
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    hex::encode(mac.finalize().into_bytes())
}

impl Vault {
    pub fn new(master: &[u8]) -> Result<Self, CryptoError> {
        if master.len() != 32 {
            return Err(CryptoError::BadKeyLength);
        }
        Ok(Vault {
            seal_key: derive(master, "entity-account/seal/v1"),
            lookup_key: derive(master, "entity-account/lookup/v1"),
            code_key: derive(master, "entity-account/code/v1"),
            audit_key: derive(master, "entity-account/audit/v1"),
        })
    }

    pub fn generate_master_key() -> Zeroizing<[u8; 32]> {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        k
    }

    /// Identifies the master key without revealing it; kept in the database so a server
    /// started with the wrong key refuses to run instead of writing unreadable data.
    pub fn fingerprint(&self) -> String {
        hmac_hex(&self.lookup_key, &[b"fingerprint"])
    }

    pub fn seal(&self, purpose: Purpose, plaintext: &str) -> Vec<u8> {
        self.seal_for(purpose, "", plaintext)
    }

    pub fn open(&self, purpose: Purpose, sealed: &[u8]) -> Result<String, CryptoError> {
        self.open_for(purpose, "", sealed)
    }

    /// Seals a value that belongs to one owner (`owner` is bound in as associated data), so
    /// a ciphertext copied to another row — say, a known TOTP secret to another login —
    /// fails to open there.
    pub fn seal_for(&self, purpose: Purpose, owner: &str, plaintext: &str) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new(self.seal_key.as_ref().into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = Self::aad(purpose, owner);
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: &aad })
            .expect("encryption of a bounded message cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    pub fn open_for(&self, purpose: Purpose, owner: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        if sealed.len() < 24 {
            return Err(CryptoError::OpenFailed);
        }
        let cipher = XChaCha20Poly1305::new(self.seal_key.as_ref().into());
        let aad = Self::aad(purpose, owner);
        let pt = cipher
            .decrypt(XNonce::from_slice(&sealed[..24]), Payload { msg: &sealed[24..], aad: &aad })
            .map_err(|_| CryptoError::OpenFailed)?;
        String::from_utf8(pt).map_err(|_| CryptoError::OpenFailed)
    }

    /// The purpose alone when there is no owner (what `seal` always bound), else both.
    fn aad(purpose: Purpose, owner: &str) -> Vec<u8> {
        let mut aad = purpose.label().to_vec();
        if !owner.is_empty() {
            aad.push(0);
            aad.extend_from_slice(owner.as_bytes());
        }
        aad
    }

    /// A keyed hash for exact-match search over a sealed column.
    pub fn lookup(&self, purpose: Purpose, canonical: &str) -> String {
        hmac_hex(&self.lookup_key, &[purpose.label(), canonical.as_bytes()])
    }

    /// One-time codes have only 50 bits: keyed, so a stolen database alone cannot brute-force them.
    pub fn code_hash(&self, code: &str) -> String {
        hmac_hex(&self.code_key, &[b"code", code.as_bytes()])
    }

    /// E-service client secrets carry 256 random bits: a keyed hash is enough, and fast
    /// enough for every token request (a password hash would cost 20 ms each).
    pub fn client_secret_hash(&self, secret: &str) -> String {
        hmac_hex(&self.code_key, &[b"client-secret", secret.as_bytes()])
    }

    /// The form value that matches a browser's CSRF cookie: only this server can make it,
    /// so a cookie planted by a sibling domain does not make a valid pair.
    pub fn csrf_token(&self, cookie: &str) -> String {
        hmac_hex(&self.lookup_key, &[b"csrf", cookie.as_bytes()])
    }

    pub fn audit_mac(&self, data: &[u8]) -> String {
        hmac_hex(&self.audit_key, &[b"audit-head", data])
    }

    /// A throttle key for a login name that may not exist (R13), so unknown names are
    /// throttled exactly like known ones.
    pub fn throttle_key(&self, scope: &str, value: &str) -> String {
        hmac_hex(&self.lookup_key, &[b"throttle", scope.as_bytes(), value.as_bytes()])
    }
}

/// 256 random bits, base64url: session tokens (R14) and other bearer secrets.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Compares two secrets' texts (digests, codes) without an early exit.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Tokens carry 256 bits, so a plain SHA-256 is enough to make a stored hash useless.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// The OpenID Connect session id of a single sign-on session: derived from its token's
/// hash, so it names the session without revealing or storing anything new.
pub fn sid_of(session_token_hash: &str) -> String {
    sha256_hex(&[b"oidc-sid", session_token_hash.as_bytes()])[..32].to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn r24_a_value_sealed_for_one_owner_does_not_open_for_another() {
        let v = Vault::new(&[7u8; 32]).unwrap();
        let sealed = v.seal_for(Purpose::TotpSecret, "1/a", "secret");
        assert_eq!(v.open_for(Purpose::TotpSecret, "1/a", &sealed).unwrap(), "secret");
        assert!(v.open_for(Purpose::TotpSecret, "1/b", &sealed).is_err());
        assert!(v.open(Purpose::TotpSecret, &sealed).is_err());
    }

    use super::*;

    #[test]
    fn r27_sealed_values_open_only_with_the_same_key_and_purpose() {
        let v = Vault::new(&[7u8; 32]).unwrap();
        let s = v.seal(Purpose::Mobile, "+85366123456");
        assert!(!String::from_utf8_lossy(&s).contains("66123456"));
        assert_eq!(v.open(Purpose::Mobile, &s).unwrap(), "+85366123456");
        assert!(v.open(Purpose::IdNumber, &s).is_err());
        let other = Vault::new(&[8u8; 32]).unwrap();
        assert!(other.open(Purpose::Mobile, &s).is_err());
        assert_eq!(v.lookup(Purpose::Mobile, "+85366123456"), v.lookup(Purpose::Mobile, "+85366123456"));
        assert_ne!(v.lookup(Purpose::Mobile, "+85366123456"), other.lookup(Purpose::Mobile, "+85366123456"));
    }
}

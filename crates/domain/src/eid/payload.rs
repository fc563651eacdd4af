//! The enrolment QR payload (R23): the app seals its new TOTP secret to the server's
//! X25519 enrolment key, so the operator who scans the QR carries it without being able to
//! read it. `EA1.<enrolment id>.<ephemeral public key>.<nonce ‖ ciphertext>`, base64url;
//! the key is HKDF-SHA256 of the X25519 shared secret over both public keys, the cipher
//! XChaCha20-Poly1305 with the enrolment id as associated data (so a sealed secret cannot
//! be moved to another enrolment).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

const PREFIX: &str = "EA1";
const INFO: &[u8] = b"entity-account enrolment v1";
/// R24: at least 160 bits.
pub const MIN_SECRET_BYTES: usize = 20;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    #[error("not an enrolment payload")]
    Malformed,
    #[error("the payload does not open with this server's key")]
    Unreadable,
    #[error("the secret is shorter than 160 bits")]
    WeakSecret,
}

fn key(shared: &[u8; 32], eph: &PublicKey, server: &PublicKey) -> Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph.as_bytes());
    salt[32..].copy_from_slice(server.as_bytes());
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand(INFO, out.as_mut()).expect("32 bytes is a valid HKDF length");
    out
}

pub fn decode_key(b64: &str) -> Option<PublicKey> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(b64).ok()?.try_into().ok()?;
    Some(PublicKey::from(bytes))
}

pub fn encode_key(k: &PublicKey) -> String {
    URL_SAFE_NO_PAD.encode(k.as_bytes())
}

/// The app's side: seals `secret` for enrolment `enrolment_id` to the server's public key.
pub fn seal(server: &PublicKey, enrolment_id: &str, secret: &[u8]) -> String {
    let eph = StaticSecret::random_from_rng(rand::rngs::OsRng);
    let eph_pub = PublicKey::from(&eph);
    let shared = Zeroizing::new(*eph.diffie_hellman(server).as_bytes());
    let k = key(&shared, &eph_pub, server);
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = XChaCha20Poly1305::new(k.as_ref().into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad: enrolment_id.as_bytes() })
        .expect("encryption of a short secret cannot fail");
    let mut body = nonce.to_vec();
    body.extend_from_slice(&ct);
    format!("{PREFIX}.{enrolment_id}.{}.{}", encode_key(&eph_pub), URL_SAFE_NO_PAD.encode(body))
}

/// The enrolment id a payload names, before it is opened.
pub fn enrolment_id(payload: &str) -> Result<&str, PayloadError> {
    let mut parts = payload.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(PREFIX), Some(id), Some(_), Some(_), None) if !id.is_empty() && id.len() <= 64 => Ok(id),
        _ => Err(PayloadError::Malformed),
    }
}

/// The server's side: the secret, when the payload was sealed to `server_secret` for this
/// enrolment.
pub fn open(server_secret: &StaticSecret, payload: &str) -> Result<Zeroizing<Vec<u8>>, PayloadError> {
    let parts: Vec<&str> = payload.trim().split('.').collect();
    let [PREFIX, id, eph, body] = parts.as_slice() else { return Err(PayloadError::Malformed) };
    let eph = decode_key(eph).ok_or(PayloadError::Malformed)?;
    let body = URL_SAFE_NO_PAD.decode(body).map_err(|_| PayloadError::Malformed)?;
    if body.len() < 24 + 16 {
        return Err(PayloadError::Malformed);
    }
    let server_pub = PublicKey::from(server_secret);
    let shared = Zeroizing::new(*server_secret.diffie_hellman(&eph).as_bytes());
    let k = key(&shared, &eph, &server_pub);
    let pt = XChaCha20Poly1305::new(k.as_ref().into())
        .decrypt(XNonce::from_slice(&body[..24]), Payload { msg: &body[24..], aad: id.as_bytes() })
        .map_err(|_| PayloadError::Unreadable)?;
    let pt = Zeroizing::new(pt);
    if pt.len() < MIN_SECRET_BYTES {
        return Err(PayloadError::WeakSecret);
    }
    Ok(pt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r23_a_sealed_secret_opens_only_with_the_server_key_and_its_enrolment() {
        let server = StaticSecret::random_from_rng(rand::rngs::OsRng);
        let secret = [7u8; 20];
        let p = seal(&PublicKey::from(&server), "enr-1", &secret);
        assert_eq!(enrolment_id(&p), Ok("enr-1"));
        assert_eq!(open(&server, &p).unwrap().as_slice(), &secret);
        assert!(!p.contains(&URL_SAFE_NO_PAD.encode(secret)), "the secret is not in the payload in clear");
        let other = StaticSecret::random_from_rng(rand::rngs::OsRng);
        assert_eq!(open(&other, &p).unwrap_err(), PayloadError::Unreadable);
        let moved = p.replacen("enr-1", "enr-2", 1);
        assert_eq!(open(&server, &moved).unwrap_err(), PayloadError::Unreadable);
        let weak = seal(&PublicKey::from(&server), "enr-1", &[1u8; 19]);
        assert_eq!(open(&server, &weak).unwrap_err(), PayloadError::WeakSecret);
        assert_eq!(open(&server, "EA1.x.y").unwrap_err(), PayloadError::Malformed);
    }
}

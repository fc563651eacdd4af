//! The provider's ES256 signing keys. They live in the database (so every node signs with
//! the same key), the private half sealed under the master key. Rotation makes a new key
//! the signer at once; the old one stays published until every ID token it signed has
//! expired, so relying parties can still check them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePrivateKey;
use zeroize::Zeroizing;

use super::clients::Registrar;
use crate::audit::{Action, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::Purpose;
use crate::error::{Error, Result};
use crate::model::oidc::SigningKeyRecord;
use crate::services::{Ctx, Services};
use crate::store::Tx;

/// The key that signs now: its id and its PKCS#8 DER.
pub struct Signer {
    pub kid: String,
    pub pkcs8_der: Zeroizing<Vec<u8>>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh key, sealed, with its public JWK; the key id is its RFC 7638 thumbprint.
fn generate(vault: &crate::crypto::Vault, now: Timestamp) -> Result<SigningKeyRecord> {
    let sk = SigningKey::random(&mut rand::rngs::OsRng);
    let der = sk.to_pkcs8_der().map_err(|e| Error::Internal(format!("key encoding: {e}")))?;
    let point = sk.verifying_key().to_encoded_point(false);
    let (x, y) = (b64(point.x().expect("uncompressed")), b64(point.y().expect("uncompressed")));
    let thumbprint_input = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = {
        use sha2::{Digest, Sha256};
        b64(&Sha256::digest(thumbprint_input.as_bytes()))
    };
    let public_jwk =
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}","kid":"{kid}","use":"sig","alg":"ES256"}}"#);
    Ok(SigningKeyRecord {
        kid,
        private_sealed: vault.seal(Purpose::SigningKey, &b64(der.as_bytes())),
        public_jwk,
        created_at: now,
        retired_at: None,
    })
}

impl Services {
    /// Creates the first key when there is none (at start; safe when nodes start together).
    pub async fn ensure_signing_key(&self) -> Result<()> {
        let mut tx = self.store.write().await?;
        if tx.list_signing_keys().await?.iter().any(|k| k.retired_at.is_none()) {
            return Ok(());
        }
        let key = generate(&self.vault, self.clock.now())?;
        tx.insert_signing_key(&key).await?;
        let ev = AuditEvent::new(crate::audit::Actor::System, Action::SigningKeyRotated).target(key.kid.clone());
        self.commit(tx, &Ctx::system(), &[ev]).await
    }

    /// Retires the signing key and makes a new one the signer; returns the new key id.
    pub async fn rotate_signing_key(&self, by: Registrar<'_>, ctx: &Ctx) -> Result<String> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        tx.retire_signing_keys(now).await?;
        let key = generate(&self.vault, now)?;
        tx.insert_signing_key(&key).await?;
        let ev = AuditEvent::new(by.actor(), Action::SigningKeyRotated).target(key.kid.clone());
        self.commit(tx, ctx, &[ev]).await?;
        Ok(key.kid)
    }

    pub async fn signer(&self) -> Result<Signer> {
        let mut tx = self.store.read().await?;
        self.signer_in(tx.as_mut()).await
    }

    pub(crate) async fn signer_in(&self, tx: &mut dyn Tx) -> Result<Signer> {
        let keys = tx.list_signing_keys().await?;
        let key = keys
            .into_iter()
            .find(|k| k.retired_at.is_none())
            .ok_or_else(|| Error::Internal("no signing key; the server creates one at start".into()))?;
        let b64der = Zeroizing::new(
            self.vault.open(Purpose::SigningKey, &key.private_sealed).map_err(|e| Error::Internal(e.to_string()))?,
        );
        let der = URL_SAFE_NO_PAD.decode(b64der.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Signer { kid: key.kid, pkcs8_der: Zeroizing::new(der) })
    }

    /// The public keys to publish: the signer, and retired keys whose ID tokens may still
    /// be alive.
    pub async fn published_keys(&self) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        let now = self.clock.now();
        let ttl = self.policy.id_token_ttl_secs;
        Ok(tx
            .list_signing_keys()
            .await?
            .into_iter()
            .filter(|k| k.retired_at.is_none_or(|r| r.plus_secs(ttl) > now))
            .map(|k| k.public_jwk)
            .collect())
    }
}

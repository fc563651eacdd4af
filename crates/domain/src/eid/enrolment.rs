//! Binding the security verification code in person (R23, R24): the app asks for an
//! enrolment, seals its new secret to the server's enrolment key, and the operator, having
//! checked the same identity document, submits the scanned payload. Single use, 10 minutes,
//! a notification to the login; the secret is kept sealed under the master key.

use crate::Code;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::payload::{self, PayloadError};
use super::{code_available, record_or_default, ENROLMENT_TTL_SECS};
use crate::access::{Caller, Operator};
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::Purpose;
use crate::error::{Error, Result};
use crate::identity::{lookup_form, IdDocument};
use crate::model::eid::{EidKeyRecord, EnrolmentRecord};
use crate::notifications::{kinds, notify};
use crate::person::IdDocumentInput;
use crate::services::{Ctx, Services};
use crate::store::Tx;

/// What the app needs to make its QR code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub id: String,
    pub expires_at: Timestamp,
    /// The server's X25519 enrolment public key, base64url.
    pub server_key: String,
}

impl Services {
    /// Creates the enrolment key when there is none (at start; safe when nodes start together).
    pub async fn ensure_enrolment_key(&self) -> Result<()> {
        let mut tx = self.store.write().await?;
        if tx.find_eid_key().await?.is_some() {
            return Ok(());
        }
        let secret = StaticSecret::random_from_rng(rand::rngs::OsRng);
        let public = PublicKey::from(&secret);
        let sealed = self.vault.seal(Purpose::EnrolmentKey, &URL_SAFE_NO_PAD.encode(secret.to_bytes()));
        tx.insert_eid_key(&EidKeyRecord {
            id: uuid::Uuid::new_v4().to_string(),
            private_sealed: sealed,
            public_key: payload::encode_key(&public),
            created_at: self.clock.now(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enrolment_key(&self, tx: &mut dyn Tx) -> Result<(StaticSecret, String)> {
        let k = tx.find_eid_key().await?.ok_or_else(|| Error::Internal("no enrolment key; made at start".into()))?;
        let b64 = Zeroizing::new(
            self.vault.open(Purpose::EnrolmentKey, &k.private_sealed).map_err(|e| Error::Internal(e.to_string()))?,
        );
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(b64.as_bytes())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Internal("malformed enrolment key".into()))?;
        Ok((StaticSecret::from(bytes), k.public_key))
    }

    /// R23: the app, signed in as the login, asks to bind itself.
    pub async fn request_enrolment(&self, caller: &Caller, ctx: &Ctx) -> Result<Enrolment> {
        let actor = Actor::Login { entity_id: caller.entity_id, login_id: caller.login_id.clone() };
        let refusal = AuditEvent::new(actor.clone(), Action::EnrolmentRequested);
        self.refusals_audited(ctx, refusal, async {
            let mut tx = self.store.write().await?;
            let login = self.live_login(tx.as_mut(), caller.entity_id, &caller.login_id).await?;
            if !code_available(&login) {
                return Err(Error::conflict(
                    Code::SecurityCodeNotAvailable,
                    "the security verification code is for logins registered with a document other than a Macau resident identity card",
                ));
            }
            let (_, server_key) = self.enrolment_key(tx.as_mut()).await?;
            let now = self.clock.now();
            let e = EnrolmentRecord {
                entity_id: login.entity_id,
                id: uuid::Uuid::new_v4().simple().to_string(),
                login_id: login.id.clone(),
                created_at: now,
                expires_at: now.plus_secs(ENROLMENT_TTL_SECS),
                used_at: None,
            };
            tx.insert_enrolment(&e).await?;
            let ev = AuditEvent::new(actor.clone(), Action::EnrolmentRequested).target(e.id.clone());
            self.commit(tx, ctx, &[ev]).await?;
            Ok(Enrolment { id: e.id, expires_at: e.expires_at, server_key })
        })
        .await
    }

    /// R23: the operator, having seen the document, submits the scanned payload.
    pub async fn bind_security_code(
        &self,
        op: &Operator,
        ctx: &Ctx,
        entity_number: &str,
        login_id: &str,
        scanned: &str,
        document: IdDocumentInput,
    ) -> Result<()> {
        let refusal = AuditEvent::new(Actor::Operator(op.id), Action::SecurityCodeBound).target(login_id);
        self.refusals_audited(ctx, refusal, async {
            let shown = IdDocument::parse("id_document", &document.kind, &document.number)
                .map_err(|e| Error::Validation(vec![e]))?;
            let enrolment_id = payload::enrolment_id(scanned)
                .map_err(|_| Error::field("payload", Code::InvalidPayload, "not an enrolment QR code"))?
                .to_string();
            let mut tx = self.store.write().await?;
            let login = self.counter_login(tx.as_mut(), entity_number, login_id).await?;
            // The same document as registered: same type and number (R23).
            let same = login.id_type == Some(shown.kind())
                && login.id_number_lookup.as_deref()
                    == Some(self.vault.lookup(Purpose::IdNumber, &lookup_form(shown.number())).as_str());
            if !same {
                // Someone showing the wrong document is exactly what the audit trail is for.
                drop(tx);
                let ev = AuditEvent::new(Actor::Operator(op.id), Action::SecurityCodeBound)
                    .entity(login.entity_id)
                    .target(login.id.clone())
                    .detail(format!("refused: id_document_mismatch ({})", shown.masked_number()))
                    .failed();
                self.audit_refusal(ctx, ev).await?;
                return Err(Error::field(
                    "id_document",
                    Code::IdDocumentMismatch,
                    "this is not the identity document the login was registered with",
                ));
            }
            if !code_available(&login) {
                return Err(Error::conflict(Code::SecurityCodeNotAvailable, "this login uses face recognition"));
            }
            let now = self.clock.now();
            let usable = match tx.find_enrolment(login.entity_id, &enrolment_id).await? {
                Some(e) => e.login_id == login.id && e.used_at.is_none() && now < e.expires_at,
                None => false,
            };
            if !usable {
                return Err(Error::conflict(
                    Code::EnrolmentInvalid,
                    "the QR code is unknown, used, expired or made for another login; make a new one in the app",
                ));
            }
            let (server_secret, _) = self.enrolment_key(tx.as_mut()).await?;
            let secret = payload::open(&server_secret, scanned).map_err(|e| match e {
                PayloadError::WeakSecret => {
                    Error::field("payload", Code::WeakSecret, "the app's secret is shorter than 160 bits")
                }
                _ => Error::field("payload", Code::InvalidPayload, "the QR code does not open with this server's key"),
            })?;
            if !tx.use_enrolment(login.entity_id, &enrolment_id, now).await? {
                return Err(Error::conflict(Code::EnrolmentInvalid, "the QR code was used already"));
            }
            let mut r = record_or_default(tx.find_eid(login.entity_id, &login.id).await?, &login, now);
            let owner = super::secret_owner(login.entity_id, &login.id);
            let encoded = Zeroizing::new(URL_SAFE_NO_PAD.encode(secret.as_slice()));
            r.totp_secret_sealed = Some(self.vault.seal_for(Purpose::TotpSecret, &owner, &encoded));
            r.totp_last_step = None;
            r.totp_bound_at = Some(now);
            r.updated_at = now;
            tx.upsert_eid(&r).await?;
            notify(tx.as_mut(), now, login.entity_id, &login.id, kinds::SECURITY_CODE_BOUND, vec![]).await?;
            let ev = AuditEvent::new(Actor::Operator(op.id), Action::SecurityCodeBound)
                .entity(login.entity_id)
                .target(login.id.clone())
                .detail(format!("document {}", shown.masked_number()));
            self.commit(tx, ctx, &[ev]).await
        })
        .await
    }
}

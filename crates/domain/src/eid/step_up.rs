//! The second factor an advanced e-service asks for (R21, R24): a security code (RFC 6238,
//! each step once) or a face match (through the `FaceVerifier` port, with NIST's waits and
//! switch-off). A success replaces the session with a new one, stepped up for
//! `Policy::step_up_ttl_secs` (R14: a new session id at step-up, so an id planted or seen
//! before the second factor is worth nothing after it).

use crate::Code;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use zeroize::Zeroizing;

use super::face::FaceVerifier;
use super::{face_available, record_or_default, totp, FACE_FREE_FAILURES, FACE_MAX_FAILURES, FACE_WAIT_SECS};
use crate::access::Caller;
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::sid_of;
use crate::crypto::{random_token, token_hash, Purpose};
use crate::error::{Error, Result};
use crate::model::SessionRecord;
use crate::notifications::{kinds, notify};
use crate::services::{Ctx, Services};
use crate::store::Tx;

/// A successful step-up: the method (RFC 8176) and the token of the session that replaces the
/// caller's.
pub struct SteppedUp {
    pub method: &'static str,
    pub token: String,
}

/// Replaces the caller's session with a new one of the same lifetime, stepped up, and moves
/// its unredeemed codes and grants over; the old token signs nobody in any more.
async fn renew_session(tx: &mut dyn Tx, caller: &Caller, now: Timestamp, method: &str) -> Result<String> {
    let old = tx.find_session(&caller.token_hash).await?.ok_or(Error::Unauthenticated)?;
    let token = random_token();
    let new_hash = token_hash(&token);
    tx.insert_session(&SessionRecord { token_hash: new_hash.clone(), last_seen_at: now, ..old }).await?;
    tx.set_step_up(&new_hash, now, method).await?;
    tx.rebind_session(&caller.token_hash, &new_hash, &sid_of(&caller.token_hash), &sid_of(&new_hash)).await?;
    tx.delete_session(&caller.token_hash).await?;
    Ok(token)
}

pub enum Factor<'a> {
    /// A security verification code from the bound app.
    Code(&'a str),
    /// A capture the verification service holds.
    Face { capture_ref: &'a str, verifier: &'a dyn FaceVerifier },
}

impl Services {
    /// The session's live step-up, as its RFC 8176 method (`otp` or `face`).
    pub async fn step_up_of(&self, caller: &Caller) -> Result<Option<String>> {
        let mut tx = self.store.read().await?;
        self.step_up_in(tx.as_mut(), caller).await
    }

    /// The same, inside a transaction the caller holds (the authorize step reads it under
    /// its write lock, and must not take a second connection there).
    pub(crate) async fn step_up_in(&self, tx: &mut dyn Tx, caller: &Caller) -> Result<Option<String>> {
        let now = self.clock.now();
        Ok(tx
            .find_step_up(&caller.token_hash)
            .await?
            .filter(|(at, _)| at.plus_secs(self.policy.step_up_ttl_secs) > now)
            .map(|(_, method)| method))
    }

    /// Checks the factor and, when it holds, replaces the session with a stepped-up one (R14: a
    /// new session id at step-up); returns the method and the new session's token.
    pub async fn step_up(&self, caller: &Caller, ctx: &Ctx, factor: Factor<'_>) -> Result<SteppedUp> {
        match factor {
            Factor::Code(code) => self.step_up_code(caller, ctx, code).await,
            Factor::Face { capture_ref, verifier } => self.step_up_face(caller, ctx, capture_ref, verifier).await,
        }
    }

    fn actor(caller: &Caller) -> Actor {
        Actor::Login { entity_id: caller.entity_id, login_id: caller.login_id.clone() }
    }

    async fn step_up_code(&self, caller: &Caller, ctx: &Ctx, code: &str) -> Result<SteppedUp> {
        let key = self.vault.throttle_key("security-code", &format!("{}|{}", caller.entity_id, caller.login_id));
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        if let Some(t) = tx.find_throttle(&key).await? {
            if t.blocked_until > now {
                return Err(Error::TooManyAttempts { retry_after_secs: now.secs_until(t.blocked_until) });
            }
        }
        let login = self.live_login(tx.as_mut(), caller.entity_id, &caller.login_id).await?;
        let mut r = record_or_default(tx.find_eid(login.entity_id, &login.id).await?, &login, now);
        let Some(sealed) = r.totp_secret_sealed.clone() else {
            return Err(Error::conflict(Code::SecurityCodeNotBound, "no app is bound to this login; see the counter"));
        };
        let owner = super::secret_owner(login.entity_id, &login.id);
        let encoded = Zeroizing::new(
            self.vault.open_for(Purpose::TotpSecret, &owner, &sealed).map_err(|e| Error::Internal(e.to_string()))?,
        );
        let secret =
            Zeroizing::new(URL_SAFE_NO_PAD.decode(encoded.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?);
        let unix = now.0.div_euclid(1_000_000).max(0) as u64;
        match totp::matching_step(&secret, code.trim(), unix, r.totp_last_step) {
            Some(step) => {
                r.totp_last_step = Some(step);
                r.updated_at = now;
                tx.upsert_eid(&r).await?;
                tx.delete_throttle(&key).await?;
                let token = renew_session(tx.as_mut(), caller, now, "otp").await?;
                let ev = AuditEvent::new(Self::actor(caller), Action::StepUpSucceeded).target(login.id).detail("otp");
                self.commit(tx, ctx, &[ev]).await?;
                Ok(SteppedUp { method: "otp", token })
            }
            None => {
                let failures = self.record_failure(tx.as_mut(), &key, now, true).await?;
                let mut events = vec![AuditEvent::new(Self::actor(caller), Action::StepUpFailed)
                    .target(login.id.clone())
                    .detail(format!("otp; consecutive failures: {failures}"))
                    .failed()];
                // Guessing must end somewhere: the binding goes, the counter binds again.
                if failures >= super::CODE_MAX_FAILURES {
                    r.totp_secret_sealed = None;
                    r.totp_last_step = None;
                    r.updated_at = now;
                    tx.upsert_eid(&r).await?;
                    tx.delete_throttle(&key).await?;
                    notify(tx.as_mut(), now, login.entity_id, &login.id, kinds::SECURITY_CODE_UNBOUND, vec![]).await?;
                    events.push(
                        AuditEvent::new(Actor::System, Action::SecurityCodeUnbound)
                            .entity(login.entity_id)
                            .target(login.id),
                    );
                }
                self.commit(tx, ctx, &events).await?;
                Err(Error::InvalidCode)
            }
        }
    }

    async fn step_up_face(
        &self,
        caller: &Caller,
        ctx: &Ctx,
        capture_ref: &str,
        verifier: &dyn FaceVerifier,
    ) -> Result<SteppedUp> {
        if capture_ref.is_empty() || capture_ref.len() > 256 {
            return Err(Error::field("capture_ref", Code::Invalid, "the capture reference is missing or too long"));
        }
        let (login, id_number) = {
            // The try is claimed under the write lock before the service is asked: concurrent
            // tries cannot all slip through one wait.
            let mut tx = self.store.write().await?;
            let now = self.clock.now();
            let login = self.live_login(tx.as_mut(), caller.entity_id, &caller.login_id).await?;
            let mut r = record_or_default(tx.find_eid(login.entity_id, &login.id).await?, &login, now);
            if !face_available(&login) || !r.face_enabled {
                return Err(Error::conflict(Code::FaceNotAvailable, "face recognition is off for this login"));
            }
            if r.face_failures >= FACE_FREE_FAILURES {
                if r.face_next_try_at > now {
                    return Err(Error::TooManyAttempts { retry_after_secs: now.secs_until(r.face_next_try_at) });
                }
                r.face_next_try_at = now.plus_secs(FACE_WAIT_SECS);
                r.updated_at = now;
                tx.upsert_eid(&r).await?;
                tx.commit().await?;
            }
            let sealed = login.id_number_sealed.clone().ok_or(Error::NotFound)?;
            let id_number = Zeroizing::new(
                self.vault.open(Purpose::IdNumber, &sealed).map_err(|e| Error::Internal(e.to_string()))?,
            );
            (login, id_number)
        };
        // The match is made outside any transaction: it may take a while.
        let result = verifier
            .verify(capture_ref, &id_number)
            .await
            .map_err(|e| Error::conflict(Code::FaceVerificationUnavailable, e.to_string()))?;
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let mut r = record_or_default(tx.find_eid(login.entity_id, &login.id).await?, &login, now);
        if !r.face_enabled {
            return Err(Error::conflict(Code::FaceNotAvailable, "face recognition is off for this login"));
        }
        if result.matched && result.live {
            r.face_failures = 0;
            r.face_next_try_at = now;
            r.updated_at = now;
            tx.upsert_eid(&r).await?;
            let token = renew_session(tx.as_mut(), caller, now, "face").await?;
            let ev = AuditEvent::new(Self::actor(caller), Action::StepUpSucceeded).target(login.id).detail("face");
            self.commit(tx, ctx, &[ev]).await?;
            return Ok(SteppedUp { method: "face", token });
        }
        r.face_failures += 1;
        if r.face_failures >= FACE_FREE_FAILURES {
            r.face_next_try_at = now.plus_secs(FACE_WAIT_SECS);
        }
        let mut events = vec![AuditEvent::new(Self::actor(caller), Action::FaceMatchFailed)
            .target(login.id.clone())
            .detail(format!("failures: {}; live: {}", r.face_failures, result.live))
            .failed()];
        if r.face_failures >= FACE_MAX_FAILURES {
            r.face_enabled = false;
            r.face_off_reason = Some("failures".into());
            notify(tx.as_mut(), now, login.entity_id, &login.id, kinds::FACE_SWITCHED_OFF, vec![]).await?;
            events
                .push(AuditEvent::new(Actor::System, Action::FaceSwitchedOff).entity(login.entity_id).target(login.id));
        }
        r.updated_at = now;
        tx.upsert_eid(&r).await?;
        self.commit(tx, ctx, &events).await?;
        Err(Error::InvalidCode)
    }
}

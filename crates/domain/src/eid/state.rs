//! Reading a login's e-ID state and switching face recognition (R22): the person may switch
//! it off; only the counter switches it back on.

use super::{face_available, record_or_default};
use crate::access::{Caller, Operator};
use crate::audit::{Action, Actor, AuditEvent};
use crate::error::{Error, Result};
use crate::model::eid::EidState;
use crate::model::LoginRecord;
use crate::notifications::{kinds, notify};
use crate::numbers::EntityNumber;
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::Code;

impl Services {
    pub(crate) async fn eid_state_in(&self, tx: &mut dyn Tx, login: &LoginRecord) -> Result<EidState> {
        let r = record_or_default(tx.find_eid(login.entity_id, &login.id).await?, login, self.clock.now());
        Ok(crate::eid::state_of(login, &r))
    }

    pub async fn my_eid(&self, caller: &Caller) -> Result<EidState> {
        let mut tx = self.store.read().await?;
        let login = self.live_login(tx.as_mut(), caller.entity_id, &caller.login_id).await?;
        self.eid_state_in(tx.as_mut(), &login).await
    }

    /// The counter's view of a login, by entity number and login id.
    pub(crate) async fn counter_login(
        &self,
        tx: &mut dyn Tx,
        entity_number: &str,
        login_id: &str,
    ) -> Result<LoginRecord> {
        let n = EntityNumber::parse("entity_number", entity_number).map_err(|_| Error::NotFound)?;
        let entity = tx.find_entity_by_number(n.as_str()).await?.ok_or(Error::NotFound)?;
        let login_id = crate::numbers::LoginId::parse(login_id)?;
        self.live_login(tx, entity.id, &login_id).await
    }

    pub async fn counter_eid(&self, _op: &Operator, entity_number: &str, login_id: &str) -> Result<EidState> {
        let mut tx = self.store.read().await?;
        let login = self.counter_login(tx.as_mut(), entity_number, login_id).await?;
        self.eid_state_in(tx.as_mut(), &login).await
    }

    /// The person switches face recognition off, or asks to switch it on (refused: R22).
    pub async fn set_my_face(&self, caller: &Caller, ctx: &Ctx, enabled: bool) -> Result<EidState> {
        let actor = Actor::Login { entity_id: caller.entity_id, login_id: caller.login_id.clone() };
        let refusal = AuditEvent::new(actor.clone(), Action::FaceSwitchedOn).target(caller.login_id.clone());
        self.refusals_audited(ctx, refusal, async {
            let mut tx = self.store.write().await?;
            let login = self.live_login(tx.as_mut(), caller.entity_id, &caller.login_id).await?;
            if !face_available(&login) {
                return Err(Error::conflict(
                    Code::FaceNotAvailable,
                    "face recognition is for logins registered with a Macau resident identity card",
                ));
            }
            let now = self.clock.now();
            let mut r = record_or_default(tx.find_eid(login.entity_id, &login.id).await?, &login, now);
            match (enabled, r.face_enabled) {
                (true, true) | (false, false) => {}
                (true, false) => {
                    return Err(Error::Refused {
                        code: Code::FaceNeedsCounter,
                        message: "only the counter can switch face recognition back on".into(),
                    })
                }
                (false, true) => {
                    r.face_enabled = false;
                    r.face_off_reason = Some("person".into());
                    r.updated_at = now;
                    tx.upsert_eid(&r).await?;
                    notify(tx.as_mut(), now, login.entity_id, &login.id, kinds::FACE_SWITCHED_OFF, vec![]).await?;
                    let ev = AuditEvent::new(actor.clone(), Action::FaceSwitchedOff).target(login.id.clone());
                    self.commit(tx, ctx, &[ev]).await?;
                    return Ok(crate::eid::state_of(&login, &r));
                }
            }
            Ok(crate::eid::state_of(&login, &r))
        })
        .await
    }

    /// R22: the counter switches face recognition back on, failures forgotten.
    pub async fn counter_face_on(&self, op: &Operator, ctx: &Ctx, entity_number: &str, login_id: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        let login = self.counter_login(tx.as_mut(), entity_number, login_id).await?;
        if !face_available(&login) {
            return Err(Error::conflict(
                Code::FaceNotAvailable,
                "face recognition is for logins registered with a Macau resident identity card",
            ));
        }
        let now = self.clock.now();
        let mut r = record_or_default(tx.find_eid(login.entity_id, &login.id).await?, &login, now);
        r.face_enabled = true;
        r.face_off_reason = None;
        r.face_failures = 0;
        r.face_next_try_at = now;
        r.updated_at = now;
        tx.upsert_eid(&r).await?;
        notify(tx.as_mut(), now, login.entity_id, &login.id, kinds::FACE_SWITCHED_ON, vec![]).await?;
        let ev =
            AuditEvent::new(Actor::Operator(op.id), Action::FaceSwitchedOn).entity(login.entity_id).target(login.id);
        self.commit(tx, ctx, &[ev]).await
    }
}

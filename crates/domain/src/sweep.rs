//! The access sweep: announcements and clean-up that follow from the clock (R29, R30, R28).
//! It tells logins and administrators 14 and 3 days before an assignment ends (each once),
//! by SMS too to those who asked for it, tells administrators when a review falls due, and ends the e-service sessions of an
//! assignment whose end has come (back-channel logout included). Nothing here decides
//! access: every check compares the dates with now, so a late sweep only means a late notice.

use crate::access_terms::{cycle_or_first, DAY_SECS, ENDING_NOTICE_DAYS, REVIEW_DAYS_MAX};
use crate::assignment_form::macau_date;
use crate::assignments::active_admins;
use crate::audit::{Action, Actor, AuditEvent};
use crate::error::Result;
use crate::model::ReviewCycle;
use crate::notifications::{kinds, notify};
use crate::services::{Ctx, Services};
use crate::sms::{self, SmsMessage, SmsTemplate};

/// R29, R36: a machine credential's ending notices, in days before its end.
pub const MACHINE_NOTICE_DAYS: [i64; 4] = [30, 14, 7, 3];

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub ending_notices: usize,
    pub ended: usize,
    pub reviews_announced: usize,
    /// R29, R34: mandates told of their end, and mandates whose sign-ins ended at it.
    pub mandate_notices: usize,
    pub mandates_ended: usize,
    /// R29, R36: machine credentials told of their end.
    pub machine_credential_notices: usize,
    /// Ending notices queued by SMS.
    pub sms: usize,
}

impl Services {
    /// One pass over at most `limit` assignments and `limit` entities.
    pub async fn sweep_access(&self, limit: i64) -> Result<Swept> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let [first, last] = ENDING_NOTICE_DAYS;
        let ending = tx
            .list_ending_assignments(now, now.plus_secs(first * DAY_SECS), now.plus_secs(last * DAY_SECS), last, limit)
            .await?;
        let mut swept = Swept::default();
        let mut events = Vec::new();
        for (entity_id, mut a) in ending {
            let Some(until) = a.terms.valid_until else { continue };
            if until <= now {
                let codes = std::slice::from_ref(&a.eservice_code);
                crate::oidc::logout::end_login_eservices(tx.as_mut(), entity_id, &a.login_id, codes, now).await?;
                a.ended_at = Some(now);
                events.push(
                    AuditEvent::new(Actor::System, Action::AssignmentEnded)
                        .entity(entity_id)
                        .target(a.login_id.to_string())
                        .detail(a.eservice_code.clone()),
                );
                swept.ended += 1;
            } else {
                let days = if until <= now.plus_secs(last * DAY_SECS) { last } else { first };
                let name = tx.find_login(entity_id, &a.login_id).await?.map(|l| l.name).unwrap_or_default();
                let mut told = active_admins(tx.as_mut(), entity_id).await?;
                if !told.contains(&a.login_id) {
                    told.push(a.login_id.clone());
                }
                let entity_number = tx.find_entity(entity_id).await?.map(|e| e.number).unwrap_or_default();
                for who in told {
                    let params = vec![
                        ("eservice", a.eservice_code.clone()),
                        ("login", name.clone()),
                        ("until", macau_date(until, true)),
                        ("days", days.to_string()),
                    ];
                    notify(tx.as_mut(), now, entity_id, &who, kinds::ACCESS_ENDING, params.clone()).await?;
                    // By SMS too, through the outbox, where the login asked for it.
                    let Some(login) = tx.find_login(entity_id, &who).await?.filter(|l| l.sms_notices) else { continue };
                    let mut params = params;
                    params.push(("entity_number", entity_number.clone()));
                    let msg = SmsMessage::new(&self.mobile_of(&login)?, SmsTemplate::AccessEnding, params);
                    sms::enqueue(tx.as_mut(), &self.vault, now, &msg).await?;
                    swept.sms += 1;
                }
                a.warned_days = Some(days);
                swept.ending_notices += 1;
            }
            tx.upsert_assignment(entity_id, &a).await?;
        }
        self.sweep_mandates(tx.as_mut(), now, limit, &mut swept, &mut events).await?;
        self.sweep_machine_credentials(tx.as_mut(), now, limit, &mut swept).await?;
        for (entity_id, cycle) in tx.list_unannounced_due_cycles(now, REVIEW_DAYS_MAX * DAY_SECS, limit).await? {
            for admin in active_admins(tx.as_mut(), entity_id).await? {
                let params = vec![("due", macau_date(cycle.due_at, false))];
                notify(tx.as_mut(), now, entity_id, &admin, kinds::REVIEW_DUE, params).await?;
            }
            let announced = ReviewCycle { announced_at: Some(now), ..cycle_or_first(Some(cycle), cycle.started_at) };
            tx.put_review_cycle(entity_id, &announced).await?;
            swept.reviews_announced += 1;
        }
        self.commit(tx, &Ctx::system(), &events).await?;
        if swept.sms > 0 {
            self.wake_sms();
        }
        Ok(swept)
    }

    /// R29, R34: each side's administrators, and the logins acting under it, hear 14 and 3
    /// days before a mandate ends; at its end its sign-ins end (the check already refuses
    /// them: this is the clean-up and the e-services' back-channel logout).
    async fn sweep_mandates(
        &self,
        tx: &mut dyn crate::store::Tx,
        now: crate::clock::Timestamp,
        limit: i64,
        swept: &mut Swept,
        events: &mut Vec<AuditEvent>,
    ) -> Result<()> {
        let [first, last] = ENDING_NOTICE_DAYS;
        let ending = tx
            .list_ending_mandates(now, now.plus_secs(first * DAY_SECS), now.plus_secs(last * DAY_SECS), last, limit)
            .await?;
        for m in ending {
            let from = tx.find_entity(m.from_entity_id).await?.map(|e| e.number).unwrap_or_default();
            let to = tx.find_entity(m.to_entity_id).await?.map(|e| e.number).unwrap_or_default();
            if m.valid_until <= now {
                let grants = tx.live_grants_under_mandate(&m.id, None, None).await?;
                crate::oidc::logout::end_grants(tx, &grants, now, true).await?;
                tx.mark_mandate_swept(&m.id, None, Some(now)).await?;
                let detail = format!("mandate={} for={from} by={to} eservices={}", m.id, m.eservices.join(","));
                let ev = AuditEvent::new(Actor::System, Action::MandateEnded).detail(detail);
                events.push(ev.clone().entity(m.from_entity_id).target(to.clone()));
                events.push(ev.entity(m.to_entity_id).target(from.clone()));
                swept.mandates_ended += 1;
                continue;
            }
            let days = if m.valid_until <= now.plus_secs(last * DAY_SECS) { last } else { first };
            let until = macau_date(m.valid_until, true);
            let mut told = Vec::new();
            for a in active_admins(tx, m.from_entity_id).await? {
                told.push((m.from_entity_id, a, to.clone()));
            }
            for a in active_admins(tx, m.to_entity_id).await? {
                told.push((m.to_entity_id, a, from.clone()));
            }
            for a in tx.list_acting_logins(&m.id).await? {
                if !told.iter().any(|(e, l, _)| *e == m.to_entity_id && *l == a.login_id) {
                    told.push((m.to_entity_id, a.login_id, from.clone()));
                }
            }
            for (entity_id, who, other) in told {
                let params = vec![("entity", other), ("until", until.clone()), ("days", days.to_string())];
                notify(tx, now, entity_id, &who, kinds::MANDATE_ENDING, params).await?;
            }
            tx.mark_mandate_swept(&m.id, Some(days), None).await?;
            swept.mandate_notices += 1;
        }
        Ok(())
    }

    /// R29, R36: the entity's administrators hear 30, 14, 7 and 3 days before a machine
    /// credential ends, each once (by SMS too where they asked for it). Its tokens need no
    /// clean-up: every use compares its end with now.
    async fn sweep_machine_credentials(
        &self,
        tx: &mut dyn crate::store::Tx,
        now: crate::clock::Timestamp,
        limit: i64,
        swept: &mut Swept,
    ) -> Result<()> {
        let thresholds: Vec<(i64, crate::clock::Timestamp)> =
            MACHINE_NOTICE_DAYS.iter().map(|d| (*d, now.plus_secs(d * DAY_SECS))).collect();
        for c in tx.list_ending_machine_credentials(now, &thresholds, limit).await? {
            // The fewest days whose threshold the end has passed: the notice due now.
            let Some(days) = thresholds.iter().rev().find(|(_, at)| c.valid_until <= *at).map(|(d, _)| *d) else {
                continue;
            };
            let until = macau_date(c.valid_until, true);
            let entity_number = tx.find_entity(c.entity_id).await?.map(|e| e.number).unwrap_or_default();
            for who in active_admins(tx, c.entity_id).await? {
                let params = vec![("name", c.name.clone()), ("until", until.clone()), ("days", days.to_string())];
                notify(tx, now, c.entity_id, &who, kinds::MACHINE_CREDENTIAL_ENDING, params.clone()).await?;
                let Some(login) = tx.find_login(c.entity_id, &who).await?.filter(|l| l.sms_notices) else { continue };
                let mut params = params;
                params.push(("entity_number", entity_number.clone()));
                let msg = SmsMessage::new(&self.mobile_of(&login)?, SmsTemplate::MachineCredentialEnding, params);
                sms::enqueue(tx, &self.vault, now, &msg).await?;
                swept.sms += 1;
            }
            tx.set_machine_credential_warned(c.entity_id, &c.client_id, days).await?;
            swept.machine_credential_notices += 1;
        }
        Ok(())
    }
}

//! Counter applications (R1–R8): what an application must record, the checks before it is
//! accepted, its life from submitted to approved or rejected, and what approval creates —
//! the entity, its entity account, its administrators and their activation codes.

use crate::access::Operator;
use crate::application_form::{
    registration_canonical, registration_lookup, registry_lookup, ApplicationInput, REGISTRIES,
};
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::Purpose;
use crate::error::{internal, Error, Fields, Result};
use crate::identity::{lookup_form, IdDocument, MacauMobile};
use crate::logins::NewLogin;
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::numbers::{ApplicationNumber, EntityNumber};
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::text::Text;
use crate::Code;

/// An application's public progress (R7): status and dates only.
pub struct ApplicationProgress {
    pub status: ApplicationStatus,
    pub submitted_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

pub struct Approved {
    pub entity_number: String,
}

impl Services {
    /// R1–R4: parses and checks the whole application, then records it as submitted.
    pub async fn submit_application(
        &self,
        op: &Operator,
        ctx: &Ctx,
        input: ApplicationInput,
    ) -> Result<(String, ApplicationStatus)> {
        let app = input.parse(self.policy.max_admins)?;
        let mut people: Vec<StoredPerson> = Vec::new();
        let v = &self.vault;
        people.extend(app.representatives.iter().map(|p| p.seal(v, PersonRole::Representative, None)));
        if let Some((proxy, reference)) = &app.proxy {
            people.push(proxy.seal(v, PersonRole::Proxy, Some(reference.to_string())));
        }
        people.extend(app.administrators.iter().map(|p| p.seal(v, PersonRole::Administrator, None)));

        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let seq = tx.next_sequence("application").await?;
        let number = ApplicationNumber::from_sequence(seq);
        let record = ApplicationRecord {
            id: 0,
            number: number.as_str().to_string(),
            status: ApplicationStatus::Submitted,
            entity_type: app.kind,
            names: EntityNames {
                zh: app.name_zh.map(|t| t.to_string()),
                pt: app.name_pt.map(|t| t.to_string()),
                en: app.name_en.map(|t| t.to_string()),
            },
            registration_number: app.registration_number.to_string(),
            registration_lookup: registration_lookup(v, app.kind, app.registration_number.as_str()),
            mobile_sealed: v.seal(Purpose::Mobile, app.mobile.as_str()),
            mobile_mask: app.mobile.masked(),
            people,
            agreement_signed: true,
            submitted_by: op.id,
            submitted_at: now,
            decided_at: None,
            decided_by: None,
            reject_reason: None,
            entity_id: None,
            entity_number: None,
        };
        tx.insert_application(&record).await?;
        let ev = AuditEvent::new(Actor::Operator(op.id), Action::ApplicationSubmitted)
            .target(number.as_str())
            .detail(format!("entity type {}, {} administrator(s)", app.kind.as_str(), app.administrators.len()));
        self.commit(tx, ctx, &[ev]).await?;
        Ok((number.as_str().to_string(), ApplicationStatus::Submitted))
    }

    pub async fn get_application(&self, _op: &Operator, number: &str) -> Result<ApplicationRecord> {
        let number = ApplicationNumber::parse("application_number", number).map_err(|_| Error::NotFound)?;
        let mut tx = self.store.read().await?;
        tx.find_application(number.as_str()).await?.ok_or(Error::NotFound)
    }

    pub async fn list_applications(
        &self,
        _op: &Operator,
        status: Option<ApplicationStatus>,
    ) -> Result<Vec<ApplicationRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_applications(status, 500).await?)
    }

    /// R4: an operator takes a submitted application into review.
    pub async fn start_review(&self, op: &Operator, ctx: &Ctx, number: &str) -> Result<ApplicationStatus> {
        let refusal = AuditEvent::new(Actor::Operator(op.id), Action::ApplicationReviewStarted).target(number);
        self.refusals_audited(ctx, refusal, async move {
            let number = ApplicationNumber::parse("application_number", number).map_err(|_| Error::NotFound)?;
            let mut tx = self.store.write().await?;
            let mut app = tx.find_application(number.as_str()).await?.ok_or(Error::NotFound)?;
            if app.status != ApplicationStatus::Submitted {
                return Err(Error::conflict(
                    Code::InvalidStatus,
                    format!("the application is {}", app.status.as_str()),
                ));
            }
            app.status = ApplicationStatus::UnderReview;
            tx.update_application(&app).await?;
            let ev =
                AuditEvent::new(Actor::Operator(op.id), Action::ApplicationReviewStarted).target(app.number.clone());
            self.commit(tx, ctx, &[ev]).await?;
            Ok(app.status)
        })
        .await
    }

    pub async fn reject_application(
        &self,
        op: &Operator,
        ctx: &Ctx,
        number: &str,
        reason: &str,
    ) -> Result<ApplicationStatus> {
        let refusal = AuditEvent::new(Actor::Operator(op.id), Action::ApplicationRejected).target(number);
        self.refusals_audited(ctx, refusal, async move {
            let reason = Text::parse("reason", reason, 500).map_err(|e| Error::Validation(vec![e]))?;
            let number = ApplicationNumber::parse("application_number", number).map_err(|_| Error::NotFound)?;
            let mut tx = self.store.write().await?;
            let mut app = undecided(tx.find_application(number.as_str()).await?.ok_or(Error::NotFound)?)?;
            let now = self.clock.now();
            app.status = ApplicationStatus::Rejected;
            app.decided_at = Some(now);
            app.decided_by = Some(op.id);
            app.reject_reason = Some(reason.to_string());
            tx.update_application(&app).await?;
            let ev = AuditEvent::new(Actor::Operator(op.id), Action::ApplicationRejected).target(app.number.clone());
            self.commit(tx, ctx, &[ev]).await?;
            Ok(app.status)
        })
        .await
    }

    /// R5, R6: approval creates the entity and its number, the entity account and each
    /// administrator's login, and queues each one's activation code by SMS — all or nothing.
    pub async fn approve_application(&self, op: &Operator, ctx: &Ctx, number: &str) -> Result<Approved> {
        let refusal = AuditEvent::new(Actor::Operator(op.id), Action::ApplicationApproved).target(number);
        self.refusals_audited(ctx, refusal, async move {
            let number = ApplicationNumber::parse("application_number", number).map_err(|_| Error::NotFound)?;
            let mut tx = self.store.write().await?;
            let mut app = undecided(tx.find_application(number.as_str()).await?.ok_or(Error::NotFound)?)?;
            if tx.find_entity_by_registration(&app.registration_lookup).await?.is_some() {
                return Err(Error::conflict(
                    Code::EntityAlreadyRegistered,
                    "this entity already holds an entity account (one entity, one account)",
                ));
            }
            let now = self.clock.now();
            let seq = tx.next_sequence("entity").await?;
            let entity_number = EntityNumber::from_sequence(seq);
            let mut entity = EntityRecord {
                id: 0,
                number: entity_number.as_str().to_string(),
                entity_type: app.entity_type,
                names: app.names.clone(),
                registration_number: app.registration_number.clone(),
                registration_lookup: app.registration_lookup.clone(),
                mobile_sealed: app.mobile_sealed.clone(),
                created_at: now,
            };
            entity.id = tx.insert_entity(&entity).await?;
            let actor = Actor::Operator(op.id);
            let mut events = vec![AuditEvent::new(actor.clone(), Action::ApplicationApproved)
                .entity(entity.id)
                .target(app.number.clone())
                .detail(format!("entity number {}", entity.number))];

            events.push(self.add_entity_account(tx.as_mut(), &entity, &app, op, now).await?);
            events.extend(self.add_administrators(tx.as_mut(), &entity, &app, op, now).await?);

            app.status = ApplicationStatus::Approved;
            app.decided_at = Some(now);
            app.decided_by = Some(op.id);
            app.entity_id = Some(entity.id);
            tx.update_application(&app).await?;
            self.commit(tx, ctx, &events).await?;
            self.wake_sms();
            Ok(Approved { entity_number: entity.number })
        })
        .await
    }

    /// R7: anyone with the application number and the entity's registration number. A wrong
    /// registration number answers exactly like an unknown application; a source whose
    /// queries keep finding nothing waits (`progress_max_misses_per_source` per window).
    pub async fn application_progress(
        &self,
        ctx: &Ctx,
        number: &str,
        registration_number: &str,
    ) -> Result<ApplicationProgress> {
        let mut f = Fields::default();
        let number = f.take(ApplicationNumber::parse("application_number", number));
        let reg = f.take(Text::parse("registration_number", registration_number, 50));
        let (number, reg) = f.finish_with(|| Some((number?, reg?)))?;
        let key = self.vault.throttle_key("progress-source", &ctx.source);
        let (now, window) = (self.clock.now(), self.policy.help_window_secs);
        let found = {
            let mut tx = self.store.read().await?;
            if let Some(t) = tx.find_throttle(&key).await? {
                if t.count_within(window, now) >= self.policy.progress_max_misses_per_source {
                    return Err(Error::TooManyAttempts { retry_after_secs: t.secs_left(window, now) });
                }
            }
            let app = tx.find_application(number.as_str()).await?;
            app.filter(|app| registration_lookup(&self.vault, app.entity_type, reg.as_str()) == app.registration_lookup)
        };
        match found {
            Some(app) => Ok(ApplicationProgress {
                status: app.status,
                submitted_at: app.submitted_at,
                decided_at: app.decided_at,
            }),
            None => {
                let mut tx = self.store.write().await?;
                let prev = tx.find_throttle(&key).await?;
                tx.upsert_throttle(&ThrottleRecord::counted(prev, key, window, now)).await?;
                tx.commit().await?;
                Err(Error::NotFound)
            }
        }
    }
}

impl Services {
    /// The counter finds an entity by its registration number at its registry. The number
    /// alone does not say which registry, so each is tried: at most one entity per registry.
    pub async fn find_entities_by_registration(
        &self,
        _op: &Operator,
        registration_number: &str,
    ) -> Result<Vec<EntityRecord>> {
        let reg =
            Text::parse("registration_number", registration_number, 50).map_err(|e| Error::Validation(vec![e]))?;
        let canonical = registration_canonical(reg.as_str());
        if canonical.is_empty() {
            return Err(Error::field("registration_number", Code::Invalid, "must contain letters or digits"));
        }
        let mut tx = self.store.read().await?;
        let mut found = Vec::new();
        for registry in REGISTRIES {
            let lookup = registry_lookup(&self.vault, registry, &canonical);
            if let Some(e) = tx.find_entity_by_registration(&lookup).await? {
                found.push(e);
            }
        }
        Ok(found)
    }
}

impl Services {
    /// R6: the entity account, its activation code by SMS and its first notice. Its "identity
    /// number" for R12's help form is the registration number.
    async fn add_entity_account(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        app: &ApplicationRecord,
        op: &Operator,
        now: Timestamp,
    ) -> Result<AuditEvent> {
        let entity_mobile =
            MacauMobile::from_stored(self.vault.open(Purpose::Mobile, &app.mobile_sealed).map_err(internal)?);
        let account = NewLogin {
            kind: LoginKind::Entity,
            name: entity.names.display().to_string(),
            id: None,
            id_lookup_override: Some(
                self.vault.lookup(Purpose::IdNumber, &lookup_form(&registration_canonical(&app.registration_number))),
            ),
            mobile: entity_mobile,
        };
        let account_id = self.create_login_with_code(tx, entity, account, Some(&app.number), now).await?;
        notify(
            tx,
            now,
            entity.id,
            &account_id,
            kinds::APPLICATION_APPROVED,
            vec![("application_number", app.number.clone()), ("entity_number", entity.number.clone())],
        )
        .await?;
        Ok(AuditEvent::new(Actor::Operator(op.id), Action::LoginCreated)
            .entity(entity.id)
            .target(account_id)
            .detail("entity account"))
    }

    /// R6: a login for each administrator on the application, with its activation code.
    async fn add_administrators(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        app: &ApplicationRecord,
        op: &Operator,
        now: Timestamp,
    ) -> Result<Vec<AuditEvent>> {
        let mut events = Vec::new();
        for p in app.people.iter().filter(|p| p.role == PersonRole::Administrator) {
            let id_number = self.vault.open(Purpose::IdNumber, &p.id_number_sealed).map_err(internal)?;
            let mobile = p.mobile_sealed.as_ref().ok_or_else(|| internal("administrator without mobile"))?;
            let mobile = MacauMobile::from_stored(self.vault.open(Purpose::Mobile, mobile).map_err(internal)?);
            let login = NewLogin {
                kind: LoginKind::Admin,
                name: p.name.clone(),
                id: Some(IdDocument::from_stored(p.id_type, id_number)),
                id_lookup_override: None,
                mobile,
            };
            let id = self.create_login_with_code(tx, entity, login, None, now).await?;
            events.push(
                AuditEvent::new(Actor::Operator(op.id), Action::LoginCreated)
                    .entity(entity.id)
                    .target(id)
                    .detail("administrator"),
            );
        }
        Ok(events)
    }
}

/// R4: only a submitted or under-review application can still be decided.
fn undecided(app: ApplicationRecord) -> Result<ApplicationRecord> {
    if app.status.is_undecided() {
        Ok(app)
    } else {
        Err(Error::conflict(Code::ApplicationDecided, format!("the application is already {}", app.status.as_str())))
    }
}

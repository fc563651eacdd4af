//! Counter applications (R1–R8): what an application must record, the checks before it is
//! accepted, its life from submitted to approved or rejected, and what approval creates —
//! the entity, its entity account, its administrators and their activation codes.

use crate::access::Operator;
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::{Purpose, Vault};
use crate::error::{Error, FieldError, Fields, Result};
use crate::identity::{lookup_form, IdDocument, MacauMobile};
use crate::logins::NewLogin;
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::numbers::{ApplicationNumber, EntityNumber};
use crate::services::{Ctx, Services};
use crate::text::{Text, NAME_MAX};
use crate::Code;

pub struct IdDocumentInput {
    pub kind: String,
    pub number: String,
}

pub struct PersonInput {
    pub name: String,
    pub id_document: IdDocumentInput,
    pub mobile: Option<String>,
    pub document_shown: Option<bool>,
}

pub struct ProxyInput {
    pub person: PersonInput,
    pub poa_notarised: bool,
    pub poa_reference: String,
}

pub struct EntityInput {
    pub kind: String,
    pub name_zh: Option<String>,
    pub name_pt: Option<String>,
    pub name_en: Option<String>,
    pub registration_number: String,
    pub mobile: String,
}

pub struct ApplicationInput {
    pub entity: EntityInput,
    pub representatives: Vec<PersonInput>,
    pub proxy: Option<ProxyInput>,
    pub administrators: Vec<PersonInput>,
    pub agreement_signed: bool,
}

/// A person whose fields all parsed.
pub struct Person {
    pub name: Text,
    pub id: IdDocument,
    pub mobile: Option<MacauMobile>,
}

/// Parses a person at `path`; `needs_mobile` for administrators and staff, who get SMS codes.
pub fn parse_person(path: &str, p: &PersonInput, needs_mobile: bool) -> Result<Person, Vec<FieldError>> {
    let at = |field: &str| {
        if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    let mut f = Fields::default();
    let name = f.take(Text::parse(&at("name"), &p.name, NAME_MAX));
    let id = f.take(IdDocument::parse(&at("id_document"), &p.id_document.kind, &p.id_document.number));
    // A bad type hides the number's check: a blank number is still named, so that one
    // answer lists every empty field.
    let kind_ok = crate::identity::IdDocumentType::parse("", &p.id_document.kind).is_ok();
    if !kind_ok && p.id_document.number.trim().is_empty() {
        f.push(FieldError::new(at("id_document.number"), Code::Required, "the document number is required"));
    }
    let mobile = match (&p.mobile, needs_mobile) {
        (Some(m), _) => f.take(MacauMobile::parse(&at("mobile"), m)),
        (None, true) => {
            f.push(FieldError::new(at("mobile"), Code::Required, "a Macau mobile number is required"));
            None
        }
        (None, false) => None,
    };
    if !f.is_empty() {
        return Err(f.into_vec());
    }
    Ok(Person { name: name.expect("parsed"), id: id.expect("parsed"), mobile })
}

/// The registry an entity type is registered at: R5's "same registry + registration number".
fn registry_of(t: EntityType) -> &'static str {
    match t {
        EntityType::Company | EntityType::Entrepreneur => "commercial",
        EntityType::Association | EntityType::Foundation => "legal_persons",
        EntityType::Unincorporated => "other",
    }
}

fn registration_canonical(raw: &str) -> String {
    raw.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// R5's key of an entity: its registry and its registration number, whatever the spacing
/// or case it was typed in. Public for the bulk seeder, which must key entities alike.
pub fn registration_lookup(vault: &Vault, kind: EntityType, registration_number: &str) -> String {
    vault.lookup(
        Purpose::Registration,
        &format!("{}:{}", registry_of(kind), registration_canonical(registration_number)),
    )
}

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
    fn seal_person(&self, role: PersonRole, p: &Person, shown: bool, poa: Option<String>) -> StoredPerson {
        StoredPerson {
            role,
            name: p.name.as_str().to_string(),
            id_type: p.id.kind(),
            id_number_sealed: self.vault.seal(Purpose::IdNumber, p.id.number()),
            id_number_mask: p.id.masked_number(),
            id_number_lookup: self.vault.lookup(Purpose::IdNumber, &lookup_form(p.id.number())),
            mobile_sealed: p.mobile.as_ref().map(|m| self.vault.seal(Purpose::Mobile, m.as_str())),
            mobile_mask: p.mobile.as_ref().map(|m| m.masked()),
            document_shown: shown,
            poa_reference: poa,
        }
    }

    /// R1–R4: parses and checks the whole application, then records it as submitted.
    pub async fn submit_application(
        &self,
        op: &Operator,
        ctx: &Ctx,
        input: ApplicationInput,
    ) -> Result<(String, ApplicationStatus)> {
        let mut f = Fields::default();
        let e = &input.entity;
        let kind = EntityType::from_str_opt(&e.kind);
        if kind.is_none() {
            f.push(FieldError::new("entity.type", Code::InvalidChoice, format!("one of {}", EntityType::choices())));
        }
        let name_zh = f.take(Text::parse_opt("entity.name_zh", e.name_zh.as_deref(), NAME_MAX)).flatten();
        let name_pt = f.take(Text::parse_opt("entity.name_pt", e.name_pt.as_deref(), NAME_MAX)).flatten();
        let name_en = f.take(Text::parse_opt("entity.name_en", e.name_en.as_deref(), NAME_MAX)).flatten();
        // R1: Chinese and/or Portuguese; a blank one counts as absent.
        let blank = |n: &Option<String>| n.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&e.name_zh) && blank(&e.name_pt) {
            f.push(FieldError::new("entity.name_zh", Code::Required, "a Chinese or a Portuguese name is required"));
        }
        let reg = f.take(Text::parse("entity.registration_number", &e.registration_number, 50));
        if let Some(r) = &reg {
            if registration_canonical(r.as_str()).is_empty() {
                f.push(FieldError::new("entity.registration_number", Code::Invalid, "must contain letters or digits"));
            }
        }
        let mobile = f.take(MacauMobile::parse("entity.mobile", &e.mobile));

        // R1, R2: every legal representative, each document shown.
        if input.representatives.is_empty() {
            f.push(FieldError::new("representatives", Code::Required, "at least one legal representative"));
        }
        if input.representatives.len() > 20 {
            f.push(FieldError::new("representatives", Code::TooMany, "at most 20 legal representatives"));
        }
        let mut people = Vec::new();
        for (i, r) in input.representatives.iter().enumerate() {
            let path = format!("representatives[{i}]");
            match parse_person(&path, r, false) {
                Ok(p) => {
                    if r.document_shown != Some(true) {
                        f.push(FieldError::new(
                            format!("{path}.document_shown"),
                            Code::DocumentNotShown,
                            "the representative's identity document (original or certified copy) must be shown",
                        ));
                    }
                    people.push(self.seal_person(PersonRole::Representative, &p, true, None));
                }
                Err(errs) => f.extend(errs),
            }
        }
        // R3: a proxy with a notarised power of attorney and the proxy's document shown.
        if let Some(proxy) = &input.proxy {
            match parse_person("proxy", &proxy.person, false) {
                Ok(p) => {
                    if proxy.person.document_shown != Some(true) {
                        f.push(FieldError::new(
                            "proxy.document_shown",
                            Code::DocumentNotShown,
                            "the proxy's identity document must be shown",
                        ));
                    }
                    if !proxy.poa_notarised {
                        f.push(FieldError::new(
                            "proxy.power_of_attorney.notarised",
                            Code::PowerOfAttorneyNotNotarised,
                            "the original notarised power of attorney is required",
                        ));
                    }
                    let reference = f.take(Text::parse("proxy.power_of_attorney.reference", &proxy.poa_reference, 100));
                    if let Some(reference) = reference {
                        people.push(self.seal_person(PersonRole::Proxy, &p, true, Some(reference.to_string())));
                    }
                }
                Err(errs) => f.extend(errs),
            }
        }
        // R2: one to three administrators, each a different person with a Macau mobile.
        let n = input.administrators.len();
        if n == 0 || n > self.policy.max_admins {
            f.push(FieldError::new(
                "administrators",
                Code::AdministratorsCount,
                format!("between 1 and {} administrators", self.policy.max_admins),
            ));
        }
        let mut seen = Vec::new();
        for (i, a) in input.administrators.iter().enumerate().take(self.policy.max_admins + 1) {
            let path = format!("administrators[{i}]");
            match parse_person(&path, a, true) {
                Ok(p) => {
                    let key = (p.id.kind(), p.id.number().to_string());
                    if seen.contains(&key) {
                        f.push(FieldError::new(
                            format!("{path}.id_document"),
                            Code::DuplicatePerson,
                            "the same person appears twice",
                        ));
                    }
                    seen.push(key);
                    people.push(self.seal_person(PersonRole::Administrator, &p, true, None));
                }
                Err(errs) => f.extend(errs),
            }
        }
        if !input.agreement_signed {
            f.push(FieldError::new(
                "agreement_signed",
                Code::AgreementNotSigned,
                "the entity account agreement must be signed and stamped",
            ));
        }
        f.finish()?;
        let kind = kind.expect("parsed");
        let reg = reg.expect("parsed");
        let mobile = mobile.expect("parsed");

        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let seq = tx.next_sequence("application").await?;
        let number = ApplicationNumber::from_sequence(seq);
        let record = ApplicationRecord {
            id: 0,
            number: number.as_str().to_string(),
            status: ApplicationStatus::Submitted,
            entity_type: kind,
            names: EntityNames {
                zh: name_zh.map(|t| t.to_string()),
                pt: name_pt.map(|t| t.to_string()),
                en: name_en.map(|t| t.to_string()),
            },
            registration_number: reg.to_string(),
            registration_lookup: registration_lookup(&self.vault, kind, reg.as_str()),
            mobile_sealed: self.vault.seal(Purpose::Mobile, mobile.as_str()),
            mobile_mask: mobile.masked(),
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
            .detail(format!("entity type {}, {} administrator(s)", kind.as_str(), n));
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

            // The entity account: its "identity number" for R12's help form is the registration number.
            let entity_mobile =
                MacauMobile::from_stored(self.vault.open(Purpose::Mobile, &app.mobile_sealed).map_err(internal)?);
            let account = NewLogin {
                kind: LoginKind::Entity,
                name: entity.names.display().to_string(),
                id: None,
                id_lookup_override: Some(
                    self.vault
                        .lookup(Purpose::IdNumber, &lookup_form(&registration_canonical(&app.registration_number))),
                ),
                mobile: entity_mobile,
            };
            let account_id = self.create_login_with_code(tx.as_mut(), &entity, account, Some(&app.number), now).await?;
            events.push(
                AuditEvent::new(actor.clone(), Action::LoginCreated)
                    .entity(entity.id)
                    .target(account_id.clone())
                    .detail("entity account"),
            );
            notify(
                tx.as_mut(),
                now,
                entity.id,
                &account_id,
                kinds::APPLICATION_APPROVED,
                vec![("application_number", app.number.clone()), ("entity_number", entity.number.clone())],
            )
            .await?;

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
                let id = self.create_login_with_code(tx.as_mut(), &entity, login, None, now).await?;
                events.push(
                    AuditEvent::new(actor.clone(), Action::LoginCreated)
                        .entity(entity.id)
                        .target(id)
                        .detail("administrator"),
                );
            }

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
        f.finish()?;
        let (number, reg) = (number.expect("parsed"), reg.expect("parsed"));
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
        for registry in ["commercial", "legal_persons", "other"] {
            let lookup = self.vault.lookup(Purpose::Registration, &format!("{registry}:{canonical}"));
            if let Some(e) = tx.find_entity_by_registration(&lookup).await? {
                found.push(e);
            }
        }
        Ok(found)
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

pub(crate) fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

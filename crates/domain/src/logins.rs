//! An entity's logins (R8, R15–R18): creating them with an activation code, deleting them,
//! removing and restoring administrator rights, and what each login sees of itself and its
//! entity.

use crate::Code;
use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::access::{AdminOf, Caller, EntityAccountOf, Operator, OverseerOf};
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::codes::OneTimeCode;
use crate::crypto::Purpose;
use crate::error::internal;
use crate::error::{Error, FieldError, Fields, Result};
use crate::identity::{lookup_form, IdDocument, MacauMobile};
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::numbers::{EntityNumber, LoginId};
use crate::person::{parse_reachable, PersonInput, ReachablePerson};
use crate::services::{Ctx, Services};
use crate::sms::{self, SmsMessage, SmsTemplate};
use crate::store::Tx;

/// A login about to be created.
pub(crate) struct NewLogin {
    pub kind: LoginKind,
    pub name: String,
    pub id: Option<IdDocument>,
    /// The entity account has no identity document; its help-form lookup is the registration number.
    pub id_lookup_override: Option<String>,
    pub mobile: MacauMobile,
}

/// What a login sees of itself (`GET /me`).
pub struct Me {
    pub login: LoginRecord,
    pub entity: EntityRecord,
    pub eservices: Vec<EServiceRecord>,
    pub eid: crate::model::eid::EidState,
}

/// A login with its assigned e-services, for lists.
pub struct LoginSummary {
    pub login: LoginRecord,
    pub eservices: Vec<String>,
}

/// One page of an entity's live logins; `next` is the `after` of the following page, `None`
/// on the last.
pub struct LoginPage {
    pub logins: Vec<LoginSummary>,
    pub next: Option<String>,
}

/// The most logins one page holds.
pub const MAX_PAGE: i64 = 500;

impl Services {
    /// Inserts the login in state pending, issues its activation code and queues the SMS.
    /// `application_number` is given for the entity account, which activates with it (R10).
    pub(crate) async fn create_login_with_code(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        new: NewLogin,
        application_number: Option<&str>,
        now: Timestamp,
    ) -> Result<LoginId> {
        let id = LoginId::generate();
        let login = LoginRecord {
            entity_id: entity.id,
            id: id.clone(),
            kind: new.kind,
            status: LoginStatus::Pending,
            name: new.name,
            id_type: new.id.as_ref().map(|d| d.kind()),
            id_number_sealed: new.id.as_ref().map(|d| self.vault.seal(Purpose::IdNumber, d.number())),
            id_number_mask: new.id.as_ref().map(|d| d.masked_number()),
            id_number_lookup: new
                .id_lookup_override
                .or_else(|| new.id.as_ref().map(|d| self.vault.lookup(Purpose::IdNumber, &lookup_form(d.number())))),
            mobile_sealed: self.vault.seal(Purpose::Mobile, new.mobile.as_str()),
            mobile_mask: new.mobile.masked(),
            mobile_lookup: self.vault.lookup(Purpose::Mobile, new.mobile.as_str()),
            username: None,
            username_key: None,
            password_hash: None,
            admin_removed: false,
            sms_notices: false,
            created_at: now,
            activated_at: None,
            deleted_at: None,
            external_id: None,
            scim_version: 0,
            modified_at: None,
        };
        tx.insert_login(&login).await?;
        self.issue_activation_code(tx, entity, &login, application_number, true, now).await?;
        Ok(id)
    }

    /// A fresh activation code replaces any earlier one (R9). The failure count carries over
    /// unless `reset_failures` (a new login, or a resend ordered by an administrator or the
    /// counter after checking who asks).
    pub(crate) async fn issue_activation_code(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        login: &LoginRecord,
        application_number: Option<&str>,
        reset_failures: bool,
        now: Timestamp,
    ) -> Result<()> {
        let code = OneTimeCode::generate();
        let failures = if reset_failures {
            0
        } else {
            tx.find_code(entity.id, &login.id, CodePurpose::Activation).await?.map(|c| c.failures).unwrap_or(0)
        };
        let ttl = self.policy.activation_code_ttl_secs;
        tx.upsert_code(&CodeRecord {
            entity_id: entity.id,
            login_id: login.id.clone(),
            purpose: CodePurpose::Activation,
            code_hash: self.vault.code_hash(code.expose()),
            expires_at: now.plus_secs(ttl),
            failures,
            used: false,
        })
        .await?;
        let mobile =
            MacauMobile::from_stored(self.vault.open(Purpose::Mobile, &login.mobile_sealed).map_err(internal)?);
        // Whole hours read best; a shorter or odd lifetime (R9 allows 10 minutes) is given in
        // whole minutes, rounded down, so the SMS never promises more time than the code has.
        let validity = if ttl % 3600 == 0 {
            ("valid_hours", (ttl / 3600).to_string())
        } else {
            ("valid_minutes", (ttl / 60).to_string())
        };
        let until = ("valid_until", now.plus_secs(ttl).macau_minute());
        let mut params = vec![("code", code.display()), ("entity_number", entity.number.clone()), validity, until];
        if let Some(a) = application_number {
            params.push(("application_number", a.to_string()));
        }
        sms::enqueue(tx, &self.vault, now, &SmsMessage::new(&mobile, SmsTemplate::ActivationCode, params)).await?;
        Ok(())
    }

    pub(crate) async fn load_entity(&self, tx: &mut dyn Tx, entity_id: i64) -> Result<EntityRecord> {
        tx.find_entity(entity_id).await?.ok_or(Error::NotFound)
    }

    /// A live (not deleted) login of the entity, or 404.
    pub(crate) async fn live_login(&self, tx: &mut dyn Tx, entity_id: i64, login_id: &str) -> Result<LoginRecord> {
        match tx.find_login(entity_id, login_id).await? {
            Some(l) if l.status != LoginStatus::Deleted => Ok(l),
            _ => Err(Error::NotFound),
        }
    }

    /// Whether the person already has a live login (administrator or staff) in the entity.
    pub(crate) async fn person_has_login(&self, tx: &mut dyn Tx, entity_id: i64, id: &IdDocument) -> Result<bool> {
        let lookup = self.vault.lookup(Purpose::IdNumber, &lookup_form(id.number()));
        let existing = tx.find_logins_by_id_number(entity_id, &lookup).await?;
        Ok(existing.iter().any(|l| l.status != LoginStatus::Deleted && l.kind != LoginKind::Entity))
    }

    async fn ensure_no_login_for_person(&self, tx: &mut dyn Tx, entity_id: i64, id: &IdDocument) -> Result<()> {
        if self.person_has_login(tx, entity_id, id).await? {
            return Err(Error::conflict(Code::PersonHasLogin, "this person already has a login in this entity"));
        }
        Ok(())
    }

    /// A new login for a person who has none in the entity yet, with its activation code and
    /// a notice in its inbox.
    pub(crate) async fn add_person_login(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        kind: LoginKind,
        p: ReachablePerson,
        notice: &str,
        now: Timestamp,
    ) -> Result<LoginId> {
        self.ensure_no_login_for_person(tx, entity.id, &p.id).await?;
        let new =
            NewLogin { kind, name: p.name.to_string(), id: Some(p.id), id_lookup_override: None, mobile: p.mobile };
        let id = self.create_login_with_code(tx, entity, new, None, now).await?;
        notify(tx, now, entity.id, &id, notice, vec![("entity_number", entity.number.clone())]).await?;
        Ok(id)
    }

    /// R15: an administrator creates a staff login; the person gets an activation code.
    pub async fn create_staff(&self, admin: &AdminOf<'_>, ctx: &Ctx, person: PersonInput) -> Result<String> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::LoginCreated);
        self.refusals_audited(ctx, refusal, async move {
            let p = parse_reachable("", &person).map_err(Error::Validation)?;
            let c = admin.caller;
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let now = self.clock.now();
            let entity = self.load_entity(tx.as_mut(), c.entity_id).await?;
            let id =
                self.add_person_login(tx.as_mut(), &entity, LoginKind::Staff, p, kinds::LOGIN_CREATED, now).await?;
            let ev = AuditEvent::new(actor_of(c), Action::LoginCreated).target(id.clone()).detail("staff");
            self.commit(tx, ctx, &[ev]).await?;
            self.wake_sms();
            Ok(id.into())
        })
        .await
    }

    /// R16: administrators delete staff and other administrators, never themselves, and
    /// never the entity account. The login's sessions end at once (R14).
    pub async fn delete_login(&self, admin: &AdminOf<'_>, ctx: &Ctx, login_id: &str) -> Result<()> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::LoginDeleted).target(login_id);
        self.refusals_audited(ctx, refusal, async move {
            let login_id = &*crate::numbers::LoginId::parse(login_id)?;
            let c = admin.caller;
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let mut login = self.live_login(tx.as_mut(), c.entity_id, login_id).await?;
            if let Some(code) = deletion_refusal(&login, &c.login_id) {
                let message = match code {
                    Code::CannotDeleteSelf => "an administrator cannot delete their own login",
                    _ => "the entity account cannot be deleted",
                };
                return Err(Error::Refused { code, message: message.into() });
            }
            erase_login(tx.as_mut(), &mut login, self.clock.now()).await?;
            let ev = AuditEvent::new(actor_of(c), Action::LoginDeleted)
                .target(login.id.clone())
                .detail(format!("was {}", login.kind.as_str()));
            self.commit(tx, ctx, &[ev]).await
        })
        .await
    }

    /// R17: the entity account removes an administrator's rights; the login stays, as staff,
    /// and its sessions end so the removed right cannot be used again.
    pub async fn remove_admin(&self, account: &EntityAccountOf<'_>, ctx: &Ctx, login_id: &str) -> Result<LoginKind> {
        let refusal = AuditEvent::new(actor_of(account.caller), Action::AdminRightsRemoved).target(login_id);
        self.refusals_audited(ctx, refusal, async move {
            let login_id = &*crate::numbers::LoginId::parse(login_id)?;
            let c = account.caller;
            let mut tx = self.store.write().await?;
            account.still_holds(tx.as_mut()).await?;
            let mut login = self.live_login(tx.as_mut(), c.entity_id, login_id).await?;
            if !login.has_admin_rights() {
                return Err(Error::conflict(Code::NotAnAdministrator, "this login has no administrator rights"));
            }
            let now = self.clock.now();
            login.kind = LoginKind::Staff;
            login.admin_removed = true;
            tx.update_login(&login).await?;
            tx.delete_login_sessions(c.entity_id, &login.id).await?;
            crate::oidc::logout::end_login(tx.as_mut(), c.entity_id, &login.id, now).await?;
            notify(tx.as_mut(), now, c.entity_id, &login.id, kinds::ADMIN_RIGHTS_REMOVED, vec![]).await?;
            let ev = AuditEvent::new(actor_of(c), Action::AdminRightsRemoved).target(login.id.clone());
            self.commit(tx, ctx, &[ev]).await?;
            Ok(login.kind)
        })
        .await
    }

    async fn counter_entity(&self, tx: &mut dyn Tx, entity_number: &str) -> Result<EntityRecord> {
        let n = EntityNumber::parse("entity_number", entity_number).map_err(|_| Error::NotFound)?;
        tx.find_entity_by_number(n.as_str()).await?.ok_or(Error::NotFound)
    }

    fn admin_count(logins: &[LoginRecord]) -> usize {
        logins.iter().filter(|l| l.kind == LoginKind::Admin && l.status != LoginStatus::Deleted).count()
    }

    /// R8: the counter restores rights the entity account removed, within the limit of three.
    pub async fn restore_admin(
        &self,
        op: &Operator,
        ctx: &Ctx,
        entity_number: &str,
        login_id: &str,
    ) -> Result<LoginKind> {
        let refusal = AuditEvent::new(Actor::Operator(op.id), Action::AdminRightsRestored)
            .target(login_id)
            .detail(format!("entity {entity_number}"));
        self.refusals_audited(ctx, refusal, async move {
            let login_id = &*crate::numbers::LoginId::parse(login_id)?;
            let mut tx = self.store.write().await?;
            let entity = self.counter_entity(tx.as_mut(), entity_number).await?;
            let mut login = self.live_login(tx.as_mut(), entity.id, login_id).await?;
            if login.kind != LoginKind::Staff || !login.admin_removed {
                return Err(Error::conflict(
                    Code::NotRemovedAdministrator,
                    "only administrator rights that were removed can be restored",
                ));
            }
            if Self::admin_count(&tx.list_logins(entity.id).await?) >= self.policy.max_admins {
                return Err(Error::conflict(
                    Code::TooManyAdministrators,
                    "an entity has at most 3 administrators at once",
                ));
            }
            let now = self.clock.now();
            login.kind = LoginKind::Admin;
            login.admin_removed = false;
            tx.update_login(&login).await?;
            notify(tx.as_mut(), now, entity.id, &login.id, kinds::ADMIN_RIGHTS_RESTORED, vec![]).await?;
            let ev = AuditEvent::new(Actor::Operator(op.id), Action::AdminRightsRestored)
                .entity(entity.id)
                .target(login.id.clone());
            self.commit(tx, ctx, &[ev]).await?;
            Ok(login.kind)
        })
        .await
    }

    /// R8: the counter adds an administrator, never beyond three at once.
    pub async fn add_admin(
        &self,
        op: &Operator,
        ctx: &Ctx,
        entity_number: &str,
        person: PersonInput,
    ) -> Result<String> {
        let refusal = AuditEvent::new(Actor::Operator(op.id), Action::AdministratorAdded)
            .detail(format!("entity {entity_number}"));
        self.refusals_audited(ctx, refusal, async move {
            let p = parse_reachable("", &person).map_err(Error::Validation)?;
            let mut tx = self.store.write().await?;
            let entity = self.counter_entity(tx.as_mut(), entity_number).await?;
            if Self::admin_count(&tx.list_logins(entity.id).await?) >= self.policy.max_admins {
                return Err(Error::conflict(
                    Code::TooManyAdministrators,
                    "an entity has at most 3 administrators at once",
                ));
            }
            let now = self.clock.now();
            let id = self
                .add_person_login(tx.as_mut(), &entity, LoginKind::Admin, p, kinds::ADMINISTRATOR_ADDED, now)
                .await?;
            let ev = AuditEvent::new(Actor::Operator(op.id), Action::AdministratorAdded)
                .entity(entity.id)
                .target(id.clone());
            self.commit(tx, ctx, &[ev]).await?;
            self.wake_sms();
            Ok(id.into())
        })
        .await
    }

    /// Every live login of the entity with its e-services (the entity account and
    /// administrators only).
    pub async fn list_logins(&self, viewer: &OverseerOf<'_>) -> Result<Vec<LoginSummary>> {
        let mut tx = self.store.read().await?;
        summaries(tx.as_mut(), viewer.caller.entity_id).await
    }

    /// The entity's live logins a page at a time, in the order of `list_logins`: up to
    /// `limit` (1–500) of them after the page whose `next` was `after`. Each page reads only
    /// its own logins and their assignments, however large the entity.
    pub async fn list_logins_page(
        &self,
        viewer: &OverseerOf<'_>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<LoginPage> {
        let mut fields = Fields::default();
        let after = after.and_then(|c| fields.take(parse_cursor(c)));
        if !(1..=MAX_PAGE).contains(&limit) {
            fields.push(FieldError::new("limit", Code::Invalid, format!("must be from 1 to {MAX_PAGE}")));
        }
        fields.finish()?;
        let entity_id = viewer.caller.entity_id;
        let mut tx = self.store.read().await?;
        // One more than asked tells whether another page follows, so the last page says so.
        let mut logins = tx.list_logins_page(entity_id, after, limit + 1).await?;
        let more = logins.len() as i64 > limit;
        logins.truncate(limit as usize);
        let next = logins.last().filter(|_| more).map(cursor_of);
        let ids: Vec<String> = logins.iter().map(|l| l.id.to_string()).collect();
        let assignments = tx.list_assignments_of(entity_id, &ids).await?;
        Ok(LoginPage { logins: with_eservices(logins, assignments), next })
    }

    /// The caller's own login, entity, e-services and e-ID state: four statements on one
    /// connection, as `/me` is among the most frequent requests.
    pub async fn me(&self, caller: &Caller) -> Result<Me> {
        let mut tx = self.store.read().await?;
        let login = tx.find_login(caller.entity_id, &caller.login_id).await?.ok_or(Error::Unauthenticated)?;
        let entity = self.load_entity(tx.as_mut(), caller.entity_id).await?;
        let eservices = tx.list_login_eservice_records(caller.entity_id, &caller.login_id).await?;
        let eid = self.eid_state_in(tx.as_mut(), &login).await?;
        Ok(Me { login, entity, eservices, eid })
    }

    /// The entity's part of the audit log (R26), for its entity account and administrators.
    pub async fn entity_audit(&self, viewer: &OverseerOf<'_>, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_audit(Some(viewer.caller.entity_id), after_seq, limit.clamp(1, 500)).await?)
    }
}

/// Deletes a live login (R16, and SCIM's DELETE): it stays as a deleted record, and its
/// sessions, assignments, e-service grants and codes end with it.
pub(crate) async fn erase_login(tx: &mut dyn Tx, login: &mut LoginRecord, now: Timestamp) -> Result<()> {
    login.status = LoginStatus::Deleted;
    login.deleted_at = Some(now);
    tx.update_login(login).await?;
    tx.replace_assignments(login.entity_id, &login.id, &[]).await?;
    end_login_access(tx, login.entity_id, &login.id, now).await?;
    // Its codes die with it: a code in flight must not bring the login back.
    for purpose in [CodePurpose::Activation, CodePurpose::PasswordReset] {
        if let Some(mut code) = tx.find_code(login.entity_id, &login.id, purpose).await? {
            code.used = true;
            tx.upsert_code(&code).await?;
        }
    }
    Ok(())
}

/// Ends everything a login is signed in with at once (R14): its sessions, and its e-service
/// grants and tokens with their back-channel logouts. Deletion and suspension (R33) call it.
pub(crate) async fn end_login_access(tx: &mut dyn Tx, entity_id: i64, login_id: &str, now: Timestamp) -> Result<()> {
    tx.delete_login_sessions(entity_id, login_id).await?;
    crate::oidc::logout::end_login(tx, entity_id, login_id, now).await?;
    Ok(())
}

/// Login ids are UUIDs; anything else names no login (and never reaches the database).
/// R16: why administrator `by_login_id` may not delete `login`, as the refusal's code: never
/// their own login (`cannot_delete_self`), never the entity account
/// (`cannot_delete_entity_account`). `None`: they may.
pub fn deletion_refusal(login: &LoginRecord, by_login_id: &str) -> Option<Code> {
    if login.id == by_login_id {
        Some(Code::CannotDeleteSelf)
    } else if login.kind == LoginKind::Entity {
        Some(Code::CannotDeleteEntityAccount)
    } else {
        None
    }
}

pub(crate) fn actor_of(c: &Caller) -> Actor {
    Actor::Login { entity_id: c.entity_id, login_id: c.login_id.clone() }
}

/// What the counter sees of an entity: its record and its live logins.
pub struct CounterEntityView {
    pub entity: EntityRecord,
    pub logins: Vec<LoginSummary>,
    /// The codes of the e-services the entity is registered with (R19).
    pub registrations: Vec<String>,
}

impl Services {
    /// The counter looks an entity up by its entity number (to add or restore
    /// administrators, reissue codes); masked data only leaves through the API.
    pub async fn lookup_entity(&self, _op: &Operator, entity_number: &str) -> Result<CounterEntityView> {
        let mut tx = self.store.read().await?;
        let entity = self.counter_entity(tx.as_mut(), entity_number).await?;
        let logins = summaries(tx.as_mut(), entity.id).await?;
        let registrations = tx.list_registrations(entity.id).await?;
        Ok(CounterEntityView { entity, logins, registrations })
    }
}

/// The entity's live logins, each with its assigned e-services.
async fn summaries(tx: &mut dyn Tx, entity_id: i64) -> Result<Vec<LoginSummary>> {
    let mut logins = tx.list_logins(entity_id).await?;
    logins.retain(|l| l.status != LoginStatus::Deleted);
    let assignments = tx.list_entity_assignments(entity_id).await?;
    Ok(with_eservices(logins, assignments))
}

/// Each login with the codes `assignments` (`login_id`, `eservice_code`) give it, in their order.
fn with_eservices(logins: Vec<LoginRecord>, assignments: Vec<(String, String)>) -> Vec<LoginSummary> {
    let mut by_login: HashMap<String, Vec<String>> = HashMap::new();
    for (login_id, code) in assignments {
        by_login.entry(login_id).or_default().push(code);
    }
    logins
        .into_iter()
        .map(|l| {
            let eservices = by_login.remove(l.id.as_str()).unwrap_or_default();
            LoginSummary { login: l, eservices }
        })
        .collect()
}

/// A page's cursor: where its last login stands in the order, `created_at:login_id`, in
/// URL-safe base64 so clients pass it back untouched rather than build one.
fn cursor_of(l: &LoginRecord) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", l.created_at.0, l.id))
}

fn parse_cursor(raw: &str) -> std::result::Result<(Timestamp, String), FieldError> {
    let bad = || FieldError::new("after", Code::Invalid, "not a cursor from a previous page's next");
    let text = URL_SAFE_NO_PAD.decode(raw).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad)?;
    let (at, id) = text.split_once(':').ok_or_else(bad)?;
    let at = at.parse::<i64>().map_err(|_| bad())?;
    let id = LoginId::parse(id).map_err(|_| bad())?;
    Ok((Timestamp(at), id.into()))
}

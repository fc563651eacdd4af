//! Activation (R9, R10): the entity account with application number + code, every other
//! login with entity number + code; the person chooses a username and a password. Codes are
//! single use, expire, and are void after five wrong tries.

use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::codes::OneTimeCode;
use crate::credentials::{PasswordPolicy, Username};
use crate::error::internal;
use crate::error::{Error, FieldError, Fields, Result};
use crate::model::*;
use crate::numbers::{ApplicationNumber, EntityNumber};
use crate::services::{Ctx, Services};
use crate::store::StoreError;
use crate::Code;

pub struct ActivateInput {
    pub application_number: Option<String>,
    pub entity_number: Option<String>,
    pub activation_code: String,
    pub username: String,
    pub password: String,
}

pub struct Activated {
    pub login_id: String,
    pub kind: LoginKind,
}

fn username_taken() -> Error {
    Error::field("username", Code::UsernameTaken, "this username is already used in this entity")
}

enum Via {
    Application(ApplicationNumber),
    Entity(EntityNumber),
}

/// An activation request whose fields all parsed.
struct ParsedActivation {
    via: Via,
    code: OneTimeCode,
    username: Username,
}

impl ActivateInput {
    /// Every field at once; the password's length too, before anything is read (its full
    /// policy needs the entity's names, so it is checked once the login is found).
    fn parse(&self, password: &PasswordPolicy) -> Result<ParsedActivation> {
        let mut f = Fields::default();
        let via = match (&self.application_number, &self.entity_number) {
            (Some(a), None) => f.take(ApplicationNumber::parse("application_number", a)).map(Via::Application),
            (None, Some(e)) => f.take(EntityNumber::parse("entity_number", e)).map(Via::Entity),
            _ => {
                f.push(FieldError::new(
                    "entity_number",
                    Code::OneOfRequired,
                    "give the application number (entity account) or the entity number (staff), not both",
                ));
                None
            }
        };
        let code = f.take(OneTimeCode::parse("activation_code", &self.activation_code));
        let username = f.take(Username::parse("username", &self.username));
        f.take(password.check_length("password", &self.password));
        match (via, code, username) {
            (Some(via), Some(code), Some(username)) if f.is_empty() => Ok(ParsedActivation { via, code, username }),
            _ => Err(Error::Validation(f.into_vec())),
        }
    }
}

impl Services {
    pub async fn activate(&self, ctx: &Ctx, input: ActivateInput) -> Result<Activated> {
        let ParsedActivation { via, code, username } = input.parse(&self.policy.password)?;
        let hash = self.vault.code_hash(code.expose());
        let (entity, login) = self.activation_target(ctx, &via, &hash, &username).await?;
        let mut context = vec![username.as_str()];
        context.extend(entity.names.all());
        let password_hash = self.hash_chosen_password(&input.password, &context).await?;

        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        // Under the write lock: the code may have been used or replaced meanwhile.
        self.spend_code(tx.as_mut(), &login, CodePurpose::Activation, &hash, now).await?;
        // And the login may have been deleted or changed meanwhile (rights removed, say):
        // activate the record as it is now, never the copy read before hashing.
        let mut login = match tx.find_login(entity.id, &login.id).await? {
            Some(l) if l.status == LoginStatus::Pending => l,
            _ => return Err(Error::InvalidCode),
        };
        login.status = LoginStatus::Active;
        login.username = Some(username.as_str().to_string());
        login.username_key = Some(username.key().to_string());
        login.password_hash = Some(password_hash);
        login.activated_at = Some(now);
        match tx.update_login(&login).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(username_taken()),
            Err(e) => return Err(e.into()),
        }
        if let Via::Entity(n) = &via {
            tx.delete_throttle(&self.activation_throttle_key(n, ctx)).await?;
        }
        let ev = AuditEvent::new(Actor::Anonymous, Action::LoginActivated).entity(entity.id).target(login.id.clone());
        self.commit(tx, ctx, &[ev]).await?;
        Ok(Activated { login_id: login.id.into(), kind: login.kind })
    }

    /// The entity and pending login a code activates, read before the password is hashed: a
    /// wrong code is counted (and answered) here, and a username another login holds is refused.
    async fn activation_target(
        &self,
        ctx: &Ctx,
        via: &Via,
        hash: &str,
        username: &Username,
    ) -> Result<(EntityRecord, LoginRecord)> {
        let now = self.clock.now();
        let (entity, record) = self.find_activation_code(ctx, via, hash, now).await?;
        let Some(record) = record else {
            return self.activation_failed(ctx, via, &entity, None).await;
        };
        if !record.accepts(hash, now, self.policy.code_max_failures) {
            return self.activation_failed(ctx, via, &entity, Some(record)).await;
        }
        let mut tx = self.store.read().await?;
        let login = tx.find_login(entity.id, &record.login_id).await?.ok_or(Error::InvalidCode)?;
        if login.status != LoginStatus::Pending
            || (login.kind == LoginKind::Entity) != matches!(via, Via::Application(_))
        {
            return Err(Error::InvalidCode);
        }
        if let Some(other) = tx.find_login_by_username(entity.id, username.key()).await? {
            if other.id != login.id {
                return Err(username_taken());
            }
        }
        Ok((entity, login))
    }

    /// The code's record. Through the application number it is the entity account's code;
    /// through the entity number, the code itself says whose it is (and the entity number
    /// may be waiting after wrong tries).
    async fn find_activation_code(
        &self,
        ctx: &Ctx,
        via: &Via,
        hash: &str,
        now: Timestamp,
    ) -> Result<(EntityRecord, Option<CodeRecord>)> {
        let mut tx = self.store.read().await?;
        match via {
            Via::Application(n) => {
                let app = tx.find_application(n.as_str()).await?;
                let Some(entity_id) = app.and_then(|a| a.entity_id) else {
                    return Err(Error::InvalidCode);
                };
                let entity = tx.find_entity(entity_id).await?.ok_or(Error::InvalidCode)?;
                let account = tx.list_logins(entity_id).await?.into_iter().find(|l| l.kind == LoginKind::Entity);
                let Some(account) = account else {
                    return Err(Error::InvalidCode);
                };
                let rec = tx.find_code(entity_id, &account.id, CodePurpose::Activation).await?;
                Ok((entity, rec))
            }
            Via::Entity(n) => {
                let entity = tx.find_entity_by_number(n.as_str()).await?.ok_or(Error::InvalidCode)?;
                let throttle_key = self.activation_throttle_key(n, ctx);
                if let Some(t) = tx.find_throttle(&throttle_key).await? {
                    if t.blocked_until > now {
                        return Err(Error::TooManyAttempts { retry_after_secs: now.secs_until(t.blocked_until) });
                    }
                }
                let rec = tx.find_code_by_hash(entity.id, CodePurpose::Activation, hash).await?;
                Ok((entity, rec.filter(|r| r.failures < self.policy.code_max_failures)))
            }
        }
    }

    /// Wrong codes typed with an entity number cannot be pinned on one login, so they are
    /// counted per entity number and source address: a typist waits after a few, a guesser
    /// from elsewhere cannot block the entity's other people, and a success clears it.
    fn activation_throttle_key(&self, n: &EntityNumber, ctx: &Ctx) -> String {
        self.vault.throttle_key("activation", &format!("{}|{}", n.as_str(), ctx.source))
    }

    /// Counts a wrong try: on the code itself when we know whose it is, else on the entity
    /// number (which then waits before the next try), so codes cannot be guessed.
    async fn activation_failed<T>(
        &self,
        ctx: &Ctx,
        via: &Via,
        entity: &EntityRecord,
        record: Option<CodeRecord>,
    ) -> Result<T> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        if let Some(r) = record {
            self.count_wrong_try(tx.as_mut(), r).await?;
        }
        if let Via::Entity(n) = via {
            let key = self.activation_throttle_key(n, ctx);
            self.record_failure(tx.as_mut(), &key, now, true).await?;
        }
        let ev = AuditEvent::new(Actor::Anonymous, Action::ActivationFailed).entity(entity.id).failed();
        self.commit(tx, ctx, &[ev]).await.map_err(|e| internal(e.to_string()))?;
        Err(Error::InvalidCode)
    }
}

impl Services {
    /// R11: an administrator or the counter can only cause a new activation code to be sent
    /// to a login that is not yet activated — never set a password. Having checked who asks,
    /// they also clear the count of wrong tries that voided the old code (R9).
    pub async fn reissue_activation_code(&self, by: Reissuer<'_>, ctx: &Ctx, login_id: &str) -> Result<()> {
        let refusal = AuditEvent::new(by.actor(), Action::ActivationCodeResent).target(login_id);
        self.refusals_audited(ctx, refusal, async move {
            let login_id = &*crate::numbers::LoginId::parse(login_id)?;
            let (entity_id, actor) = match &by {
                Reissuer::Admin(a) => (a.caller.entity_id, crate::logins::actor_of(a.caller)),
                Reissuer::Counter(op, entity_number) => {
                    let n = EntityNumber::parse("entity_number", entity_number).map_err(|_| Error::NotFound)?;
                    let mut tx = self.store.read().await?;
                    let e = tx.find_entity_by_number(n.as_str()).await?.ok_or(Error::NotFound)?;
                    (e.id, Actor::Operator(op.id))
                }
            };
            let mut tx = self.store.write().await?;
            if let Reissuer::Admin(a) = &by {
                a.still_holds(tx.as_mut()).await?;
            }
            let entity = tx.find_entity(entity_id).await?.ok_or(Error::NotFound)?;
            let login = match tx.find_login(entity_id, login_id).await? {
                Some(l) if l.status != LoginStatus::Deleted => l,
                _ => return Err(Error::NotFound),
            };
            if login.status != LoginStatus::Pending {
                return Err(Error::conflict(
                    Code::AlreadyActivated,
                    "this login is already activated; use \"need help\" to reset a password",
                ));
            }
            let app_number = if login.kind == LoginKind::Entity {
                tx.list_applications(Some(ApplicationStatus::Approved), i64::MAX)
                    .await?
                    .into_iter()
                    .find(|a| a.entity_id == Some(entity_id))
                    .map(|a| a.number)
            } else {
                None
            };
            let now = self.clock.now();
            self.issue_activation_code(tx.as_mut(), &entity, &login, app_number.as_deref(), true, now).await?;
            let ev = AuditEvent::new(actor, Action::ActivationCodeResent)
                .entity(entity_id)
                .target(login.id.clone())
                .detail("reissued");
            self.commit(tx, ctx, &[ev]).await?;
            self.wake_sms();
            Ok(())
        })
        .await
    }
}

impl Reissuer<'_> {
    fn actor(&self) -> Actor {
        match self {
            Reissuer::Admin(a) => crate::logins::actor_of(a.caller),
            Reissuer::Counter(op, _) => Actor::Operator(op.id),
        }
    }
}

/// Who may reissue an activation code: an administrator of the login's entity, or a counter
/// operator naming the entity.
pub enum Reissuer<'a> {
    Admin(&'a crate::access::AdminOf<'a>),
    Counter(&'a crate::access::Operator, &'a str),
}

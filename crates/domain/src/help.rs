//! "Need help" (R12): resend an activation code, recall a username, reset a forgotten
//! password. The public answer never depends on whether the details matched: the server
//! answers at once and the work below runs on its own, so the time does not tell either.

use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::codes::OneTimeCode;
use crate::credentials::typed_username;
use crate::crypto::Purpose;
use crate::error::internal;
use crate::error::{Error, Fields, Result};
use crate::identity::{lookup_form, MacauMobile};
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::numbers::EntityNumber;
use crate::services::{Ctx, Services};
use crate::sms::{self, SmsMessage, SmsTemplate};
use crate::store::Tx;
use crate::text::Text;

pub struct HelpInput {
    pub entity_number: String,
    pub id_document_number: String,
    pub mobile: String,
}

/// A help request whose fields parsed; built before answering, acted on after.
pub struct HelpRequest {
    entity_number: EntityNumber,
    id_lookup: String,
    mobile: MacauMobile,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HelpKind {
    ResendActivationCode,
    ForgotUsername,
    ResetPassword,
}

pub struct ResetInput {
    pub entity_number: String,
    pub username: String,
    pub reset_code: String,
    pub password: String,
}

impl Services {
    /// Checks the form (these errors say nothing about any account) and the per-source
    /// rate limit (likewise).
    pub async fn parse_help(&self, ctx: &Ctx, input: &HelpInput) -> Result<HelpRequest> {
        let mut f = Fields::default();
        let entity_number = f.take(EntityNumber::parse("entity_number", &input.entity_number));
        let id = f.take(Text::parse("id_document_number", &input.id_document_number, 40));
        let mobile = f.take(MacauMobile::parse("mobile", &input.mobile));
        let (entity_number, id, mobile) = f.finish_with(|| Some((entity_number?, id?, mobile?)))?;
        let now = self.clock.now();
        let key = self.vault.throttle_key("help-source", &ctx.source);
        let mut tx = self.store.write().await?;
        let prev = tx.find_throttle(&key).await?;
        let window = self.policy.help_window_secs;
        if let Some(t) = prev.as_ref().filter(|t| t.count_within(window, now) >= self.policy.help_max_per_source) {
            return Err(Error::TooManyAttempts { retry_after_secs: t.secs_left(window, now) });
        }
        tx.upsert_throttle(&ThrottleRecord::counted(prev, key, window, now)).await?;
        tx.commit().await?;
        Ok(HelpRequest {
            entity_number,
            id_lookup: self.vault.lookup(Purpose::IdNumber, &lookup_form(id.as_str())),
            mobile,
        })
    }

    /// Does what the request asks if — and only if — it matches a login; otherwise nothing
    /// but an audit record.
    pub async fn fulfil_help(&self, ctx: &Ctx, kind: HelpKind, req: HelpRequest) -> Result<()> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let action = match kind {
            HelpKind::ResendActivationCode => Action::ActivationCodeResent,
            HelpKind::ForgotUsername => Action::UsernameReminderSent,
            HelpKind::ResetPassword => Action::PasswordResetRequested,
        };
        let entity = tx.find_entity_by_number(req.entity_number.as_str()).await?;
        let mobile_lookup = self.vault.lookup(Purpose::Mobile, req.mobile.as_str());
        let login = match &entity {
            Some(e) => tx
                .find_logins_by_id_number(e.id, &req.id_lookup)
                .await?
                .into_iter()
                .find(|l| l.mobile_lookup == mobile_lookup && l.status != LoginStatus::Deleted),
            None => None,
        };
        let wanted = match kind {
            HelpKind::ResendActivationCode => LoginStatus::Pending,
            _ => LoginStatus::Active,
        };
        let (Some(entity), Some(login)) = (entity, login.filter(|l| l.status == wanted)) else {
            drop(tx);
            return self
                .audit_refusal(ctx, AuditEvent::new(Actor::Anonymous, action).detail("no matching login"))
                .await;
        };
        // Per login too, so one person's phone is not flooded.
        let key = self.vault.throttle_key("help-login", &login.id);
        let prev = tx.find_throttle(&key).await?;
        let window = self.policy.help_window_secs;
        let count = prev.as_ref().map(|t| t.count_within(window, now)).unwrap_or(0);
        if count >= self.policy.resend_max_per_login {
            drop(tx);
            let ev = AuditEvent::new(Actor::Anonymous, action)
                .entity(entity.id)
                .target(login.id.clone())
                .detail("rate-limited");
            return self.audit_refusal(ctx, ev).await;
        }
        tx.upsert_throttle(&ThrottleRecord::counted(prev, key, window, now)).await?;

        match kind {
            HelpKind::ResendActivationCode => self.resend_activation_code(tx.as_mut(), &entity, &login, now).await?,
            HelpKind::ForgotUsername => self.remind_username(tx.as_mut(), &entity, &login, now).await?,
            HelpKind::ResetPassword => self.send_reset_code(tx.as_mut(), &entity, &login, now).await?,
        }
        let ev = AuditEvent::new(Actor::Anonymous, action).entity(entity.id).target(login.id.clone());
        self.commit(tx, ctx, &[ev]).await?;
        self.wake_sms();
        Ok(())
    }

    /// R12: sets a new password with the SMS code; clears the lock of R13 and ends every
    /// session of the login.
    pub async fn reset_password(&self, ctx: &Ctx, input: ResetInput) -> Result<()> {
        let mut f = Fields::default();
        let number = f.take(EntityNumber::parse("entity_number", &input.entity_number));
        let code = f.take(OneTimeCode::parse("reset_code", &input.reset_code));
        let username_key = f.take(typed_username("username", &input.username));
        f.take(self.policy.password.check_length("password", &input.password));
        let (number, code, username_key) = f.finish_with(|| Some((number?, code?, username_key?)))?;
        let hash = self.vault.code_hash(code.expose());
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        let entity = tx.find_entity_by_number(number.as_str()).await?.ok_or(Error::InvalidCode)?;
        let login = tx
            .find_login_by_username(entity.id, &username_key)
            .await?
            .filter(|l| l.status == LoginStatus::Active)
            .ok_or(Error::InvalidCode)?;
        let record = tx.find_code(entity.id, &login.id, CodePurpose::PasswordReset).await?.ok_or(Error::InvalidCode)?;
        drop(tx);
        if !record.accepts(&hash, now, self.policy.code_max_failures) {
            let mut tx = self.store.write().await?;
            self.count_wrong_try(tx.as_mut(), record).await?;
            let ev = AuditEvent::new(Actor::Anonymous, Action::PasswordReset)
                .entity(entity.id)
                .target(login.id.clone())
                .failed();
            self.commit(tx, ctx, &[ev]).await?;
            return Err(Error::InvalidCode);
        }
        let mut context = vec![login.username.as_deref().unwrap_or("")];
        context.extend(entity.names.all());
        let password_hash = self.hash_chosen_password(&input.password, &context).await?;

        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        self.spend_code(tx.as_mut(), &login, CodePurpose::PasswordReset, &hash, now).await?;
        let mut login = tx.find_login(entity.id, &login.id).await?.ok_or(Error::InvalidCode)?;
        login.password_hash = Some(password_hash);
        tx.update_login(&login).await?;
        let key = self
            .vault
            .throttle_key("login", &format!("{}|{}", entity.number, login.username_key.clone().unwrap_or_default()));
        tx.delete_throttle(&key).await?;
        tx.delete_login_sessions(entity.id, &login.id).await?;
        crate::oidc::logout::end_login(tx.as_mut(), entity.id, &login.id, now).await?;
        notify(tx.as_mut(), now, entity.id, &login.id, kinds::PASSWORD_RESET, vec![]).await?;
        let ev = AuditEvent::new(Actor::Anonymous, Action::PasswordReset).entity(entity.id).target(login.id.clone());
        self.commit(tx, ctx, &[ev]).await
    }
}

impl Services {
    /// R9, R12: a pending login gets a new activation code (the entity account with its application number).
    async fn resend_activation_code(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        login: &LoginRecord,
        now: Timestamp,
    ) -> Result<()> {
        let app_number = if login.kind == LoginKind::Entity {
            tx.list_applications(Some(ApplicationStatus::Approved), i64::MAX)
                .await?
                .into_iter()
                .find(|a| a.entity_id == Some(entity.id))
                .map(|a| a.number)
        } else {
            None
        };
        self.issue_activation_code(tx, entity, login, app_number.as_deref(), false, now).await?;
        Ok(())
    }

    /// R12: the username, by SMS to the login's own mobile.
    async fn remind_username(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        login: &LoginRecord,
        now: Timestamp,
    ) -> Result<()> {
        let mobile = self.mobile_of(login)?;
        let msg = SmsMessage::new(
            &mobile,
            SmsTemplate::UsernameReminder,
            vec![("username", login.username.clone().unwrap_or_default()), ("entity_number", entity.number.clone())],
        );
        sms::enqueue(tx, &self.vault, now, &msg).await?;
        Ok(())
    }

    /// R12: a password-reset code by SMS; an unused earlier one's wrong tries carry over.
    async fn send_reset_code(
        &self,
        tx: &mut dyn Tx,
        entity: &EntityRecord,
        login: &LoginRecord,
        now: Timestamp,
    ) -> Result<()> {
        let mobile = self.mobile_of(login)?;
        // Like activation codes (R9): a new request does not reset the wrong tries
        // of an unused code, so asking again buys a guesser nothing.
        let failures = tx
            .find_code(entity.id, &login.id, CodePurpose::PasswordReset)
            .await?
            .filter(|c| !c.used)
            .map_or(0, |c| c.failures);
        let code = OneTimeCode::generate();
        tx.upsert_code(&CodeRecord {
            entity_id: entity.id,
            login_id: login.id.clone(),
            purpose: CodePurpose::PasswordReset,
            code_hash: self.vault.code_hash(code.expose()),
            expires_at: now.plus_secs(self.policy.reset_code_ttl_secs),
            failures,
            used: false,
        })
        .await?;
        let msg = SmsMessage::new(
            &mobile,
            SmsTemplate::PasswordResetCode,
            vec![
                ("code", code.display()),
                ("entity_number", entity.number.clone()),
                ("valid_until", now.plus_secs(self.policy.reset_code_ttl_secs).macau_minute()),
            ],
        );
        sms::enqueue(tx, &self.vault, now, &msg).await?;
        Ok(())
    }

    pub(crate) fn mobile_of(&self, login: &LoginRecord) -> Result<MacauMobile> {
        Ok(MacauMobile::from_stored(self.vault.open(Purpose::Mobile, &login.mobile_sealed).map_err(internal)?))
    }
}

//! Counter operators: created from the command line, signed in with username and password,
//! throttled like logins.

use crate::access::{Operator, Principal};
use crate::audit::{Action, Actor, AuditEvent};
use crate::credentials::{typed_password, typed_username, Username};
use crate::crypto::{random_token, token_hash};
use crate::error::{Error, Fields, Result};
use crate::model::{OperatorRecord, SessionRecord, SessionSubject};
use crate::services::{Ctx, Services};
use crate::store::StoreError;
use crate::Code;

impl Services {
    pub async fn create_operator(&self, username: &str, password: &str) -> Result<i64> {
        let username = Username::parse("username", username).map_err(|e| Error::Validation(vec![e]))?;
        let password = self
            .policy
            .password
            .check("password", password, &[username.as_str()])
            .map_err(|e| Error::Validation(vec![e]))?;
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let id = match tx
            .insert_operator(&OperatorRecord {
                id: 0,
                username: username.as_str().to_string(),
                username_key: username.key().to_string(),
                password_hash: hash,
                created_at: now,
            })
            .await
        {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => {
                return Err(Error::field("username", Code::UsernameTaken, "this operator exists"))
            }
            Err(e) => return Err(e.into()),
        };
        let ev = AuditEvent::new(Actor::System, Action::OperatorCreated).target(format!("operator:{id}"));
        self.commit(tx, &Ctx::system(), &[ev]).await?;
        Ok(id)
    }

    pub async fn operator_login(&self, ctx: &Ctx, username: &str, password: &str) -> Result<String> {
        let mut f = Fields::default();
        let key = f.take(typed_username("username", username));
        let pw = f.take(typed_password("password", password));
        let (key, pw) = f.finish_with(|| Some((key?, pw?)))?;
        let login_key = self.vault.throttle_key("operator", &key);
        let source_key = self.vault.throttle_key("source", &ctx.source);
        let mut tx = self.store.read().await?;
        self.check_throttles(tx.as_mut(), &login_key, &source_key, self.clock.now()).await?;
        let op = tx.find_operator_by_key(&key).await?;
        drop(tx);
        let ok = match &op {
            Some(o) => self.hasher.verify(pw, o.password_hash.clone()).await?,
            None => {
                self.hasher.verify_dummy(pw).await?;
                false
            }
        };
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        match (ok, op) {
            (true, Some(o)) => {
                self.check_throttles(tx.as_mut(), &login_key, &source_key, now).await?;
                tx.delete_throttle(&login_key).await?;
                let token = random_token();
                tx.insert_session(&SessionRecord {
                    token_hash: token_hash(&token),
                    subject: SessionSubject::Operator,
                    entity_id: None,
                    login_id: None,
                    operator_id: Some(o.id),
                    created_at: now,
                    last_seen_at: now,
                    expires_at: now.plus_secs(self.policy.session_absolute_secs),
                })
                .await?;
                self.commit(tx, ctx, &[AuditEvent::new(Actor::Operator(o.id), Action::OperatorLogin)]).await?;
                Ok(token)
            }
            _ => {
                self.record_failure(tx.as_mut(), &login_key, now, true).await?;
                self.record_failure(tx.as_mut(), &source_key, now, false).await?;
                self.commit(tx, ctx, &[AuditEvent::new(Actor::Anonymous, Action::OperatorLogin).failed()]).await?;
                Err(Error::InvalidCredentials)
            }
        }
    }
}

/// The operator behind a principal, or `Forbidden` for an entity's login.
pub fn require_operator(p: &Principal) -> Result<&Operator> {
    match p {
        Principal::Operator(o) => Ok(o),
        Principal::Login(_) => Err(Error::Forbidden),
    }
}

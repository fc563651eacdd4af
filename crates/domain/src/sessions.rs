//! Signing in and staying signed in (R13, R14): entity number + username + password for
//! every login alike, answers that do not reveal which part was wrong, throttling per login
//! name and per source address kept in the database (so it holds across nodes), the
//! 100-failure lock, and sessions with idle and absolute timeouts checked on every request.

use crate::access::{Caller, Operator, Principal};
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::credentials::{typed_password, typed_username};
use crate::crypto::{random_token, token_hash};
use crate::error::{Error, Fields, Result};
use crate::model::{LoginKind, LoginStatus, SessionRecord, SessionSubject, ThrottleRecord};
use crate::numbers::EntityNumber;
use crate::services::{Ctx, Services};
use crate::store::Tx;

pub struct LoginInput {
    pub entity_number: String,
    pub username: String,
    pub password: String,
}

pub struct SignedIn {
    pub token: String,
    pub login_id: String,
    pub kind: LoginKind,
}

/// Spent OAuth and enrolment rows are kept this long past their end (for investigations
/// that start from them), then purged.
pub const PURGE_AFTER_SECS: i64 = 24 * 3600;

/// Sessions refresh their last-seen time at most this often, so reads stay reads.
const TOUCH_EVERY_SECS: i64 = 60;

impl Services {
    pub async fn login(&self, ctx: &Ctx, input: LoginInput) -> Result<SignedIn> {
        let mut fields = Fields::default();
        let number = fields.take(EntityNumber::parse("entity_number", &input.entity_number));
        let username_key = fields.take(typed_username("username", &input.username));
        let password = fields.take(typed_password("password", &input.password));
        let (number, username_key, password) = fields.finish_with(|| Some((number?, username_key?, password?)))?;
        let login_key = self.vault.throttle_key("login", &format!("{}|{}", number.as_str(), username_key));
        let source_key = self.vault.throttle_key("source", &ctx.source);
        let now = self.clock.now();

        let mut tx = self.store.read().await?;
        self.check_throttles(tx.as_mut(), &login_key, &source_key, now).await?;
        let entity = tx.find_entity_by_number(number.as_str()).await?;
        let login = match &entity {
            Some(e) => tx.find_login_by_username(e.id, &username_key).await?,
            None => None,
        };
        drop(tx);

        let verified = match login.as_ref().filter(|l| l.status == LoginStatus::Active) {
            Some(l) => match &l.password_hash {
                Some(h) => self.hasher.verify(password, h.clone()).await?,
                None => {
                    self.hasher.verify_dummy(password).await?;
                    false
                }
            },
            None => {
                self.hasher.verify_dummy(password).await?;
                false
            }
        };

        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        match (verified, login) {
            (true, Some(l)) => {
                // Re-checked under the write lock: concurrent failures may have locked it meanwhile.
                self.check_throttles(tx.as_mut(), &login_key, &source_key, now).await?;
                tx.delete_throttle(&login_key).await?;
                let token = random_token();
                tx.insert_session(&SessionRecord {
                    token_hash: token_hash(&token),
                    subject: SessionSubject::Login,
                    entity_id: Some(l.entity_id),
                    login_id: Some(l.id.clone()),
                    operator_id: None,
                    created_at: now,
                    last_seen_at: now,
                    expires_at: now.plus_secs(self.policy.session_absolute_secs),
                })
                .await?;
                let actor = Actor::Login { entity_id: l.entity_id, login_id: l.id.clone() };
                self.commit(tx, ctx, &[AuditEvent::new(actor, Action::LoginSucceeded).target(l.id.clone())]).await?;
                Ok(SignedIn { token, login_id: l.id.into(), kind: l.kind })
            }
            (_, login) => {
                let failures = self.record_failure(tx.as_mut(), &login_key, now, true).await?;
                self.record_failure(tx.as_mut(), &source_key, now, false).await?;
                let mut events = vec![];
                let mut ev = AuditEvent::new(Actor::Anonymous, Action::LoginFailed).failed();
                if let (Some(e), Some(l)) = (&entity, &login) {
                    ev = ev.entity(e.id).target(l.id.clone());
                }
                events.push(ev.detail(format!("consecutive failures: {failures}")));
                if failures == self.policy.login_lock_failures {
                    let mut lock = AuditEvent::new(Actor::System, Action::LoginLocked).failed();
                    if let (Some(e), Some(l)) = (&entity, &login) {
                        lock = lock.entity(e.id).target(l.id.clone());
                    }
                    events.push(lock);
                }
                self.commit(tx, ctx, &events).await?;
                Err(Error::InvalidCredentials)
            }
        }
    }

    /// Refuses while a login name or a source address is throttled or locked; the password
    /// is not even looked at, so a right password does not get through (R13).
    pub(crate) async fn check_throttles(
        &self,
        tx: &mut dyn Tx,
        login_key: &str,
        source_key: &str,
        now: Timestamp,
    ) -> Result<()> {
        if let Some(t) = tx.find_throttle(login_key).await? {
            if t.failures >= self.policy.login_lock_failures {
                return Err(Error::PasswordLocked);
            }
            if t.blocked_until > now {
                return Err(Error::TooManyAttempts { retry_after_secs: now.secs_until(t.blocked_until) });
            }
        }
        if let Some(t) = tx.find_throttle(source_key).await? {
            if t.blocked_until > now {
                return Err(Error::TooManyAttempts { retry_after_secs: now.secs_until(t.blocked_until) });
            }
        }
        Ok(())
    }

    /// Counts one failure. For a login name the count is consecutive and the delay grows
    /// (1 s, 2 s, 4 s … up to the maximum) after the free failures. For a source address the
    /// count lasts until a quiet window passes; its delays grow too (up to a minute), and
    /// once the count is full the address is refused for a whole window.
    pub(crate) async fn record_failure(
        &self,
        tx: &mut dyn Tx,
        key: &str,
        now: Timestamp,
        consecutive: bool,
    ) -> Result<i64> {
        let p = &self.policy;
        let prev = tx.find_throttle(key).await?;
        let mut failures = prev.as_ref().map(|t| t.failures).unwrap_or(0);
        if !consecutive {
            if let Some(t) = &prev {
                if t.last_failure_at.plus_secs(p.source_window_secs) < now {
                    failures = 0;
                }
            }
        }
        failures += 1;
        let growing = |free: i64, cap: i64| {
            if failures > free {
                let exp = (failures - free - 1).min(20) as u32;
                now.plus_secs((1i64 << exp).min(cap))
            } else {
                now
            }
        };
        let blocked_until = if consecutive {
            growing(p.login_free_failures, p.login_max_delay_secs)
        } else if failures >= p.source_max_failures {
            // A source that keeps failing is shut out for a whole quiet window.
            now.plus_secs(p.source_window_secs)
        } else {
            growing(p.source_free_failures, p.source_max_delay_secs)
        };
        tx.upsert_throttle(&ThrottleRecord { key: key.to_string(), failures, last_failure_at: now, blocked_until })
            .await?;
        Ok(failures)
    }

    /// The principal behind a bearer token or session cookie, or `Unauthenticated`. Checks
    /// the timeouts and that the login still exists with its rights: a deleted login or a
    /// removed right is refused on the very next request (R14).
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        let hash = token_hash(token);
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        // One statement: every authenticated request pays for it.
        let Some(holder) = tx.find_session_holder(&hash).await? else {
            return Err(Error::Unauthenticated);
        };
        let s = &holder.session;
        if now >= s.expires_at || now >= s.last_seen_at.plus_secs(self.policy.session_idle_secs) {
            drop(tx);
            self.end_sessions(&[hash]).await?;
            return Err(Error::Unauthenticated);
        }
        let principal = match s.subject {
            SessionSubject::Operator => {
                let (Some(id), Some(username)) = (s.operator_id, holder.operator_username) else {
                    return Err(Error::Unauthenticated);
                };
                Principal::Operator(Operator { id, username, token_hash: hash.clone() })
            }
            SessionSubject::Login => {
                let (Some(entity_id), Some(login_id), Some(kind), Some(entity_number)) =
                    (s.entity_id, s.login_id.clone(), holder.login_kind, holder.entity_number)
                else {
                    return Err(Error::Unauthenticated);
                };
                if holder.login_status != Some(LoginStatus::Active) {
                    return Err(Error::Unauthenticated);
                }
                Principal::Login(Caller {
                    entity_id,
                    entity_number,
                    login_id,
                    kind,
                    token_hash: hash.clone(),
                    signed_in_at: s.created_at,
                })
            }
        };
        if now >= s.last_seen_at.plus_secs(TOUCH_EVERY_SECS) {
            tx.touch_session(&hash, now).await?;
        }
        Ok(principal)
    }

    /// Ends sessions that timed out: deleted, and the e-service sessions begun from them
    /// ended with back-channel logouts (R14).
    pub async fn end_sessions(&self, token_hashes: &[String]) -> Result<()> {
        if token_hashes.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        for hash in token_hashes {
            tx.delete_session(hash).await?;
            crate::oidc::logout::end_session(tx.as_mut(), hash, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Finds and ends up to `limit` timed-out sessions; returns how many. Run periodically,
    /// so sessions nobody presents again still end on time.
    pub async fn end_expired_sessions(&self, limit: i64) -> Result<usize> {
        let now = self.clock.now();
        let idle_before = now.plus_secs(-self.policy.session_idle_secs);
        let hashes = {
            let mut tx = self.store.read().await?;
            tx.expired_sessions(now, idle_before, limit).await?
        };
        self.end_sessions(&hashes).await?;
        Ok(hashes.len())
    }

    /// Deletes what can no longer be used and is older than a day past its end: OAuth codes,
    /// tokens and revoked grants, used assertions, delivered logout messages, expired
    /// enrolments. The audit log keeps the history; these tables only serve live requests.
    pub async fn purge_expired(&self) -> Result<u64> {
        let before = self.clock.now().plus_secs(-PURGE_AFTER_SECS);
        let mut tx = self.store.write().await?;
        let n =
            tx.purge_oidc(before).await? + tx.purge_enrolments(before).await? + tx.purge_machine_tokens(before).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn logout(&self, ctx: &Ctx, principal: &Principal) -> Result<()> {
        let mut tx = self.store.write().await?;
        let (hash, actor) = match principal {
            Principal::Login(c) => {
                (&c.token_hash, Actor::Login { entity_id: c.entity_id, login_id: c.login_id.clone() })
            }
            Principal::Operator(o) => (&o.token_hash, Actor::Operator(o.id)),
        };
        tx.delete_session(hash).await?;
        crate::oidc::logout::end_session(tx.as_mut(), hash, self.clock.now()).await?;
        self.commit(tx, ctx, &[AuditEvent::new(actor, Action::Logout)]).await
    }
}

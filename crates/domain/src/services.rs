//! The one object the transports call: it holds the ports and the policy, and each module of
//! this crate adds the methods for its rules (`applications.rs`, `activation.rs`, …).

use crate::group_commit::{GroupCommit, Issuance};
use std::sync::Arc;

use crate::audit::{self, AuditEvent};
use crate::clock::Clock;
use crate::config::Policy;
use crate::crypto::Vault;
use crate::error::{Error, Result};
use crate::password_hash::PasswordHasher;
use crate::store::{Store, Tx};

/// Where a request came from, for the audit log and per-source throttling.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub source: String,
}

impl Ctx {
    pub fn new(source: impl Into<String>) -> Self {
        Ctx { source: source.into() }
    }
    pub fn system() -> Self {
        Ctx { source: "system".into() }
    }
}

pub struct Services {
    pub store: Arc<dyn Store>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub clock: Arc<dyn Clock>,
    pub vault: Arc<Vault>,
    pub policy: Policy,
    /// Called after a commit that queued SMS, so the delivery worker need not wait to poll.
    pub sms_queued: Arc<dyn Fn() + Send + Sync>,
    /// client_credentials tokens waiting for the next group commit.
    pub issue_queue: GroupCommit<Issuance>,
}

impl Services {
    /// Appends the audit records to the transaction and commits both together (R26).
    pub(crate) async fn commit(&self, mut tx: Box<dyn Tx>, ctx: &Ctx, events: &[AuditEvent]) -> Result<()> {
        audit::append(tx.as_mut(), &self.vault, self.clock.now(), &ctx.source, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a refused request: the refusal is the only trace it leaves.
    pub(crate) async fn audit_refusal(&self, ctx: &Ctx, event: AuditEvent) -> Result<()> {
        let tx = self.store.write().await?;
        self.commit(tx, ctx, &[event.failed()]).await
    }

    /// Runs one write service; when it refuses because of the state it found (a conflict, a
    /// forbidden act), the refusal is recorded on its own after the service's transaction
    /// was dropped — a refused request leaves its audit record and nothing else.
    pub(crate) async fn refusals_audited<T>(
        &self,
        ctx: &Ctx,
        refusal: AuditEvent,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        match work.await {
            Err(e @ (Error::Conflict { .. } | Error::Refused { .. })) => {
                let (Error::Conflict { code, .. } | Error::Refused { code, .. }) = &e else { unreachable!() };
                let detail = [refusal.detail.as_str(), &format!("refused: {code}")].join(" ").trim().to_string();
                self.audit_refusal(ctx, refusal.detail(detail)).await?;
                Err(e)
            }
            other => other,
        }
    }

    /// `refusals_audited`, and bad input audited too, with the fields and codes it named: for
    /// the decisions about who may use what (R28–R31, R37), where a refused attempt is itself
    /// worth the entity's audit.
    pub(crate) async fn attempts_audited<T>(
        &self,
        ctx: &Ctx,
        refusal: AuditEvent,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        match self.refusals_audited(ctx, refusal.clone(), work).await {
            Err(Error::Validation(list)) => {
                let named = list.iter().map(|e| format!("{}: {}", e.field, e.code)).collect::<Vec<_>>().join(", ");
                let detail = [refusal.detail.as_str(), &format!("refused: {named}")].join(" ").trim().to_string();
                self.audit_refusal(ctx, refusal.detail(detail)).await?;
                Err(Error::Validation(list))
            }
            other => other,
        }
    }

    /// The SMS outbox for operators: messages not yet delivered, and how long (seconds) the
    /// oldest of them has waited.
    pub async fn sms_backlog(&self) -> Result<(i64, Option<i64>)> {
        let mut tx = self.store.read().await?;
        let (count, oldest) = tx.sms_backlog().await?;
        let now = self.clock.now();
        Ok((count, oldest.map(|t| t.secs_until(now).max(0))))
    }

    pub fn db_pool(&self) -> crate::store::PoolStats {
        self.store.pool_stats()
    }

    pub(crate) fn wake_sms(&self) {
        (self.sms_queued)();
    }

    /// The key check at start: a database written under one master key refuses another.
    pub async fn check_master_key(&self) -> Result<()> {
        let mut tx = self.store.write().await?;
        let fp = self.vault.fingerprint();
        match tx.find_meta("master_key_fingerprint").await? {
            Some(stored) if stored == fp => Ok(()),
            Some(_) => Err(crate::Error::Internal(
                "this database was written with another master key; refusing to start".into(),
            )),
            None => {
                tx.insert_meta("master_key_fingerprint", &fp).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    }

    pub async fn ready(&self) -> bool {
        self.store.ping().await.is_ok()
    }
}

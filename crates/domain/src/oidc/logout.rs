//! Ending e-service sessions: when a login is deleted, loses an e-service, has its
//! password reset, or its single sign-on session ends, its grants are revoked and each
//! e-service with a back-channel logout URI gets a logout token. Both are written in the
//! transaction of the change that causes them; a worker delivers the tokens.

use crate::clock::Timestamp;
use crate::crypto::sid_of;
use crate::error::Result;
use crate::model::oidc::{GrantRecord, LogoutRecord};
use crate::services::Services;
use crate::store::{StoreResult, Tx};

/// Revokes the grants and, when `tell_clients`, queues one logout token per e-service and
/// session among them.
pub(crate) async fn end_grants(
    tx: &mut dyn Tx,
    grants: &[GrantRecord],
    now: Timestamp,
    tell_clients: bool,
) -> StoreResult<()> {
    let mut told: Vec<(String, Option<String>)> = Vec::new();
    for g in grants {
        tx.revoke_grant(&g.id, now).await?;
        let Some(sub) = g.login_id.as_deref() else { continue };
        let key = (g.client_id.clone(), g.sid.clone());
        if !tell_clients || told.contains(&key) {
            continue;
        }
        let has_uri = tx.find_client(&g.client_id).await?.is_some_and(|c| c.backchannel_logout_uri.is_some());
        if has_uri {
            tx.insert_logout(&g.client_id, sub, g.sid.as_deref(), now).await?;
        }
        told.push(key);
    }
    Ok(())
}

/// Every e-service session of a login (deleted, password reset).
pub(crate) async fn end_login(tx: &mut dyn Tx, entity_id: i64, login_id: &str, now: Timestamp) -> StoreResult<()> {
    let grants = tx.live_grants_of_login(entity_id, login_id, None).await?;
    end_grants(tx, &grants, now, true).await
}

/// A login's own sessions with the e-services it no longer may use (sign-ins for another
/// entity under a mandate hang on the mandate, not on the login's own assignments).
pub(crate) async fn end_login_eservices(
    tx: &mut dyn Tx,
    entity_id: i64,
    login_id: &str,
    removed: &[String],
    now: Timestamp,
) -> StoreResult<()> {
    for code in removed {
        let mut grants = tx.live_grants_of_login(entity_id, login_id, Some(code)).await?;
        grants.retain(|g| g.on_behalf.is_none());
        end_grants(tx, &grants, now, true).await?;
    }
    Ok(())
}

/// The e-service sessions begun from one single sign-on session (its token's hash).
pub(crate) async fn end_session(tx: &mut dyn Tx, session_token_hash: &str, now: Timestamp) -> StoreResult<()> {
    let grants = tx.live_grants_of_sid(&sid_of(session_token_hash)).await?;
    end_grants(tx, &grants, now, true).await
}

/// A logout token leased for delivery, with where it goes.
pub struct PendingLogout {
    pub record: LogoutRecord,
    pub uri: Option<String>,
}

impl Services {
    pub async fn lease_logouts(&self, owner: &str, lease_secs: i64, limit: i64) -> Result<Vec<PendingLogout>> {
        let mut tx = self.store.read().await?;
        let now = self.clock.now();
        let leased = tx.lease_logouts(now, now.plus_secs(lease_secs), owner, limit).await?;
        let mut out = Vec::with_capacity(leased.len());
        for record in leased {
            let uri = tx.find_client(&record.client_id).await?.and_then(|c| c.backchannel_logout_uri);
            out.push(PendingLogout { record, uri });
        }
        Ok(out)
    }

    pub async fn logout_delivered(&self, id: i64, owner: &str) -> Result<()> {
        let mut tx = self.store.read().await?;
        Ok(tx.mark_logout_delivered(id, owner, self.clock.now()).await?)
    }

    pub async fn logout_retry(&self, id: i64, owner: &str, after_secs: i64, error: &str) -> Result<()> {
        let mut tx = self.store.read().await?;
        let now = self.clock.now();
        Ok(tx.mark_logout_retry(id, owner, now.plus_secs(after_secs), error).await?)
    }
}

//! The provider's part of the storage port (clients, codes, grants, tokens, keys, logouts).

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::oidc::*;

#[async_trait::async_trait]
pub trait OidcTx: Send {
    async fn insert_client(&mut self, c: &ClientRecord) -> StoreResult<()>;
    async fn find_client(&mut self, client_id: &str) -> StoreResult<Option<ClientRecord>>;
    async fn list_clients(&mut self) -> StoreResult<Vec<ClientRecord>>;
    /// Records a client assertion's `jti`; false when the client used it before.
    async fn record_assertion(
        &mut self,
        client_id: &str,
        jti: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn update_client(&mut self, c: &ClientRecord) -> StoreResult<()>;
    async fn update_client_secret(&mut self, client_id: &str, secret_hash: &str, at: Timestamp) -> StoreResult<()>;

    async fn insert_oidc_code(&mut self, c: &CodeRecord) -> StoreResult<()>;
    async fn find_oidc_code(&mut self, code_hash: &str) -> StoreResult<Option<CodeRecord>>;
    /// Marks the code redeemed into `grant_id`; false when it already was.
    async fn redeem_oidc_code(&mut self, code_hash: &str, grant_id: &str) -> StoreResult<bool>;

    async fn insert_grant(&mut self, g: &GrantRecord) -> StoreResult<()>;
    async fn find_grant(&mut self, id: &str) -> StoreResult<Option<GrantRecord>>;
    async fn revoke_grant(&mut self, id: &str, at: Timestamp) -> StoreResult<()>;
    /// Live (unrevoked) grants of a login, optionally only those of one client.
    async fn live_grants_of_login(
        &mut self,
        entity_id: i64,
        login_id: &str,
        client_id: Option<&str>,
    ) -> StoreResult<Vec<GrantRecord>>;
    async fn live_grants_of_sid(&mut self, sid: &str) -> StoreResult<Vec<GrantRecord>>;
    /// Moves what hangs on a single sign-on session (unredeemed codes, grants by `sid`) to the
    /// session that replaces it (R14: a new session id at step-up).
    async fn rebind_session(&mut self, old_hash: &str, new_hash: &str, old_sid: &str, new_sid: &str)
        -> StoreResult<()>;

    async fn insert_token(&mut self, t: &TokenRecord) -> StoreResult<()>;
    /// A token with the grant it belongs to, read in one statement: every use of a token
    /// (introspection, userinfo, refresh, revocation) needs both.
    async fn find_token_with_grant(&mut self, token_hash: &str) -> StoreResult<Option<(TokenRecord, GrantRecord)>>;
    /// Marks a refresh token exchanged; false when it already was.
    async fn use_token(&mut self, token_hash: &str, at: Timestamp) -> StoreResult<bool>;

    async fn insert_signing_key(&mut self, k: &SigningKeyRecord) -> StoreResult<()>;
    async fn retire_signing_keys(&mut self, at: Timestamp) -> StoreResult<()>;
    /// Every key, newest first.
    async fn list_signing_keys(&mut self) -> StoreResult<Vec<SigningKeyRecord>>;

    async fn insert_logout(&mut self, client_id: &str, sub: &str, sid: Option<&str>, at: Timestamp) -> StoreResult<()>;
    async fn lease_logouts(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<LogoutRecord>>;
    async fn mark_logout_delivered(&mut self, id: i64, owner: &str, at: Timestamp) -> StoreResult<()>;
    async fn mark_logout_retry(&mut self, id: i64, owner: &str, next: Timestamp, error: &str) -> StoreResult<()>;

    /// Sessions past their absolute or idle timeout, to end (and tell e-services about).
    async fn expired_sessions(
        &mut self,
        now: Timestamp,
        idle_before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<String>>;

    /// Deletes what can no longer be used: codes and tokens expired before `before`, grants
    /// revoked before it (with their tokens), delivered back-channel messages older than it.
    /// Returns the rows deleted.
    async fn purge_oidc(&mut self, before: Timestamp) -> StoreResult<u64>;

    async fn delete_registration(&mut self, entity_id: i64, code: &str) -> StoreResult<bool>;
}

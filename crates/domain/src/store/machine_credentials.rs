//! The storage port for machine credentials (R36): the entity's own software, its tokens
//! (each read with its credential in one statement), its one-use client assertions, and the
//! ending notices (R29).

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::{MachineCredentialRecord, MachineTokenFacts, MachineTokenRecord};

#[async_trait::async_trait]
pub trait MachineCredentialsTx: Send {
    /// The credential and its e-services.
    async fn insert_machine_credential(&mut self, c: &MachineCredentialRecord) -> StoreResult<()>;
    /// A credential by its client id, whichever entity's (the token endpoint knows no entity).
    async fn find_machine_credential(&mut self, client_id: &str) -> StoreResult<Option<MachineCredentialRecord>>;
    /// The entity's credentials, by name.
    async fn list_machine_credentials(&mut self, entity_id: i64) -> StoreResult<Vec<MachineCredentialRecord>>;
    /// Replaces the credential's e-services; false when the entity has no such credential.
    async fn update_machine_credential_eservices(
        &mut self,
        entity_id: i64,
        client_id: &str,
        eservices: &[String],
    ) -> StoreResult<bool>;
    /// Deletes the credential with its e-services, tokens and assertions; false when the
    /// entity has no such credential.
    async fn delete_machine_credential(&mut self, entity_id: i64, client_id: &str) -> StoreResult<bool>;
    /// Sets `last_used_at` to `now` unless it is already after `before` (at most once a minute).
    async fn record_machine_use(
        &mut self,
        entity_id: i64,
        client_id: &str,
        now: Timestamp,
        before: Timestamp,
    ) -> StoreResult<()>;
    async fn insert_machine_token(&mut self, t: &MachineTokenRecord) -> StoreResult<()>;
    /// A token with what its every use decides on, in one statement.
    async fn find_machine_token(&mut self, token_hash: &str) -> StoreResult<Option<MachineTokenFacts>>;
    /// Records a client assertion's `jti`; false when the credential used it before.
    async fn record_machine_assertion(
        &mut self,
        entity_id: i64,
        client_id: &str,
        jti: &str,
        expires_at: Timestamp,
    ) -> StoreResult<bool>;
    /// Credentials unended at `now` whose end comes before one of `thresholds` (instants,
    /// with their days) with no notice of that many days or fewer sent yet.
    async fn list_ending_machine_credentials(
        &mut self,
        now: Timestamp,
        thresholds: &[(i64, Timestamp)],
        limit: i64,
    ) -> StoreResult<Vec<MachineCredentialRecord>>;
    async fn set_machine_credential_warned(&mut self, entity_id: i64, client_id: &str, days: i64) -> StoreResult<()>;
    /// Deletes tokens and assertions expired before `before`; returns the rows deleted.
    async fn purge_machine_tokens(&mut self, before: Timestamp) -> StoreResult<u64>;
}

//! The e-ID part of the storage port (enrolment keys, enrolments, per-login e-ID records).

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::eid::*;

#[async_trait::async_trait]
pub trait EidTx: Send {
    async fn find_eid(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Option<EidRecord>>;
    async fn upsert_eid(&mut self, r: &EidRecord) -> StoreResult<()>;

    async fn insert_enrolment(&mut self, e: &EnrolmentRecord) -> StoreResult<()>;
    async fn find_enrolment(&mut self, entity_id: i64, id: &str) -> StoreResult<Option<EnrolmentRecord>>;
    /// False when it was used already.
    async fn use_enrolment(&mut self, entity_id: i64, id: &str, at: Timestamp) -> StoreResult<bool>;

    async fn insert_eid_key(&mut self, k: &EidKeyRecord) -> StoreResult<()>;
    /// The newest enrolment key.
    async fn find_eid_key(&mut self) -> StoreResult<Option<EidKeyRecord>>;

    /// Deletes enrolments that expired before `before`; returns how many.
    async fn purge_enrolments(&mut self, before: Timestamp) -> StoreResult<u64>;

    async fn set_step_up(&mut self, token_hash: &str, at: Timestamp, method: &str) -> StoreResult<()>;
    async fn find_step_up(&mut self, token_hash: &str) -> StoreResult<Option<(Timestamp, String)>>;
}

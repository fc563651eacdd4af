//! The storage port for the SMS outbox: messages written in the transaction that causes
//! them, leased by the delivering node, in order per number, and wiped once delivered.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::OutboxRecord;

#[async_trait::async_trait]
pub trait SmsOutboxTx: Send {
    /// Queues a message; `recipient_key` (the number's lookup hash) orders messages to one number.
    async fn insert_sms(&mut self, payload_sealed: &[u8], recipient_key: &str, at: Timestamp) -> StoreResult<i64>;
    /// Leases up to `limit` due messages to `owner` until `lease_until`; a message leased by a
    /// node that died becomes due again when its lease runs out.
    async fn lease_sms(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRecord>>;
    async fn mark_sms_delivered(&mut self, id: i64, owner: &str, at: Timestamp) -> StoreResult<()>;
    /// Whether a message queued before `id` to the same number is still undelivered (then
    /// `id` must wait: messages to one number arrive in order).
    async fn sms_waits_for_earlier(&mut self, id: i64) -> StoreResult<bool>;
    /// Ends the leases `owner` holds: a node restarted under the same identity takes back what
    /// its killed process had leased instead of waiting for the leases to run out.
    async fn release_sms_leases(&mut self, owner: &str) -> StoreResult<u64>;
    async fn mark_sms_retry(
        &mut self,
        id: i64,
        owner: &str,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> StoreResult<()>;
    async fn sms_backlog(&mut self) -> StoreResult<(i64, Option<Timestamp>)>;
}

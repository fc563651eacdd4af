//! The storage port for throttling counters (R7 misses, R12 requests): kept in the
//! database by key, so every node counts the same window.

use crate::error::StoreResult;
use crate::model::ThrottleRecord;

#[async_trait::async_trait]
pub trait ThrottlesTx: Send {
    async fn find_throttle(&mut self, key: &str) -> StoreResult<Option<ThrottleRecord>>;
    async fn upsert_throttle(&mut self, t: &ThrottleRecord) -> StoreResult<()>;
    async fn delete_throttle(&mut self, key: &str) -> StoreResult<()>;
}

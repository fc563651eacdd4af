//! The storage port for access reviews (R30): each entity's current cycle, the items its
//! review removed, and the finished reviews with their sealed reports.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::{FinishedReview, ReviewCycle, ReviewRemoval};

#[async_trait::async_trait]
pub trait ReviewsTx: Send {
    async fn find_review_cycle(&mut self, entity_id: i64) -> StoreResult<Option<ReviewCycle>>;
    async fn put_review_cycle(&mut self, entity_id: i64, cycle: &ReviewCycle) -> StoreResult<()>;
    /// Up to `limit` entities whose cycle fell due by `now` and was not announced since it
    /// started; an entity with no stored cycle is due `first_cycle_secs` after its creation.
    async fn list_unannounced_due_cycles(
        &mut self,
        now: Timestamp,
        first_cycle_secs: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, ReviewCycle)>>;
    async fn insert_review_removal(&mut self, entity_id: i64, r: &ReviewRemoval) -> StoreResult<()>;
    /// The items removed at or after `since`, oldest first.
    async fn list_review_removals(&mut self, entity_id: i64, since: Timestamp) -> StoreResult<Vec<ReviewRemoval>>;
    async fn insert_finished_review(&mut self, entity_id: i64, r: &FinishedReview) -> StoreResult<()>;
    async fn latest_finished_review(&mut self, entity_id: i64) -> StoreResult<Option<FinishedReview>>;
}

//! The storage port for entities: created by an approved application, found by number,
//! by registration (R5) or by id.

use crate::error::StoreResult;
use crate::model::EntityRecord;

#[async_trait::async_trait]
pub trait EntitiesTx: Send {
    async fn insert_entity(&mut self, e: &EntityRecord) -> StoreResult<i64>;
    async fn find_entity_by_number(&mut self, number: &str) -> StoreResult<Option<EntityRecord>>;
    async fn find_entity_by_registration(&mut self, lookup: &str) -> StoreResult<Option<EntityRecord>>;
    async fn find_entity(&mut self, id: i64) -> StoreResult<Option<EntityRecord>>;
}

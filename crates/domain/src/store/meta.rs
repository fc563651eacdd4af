//! The storage port for the database's own facts: meta values (the master key's
//! fingerprint, …) and the named sequences that number applications and entities.

use crate::error::StoreResult;

#[async_trait::async_trait]
pub trait MetaTx: Send {
    async fn find_meta(&mut self, key: &str) -> StoreResult<Option<String>>;
    async fn insert_meta(&mut self, key: &str, value: &str) -> StoreResult<()>;
    async fn next_sequence(&mut self, name: &str) -> StoreResult<i64>;
}

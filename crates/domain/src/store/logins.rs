//! The storage port for an entity's logins (R8, R15–R18): written whole, found by id,
//! username or identity document, and listed in pages.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::LoginRecord;

#[async_trait::async_trait]
pub trait LoginsTx: Send {
    async fn insert_login(&mut self, l: &LoginRecord) -> StoreResult<()>;
    async fn update_login(&mut self, l: &LoginRecord) -> StoreResult<()>;
    async fn find_login(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Option<LoginRecord>>;
    async fn find_login_by_username(&mut self, entity_id: i64, username_key: &str) -> StoreResult<Option<LoginRecord>>;
    async fn find_logins_by_id_number(
        &mut self,
        entity_id: i64,
        id_number_lookup: &str,
    ) -> StoreResult<Vec<LoginRecord>>;
    async fn list_logins(&mut self, entity_id: i64) -> StoreResult<Vec<LoginRecord>>;
    /// Up to `limit` live (not deleted) logins of the entity in `list_logins`' order
    /// (`created_at`, then `id`), starting after the login keyed `after`.
    async fn list_logins_page(
        &mut self,
        entity_id: i64,
        after: Option<(Timestamp, String)>,
        limit: i64,
    ) -> StoreResult<Vec<LoginRecord>>;
}

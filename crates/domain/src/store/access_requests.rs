//! The storage port for access requests (R37): a login asks, an administrator answers.

use crate::error::StoreResult;
use crate::model::AccessRequestRecord;

#[async_trait::async_trait]
pub trait AccessRequestsTx: Send {
    async fn insert_access_request(&mut self, r: &AccessRequestRecord) -> StoreResult<()>;
    async fn find_access_request(&mut self, entity_id: i64, id: &str) -> StoreResult<Option<AccessRequestRecord>>;
    /// Records the answer of an open request; false when it was already answered.
    async fn answer_access_request(&mut self, r: &AccessRequestRecord) -> StoreResult<bool>;
    /// The entity's requests (only one login's, when named), newest first, at most `limit`.
    async fn list_access_requests(
        &mut self,
        entity_id: i64,
        login_id: Option<&str>,
        open_only: bool,
        limit: i64,
    ) -> StoreResult<Vec<AccessRequestRecord>>;
}

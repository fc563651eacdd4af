//! The storage port of SCIM provisioning (R33): an entity's live staff logins as Users,
//! filtered and paged in one indexed statement, and found by the provisioning system's id.

use crate::error::StoreResult;
use crate::model::LoginRecord;
use crate::scim::query::UserFilter;

#[async_trait::async_trait]
pub trait ScimTx: Send {
    /// How many live staff logins of the entity match.
    async fn count_scim_users(&mut self, entity_id: i64, filter: &UserFilter) -> StoreResult<i64>;
    /// Up to `limit` of them from the `offset`th (0-based), in creation order.
    async fn list_scim_users(
        &mut self,
        entity_id: i64,
        filter: &UserFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<LoginRecord>>;
    /// The live login (of any kind) holding this external id.
    async fn find_login_by_external_id(
        &mut self,
        entity_id: i64,
        external_id: &str,
    ) -> StoreResult<Option<LoginRecord>>;
}

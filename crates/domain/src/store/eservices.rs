//! The storage port for e-services (R19): the catalogue, the entities registered with an
//! e-service, and the e-services an entity's administrator assigned to each login.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::{EServiceAccess, EServiceRecord};

#[async_trait::async_trait]
pub trait EServicesTx: Send {
    async fn insert_eservice(&mut self, e: &EServiceRecord) -> StoreResult<()>;
    async fn list_eservices(&mut self) -> StoreResult<Vec<EServiceRecord>>;
    async fn find_eservice(&mut self, code: &str) -> StoreResult<Option<EServiceRecord>>;
    async fn upsert_registration(&mut self, entity_id: i64, code: &str, at: Timestamp) -> StoreResult<()>;
    async fn list_registrations(&mut self, entity_id: i64) -> StoreResult<Vec<String>>;
    async fn replace_login_eservices(
        &mut self,
        entity_id: i64,
        login_id: &str,
        codes: &[String],
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn list_login_eservices(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Vec<String>>;
    /// The e-service, whether it is assigned to the login and whether the entity is registered
    /// with it; `None` when the catalogue has no such e-service.
    async fn find_eservice_access(
        &mut self,
        entity_id: i64,
        login_id: &str,
        code: &str,
    ) -> StoreResult<Option<EServiceAccess>>;
    /// The e-services assigned to a login, whole, by code.
    async fn list_login_eservice_records(&mut self, entity_id: i64, login_id: &str)
        -> StoreResult<Vec<EServiceRecord>>;
    async fn list_entity_assignments(&mut self, entity_id: i64) -> StoreResult<Vec<(String, String)>>;
    /// `(login_id, eservice_code)` of just these logins, in `list_entity_assignments`' order.
    async fn list_assignments_of(&mut self, entity_id: i64, login_ids: &[String])
        -> StoreResult<Vec<(String, String)>>;
}

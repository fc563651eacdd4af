//! The storage port for e-services (R19): the catalogue, the entities registered with an
//! e-service, and the e-services an entity's administrator assigned to each login, with
//! their terms (R28–R31).

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::{AccessFacts, AssignmentRecord, EServiceRecord};

#[async_trait::async_trait]
pub trait EServicesTx: Send {
    async fn insert_eservice(&mut self, e: &EServiceRecord) -> StoreResult<()>;
    async fn list_eservices(&mut self) -> StoreResult<Vec<EServiceRecord>>;
    async fn find_eservice(&mut self, code: &str) -> StoreResult<Option<EServiceRecord>>;
    async fn upsert_registration(&mut self, entity_id: i64, code: &str, at: Timestamp) -> StoreResult<()>;
    async fn list_registrations(&mut self, entity_id: i64) -> StoreResult<Vec<String>>;
    /// Replaces a login's assignments by these.
    async fn replace_assignments(
        &mut self,
        entity_id: i64,
        login_id: &str,
        rows: &[AssignmentRecord],
    ) -> StoreResult<()>;
    /// Writes one assignment, new or changed.
    async fn upsert_assignment(&mut self, entity_id: i64, row: &AssignmentRecord) -> StoreResult<()>;
    async fn delete_assignment(&mut self, entity_id: i64, login_id: &str, code: &str) -> StoreResult<()>;
    /// A login's assignments, whole, by code.
    async fn list_assignments(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Vec<AssignmentRecord>>;
    /// Every assignment of the entity, by login and code.
    async fn list_entity_assignment_records(&mut self, entity_id: i64) -> StoreResult<Vec<AssignmentRecord>>;
    async fn list_login_eservices(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Vec<String>>;
    /// Everything the access decision needs, in one statement; `None` when the login or the
    /// e-service does not exist.
    async fn find_access(&mut self, entity_id: i64, login_id: &str, code: &str) -> StoreResult<Option<AccessFacts>>;
    /// Records a use at token issuance, unless one was recorded after `not_since`.
    async fn record_use(
        &mut self,
        entity_id: i64,
        login_id: &str,
        code: &str,
        at: Timestamp,
        not_since: Timestamp,
    ) -> StoreResult<()>;
    /// Up to `limit` assignments, with their entity, that the sweep has not ended yet and
    /// that end by `now`, or end by `first_by` and were never warned, or end by `last_by` and
    /// were warned only more than `last_days` ahead (R29); soonest first.
    async fn list_ending_assignments(
        &mut self,
        now: Timestamp,
        first_by: Timestamp,
        last_by: Timestamp,
        last_days: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, AssignmentRecord)>>;
    /// The e-services assigned to a login, whole, by code.
    async fn list_login_eservice_records(&mut self, entity_id: i64, login_id: &str)
        -> StoreResult<Vec<EServiceRecord>>;
    async fn list_entity_assignments(&mut self, entity_id: i64) -> StoreResult<Vec<(String, String)>>;
    /// `(login_id, eservice_code)` of just these logins, in `list_entity_assignments`' order.
    async fn list_assignments_of(&mut self, entity_id: i64, login_ids: &[String])
        -> StoreResult<Vec<(String, String)>>;
}

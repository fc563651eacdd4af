//! The storage port for the audit log (R26): the hash chain's rows and its head, appended
//! together in the transaction of the change they record.

use crate::error::StoreResult;
use crate::model::{AuditHead, AuditRow};

#[async_trait::async_trait]
pub trait AuditTx: Send {
    async fn audit_head(&mut self) -> StoreResult<Option<AuditHead>>;
    async fn append_audit(&mut self, rows: &[AuditRow], head: &AuditHead) -> StoreResult<()>;
    async fn list_audit(&mut self, entity_id: Option<i64>, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRow>>;
}

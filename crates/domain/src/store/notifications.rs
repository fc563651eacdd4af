//! The storage port for notifications (R25): what happened to a login, kept as a kind and
//! parameters that the reader's page renders in their language.

use crate::error::StoreResult;
use crate::model::NotificationRecord;

#[async_trait::async_trait]
pub trait NotificationsTx: Send {
    async fn insert_notification(&mut self, n: &NotificationRecord) -> StoreResult<()>;
    async fn list_notifications(
        &mut self,
        entity_id: i64,
        login_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<NotificationRecord>>;
}

//! The storage port for applications (R1–R7): an application with its people, its
//! decision, and the counter's queue of them.

use crate::error::StoreResult;
use crate::model::{ApplicationRecord, ApplicationStatus};

#[async_trait::async_trait]
pub trait ApplicationsTx: Send {
    async fn insert_application(&mut self, a: &ApplicationRecord) -> StoreResult<i64>;
    async fn find_application(&mut self, number: &str) -> StoreResult<Option<ApplicationRecord>>;
    async fn update_application(&mut self, a: &ApplicationRecord) -> StoreResult<()>;
    async fn list_applications(
        &mut self,
        status: Option<ApplicationStatus>,
        limit: i64,
    ) -> StoreResult<Vec<ApplicationRecord>>;
}

//! The storage port for one-time codes (activation, password reset): one per login and
//! purpose, replaced when reissued, found by login or by the code's hash.

use crate::error::StoreResult;
use crate::model::{CodePurpose, CodeRecord};

#[async_trait::async_trait]
pub trait CodesTx: Send {
    async fn upsert_code(&mut self, c: &CodeRecord) -> StoreResult<()>;
    async fn find_code(
        &mut self,
        entity_id: i64,
        login_id: &str,
        purpose: CodePurpose,
    ) -> StoreResult<Option<CodeRecord>>;
    async fn find_code_by_hash(
        &mut self,
        entity_id: i64,
        purpose: CodePurpose,
        code_hash: &str,
    ) -> StoreResult<Option<CodeRecord>>;
}

//! The storage port for counter operators: their accounts, found by id or by the
//! normalised username they sign in with.

use crate::error::StoreResult;
use crate::model::OperatorRecord;

#[async_trait::async_trait]
pub trait OperatorsTx: Send {
    async fn insert_operator(&mut self, op: &OperatorRecord) -> StoreResult<i64>;
    async fn find_operator_by_key(&mut self, username_key: &str) -> StoreResult<Option<OperatorRecord>>;
    async fn find_operator(&mut self, id: i64) -> StoreResult<Option<OperatorRecord>>;
}

//! The storage port for sessions (R13, R14): stored by token hash, read with their holder
//! on every authenticated request, touched, and ended one at a time or by login.

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::{SessionHolder, SessionRecord};

#[async_trait::async_trait]
pub trait SessionsTx: Send {
    async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()>;
    async fn find_session(&mut self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// The session with its operator, or its login and entity, in one statement: every
    /// authenticated request reads it.
    async fn find_session_holder(&mut self, token_hash: &str) -> StoreResult<Option<SessionHolder>>;
    async fn touch_session(&mut self, token_hash: &str, at: Timestamp) -> StoreResult<()>;
    async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()>;
    async fn delete_login_sessions(&mut self, entity_id: i64, login_id: &str) -> StoreResult<u64>;
}

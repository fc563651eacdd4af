//! The storage port. A `Tx` is one unit of work: reads and writes on one connection, made
//! durable together by `commit`. Write transactions are serialised (they take the audit
//! chain's head first), so the rules' read-check-write sequences cannot interleave. After
//! any error a write transaction is void (PostgreSQL aborts it): callers drop it and
//! answer, never carry on writing in it.

use crate::clock::Timestamp;
use crate::model::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint refused the write; names the constraint's meaning.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database refused a value (PostgreSQL's data exceptions, e.g. a NUL byte): the
    /// request was bad, whatever let it through the parsers.
    #[error("value refused by the database: {0}")]
    InvalidValue(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The connection pool's use, for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolStats {
    /// Connections open now, idle or lent out.
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// A connection for reads (and for the few writes that are not business changes, such as
    /// a session's last-seen time or the SMS outbox's leases).
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;
    /// A serialised write transaction.
    async fn write(&self) -> StoreResult<Box<dyn Tx>>;
    async fn ping(&self) -> StoreResult<()>;
    fn pool_stats(&self) -> PoolStats;
}

#[async_trait::async_trait]
pub trait Tx: crate::oidc::store::OidcTx + crate::eid::store::EidTx + Send {
    async fn commit(self: Box<Self>) -> StoreResult<()>;

    // meta
    async fn find_meta(&mut self, key: &str) -> StoreResult<Option<String>>;
    async fn insert_meta(&mut self, key: &str, value: &str) -> StoreResult<()>;
    async fn next_sequence(&mut self, name: &str) -> StoreResult<i64>;

    // operators
    async fn insert_operator(&mut self, op: &OperatorRecord) -> StoreResult<i64>;
    async fn find_operator_by_key(&mut self, username_key: &str) -> StoreResult<Option<OperatorRecord>>;
    async fn find_operator(&mut self, id: i64) -> StoreResult<Option<OperatorRecord>>;

    // sessions
    async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()>;
    async fn find_session(&mut self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// The session with its operator, or its login and entity, in one statement: every
    /// authenticated request reads it.
    async fn find_session_holder(&mut self, token_hash: &str) -> StoreResult<Option<SessionHolder>>;
    async fn touch_session(&mut self, token_hash: &str, at: Timestamp) -> StoreResult<()>;
    async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()>;
    async fn delete_login_sessions(&mut self, entity_id: i64, login_id: &str) -> StoreResult<u64>;

    // applications
    async fn insert_application(&mut self, a: &ApplicationRecord) -> StoreResult<i64>;
    async fn find_application(&mut self, number: &str) -> StoreResult<Option<ApplicationRecord>>;
    async fn update_application(&mut self, a: &ApplicationRecord) -> StoreResult<()>;
    async fn list_applications(
        &mut self,
        status: Option<ApplicationStatus>,
        limit: i64,
    ) -> StoreResult<Vec<ApplicationRecord>>;

    // entities
    async fn insert_entity(&mut self, e: &EntityRecord) -> StoreResult<i64>;
    async fn find_entity_by_number(&mut self, number: &str) -> StoreResult<Option<EntityRecord>>;
    async fn find_entity_by_registration(&mut self, lookup: &str) -> StoreResult<Option<EntityRecord>>;
    async fn find_entity(&mut self, id: i64) -> StoreResult<Option<EntityRecord>>;

    // logins
    async fn insert_login(&mut self, l: &LoginRecord) -> StoreResult<()>;
    async fn update_login(&mut self, l: &LoginRecord) -> StoreResult<()>;
    async fn find_login(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Option<LoginRecord>>;
    async fn find_login_by_username(&mut self, entity_id: i64, username_key: &str) -> StoreResult<Option<LoginRecord>>;
    async fn find_logins_by_id_number(
        &mut self,
        entity_id: i64,
        id_number_lookup: &str,
    ) -> StoreResult<Vec<LoginRecord>>;
    async fn list_logins(&mut self, entity_id: i64) -> StoreResult<Vec<LoginRecord>>;
    /// Up to `limit` live (not deleted) logins of the entity in `list_logins`' order
    /// (`created_at`, then `id`), starting after the login keyed `after`.
    async fn list_logins_page(
        &mut self,
        entity_id: i64,
        after: Option<(Timestamp, String)>,
        limit: i64,
    ) -> StoreResult<Vec<LoginRecord>>;

    // one-time codes
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

    // e-services
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

    // notifications
    async fn insert_notification(&mut self, n: &NotificationRecord) -> StoreResult<()>;
    async fn list_notifications(
        &mut self,
        entity_id: i64,
        login_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<NotificationRecord>>;

    // SMS outbox
    /// Queues a message; `recipient_key` (the number's lookup hash) orders messages to one number.
    async fn insert_sms(&mut self, payload_sealed: &[u8], recipient_key: &str, at: Timestamp) -> StoreResult<i64>;
    /// Leases up to `limit` due messages to `owner` until `lease_until`; a message leased by a
    /// node that died becomes due again when its lease runs out.
    async fn lease_sms(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRecord>>;
    async fn mark_sms_delivered(&mut self, id: i64, owner: &str, at: Timestamp) -> StoreResult<()>;
    /// Whether a message queued before `id` to the same number is still undelivered (then
    /// `id` must wait: messages to one number arrive in order).
    async fn sms_waits_for_earlier(&mut self, id: i64) -> StoreResult<bool>;
    /// Ends the leases `owner` holds: a node restarted under the same identity takes back what
    /// its killed process had leased instead of waiting for the leases to run out.
    async fn release_sms_leases(&mut self, owner: &str) -> StoreResult<u64>;
    async fn mark_sms_retry(
        &mut self,
        id: i64,
        owner: &str,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> StoreResult<()>;
    async fn sms_backlog(&mut self) -> StoreResult<(i64, Option<Timestamp>)>;

    // throttling
    async fn find_throttle(&mut self, key: &str) -> StoreResult<Option<ThrottleRecord>>;
    async fn upsert_throttle(&mut self, t: &ThrottleRecord) -> StoreResult<()>;
    async fn delete_throttle(&mut self, key: &str) -> StoreResult<()>;

    // audit
    async fn audit_head(&mut self) -> StoreResult<Option<AuditHead>>;
    async fn append_audit(&mut self, rows: &[AuditRow], head: &AuditHead) -> StoreResult<()>;
    async fn list_audit(&mut self, entity_id: Option<i64>, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRow>>;
}

//! The storage port. A `Tx` is one unit of work: reads and writes on one connection, made
//! durable together by `commit`. Write transactions are serialised (they take the audit
//! chain's head first), so the rules' read-check-write sequences cannot interleave. After
//! any error a write transaction is void (PostgreSQL aborts it): callers drop it and
//! answer, never carry on writing in it.

mod access_requests;
mod applications;
mod audit;
mod codes;
mod eid;
mod entities;
mod eservices;
mod logins;
mod machine_credentials;
mod mandates;
mod meta;
mod notifications;
mod oidc;
mod operators;
mod reviews;
mod scim;
mod sessions;
mod sms_outbox;
mod throttling;

pub use self::access_requests::AccessRequestsTx;
pub use self::applications::ApplicationsTx;
pub use self::audit::AuditTx;
pub use self::codes::CodesTx;
pub use self::eid::EidTx;
pub use self::entities::EntitiesTx;
pub use self::eservices::EServicesTx;
pub use self::logins::LoginsTx;
pub use self::machine_credentials::MachineCredentialsTx;
pub use self::mandates::MandatesTx;
pub use self::meta::MetaTx;
pub use self::notifications::NotificationsTx;
pub use self::oidc::OidcTx;
pub use self::operators::OperatorsTx;
pub use self::reviews::ReviewsTx;
pub use self::scim::ScimTx;
pub use self::sessions::SessionsTx;
pub use self::sms_outbox::SmsOutboxTx;
pub use self::throttling::ThrottlesTx;
pub use crate::error::{StoreError, StoreResult};

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

/// One unit of work over every area's port: a caller holding a `Box<dyn Tx>` reaches each
/// area's methods through the supertraits, and each area's trait can grow on its own.
#[async_trait::async_trait]
pub trait Tx:
    MetaTx
    + OperatorsTx
    + SessionsTx
    + ApplicationsTx
    + EntitiesTx
    + LoginsTx
    + CodesTx
    + EServicesTx
    + NotificationsTx
    + SmsOutboxTx
    + ThrottlesTx
    + AuditTx
    + OidcTx
    + EidTx
    + ReviewsTx
    + AccessRequestsTx
    + MandatesTx
    + MachineCredentialsTx
    + ScimTx
    + Send
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}

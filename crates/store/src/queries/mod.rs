//! Every SQL statement of the store, written once: one module per area of the storage port,
//! each a macro that a backend's module instantiates through `impl_store!`.
//!
//! Both dialects accept this SQL as written (`$n` parameters, `RETURNING`, `ON CONFLICT`,
//! partial indexes). A backend passes in the two things that differ, how a write transaction
//! takes the write lock (`begin_write`) and `SKIP LOCKED`; the rest is one text. Each area
//! module also holds its row structs (`sqlx::FromRow`, generic over the backend) and their
//! one conversion into the domain's records, so a column is named in one file only.

#[macro_use]
mod transaction;
#[macro_use]
pub(crate) mod access_requests;
#[macro_use]
pub(crate) mod applications;
#[macro_use]
pub(crate) mod audit;
#[macro_use]
pub(crate) mod codes;
#[macro_use]
pub(crate) mod eid;
#[macro_use]
pub(crate) mod entities;
#[macro_use]
pub(crate) mod eservices;
#[macro_use]
pub(crate) mod logins;
#[macro_use]
pub(crate) mod machine_credentials;
#[macro_use]
pub(crate) mod mandates;
#[macro_use]
pub(crate) mod meta;
#[macro_use]
pub(crate) mod notifications;
#[macro_use]
pub(crate) mod oidc;
pub(crate) mod oidc_rows;
#[macro_use]
pub(crate) mod operators;
#[macro_use]
pub(crate) mod reviews;
#[macro_use]
pub(crate) mod scim;
#[macro_use]
pub(crate) mod sessions;
#[macro_use]
pub(crate) mod sms_outbox;
#[macro_use]
pub(crate) mod throttling;

/// The whole port for one backend: `$Store` (with fields `pool`, `breaker` and `writers`)
/// implements `Store`, and its transaction type `DbTx` implements `Tx` and every area's trait,
/// each area in a module of its own inside the backend's module.
macro_rules! impl_store {
    ($Store:ident, $Db:ty, begin_write: $begin_write:ident, skip_locked: $skip_locked:literal) => {
        impl_transaction!(DbTx, $Store, $Db, $begin_write);
        impl_meta_tx!(DbTx);
        impl_operators_tx!(DbTx);
        impl_sessions_tx!(DbTx);
        impl_applications_tx!(DbTx);
        impl_entities_tx!(DbTx);
        impl_logins_tx!(DbTx);
        impl_codes_tx!(DbTx);
        impl_eservices_tx!(DbTx);
        impl_notifications_tx!(DbTx);
        impl_sms_outbox_tx!(DbTx, $skip_locked);
        impl_throttles_tx!(DbTx);
        impl_audit_tx!(DbTx);
        impl_oidc_tx!(DbTx, $skip_locked);
        impl_eid_tx!(DbTx);
        impl_reviews_tx!(DbTx);
        impl_access_requests_tx!(DbTx);
        impl_mandates_tx!(DbTx);
        impl_machine_credentials_tx!(DbTx);
        impl_scim_tx!(DbTx);
    };
}

//! The HTTP face of Entity Account: the JSON API under `/api/v1` (with its OpenAPI
//! document), health probes, the password-hash pool and the SMS delivery worker. Handlers
//! parse, call one domain service, and map the result; the rules live in `domain`.

pub mod api;
pub mod error;
pub mod extract;
pub mod face;
pub mod hashing;
pub mod listener;
pub mod metrics;
pub mod oidc;
pub mod openapi;
pub mod router;
pub mod scim;
pub mod sms_pace;
pub mod sms_worker;
pub mod state;
pub mod web;

pub use router::router;
pub use state::AppState;

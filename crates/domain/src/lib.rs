//! The rules of Entity Account: value types that can only hold valid values, the
//! services that apply requirements R1–R27, and the ports (traits) the outside implements.
//!
//! This crate knows no transport and no database: `server` and `store` depend on it,
//! never the reverse.

pub mod access;
pub mod access_requests;
pub mod access_terms;
pub mod activation;
pub mod application_form;
pub mod applications;
pub mod assignment_form;
pub mod assignments;
pub mod audit;
pub mod clock;
mod closed;
pub mod code_steps;
pub mod codes;
pub mod config;
pub mod credentials;
pub mod crypto;
pub mod eid;
pub mod error;
pub mod error_code;
pub mod eservice_form;
pub mod eservices;
pub mod group_commit;
pub mod help;
pub mod identity;
pub mod import_form;
pub mod logins;
pub mod machine_credential_form;
pub mod machine_credentials;
pub mod mandate_form;
pub mod mandates;
pub mod model;
pub mod notifications;
pub mod numbers;
pub mod oidc;
pub mod operators;
pub mod password_hash;
pub mod person;
pub mod reviews;
pub mod scim;
pub mod services;
pub mod sessions;
pub mod sms;
pub mod staff_import;
pub mod store;
pub mod sweep;
pub mod text;

pub use error::{Error, FieldError};
pub use error_code::Code;
pub use services::Services;

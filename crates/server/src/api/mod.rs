//! The JSON API under `/api/v1`: one module per resource, each handler `verb_resource`.

pub mod access_requests;
pub mod activation;
pub mod applications;
pub mod assignments;
pub mod audit;
pub mod department;
pub mod dto;
pub mod eid;
pub mod eservices;
pub mod health;
pub mod help;
pub mod logins;
pub mod machine_credentials;
pub mod mandates;
pub mod metrics;
pub mod notifications;
pub mod operators;
pub mod reviews;
pub mod sessions;
pub mod staff_import;

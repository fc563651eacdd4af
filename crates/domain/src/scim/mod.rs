//! SCIM 2.0 provisioning (R33, RFC 7643 and 7644) for an entity's HR system: filters read
//! from text, PATCH applied to a User's writable view, the User schema, and the services a
//! provisioning credential (`ProvisionerOf`, R36) calls. No JSON here: the server converts.

pub mod filter;
pub mod patch;
pub mod query;
pub mod schema;
pub mod users;
pub mod value;

pub use users::{ScimList, ScimUser};
pub use value::Value;

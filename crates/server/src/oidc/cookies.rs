//! The provider's cookies are the platform's: one sign-in session for the pages and the
//! e-services (`web::cookies`).

pub use crate::web::cookies::{read, set, SESSION as SSO};

//! The OpenID Connect provider's rules (R19, R21, R25): e-services are clients; a token for
//! an e-service is issued only to a login assigned to it (and, where it requires it, of an
//! entity registered with it), and that is checked again at every token, refresh,
//! userinfo and introspection request. The protocol's wire format (JSON, JWTs, redirects)
//! is the server's; here are the decisions and what they store.

pub mod authorize;
pub mod clients;
pub mod department;
pub mod keys;
pub mod logout;
pub mod machine;
pub mod permission;
pub mod tokens;

use crate::error::Error;
use crate::store::StoreError;

/// An authorization code's whole life (RFC 9700 recommends minutes at most; we take 60 s).
pub const CODE_TTL_SECS: i64 = 60;

/// An OAuth 2.0 error (RFC 6749 §4.1.2.1, §5.2) with its registered code, or a failure of
/// the service underneath.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("{error}: {description}")]
    OAuth { error: &'static str, description: String },
    #[error(transparent)]
    Service(#[from] Error),
}

impl OidcError {
    pub fn oauth(error: &'static str, description: impl Into<String>) -> Self {
        OidcError::OAuth { error, description: description.into() }
    }
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::oauth("invalid_request", description)
    }
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::oauth("invalid_grant", description)
    }
    pub fn invalid_client() -> Self {
        Self::oauth("invalid_client", "client authentication failed")
    }
}

impl From<StoreError> for OidcError {
    fn from(e: StoreError) -> Self {
        OidcError::Service(e.into())
    }
}

pub type OidcResult<T> = Result<T, OidcError>;

/// Scopes this provider knows; `openid` is required for sign-in.
pub const SCOPES: [&str; 3] = ["openid", "profile", "entity"];

pub fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split(' ').any(|s| s == wanted)
}

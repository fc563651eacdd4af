//! Machine credentials' records (R36): an entity's own software as a client of the token
//! endpoint, its tokens, and what a token's every use reads in one statement.

use super::oidc::ClientAuth;
use crate::clock::Timestamp;
use crate::numbers::LoginId;

/// The resource a token is for: one of the credential's e-services, or the provisioning API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    EService(String),
    /// R33's `/scim/v2`, for a credential with the provisioning right.
    Provisioning,
}

/// How a token's resource is stored: an e-service code, or this (no code holds a `/`).
pub const PROVISIONING_RESOURCE: &str = "scim/v2";

impl Resource {
    pub fn as_stored(&self) -> &str {
        match self {
            Resource::EService(code) => code,
            Resource::Provisioning => PROVISIONING_RESOURCE,
        }
    }
    pub fn from_stored(s: &str) -> Resource {
        if s == PROVISIONING_RESOURCE {
            Resource::Provisioning
        } else {
            Resource::EService(s.to_string())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineCredentialRecord {
    pub entity_id: i64,
    /// `mc.` and random letters: never an e-service code, which holds no `.`.
    pub client_id: String,
    pub name: String,
    pub auth: ClientAuth,
    /// The secret's keyed hash; empty for a `PrivateKeyJwt` credential.
    pub secret_hash: String,
    /// The public JWK as JSON text (checked and re-serialised), for `PrivateKeyJwt`.
    pub jwk: Option<String>,
    /// In code order.
    pub eservices: Vec<String>,
    pub provisioning: bool,
    pub valid_until: Timestamp,
    pub created_by: LoginId,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// R29: the smallest ending notice already sent.
    pub warned_days: Option<i64>,
}

/// An access token of a machine credential, for one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineTokenRecord {
    pub token_hash: String,
    pub entity_id: i64,
    pub client_id: String,
    pub resource: Resource,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What every use of a machine token reads, in one statement: the token, its credential's
/// end and provisioning right, its entity's number, and whether the credential still names
/// the token's e-service (and the entity is registered with it where it requires that).
#[derive(Debug, Clone)]
pub struct MachineTokenFacts {
    pub token: MachineTokenRecord,
    pub entity_number: String,
    pub valid_until: Timestamp,
    pub provisioning: bool,
    pub eservice_granted: bool,
}

/// Every machine credential's client id starts so; an e-service code never holds a `.`.
pub const MACHINE_CLIENT_PREFIX: &str = "mc.";

/// Whether a client id names a machine credential (its shape only: `mc.` and 32 hex digits).
pub fn is_machine_client_id(s: &str) -> bool {
    s.strip_prefix(MACHINE_CLIENT_PREFIX)
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

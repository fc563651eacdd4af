//! The provider's records, as the store keeps them.

use crate::clock::Timestamp;

/// How a client proves itself at the token, introspection and revocation endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic` or `client_secret_post`.
    Secret,
    /// RFC 7523: a JWT signed with a key from the client's registered JWKS.
    PrivateKeyJwt,
}

impl ClientAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuth::Secret => "client_secret",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "client_secret" => Some(ClientAuth::Secret),
            "private_key_jwt" => Some(ClientAuth::PrivateKeyJwt),
            _ => None,
        }
    }
}

/// An e-service's client registration; `client_id` is the e-service code.
#[derive(Debug, Clone)]
pub struct ClientRecord {
    pub client_id: String,
    pub auth: ClientAuth,
    /// Empty for `PrivateKeyJwt` clients.
    pub secret_hash: String,
    /// The client's public keys (a JWKS as JSON text), for `PrivateKeyJwt`.
    pub jwks: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// How the person authenticated, carried from the sign-in to every token of the grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    pub auth_time: Timestamp,
    /// `basic` or `advanced` (R21).
    pub acr: String,
    /// Space-separated RFC 8176 methods, e.g. `pwd`.
    pub amr: String,
    pub locale: String,
}

/// For whom a login signs in when it acts for another entity under a mandate (R35).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnBehalf {
    pub represented_entity_id: i64,
    pub mandate_id: String,
}

/// An authorization code waiting for its redemption (60 s, single use).
#[derive(Debug, Clone)]
pub struct CodeRecord {
    pub code_hash: String,
    pub client_id: String,
    pub entity_id: i64,
    pub login_id: crate::numbers::LoginId,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub scope: String,
    pub sid: String,
    pub session_hash: String,
    pub auth: Authentication,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub grant_id: Option<String>,
    pub on_behalf: Option<OnBehalf>,
}

/// One sign-in of a login into an e-service (or one client_credentials issuance, with no
/// login): the family every access and refresh token descends from. Revoking it revokes them.
#[derive(Debug, Clone)]
pub struct GrantRecord {
    pub id: String,
    pub client_id: String,
    pub entity_id: Option<i64>,
    pub login_id: Option<crate::numbers::LoginId>,
    pub sid: Option<String>,
    pub scope: String,
    pub auth: Authentication,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// R35: the sign-in acts for another entity under a mandate.
    pub on_behalf: Option<OnBehalf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "access" => Some(TokenKind::Access),
            "refresh" => Some(TokenKind::Refresh),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub token_hash: String,
    pub grant_id: String,
    pub kind: TokenKind,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// An ES256 signing key: the private half (PKCS#8 DER) sealed under the master key.
#[derive(Debug, Clone)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub private_sealed: Vec<u8>,
    /// The public JWK as JSON text, ready for the JWKS.
    pub public_jwk: String,
    pub created_at: Timestamp,
    pub retired_at: Option<Timestamp>,
}

/// A back-channel logout token to deliver to an e-service.
#[derive(Debug, Clone)]
pub struct LogoutRecord {
    pub id: i64,
    pub client_id: String,
    pub sub: String,
    pub sid: Option<String>,
    pub attempts: i64,
    pub created_at: Timestamp,
}

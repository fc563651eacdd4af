//! The rows `OidcTx`'s statements read (clients, codes, grants, tokens, signing keys,
//! leased logouts), each converted into the provider's record here only.

use domain::clock::Timestamp;
use domain::model::oidc as om;
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::{lines, parse};

pub(crate) const CLIENT_COLS: &str = "client_id, auth_method, secret_hash, jwks, redirect_uris, \
                                      post_logout_redirect_uris, backchannel_logout_uri, created_at, updated_at";
pub(crate) const GRANT_COLS: &str =
    "id, client_id, entity_id, login_id, sid, scope, auth_time, acr, amr, locale, created_at, revoked_at, \
     represented_entity_id, mandate_id";
pub(crate) const OIDC_CODE_COLS: &str = "code_hash, client_id, entity_id, login_id, redirect_uri, code_challenge, nonce, \
                                         scope, sid, session_hash, auth_time, acr, amr, locale, created_at, expires_at, grant_id, \
                                         represented_entity_id, mandate_id";
pub(crate) const KEY_COLS: &str = "kid, private_sealed, public_jwk, created_at, retired_at";
/// What a lease returns of each back-channel logout.
pub(crate) const LEASED_LOGOUT_COLS: &str = "id, client_id, sub, sid, attempts, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ClientRow {
    client_id: String,
    auth_method: String,
    secret_hash: String,
    jwks: Option<String>,
    /// One URI a line (`columns::lines`).
    redirect_uris: String,
    post_logout_redirect_uris: String,
    backchannel_logout_uri: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ClientRow> for om::ClientRecord {
    type Error = StoreError;
    fn try_from(r: ClientRow) -> Result<Self, StoreError> {
        Ok(om::ClientRecord {
            client_id: r.client_id,
            auth: parse("auth_method", &r.auth_method, om::ClientAuth::parse)?,
            secret_hash: r.secret_hash,
            jwks: r.jwks,
            redirect_uris: lines(r.redirect_uris),
            post_logout_redirect_uris: lines(r.post_logout_redirect_uris),
            backchannel_logout_uri: r.backchannel_logout_uri,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        })
    }
}

/// How the person signed in, as codes and grants both carry it.
#[derive(sqlx::FromRow)]
pub(crate) struct AuthRow {
    auth_time: i64,
    acr: String,
    amr: String,
    locale: String,
}

impl From<AuthRow> for om::Authentication {
    fn from(r: AuthRow) -> Self {
        om::Authentication { auth_time: Timestamp(r.auth_time), acr: r.acr, amr: r.amr, locale: r.locale }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GrantRow {
    id: String,
    client_id: String,
    entity_id: Option<i64>,
    login_id: Option<String>,
    sid: Option<String>,
    scope: String,
    #[sqlx(flatten)]
    auth: AuthRow,
    created_at: i64,
    revoked_at: Option<i64>,
    represented_entity_id: Option<i64>,
    mandate_id: Option<String>,
}

/// The represented entity and the mandate, stored as two nullable columns.
fn on_behalf(represented_entity_id: Option<i64>, mandate_id: Option<String>) -> Option<om::OnBehalf> {
    match (represented_entity_id, mandate_id) {
        (Some(represented_entity_id), Some(mandate_id)) => Some(om::OnBehalf { represented_entity_id, mandate_id }),
        _ => None,
    }
}

impl From<GrantRow> for om::GrantRecord {
    fn from(r: GrantRow) -> Self {
        om::GrantRecord {
            id: r.id,
            client_id: r.client_id,
            entity_id: r.entity_id,
            login_id: r.login_id.map(LoginId::from_stored),
            sid: r.sid,
            scope: r.scope,
            auth: r.auth.into(),
            created_at: Timestamp(r.created_at),
            revoked_at: r.revoked_at.map(Timestamp),
            on_behalf: on_behalf(r.represented_entity_id, r.mandate_id),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OidcCodeRow {
    code_hash: String,
    client_id: String,
    entity_id: i64,
    login_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    scope: String,
    sid: String,
    session_hash: String,
    #[sqlx(flatten)]
    auth: AuthRow,
    created_at: i64,
    expires_at: i64,
    grant_id: Option<String>,
    represented_entity_id: Option<i64>,
    mandate_id: Option<String>,
}

impl From<OidcCodeRow> for om::CodeRecord {
    fn from(r: OidcCodeRow) -> Self {
        om::CodeRecord {
            code_hash: r.code_hash,
            client_id: r.client_id,
            entity_id: r.entity_id,
            login_id: LoginId::from_stored(r.login_id),
            redirect_uri: r.redirect_uri,
            code_challenge: r.code_challenge,
            nonce: r.nonce,
            scope: r.scope,
            sid: r.sid,
            session_hash: r.session_hash,
            auth: r.auth.into(),
            created_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            grant_id: r.grant_id,
            on_behalf: on_behalf(r.represented_entity_id, r.mandate_id),
        }
    }
}

/// A token joined with its grant: the grant's columns keep their names, the token's that
/// would collide with them are renamed `token_*` in the statement.
#[derive(sqlx::FromRow)]
pub(crate) struct TokenGrantRow {
    #[sqlx(flatten)]
    grant: GrantRow,
    token_hash: String,
    token_kind: String,
    token_created_at: i64,
    token_expires_at: i64,
    token_used_at: Option<i64>,
}

impl TryFrom<TokenGrantRow> for (om::TokenRecord, om::GrantRecord) {
    type Error = StoreError;
    fn try_from(r: TokenGrantRow) -> Result<Self, StoreError> {
        let grant = om::GrantRecord::from(r.grant);
        let token = om::TokenRecord {
            token_hash: r.token_hash,
            grant_id: grant.id.clone(),
            kind: parse("token_kind", &r.token_kind, om::TokenKind::parse)?,
            created_at: Timestamp(r.token_created_at),
            expires_at: Timestamp(r.token_expires_at),
            used_at: r.token_used_at.map(Timestamp),
        };
        Ok((token, grant))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SigningKeyRow {
    kid: String,
    private_sealed: Vec<u8>,
    public_jwk: String,
    created_at: i64,
    retired_at: Option<i64>,
}

impl From<SigningKeyRow> for om::SigningKeyRecord {
    fn from(r: SigningKeyRow) -> Self {
        om::SigningKeyRecord {
            kid: r.kid,
            private_sealed: r.private_sealed,
            public_jwk: r.public_jwk,
            created_at: Timestamp(r.created_at),
            retired_at: r.retired_at.map(Timestamp),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LogoutRow {
    id: i64,
    client_id: String,
    sub: String,
    sid: Option<String>,
    attempts: i64,
    created_at: i64,
}

impl From<LogoutRow> for om::LogoutRecord {
    fn from(r: LogoutRow) -> Self {
        om::LogoutRecord {
            id: r.id,
            client_id: r.client_id,
            sub: r.sub,
            sid: r.sid,
            attempts: r.attempts,
            created_at: Timestamp(r.created_at),
        }
    }
}

//! The token endpoint's grants, and what a token is worth at userinfo and introspection.
//! Access and refresh tokens are opaque random strings stored as hashes, so revoking one
//! (or its whole grant) takes effect on the very next request on every node.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::permission::{self, Acting, Permitted};
use super::{has_scope, OidcError, OidcResult};
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::{constant_time_eq, random_token, token_hash};
use crate::group_commit::Issuance;
use crate::model::oidc::{Authentication, ClientRecord, GrantRecord, TokenKind, TokenRecord};
use crate::services::{Ctx, Services};
use crate::store::Tx;

const REVOKED_BY_CLIENT: &str = "revoked by the client";
/// R30: a use is recorded at most this often per assignment.
const USE_RECORDED_EVERY_SECS: i64 = 60;

/// What an ID token and userinfo say about a login.
#[derive(Debug, Clone)]
pub struct Claims {
    pub client_id: String,
    pub sub: String,
    pub scope: String,
    pub auth: Authentication,
    pub sid: Option<String>,
    pub nonce: Option<String>,
    pub name: String,
    pub entity_number: String,
    pub entity_name: String,
    pub login_kind: String,
    /// R28: the assignment ends (or is suspended) then; an ID token expires by then.
    pub until: Option<Timestamp>,
    /// R35: the acting party (RFC 8693 `act`) when the login acts for another entity, whose
    /// number and name are then `entity_number` and `entity_name`.
    pub act: Option<Act>,
}

/// RFC 8693's actor claim: the login's own entity and the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Act {
    pub entity_number: String,
    pub sub: String,
}

/// A token response's contents.
#[derive(Debug)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub scope: String,
    /// Present for sign-ins (code and refresh grants): the ID token is made of these.
    pub id_token: Option<Claims>,
}

/// What introspection reports about an active token.
#[derive(Debug)]
pub struct Introspection {
    pub client_id: String,
    pub kind: TokenKind,
    pub scope: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub claims: Option<Claims>,
    /// R36: a machine credential's token names its entity, the credential and the resource.
    pub machine: Option<super::machine::MachineClaims>,
}

/// The department an access token of the client_credentials grant speaks for.
#[derive(Debug, Clone)]
pub struct DepartmentClient {
    pub client_id: String,
    pub department: String,
}

fn claims_of(grant: &GrantRecord, p: &Permitted, nonce: Option<String>) -> Claims {
    let locale = grant.auth.locale.as_str();
    let (entity_number, names) = match &p.on_behalf {
        Some(r) => (&r.entity_number, &r.entity_names),
        None => (&p.entity_number, &p.entity_names),
    };
    let entity_name = match locale {
        "pt" => names.pt.as_deref(),
        "en" => names.en.as_deref(),
        _ => names.zh.as_deref(),
    }
    .unwrap_or_else(|| names.display())
    .to_string();
    Claims {
        client_id: grant.client_id.clone(),
        sub: p.login_id.to_string(),
        scope: grant.scope.clone(),
        auth: grant.auth.clone(),
        sid: grant.sid.clone(),
        nonce,
        name: p.login_name.clone(),
        entity_number: entity_number.clone(),
        entity_name,
        login_kind: p.login_kind.as_str().to_string(),
        until: p.until,
        act: p.on_behalf.as_ref().map(|_| Act { entity_number: p.entity_number.clone(), sub: p.login_id.to_string() }),
    }
}

/// Who got tokens, for the audit log (R26): the e-service, and the login when there is one.
fn issued_event(grant: &GrantRecord, grant_type: &str) -> AuditEvent {
    let actor = match (grant.entity_id, grant.login_id.clone()) {
        (Some(entity_id), Some(login_id)) => Actor::Login { entity_id, login_id },
        _ => Actor::Client(grant.client_id.clone()),
    };
    let detail = match &grant.on_behalf {
        Some(o) => format!("{grant_type} mandate={}", o.mandate_id),
        None => grant_type.to_string(),
    };
    AuditEvent::new(actor, Action::TokenIssued).target(grant.client_id.clone()).detail(detail)
}

/// RFC 7636: BASE64URL(SHA256(verifier)) must equal the challenge.
fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let ok_chars = verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    ok_chars
        && (43..=128).contains(&verifier.len())
        && constant_time_eq(&URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())), challenge)
}

impl Services {
    /// A new token of the grant. Refresh tokens never outlive the grant's first day: however
    /// often they are rotated, the person signs in again after a session's absolute lifetime.
    /// No token outlives the assignment it was issued under (`until`, R28).
    fn new_token(
        &self,
        grant: &GrantRecord,
        kind: TokenKind,
        now: Timestamp,
        until: Option<Timestamp>,
    ) -> (String, TokenRecord) {
        let lifetime = match kind {
            TokenKind::Access => now.plus_secs(self.policy.access_token_ttl_secs),
            TokenKind::Refresh => {
                // An advanced sign-in stays advanced only as long as its step-up would (R21).
                let family_life = if grant.auth.acr == "advanced" {
                    self.policy.step_up_ttl_secs
                } else {
                    self.policy.session_absolute_secs
                };
                now.plus_secs(self.policy.refresh_token_ttl_secs).min(grant.created_at.plus_secs(family_life))
            }
        };
        let expires_at = until.map_or(lifetime, |end| lifetime.min(end));
        let token = random_token();
        let record = TokenRecord {
            token_hash: token_hash(&token),
            grant_id: grant.id.clone(),
            kind,
            created_at: now,
            expires_at,
            used_at: None,
        };
        (token, record)
    }

    /// `new_token`, written in `tx`; with its lifetime in seconds.
    async fn mint(
        &self,
        tx: &mut dyn Tx,
        grant: &GrantRecord,
        kind: TokenKind,
        now: Timestamp,
        until: Option<Timestamp>,
    ) -> OidcResult<(String, i64)> {
        let (token, record) = self.new_token(grant, kind, now, until);
        tx.insert_token(&record).await?;
        Ok((token, now.secs_until(record.expires_at)))
    }

    /// R30: when a login last used the e-service, written at token issuance at most once a
    /// minute per assignment.
    async fn record_use(&self, tx: &mut dyn Tx, p: &Permitted, now: Timestamp) -> OidcResult<()> {
        // Under a mandate the login's own assignment was not what was used.
        if p.on_behalf.is_some() {
            return Ok(());
        }
        tx.record_use(p.entity_id, &p.login_id, &p.eservice.code, now, now.plus_secs(-USE_RECORDED_EVERY_SECS)).await?;
        Ok(())
    }

    /// Revokes a grant for a reason worth auditing, and commits that alone.
    async fn revoke_for(&self, mut tx: Box<dyn Tx>, ctx: &Ctx, grant: &GrantRecord, why: &str) -> OidcResult<()> {
        let now = self.clock.now();
        // The client itself asked: it needs no back-channel message about it.
        let tell_client = why != REVOKED_BY_CLIENT;
        super::logout::end_grants(tx.as_mut(), std::slice::from_ref(grant), now, tell_client).await?;
        let ev = AuditEvent::new(Actor::Client(grant.client_id.clone()), Action::GrantRevoked)
            .target(grant.id.clone())
            .detail(why.to_string());
        let ev = match grant.entity_id {
            Some(e) => ev.entity(e),
            None => ev,
        };
        self.commit(tx, ctx, &[ev]).await?;
        Ok(())
    }

    /// `authorization_code`: single use, 60 s, bound to the client, the redirect URI and
    /// the PKCE challenge. A second redemption revokes what the first one got (RFC 6749
    /// §4.1.2), since the code has evidently leaked.
    pub async fn exchange_code(
        &self,
        ctx: &Ctx,
        client: &ClientRecord,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> OidcResult<Issued> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let invalid = || OidcError::invalid_grant("the code is invalid, expired or already used");
        let Some(rec) = tx.find_oidc_code(&token_hash(code)).await? else { return Err(invalid()) };
        if rec.client_id != client.client_id {
            return Err(invalid());
        }
        if let Some(grant_id) = &rec.grant_id {
            if let Some(g) = tx.find_grant(grant_id).await?.filter(|g| g.revoked_at.is_none()) {
                self.revoke_for(tx, ctx, &g, "authorization code redeemed twice").await?;
            }
            return Err(invalid());
        }
        if now >= rec.expires_at {
            return Err(invalid());
        }
        if rec.redirect_uri != redirect_uri {
            return Err(OidcError::invalid_grant("redirect_uri differs from the authorization request's"));
        }
        if !pkce_matches(verifier, &rec.code_challenge) {
            return Err(OidcError::invalid_grant("the code_verifier does not match the code_challenge"));
        }
        // Signed out (or timed out) since the code was issued: the sign-in is over.
        if tx.find_session(&rec.session_hash).await?.is_none() {
            return Err(OidcError::invalid_grant("the sign-in session has ended"));
        }
        let permitted = match permission::check(
            tx.as_mut(),
            rec.entity_id,
            &rec.login_id,
            &client.client_id,
            Acting::of(rec.on_behalf.as_ref()),
            now,
        )
        .await?
        {
            Ok(p) => p,
            Err(d) => return Err(OidcError::invalid_grant(d.description())),
        };
        let grant = GrantRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client_id: client.client_id.clone(),
            entity_id: Some(rec.entity_id),
            login_id: Some(rec.login_id.clone()),
            sid: Some(rec.sid.clone()),
            scope: rec.scope.clone(),
            auth: rec.auth.clone(),
            created_at: now,
            revoked_at: None,
            on_behalf: rec.on_behalf.clone(),
        };
        tx.insert_grant(&grant).await?;
        if !tx.redeem_oidc_code(&rec.code_hash, &grant.id).await? {
            return Err(invalid());
        }
        let (access_token, expires_in) =
            self.mint(tx.as_mut(), &grant, TokenKind::Access, now, permitted.until).await?;
        let (refresh_token, _) = self.mint(tx.as_mut(), &grant, TokenKind::Refresh, now, permitted.until).await?;
        self.record_use(tx.as_mut(), &permitted, now).await?;
        self.commit(tx, ctx, &[issued_event(&grant, "authorization_code")]).await?;
        Ok(Issued {
            access_token,
            refresh_token: Some(refresh_token),
            expires_in,
            scope: grant.scope.clone(),
            id_token: Some(claims_of(&grant, &permitted, rec.nonce)),
        })
    }

    /// `refresh_token`: each use replaces the refresh token; presenting a replaced one means
    /// two parties hold it, so the whole grant is revoked (RFC 9700 §4.14.2).
    pub async fn refresh(&self, ctx: &Ctx, client: &ClientRecord, refresh_token: &str) -> OidcResult<Issued> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        let invalid = || OidcError::invalid_grant("the refresh token is invalid, expired or revoked");
        let Some((tok, grant)) = tx.find_token_with_grant(&token_hash(refresh_token)).await? else {
            return Err(invalid());
        };
        if tok.kind != TokenKind::Refresh || grant.client_id != client.client_id || grant.revoked_at.is_some() {
            return Err(invalid());
        }
        if tok.used_at.is_some() {
            self.revoke_for(tx, ctx, &grant, "a replaced refresh token was presented again").await?;
            return Err(invalid());
        }
        if now >= tok.expires_at {
            return Err(invalid());
        }
        let (Some(entity_id), Some(login_id)) = (grant.entity_id, grant.login_id.as_deref()) else {
            return Err(invalid());
        };
        let permitted = match permission::check(
            tx.as_mut(),
            entity_id,
            login_id,
            &client.client_id,
            Acting::of(grant.on_behalf.as_ref()),
            now,
        )
        .await?
        {
            Ok(p) => p,
            Err(d) => {
                self.revoke_for(tx, ctx, &grant, d.code()).await?;
                return Err(OidcError::invalid_grant(d.description()));
            }
        };
        if !tx.use_token(&tok.token_hash, now).await? {
            return Err(invalid());
        }
        let (access_token, expires_in) =
            self.mint(tx.as_mut(), &grant, TokenKind::Access, now, permitted.until).await?;
        let (refresh_token, _) = self.mint(tx.as_mut(), &grant, TokenKind::Refresh, now, permitted.until).await?;
        self.record_use(tx.as_mut(), &permitted, now).await?;
        self.commit(tx, ctx, &[issued_event(&grant, "refresh_token")]).await?;
        Ok(Issued {
            access_token,
            refresh_token: Some(refresh_token),
            expires_in,
            scope: grant.scope.clone(),
            id_token: Some(claims_of(&grant, &permitted, None)),
        })
    }

    /// `client_credentials`: a token for the e-service itself, for the department API.
    /// Written in a group commit with the other tokens asked for meanwhile.
    pub async fn client_credentials(&self, ctx: &Ctx, client: &ClientRecord) -> OidcResult<Issued> {
        let now = self.clock.now();
        let grant = GrantRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client_id: client.client_id.clone(),
            entity_id: None,
            login_id: None,
            sid: None,
            scope: "department".into(),
            auth: Authentication { auth_time: now, acr: String::new(), amr: String::new(), locale: String::new() },
            created_at: now,
            revoked_at: None,
            on_behalf: None,
        };
        let (access_token, token) = self.new_token(&grant, TokenKind::Access, now, None);
        let event = issued_event(&grant, "client_credentials");
        let scope = grant.scope.clone();
        let issuance = Issuance { grant, token, event, source: ctx.source.clone() };
        self.issue_queue.submit(issuance, |batch| async move { self.write_issuances(&batch).await }).await?;
        Ok(Issued {
            access_token,
            refresh_token: None,
            expires_in: self.policy.access_token_ttl_secs,
            scope,
            id_token: None,
        })
    }

    /// A token that is live now: known, unexpired, unreplaced, its grant unrevoked and, for
    /// a login's grant, the login still permitted the e-service.
    async fn live_token(
        &self,
        tx: &mut dyn Tx,
        token: &str,
    ) -> OidcResult<Option<(TokenRecord, GrantRecord, Option<Permitted>)>> {
        let now = self.clock.now();
        let Some((tok, grant)) = tx.find_token_with_grant(&token_hash(token)).await? else { return Ok(None) };
        if now >= tok.expires_at || tok.used_at.is_some() || grant.revoked_at.is_some() {
            return Ok(None);
        }
        let permitted = match (grant.entity_id, grant.login_id.as_deref()) {
            (Some(e), Some(l)) => {
                match permission::check(tx, e, l, &grant.client_id, Acting::of(grant.on_behalf.as_ref()), now).await? {
                    Ok(p) => Some(p),
                    Err(_) => return Ok(None),
                }
            }
            _ => None,
        };
        Ok(Some((tok, grant, permitted)))
    }

    /// RFC 7662. A token is shown active only to its own client: another e-service, even
    /// of the same department, must not learn of a login that may not use it (R19).
    pub async fn introspect(&self, client: &ClientRecord, token: &str) -> OidcResult<Option<Introspection>> {
        let mut tx = self.store.read().await?;
        let Some((tok, grant, permitted)) = self.live_token(tx.as_mut(), token).await? else {
            // R36: a machine credential's token, shown only to the e-service it is for.
            let resource = crate::model::Resource::EService(client.client_id.clone());
            let Some(f) = self.live_machine_token(tx.as_mut(), token, &resource).await? else { return Ok(None) };
            return Ok(Some(Introspection {
                client_id: f.token.client_id.clone(),
                kind: TokenKind::Access,
                scope: String::new(),
                issued_at: f.token.created_at,
                expires_at: f.token.expires_at,
                claims: None,
                machine: Some(super::machine::MachineClaims::of(&f)),
            }));
        };
        if grant.client_id != client.client_id {
            return Ok(None);
        }
        Ok(Some(Introspection {
            client_id: grant.client_id.clone(),
            kind: tok.kind,
            scope: grant.scope.clone(),
            issued_at: tok.created_at,
            expires_at: tok.expires_at,
            claims: permitted.map(|p| claims_of(&grant, &p, None)),
            machine: None,
        }))
    }

    /// OpenID Connect userinfo: the claims behind a live access token of a sign-in.
    pub async fn userinfo(&self, access_token: &str) -> OidcResult<Claims> {
        let mut tx = self.store.read().await?;
        let invalid = || OidcError::oauth("invalid_token", "the access token is invalid, expired or revoked");
        match self.live_token(tx.as_mut(), access_token).await? {
            Some((tok, grant, Some(p))) if tok.kind == TokenKind::Access && has_scope(&grant.scope, "openid") => {
                // RFC 9470: the e-service now needs more than this sign-in gave.
                if p.eservice.assurance == crate::model::Assurance::Advanced && grant.auth.acr != "advanced" {
                    return Err(OidcError::oauth(
                        "insufficient_user_authentication",
                        "this e-service needs advanced authentication; sign in again with a second factor",
                    ));
                }
                Ok(claims_of(&grant, &p, None))
            }
            _ => Err(invalid()),
        }
    }

    /// RFC 7009: revokes the token's whole grant when it is the client's; answers the same
    /// whatever the token was.
    pub async fn revoke_token(&self, ctx: &Ctx, client: &ClientRecord, token: &str) -> OidcResult<()> {
        let mut tx = self.store.write().await?;
        let Some((_, grant)) = tx.find_token_with_grant(&token_hash(token)).await? else { return Ok(()) };
        if grant.client_id != client.client_id || grant.revoked_at.is_some() {
            return Ok(());
        }
        self.revoke_for(tx, ctx, &grant, REVOKED_BY_CLIENT).await
    }

    /// The department behind a client_credentials access token (the department API's bearer).
    pub async fn department_client(&self, access_token: &str) -> OidcResult<DepartmentClient> {
        let mut tx = self.store.read().await?;
        let invalid = || OidcError::oauth("invalid_token", "the access token is invalid, expired or revoked");
        let Some((tok, grant, None)) = self.live_token(tx.as_mut(), access_token).await? else {
            return Err(invalid());
        };
        if tok.kind != TokenKind::Access || grant.login_id.is_some() {
            return Err(invalid());
        }
        let eservice = tx.find_eservice(&grant.client_id).await?.ok_or_else(invalid)?;
        Ok(DepartmentClient { client_id: grant.client_id, department: eservice.department })
    }
}

impl Services {
    /// One group commit's transaction: every waiting request's grant, token and audit record.
    async fn write_issuances(&self, items: &[Issuance]) -> crate::error::Result<()> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        for it in items {
            tx.insert_grant(&it.grant).await?;
            tx.insert_token(&it.token).await?;
            crate::audit::append(tx.as_mut(), &self.vault, now, &it.source, std::slice::from_ref(&it.event)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
